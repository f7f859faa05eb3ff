// Unit tests for the allocation-free text helpers.
#include <doctest/doctest.h>

#include "base/text.hpp"
#include "modules/modules_dep.hpp"

TEST_CASE("text: parse_unsigned table -> value or nullopt") {
    struct Case {
        const char* text;
        bool ok;
        uint64_t value;
    };
    const Case cases[] = {{"0", true, 0},
                          {"42", true, 42},
                          {"18446744073709551615", true, UINT64_MAX},
                          {"18446744073709551616", false, 0},
                          {"", false, 0},
                          {"-1", false, 0},
                          {"1x", false, 0},
                          {" 1", false, 0}};
    for (const Case& test : cases) {
        CAPTURE(test.text);
        const auto parsed = hal::parse_unsigned(test.text);
        CHECK(parsed.has_value() == test.ok);
        if (test.ok) CHECK(*parsed == test.value);
    }
}

TEST_CASE("text: FixedString append past capacity -> fails and keeps content") {
    hal::FixedString<8> text;
    CHECK(text.assign("abc"));
    CHECK(text.append("defg"));
    CHECK_FALSE(text.append("h"));
    CHECK(text.view() == "abcdefg");
}

TEST_CASE("text: LineReader -> numbered lines, last without newline") {
    hal::LineReader reader("a\n\nc");
    std::string_view line;
    CHECK(reader.next(line));
    CHECK(line == "a");
    CHECK(reader.next(line));
    CHECK(line.empty());
    CHECK(reader.next(line));
    CHECK(line == "c");
    CHECK(reader.number() == 3);
    CHECK_FALSE(reader.next(line));
}

TEST_CASE("modules: module_name_from_path table -> normalized name") {
    struct Case {
        const char* path;
        const char* name;  // nullptr: not a module path
    };
    const Case cases[] = {{"kernel/arch/x86/kvm/kvm-intel.ko", "kvm_intel"},
                          {"kernel/drivers/block/virtio_blk.ko.xz", "virtio_blk"},
                          {"kernel/fs/fuse/fuse.ko.zst", "fuse"},
                          {"crc64-rocksoft.ko.gz", "crc64_rocksoft"},
                          {"kernel/drivers/readme.txt", nullptr},
                          {".ko", nullptr}};
    for (const Case& test : cases) {
        CAPTURE(test.path);
        hal::ModuleName name;
        CHECK(hal::module_name_from_path(test.path, name) == (test.name != nullptr));
        if (test.name) CHECK(name.view() == test.name);
    }
}

TEST_CASE("modules: same_module_name -> dash and underscore equal") {
    CHECK(hal::same_module_name("kvm-intel", "kvm_intel"));
    CHECK_FALSE(hal::same_module_name("kvm_intel", "kvm_amd"));
}
