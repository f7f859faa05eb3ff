// Unit tests for the device tree reader, on DTBs that dtc compiled from tests/fixtures/device_tree.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "platform/device_tree.hpp"

using namespace hal;

namespace {

std::string dtb(const char* name) {
    const char* dir = std::getenv("HAL_FIXTURE_DIR");
    const std::string path = std::string(dir ? dir : "build/fixtures") + "/device_tree/" + name;
    std::ifstream stream(path, std::ios::binary);
    REQUIRE_MESSAGE(stream.good(), "missing fixture ", path, " (make builds it with dtc)");
    return std::string(std::istreambuf_iterator<char>(stream), {});
}

}  // namespace

TEST_CASE("device tree: dtc-compiled board.dts -> model and first compatible string") {
    const std::string blob = dtb("board.dtb");
    BoardIdentity board;
    REQUIRE(board_identity(blob.data(), blob.size(), board) == BoardResult::kFound);
    CHECK(board.model.view() == "HAL Test Board rev 2");
    CHECK(board.compatible.view() == "hal,test-board-2");
}

TEST_CASE("device tree: a valid tree without model or compatible -> found, empty fields") {
    const std::string blob = dtb("no_model.dtb");
    BoardIdentity board;
    REQUIRE(board_identity(blob.data(), blob.size(), board) == BoardResult::kFound);
    CHECK(board.model.empty());
    CHECK(board.compatible.empty());
}

TEST_CASE("device tree: every truncation of a valid blob -> invalid tree, never a crash") {
    const std::string blob = dtb("board.dtb");
    for (size_t size = 0; size < blob.size(); ++size) {
        BoardIdentity board;
        CHECK(board_identity(blob.data(), size, board) == BoardResult::kInvalidTree);
        CHECK(board.model.empty());
    }
}

TEST_CASE("device tree: bad magic or a corrupted structure block -> invalid tree") {
    std::string blob = dtb("board.dtb");
    BoardIdentity board;
    std::string bad_magic = blob;
    bad_magic[0] = 0;
    CHECK(board_identity(bad_magic.data(), bad_magic.size(), board) == BoardResult::kInvalidTree);
    // The first structure token (FDT_BEGIN_NODE) at off_dt_struct (big-endian, header offset 8).
    const auto offset =
        (static_cast<unsigned char>(blob[8]) << 24) | (static_cast<unsigned char>(blob[9]) << 16) |
        (static_cast<unsigned char>(blob[10]) << 8) | static_cast<unsigned char>(blob[11]);
    blob[static_cast<size_t>(offset) + 3] = 0x7f;
    CHECK(board_identity(blob.data(), blob.size(), board) == BoardResult::kInvalidTree);
}

TEST_CASE("device tree: a model longer than the capacity -> text too long, fields empty") {
    const std::string blob = dtb("long_model.dtb");
    BoardIdentity board;
    CHECK(board_identity(blob.data(), blob.size(), board) == BoardResult::kTextTooLong);
    CHECK(board.model.empty());
}

// Found by tests/fuzz/device_tree_fuzz.cpp: a version-15 header (node names are full paths
// before version 16) whose root node has an empty name. libfdt 1.6.1 (Debian 12) dereferences
// the NULL fdt_get_name returns for it inside fdt_check_full.
TEST_CASE("device tree: a pre-version-16 blob -> invalid tree, not libfdt's NULL dereference") {
    static const uint8_t blob[] = {
        0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x83, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00,
        0x68, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x1b, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
        0x00, 0x0f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0x23,
        0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73, 0x00, 0x23,
        0x73, 0x69, 0x7a, 0x65, 0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73, 0x00};
    hal::BoardIdentity board;
    CHECK(hal::board_identity(blob, sizeof blob, board) == hal::BoardResult::kInvalidTree);
}

namespace {

uint32_t big_endian32(const std::string& blob, size_t offset) {
    uint32_t value = 0;
    for (size_t i = 0; i < 4; ++i)
        value = (value << 8) | static_cast<unsigned char>(blob[offset + i]);
    return value;
}

void put_big_endian32(std::string& blob, size_t offset, uint32_t value) {
    for (size_t i = 0; i < 4; ++i) blob[offset + i] = static_cast<char>(value >> (24 - 8 * i));
}

}  // namespace

// Found by tests/fuzz/device_tree_fuzz.cpp (a 30-minute hang in CI): a property whose length
// is negative as an int (0xfffffff4) sends libfdt 1.6.1's fdt_check_full backwards through the
// structure block forever. Every property of a valid tree, one at a time, with lengths that do
// not fit: each is an invalid tree, and the call returns.
TEST_CASE(
    "device tree: a property length past the structure block -> invalid tree, no endless walk") {
    const std::string valid = dtb("board.dtb");
    const size_t struct_start = big_endian32(valid, 8);
    const size_t struct_end =
        struct_start + big_endian32(valid, 36);  // size_dt_struct (version 17)
    // The length field of every FDT_PROP token, found by walking the tokens as dtc laid them out.
    std::vector<size_t> length_fields;
    for (size_t offset = struct_start; offset + 4 <= struct_end;) {
        const uint32_t tag = big_endian32(valid, offset);
        offset += 4;
        if (tag == 1) {  // FDT_BEGIN_NODE: a NUL-terminated name, padded to 4
            offset = (valid.find('\0', offset) + 4) & ~size_t{3};
        } else if (tag == 3) {  // FDT_PROP: length, name offset, value padded to 4
            length_fields.push_back(offset);
            offset = (offset + 8 + big_endian32(valid, offset) + 3) & ~size_t{3};
        } else if (tag == 9) {  // FDT_END
            break;
        }
    }
    for (const size_t field : length_fields) {
        for (const uint32_t bad :
             {0xfffffff4u, 0xfffffffcu, 0x80000000u, static_cast<uint32_t>(struct_end)}) {
            std::string blob = valid;
            put_big_endian32(blob, field, bad);
            BoardIdentity board;
            CAPTURE(field);
            CAPTURE(bad);
            CHECK(board_identity(blob.data(), blob.size(), board) == BoardResult::kInvalidTree);
        }
    }
    CHECK(length_fields.size() >= 5);
}
