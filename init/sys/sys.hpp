// The only place hal-init makes system calls: one thin wrapper each, errors as Result.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace hal::sys {

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
// Opens a block device or file read-only, with O_DIRECT when `direct` (EINVAL: not supported).
Result<int> open_read_only(const char* path, bool direct);
// A symbolic link's target (readlink(2)) into `buffer`, NUL-terminated.
Status read_link(const char* path, char* buffer, size_t capacity);
// The canonical path (realpath(3)) into `buffer`.
Status resolve_path(const char* path, char* buffer, size_t capacity);
Result<uint64_t> file_size(int fd);
// Copies a file to `target` (created or truncated, mode 0600), with fsync.
Status copy_file(const char* source, const char* target);
// Replaces `target` by `source` atomically (rename(2)), then syncs the directory holding it.
Status replace_file(const char* source, const char* target);
Status make_directories(const char* path, unsigned mode);  // mkdir -p

// Calls visit(name) for each entry of a directory except "." and "..".
template <class Visit>
Status for_each_entry(const char* directory, Visit&& visit);

Status make_char_or_block_node(const char* path, bool block, unsigned major, unsigned minor, unsigned mode);
Status make_symlink(const char* target, const char* path);  // an existing link is fine

// A non-blocking NETLINK_KOBJECT_UEVENT socket bound to the kernel's multicast group.
Result<int> open_uevent_socket();
// One datagram into `buffer`; 0 when none is pending. Truncated datagrams are discarded.
Result<size_t> receive_datagram(int fd, char* buffer, size_t capacity);
Status make_directory(const char* path, unsigned mode);  // an existing directory is fine
inline constexpr unsigned long kMountReadOnly = 1;  // MS_RDONLY
Status mount_filesystem(const char* source, const char* target, const char* type, unsigned long flags,
                        const char* options);
Status unmount_detached(const char* target);  // umount2(MNT_DETACH)
Status unmount(const char* target);           // umount2(0): the filesystem is clean afterwards
Status remount_read_write(const char* target); // MS_REMOUNT of a read-only mount

// finit_module(2) on an open file; EEXIST (already loaded) counts as success.
Status load_module(const char* path);

Result<const char*> kernel_release();  // uname -r

// Blocks every signal except the synchronous fault signals and returns a signalfd for the
// ones hal-init handles. Children get the default mask back in spawn().
Result<int> block_signals();
// Reads one signal number from the signalfd; 0 when none is pending.
Result<int> read_signal(int signal_fd);
// Ctrl-Alt-Del becomes SIGINT for PID 1 instead of an immediate reboot.
void disable_ctrl_alt_del();

// fork + execve with the default signal mask and dispositions and only fds 0-2 open, plus
// `passed` (count of them), which the program finds as fds 3, 4, ... in that order.
Result<pid_t> spawn(char* const* argv, char* const* envp, const int* passed = nullptr, size_t count = 0);
Status send_signal(pid_t pid, int signal);
// spawn() with stdin, stdout and stderr on `terminal` as the child's controlling terminal.
Result<pid_t> spawn_on_terminal(char* const* argv, char* const* envp, const char* terminal);
// Opens `path` without waiting for a carrier and asks for its terminal settings: ok for a
// usable serial port; EIO/ENXIO for a port without hardware, ENOTTY for what is no terminal.
Status check_terminal(const char* path);
// A connected pair of datagram-like (SOCK_SEQPACKET) unix sockets, close-on-exec.
Status socket_pair(int (&fds)[2]);

// A non-blocking connection to a unix stream socket.
Result<int> connect_unix(const char* path);
// read(2) of what is available: 0 at end of file, EAGAIN when nothing is pending.
Result<size_t> read_some(int fd, char* buffer, size_t capacity);
Status remove_file(const char* path);  // a missing file is fine

// The KEY_* capability bits of an evdev device (EVIOCGBIT(EV_KEY)).
Status input_key_bits(int fd, unsigned char* bits, size_t size);

// poll(2) on several descriptors; `ready[i]` tells which are readable. A negative timeout
// waits forever. Returns false on timeout.
Result<bool> wait_any(const int* fds, bool* ready, size_t count, int timeout_ms);

// poll(2) for readability; false on timeout. A negative timeout waits forever.
Result<bool> wait_readable(int fd, int timeout_ms);

struct ChildExit {
    pid_t pid = 0;     // 0: no child has exited (yet)
    int status = 0;    // waitpid status word
};
// One waitpid(-1, WNOHANG); ECHILD when no child is left.
Result<ChildExit> reap_child();

uint64_t monotonic_ms();
uint64_t monotonic_us();
uint64_t process_cpu_us();  // this process's user + system time (getrusage)
void sleep_ms(uint32_t milliseconds);

void sync_disks();

// Puts the foreground VT back in text mode (a no-op when it is): after hal-display ended
// without closing its fbdev screen (killed), the console must show again.
void console_text_mode();
// reboot(2) with RB_POWER_OFF / RB_AUTOBOOT; returns only when the call failed.
Status power_off();
Status restart_host();

// Directory iteration is in the header so the visitor inlines; it only uses these two calls.
struct DirectoryHandle;
DirectoryHandle* open_directory(const char* path);
const char* next_entry(DirectoryHandle* directory);  // nullptr at the end
void close_directory(DirectoryHandle* directory);

template <class Visit>
Status for_each_entry(const char* directory, Visit&& visit) {
    DirectoryHandle* handle = open_directory(directory);
    if (!handle) return error_from_errno("opendir");
    while (const char* name = next_entry(handle)) visit(name);
    close_directory(handle);
    return ok_status();
}

}  // namespace hal::sys
