// Whole-file reads for the packer, with the error message naming the file.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

namespace hal::pack {

inline bool read_whole_file(const std::string& path, std::string& contents, std::string& error) {
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        error = "cannot read " + path;
        return false;
    }
    std::ostringstream buffer;
    buffer << stream.rdbuf();
    contents = buffer.str();
    return true;
}

}  // namespace hal::pack
