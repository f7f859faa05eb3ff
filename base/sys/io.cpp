// poll(2), read(2), unix and netlink sockets, tcgetattr(3).
#include "base/sys/io.hpp"

#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hal::sys {

Result<bool> wait_any(const int* fds, bool* ready, size_t count, int timeout_ms) {
    struct pollfd watched[kMaxWaited];
    if (count > kMaxWaited) return Error{"poll (too many descriptors)", EINVAL};
    for (size_t i = 0; i < count; ++i) watched[i] = {fds[i], POLLIN, 0};
    while (true) {
        const int result = ::poll(watched, count, timeout_ms);
        if (result < 0 && errno == EINTR) continue;
        if (result < 0) return error_from_errno("poll");
        for (size_t i = 0; i < count; ++i)
            ready[i] = fds[i] >= 0 && (watched[i].revents & (POLLIN | POLLHUP | POLLERR));
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

Result<size_t> read_some(int fd, char* buffer, size_t capacity) {
    while (true) {
        const ssize_t got = ::read(fd, buffer, capacity);
        if (got >= 0) return static_cast<size_t>(got);
        if (errno != EINTR) return error_from_errno("read");
    }
}

Result<int> connect_unix(const char* path) {
    struct sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    if (std::strlen(path) >= sizeof address.sun_path)
        return Error{"connect (path too long)", ENAMETOOLONG};
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

Status socket_pair(int (&fds)[2]) {
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        return error_from_errno("socketpair");
    return ok_status();
}

Status send_message(int fd, const char* data, size_t size) {
    if (::send(fd, data, size, MSG_NOSIGNAL) < 0) return error_from_errno("send");
    return ok_status();
}

Result<size_t> receive_datagram(int fd, char* buffer, size_t capacity) {
    while (true) {
        const ssize_t got = ::recv(fd, buffer, capacity, MSG_TRUNC | MSG_DONTWAIT);
        if (got >= 0) {
            if (static_cast<size_t>(got) > capacity)
                return Error{"recv (datagram truncated)", EMSGSIZE};
            return static_cast<size_t>(got);
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return size_t{0};
        return error_from_errno("recv");
    }
}

Result<int> open_uevent_socket() {
    const int fd =
        ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
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

}  // namespace hal::sys
