// libarchive newc writer (to memory) with fixed owners and clamped mtimes; the compressed
// image goes to a temporary file that replaces the output only when complete.
#include "initrd/archive_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>

#include "image/file_io.hpp"

namespace hal::pack {
namespace {

struct ArchiveDeleter {
    void operator()(struct archive* archive) const { archive_write_free(archive); }
};
struct EntryDeleter {
    void operator()(struct archive_entry* entry) const { archive_entry_free(entry); }
};

constexpr size_t kCopyBuffer = 1 << 16;

std::string archive_failure(struct archive* archive, const std::string& what) {
    const char* message = archive_error_string(archive);
    return what + ": " + (message ? message : "libarchive error");
}

class ImageWriter {
public:
    explicit ImageWriter(const ArchiveOptions& options) : options_(options) {}

    // The archive goes to memory, uncompressed: compression is the compressor's job.
    CheckedStatus open(std::string& cpio) {
        archive_.reset(archive_write_new());
        if (!archive_) return problem("archive_write_new failed");
        const auto append = [](struct archive*, void* target, const void* data,
                               size_t size) -> la_ssize_t {
            static_cast<std::string*>(target)->append(static_cast<const char*>(data), size);
            return static_cast<la_ssize_t>(size);
        };
        if (archive_write_set_format_cpio_newc(archive_.get()) != ARCHIVE_OK ||
            archive_write_add_filter_none(archive_.get()) != ARCHIVE_OK ||
            archive_write_set_bytes_per_block(archive_.get(), 0) != ARCHIVE_OK ||
            archive_write_open(archive_.get(), &cpio, nullptr, append, nullptr) != ARCHIVE_OK)
            return problem(archive_failure(archive_.get(), "cannot set up the cpio writer"));
        return done();
    }

    CheckedStatus write(const PlanEntry& planned, int64_t inode) {
        std::unique_ptr<struct archive_entry, EntryDeleter> entry(archive_entry_new());
        // cpio paths are relative: drop the leading '/'.
        archive_entry_set_pathname(entry.get(), planned.image_path.c_str() + 1);
        archive_entry_set_uid(entry.get(), 0);
        archive_entry_set_gid(entry.get(), 0);
        archive_entry_set_ino64(entry.get(), inode);
        archive_entry_set_mtime(entry.get(), generated_mtime(), 0);
        archive_entry_set_size(entry.get(), 0);
        const int source = TRY(describe(planned, entry.get()));
        archive_entry_set_perm(entry.get(), planned.mode & 07777);
        CheckedStatus written = done();
        if (archive_write_header(archive_.get(), entry.get()) != ARCHIVE_OK)
            written = problem(archive_failure(archive_.get(), planned.image_path));
        else if (planned.kind == PlanEntry::Kind::kFile)
            written = source >= 0
                          ? copy_data(source, planned)
                          : write_data(planned.content.data(), planned.content.size(), planned);
        if (source >= 0) ::close(source);
        return written;
    }

