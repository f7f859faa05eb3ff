// Reading kernel module files: transparent decompression and the .modinfo section.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hal::pack {

// The module's ELF bytes, decompressed when the file ends in .gz, .xz or .zst.
bool read_module(const std::string& path, std::string& contents, std::string& error);

// Decompressors, each for one whole in-memory stream.
bool gunzip(const std::string& input, std::string& output, std::string& error);
bool unxz(const std::string& input, std::string& output, std::string& error);
bool unzstd(const std::string& input, std::string& output, std::string& error);

// The values of `key` in the module's .modinfo section ("firmware" -> file names).
bool modinfo_values(std::string_view elf, const std::string& key, std::vector<std::string>& values,
                    std::string& error);

// "kernel/x/y.ko.xz" -> "kernel/x/y.ko"; unchanged for plain modules.
std::string plain_module_path(const std::string& path);

}  // namespace hal::pack
