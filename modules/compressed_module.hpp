// Kernel modules the packer stores zstd-compressed ("kvm.ko.zst"): only the modules a boot
// loads are ever inflated, by hal-init, in memory (Debian's kernel has no in-kernel module
// decompression, so init_module(2) gets the plain ELF).
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.hpp"

namespace hal {

inline constexpr std::string_view kCompressedModuleExtension = ".ko.zst";
// The largest module hal-init inflates (amdgpu, the largest in Debian's kernel, is 19 MB).
inline constexpr size_t kMaxModuleBytes = size_t{256} << 20;

bool is_compressed_module(std::string_view path);

// The module's size once inflated, from its zstd frame header. Errors: EBADMSG (not one zstd
// frame), EFBIG (larger than kMaxModuleBytes, or a frame that does not state its size).
Result<size_t> inflated_module_size(const void* compressed, size_t size);

// Inflates the whole frame into `output`, which holds exactly inflated_module_size() bytes.
// EBADMSG when the data is damaged or inflates to any other size.
Status inflate_module(const void* compressed, size_t size, void* output, size_t output_size);

}  // namespace hal
