// --list (sizes) and --verify (an unpacked tree checked as the kernel and the loader will use it).
#include "inspect/image_tools.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "base/image_layout.hpp"
#include "base/text.hpp"
#include "config/config.hpp"
#include "image/elf.hpp"
#include "image/file_io.hpp"
#include "image/initramfs_reader.hpp"
#include "image/module_file.hpp"

namespace hal::pack {
namespace {

std::string top_level(const std::string& path) {
    const size_t slash = path.find('/');
    return slash == std::string::npos ? path : path.substr(0, slash + 1);
}

// The unpacked tree, removed when done.
class TemporaryTree {
public:
    TemporaryTree() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern =
            std::string(base && *base ? base : "/tmp") + "/mkinitrd-hal-verify.XXXXXX";
        if (::mkdtemp(pattern.data())) root_ = pattern;
    }
    ~TemporaryTree() {
        if (!root_.empty()) remove_tree(root_);
    }
    const std::string& root() const { return root_; }

private:
    static void remove_tree(const std::string& path) {
        struct stat info;
        if (::lstat(path.c_str(), &info) != 0) return;
        if (S_ISDIR(info.st_mode)) {
            if (DIR* dir = ::opendir(path.c_str())) {
                std::vector<std::string> names;
                while (const dirent* entry = ::readdir(dir))
                    if (std::strcmp(entry->d_name, ".") && std::strcmp(entry->d_name, ".."))
                        names.emplace_back(entry->d_name);
                ::closedir(dir);
                for (const auto& name : names) remove_tree(path + "/" + name);
            }
            ::rmdir(path.c_str());
        } else {
            ::unlink(path.c_str());
        }
    }
    std::string root_;
};

// Directories and files first, symlinks last: no write ever goes through a link the image
// holds, so a hostile image cannot reach outside the temporary tree.
// One entry below `root`: a directory, a symlink or a regular file.
CheckedStatus unpack_entry(const CpioEntry& entry, const std::string& root) {
    const std::string target = root + "/" + entry.path;
    if (is_directory(entry.mode)) {
        ::mkdir(target.c_str(), 0755);
    } else if (is_symlink(entry.mode)) {
        ::unlink(target.c_str());
        if (::symlink(std::string(entry.data).c_str(), target.c_str()) != 0)
            return problem(target + ": symlink: " + std::strerror(errno));
    } else if (is_regular(entry.mode)) {
        const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                              entry.mode & 0777);
        if (fd < 0 || !write_all(fd, entry.data)) {
            const std::string message = target + ": cannot write: " + std::strerror(errno);
            if (fd >= 0) ::close(fd);
            return problem(message);
        }
        ::fchmod(fd, entry.mode & 07777);
        ::close(fd);
    }
    return done();
}

CheckedStatus unpack(const ImageContents& image, const std::string& root) {
    for (const bool links : {false, true})
        for (const auto& segment : image.segments)
            for (const auto& entry : segment.entries) {
                if (entry.path == ".") continue;
                if (entry.path.empty() || entry.path.find("..") != std::string::npos)
                    return problem("entry '" + entry.path + "' leaves the tree");
                if (is_symlink(entry.mode) == links) TRY(unpack_entry(entry, root));
            }
    return done();
}

// `path` (absolute, in the image) resolved as the kernel would inside a chroot of `root`:
// symlinks followed, absolute targets anchored at `root`, ".." never above it.
std::optional<std::string> resolve_inside(const std::string& root, const std::string& path) {
    std::vector<std::string> pending;  // components still to walk, last first
    auto push_components = [&](std::string_view text) {
        std::vector<std::string> parts;
        for (size_t start = 0; start <= text.size();) {
            size_t slash = text.find('/', start);
            if (slash == std::string_view::npos) slash = text.size();
            if (slash > start) parts.emplace_back(text.substr(start, slash - start));
            start = slash + 1;
        }
        pending.insert(pending.end(), parts.rbegin(), parts.rend());
    };
    std::vector<std::string> resolved;
    push_components(path);
    int links = 0;
    while (!pending.empty()) {
        const std::string part = pending.back();
        pending.pop_back();
        if (part == ".") continue;
        if (part == "..") {
            if (!resolved.empty()) resolved.pop_back();
            continue;
        }
        std::string here = root;
        for (const auto& component : resolved) here += "/" + component;
        here += "/" + part;
        struct stat info;
        if (::lstat(here.c_str(), &info) != 0) return std::nullopt;
        if (!S_ISLNK(info.st_mode)) {
            resolved.push_back(part);
            continue;
        }
        if (++links > 40) return std::nullopt;
        char target[4096];
        const ssize_t size = ::readlink(here.c_str(), target, sizeof target - 1);
        if (size < 0) return std::nullopt;
        const std::string_view link(target, static_cast<size_t>(size));
        if (!link.empty() && link[0] == '/') resolved.clear();
        push_components(link);
    }
    std::string result = root;
    for (const auto& component : resolved) result += "/" + component;
    return result;
}

