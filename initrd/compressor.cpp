// gzip (parallel deflate blocks), zstd and xz (their own multithreading), lz4 legacy frames.
#include "initrd/compressor.hpp"

#include <lz4.h>
#include <lz4hc.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "base/text.hpp"

namespace hal::pack {
namespace {

constexpr size_t kGzipBlock = 128 * 1024;
constexpr size_t kDeflateWindow = 32 * 1024;
constexpr size_t kLz4Chunk = 8 * 1024 * 1024;  // the kernel's legacy-frame chunk size
constexpr uint32_t kLz4LegacyMagic = 0x184c2102;

struct Named {
    std::string_view name;
    Compression algorithm;
    int default_level, lowest, highest;
};
constexpr Named kAlgorithms[] = {
    {"gzip", Compression::kGzip, 6, 1, 9}, {"zstd", Compression::kZstd, 19, 1, 19},
    {"xz", Compression::kXz, 6, 0, 9},     {"lz4", Compression::kLz4, 9, 1, 12},
    {"none", Compression::kNone, 0, 0, 0},
};

unsigned thread_count(unsigned wanted) {
    if (wanted) return wanted;
    const unsigned cores = std::thread::hardware_concurrency();
    return cores ? cores : 1;
}

// Runs job(i) for i in [0, count) on `threads` threads.
template <class Job>
void parallel_for(size_t count, unsigned threads, Job&& job) {
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i; (i = next.fetch_add(1)) < count;) job(i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads && t < count; ++t) pool.emplace_back(worker);
    worker();
    for (auto& thread : pool) thread.join();
}

void put32(std::string& out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

Checked<std::string> gzip(const std::string& input, int level, unsigned threads) {
    std::string output;
    const size_t blocks = std::max<size_t>(1, (input.size() + kGzipBlock - 1) / kGzipBlock);
    std::vector<std::string> compressed(blocks);
    std::atomic<bool> failed{false};
    parallel_for(blocks, threads, [&](size_t i) {
        const size_t start = i * kGzipBlock;
        const size_t size = std::min(kGzipBlock, input.size() - std::min(start, input.size()));
        z_stream stream = {};
        if (deflateInit2(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            failed = true;
            return;
        }
        // The previous 32 KiB as dictionary: matches across the block edge, still independent.
        if (start > 0) {
            const size_t dictionary = std::min(kDeflateWindow, start);
            deflateSetDictionary(&stream,
                                 reinterpret_cast<const Bytef*>(input.data() + start - dictionary),
                                 static_cast<uInt>(dictionary));
        }
        std::string& out = compressed[i];
        out.resize(deflateBound(&stream, size) + 16);
        stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data() + start));
        stream.avail_in = static_cast<uInt>(size);
        stream.next_out = reinterpret_cast<Bytef*>(out.data());
        stream.avail_out = static_cast<uInt>(out.size());
        // Every block but the last ends byte-aligned (sync flush), so they concatenate.
        const int flush = i + 1 == blocks ? Z_FINISH : Z_SYNC_FLUSH;
        const int result = deflate(&stream, flush);
        if ((flush == Z_FINISH && result != Z_STREAM_END) || (flush != Z_FINISH && result != Z_OK))
            failed = true;
        out.resize(out.size() - stream.avail_out);
        deflateEnd(&stream);
    });
    if (failed) {
        return problem("gzip: deflate failed");
    }
    // The header (no name, no timestamp, Unix), the blocks, the CRC-32 and the size mod 2^32.
    output.assign("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
    for (const auto& block : compressed) output += block;
    put32(output, static_cast<uint32_t>(
                      crc32_z(0, reinterpret_cast<const Bytef*>(input.data()), input.size())));
    put32(output, static_cast<uint32_t>(input.size()));
    return output;
}

Checked<std::string> zstd(const std::string& input, int level, unsigned threads) {
    std::string output;
    ZSTD_CCtx* context = ZSTD_createCCtx();
    if (!context) {
        return problem("zstd: out of memory");
    }
    // With at least one worker the frame is the same whatever their number.
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level);
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
    if (ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, static_cast<int>(threads))))
        ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, 0);  // a libzstd without threads
    output.resize(ZSTD_compressBound(input.size()));
    ZSTD_inBuffer in = {input.data(), input.size(), 0};
    ZSTD_outBuffer out = {output.data(), output.size(), 0};
    size_t remaining;
    do remaining = ZSTD_compressStream2(context, &out, &in, ZSTD_e_end);
    while (!ZSTD_isError(remaining) && remaining != 0);
    ZSTD_freeCCtx(context);
    if (ZSTD_isError(remaining)) {
        return problem(std::string("zstd: ") + ZSTD_getErrorName(remaining));
    }
    output.resize(out.pos);
    return output;
}

