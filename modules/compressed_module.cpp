// zstd frames through libzstd's one-shot decoder (Debian's libzstd.a links into the musl
// binary as it is: the decoder needs only memory and string functions).
#include "modules/compressed_module.hpp"

#include <zstd.h>

#include "base/text.hpp"

namespace hal {

bool is_compressed_module(std::string_view path) {
    return ends_with(path, kCompressedModuleExtension);
}

Result<size_t> inflated_module_size(const void* compressed, size_t size) {
    const unsigned long long stated = ZSTD_getFrameContentSize(compressed, size);
    if (stated == ZSTD_CONTENTSIZE_ERROR) return Error{"zstd frame", EBADMSG};
    if (stated == ZSTD_CONTENTSIZE_UNKNOWN || stated > kMaxModuleBytes)
        return Error{"zstd frame", EFBIG};
    return static_cast<size_t>(stated);
}

Status inflate_module(const void* compressed, size_t size, void* output, size_t output_size) {
    const size_t written = ZSTD_decompress(output, output_size, compressed, size);
    if (ZSTD_isError(written) || written != output_size) return Error{"zstd", EBADMSG};
    return ok_status();
}

}  // namespace hal
