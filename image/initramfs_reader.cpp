// Image segments: newc archives read in place, compressed streams through libarchive's filters.
#include "image/initramfs_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "image/file_io.hpp"

namespace hal::pack {
namespace {

struct ReaderDeleter {
    void operator()(struct archive* archive) const { archive_read_free(archive); }
};

// The whole stream at the start of `bytes`, decompressed by whichever filter recognises it.
bool decompress(std::string_view bytes, std::string& output, std::string& compression, std::string& error) {
    std::unique_ptr<struct archive, ReaderDeleter> reader(archive_read_new());
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_raw(reader.get());
    struct archive_entry* entry = nullptr;
    if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK ||
        archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK) {
        const char* message = archive_error_string(reader.get());
        error = std::string("not a cpio archive or a compressed stream (") + (message ? message : "unknown format") + ")";
        return false;
    }
    compression = archive_filter_count(reader.get()) > 1 ? archive_filter_name(reader.get(), 0) : "none";
    char buffer[1 << 16];
    while (true) {
        const la_ssize_t got = archive_read_data(reader.get(), buffer, sizeof buffer);
        if (got < 0) {
            const char* message = archive_error_string(reader.get());
            error = compression + " stream: " + (message ? message : "read error");
            return false;
        }
        if (got == 0) return true;
        output.append(buffer, static_cast<size_t>(got));
    }
}

// Archives one after another in a decompressed stream from `offset` to its end.
bool read_archives(std::string_view bytes, size_t& offset, ImageSegment& segment, std::string& error) {
    const size_t start = offset;
    while (offset < bytes.size() && bytes.substr(offset, 6) == "070701") {
        CpioArchive archive;
        if (!read_cpio(bytes, offset, archive, error)) return false;
        for (auto& entry : archive.entries) segment.entries.push_back(std::move(entry));
        offset = skip_padding(bytes, archive.end);
    }
    segment.archive_bytes = offset - start;
    if (offset < bytes.size()) {
        error = "data after the last archive at byte " + std::to_string(offset) + " is not a cpio archive";
        return false;
    }
    return true;
}

}  // namespace

bool read_initramfs(const std::string& path, ImageContents& image, std::string& error) {
    if (!read_whole_file(path, image.file, error)) return false;
    const std::string_view bytes = image.file;
    size_t offset = skip_padding(bytes, 0);
    // Uncompressed archives first (early microcode, or the whole image with --compress none),
    // one segment each.
    while (offset < bytes.size() && bytes.substr(offset, 6) == "070701") {
        ImageSegment plain;
        plain.compression = "none";
        const size_t start = offset;
        CpioArchive archive;
        if (!read_cpio(bytes, offset, archive, error)) {
            error = path + ": " + error;
            return false;
        }
        plain.entries = std::move(archive.entries);
        offset = skip_padding(bytes, archive.end);
        plain.stored_bytes = plain.archive_bytes = offset - start;
        image.segments.push_back(std::move(plain));
    }
    if (offset >= bytes.size()) {
        if (image.segments.empty()) error = path + ": empty, not an initramfs";
        return !image.segments.empty();
    }
    image.buffers.emplace_back();
    ImageSegment compressed;
    if (!decompress(bytes.substr(offset), image.buffers.back(), compressed.compression, error)) {
        error = path + ": " + error;
        return false;
    }
    compressed.stored_bytes = bytes.size() - offset;
    size_t inner = 0;
    if (!read_archives(image.buffers.back(), inner, compressed, error)) {
        error = path + ": in the " + compressed.compression + " stream: " + error;
        return false;
    }
    if (compressed.entries.empty()) {
        error = path + ": the " + compressed.compression + " stream holds no cpio archive";
        return false;
    }
    image.segments.push_back(std::move(compressed));
    return true;
}

}  // namespace hal::pack