struct Checker {
    std::FILE* out;
    std::string image;
    std::string root;
    bool secure_boot = false;  // the image is for a machine with Secure Boot on
    int errors = 0;
    int warnings = 0;

    void problem(const std::string& text) {
        std::fprintf(out, "%s: %s\n", image.c_str(), text.c_str());
        ++errors;
    }
    void warning(const std::string& text) {
        std::fprintf(out, "%s: warning: %s\n", image.c_str(), text.c_str());
        ++warnings;
    }
    bool exists(const std::string& image_path) const {
        return resolve_inside(root, image_path).has_value();
    }
};

// A library as the loader would find it inside the image: RPATH/RUNPATH ($ORIGIN is the
// object's own directory in the image), then the system directories.
bool library_inside(const Checker& checker, const std::string& object, const ElfInfo& info,
                    const std::string& name) {
    std::vector<std::string> dirs;
    const std::string origin = object.substr(0, object.rfind('/'));
    for (const auto* list : {&info.rpath, &info.runpath})
        for (std::string dir : *list) {
            const size_t token = dir.find("$ORIGIN");
            if (token != std::string::npos) dir.replace(token, 7, origin);
            dirs.push_back(dir);
        }
    for (const char* system : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
                               "/usr/lib64", "/lib", "/usr/lib"})
        dirs.emplace_back(system);
    return std::any_of(dirs.begin(), dirs.end(),
                       [&](const std::string& dir) { return checker.exists(dir + "/" + name); });
}

void check_elves(Checker& checker, const ImageContents& image) {
    for (const auto& segment : image.segments)
        for (const auto& entry : segment.entries) {
            if (!is_regular(entry.mode) || entry.data.substr(0, 4) !=
                                               "\x7f"
                                               "ELF")
                continue;
            const std::string path = "/" + entry.path;
            if (ends_with(path, ".ko")) continue;  // modules are the kernel's to resolve
            const auto parsed = parse_elf(entry.data, path);
            if (!parsed.ok()) {
                checker.problem(path + ": " + parsed.error().message);
                continue;
            }
            const ElfInfo& info = parsed.value();
            if ((path == layout::kInit || path == layout::kDisplay) && !info.is_static())
                checker.problem(path + " is dynamically linked; it must be static");
            if (!info.interpreter.empty() && !checker.exists(info.interpreter))
                checker.problem(path + " needs the loader " + info.interpreter +
                                ", which is not in the image");
            for (const auto& name : info.needed)
                if (!library_inside(checker, path, info, name))
                    checker.problem(path + " needs " + name + ", which is not in the image");
        }
}

// "firmware MODULE FILE" lines of the packer's manifest: the firmware it packed.
std::set<std::string> packed_firmware(const Checker& checker) {
    std::set<std::string> packed;
    const auto read = read_whole_file(checker.root + layout::kManifest);
    if (!read.ok()) return packed;
    const std::string& manifest = read.value();
    LineReader lines(manifest);
    std::string_view line;
    while (lines.next(line)) {
        std::string_view kind, module, file;
        if (next_word(line, kind) && kind == "firmware" && next_word(line, module) &&
            next_word(line, file))
            packed.insert(std::string(file));
    }
    return packed;
}

