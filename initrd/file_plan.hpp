// The file plan: every entry of the image, decided before anything is written.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/problem.hpp"

namespace hal::pack {

struct PlanEntry {
    enum class Kind { kDirectory, kFile, kCharDevice, kSymlink };
    Kind kind = Kind::kFile;
    std::string image_path;  // absolute, no trailing slash
    unsigned mode = 0644;    // permission bits only
    std::string host_path;   // for files read from the host (symlinks followed)
    std::string content;  // for generated files (used when host_path is empty); a symlink's target
    unsigned major = 0, minor = 0;
    // Already compressed (a .ko.zst): written to the image's uncompressed leading archive, as
    // compressing it again would cost time at both ends for nothing.
    bool stored = false;
};

class FilePlan {
public:
    // Each add fails when the same path was planned differently before.
    CheckedStatus add_directory(const std::string& image_path, unsigned mode);
    CheckedStatus add_host_file(const std::string& image_path, const std::string& host_path,
                                unsigned mode);
    CheckedStatus add_generated_file(const std::string& image_path, std::string content,
                                     unsigned mode);
    // A generated file whose content is already compressed (PlanEntry::stored).
    CheckedStatus add_stored_file(const std::string& image_path, std::string content,
                                  unsigned mode);
    CheckedStatus add_symlink(const std::string& image_path, const std::string& target);
    CheckedStatus add_char_device(const std::string& image_path, unsigned major, unsigned minor,
                                  unsigned mode);

    // Entries sorted by path, with every parent directory present (the kernel's cpio
    // unpacker does not create missing parents).
    std::vector<PlanEntry> entries() const;

private:
    CheckedStatus add(PlanEntry entry);
    std::map<std::string, PlanEntry> entries_;
};

}  // namespace hal::pack
