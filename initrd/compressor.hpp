// The image's compression in the forms the kernel unpacks: gzip (default), zstd, xz (CRC32
// check), lz4 (legacy frames) or none; each on every core, and each giving the same bytes
// whatever the number of threads (block boundaries never depend on it).
#pragma once

#include <string>
#include <string_view>

#include "base/problem.hpp"

namespace hal::pack {

enum class Compression { kGzip, kZstd, kXz, kLz4, kNone };

struct CompressOptions {
    Compression algorithm = Compression::kGzip;
    int level = -1;        // -1: the algorithm's default below
    unsigned threads = 0;  // 0: every online CPU
};

// "gzip", "zstd:19", "xz:6", "lz4:9", "none". Errors name the value and the choices.
Checked<CompressOptions> parse_compression(std::string_view text);
const char* compression_name(Compression algorithm);
int default_level(Compression algorithm);

// Compresses `input` into `output`. gzip: independent 128 KiB deflate blocks (each primed
// with the 32 KiB before it, as pigz does) joined into one standard gzip member.
Checked<std::string> compress(const std::string& input, const CompressOptions& options);

}  // namespace hal::pack
