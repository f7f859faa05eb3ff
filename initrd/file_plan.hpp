// The file plan: every entry of the image, decided before anything is written.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hal::pack {

struct PlanEntry {
    enum class Kind { kDirectory, kFile, kCharDevice, kSymlink };
    Kind kind = Kind::kFile;
    std::string image_path;  // absolute, no trailing slash
    unsigned mode = 0644;    // permission bits only
    std::string host_path;   // for files read from the host (symlinks followed)
    std::string content;     // for generated files (used when host_path is empty); a symlink's target
    unsigned major = 0, minor = 0;
};

class FilePlan {
public:
    // Each add fails (with `error` set) when the same path was planned differently before.
    bool add_directory(const std::string& image_path, unsigned mode, std::string& error);
    bool add_host_file(const std::string& image_path, const std::string& host_path, unsigned mode, std::string& error);
    bool add_generated_file(const std::string& image_path, std::string content, unsigned mode, std::string& error);
    bool add_symlink(const std::string& image_path, const std::string& target, std::string& error);
    bool add_char_device(const std::string& image_path, unsigned major, unsigned minor, unsigned mode,
                         std::string& error);

    // Entries sorted by path, with every parent directory present (the kernel's cpio
    // unpacker does not create missing parents).
    std::vector<PlanEntry> entries() const;

private:
    bool add(PlanEntry entry, std::string& error);
    std::map<std::string, PlanEntry> entries_;
};

}  // namespace hal::pack
