// Our own ELF reader and the shared-library closure of a dynamic program (no ldd involved).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hal::pack {

struct ElfInfo {
    uint8_t elf_class = 0;      // ELFCLASS32 / ELFCLASS64
    uint16_t machine = 0;       // e_machine
    std::string interpreter;    // PT_INTERP, empty for static programs and libraries
    std::vector<std::string> needed;
    std::vector<std::string> rpath;    // DT_RPATH entries, unexpanded
    std::vector<std::string> runpath;  // DT_RUNPATH entries, unexpanded
    bool has_dynamic = false;

    // Static: needs no loader and no library (static-pie has PT_DYNAMIC but neither).
    bool is_static() const { return interpreter.empty() && needed.empty(); }
};

bool read_elf_info(const std::string& path, ElfInfo& info, std::string& error);
// The same from bytes in memory (`name` for messages); never reads outside them.
bool parse_elf_info(std::string_view bytes, const std::string& name, ElfInfo& info, std::string& error);

struct LibrarySearch {
    std::vector<std::string> configured_dirs;  // from /etc/ld.so.conf and its includes
    std::vector<std::string> system_dirs;      // the loader's built-in list
};

// Debian's loader defaults plus the directories /etc/ld.so.conf (and includes) names.
LibrarySearch host_library_search(const std::string& ld_so_conf = "/etc/ld.so.conf");

struct PackedObject {
    std::string host_path;   // where the file is read from
    std::string image_path;  // where the loader in the image will look for it
};

// Every object `roots` need at run time, each once: the interpreter and all DT_NEEDED
// libraries, transitively. Roots themselves are not in the result. Errors name the missing
// library and the object that needs it.
bool library_closure(const std::vector<std::string>& roots, const LibrarySearch& search,
                     std::vector<PackedObject>& objects, std::string& error);

}  // namespace hal::pack
