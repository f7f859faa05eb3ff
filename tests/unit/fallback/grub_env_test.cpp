// Unit tests for GRUB's environment block as fallback = bare-metal edits it, on blocks made by
// grub-editenv (the header, NAME=VALUE lines, '#' to 1024 bytes).
#include <doctest/doctest.h>

#include <string>

#include "fallback/grub_env.hpp"
#include "fallback/settings.hpp"

namespace {

// What `grub-editenv FILE create` then `grub-editenv FILE set ...` write.
std::string env_block(const std::string& lines, size_t size = 1024) {
    std::string block = "# GRUB Environment Block\n" + lines;
    block.resize(size, '#');
    return block;
}

}  // namespace

TEST_CASE("a flag is added, replaced and removed in place, the block keeping its size") {
    std::string block = env_block("saved_entry=gnulinux-simple\nnext_entry=\n");
    REQUIRE(hal::set_grub_env_value(block.data(), block.size(), "mkinitrd_hal_fallback",
                                    "no usable /dev/kvm (slow: TCG)")
                .ok());
    CHECK(block == env_block("saved_entry=gnulinux-simple\nnext_entry=\n"
                             "mkinitrd_hal_fallback=no usable /dev/kvm (slow: TCG)\n"));
    CHECK(hal::grub_env_value(block, "mkinitrd_hal_fallback") == "no usable /dev/kvm (slow: TCG)");
    CHECK(hal::grub_env_value(block, "saved_entry") == "gnulinux-simple");
    CHECK(hal::grub_env_value(block, "next_entry").empty());
    CHECK(hal::grub_env_value(block, "absent").empty());

    REQUIRE(hal::set_grub_env_value(block.data(), block.size(), "mkinitrd_hal_fallback", "2").ok());
    CHECK(block ==
          env_block("saved_entry=gnulinux-simple\nnext_entry=\nmkinitrd_hal_fallback=2\n"));
    // GRUB's save_env of an empty variable leaves "NAME=" behind; clearing removes the line.
    REQUIRE(hal::set_grub_env_value(block.data(), block.size(), "mkinitrd_hal_fallback", "").ok());
    CHECK(block == env_block("saved_entry=gnulinux-simple\nnext_entry=\n"));
}

TEST_CASE("an empty block takes the flag; a full one, a foreign file or an unsafe value do not") {
    std::string block = env_block("");
    REQUIRE(hal::set_grub_env_value(block.data(), block.size(), "mkinitrd_hal_fallback", "x").ok());
    CHECK(block == env_block("mkinitrd_hal_fallback=x\n"));

    std::string full = env_block(std::string(990, 'a').insert(0, "v=") + "\n");
    const std::string before = full;
    const auto no_room = hal::set_grub_env_value(full.data(), full.size(), "mkinitrd_hal_fallback",
                                                 "no usable /dev/kvm");
    REQUIRE_FALSE(no_room.ok());
    CHECK(std::string(no_room.error().message) == "the GRUB environment block has no room left");
    CHECK(full == before);

    std::string foreign = std::string(1024, '\0');
    CHECK_FALSE(hal::set_grub_env_value(foreign.data(), foreign.size(), "a", "b").ok());
    CHECK(foreign == std::string(1024, '\0'));
    CHECK_FALSE(hal::grub_env_valid("# GRUB Environment Block\n"));

    std::string unsafe = env_block("");
    CHECK_FALSE(hal::set_grub_env_value(unsafe.data(), unsafe.size(), "a", "x\ny=1").ok());
    CHECK_FALSE(hal::set_grub_env_value(unsafe.data(), unsafe.size(), "a b", "1").ok());
    CHECK_FALSE(hal::set_grub_env_value(unsafe.data(), unsafe.size(), "a", "back\\slash").ok());
    CHECK(unsafe == env_block(""));
}

TEST_CASE("a fatal error's text is made safe for the block") {
    char out[32];
    hal::grub_env_safe_text("disk \"auto\": none\n{found}", out, sizeof out);
    CHECK(std::string(out) == "disk _auto_: none__found_");
    hal::grub_env_safe_text(std::string(100, 'x'), out, sizeof out);
    CHECK(std::string(out) == std::string(31, 'x'));
}

TEST_CASE("fallback is bare-metal or none; a native boot needs the way back named") {
    CHECK(hal::parse_fallback_mode("bare-metal").value() == hal::FallbackMode::kBareMetal);
    CHECK(hal::parse_fallback_mode("none").value() == hal::FallbackMode::kNone);
    CHECK(std::string(hal::parse_fallback_mode("poweroff").error().message) ==
          "fallback must be bare-metal or none");
    hal::FallbackSettings settings;
    CHECK_FALSE(settings.native_boot_possible());
    settings.has_grubenv = true;
    CHECK(settings.native_boot_possible());
    settings.mode = hal::FallbackMode::kNone;
    CHECK_FALSE(settings.native_boot_possible());
}
