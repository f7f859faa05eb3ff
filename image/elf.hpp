// Our own ELF reader: what a program needs at run time (its loader, the libraries it names and
// where it says to look for them), read with a bounds check on every access. Used by the
// packer (the library closure) and by --verify (static programs, libraries inside the image).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/problem.hpp"

namespace hal::pack {

struct ElfInfo {
    uint8_t elf_class = 0;    // ELFCLASS32 / ELFCLASS64
    uint16_t machine = 0;     // e_machine
    std::string interpreter;  // PT_INTERP, empty for static programs and libraries
    std::vector<std::string> needed;
    std::vector<std::string> rpath;    // DT_RPATH entries, unexpanded
    std::vector<std::string> runpath;  // DT_RUNPATH entries, unexpanded
    bool has_dynamic = false;

    // Static: needs no loader and no library (static-pie has PT_DYNAMIC but neither).
    bool is_static() const { return interpreter.empty() && needed.empty(); }
};

// The file at `path`; the problem names it.
Checked<ElfInfo> read_elf(const std::string& path);
// The same from bytes in memory (`name` for messages); never reads outside them.
Checked<ElfInfo> parse_elf(std::string_view bytes, const std::string& name);

}  // namespace hal::pack
