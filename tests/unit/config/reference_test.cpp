// README's table of hal.conf keys and the shipped configs/hal.conf are the schema's own
// rendering (mkinitrd-hal --config-reference), so neither can drift from what hal-init parses.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/config.hpp"
#include "config/schema.hpp"
#include "initrd/config_reference.hpp"

namespace {

std::string file_text(const char* path) {
    std::ifstream stream(path);
    REQUIRE_MESSAGE(stream.good(), path << " (the unit tests run from the repository's top)");
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE(
    "config reference: README's key table -> exactly the schema's (mkinitrd-hal "
    "--config-reference=markdown)") {
    const std::string readme = file_text("README.md");
    const std::string table = hal::pack::config_reference_markdown();
    INFO("make the table again: build/mkinitrd-hal --config-reference=markdown");
    CHECK(readme.find(table + "\n") != std::string::npos);
}

TEST_CASE(
    "config reference: the shipped configs/hal.conf -> the schema's, every key at its default") {
    const std::string shipped = file_text("configs/hal.conf");
    INFO("make it again: build/mkinitrd-hal --config-reference=conf > configs/hal.conf");
    CHECK(shipped == hal::pack::config_reference_conf());
    const auto parsed = hal::parse_config(shipped);
    REQUIRE(parsed.ok());
    // The keys `platform` sets are commented out, so that changing `platform` there changes
    // them too; every other key is the user's, at its default.
    hal::Config config = parsed.value();
    for (const hal::PresetValue& preset : hal::preset_values()) {
        CAPTURE(preset.key);
        CHECK((config.explicit_keys & hal::setting_bit(*hal::find_setting(preset.key))) == 0);
    }
    config.explicit_keys = 0;
    CHECK(config == hal::default_config());
    const auto virtual_machine = hal::parse_config(shipped + "platform = virtual\n").value();
    CHECK(virtual_machine.net.nic == hal::NicModel::kRtl8139);
}