Checked<std::string> xz(const std::string& input, int level, unsigned threads) {
    std::string output;
    // The kernel's XZ decoder checks CRC32 (not CRC64 or SHA-256) and takes multi-block
    // streams; the multithreaded encoder's blocks do not depend on the thread count.
    lzma_mt options = {};
    options.threads = threads;
    options.preset = static_cast<uint32_t>(level);
    options.check = LZMA_CHECK_CRC32;
    lzma_stream stream = LZMA_STREAM_INIT;
    if (lzma_stream_encoder_mt(&stream, &options) != LZMA_OK) {
        return problem("xz: cannot start the encoder");
    }
    output.resize(lzma_stream_buffer_bound(input.size()));
    stream.next_in = reinterpret_cast<const uint8_t*>(input.data());
    stream.avail_in = input.size();
    stream.next_out = reinterpret_cast<uint8_t*>(output.data());
    stream.avail_out = output.size();
    lzma_ret result;
    do result = lzma_code(&stream, LZMA_FINISH);
    while (result == LZMA_OK);
    output.resize(output.size() - stream.avail_out);
    lzma_end(&stream);
    if (result != LZMA_STREAM_END) {
        return problem("xz: encoding failed (" + std::to_string(result) + ")");
    }
    return output;
}

Checked<std::string> lz4(const std::string& input, int level, unsigned threads) {
    std::string output;
    const size_t chunks = (input.size() + kLz4Chunk - 1) / kLz4Chunk;
    std::vector<std::string> compressed(chunks);
    std::atomic<bool> failed{false};
    parallel_for(chunks, threads, [&](size_t i) {
        const size_t start = i * kLz4Chunk;
        const int size = static_cast<int>(std::min(kLz4Chunk, input.size() - start));
        std::string& out = compressed[i];
        out.resize(static_cast<size_t>(LZ4_compressBound(size)));
        const int written = LZ4_compress_HC(input.data() + start, out.data(), size,
                                            static_cast<int>(out.size()), level);
        if (written <= 0) failed = true;
        out.resize(written > 0 ? static_cast<size_t>(written) : 0);
    });
    if (failed) {
        return problem("lz4: compression failed");
    }
    put32(output, kLz4LegacyMagic);
    for (const auto& chunk : compressed) {
        put32(output, static_cast<uint32_t>(chunk.size()));
        output += chunk;
    }
    return output;
}

}  // namespace

Checked<CompressOptions> parse_compression(std::string_view text) {
    CompressOptions options;
    const size_t colon = text.find(':');
    const std::string_view name = text.substr(0, colon);
    for (const Named& entry : kAlgorithms) {
        if (entry.name != name) continue;
        options.algorithm = entry.algorithm;
        options.level = entry.default_level;
        if (colon == std::string_view::npos) return options;
        const auto level = parse_unsigned(text.substr(colon + 1));
        if (!level || static_cast<int>(*level) < entry.lowest ||
            static_cast<int>(*level) > entry.highest) {
            return problem("--compress " + std::string(text) + ": the level of " +
                           std::string(name) + " is " + std::to_string(entry.lowest) + " to " +
                           std::to_string(entry.highest));
        }
        options.level = static_cast<int>(*level);
        return options;
    }
    return problem("--compress " + std::string(text) +
                   ": not a compressor this tool has (gzip, zstd, xz, lz4, none; ALGORITHM:LEVEL "
                   "for a level)");
}

Checked<ModuleCompression> parse_module_compression(std::string_view text) {
    ModuleCompression compression;
    if (text == "none") {
        compression.zstd = false;
        return compression;
    }
    if (text == "zstd") return compression;
    if (text.substr(0, 5) == "zstd:") {
        const auto level = parse_unsigned(text.substr(5));
        if (level && *level >= 1 && *level <= 19) {
            compression.level = static_cast<int>(*level);
            return compression;
        }
    }
    return problem("--module-compress " + std::string(text) +
                   ": zstd, zstd:LEVEL (1 to 19) or none");
}

std::string module_compression_name(const ModuleCompression& compression) {
    return compression.zstd ? "zstd:" + std::to_string(compression.level) : "none";
}

// One frame on the caller's thread: given all its input at once, the frame states the size.
Checked<std::string> compress_module(const std::string& elf, int level) {
    return zstd(elf, level, 0);
}

void for_each_parallel(size_t count, unsigned threads, const std::function<void(size_t)>& job) {
    parallel_for(count, thread_count(threads), job);
}

const char* compression_name(Compression algorithm) {
    for (const Named& entry : kAlgorithms)
        if (entry.algorithm == algorithm) return entry.name.data();
    return "?";
}

int default_level(Compression algorithm) {
    for (const Named& entry : kAlgorithms)
        if (entry.algorithm == algorithm) return entry.default_level;
    return 0;
}

Checked<std::string> compress(const std::string& input, const CompressOptions& options) {
    const int level = options.level >= 0 ? options.level : default_level(options.algorithm);
    const unsigned threads = thread_count(options.threads);
    switch (options.algorithm) {
        case Compression::kGzip: return gzip(input, level, threads);
        case Compression::kZstd: return zstd(input, level, threads);
        case Compression::kXz: return xz(input, level, threads);
        case Compression::kLz4: return lz4(input, level, threads);
        case Compression::kNone: break;
    }
    return input;
}

}  // namespace hal::pack
