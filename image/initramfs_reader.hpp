// Reads an initramfs image as the kernel does: uncompressed archives (early microcode) then
// one compressed stream (gzip, zstd, xz, lz4 legacy, bzip2, lzma...) holding more archives.
#pragma once

#include <string>
#include <vector>

#include "image/cpio_reader.hpp"

namespace hal::pack {

struct ImageSegment {
    std::string compression;         // "none" for an uncompressed archive
    size_t stored_bytes = 0;         // its bytes in the image file
    size_t archive_bytes = 0;        // its cpio bytes, uncompressed
    std::vector<CpioEntry> entries;  // views into ImageContents::data
};

struct ImageContents {
    std::string file;                  // the image's bytes
    std::vector<std::string> buffers;  // decompressed streams the entries point into
    std::vector<ImageSegment> segments;
};

// Fills `image` (an out parameter: its entries point into its own buffers, so it is never
// copied). The problem names the image and what is wrong ("not a cpio archive", "truncated
// gzip stream"...).
CheckedStatus read_initramfs(const std::string& path, ImageContents& image);

}  // namespace hal::pack