void check_modules(Checker& checker, const ImageContents& image) {
    std::map<std::string, std::string_view> files;  // "/path" -> contents, every regular file
    for (const auto& segment : image.segments)
        for (const auto& entry : segment.entries)
            if (is_regular(entry.mode)) files["/" + entry.path] = entry.data;
    const std::set<std::string> packed = packed_firmware(checker);
    std::vector<std::string> unsigned_modules;
    for (const auto& [index_path, index] : files) {
        if (!ends_with(index_path, "/modules.dep")) continue;
        const std::string directory = index_path.substr(0, index_path.rfind('/'));
        std::set<std::string> listed;
        LineReader reader(index);
        std::string_view line;
        while (reader.next(line)) {
            const size_t colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            const std::string module(trim(line.substr(0, colon)));
            listed.insert(module);
            if (!files.count(directory + "/" + module))
                checker.problem("modules.dep lists " + module + ", which is not in the image");
            std::string_view rest = line.substr(colon + 1);
            std::string_view dependency;
            while (next_word(rest, dependency))
                if (!files.count(directory + "/" + std::string(dependency)))
                    checker.problem(module + " needs " + std::string(dependency) +
                                    ", which is not in the image");
        }
        for (const auto& [file, contents] : files) {
            if (file.rfind(directory + "/", 0) != 0 || !is_module_path(file)) continue;
            if (!listed.count(file.substr(directory.size() + 1)))
                checker.problem(file + " is not in modules.dep");
            const auto elf = module_elf(file, std::string(contents));
            if (!elf.ok()) {
                checker.problem(elf.error().message);
                continue;
            }
            if (!module_signed(elf.value())) unsigned_modules.push_back(module_name_of(file));
            // Firmware the module names: missing after it was packed is a problem; never found
            // at pack time (the manifest says so, or there is no manifest) a warning.
            const auto firmware = modinfo_values(elf.value(), "firmware");
            if (!firmware.ok()) continue;
            const std::vector<std::string>& names = firmware.value();
            std::vector<std::string> absent;
            for (const auto& name : names) {
                bool present = false, was_packed = false;
                for (const char* suffix : {"", ".xz", ".zst"}) {
                    present = present || checker.exists("/lib/firmware/" + name + suffix);
                    was_packed = was_packed || packed.count(name + suffix);
                }
                if (present) continue;
                if (was_packed)
                    checker.problem("module " + module_name_of(file) + " needs firmware " + name +
                                    ", which was packed but is not in the image");
                else
                    absent.push_back(name);
            }
            // One line per module: amdgpu alone names hundreds.
            if (absent.size() == 1)
                checker.warning("module " + module_name_of(file) + " names firmware " + absent[0] +
                                ", which was not found when packing");
            else if (!absent.empty())
                checker.warning(
                    "module " + module_name_of(file) + " names " + std::to_string(absent.size()) +
                    " firmware files that were not found when packing (" + absent[0] + ", ...)");
        }
    }
    if (checker.secure_boot && !unsigned_modules.empty())
        checker.warning(unsigned_modules_warning(unsigned_modules));
}

void check_config(Checker& checker) {
    const auto read = read_whole_file(checker.root + layout::kConfig);
    if (!read.ok()) {
        checker.problem(std::string(layout::kConfig) + " is missing");
        return;
    }
    const std::string& text = read.value();
    const auto parsed = parse_config(text);
    const ConfigError& problem = parsed.error();
    if (!parsed.ok())
        checker.problem(std::string(layout::kConfig) + " line " + std::to_string(problem.line) +
                        ": key '" + std::string(problem.key.view()) + "': " + problem.message);
}

// QEMU run as hal-init will run it: inside the tree, with only what the image holds.
void check_qemu(Checker& checker) {
    if (!checker.exists(layout::kQemu)) {
        checker.problem(std::string(layout::kQemu) + " is missing");
        return;
    }
    if (::geteuid() != 0) {
        std::fprintf(checker.out, "%s: note: QEMU not run (a chroot needs root)\n",
                     checker.image.c_str());
        return;
    }
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return;
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipe_fds[1], 1);
        ::dup2(pipe_fds[1], 2);
        if (::chroot(checker.root.c_str()) != 0 || ::chdir("/") != 0) ::_exit(126);
        char* argv[] = {const_cast<char*>(layout::kQemu), const_cast<char*>("--version"), nullptr};
        char* envp[] = {nullptr};
        ::execve(argv[0], argv, envp);
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    std::string output;
    char buffer[512];
    for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
        output.append(buffer, static_cast<size_t>(got));
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        output.find("QEMU emulator version") == std::string::npos)
        checker.problem(std::string(layout::kQemu) + " --version failed inside the image: " +
                        std::string(trim(output.substr(0, 200))));
}

