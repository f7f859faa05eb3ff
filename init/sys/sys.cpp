// Thin syscall wrappers for hal-init: each returns Result<> with the failing operation named.
#include "init/sys/sys.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <linux/kd.h>
#include <linux/netlink.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/un.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hal::sys {

Result<int> open_file(const char* path, OpenMode mode) {
    const int flags = mode == kReadOnly ? O_RDONLY
                      : mode == kReadOnlyNonBlocking ? O_RDONLY | O_NONBLOCK
                      : mode == kWriteOnly ? O_WRONLY
                      : mode == kReadWrite ? O_RDWR
                                           : O_WRONLY | O_CREAT | O_TRUNC;
    // O_NOCTTY: a terminal opened by PID 1 (a session leader) never becomes its controlling one.
    const int fd = ::open(path, flags | O_CLOEXEC | O_NOCTTY, 0644);
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

namespace {

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
    return ::stat(path, &info) == 0;
}

bool is_directory(const char* path) {
    struct stat info;
    return ::stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

Result<size_t> read_at(int fd, uint64_t offset, void* buffer, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t got = ::pread(fd, static_cast<char*>(buffer) + done, size - done, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            return error_from_errno("pread");
        }
        if (got == 0) break;
        done += static_cast<size_t>(got);
    }
    return done;
}

Result<int> open_read_only(const char* path, bool direct) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC | (direct ? O_DIRECT : 0));
    if (fd < 0) return error_from_errno(direct ? "open(O_DIRECT)" : "open");
    return fd;
}

Status read_link(const char* path, char* buffer, size_t capacity) {
    const ssize_t length = ::readlink(path, buffer, capacity - 1);
    if (length < 0) return error_from_errno("readlink");
    if (static_cast<size_t>(length) >= capacity - 1) return Error{"readlink (too long)", ENAMETOOLONG};
    buffer[length] = '\0';
    return ok_status();
}

Status resolve_path(const char* path, char* buffer, size_t capacity) {
    char resolved[PATH_MAX];
    if (!::realpath(path, resolved)) return error_from_errno("realpath");
    if (std::strlen(resolved) >= capacity) return Error{"realpath (too long)", ENAMETOOLONG};
    std::strcpy(buffer, resolved);
    return ok_status();
}

Result<uint64_t> file_size(int fd) {
    struct stat info;
    if (::fstat(fd, &info) != 0) return error_from_errno("fstat");
    return static_cast<uint64_t>(info.st_size);
}

Status copy_file(const char* source, const char* target) {
    const int in = TRY(open_file(source, kReadOnly));
    const int out = ::open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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
    if (::rename(source, target) != 0) return error_from_errno("rename");
    char directory[PATH_MAX];
    std::strncpy(directory, target, sizeof directory - 1);
    directory[sizeof directory - 1] = '\0';
    char* slash = std::strrchr(directory, '/');
    if (slash == directory) slash[1] = '\0';
    else if (slash) *slash = '\0';
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
        if (::mkdir(partial, mode) != 0 && errno != EEXIST) return error_from_errno("mkdir");
    }
    return ok_status();
}

DirectoryHandle* open_directory(const char* path) { return reinterpret_cast<DirectoryHandle*>(::opendir(path)); }

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

Status make_char_or_block_node(const char* path, bool block, unsigned major, unsigned minor, unsigned mode) {
    if (::mknod(path, (block ? S_IFBLK : S_IFCHR) | mode, makedev(major, minor)) == 0 || errno == EEXIST)
        return ok_status();
    return error_from_errno("mknod");
}

Status make_symlink(const char* target, const char* path) {
    if (::symlink(target, path) == 0 || errno == EEXIST) return ok_status();
    return error_from_errno("symlink");
}

Result<int> open_uevent_socket() {
    const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
    if (fd < 0) return error_from_errno("socket(NETLINK_KOBJECT_UEVENT)");
    struct sockaddr_nl address = {};
    address.nl_family = AF_NETLINK;
    address.nl_groups = 1;  // the kernel's uevent group (udev's rebroadcasts use group 2)
    if (::bind(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address) != 0) {
        const Error error = error_from_errno("bind(NETLINK_KOBJECT_UEVENT)");
        ::close(fd);
        return error;
    }
    return fd;
}

