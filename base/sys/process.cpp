// fork/execve, waitpid, signalfd, uname, getrusage.
#include "base/sys/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace hal::sys {
namespace {

// Faults must stay deliverable: blocking them makes the kernel kill the process outright.
constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT};

// In a forked child: give back what PID 1 took for itself (blocked signals, dispositions).
// Only async-signal-safe calls.
void restore_signals_in_child() {
    sigset_t none;
    sigemptyset(&none);
    for (int signal = 1; signal < NSIG; ++signal) ::signal(signal, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace

Result<int> block_signals() {
    sigset_t blocked;
    sigfillset(&blocked);
    for (int fault : kFaultSignals) sigdelset(&blocked, fault);
    if (::sigprocmask(SIG_SETMASK, &blocked, nullptr) != 0) return error_from_errno("sigprocmask");
    const int fd = ::signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) return error_from_errno("signalfd");
    return fd;
}

Result<int> read_signal(int signal_fd) {
    struct signalfd_siginfo info;
    const ssize_t got = ::read(signal_fd, &info, sizeof info);
    if (got < 0) {
        if (errno == EAGAIN) return 0;
        return error_from_errno("read signalfd");
    }
    if (got != sizeof info) return Error{"read signalfd (short)", EIO};
    return static_cast<int>(info.ssi_signo);
}

Result<pid_t> spawn(char* const* argv, char* const* envp, const int* passed, size_t count) {
    constexpr int kParking = 512;  // above any fd hal-init holds, so the moves below never collide
    const pid_t pid = ::fork();
    if (pid < 0) return error_from_errno("fork");
    if (pid > 0) return pid;
    restore_signals_in_child();
    for (size_t i = 0; i < count; ++i)
        if (::dup3(passed[i], kParking + static_cast<int>(i), 0) < 0) ::_exit(126);
    for (size_t i = 0; i < count; ++i)
        if (::dup3(kParking + static_cast<int>(i), 3 + static_cast<int>(i), 0) < 0) ::_exit(126);
    ::syscall(SYS_close_range, 3u + static_cast<unsigned>(count), ~0u, 0u);
    ::setsid();
    ::execve(argv[0], argv, envp);
    ::_exit(127);
}

Result<pid_t> spawn_on_terminal(char* const* argv, char* const* envp, const char* terminal) {
    const pid_t pid = ::fork();
    if (pid < 0) return error_from_errno("fork");
    if (pid > 0) return pid;
    restore_signals_in_child();
    ::syscall(SYS_close_range, 0u, ~0u, 0u);
    ::setsid();
    const int fd = ::open(terminal, O_RDWR);
    if (fd < 0) ::_exit(126);
    ::ioctl(fd, TIOCSCTTY, 1);
    ::dup2(fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (fd > 2) ::close(fd);
    ::execve(argv[0], argv, envp);
    ::_exit(127);
}

Status send_signal(pid_t pid, int signal) {
    if (::kill(pid, signal) != 0) return error_from_errno("kill");
    return ok_status();
}

Result<ChildExit> reap_child() {
    ChildExit child;
    const pid_t pid = ::waitpid(-1, &child.status, WNOHANG);
    if (pid < 0) return error_from_errno("waitpid");
    child.pid = pid;
    return child;
}

const char* describe_exit(int status, char* buffer, size_t size) {
    if (WIFEXITED(status))
        std::snprintf(buffer, size, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        std::snprintf(buffer, size, "killed by signal %d (%s)", WTERMSIG(status),
                      strsignal(WTERMSIG(status)));
    else
        std::snprintf(buffer, size, "ended with wait status 0x%x", status);
    return buffer;
}

Result<const char*> kernel_release() {
    static struct utsname names;
    if (::uname(&names) != 0) return error_from_errno("uname");
    return static_cast<const char*>(names.release);
}

uint64_t process_cpu_us() {
    struct rusage usage;
    if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    const auto us = [](const struct timeval& t) {
        return static_cast<uint64_t>(t.tv_sec) * 1000000u + static_cast<uint64_t>(t.tv_usec);
    };
    return us(usage.ru_utime) + us(usage.ru_stime);
}

}  // namespace hal::sys
