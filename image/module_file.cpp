// Module decompression (zlib, liblzma, libzstd) and .modinfo parsing with bounds checks.
#include "image/module_file.hpp"

#include <elf.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "modules/modules_dep.hpp"
#include "image/file_io.hpp"

namespace hal::pack {
namespace {

constexpr size_t kChunk = 1 << 16;
// A decompressed module larger than this is corrupt input, not a driver.
constexpr size_t kMaxModuleSize = 512u << 20;

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string plain_module_path(const std::string& path) {
    // The compressed forms are the extensions past ".ko" in the shared list.
    for (std::string_view extension : kModuleExtensions)
        if (extension != ".ko" && ends_with(path, std::string(extension)))
            return path.substr(0, path.size() - extension.size() + 3);
    return path;
}

bool gunzip(const std::string& input, std::string& output, std::string& error) {
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK) {
        error = "zlib: inflateInit2 failed";
        return false;
    }
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream.avail_in = static_cast<uInt>(input.size());
    char buffer[kChunk];
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) break;
        output.append(buffer, sizeof buffer - stream.avail_out);
        if (output.size() > kMaxModuleSize || (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0)) {
            status = Z_DATA_ERROR;
            break;
        }
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END) error = "gzip data is corrupt or truncated";
    return status == Z_STREAM_END;
}

bool unxz(const std::string& input, std::string& output, std::string& error) {
    lzma_stream stream = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&stream, UINT64_MAX, 0) != LZMA_OK) {
        error = "liblzma: decoder setup failed";
        return false;
    }
    stream.next_in = reinterpret_cast<const uint8_t*>(input.data());
    stream.avail_in = input.size();
    uint8_t buffer[kChunk];
    lzma_ret status = LZMA_OK;
    while (status == LZMA_OK) {
        stream.next_out = buffer;
        stream.avail_out = sizeof buffer;
        status = lzma_code(&stream, LZMA_FINISH);
        output.append(reinterpret_cast<char*>(buffer), sizeof buffer - stream.avail_out);
        if (output.size() > kMaxModuleSize) status = LZMA_DATA_ERROR;
    }
    lzma_end(&stream);
    if (status != LZMA_STREAM_END) error = "xz data is corrupt or truncated";
    return status == LZMA_STREAM_END;
}

bool unzstd(const std::string& input, std::string& output, std::string& error) {
    ZSTD_DStream* stream = ZSTD_createDStream();
    if (!stream) {
        error = "libzstd: out of memory";
        return false;
    }
    ZSTD_inBuffer in = {input.data(), input.size(), 0};
    char buffer[kChunk];
    size_t remaining = 1;
    bool ok = true;
    while (in.pos < in.size || remaining != 0) {
        ZSTD_outBuffer out = {buffer, sizeof buffer, 0};
        const size_t before = in.pos;
        remaining = ZSTD_decompressStream(stream, &out, &in);
        if (ZSTD_isError(remaining) || output.size() > kMaxModuleSize ||
            (out.pos == 0 && in.pos == before && remaining != 0)) {
            ok = false;
            break;
        }
        output.append(buffer, out.pos);
        if (remaining == 0 && in.pos == in.size) break;
    }
    ZSTD_freeDStream(stream);
    if (!ok) error = "zstd data is corrupt or truncated";
    return ok;
}

bool read_module(const std::string& path, std::string& contents, std::string& error) {
    std::string raw;
    if (!read_whole_file(path, raw, error)) return false;
    bool ok = true;
    if (ends_with(path, ".ko.gz")) ok = gunzip(raw, contents, error);
    else if (ends_with(path, ".ko.xz")) ok = unxz(raw, contents, error);
    else if (ends_with(path, ".ko.zst")) ok = unzstd(raw, contents, error);
    else contents = std::move(raw);
    if (!ok) error = path + ": " + error;
    return ok;
}

bool modinfo_values(std::string_view elf, const std::string& key, std::vector<std::string>& values,
                    std::string& error) {
    Elf64_Ehdr header;
    if (elf.size() < sizeof header || std::memcmp(elf.data(), ELFMAG, SELFMAG) != 0 ||
        static_cast<unsigned char>(elf[EI_CLASS]) != ELFCLASS64) {
        error = "not an ELF64 module";
        return false;
    }
    std::memcpy(&header, elf.data(), sizeof header);
    auto section = [&](size_t index, Elf64_Shdr& out) {
        const uint64_t offset = header.e_shoff + index * sizeof(Elf64_Shdr);
        if (header.e_shentsize != sizeof(Elf64_Shdr) || offset > elf.size() || sizeof out > elf.size() - offset)
            return false;
        std::memcpy(&out, elf.data() + offset, sizeof out);
        return true;
    };
    auto inside = [&](const Elf64_Shdr& s) { return s.sh_offset <= elf.size() && s.sh_size <= elf.size() - s.sh_offset; };
    Elf64_Shdr names;
    if (!section(header.e_shstrndx, names) || !inside(names)) {
        error = "section headers lie outside the module";
        return false;
    }
    for (size_t i = 0; i < header.e_shnum; ++i) {
        Elf64_Shdr candidate;
        if (!section(i, candidate)) {
            error = "section headers lie outside the module";
            return false;
        }
        if (candidate.sh_name >= names.sh_size) continue;
        const char* name_start = elf.data() + names.sh_offset + candidate.sh_name;
        const size_t name_room = names.sh_size - candidate.sh_name;
        if (strnlen(name_start, name_room) != std::strlen(".modinfo") || std::strncmp(name_start, ".modinfo", name_room) != 0)
            continue;
        if (!inside(candidate)) {
            error = ".modinfo lies outside the module";
            return false;
        }
        const std::string_view data(elf.data() + candidate.sh_offset, candidate.sh_size);
        const std::string prefix = key + "=";
        size_t at = 0;
        while (at < data.size()) {
            size_t end = data.find('\0', at);
            if (end == std::string_view::npos) end = data.size();
            const std::string_view entry = data.substr(at, end - at);
            if (entry.substr(0, prefix.size()) == prefix) values.emplace_back(entry.substr(prefix.size()));
            at = end + 1;
        }
        return true;
    }
    return true;  // no .modinfo: nothing to report
}

}  // namespace hal::pack
