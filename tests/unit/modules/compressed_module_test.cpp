// Unit tests for inflating .ko.zst modules: real zstd frames made here with libzstd.
#include <doctest/doctest.h>
#include <zstd.h>

#include <string>

#include "modules/compressed_module.hpp"

using namespace hal;

namespace {

std::string elf_like(size_t size) {
    std::string bytes =
        "\x7f"
        "ELF";
    for (size_t i = bytes.size(); i < size; ++i) bytes += static_cast<char>('a' + i % 23);
    return bytes;
}

// As the packer writes them: the inflated size and a checksum in the frame.
std::string compressed(const std::string& input) {
    std::string output(ZSTD_compressBound(input.size()), '\0');
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
    const size_t size =
        ZSTD_compress2(context, output.data(), output.size(), input.data(), input.size());
    ZSTD_freeCCtx(context);
    REQUIRE_FALSE(ZSTD_isError(size));
    output.resize(size);
    return output;
}

// A frame whose header does not state the inflated size, as a streaming compressor may write it.
std::string streamed(const std::string& input) {
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0);
    std::string output(ZSTD_compressBound(input.size()) + 64, '\0');
    ZSTD_outBuffer out{output.data(), output.size(), 0};
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    const size_t left = ZSTD_compressStream2(context, &out, &in, ZSTD_e_end);
    ZSTD_freeCCtx(context);
    REQUIRE(left == 0);
    output.resize(out.pos);
    return output;
}

}  // namespace

TEST_CASE("compressed modules: only .ko.zst paths are inflated") {
    CHECK(is_compressed_module("kernel/arch/x86/kvm/kvm.ko.zst"));
    CHECK_FALSE(is_compressed_module("kernel/arch/x86/kvm/kvm.ko"));
    CHECK_FALSE(is_compressed_module("kernel/arch/x86/kvm/kvm.ko.xz"));
    CHECK_FALSE(is_compressed_module("kvm.zst"));
}

TEST_CASE("compressed modules: a frame inflates to the size its header states, byte for byte") {
    const std::string module = elf_like(300000);
    const std::string frame = compressed(module);
    CHECK(frame.size() < module.size() / 10);
    const auto size = inflated_module_size(frame.data(), frame.size());
    REQUIRE(size.ok());
    CHECK(size.value() == module.size());
    std::string output(size.value(), '\0');
    REQUIRE(inflate_module(frame.data(), frame.size(), output.data(), output.size()).ok());
    CHECK(output == module);
}

TEST_CASE("compressed modules: damaged, foreign, unsized or oversized data is refused") {
    const std::string module = elf_like(100000);
    std::string frame = compressed(module);
    std::string output(module.size(), '\0');

    const auto plain = inflated_module_size(module.data(), module.size());
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.error().code == EBADMSG);

    const std::string unsized = streamed(module);
    const auto size = inflated_module_size(unsized.data(), unsized.size());
    REQUIRE_FALSE(size.ok());
    CHECK(size.error().code == EFBIG);

    // The header promises more than hal-init inflates: 2^30 bytes of zeros, stated up front.
    const std::string zeros(size_t{1} << 20, '\0');
    ZSTD_CCtx* context = ZSTD_createCCtx();
    REQUIRE_FALSE(ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(context, size_t{1} << 30)));
    std::string huge(1 << 16, '\0');
    ZSTD_outBuffer out{huge.data(), huge.size(), 0};
    ZSTD_inBuffer in{zeros.data(), zeros.size(), 0};
    REQUIRE_FALSE(ZSTD_isError(ZSTD_compressStream2(context, &out, &in, ZSTD_e_continue)));
    ZSTD_freeCCtx(context);
    const auto oversized = inflated_module_size(huge.data(), out.pos);
    REQUIRE_FALSE(oversized.ok());
    CHECK(oversized.error().code == EFBIG);

    // A flipped byte in the middle of the data: the block or the frame's checksum no longer
    // holds.
    frame[frame.size() / 2] = static_cast<char>(frame[frame.size() / 2] ^ 0x55);
    const auto damaged = inflate_module(frame.data(), frame.size(), output.data(), output.size());
    REQUIRE_FALSE(damaged.ok());
    CHECK(damaged.error().code == EBADMSG);

    // Cut short.
    const std::string whole = compressed(module);
    const auto truncated =
        inflate_module(whole.data(), whole.size() - 7, output.data(), output.size());
    REQUIRE_FALSE(truncated.ok());
    CHECK(truncated.error().code == EBADMSG);
}
