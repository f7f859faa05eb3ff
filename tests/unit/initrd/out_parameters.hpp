// The packer's Checked<T> functions in the out-parameter form the table-driven tests read
// best: each returns whether the call succeeded, the value in an out parameter and the
// problem's message in `error`.
#pragma once

#include <string>
#include <vector>

#include "image/cpio_reader.hpp"
#include "image/elf.hpp"
#include "initrd/compressor.hpp"
#include "initrd/elf_closure.hpp"
#include "initrd/hostonly.hpp"
#include "initrd/microcode.hpp"
#include "initrd/module_resolver.hpp"

namespace hal::pack::test {

template <class T>
bool take(const Checked<T>& result, T& out, std::string& error) {
    error = result.ok() ? std::string() : result.error().message;
    if (result.ok()) out = result.value();
    return result.ok();
}

inline bool ok(const CheckedStatus& result, std::string& error) {
    error = result.ok() ? std::string() : result.error().message;
    return result.ok();
}

inline bool parse_modules_dep(std::string_view text, const std::string& file, ModuleIndex& index,
                              std::string& error) {
    return ok(pack::parse_modules_dep(text, file, index), error);
}
inline bool parse_module_list(std::string_view text, const std::string& file,
                              std::vector<ModuleRequest>& requests, std::string& error) {
    return take(pack::parse_module_list(text, file), requests, error);
}
inline bool resolve_modules(const std::vector<ModuleRequest>& requests, const ModuleIndex& index,
                            const std::string& list_file, const std::string& kernel,
                            Resolution& resolution, std::string& error) {
    return take(pack::resolve_modules(requests, index, list_file, kernel), resolution, error);
}
inline bool parse_compression(std::string_view text, CompressOptions& options, std::string& error) {
    return take(pack::parse_compression(text), options, error);
}
inline bool compress(const std::string& input, const CompressOptions& options, std::string& output,
                     std::string& error) {
    return take(pack::compress(input, options), output, error);
}
inline bool read_elf_info(const std::string& path, ElfInfo& info, std::string& error) {
    return take(pack::read_elf(path), info, error);
}
inline bool library_closure(const std::vector<std::string>& roots, const LibrarySearch& search,
                            std::vector<PackedObject>& objects, std::string& error) {
    return take(pack::library_closure(roots, search), objects, error);
}
inline bool read_host_devices(const std::string& sysfs, const std::string& recorded,
                              HostDevices& devices, std::string& error) {
    return take(pack::read_host_devices(sysfs, recorded), devices, error);
}
inline bool read_cpio(std::string_view bytes, size_t offset, CpioArchive& archive,
                      std::string& error) {
    return take(pack::read_cpio(bytes, offset), archive, error);
}
inline bool build_microcode(MicrocodeSetting setting, const std::string& firmware_dir,
                            bool host_only, const CpuSignature& cpu, MicrocodeResult& result,
                            std::string& error) {
    return take(pack::build_microcode(setting, firmware_dir, host_only, cpu), result, error);
}

}  // namespace hal::pack::test
