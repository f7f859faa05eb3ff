// The configuration reference, made from config/schema.cpp's rows: README's table of keys and
// the shipped configs/hal.conf with every key, its meaning and its default
// (mkinitrd-hal --config-reference[=markdown|conf]). A unit test keeps both files equal to it.
#pragma once

#include <string>

namespace hal::pack {

// "| key | values | default |" and one row per key.
std::string config_reference_markdown();
// A hal.conf holding every key at its default, each under its meaning as a comment.
std::string config_reference_conf();

}  // namespace hal::pack
