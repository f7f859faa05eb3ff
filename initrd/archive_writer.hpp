// Writes a file plan as a gzip-compressed newc cpio through libarchive, atomically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "initrd/file_plan.hpp"

namespace hal::pack {

struct ArchiveOptions {
    // SOURCE_DATE_EPOCH: no mtime is later than this, so builds are reproducible.
    std::optional<int64_t> source_date_epoch;
    int gzip_level = 6;  // 9 costs three times the time for about 1% of size here
};

// Writes to a temporary file beside `output` and renames it into place only when every
// entry was written and the file synced; on failure `output` is untouched.
bool write_image(const std::vector<PlanEntry>& entries, const std::string& output, const ArchiveOptions& options,
                 std::string& error);

}  // namespace hal::pack
