// The only place hal-init makes system calls: one thin wrapper each, errors as Result.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/result.hpp"

namespace hal::sys {

enum OpenMode { kReadOnly, kWriteOnly, kReadWrite };

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
Status make_directory(const char* path, unsigned mode);  // an existing directory is fine
Status mount_filesystem(const char* source, const char* target, const char* type, unsigned long flags,
                        const char* options);

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

// fork + execve with the default signal mask and dispositions and only fds 0-2 open.
Result<pid_t> spawn(char* const* argv, char* const* envp);
Status send_signal(pid_t pid, int signal);

// poll(2) for readability; false on timeout. A negative timeout waits forever.
Result<bool> wait_readable(int fd, int timeout_ms);

struct ChildExit {
    pid_t pid = 0;     // 0: no child has exited (yet)
    int status = 0;    // waitpid status word
};
// One waitpid(-1, WNOHANG); ECHILD when no child is left.
Result<ChildExit> reap_child();

uint64_t monotonic_ms();
void sleep_ms(uint32_t milliseconds);

void sync_disks();
// reboot(2) with RB_POWER_OFF / RB_AUTOBOOT; returns only when the call failed.
Status power_off();
Status restart_host();

}  // namespace hal::sys
