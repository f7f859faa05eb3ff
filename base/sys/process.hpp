// Processes and signals: spawning children, reaping them, PID 1's signalfd.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

#include "base/result.hpp"

namespace hal::sys {

// Blocks every signal except the synchronous fault signals and returns a signalfd for the
// ones hal-init handles. Children get the default mask back in spawn().
Result<int> block_signals();
// Reads one signal number from the signalfd; 0 when none is pending.
Result<int> read_signal(int signal_fd);

// fork + execve with the default signal mask and dispositions and only fds 0-2 open, plus
// `passed` (count of them), which the program finds as fds 3, 4, ... in that order.
Result<pid_t> spawn(char* const* argv, char* const* envp, const int* passed = nullptr,
                    size_t count = 0);
// spawn() with stdin, stdout and stderr on `terminal` as the child's controlling terminal.
Result<pid_t> spawn_on_terminal(char* const* argv, char* const* envp, const char* terminal);
Status send_signal(pid_t pid, int signal);

struct ChildExit {
    pid_t pid = 0;   // 0: no child has exited (yet)
    int status = 0;  // waitpid status word
};
// One waitpid(-1, WNOHANG); ECHILD when no child is left.
Result<ChildExit> reap_child();

// "exited with status 0" / "killed by signal 9 (Killed)" into `buffer`.
const char* describe_exit(int status, char* buffer, size_t size);

Result<const char*> kernel_release();  // uname -r
uint64_t process_cpu_us();             // this process's user + system time (getrusage)

}  // namespace hal::sys
