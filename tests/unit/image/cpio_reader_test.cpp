// Unit tests for the newc reader behind --list and --verify: archives the packer's libarchive
// writer made, back to back as the kernel reads them, and every truncation of one refused.
#include <doctest/doctest.h>

#include <string>

#include "image/cpio_reader.hpp"
#include "initrd/archive_writer.hpp"
#include "tests/unit/support.hpp"

using namespace hal::pack;

namespace {

std::string sample_cpio() {
    FilePlan plan;
    hal::test::checked(plan.add_generated_file("/etc/hal.conf", "disk = auto\n", 0644));
    hal::test::checked(
        plan.add_generated_file("/lib/modules/x/a.ko", std::string(1001, 'a'), 0644));
    hal::test::checked(plan.add_symlink("/bin/sh", "busybox"));
    hal::test::checked(plan.add_char_device("/dev/console", 5, 1, 0600));
    ArchiveOptions options;
    options.source_date_epoch = 1700000000;
    return hal::test::checked(build_cpio(plan.entries(), options));
}

const CpioEntry* find(const CpioArchive& archive, const std::string& path) {
    for (const auto& entry : archive.entries)
        if (entry.path == path) return &entry;
    return nullptr;
}

}  // namespace

TEST_CASE("cpio reader: the writer's archive -> paths, modes, data, device numbers") {
    const std::string cpio = sample_cpio();
    const CpioArchive archive = hal::test::checked(read_cpio(cpio, 0));
    CHECK(archive.end == cpio.size());
    const CpioEntry* config = find(archive, "etc/hal.conf");
    REQUIRE(config);
    CHECK(config->data == "disk = auto\n");
    CHECK(is_regular(config->mode));
    CHECK(find(archive, "lib/modules/x/a.ko")->data.size() == 1001);
    CHECK(find(archive, "bin/sh")->data == "busybox");
    CHECK(find(archive, "dev/console")->rdev_major == 5);
    CHECK(find(archive, "dev/console")->rdev_minor == 1);
    CHECK(find(archive, "etc") != nullptr);  // parents are entries too
}

TEST_CASE(
    "cpio reader: two archives with zero padding between, as an early cpio and the main one") {
    const std::string one = sample_cpio();
    const std::string joined = one + std::string(512, '\0') + one;
    const CpioArchive first = hal::test::checked(read_cpio(joined, 0));
    const size_t next = skip_padding(joined, first.end);
    CHECK(next == one.size() + 512);
    const CpioArchive second = hal::test::checked(read_cpio(joined, next));
    CHECK(second.entries.size() == first.entries.size());
    CHECK(skip_padding(joined, second.end) == joined.size());
}

TEST_CASE("cpio reader: every truncation and a corrupt header -> an error with the byte offset") {
    const std::string cpio = sample_cpio();
    // Anything shorter than the trailer's end: the reader must stop with an error, not read past.
    const size_t trailer = cpio.rfind("TRAILER!!!");
    for (size_t length = 0; length < trailer; length += 7) {
        CAPTURE(length);
        const std::string error =
            hal::test::message_of(read_cpio(std::string_view(cpio).substr(0, length), 0));
        CHECK(error.find("at byte") != std::string::npos);
    }
    std::string bad = cpio;
    bad[3] = '8';  // 070801
    CHECK(hal::test::message_of(read_cpio(bad, 0)) == "no newc header (magic 070701) at byte 0");
    bad = cpio;
    bad[6 + 8 * 6] = 'g';  // filesize field of the first entry
    CHECK(hal::test::message_of(read_cpio(bad, 0)).find("not hexadecimal") != std::string::npos);
    bad = cpio;
    bad.replace(6 + 8 * 6, 8, "7FFFFFFF");  // a size past the end
    CHECK(hal::test::message_of(read_cpio(bad, 0)).find("runs past the end") != std::string::npos);
}
