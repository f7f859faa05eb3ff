// A reader for newc cpio archives as the kernel reads an initramfs: archives back to back,
// zero padding between them; every header field and size checked against the buffer. Used by
// --list, --verify and the tests; fuzzed (tests/fuzz). No I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/problem.hpp"

namespace hal::pack {

struct CpioEntry {
    std::string path;   // as stored: relative, no leading "/"
    uint32_t mode = 0;  // type and permission bits
    uint32_t mtime = 0;
    uint32_t rdev_major = 0, rdev_minor = 0;
    std::string_view data;  // into the caller's buffer
};

struct CpioArchive {
    std::vector<CpioEntry> entries;
    size_t end = 0;  // offset just past the archive's trailer (and its padding to 4 bytes)
};

// Reads one archive starting at `offset`. The problem says what and where ("no newc header
// (magic 070701) at byte N", "a name runs past the end at byte N"...).
Checked<CpioArchive> read_cpio(std::string_view bytes, size_t offset);

// The offset of the next archive after `offset`, skipping zero padding; bytes.size() at the end.
size_t skip_padding(std::string_view bytes, size_t offset);

// An entry's file type from its mode (S_IFMT bits, as newc stores them).
inline bool is_regular(uint32_t mode) { return (mode & 0170000) == 0100000; }
inline bool is_directory(uint32_t mode) { return (mode & 0170000) == 0040000; }
inline bool is_symlink(uint32_t mode) { return (mode & 0170000) == 0120000; }

}  // namespace hal::pack
