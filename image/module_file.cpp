// Module decompression (zlib, liblzma, libzstd) and .modinfo parsing with bounds checks.
#include "image/module_file.hpp"

#include <elf.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "image/file_io.hpp"
#include "modules/modules_dep.hpp"

namespace hal::pack {
namespace {

constexpr size_t kChunk = 1 << 16;
// A decompressed module larger than this is corrupt input, not a driver.
constexpr size_t kMaxModuleSize = 512u << 20;

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string plain_module_path(const std::string& path) {
    // The compressed forms are the extensions past ".ko" in the shared list.
    for (std::string_view extension : kModuleExtensions)
        if (extension != ".ko" && ends_with(path, std::string(extension)))
            return path.substr(0, path.size() - extension.size() + 3);
    return path;
}

std::string module_name_of(std::string_view path) {
    ModuleName name;
    return module_name_from_path(path, name) ? std::string(name.view()) : std::string();
}

Checked<std::string> gunzip(const std::string& input) {
    z_stream stream{};
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return problem("zlib: inflateInit2 failed");
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    stream.avail_in = static_cast<uInt>(input.size());
    std::string output;
    char buffer[kChunk];
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) break;
        output.append(buffer, sizeof buffer - stream.avail_out);
        if (output.size() > kMaxModuleSize ||
            (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0)) {
            status = Z_DATA_ERROR;
            break;
        }
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END) return problem("gzip data is corrupt or truncated");
    return output;
}

Checked<std::string> unxz(const std::string& input) {
    lzma_stream stream = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&stream, UINT64_MAX, 0) != LZMA_OK)
        return problem("liblzma: decoder setup failed");
    stream.next_in = reinterpret_cast<const uint8_t*>(input.data());
    stream.avail_in = input.size();
    std::string output;
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
    if (status != LZMA_STREAM_END) return problem("xz data is corrupt or truncated");
    return output;
}

Checked<std::string> unzstd(const std::string& input) {
    ZSTD_DStream* stream = ZSTD_createDStream();
    if (!stream) return problem("libzstd: out of memory");
    ZSTD_inBuffer in = {input.data(), input.size(), 0};
    std::string output;
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
    if (!ok) return problem("zstd data is corrupt or truncated");
    return output;
}

Checked<std::string> read_module(const std::string& path) {
    return module_elf(path, TRY(read_whole_file(path)));
}

bool module_signed(std::string_view elf) {
    constexpr std::string_view kTrailer = "~Module signature appended~\n";
    return elf.size() >= kTrailer.size() && elf.substr(elf.size() - kTrailer.size()) == kTrailer;
}

std::string unsigned_modules_warning(const std::vector<std::string>& names) {
    if (names.empty()) return "";
    std::string list;
    for (size_t i = 0; i < names.size() && i < 8; ++i) list += (i ? ", " : "") + names[i];
    if (names.size() > 8) list += ", ...";
    return std::to_string(names.size()) +
           (names.size() == 1 ? " module carries" : " modules carry") + " no signature (" + list +
           "), and the machine boots with Secure Boot on: its kernel is locked down and will "
           "refuse " +
           (names.size() == 1 ? "it" : "them") +
           "; sign them with a key the kernel trusts (a machine owner key) or leave them out";
}

bool is_module_path(std::string_view path) {
    ModuleName name;
    return module_name_from_path(path, name);
}

Checked<std::string> module_elf(const std::string& path, std::string raw) {
    Checked<std::string> contents = ends_with(path, ".ko.gz")   ? gunzip(raw)
                                    : ends_with(path, ".ko.xz") ? unxz(raw)
                                    : ends_with(path, ".ko.zst")
                                        ? unzstd(raw)
                                        : Checked<std::string>(std::move(raw));
    if (!contents.ok()) return problem(path + ": " + contents.error().message);
    return contents;
}

namespace {

// The ELF section headers of a module, each read with a bounds check.
class Sections {
public:
    explicit Sections(std::string_view elf) : elf_(elf) {}

    bool valid_header() {
        if (elf_.size() < sizeof header_ || std::memcmp(elf_.data(), ELFMAG, SELFMAG) != 0 ||
            static_cast<unsigned char>(elf_[EI_CLASS]) != ELFCLASS64)
            return false;
        std::memcpy(&header_, elf_.data(), sizeof header_);
        return true;
    }
    size_t count() const { return header_.e_shnum; }
    size_t names_index() const { return header_.e_shstrndx; }
    bool read(size_t index, Elf64_Shdr& out) const {
        const uint64_t offset = header_.e_shoff + index * sizeof(Elf64_Shdr);
        if (header_.e_shentsize != sizeof(Elf64_Shdr) || offset > elf_.size() ||
            sizeof out > elf_.size() - offset)
            return false;
        std::memcpy(&out, elf_.data() + offset, sizeof out);
        return true;
    }
    bool inside(const Elf64_Shdr& s) const {
        return s.sh_offset <= elf_.size() && s.sh_size <= elf_.size() - s.sh_offset;
    }
    // True when section `candidate` is named `wanted` in the section name table `names`.
    bool named(const Elf64_Shdr& names, const Elf64_Shdr& candidate, const char* wanted) const {
        if (candidate.sh_name >= names.sh_size) return false;
        const char* start = elf_.data() + names.sh_offset + candidate.sh_name;
        const size_t room = names.sh_size - candidate.sh_name;
        return strnlen(start, room) == std::strlen(wanted) &&
               std::strncmp(start, wanted, room) == 0;
    }
    std::string_view data(const Elf64_Shdr& section) const {
        return elf_.substr(section.sh_offset, section.sh_size);
    }

private:
    std::string_view elf_;
    Elf64_Ehdr header_{};
};

// KEY=VALUE strings, NUL-separated: the values of `key`.
std::vector<std::string> values_of(std::string_view data, const std::string& key) {
    std::vector<std::string> values;
    const std::string prefix = key + "=";
    size_t at = 0;
    while (at < data.size()) {
        size_t end = data.find('\0', at);
        if (end == std::string_view::npos) end = data.size();
        const std::string_view entry = data.substr(at, end - at);
        if (entry.substr(0, prefix.size()) == prefix)
            values.emplace_back(entry.substr(prefix.size()));
        at = end + 1;
    }
    return values;
}

}  // namespace

Checked<std::vector<std::string>> modinfo_values(std::string_view elf, const std::string& key) {
    Sections sections(elf);
    if (!sections.valid_header()) return problem("not an ELF64 module");
    Elf64_Shdr names;
    if (!sections.read(sections.names_index(), names) || !sections.inside(names))
        return problem("section headers lie outside the module");
    for (size_t i = 0; i < sections.count(); ++i) {
        Elf64_Shdr candidate;
        if (!sections.read(i, candidate)) return problem("section headers lie outside the module");
        if (!sections.named(names, candidate, ".modinfo")) continue;
        if (!sections.inside(candidate)) return problem(".modinfo lies outside the module");
        return values_of(sections.data(candidate), key);
    }
    return std::vector<std::string>{};  // no .modinfo: nothing to report
}

}  // namespace hal::pack
