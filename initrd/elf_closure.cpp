// ELF64 parsing with bounds checks on every read, and the loader's library search order.
#include "initrd/elf_closure.hpp"

#include <elf.h>
#include <fcntl.h>
#include <glob.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "base/text.hpp"

namespace hal::pack {
namespace {

// Bytes of an ELF file, with bounds-checked access.
class ElfBytes {
public:
    ElfBytes(const unsigned char* data, size_t size) : data_(data), size_(size) {}
    // A pointer to `length` bytes at `offset`, or nullptr when they are not all in the file.
    const unsigned char* at(uint64_t offset, uint64_t length) const {
        if (offset > size_ || length > size_ - offset) return nullptr;
        return data_ + offset;
    }
    size_t size() const { return size_; }

private:
    const unsigned char* data_;
    size_t size_;
};

// A read-only mapping of a whole file.
class MappedFile {
public:
    bool open(const std::string& path, std::string& error) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            error = path + ": " + std::strerror(errno);
            return false;
        }
        struct stat info;
        if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
            error = path + ": not a regular file";
            ::close(fd);
            return false;
        }
        size_ = static_cast<size_t>(info.st_size);
        if (size_ > 0) {
            void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
            if (mapped == MAP_FAILED) {
                error = path + ": mmap: " + std::strerror(errno);
                ::close(fd);
                return false;
            }
            data_ = static_cast<const unsigned char*>(mapped);
        }
        ::close(fd);
        return true;
    }
    ~MappedFile() {
        if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
    }
    ElfBytes bytes() const { return ElfBytes(data_, size_); }

private:
    const unsigned char* data_ = nullptr;
    size_t size_ = 0;
};

template <class T>
bool read_struct(const ElfBytes& file, uint64_t offset, T& out) {
    const unsigned char* bytes = file.at(offset, sizeof(T));
    if (!bytes) return false;
    std::memcpy(&out, bytes, sizeof(T));
    return true;
}

// A NUL-terminated string inside [table, table + table_size).
bool read_string(const ElfBytes& file, uint64_t table, uint64_t table_size, uint64_t index, std::string& out) {
    if (index >= table_size) return false;
    const unsigned char* start = file.at(table + index, table_size - index);
    if (!start) return false;
    const void* end = std::memchr(start, '\0', table_size - index);
    if (!end) return false;
    out.assign(reinterpret_cast<const char*>(start), static_cast<const unsigned char*>(end) - start);
    return true;
}

std::vector<std::string> split_path_list(const std::string& list) {
    std::vector<std::string> parts;
    std::stringstream stream(list);
    std::string part;
    while (std::getline(stream, part, ':'))
        if (!part.empty()) parts.push_back(part);
    return parts;
}

bool parse_elf(const ElfBytes& file, const std::string& path, ElfInfo& info, std::string& error) {
    Elf64_Ehdr header;
    const unsigned char* ident = file.at(0, EI_NIDENT);
    if (!ident || std::memcmp(ident, ELFMAG, SELFMAG) != 0) {
        error = path + ": not an ELF file";
        return false;
    }
    info.elf_class = ident[EI_CLASS];
    if (info.elf_class != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB) {
        // Only the class is needed to skip a 32-bit library during the search.
        if (info.elf_class == ELFCLASS32) return true;
        error = path + ": unsupported ELF class or byte order";
        return false;
    }
    if (!read_struct(file, 0, header) || header.e_phentsize != sizeof(Elf64_Phdr)) {
        error = path + ": truncated or malformed ELF header";
        return false;
    }
    info.machine = header.e_machine;
    std::vector<Elf64_Phdr> loads;
    Elf64_Phdr dynamic{};
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment;
        if (!read_struct(file, header.e_phoff + uint64_t{i} * sizeof(Elf64_Phdr), segment)) {
            error = path + ": program header " + std::to_string(i) + " lies outside the file";
            return false;
        }
        if (segment.p_type == PT_LOAD) loads.push_back(segment);
        if (segment.p_type == PT_DYNAMIC) {
            dynamic = segment;
            info.has_dynamic = true;
        }
        if (segment.p_type == PT_INTERP &&
            !read_string(file, segment.p_offset, segment.p_filesz, 0, info.interpreter)) {
            error = path + ": PT_INTERP is malformed";
            return false;
        }
    }
    if (!info.has_dynamic) return true;
    // The dynamic section names the string table by address; map it back to a file offset.
    auto offset_of = [&loads](uint64_t address, uint64_t& offset) {
        for (const auto& load : loads) {
            if (address >= load.p_vaddr && address - load.p_vaddr < load.p_filesz) {
                offset = load.p_offset + (address - load.p_vaddr);
                return true;
            }
        }
        return false;
    };
    std::vector<Elf64_Dyn> entries;
    uint64_t string_address = 0, string_size = 0;
    for (uint64_t at = 0; at + sizeof(Elf64_Dyn) <= dynamic.p_filesz; at += sizeof(Elf64_Dyn)) {
        Elf64_Dyn entry;
        if (!read_struct(file, dynamic.p_offset + at, entry)) {
            error = path + ": PT_DYNAMIC lies outside the file";
            return false;
        }
        if (entry.d_tag == DT_NULL) break;
        if (entry.d_tag == DT_STRTAB) string_address = entry.d_un.d_ptr;
        if (entry.d_tag == DT_STRSZ) string_size = entry.d_un.d_val;
        entries.push_back(entry);
    }
    uint64_t string_offset = 0;
    const bool needs_strings = std::any_of(entries.begin(), entries.end(), [](const Elf64_Dyn& entry) {
        return entry.d_tag == DT_NEEDED || entry.d_tag == DT_RPATH || entry.d_tag == DT_RUNPATH;
    });
    if (!needs_strings) return true;
    if (!offset_of(string_address, string_offset) || !file.at(string_offset, string_size)) {
        error = path + ": DT_STRTAB lies outside the file";
        return false;
    }
    for (const auto& entry : entries) {
        if (entry.d_tag != DT_NEEDED && entry.d_tag != DT_RPATH && entry.d_tag != DT_RUNPATH) continue;
        std::string text;
        if (!read_string(file, string_offset, string_size, entry.d_un.d_val, text)) {
            error = path + ": dynamic string index out of bounds";
            return false;
        }
        if (entry.d_tag == DT_NEEDED) info.needed.push_back(text);
        if (entry.d_tag == DT_RPATH) info.rpath = split_path_list(text);
        if (entry.d_tag == DT_RUNPATH) info.runpath = split_path_list(text);
    }
    return true;
}

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
        while ((at = entry.find(token)) != std::string::npos) entry.replace(at, std::strlen(token), origin);
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
                for (size_t i = 0; i < matches.gl_pathc; ++i) read_ld_so_conf(matches.gl_pathv[i], dirs, depth + 1);
            }
            ::globfree(&matches);
        } else if (view[0] == '/') {
            dirs.emplace_back(view);
        }
    }
}

