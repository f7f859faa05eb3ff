// ELF64 parsing with bounds checks on every read.
#include "image/elf.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

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

private:
    const unsigned char* data_;
    size_t size_;
};

// A read-only mapping of a whole file.
class MappedFile {
public:
    CheckedStatus open(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return problem(path + ": " + std::strerror(errno));
        struct stat info;
        if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
            ::close(fd);
            return problem(path + ": not a regular file");
        }
        size_ = static_cast<size_t>(info.st_size);
        void* mapped = size_ > 0 ? ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0) : nullptr;
        ::close(fd);
        if (mapped == MAP_FAILED) return problem(path + ": mmap: " + std::strerror(errno));
        data_ = static_cast<const unsigned char*>(mapped);
        return done();
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
bool read_string(const ElfBytes& file, uint64_t table, uint64_t table_size, uint64_t index,
                 std::string& out) {
    if (index >= table_size) return false;
    const unsigned char* start = file.at(table + index, table_size - index);
    if (!start) return false;
    const void* end = std::memchr(start, '\0', table_size - index);
    if (!end) return false;
    out.assign(reinterpret_cast<const char*>(start),
               static_cast<const unsigned char*>(end) - start);
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

// What the program headers say: the loadable segments (to map addresses back to file offsets),
// the dynamic segment and the interpreter.
struct Segments {
    std::vector<Elf64_Phdr> loads;
    Elf64_Phdr dynamic{};
};

Checked<Segments> read_segments(const ElfBytes& file, const Elf64_Ehdr& header,
                                const std::string& path, ElfInfo& info) {
    Segments segments;
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment;
        if (!read_struct(file, header.e_phoff + uint64_t{i} * sizeof(Elf64_Phdr), segment))
            return problem(path + ": program header " + std::to_string(i) +
                           " lies outside the file");
        if (segment.p_type == PT_LOAD) segments.loads.push_back(segment);
        if (segment.p_type == PT_DYNAMIC) {
            segments.dynamic = segment;
            info.has_dynamic = true;
        }
        if (segment.p_type == PT_INTERP &&
            !read_string(file, segment.p_offset, segment.p_filesz, 0, info.interpreter))
            return problem(path + ": PT_INTERP is malformed");
    }
    return segments;
}

bool names_strings(const Elf64_Dyn& entry) {
    return entry.d_tag == DT_NEEDED || entry.d_tag == DT_RPATH || entry.d_tag == DT_RUNPATH;
}

// The dynamic section: libraries needed and the search paths, from its string table.
CheckedStatus read_dynamic(const ElfBytes& file, const Segments& segments, const std::string& path,
                           ElfInfo& info) {
    std::vector<Elf64_Dyn> entries;
    uint64_t string_address = 0, string_size = 0;
    for (uint64_t at = 0; at + sizeof(Elf64_Dyn) <= segments.dynamic.p_filesz;
         at += sizeof(Elf64_Dyn)) {
        Elf64_Dyn entry;
        if (!read_struct(file, segments.dynamic.p_offset + at, entry))
            return problem(path + ": PT_DYNAMIC lies outside the file");
        if (entry.d_tag == DT_NULL) break;
        if (entry.d_tag == DT_STRTAB) string_address = entry.d_un.d_ptr;
        if (entry.d_tag == DT_STRSZ) string_size = entry.d_un.d_val;
        entries.push_back(entry);
    }
    if (std::none_of(entries.begin(), entries.end(), names_strings)) return done();
    // The dynamic section names the string table by address; map it back to a file offset.
    uint64_t strings = 0;
    const auto load =
        std::find_if(segments.loads.begin(), segments.loads.end(), [&](const Elf64_Phdr& segment) {
            return string_address >= segment.p_vaddr &&
                   string_address - segment.p_vaddr < segment.p_filesz;
        });
    if (load != segments.loads.end()) strings = load->p_offset + (string_address - load->p_vaddr);
    if (load == segments.loads.end() || !file.at(strings, string_size))
        return problem(path + ": DT_STRTAB lies outside the file");
    for (const auto& entry : entries) {
        std::string text;
        if (!names_strings(entry)) continue;
        if (!read_string(file, strings, string_size, entry.d_un.d_val, text))
            return problem(path + ": dynamic string index out of bounds");
        if (entry.d_tag == DT_NEEDED) info.needed.push_back(text);
        if (entry.d_tag == DT_RPATH) info.rpath = split_path_list(text);
        if (entry.d_tag == DT_RUNPATH) info.runpath = split_path_list(text);
    }
    return done();
}

Checked<ElfInfo> parse(const ElfBytes& file, const std::string& path) {
    ElfInfo info;
    const unsigned char* ident = file.at(0, EI_NIDENT);
    if (!ident || std::memcmp(ident, ELFMAG, SELFMAG) != 0)
        return problem(path + ": not an ELF file");
    info.elf_class = ident[EI_CLASS];
    if (info.elf_class != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB) {
        // Only the class is needed to skip a 32-bit library during the search.
        if (info.elf_class == ELFCLASS32) return info;
        return problem(path + ": unsupported ELF class or byte order");
    }
    Elf64_Ehdr header;
    if (!read_struct(file, 0, header) || header.e_phentsize != sizeof(Elf64_Phdr))
        return problem(path + ": truncated or malformed ELF header");
    info.machine = header.e_machine;
    const Segments segments = TRY(read_segments(file, header, path, info));
    if (info.has_dynamic) TRY(read_dynamic(file, segments, path, info));
    return info;
}

}  // namespace

Checked<ElfInfo> read_elf(const std::string& path) {
    MappedFile file;
    TRY(file.open(path));
    return parse(file.bytes(), path);
}

Checked<ElfInfo> parse_elf(std::string_view bytes, const std::string& name) {
    return parse(ElfBytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()),
                 name);
}

}  // namespace hal::pack
