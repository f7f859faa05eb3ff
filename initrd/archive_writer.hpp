// Writes a file plan as a newc cpio through libarchive, compresses it (initrd/compressor.hpp),
// puts an uncompressed early archive (microcode) in front, and replaces the output atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "initrd/compressor.hpp"
#include "initrd/file_plan.hpp"

namespace hal::pack {

struct ArchiveOptions {
    // SOURCE_DATE_EPOCH: no mtime is later than this, so builds are reproducible.
    std::optional<int64_t> source_date_epoch;
    // gzip level 6 by default: 9 costs three times the time for about 1% of size here.
    CompressOptions compression;
    std::string early;  // an uncompressed newc archive the kernel reads first (microcode), or empty
};

// The entries as an uncompressed newc archive; inode numbers count from `first_inode`.
Checked<std::string> build_cpio(const std::vector<PlanEntry>& entries,
                                const ArchiveOptions& options, int64_t first_inode = 1);

// The entries split for the image: the stored (already compressed) files with their parent
// directories, written uncompressed ahead of the rest, which is compressed. Without stored
// files, or when the image is not compressed, everything is in `compressed`.
struct ImageArchives {
    std::vector<PlanEntry> leading;
    std::vector<PlanEntry> compressed;
};
ImageArchives split_stored(const std::vector<PlanEntry>& entries, Compression compression);

// The early archive, the leading uncompressed archive of stored files, then the rest
// compressed: built, compressed and written to a temporary file beside `output`, renamed into place
// only when all was written and synced; on failure `output` is untouched.
CheckedStatus write_image(const std::vector<PlanEntry>& entries, const std::string& output,
                          const ArchiveOptions& options);

// Writes `bytes` to `output` the same careful way.
CheckedStatus write_file_atomically(const std::string& bytes, const std::string& output);

}  // namespace hal::pack
