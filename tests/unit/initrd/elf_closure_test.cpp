// Unit tests for the ELF reader and library closure, on fixture programs and system binaries.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "initrd/elf_closure.hpp"
#include "tests/unit/initrd/out_parameters.hpp"

using namespace hal::pack;
using namespace hal::pack::test;

namespace {

std::string fixture_dir() {
    const char* dir = std::getenv("HAL_FIXTURE_DIR");
    return dir ? dir : "build/fixtures";
}

std::string temporary_file(const std::string& content) {
    char name[] = "/tmp/elf-test-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
    return name;
}

std::string file_bytes(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(stream), {});
}

bool has_image_path(const std::vector<PackedObject>& objects, const std::string& path) {
    return std::any_of(objects.begin(), objects.end(),
                       [&](const PackedObject& object) { return object.image_path == path; });
}

}  // namespace

TEST_CASE("elf: fixture program -> interpreter, DT_NEEDED and $ORIGIN RUNPATH read") {
    ElfInfo info;
    std::string error;
    REQUIRE(read_elf_info(fixture_dir() + "/elf/bin/fixture_program", info, error));
    CHECK(info.interpreter == "/lib64/ld-linux-x86-64.so.2");
    CHECK(std::find(info.needed.begin(), info.needed.end(), "libfixture.so") != info.needed.end());
    CHECK(std::find(info.needed.begin(), info.needed.end(), "libc.so.6") != info.needed.end());
    CHECK(info.runpath == std::vector<std::string>{"$ORIGIN/../lib"});
    CHECK_FALSE(info.is_static());
}

TEST_CASE("elf: static hal-init -> static, nothing needed") {
    ElfInfo info;
    std::string error;
    const char* hal_init = std::getenv("HAL_INIT_BINARY");  // the Makefile's $(BUILD)/hal-init
    REQUIRE(read_elf_info(hal_init ? hal_init : "build/hal-init", info, error));
    CHECK(info.is_static());
}

TEST_CASE("elf closure: fixture program -> its $ORIGIN library, libc and the loader") {
    std::vector<PackedObject> objects;
    std::string error;
    const std::string program = fixture_dir() + "/elf/bin/fixture_program";
    REQUIRE(library_closure({program}, host_library_search(), objects, error));
    CHECK(has_image_path(objects, fixture_dir() + "/elf/bin/../lib/libfixture.so"));
    CHECK(has_image_path(objects, "/lib64/ld-linux-x86-64.so.2"));
    CHECK(has_image_path(objects, "/lib/x86_64-linux-gnu/libc.so.6"));
    // Each object once.
    std::vector<std::string> hosts;
    for (const auto& object : objects) hosts.push_back(object.host_path);
    std::sort(hosts.begin(), hosts.end());
    CHECK(std::adjacent_find(hosts.begin(), hosts.end()) == hosts.end());
}

TEST_CASE("elf closure: system QEMU -> glib and libslirp among its libraries") {
    std::vector<PackedObject> objects;
    std::string error;
    REQUIRE(
        library_closure({"/usr/bin/qemu-system-x86_64"}, host_library_search(), objects, error));
    CHECK(has_image_path(objects, "/lib/x86_64-linux-gnu/libglib-2.0.so.0"));
    CHECK(has_image_path(objects, "/lib/x86_64-linux-gnu/libslirp.so.0"));
    CHECK(objects.size() > 20);
}

TEST_CASE("elf closure: library missing from every search dir -> error naming it and its user") {
    // Copy the fixture program away from its lib/ so $ORIGIN/../lib no longer holds the library.
    const std::string program =
        temporary_file(file_bytes(fixture_dir() + "/elf/bin/fixture_program"));
    std::vector<PackedObject> objects;
    std::string error;
    CHECK_FALSE(library_closure({program}, host_library_search(), objects, error));
    CHECK(error.find("libfixture.so") != std::string::npos);
    CHECK(error.find(program) != std::string::npos);
    ::unlink(program.c_str());
}

TEST_CASE("elf: malformed inputs table -> error, never a crash") {
    const std::string real = file_bytes("/bin/true");
    REQUIRE(real.size() > 4096);
    std::string huge_phoff = real;
    huge_phoff[0x20] = '\xff';  // e_phoff far beyond the file
    huge_phoff[0x21] = '\xff';
    huge_phoff[0x22] = '\xff';
    const std::string cases[] = {"",
                                 "not an elf",
                                 std::string("\x7f"
                                             "ELF",
                                             4),
                                 real.substr(0, 64),
                                 real.substr(0, 200),
                                 huge_phoff};
    for (const auto& content : cases) {
        const std::string path = temporary_file(content);
        ElfInfo info;
        std::string error;
        CHECK_FALSE(read_elf_info(path, info, error));
        CHECK(error.find(path) != std::string::npos);
        ::unlink(path.c_str());
    }
}

TEST_CASE(
    "elf: every truncation of a real dynamic program -> an error, or what the whole file says") {
    const std::string real = file_bytes("/bin/true");
    ElfInfo whole;
    std::string whole_error;
    REQUIRE(read_elf_info("/bin/true", whole, whole_error));
    REQUIRE_FALSE(whole.needed.empty());
    // Prefixes cut through the headers and the dynamic section; ASan checks every read. A
    // prefix that still holds everything the reader needs reads the same as the whole file.
    unsigned rejected = 0;
    for (size_t length = 0; length < real.size(); length += length < 4096 ? 7 : 1021) {
        CAPTURE(length);
        const std::string path = temporary_file(real.substr(0, length));
        ElfInfo info;
        std::string error;
        if (read_elf_info(path, info, error)) {
            CHECK(info.interpreter == whole.interpreter);
            CHECK(info.needed == whole.needed);
        } else {
            CHECK_FALSE(error.empty());
            ++rejected;
        }
        ::unlink(path.c_str());
    }
    CHECK(rejected > 0);
}
