// Unit tests for PID 1's event loop: readable descriptors and deadlines reach their sources.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "base/sys/event_loop.hpp"
#include "base/sys/time.hpp"

using namespace hal;

namespace {

class PipeSource : public EventSource {
public:
    int fd = -1;
    int events = 0;
    size_t descriptors(int* fds, size_t capacity) override {
        if (capacity == 0) return 0;
        fds[0] = fd;
        return 1;
    }
    void on_event(uint64_t, const bool* ready, size_t count) override {
        if (count == 1 && ready[0]) {
            char byte;
            while (::read(fd, &byte, 1) == 1) ++events;
        }
    }
};

class TimerSource : public EventSource {
public:
    uint64_t due = 0;
    std::vector<uint64_t> fired;
    int64_t deadline_in(uint64_t now) override {
        if (due == 0) return -1;
        return due > now ? static_cast<int64_t>(due - now) : 0;
    }
    void on_event(uint64_t now, const bool*, size_t) override {
        fired.push_back(now);
        due = 0;
    }
};

}  // namespace

TEST_CASE("event loop: a readable descriptor and a deadline -> each source called for its own") {
    int pipe_fds[2];
    REQUIRE(::pipe2(pipe_fds, O_NONBLOCK) == 0);
    PipeSource pipe;
    pipe.fd = pipe_fds[0];
    TimerSource timer;
    EventLoop loop;
    REQUIRE(loop.add(pipe));
    REQUIRE(loop.add(timer));
    const uint64_t started = sys::monotonic_ms();
    timer.due = started + 30;
    REQUIRE(::write(pipe_fds[1], "ab", 2) == 2);
    REQUIRE(loop.run_once(1000));
    CHECK(pipe.events == 2);
    CHECK(timer.fired.empty());
    loop.run_until([&] { return !timer.fired.empty(); });
    CHECK(timer.fired[0] >= started + 30);
    CHECK(timer.fired[0] < started + 1000);
    loop.remove(timer);
    timer.due = sys::monotonic_ms();  // removed: never called again
    CHECK(loop.run_once(20));
    CHECK(timer.fired.size() == 1);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
}

TEST_CASE("event loop: full at 16 sources -> add refuses the 17th") {
    std::vector<TimerSource> sources(17);
    EventLoop loop;
    for (size_t i = 0; i < 16; ++i) CHECK(loop.add(sources[i]));
    CHECK_FALSE(loop.add(sources[16]));
}
