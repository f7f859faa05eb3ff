// File, directory and link wrappers, each below the root set_root() chose.
#include "base/sys/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hal::sys {
namespace {

char g_root[PATH_MAX] = "";
size_t g_root_size = 0;

// `path` below the root: itself when the root is "/" or the path is relative.
class Rooted {
public:
    explicit Rooted(const char* path) {
        if (g_root_size == 0 || path[0] != '/') {
            path_ = path;
            return;
        }
        const size_t size = std::strlen(path);
        if (g_root_size + size >= sizeof buffer_) {
            path_ = "/nonexistent-path-too-long";
            return;
        }
        std::memcpy(buffer_, g_root, g_root_size);
        std::memcpy(buffer_ + g_root_size, path, size + 1);
        path_ = buffer_;
    }
    operator const char*() const { return path_; }

private:
    char buffer_[PATH_MAX];
    const char* path_;
};

// Reads until EOF or until the buffer (less the terminator) is full; `full` reports the latter.
Result<size_t> read_into(const char* path, char* buffer, size_t capacity, bool& full) {
    const int fd = TRY(open_file(path, kReadOnly));
    size_t used = 0;
    full = false;
    while (true) {
        if (used + 1 >= capacity) {
            full = true;
            break;
        }
        const ssize_t got = ::read(fd, buffer + used, capacity - 1 - used);
        if (got < 0) {
            if (errno == EINTR) continue;
            const Error error = error_from_errno("read");
            ::close(fd);
            return error;
        }
        if (got == 0) break;
        used += static_cast<size_t>(got);
    }
    if (full) {
        // Full buffer: it fits only if the file ends exactly here.
        char probe;
        ssize_t more;
        do more = ::read(fd, &probe, 1);
        while (more < 0 && errno == EINTR);
        full = more != 0;
    }
    ::close(fd);
    buffer[used] = '\0';
    return used;
}

}  // namespace

void set_root(const char* directory) {
    g_root_size = std::strlen(directory);
    if (g_root_size >= sizeof g_root) g_root_size = 0;
    std::memcpy(g_root, directory, g_root_size);
    g_root[g_root_size] = '\0';
}

const char* root() { return g_root; }

Result<int> open_file(const char* path, OpenMode mode) {
    const int flags = mode == kReadOnly              ? O_RDONLY
                      : mode == kReadOnlyNonBlocking ? O_RDONLY | O_NONBLOCK
                      : mode == kWriteOnly           ? O_WRONLY
                      : mode == kReadWrite           ? O_RDWR
                                                     : O_WRONLY | O_CREAT | O_TRUNC;
    // O_NOCTTY: a terminal opened by PID 1 (a session leader) never becomes its controlling one.
    const int fd = ::open(Rooted(path), flags | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0) return error_from_errno("open");
    return fd;
}

void close_fd(int fd) {
    if (fd >= 0) ::close(fd);
}

Status write_all(int fd, const char* data, size_t size) {
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0) {
            if (errno == EINTR) continue;
            return error_from_errno("write");
        }
        data += written;
        size -= static_cast<size_t>(written);
    }
    return ok_status();
}

Result<size_t> read_file(const char* path, char* buffer, size_t capacity) {
    bool full = false;
    const size_t size = TRY(read_into(path, buffer, capacity, full));
    if (full) return Error{"read (file larger than buffer)", EFBIG};
    return size;
}

Result<size_t> read_file_prefix(const char* path, char* buffer, size_t capacity) {
    bool full = false;
    return read_into(path, buffer, capacity, full);
}

Status write_file(const char* path, std::string_view content) {
    const int fd = TRY(open_file(path, kWriteOnly));
    const Status status = write_all(fd, content.data(), content.size());
    ::close(fd);
    return status;
}

bool path_exists(const char* path) {
    struct stat info;
    return ::stat(Rooted(path), &info) == 0;
}

bool is_directory(const char* path) {
    struct stat info;
    return ::stat(Rooted(path), &info) == 0 && S_ISDIR(info.st_mode);
}

Result<size_t> read_at(int fd, uint64_t offset, void* buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t got = ::pread(fd, static_cast<char*>(buffer) + done, size - done,
                                    static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            return error_from_errno("pread");
        }
        if (got == 0) break;
        done += static_cast<size_t>(got);
    }
    return done;
}

// <linux/fs.h>'s FIBMAP and FIGETBSZ (_IO(0x00, 1) and _IO(0x00, 2)), without its clashes.
constexpr unsigned long kMapBlock = 1;
constexpr unsigned long kGetBlockSize = 2;

Status write_at_and_sync(int fd, uint64_t offset, const void* data, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t put = ::pwrite(fd, static_cast<const char*>(data) + done, size - done,
                                     static_cast<off_t>(offset + done));
        if (put < 0) {
            if (errno == EINTR) continue;
            return error_from_errno("pwrite");
        }
        done += static_cast<size_t>(put);
    }
    if (::fdatasync(fd) != 0) return error_from_errno("fdatasync");
    return ok_status();
}

Result<uint32_t> filesystem_block_size(int fd) {
    int size = 0;
    if (::ioctl(fd, kGetBlockSize, &size) != 0) return error_from_errno("ioctl(FIGETBSZ)");
    if (size <= 0) return Error{"ioctl(FIGETBSZ)", EINVAL};
    return static_cast<uint32_t>(size);
}

