// Files, directories and links: one thin wrapper per system call, errors as Result.
//
// Every absolute path these wrappers touch is taken below a root directory, "" (the real
// root) unless a unit test points it at a fixture tree with set_root(): sysfs, procfs and
// /dev then come from files the test wrote.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/result.hpp"

namespace hal::sys {

// Tests only: the directory absolute paths are resolved below ("" for the real root).
void set_root(const char* directory);
const char* root();

enum OpenMode { kReadOnly, kReadOnlyNonBlocking, kWriteOnly, kReadWrite, kCreateTruncate };

Result<int> open_file(const char* path, OpenMode mode);
void close_fd(int fd);
Status write_all(int fd, const char* data, size_t size);

// Reads a whole file (including /proc files, whose size is unknown) into `buffer` and
// NUL-terminates it. EFBIG when it does not fit.
Result<size_t> read_file(const char* path, char* buffer, size_t capacity);
// Reads at most capacity-1 bytes; for files of which only the beginning matters.
Result<size_t> read_file_prefix(const char* path, char* buffer, size_t capacity);
Status write_file(const char* path, std::string_view content);

bool path_exists(const char* path);
bool is_directory(const char* path);

// pread(2) until `size` bytes or end of file; returns how many were read.
Result<size_t> read_at(int fd, uint64_t offset, void* buffer, size_t size);
// pwrite(2) of all `size` bytes, then fdatasync(2).
Status write_at_and_sync(int fd, uint64_t offset, const void* data, size_t size);
// A file's filesystem block size (ioctl FIGETBSZ) and where its `logical` block lies on the
// device, in those blocks (ioctl FIBMAP; 0: a hole). Both need root.
Result<uint32_t> filesystem_block_size(int fd);
Result<uint64_t> physical_block(int fd, uint64_t logical);
// Opens a block device or file read-only, with O_DIRECT when `direct` (EINVAL: not supported).
Result<int> open_read_only(const char* path, bool direct);
// A symbolic link's target (readlink(2)) into `buffer`, NUL-terminated.
Status read_link(const char* path, char* buffer, size_t capacity);
// The canonical path (realpath(3)) into `buffer`, as seen from the root.
Status resolve_path(const char* path, char* buffer, size_t capacity);
Result<uint64_t> file_size(int fd);
// Copies a file to `target` (created or truncated, mode 0600), with fsync.
Status copy_file(const char* source, const char* target);
// Replaces `target` by `source` atomically (rename(2)), then syncs the directory holding it.
Status replace_file(const char* source, const char* target);
Status make_directories(const char* path, unsigned mode);   // mkdir -p
Status make_directory(const char* path, unsigned mode);     // an existing directory is fine
Status remove_file(const char* path);                       // a missing file is fine
Status make_symlink(const char* target, const char* path);  // an existing link is fine
Status make_char_or_block_node(const char* path, bool block, unsigned major, unsigned minor,
                               unsigned mode);

// Directory iteration is in the header so the visitor inlines; it only uses these calls.
struct DirectoryHandle;
DirectoryHandle* open_directory(const char* path);
const char* next_entry(DirectoryHandle* directory);  // nullptr at the end
void close_directory(DirectoryHandle* directory);

// Calls visit(name) for each entry of a directory except "." and "..".
template <class Visit>
Status for_each_entry(const char* directory, Visit&& visit) {
    DirectoryHandle* handle = open_directory(directory);
    if (!handle) return error_from_errno("opendir");
    while (const char* name = next_entry(handle)) visit(name);
    close_directory(handle);
    return ok_status();
}

}  // namespace hal::sys
