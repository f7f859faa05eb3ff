// Unit tests for module decompression and .modinfo firmware extraction.
#include <doctest/doctest.h>

#include <elf.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <string>
#include <vector>

#include "image/module_file.hpp"
#include "tests/unit/support.hpp"

using namespace hal::pack;

namespace {

// A minimal ELF64 relocatable object: a NULL section, .modinfo and .shstrtab.
std::string module_with_modinfo(const std::string& modinfo) {
    const std::string names = std::string("\0.modinfo\0.shstrtab\0", 20);
    Elf64_Ehdr header{};
    std::memcpy(header.e_ident, ELFMAG, SELFMAG);
    header.e_ident[EI_CLASS] = ELFCLASS64;
    header.e_ident[EI_DATA] = ELFDATA2LSB;
    header.e_ident[EI_VERSION] = EV_CURRENT;
    header.e_type = ET_REL;
    header.e_machine = EM_X86_64;
    header.e_ehsize = sizeof header;
    header.e_shentsize = sizeof(Elf64_Shdr);
    header.e_shnum = 3;
    header.e_shstrndx = 2;
    const size_t modinfo_offset = sizeof header;
    const size_t names_offset = modinfo_offset + modinfo.size();
    header.e_shoff = names_offset + names.size();
    Elf64_Shdr sections[3]{};
    sections[1].sh_name = 1;
    sections[1].sh_type = SHT_PROGBITS;
    sections[1].sh_offset = modinfo_offset;
    sections[1].sh_size = modinfo.size();
    sections[2].sh_name = 10;
    sections[2].sh_type = SHT_STRTAB;
    sections[2].sh_offset = names_offset;
    sections[2].sh_size = names.size();
    std::string elf(reinterpret_cast<const char*>(&header), sizeof header);
    elf += modinfo + names;
    elf.append(reinterpret_cast<const char*>(sections), sizeof sections);
    return elf;
}

std::string gzip_of(const std::string& data) {
    z_stream stream{};
    REQUIRE(deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&stream, data.size()) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = data.size();
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = out.size();
    REQUIRE(deflate(&stream, Z_FINISH) == Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

std::string xz_of(const std::string& data) {
    std::string out(lzma_stream_buffer_bound(data.size()), '\0');
    size_t position = 0;
    REQUIRE(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, nullptr,
                                    reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                                    reinterpret_cast<uint8_t*>(out.data()), &position,
                                    out.size()) == LZMA_OK);
    out.resize(position);
    return out;
}

std::string zstd_of(const std::string& data) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    const size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
    REQUIRE_FALSE(ZSTD_isError(size));
    out.resize(size);
    return out;
}

}  // namespace

TEST_CASE("module file: .modinfo firmware entries -> all of them, other keys ignored") {
    const std::string elf = module_with_modinfo(std::string(
        "license=GPL\0firmware=e100/d101m_ucode.bin\0alias=pci:v*\0firmware=e100/d102e_ucode.bin\0",
        85));
    CHECK(hal::test::checked(modinfo_values(elf, "firmware")) ==
          std::vector<std::string>{"e100/d101m_ucode.bin", "e100/d102e_ucode.bin"});
}

TEST_CASE("module file: malformed ELF -> error, every truncation refused or read within bounds") {
    const std::string elf = module_with_modinfo(std::string("firmware=x.bin\0", 15));
    CHECK(hal::test::message_of(modinfo_values("not an elf", "firmware")) == "not an ELF64 module");
    for (size_t length = 0; length < elf.size(); ++length) {
        CAPTURE(length);
        const auto values = modinfo_values(elf.substr(0, length), "firmware");
        // A cut module either says what is wrong or yields no more than the whole one holds.
        if (values.ok())
            CHECK(values.value().size() <= 1);
        else
            CHECK_FALSE(values.error().message.empty());
    }
}

TEST_CASE("module file: gzip, xz and zstd -> the original bytes") {
    std::string original;
    for (int i = 0; i < 100000; ++i) original += static_cast<char>((i * 7) % 251);
    CHECK(hal::test::checked(gunzip(gzip_of(original))) == original);
    CHECK(hal::test::checked(unxz(xz_of(original))) == original);
    CHECK(hal::test::checked(unzstd(zstd_of(original))) == original);
}

TEST_CASE("module file: truncated compressed data -> error, not a short module") {
    const std::string original(50000, 'm');
    for (const auto& [name, compressed] :
         {std::pair<const char*, std::string>{"gz", gzip_of(original)},
          {"xz", xz_of(original)},
          {"zst", zstd_of(original)}}) {
        CAPTURE(name);
        const std::string cut = compressed.substr(0, compressed.size() / 2);
        const auto output = std::string(name) == "gz"   ? gunzip(cut)
                            : std::string(name) == "xz" ? unxz(cut)
                                                        : unzstd(cut);
        CHECK(hal::test::message_of(output).find("corrupt or truncated") != std::string::npos);
    }
}

TEST_CASE("module file: module_name_of -> the kernel's name, '-' as '_', any compression") {
    CHECK(module_name_of("kernel/arch/x86/kvm/kvm-intel.ko.xz") == "kvm_intel");
    CHECK(module_name_of("kernel/drivers/block/virtio_blk.ko") == "virtio_blk");
    CHECK(module_name_of("kernel/README") == "");
}

TEST_CASE("module file: plain_module_path -> compression suffix dropped") {
    CHECK(plain_module_path("kernel/a.ko.xz") == "kernel/a.ko");
    CHECK(plain_module_path("kernel/a.ko.zst") == "kernel/a.ko");
    CHECK(plain_module_path("kernel/a.ko.gz") == "kernel/a.ko");
    CHECK(plain_module_path("kernel/a.ko") == "kernel/a.ko");
}
