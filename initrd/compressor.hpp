// The image's compression in the forms the kernel unpacks: gzip (default), zstd, xz (CRC32
// check), lz4 (legacy frames) or none; each on every core, and each giving the same bytes
// whatever the number of threads (block boundaries never depend on it).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/problem.hpp"

namespace hal::pack {

enum class Compression { kGzip, kZstd, kXz, kLz4, kNone };

struct CompressOptions {
    Compression algorithm = Compression::kGzip;
    int level = -1;        // -1: the algorithm's default below
    unsigned threads = 0;  // 0: every online CPU
};

// "gzip", "zstd:19", "xz:6", "lz4:9", "none". Errors name the value and the choices.
Checked<CompressOptions> parse_compression(std::string_view text);
const char* compression_name(Compression algorithm);
int default_level(Compression algorithm);

// Module files: each its own zstd frame that states its size and carries a checksum, as hal-init
// inflates them (modules/compressed_module.hpp); kept compressed in the image so a boot
// inflates only the modules it loads. Level 9: level 19 saves 9 % more for ten times the time.
struct ModuleCompression {
    bool zstd = true;
    int level = 9;
};

// "zstd", "zstd:LEVEL" (1 to 19) or "none". Errors name the value and the choices.
Checked<ModuleCompression> parse_module_compression(std::string_view text);
std::string module_compression_name(const ModuleCompression& compression);
Checked<std::string> compress_module(const std::string& elf, int level);

// Runs job(i) for every i in [0, count) on `threads` threads (0: every online CPU).
void for_each_parallel(size_t count, unsigned threads, const std::function<void(size_t)>& job);

// Compresses `input` into `output`. gzip: independent 128 KiB deflate blocks (each primed
// with the 32 KiB before it, as pigz does) joined into one standard gzip member.
Checked<std::string> compress(const std::string& input, const CompressOptions& options);

}  // namespace hal::pack
