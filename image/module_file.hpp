// Reading kernel module files: transparent decompression and the .modinfo section.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/problem.hpp"

namespace hal::pack {

// The module's ELF bytes, decompressed when the file ends in .gz, .xz or .zst.
Checked<std::string> read_module(const std::string& path);
// The same for a module's bytes already read (`path` names its format and the problem).
Checked<std::string> module_elf(const std::string& path, std::string raw);
// A module file by its name: .ko, .ko.gz, .ko.xz or .ko.zst.
bool is_module_path(std::string_view path);

// The module ends in an appended signature (the kernel's "~Module signature appended~"
// trailer), which a kernel locked down by Secure Boot requires.
bool module_signed(std::string_view elf);
// The warning for modules without a signature in an image for a Secure Boot machine, or ""
// for none.
std::string unsigned_modules_warning(const std::vector<std::string>& names);

// Decompressors, each for one whole in-memory stream.
Checked<std::string> gunzip(const std::string& input);
Checked<std::string> unxz(const std::string& input);
Checked<std::string> unzstd(const std::string& input);

// The values of `key` in the module's .modinfo section ("firmware" -> file names).
Checked<std::vector<std::string>> modinfo_values(std::string_view elf, const std::string& key);

// "kernel/x/y-z.ko.xz" -> "y_z": the kernel's name of the module at `path`.
std::string module_name_of(std::string_view path);

// "kernel/x/y.ko.xz" -> "kernel/x/y.ko"; unchanged for plain modules.
std::string plain_module_path(const std::string& path);

}  // namespace hal::pack