    CheckedStatus close() {
        if (archive_write_close(archive_.get()) != ARCHIVE_OK)
            return problem(archive_failure(archive_.get(), "cannot finish the archive"));
        return done();
    }

private:
    // The entry's type and size; for a host file, its open descriptor (else -1).
    Checked<int> describe(const PlanEntry& planned, struct archive_entry* entry) {
        switch (planned.kind) {
            case PlanEntry::Kind::kDirectory:
                archive_entry_set_filetype(entry, AE_IFDIR);
                archive_entry_set_nlink(entry, 2);
                return -1;
            case PlanEntry::Kind::kSymlink:
                archive_entry_set_filetype(entry, AE_IFLNK);
                archive_entry_set_symlink(entry, planned.content.c_str());
                archive_entry_set_nlink(entry, 1);
                return -1;
            case PlanEntry::Kind::kCharDevice:
                archive_entry_set_filetype(entry, AE_IFCHR);
                archive_entry_set_rdevmajor(entry, planned.major);
                archive_entry_set_rdevminor(entry, planned.minor);
                archive_entry_set_nlink(entry, 1);
                return -1;
            case PlanEntry::Kind::kFile: break;
        }
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_nlink(entry, 1);
        if (planned.host_path.empty()) {
            archive_entry_set_size(entry, static_cast<la_int64_t>(planned.content.size()));
            return -1;
        }
        const int source = ::open(planned.host_path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat info;
        if (source < 0 || ::fstat(source, &info) != 0) {
            const std::string message = planned.host_path + ": " + std::strerror(errno);
            if (source >= 0) ::close(source);
            return problem(message);
        }
        archive_entry_set_size(entry, info.st_size);
        archive_entry_set_mtime(entry, clamped(info.st_mtime), 0);
        return source;
    }

    int64_t clamped(int64_t mtime) const {
        return options_.source_date_epoch && mtime > *options_.source_date_epoch
                   ? *options_.source_date_epoch
                   : mtime;
    }
    int64_t generated_mtime() const {
        return options_.source_date_epoch ? *options_.source_date_epoch
                                          : static_cast<int64_t>(std::time(nullptr));
    }

    CheckedStatus write_data(const char* data, size_t size, const PlanEntry& planned) {
        if (size == 0) return done();
        if (archive_write_data(archive_.get(), data, size) != static_cast<la_ssize_t>(size))
            return problem(archive_failure(archive_.get(), planned.image_path));
        return done();
    }

    CheckedStatus copy_data(int source, const PlanEntry& planned) {
        std::unique_ptr<char[]> buffer(new char[kCopyBuffer]);
        while (true) {
            const ssize_t got = ::read(source, buffer.get(), kCopyBuffer);
            if (got < 0) {
                if (errno == EINTR) continue;
                return problem(planned.host_path + ": read: " + std::strerror(errno));
            }
            if (got == 0) return done();
            TRY(write_data(buffer.get(), static_cast<size_t>(got), planned));
        }
    }

    const ArchiveOptions& options_;
    std::unique_ptr<struct archive, ArchiveDeleter> archive_;
};

// A temporary file beside `output`, written, given its mode and synced.
Checked<std::string> write_temporary(const std::string& bytes, const std::string& output) {
    std::string temporary = output + ".tmp.XXXXXX";
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0)
        return problem("cannot create a temporary file beside " + output + ": " +
                       std::strerror(errno));
    std::string failure;
    if (!write_all(fd, bytes))
        failure = temporary + ": write: " + std::strerror(errno);
    else if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0)
        failure = temporary + ": " + std::strerror(errno);
    ::close(fd);
    if (failure.empty()) return temporary;
    ::unlink(temporary.c_str());
    return problem(failure);
}

}  // namespace

Checked<std::string> build_cpio(const std::vector<PlanEntry>& entries,
                                const ArchiveOptions& options, int64_t first_inode) {
    std::string cpio;
    ImageWriter writer(options);
    TRY(writer.open(cpio));
    int64_t inode = first_inode;
    for (const auto& entry : entries) TRY(writer.write(entry, inode++));
    TRY(writer.close());
    return cpio;
}

CheckedStatus write_file_atomically(const std::string& bytes, const std::string& output) {
    const std::string temporary = TRY(write_temporary(bytes, output));
    if (::rename(temporary.c_str(), output.c_str()) != 0) {
        const std::string message =
            "cannot rename " + temporary + " to " + output + ": " + std::strerror(errno);
        ::unlink(temporary.c_str());
        return problem(message);
    }
    // The rename itself reaches the disk before we say the image is written.
    const size_t slash = output.rfind('/');
    const std::string directory = slash == std::string::npos ? "."
                                  : slash == 0               ? "/"
                                                             : output.substr(0, slash);
    const int directory_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd >= 0) {
        ::fsync(directory_fd);
        ::close(directory_fd);
    }
    return done();
}

ImageArchives split_stored(const std::vector<PlanEntry>& entries, Compression compression) {
    ImageArchives archives;
    std::set<std::string> leading_directories;
    if (compression != Compression::kNone)
        for (const auto& entry : entries) {
            if (!entry.stored) continue;
            for (size_t slash = entry.image_path.find('/', 1); slash != std::string::npos;
                 slash = entry.image_path.find('/', slash + 1))
                leading_directories.insert(entry.image_path.substr(0, slash));
        }
    // `entries` is in path order, parents first: each part keeps that order.
    for (const auto& entry : entries) {
        const bool leading = compression != Compression::kNone &&
                             (entry.stored || (entry.kind == PlanEntry::Kind::kDirectory &&
                                               leading_directories.count(entry.image_path)));
        (leading ? archives.leading : archives.compressed).push_back(entry);
    }
    return archives;
}

CheckedStatus write_image(const std::vector<PlanEntry>& entries, const std::string& output,
                          const ArchiveOptions& options) {
    const ImageArchives archives = split_stored(entries, options.compression.algorithm);
    std::string image = options.early;
    if (!archives.leading.empty()) image += TRY(build_cpio(archives.leading, options));
    const std::string cpio = TRY(build_cpio(archives.compressed, options,
                                            static_cast<int64_t>(archives.leading.size()) + 1));
    image += TRY(compress(cpio, options.compression));
    return write_file_atomically(image, output);
}

}  // namespace hal::pack
