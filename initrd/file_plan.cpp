// File plan bookkeeping: conflicts, implicit parent directories, deterministic order.
#include "initrd/file_plan.hpp"

namespace hal::pack {
namespace {

bool same_entry(const PlanEntry& a, const PlanEntry& b) {
    return a.kind == b.kind && a.mode == b.mode && a.host_path == b.host_path &&
           a.content == b.content && a.major == b.major && a.minor == b.minor &&
           a.stored == b.stored;
}

PlanEntry generated(const std::string& image_path, std::string content, unsigned mode,
                    bool stored) {
    PlanEntry entry;
    entry.image_path = image_path;
    entry.content = std::move(content);
    entry.mode = mode;
    entry.stored = stored;
    return entry;
}

}  // namespace

CheckedStatus FilePlan::add(PlanEntry entry) {
    if (entry.image_path.empty() || entry.image_path[0] != '/' || entry.image_path.back() == '/' ||
        entry.image_path.find("//") != std::string::npos ||
        entry.image_path.find("/../") != std::string::npos)
        return problem("invalid image path '" + entry.image_path + "'");
    const auto [existing, inserted] = entries_.emplace(entry.image_path, entry);
    if (!inserted && !same_entry(existing->second, entry))
        return problem("two different files planned at " + entry.image_path +
                       (existing->second.host_path.empty()
                            ? ""
                            : " (from " + existing->second.host_path + ")"));
    return done();
}

CheckedStatus FilePlan::add_directory(const std::string& image_path, unsigned mode) {
    PlanEntry entry;
    entry.kind = PlanEntry::Kind::kDirectory;
    entry.image_path = image_path;
    entry.mode = mode;
    return add(std::move(entry));
}

CheckedStatus FilePlan::add_host_file(const std::string& image_path, const std::string& host_path,
                                      unsigned mode) {
    PlanEntry entry;
    entry.image_path = image_path;
    entry.host_path = host_path;
    entry.mode = mode;
    return add(std::move(entry));
}

CheckedStatus FilePlan::add_generated_file(const std::string& image_path, std::string content,
                                           unsigned mode) {
    return add(generated(image_path, std::move(content), mode, false));
}

CheckedStatus FilePlan::add_stored_file(const std::string& image_path, std::string content,
                                        unsigned mode) {
    return add(generated(image_path, std::move(content), mode, true));
}

CheckedStatus FilePlan::add_symlink(const std::string& image_path, const std::string& target) {
    PlanEntry entry;
    entry.kind = PlanEntry::Kind::kSymlink;
    entry.image_path = image_path;
    entry.content = target;
    entry.mode = 0777;
    return add(std::move(entry));
}

CheckedStatus FilePlan::add_char_device(const std::string& image_path, unsigned major,
                                        unsigned minor, unsigned mode) {
    PlanEntry entry;
    entry.kind = PlanEntry::Kind::kCharDevice;
    entry.image_path = image_path;
    entry.major = major;
    entry.minor = minor;
    entry.mode = mode;
    return add(std::move(entry));
}

std::vector<PlanEntry> FilePlan::entries() const {
    std::map<std::string, PlanEntry> all = entries_;
    for (const auto& [path, entry] : entries_) {
        for (size_t slash = path.find('/', 1); slash != std::string::npos;
             slash = path.find('/', slash + 1)) {
            PlanEntry parent;
            parent.kind = PlanEntry::Kind::kDirectory;
            parent.image_path = path.substr(0, slash);
            parent.mode = 0755;
            all.emplace(parent.image_path, parent);
        }
    }
    std::vector<PlanEntry> sorted;
    sorted.reserve(all.size());
    for (auto& [path, entry] : all) sorted.push_back(std::move(entry));
    return sorted;
}

}  // namespace hal::pack
