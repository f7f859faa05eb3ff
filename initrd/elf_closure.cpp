// The loader's library search order over our own ELF reader.
#include "initrd/elf_closure.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <set>

#include "base/text.hpp"

namespace hal::pack {
namespace {

std::string directory_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// $ORIGIN (and ${ORIGIN}) is the directory of the object that carries the path.
std::string expand_origin(std::string entry, const std::string& object_path) {
    const std::string origin = directory_of(object_path);
    for (const char* token : {"${ORIGIN}", "$ORIGIN"}) {
        size_t at;
        while ((at = entry.find(token)) != std::string::npos)
            entry.replace(at, std::strlen(token), origin);
    }
    return entry;
}

bool is_regular_file(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

void read_ld_so_conf(const std::string& file, std::vector<std::string>& dirs, int depth) {
    if (depth > 8) return;  // include loops
    std::ifstream stream(file);
    std::string line;
    while (std::getline(stream, line)) {
        std::string_view view = trim(strip_comment(line));
        if (view.empty()) continue;
        std::string_view word;
        std::string_view rest = view;
        next_word(rest, word);
        if (word == "include") {
            std::string pattern(trim(rest));
            if (!pattern.empty() && pattern[0] != '/') pattern = directory_of(file) + "/" + pattern;
            glob_t matches;
            if (::glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
                for (size_t i = 0; i < matches.gl_pathc; ++i)
                    read_ld_so_conf(matches.gl_pathv[i], dirs, depth + 1);
            }
            ::globfree(&matches);
        } else if (view[0] == '/') {
            dirs.emplace_back(view);
        }
    }
}

struct Pending {
    std::string path;
    ElfInfo info;
};

// The walk over the objects, each read once, with what the loader would find next.
class Closure {
public:
    explicit Closure(const LibrarySearch& search) : search_(search) {}

    CheckedStatus add_roots(const std::vector<std::string>& roots);
    CheckedStatus run();
    std::vector<PackedObject> take() { return std::move(objects_); }

private:
    CheckedStatus add_object(const std::string& host_path, const std::string& image_path);
    CheckedStatus add_library(const Pending& current, const std::string& needed);
    bool compatible(const std::string& candidate) const;

    const LibrarySearch& search_;
    std::deque<Pending> queue_;
    std::set<std::string> seen_names_, seen_paths_;
    ElfInfo root_info_;
    std::vector<PackedObject> objects_;
};

CheckedStatus Closure::add_roots(const std::vector<std::string>& roots) {
    for (const auto& root : roots) {
        Pending pending{root, TRY(read_elf(root))};
        if (root_info_.machine == 0) root_info_ = pending.info;
        seen_paths_.insert(root);
        queue_.push_back(std::move(pending));
    }
    return done();
}

bool Closure::compatible(const std::string& candidate) const {
    if (!is_regular_file(candidate)) return false;
    const auto info = read_elf(candidate);
    return info.ok() && info.value().elf_class == root_info_.elf_class &&
           info.value().machine == root_info_.machine;
}

CheckedStatus Closure::add_object(const std::string& host_path, const std::string& image_path) {
    if (!seen_paths_.insert(host_path).second) return done();
    Pending pending{host_path, TRY(read_elf(host_path))};
    objects_.push_back({host_path, image_path});
    queue_.push_back(std::move(pending));
    return done();
}

CheckedStatus Closure::add_library(const Pending& current, const std::string& needed) {
    if (needed.find('/') != std::string::npos) return add_object(needed, needed);
    if (!seen_names_.insert(needed).second) return done();
    // The loader's order: RPATH (only without RUNPATH), RUNPATH, then the cache (whose
    // directories ld.so.conf names), then the system directories.
    std::vector<std::pair<std::string, bool>> candidates;
    if (current.info.runpath.empty())
        for (const auto& entry : current.info.rpath)
            candidates.push_back({expand_origin(entry, current.path), false});
    for (const auto& entry : current.info.runpath)
        candidates.push_back({expand_origin(entry, current.path), false});
    for (const auto& dir : search_.configured_dirs) candidates.push_back({dir, true});
    for (const auto& dir : search_.system_dirs) candidates.push_back({dir, false});
    const auto found = std::find_if(
        candidates.begin(), candidates.end(),
        [&](const auto& candidate) { return compatible(candidate.first + "/" + needed); });
    if (found == candidates.end())
        return problem("library " + needed + " needed by " + current.path +
                       " not found (searched RPATH/RUNPATH, ld.so.conf directories and the system "
                       "directories)");
    const std::string host_path = found->first + "/" + needed;
    // The image has no ld.so.cache, so a library found only through ld.so.conf goes where the
    // loader looks by default.
    const bool in_system_dir = std::find(search_.system_dirs.begin(), search_.system_dirs.end(),
                                         directory_of(host_path)) != search_.system_dirs.end();
    return add_object(
        host_path, found->second && !in_system_dir ? "/usr/lib/" + base_name(needed) : host_path);
}

CheckedStatus Closure::run() {
    while (!queue_.empty()) {
        const Pending current = std::move(queue_.front());
        queue_.pop_front();
        if (!current.info.interpreter.empty())
            TRY(add_object(current.info.interpreter, current.info.interpreter));
        for (const auto& needed : current.info.needed) TRY(add_library(current, needed));
    }
    return done();
}

}  // namespace

LibrarySearch host_library_search(const std::string& ld_so_conf) {
    LibrarySearch search;
    read_ld_so_conf(ld_so_conf, search.configured_dirs, 0);
    search.system_dirs = {"/lib/x86_64-linux-gnu",
                          "/usr/lib/x86_64-linux-gnu",
                          "/lib64",
                          "/usr/lib64",
                          "/lib",
                          "/usr/lib"};
    return search;
}

Checked<std::vector<PackedObject>> library_closure(const std::vector<std::string>& roots,
                                                   const LibrarySearch& search) {
    Closure closure(search);
    TRY(closure.add_roots(roots));
    TRY(closure.run());
    return closure.take();
}

}  // namespace hal::pack
