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

// The whole stream at the start of `bytes`, decompressed by whichever filter recognises it;
// `compression` names the filter.
CheckedStatus decompress(std::string_view bytes, std::string& output, std::string& compression) {
    std::unique_ptr<struct archive, ReaderDeleter> reader(archive_read_new());
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_raw(reader.get());
    struct archive_entry* entry = nullptr;
    if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK ||
        archive_read_next_header(reader.get(), &entry) != ARCHIVE_OK) {
        const char* message = archive_error_string(reader.get());
        return problem(std::string("not a cpio archive or a compressed stream (") +
                       (message ? message : "unknown format") + ")");
    }
    compression =
        archive_filter_count(reader.get()) > 1 ? archive_filter_name(reader.get(), 0) : "none";
    char buffer[1 << 16];
    while (true) {
        const la_ssize_t got = archive_read_data(reader.get(), buffer, sizeof buffer);
        if (got < 0) {
            const char* message = archive_error_string(reader.get());
            return problem(compression + " stream: " + (message ? message : "read error"));
        }
        if (got == 0) return done();
        output.append(buffer, static_cast<size_t>(got));
    }
}

// Archives one after another in a decompressed stream, to its end.
CheckedStatus read_archives(std::string_view bytes, ImageSegment& segment) {
    size_t offset = 0;
    while (offset < bytes.size() && bytes.substr(offset, 6) == "070701") {
        CpioArchive archive = TRY(read_cpio(bytes, offset));
        for (auto& entry : archive.entries) segment.entries.push_back(std::move(entry));
        offset = skip_padding(bytes, archive.end);
    }
    segment.archive_bytes = offset;
    if (offset < bytes.size())
        return problem("data after the last archive at byte " + std::to_string(offset) +
                       " is not a cpio archive");
    return done();
}

// Uncompressed archives first (early microcode, or the whole image with --compress none), one
// segment each; returns where they end.
Checked<size_t> read_plain_segments(std::string_view bytes, ImageContents& image) {
    size_t offset = skip_padding(bytes, 0);
    while (offset < bytes.size() && bytes.substr(offset, 6) == "070701") {
        ImageSegment plain;
        plain.compression = "none";
        const size_t start = offset;
        CpioArchive archive = TRY(read_cpio(bytes, offset));
        plain.entries = std::move(archive.entries);
        offset = skip_padding(bytes, archive.end);
        plain.stored_bytes = plain.archive_bytes = offset - start;
        image.segments.push_back(std::move(plain));
    }
    return offset;
}

CheckedStatus read_compressed_segment(std::string_view bytes, ImageContents& image) {
    image.buffers.emplace_back();
    ImageSegment compressed;
    TRY(decompress(bytes, image.buffers.back(), compressed.compression));
    compressed.stored_bytes = bytes.size();
    const auto archives = read_archives(image.buffers.back(), compressed);
    if (!archives.ok())
        return problem("in the " + compressed.compression + " stream: " + archives.error().message);
    if (compressed.entries.empty())
        return problem("the " + compressed.compression + " stream holds no cpio archive");
    image.segments.push_back(std::move(compressed));
    return done();
}

CheckedStatus read_segments(ImageContents& image) {
    const std::string_view bytes = image.file;
    const size_t offset = TRY(read_plain_segments(bytes, image));
    if (offset < bytes.size()) return read_compressed_segment(bytes.substr(offset), image);
    if (image.segments.empty()) return problem("empty, not an initramfs");
    return done();
}

}  // namespace

CheckedStatus read_initramfs(const std::string& path, ImageContents& image) {
    image.file = TRY(read_whole_file(path));
    const auto read = read_segments(image);
    if (!read.ok()) return problem(path + ": " + read.error().message);
    return done();
}

}  // namespace hal::pack