// "early": the microcode archive the kernel reads before anything else; "stored": files
// compressed already (modules), uncompressed ahead of the rest; "main": the last archive.
const char* segment_label(const ImageContents& image, size_t index) {
    if (index + 1 == image.segments.size()) return "main";
    for (const auto& entry : image.segments[index].entries)
        if (entry.path.rfind("kernel/x86/microcode/", 0) == 0) return "early";
    return "stored";
}

}  // namespace

CheckedStatus list_image(const std::string& path, std::FILE* out) {
    ImageContents image;
    TRY(read_initramfs(path, image));
    std::map<std::string, uint64_t> by_top;
    uint64_t total = 0, cpio_total = 0;
    size_t count = 0;
    for (size_t s = 0; s < image.segments.size(); ++s) {
        const ImageSegment& segment = image.segments[s];
        std::fprintf(out, "%s archive (%s, %zu bytes in the image, %zu bytes of cpio):\n",
                     segment_label(image, s), segment.compression.c_str(), segment.stored_bytes,
                     segment.archive_bytes);
        std::vector<const CpioEntry*> files;
        for (const auto& entry : segment.entries)
            if (is_regular(entry.mode)) files.push_back(&entry);
        std::stable_sort(files.begin(), files.end(), [](const CpioEntry* a, const CpioEntry* b) {
            return a->data.size() > b->data.size();
        });
        size_t file_bytes = 0;
        for (const CpioEntry* entry : files) {
            std::fprintf(out, "%12zu  %s\n", entry->data.size(), entry->path.c_str());
            by_top[top_level(entry->path)] += entry->data.size();
            file_bytes += entry->data.size();
        }
        // What the lines above do not cover, so that the archive's lines add up to its cpio bytes.
        std::fprintf(out, "%12zu  (headers, names, directories, symlinks, padding)\n",
                     segment.archive_bytes - file_bytes);
        total += file_bytes;
        cpio_total += segment.archive_bytes;
        count += segment.entries.size();
    }
    std::fprintf(out, "by top-level directory:\n");
    std::vector<std::pair<std::string, uint64_t>> tops(by_top.begin(), by_top.end());
    std::stable_sort(tops.begin(), tops.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [top, bytes] : tops)
        std::fprintf(out, "%12llu  %s\n", static_cast<unsigned long long>(bytes), top.c_str());
    std::fprintf(
        out,
        "total: %zu entries, %llu bytes of file data, %llu bytes of cpio, %zu bytes of image\n",
        count, static_cast<unsigned long long>(total), static_cast<unsigned long long>(cpio_total),
        image.file.size());
    return done();
}

Checked<int> verify_image(const std::string& path, std::FILE* out, bool secure_boot) {
    ImageContents image;
    TRY(read_initramfs(path, image));
    TemporaryTree tree;
    if (tree.root().empty())
        return problem(std::string("cannot make a temporary directory: ") + std::strerror(errno));
    if (const auto unpacked = unpack(image, tree.root()); !unpacked.ok())
        return problem(path + ": " + unpacked.error().message);
    Checker checker{out, path, tree.root(), secure_boot};
    if (!checker.exists(layout::kInit)) checker.problem(std::string(layout::kInit) + " is missing");
    check_elves(checker, image);
    check_modules(checker, image);
    check_config(checker);
    check_qemu(checker);
    std::fprintf(out, "%s: %d problem%s, %d warning%s\n", path.c_str(), checker.errors,
                 checker.errors == 1 ? "" : "s", checker.warnings,
                 checker.warnings == 1 ? "" : "s");
    return checker.errors;
}

}  // namespace hal::pack
