// Unit tests for the file plan and the libarchive writer, read back with libarchive.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "initrd/archive_writer.hpp"
#include "initrd/file_plan.hpp"
#include "tests/unit/support.hpp"

using namespace hal::pack;

namespace {

struct ReadEntry {
    std::string type;
    unsigned mode = 0;
    int64_t uid = -1, gid = -1, mtime = 0;
    std::string data;
    unsigned major = 0, minor = 0;
};

struct ImageFormat {
    int format = 0;
    int filter = 0;
};

std::map<std::string, ReadEntry> read_image(const std::string& path,
                                            ImageFormat* format = nullptr) {
    std::map<std::string, ReadEntry> entries;
    struct archive* reader = archive_read_new();
    archive_read_support_filter_all(reader);
    archive_read_support_format_all(reader);
    REQUIRE(archive_read_open_filename(reader, path.c_str(), 1 << 16) == ARCHIVE_OK);
    struct archive_entry* entry;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        ReadEntry read;
        const auto type = archive_entry_filetype(entry);
        read.type = type == AE_IFDIR   ? "dir"
                    : type == AE_IFCHR ? "chr"
                    : type == AE_IFREG ? "file"
                                       : "other";
        read.mode = archive_entry_perm(entry);
        read.uid = archive_entry_uid(entry);
        read.gid = archive_entry_gid(entry);
        read.mtime = archive_entry_mtime(entry);
        read.major = archive_entry_rdevmajor(entry);
        read.minor = archive_entry_rdevminor(entry);
        char buffer[4096];
        la_ssize_t got;
        while ((got = archive_read_data(reader, buffer, sizeof buffer)) > 0)
            read.data.append(buffer, got);
        entries[archive_entry_pathname(entry)] = read;
    }
    if (format) *format = ImageFormat{archive_format(reader), archive_filter_code(reader, 0)};
    archive_read_free(reader);
    return entries;
}

std::string file_bytes(const std::string& path) {
    std::ifstream stream(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(stream), {});
}

std::string temporary_dir() {
    char name[] = "/tmp/archive-test-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    return name;
}

FilePlan sample_plan(const std::string& host_file) {
    FilePlan plan;
    hal::test::checked(plan.add_generated_file("/etc/hal.conf", "disk = /dev/vda\n", 0644));
    hal::test::checked(plan.add_host_file("/usr/bin/tool", host_file, 0755));
    hal::test::checked(plan.add_char_device("/dev/console", 5, 1, 0600));
    hal::test::checked(plan.add_directory("/proc", 0755));
    return plan;
}

}  // namespace

TEST_CASE("file plan: nested paths -> parents added, sorted parents first") {
    FilePlan plan;
    hal::test::checked(plan.add_generated_file("/a/b/c", "x", 0644));
    hal::test::checked(plan.add_generated_file("/a-b", "y", 0644));
    std::vector<std::string> paths;
    for (const auto& entry : plan.entries()) paths.push_back(entry.image_path);
    CHECK(paths == std::vector<std::string>{"/a", "/a-b", "/a/b", "/a/b/c"});
}

TEST_CASE("file plan: same path planned twice differently -> error naming path") {
    FilePlan plan;
    std::string error;
    hal::test::checked(plan.add_generated_file("/etc/x", "one", 0644));
    CHECK(plan.add_generated_file("/etc/x", "one", 0644).ok());
    error = hal::test::message_of(plan.add_generated_file("/etc/x", "two", 0644));
    CHECK_FALSE(error.empty());
    CHECK(error.find("/etc/x") != std::string::npos);
    error = hal::test::message_of(plan.add_directory("relative/path", 0755));
    CHECK_FALSE(error.empty());
    error = hal::test::message_of(plan.add_directory("/a/../b", 0755));
    CHECK_FALSE(error.empty());
}

