// The shared-library closure of a dynamic program, as the loader would find it (no ldd
// involved): what a dynamic QEMU brings into the image.
#pragma once

#include <string>
#include <vector>

#include "base/problem.hpp"
#include "image/elf.hpp"

namespace hal::pack {

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
// libraries, transitively. Roots themselves are not in the result. The problem names the
// missing library and the object that needs it.
Checked<std::vector<PackedObject>> library_closure(const std::vector<std::string>& roots,
                                                   const LibrarySearch& search);

}  // namespace hal::pack