Result<uint64_t> physical_block(int fd, uint64_t logical) {
    int block = static_cast<int>(logical);
    if (::ioctl(fd, kMapBlock, &block) != 0) return error_from_errno("ioctl(FIBMAP)");
    return static_cast<uint64_t>(static_cast<unsigned>(block));
}

Result<int> open_read_only(const char* path, bool direct) {
    const int fd = ::open(Rooted(path), O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
    if (fd < 0) return error_from_errno(direct ? "open(O_DIRECT)" : "open");
    return fd;
}

Status read_link(const char* path, char* buffer, size_t capacity) {
    const ssize_t length = ::readlink(Rooted(path), buffer, capacity - 1);
    if (length < 0) return error_from_errno("readlink");
    if (static_cast<size_t>(length) >= capacity - 1)
        return Error{"readlink (too long)", ENAMETOOLONG};
    buffer[length] = '\0';
    return ok_status();
}

Status resolve_path(const char* path, char* buffer, size_t capacity) {
    char resolved[PATH_MAX];
    if (!::realpath(Rooted(path), resolved)) return error_from_errno("realpath");
    // Seen from the root: a fixture tree's prefix is not part of the answer.
    const char* seen = resolved;
    if (g_root_size > 0 && std::strncmp(resolved, g_root, g_root_size) == 0) seen += g_root_size;
    if (std::strlen(seen) >= capacity) return Error{"realpath (too long)", ENAMETOOLONG};
    std::strcpy(buffer, seen);
    return ok_status();
}

Result<uint64_t> file_size(int fd) {
    struct stat info;
    if (::fstat(fd, &info) != 0) return error_from_errno("fstat");
    return static_cast<uint64_t>(info.st_size);
}

Status copy_file(const char* source, const char* target) {
    const int in = TRY(open_file(source, kReadOnly));
    const int out = ::open(Rooted(target), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        const Error error = error_from_errno("open (create)");
        ::close(in);
        return error;
    }
    static char buffer[64 * 1024];
    Status status = ok_status();
    while (true) {
        const ssize_t got = ::read(in, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            status = error_from_errno("read");
            break;
        }
        if (got == 0) break;
        status = write_all(out, buffer, static_cast<size_t>(got));
        if (!status.ok()) break;
    }
    if (status.ok() && ::fsync(out) != 0) status = error_from_errno("fsync");
    ::close(in);
    if (::close(out) != 0 && status.ok()) status = error_from_errno("close");
    return status;
}

Status replace_file(const char* source, const char* target) {
    const Rooted rooted_target(target);
    if (::rename(Rooted(source), rooted_target) != 0) return error_from_errno("rename");
    char directory[PATH_MAX];
    std::strncpy(directory, rooted_target, sizeof directory - 1);
    directory[sizeof directory - 1] = '\0';
    char* slash = std::strrchr(directory, '/');
    if (slash == directory)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    const int fd = ::open(slash ? directory : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return error_from_errno("open directory");
    const int synced = ::fsync(fd);
    ::close(fd);
    if (synced != 0) return error_from_errno("fsync directory");
    return ok_status();
}

Status make_directories(const char* path, unsigned mode) {
    char partial[PATH_MAX];
    const size_t length = std::strlen(path);
    if (length >= sizeof partial) return Error{"mkdir (path too long)", ENAMETOOLONG};
    for (size_t i = 1; i <= length; ++i) {
        if (path[i] != '/' && path[i] != '\0') continue;
        std::memcpy(partial, path, i);
        partial[i] = '\0';
        if (::mkdir(Rooted(partial), mode) != 0 && errno != EEXIST)
            return error_from_errno("mkdir");
    }
    return ok_status();
}

Status make_directory(const char* path, unsigned mode) {
    if (::mkdir(Rooted(path), mode) == 0 || errno == EEXIST) return ok_status();
    return error_from_errno("mkdir");
}

Status remove_file(const char* path) {
    if (::unlink(Rooted(path)) == 0 || errno == ENOENT) return ok_status();
    return error_from_errno("unlink");
}

Status make_symlink(const char* target, const char* path) {
    if (::symlink(target, Rooted(path)) == 0 || errno == EEXIST) return ok_status();
    return error_from_errno("symlink");
}

Status make_char_or_block_node(const char* path, bool block, unsigned major, unsigned minor,
                               unsigned mode) {
    if (::mknod(Rooted(path), (block ? S_IFBLK : S_IFCHR) | mode, makedev(major, minor)) == 0 ||
        errno == EEXIST)
        return ok_status();
    return error_from_errno("mknod");
}

DirectoryHandle* open_directory(const char* path) {
    return reinterpret_cast<DirectoryHandle*>(::opendir(Rooted(path)));
}

const char* next_entry(DirectoryHandle* directory) {
    DIR* dir = reinterpret_cast<DIR*>(directory);
    while (struct dirent* entry = ::readdir(dir)) {
        const char* name = entry->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
        return name;
    }
    return nullptr;
}

void close_directory(DirectoryHandle* directory) { ::closedir(reinterpret_cast<DIR*>(directory)); }

}  // namespace hal::sys