struct Found {
    std::string host_path;
    bool through_configured_dir = false;
};

}  // namespace

bool read_elf_info(const std::string& path, ElfInfo& info, std::string& error) {
    MappedFile file;
    if (!file.open(path, error)) return false;
    return parse_elf(file.bytes(), path, info, error);
}

bool parse_elf_info(std::string_view bytes, const std::string& name, ElfInfo& info, std::string& error) {
    return parse_elf(ElfBytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()), name, info, error);
}

LibrarySearch host_library_search(const std::string& ld_so_conf) {
    LibrarySearch search;
    read_ld_so_conf(ld_so_conf, search.configured_dirs, 0);
    search.system_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib",
                          "/usr/lib"};
    return search;
}

bool library_closure(const std::vector<std::string>& roots, const LibrarySearch& search,
                     std::vector<PackedObject>& objects, std::string& error) {
    struct Pending {
        std::string path;
        ElfInfo info;
    };
    std::deque<Pending> queue;
    std::set<std::string> seen_names, seen_paths;
    ElfInfo root_info;
    for (const auto& root : roots) {
        Pending pending{root, {}};
        if (!read_elf_info(root, pending.info, error)) return false;
        if (root_info.machine == 0) root_info = pending.info;
        seen_paths.insert(root);
        queue.push_back(std::move(pending));
    }
    auto compatible = [&root_info](const std::string& candidate) {
        ElfInfo info;
        std::string ignored;
        return is_regular_file(candidate) && read_elf_info(candidate, info, ignored) &&
               info.elf_class == root_info.elf_class && info.machine == root_info.machine;
    };
    auto add_object = [&](const std::string& host_path, const std::string& image_path) -> bool {
        if (!seen_paths.insert(host_path).second) return true;
        Pending pending{host_path, {}};
        if (!read_elf_info(host_path, pending.info, error)) return false;
        objects.push_back({host_path, image_path});
        queue.push_back(std::move(pending));
        return true;
    };
    while (!queue.empty()) {
        const Pending current = std::move(queue.front());
        queue.pop_front();
        if (!current.info.interpreter.empty() &&
            !add_object(current.info.interpreter, current.info.interpreter))
            return false;
        for (const auto& needed : current.info.needed) {
            if (needed.find('/') != std::string::npos) {
                if (!add_object(needed, needed)) return false;
                continue;
            }
            if (!seen_names.insert(needed).second) continue;
            // The loader's order: RPATH (only without RUNPATH), RUNPATH, then the cache (whose
            // directories ld.so.conf names), then the system directories.
            std::vector<std::pair<std::string, bool>> candidates;
            if (current.info.runpath.empty())
                for (const auto& entry : current.info.rpath) candidates.push_back({expand_origin(entry, current.path), false});
            for (const auto& entry : current.info.runpath) candidates.push_back({expand_origin(entry, current.path), false});
            for (const auto& dir : search.configured_dirs) candidates.push_back({dir, true});
            for (const auto& dir : search.system_dirs) candidates.push_back({dir, false});
            std::optional<Found> found;
            for (const auto& [dir, configured] : candidates) {
                const std::string candidate = dir + "/" + needed;
                if (compatible(candidate)) {
                    found = Found{candidate, configured};
                    break;
                }
            }
            if (!found) {
                error = "library " + needed + " needed by " + current.path + " not found (searched RPATH/RUNPATH, " +
                        "ld.so.conf directories and the system directories)";
                return false;
            }
            // The image has no ld.so.cache, so a library found only through ld.so.conf goes
            // where the loader looks by default.
            const bool in_system_dir = std::find(search.system_dirs.begin(), search.system_dirs.end(),
                                                 directory_of(found->host_path)) != search.system_dirs.end();
            const std::string image_path =
                found->through_configured_dir && !in_system_dir ? "/usr/lib/" + base_name(needed) : found->host_path;
            if (!add_object(found->host_path, image_path)) return false;
        }
    }
    return true;
}

}  // namespace hal::pack
