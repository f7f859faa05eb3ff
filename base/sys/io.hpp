// Descriptors in general: waiting on several, non-blocking reads, unix sockets, the kernel's
// uevent socket, terminals.
#pragma once

#include <cstddef>

#include "base/result.hpp"

namespace hal::sys {

// poll(2) on several descriptors; `ready[i]` tells which are readable. A negative timeout
// waits forever. Returns false on timeout.
inline constexpr size_t kMaxWaited = 32;
Result<bool> wait_any(const int* fds, bool* ready, size_t count, int timeout_ms);
// poll(2) for readability; false on timeout. A negative timeout waits forever.
Result<bool> wait_readable(int fd, int timeout_ms);

// read(2) of what is available: 0 at end of file, EAGAIN when nothing is pending.
Result<size_t> read_some(int fd, char* buffer, size_t capacity);

// A non-blocking connection to a unix stream socket.
Result<int> connect_unix(const char* path);
// A connected pair of datagram-like (SOCK_SEQPACKET) unix sockets, close-on-exec.
Status socket_pair(int (&fds)[2]);
// One message on a connected socket, never raising SIGPIPE.
Status send_message(int fd, const char* data, size_t size);
// One datagram into `buffer`; 0 when none is pending. Truncated datagrams are discarded.
Result<size_t> receive_datagram(int fd, char* buffer, size_t capacity);

// A non-blocking NETLINK_KOBJECT_UEVENT socket bound to the kernel's multicast group.
Result<int> open_uevent_socket();

// Opens `path` without waiting for a carrier and asks for its terminal settings: ok for a
// usable serial port; EIO/ENXIO for a port without hardware, ENOTTY for what is no terminal.
Status check_terminal(const char* path);

}  // namespace hal::sys
