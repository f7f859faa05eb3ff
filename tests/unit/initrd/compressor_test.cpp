// Unit tests for the image compressors: each output decoded by the reference library, in the
// form the kernel's decompressors take; the same bytes whatever the thread count.
#include <doctest/doctest.h>

#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>

#include "initrd/compressor.hpp"
#include "tests/unit/initrd/out_parameters.hpp"

using namespace hal::pack;
using namespace hal::pack::test;

namespace {

// Compressible but not trivial: repeated words with random numbers between, plus a random tail.
std::string sample_input(size_t size) {
    std::mt19937 random(42);
    std::string text;
    while (text.size() < size) {
        text += "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko ";
        text += std::to_string(random());
        if (random() % 7 == 0) text.append(1, static_cast<char>(random()));
    }
    text.resize(size);
    return text;
}

std::string compressed(const std::string& input, const char* algorithm, unsigned threads) {
    CompressOptions options;
    std::string error, output;
    REQUIRE(parse_compression(algorithm, options, error));
    options.threads = threads;
    REQUIRE_MESSAGE(compress(input, options, output, error), error);
    return output;
}

std::string gunzip(const std::string& data) {
    z_stream stream = {};
    REQUIRE(inflateInit2(&stream, 16 + 15) == Z_OK);  // gzip wrapper only
    std::string output(64 << 20, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(output.data());
    stream.avail_out = static_cast<uInt>(output.size());
    CHECK(inflate(&stream, Z_FINISH) == Z_STREAM_END);
    CHECK(stream.avail_in == 0);  // one member, nothing after it
    output.resize(output.size() - stream.avail_out);
    inflateEnd(&stream);
    return output;
}

uint32_t read32(const std::string& data, size_t at) {
    uint32_t value = 0;
    for (int i = 3; i >= 0; --i)
        value = (value << 8) | static_cast<unsigned char>(data[at + static_cast<size_t>(i)]);
    return value;
}

}  // namespace

TEST_CASE("compress gzip: one standard member; byte-identical for 1, 2, 3 and 8 threads") {
    const std::string input = sample_input(1'500'000);  // 12 blocks of 128 KiB
    const std::string one = compressed(input, "gzip", 1);
    CHECK(one.substr(0, 3) == std::string("\x1f\x8b\x08", 3));
    CHECK(gunzip(one) == input);
    for (unsigned threads : {2u, 3u, 8u}) {
        CAPTURE(threads);
        CHECK(compressed(input, "gzip", threads) == one);
    }
    // Priming each block with the window before it keeps the ratio near single-stream deflate.
    uLongf single_size = compressBound(input.size());
    std::string single(single_size, '\0');
    REQUIRE(compress2(reinterpret_cast<Bytef*>(single.data()), &single_size,
                      reinterpret_cast<const Bytef*>(input.data()), input.size(), 6) == Z_OK);
    CHECK(one.size() < single_size * 101 / 100);
}

TEST_CASE("compress gzip: empty input and a final partial block") {
    CHECK(gunzip(compressed("", "gzip", 2)).empty());
    const std::string input = sample_input(128 * 1024 + 1);
    CHECK(gunzip(compressed(input, "gzip:9", 4)) == input);
}

TEST_CASE("compress zstd: a checksummed frame, the same for 1 and 4 threads") {
    const std::string input = sample_input(3'000'000);
    const std::string one = compressed(input, "zstd:3", 1);
    CHECK(compressed(input, "zstd:3", 4) == one);
    std::string output(input.size(), '\0');
    const size_t size = ZSTD_decompress(output.data(), output.size(), one.data(), one.size());
    REQUIRE_FALSE(ZSTD_isError(size));
    output.resize(size);
    CHECK(output == input);
    // Frame header descriptor: bit 2 is Content_Checksum_flag.
    CHECK((static_cast<unsigned char>(one[4]) & 0x04) != 0);
}

TEST_CASE(
    "compress xz: CRC32 check (the kernel's decoder has no CRC64), the same for 1 and 3 threads") {
    const std::string input = sample_input(2'000'000);
    const std::string one = compressed(input, "xz:1", 1);
    CHECK(compressed(input, "xz:1", 3) == one);
    CHECK(one.substr(0, 6) == std::string("\xfd"
                                          "7zXZ\0",
                                          6));
    CHECK(one[7] == 0x01);  // stream flags: check type 1 = CRC32
    std::string output(input.size(), '\0');
    uint64_t memory = UINT64_MAX;
    size_t in = 0, out = 0;
    REQUIRE(lzma_stream_buffer_decode(
                &memory, 0, nullptr, reinterpret_cast<const uint8_t*>(one.data()), &in, one.size(),
                reinterpret_cast<uint8_t*>(output.data()), &out, output.size()) == LZMA_OK);
    CHECK(output == input);
}

TEST_CASE("compress lz4: legacy frames of 8 MiB chunks, as the kernel's unlz4 reads them") {
    const std::string input = sample_input(9 * 1024 * 1024);  // two chunks
    const std::string one = compressed(input, "lz4", 1);
    CHECK(compressed(input, "lz4", 2) == one);
    REQUIRE(read32(one, 0) == 0x184c2102);
    std::string output;
    size_t at = 4;
    int chunks = 0;
    while (at < one.size()) {
        const uint32_t size = read32(one, at);
        at += 4;
        REQUIRE(at + size <= one.size());
        std::string chunk(8 * 1024 * 1024, '\0');
        const int got = LZ4_decompress_safe(one.data() + at, chunk.data(), static_cast<int>(size),
                                            static_cast<int>(chunk.size()));
        REQUIRE(got > 0);
        output.append(chunk.data(), static_cast<size_t>(got));
        at += size;
        ++chunks;
    }
    CHECK(chunks == 2);
    CHECK(output == input);
}

TEST_CASE("compress none: the input itself") {
    CHECK(compressed("070701abc", "none", 1) == "070701abc");
}

TEST_CASE("--compress values: names, levels and errors naming the value") {
    CompressOptions options;
    std::string error;
    REQUIRE(parse_compression("zstd:19", options, error));
    CHECK(options.algorithm == Compression::kZstd);
    CHECK(options.level == 19);
    REQUIRE(parse_compression("gzip", options, error));
    CHECK(options.level == 6);
    CHECK_FALSE(parse_compression("bzip2", options, error));
    CHECK(error.find("bzip2") != std::string::npos);
    CHECK(error.find("gzip, zstd, xz, lz4, none") != std::string::npos);
    CHECK_FALSE(parse_compression("gzip:10", options, error));
    CHECK(error.find("1 to 9") != std::string::npos);
    CHECK_FALSE(parse_compression("xz:", options, error));
    CHECK_FALSE(parse_compression("lz4:x", options, error));
}