TEST_CASE("archive: plan -> gzip newc cpio with root owners, modes and contents") {
    const std::string dir = temporary_dir();
    std::ofstream(dir + "/tool") << "#!/bin/sh\necho tool\n";
    const std::string output = dir + "/image.cpio.gz";
    ImageFormat format;
    ArchiveOptions options;
    options.source_date_epoch = 1700000000;
    hal::test::checked(write_image(sample_plan(dir + "/tool").entries(), output, options));
    const auto entries = read_image(output, &format);
    CHECK(format.format == ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);  // newc
    CHECK(format.filter == ARCHIVE_FILTER_GZIP);
    REQUIRE(entries.count("usr/bin/tool"));
    CHECK(entries.at("usr/bin/tool").data == "#!/bin/sh\necho tool\n");
    CHECK(entries.at("usr/bin/tool").mode == 0755);
    CHECK(entries.at("usr").type == "dir");
    CHECK(entries.at("etc/hal.conf").data == "disk = /dev/vda\n");
    CHECK(entries.at("dev/console").type == "chr");
    CHECK(entries.at("dev/console").major == 5);
    CHECK(entries.at("dev/console").minor == 1);
    for (const auto& [path, entry] : entries) {
        CAPTURE(path);
        CHECK(entry.uid == 0);
        CHECK(entry.gid == 0);
        CHECK(entry.mtime <= 1700000000);
    }
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("archive: same plan and SOURCE_DATE_EPOCH twice -> identical bytes") {
    const std::string dir = temporary_dir();
    std::ofstream(dir + "/tool") << "payload";
    ArchiveOptions options;
    options.source_date_epoch = 1600000000;
    hal::test::checked(write_image(sample_plan(dir + "/tool").entries(), dir + "/one", options));
    sleep(1);  // a timestamp leaking into the output would differ now
    hal::test::checked(write_image(sample_plan(dir + "/tool").entries(), dir + "/two", options));
    CHECK(file_bytes(dir + "/one") == file_bytes(dir + "/two"));
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("archive: missing host file -> error, existing output untouched, no temp left") {
    const std::string dir = temporary_dir();
    const std::string output = dir + "/image";
    std::ofstream(output) << "the good old image";
    std::string error;
    error = hal::test::message_of(
        write_image(sample_plan(dir + "/does-not-exist").entries(), output, ArchiveOptions{}));
    CHECK_FALSE(error.empty());
    CHECK(error.find("does-not-exist") != std::string::npos);
    CHECK(file_bytes(output) == "the good old image");
    CHECK(std::system(("test $(ls " + dir + " | wc -l) -eq 1").c_str()) == 0);
    std::system(("rm -rf " + dir).c_str());
}

TEST_CASE(
    "archive: stored files -> an uncompressed archive of them and their parents ahead of the "
    "compressed rest; none -> one archive") {
    const std::string dir = temporary_dir();
    std::ofstream(dir + "/tool") << "payload";
    FilePlan plan = sample_plan(dir + "/tool");
    hal::test::checked(plan.add_stored_file("/lib/modules/6.1/kernel/a.ko.zst", "frame a", 0644));
    hal::test::checked(plan.add_stored_file("/lib/modules/6.1/kernel/b.ko.zst", "frame b", 0644));
    hal::test::checked(plan.add_generated_file("/lib/modules/6.1/modules.dep", "deps", 0644));
    const auto entries = plan.entries();

    const ImageArchives split = split_stored(entries, Compression::kGzip);
    std::vector<std::string> leading;
    for (const auto& entry : split.leading) leading.push_back(entry.image_path);
    CHECK(leading == std::vector<std::string>{
                         "/lib", "/lib/modules", "/lib/modules/6.1", "/lib/modules/6.1/kernel",
                         "/lib/modules/6.1/kernel/a.ko.zst", "/lib/modules/6.1/kernel/b.ko.zst"});
    CHECK(split.leading.size() + split.compressed.size() == entries.size());
    for (const auto& entry : split.compressed) {
        CAPTURE(entry.image_path);
        CHECK_FALSE(entry.stored);
        CHECK(std::find(leading.begin(), leading.end(), entry.image_path) == leading.end());
    }
    CHECK(split_stored(entries, Compression::kNone).compressed.size() == entries.size());

    // Written: the leading archive is plain newc, the gzip stream follows; libarchive reads
    // the first, the image reader both, as the kernel does.
    ArchiveOptions options;
    options.source_date_epoch = 1600000000;
    hal::test::checked(write_image(entries, dir + "/image", options));
    const std::string bytes = file_bytes(dir + "/image");
    CHECK(bytes.substr(0, 6) == "070701");
    ImageFormat format;
    const auto first = read_image(dir + "/image", &format);
    CHECK(format.filter == ARCHIVE_FILTER_NONE);
    CHECK(first.at("lib/modules/6.1/kernel/a.ko.zst").data == "frame a");
    CHECK(first.count("etc/hal.conf") == 0);
    const size_t gzip_at = bytes.find("\x1f\x8b\x08");
    REQUIRE(gzip_at != std::string::npos);
    std::ofstream(dir + "/rest", std::ios::binary) << bytes.substr(gzip_at);
    const auto rest = read_image(dir + "/rest", &format);
    CHECK(format.filter == ARCHIVE_FILTER_GZIP);
    CHECK(rest.at("etc/hal.conf").data == "disk = /dev/vda\n");
    CHECK(rest.at("lib/modules/6.1/modules.dep").data == "deps");
    CHECK(rest.count("lib/modules/6.1/kernel/a.ko.zst") == 0);
    std::system(("rm -rf " + dir).c_str());
}
