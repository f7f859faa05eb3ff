// Reads an initramfs image as the kernel does: uncompressed archives (early microcode) then
// one compressed stream (gzip, zstd, xz, lz4 legacy, bzip2, lzma...) holding more archives.
#pragma once

#include <string>
#include <vector>

#include "image/cpio_reader.hpp"

namespace hal::pack {

struct ImageSegment {
    std::string compression;      // "none" for an uncompressed archive
    size_t stored_bytes = 0;      // its bytes in the image file
    size_t archive_bytes = 0;     // its cpio bytes, uncompressed
    std::vector<CpioEntry> entries;  // views into ImageContents::data
};

struct ImageContents {
    std::string file;                 // the image's bytes
    std::vector<std::string> buffers; // decompressed streams the entries point into
    std::vector<ImageSegment> segments;
};

// False with `error` naming the image and what is wrong ("not a cpio archive", "truncated
// gzip stream"...).
bool read_initramfs(const std::string& path, ImageContents& image, std::string& error);

}  // namespace hal::pack