Result<size_t> receive_datagram(int fd, char* buffer, size_t capacity) {
    while (true) {
        const ssize_t got = ::recv(fd, buffer, capacity, MSG_TRUNC);
        if (got >= 0) {
            if (static_cast<size_t>(got) > capacity) return Error{"recv (datagram truncated)", EMSGSIZE};
            return static_cast<size_t>(got);
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return size_t{0};
        return error_from_errno("recv");
    }
}

Status make_directory(const char* path, unsigned mode) {
    if (::mkdir(path, mode) == 0 || errno == EEXIST) return ok_status();
    return error_from_errno("mkdir");
}

Status mount_filesystem(const char* source, const char* target, const char* type, unsigned long flags,
                        const char* options) {
    if (::mount(source, target, type, flags, options) != 0) return error_from_errno("mount");
    return ok_status();
}

Status remount_read_write(const char* target) {
    if (::mount(nullptr, target, nullptr, MS_REMOUNT, nullptr) != 0) return error_from_errno("mount(MS_REMOUNT)");
    return ok_status();
}

Status unmount(const char* target) {
    if (::umount2(target, 0) != 0) return error_from_errno("umount");
    return ok_status();
}

Status unmount_detached(const char* target) {
    if (::umount2(target, MNT_DETACH) != 0) return error_from_errno("umount");
    return ok_status();
}

Status load_module(const char* path) {
    const int fd = TRY(open_file(path, kReadOnly));
    const long result = ::syscall(SYS_finit_module, fd, "", 0);
    const int saved = errno;
    ::close(fd);
    if (result != 0 && saved != EEXIST) return Error{"finit_module", saved};
    return ok_status();
}

Result<const char*> kernel_release() {
    static struct utsname names;
    if (::uname(&names) != 0) return error_from_errno("uname");
    return static_cast<const char*>(names.release);
}

namespace {

// Faults must stay deliverable: blocking them makes the kernel kill the process outright.
constexpr int kFaultSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT};

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

void disable_ctrl_alt_del() { ::reboot(RB_DISABLE_CAD); }

namespace {

// In a forked child: give back what PID 1 took for itself (blocked signals, dispositions).
// Only async-signal-safe calls.
void restore_signals_in_child() {
    sigset_t none;
    sigemptyset(&none);
    for (int signal = 1; signal < NSIG; ++signal) ::signal(signal, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace

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

Status check_terminal(const char* path) {
    const int fd = ::open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return error_from_errno("open");
    termios settings;
    const bool terminal = ::tcgetattr(fd, &settings) == 0;
    const int code = errno;
    ::close(fd);
    if (!terminal) return Error{"tcgetattr", code};
    return ok_status();
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

Status socket_pair(int (&fds)[2]) {
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return error_from_errno("socketpair");
    return ok_status();
}

Status send_signal(pid_t pid, int signal) {
    if (::kill(pid, signal) != 0) return error_from_errno("kill");
    return ok_status();
}

Result<int> connect_unix(const char* path) {
    struct sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    if (std::strlen(path) >= sizeof address.sun_path) return Error{"connect (path too long)", ENAMETOOLONG};
    std::strcpy(address.sun_path, path);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return error_from_errno("socket(AF_UNIX)");
    if (::connect(fd, reinterpret_cast<struct sockaddr*>(&address), sizeof address) != 0) {
        const Error error = error_from_errno("connect");
        ::close(fd);
        return error;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

Result<size_t> read_some(int fd, char* buffer, size_t capacity) {
    while (true) {
        const ssize_t got = ::read(fd, buffer, capacity);
        if (got >= 0) return static_cast<size_t>(got);
        if (errno != EINTR) return error_from_errno("read");
    }
}

Status remove_file(const char* path) {
    if (::unlink(path) == 0 || errno == ENOENT) return ok_status();
    return error_from_errno("unlink");
}

Status input_key_bits(int fd, unsigned char* bits, size_t size) {
    if (::ioctl(fd, EVIOCGBIT(EV_KEY, size), bits) < 0) return error_from_errno("ioctl(EVIOCGBIT)");
    return ok_status();
}

Result<bool> wait_any(const int* fds, bool* ready, size_t count, int timeout_ms) {
    struct pollfd watched[16];
    if (count > 16) return Error{"poll (too many descriptors)", EINVAL};
    for (size_t i = 0; i < count; ++i) watched[i] = {fds[i], POLLIN, 0};
    while (true) {
        const int result = ::poll(watched, count, timeout_ms);
        if (result < 0 && errno == EINTR) continue;
        if (result < 0) return error_from_errno("poll");
        for (size_t i = 0; i < count; ++i) ready[i] = fds[i] >= 0 && (watched[i].revents & (POLLIN | POLLHUP | POLLERR));
        return result > 0;
    }
}

Result<bool> wait_readable(int fd, int timeout_ms) {
    struct pollfd watched = {fd, POLLIN, 0};
    while (true) {
        const int ready = ::poll(&watched, 1, timeout_ms);
        if (ready >= 0) return ready > 0;
        if (errno != EINTR) return error_from_errno("poll");
    }
}

Result<ChildExit> reap_child() {
    ChildExit child;
    const pid_t pid = ::waitpid(-1, &child.status, WNOHANG);
    if (pid < 0) return error_from_errno("waitpid");
    child.pid = pid;
    return child;
}

uint64_t monotonic_ms() {
    struct timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1000u + static_cast<uint64_t>(now.tv_nsec) / 1000000u;
}

void console_text_mode() {
    const int console = ::open("/dev/tty0", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (console < 0) return;
    (void)::ioctl(console, KDSETMODE, KD_TEXT);
    ::close(console);
}

uint64_t monotonic_us() {
    struct timespec now;
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1000000u + static_cast<uint64_t>(now.tv_nsec) / 1000u;
}

uint64_t process_cpu_us() {
    struct rusage usage;
    if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    const auto us = [](const struct timeval& t) {
        return static_cast<uint64_t>(t.tv_sec) * 1000000u + static_cast<uint64_t>(t.tv_usec);
    };
    return us(usage.ru_utime) + us(usage.ru_stime);
}

void sleep_ms(uint32_t milliseconds) {
    struct timespec duration = {static_cast<time_t>(milliseconds / 1000), static_cast<long>(milliseconds % 1000) * 1000000L};
    while (::nanosleep(&duration, &duration) != 0 && errno == EINTR) {
    }
}

void sync_disks() { ::sync(); }

Status power_off() {
    ::reboot(RB_POWER_OFF);
    return error_from_errno("reboot(RB_POWER_OFF)");
}

Status restart_host() {
    ::reboot(RB_AUTOBOOT);
    return error_from_errno("reboot(RB_AUTOBOOT)");
}

}  // namespace hal::sys
