// Unit tests for the guest start watch: its queries, its verdicts and their deadlines.
#include <doctest/doctest.h>

#include "supervision/guest_start.hpp"

using hal::GuestStartWatch;
using hal::StartState;

TEST_CASE("guest start: a firmware doing port I/O -> started, then no more queries") {
    GuestStartWatch watch(30000, 1000);
    CHECK(watch.next_query_in(1000) == 0);
    watch.query_sent(1000);
    CHECK(watch.next_query_in(1500) == -1);  // one query at a time
    CHECK(watch.on_reply(1100, 1, 12) == StartState::kWatching);
    CHECK(watch.next_query_in(1500) == 500);  // once a second
    CHECK(watch.deadline_in(1500) == 29500);
    watch.query_sent(2000);
    CHECK(watch.on_reply(2050, 1, hal::kStartedIoExits) == StartState::kStarted);
    CHECK(watch.io_exits() == hal::kStartedIoExits);
    CHECK(watch.next_query_in(3000) == -1);
    CHECK(watch.deadline_in(3000) == -1);
    CHECK(watch.tick(100000) == StartState::kStarted);  // a verdict is final
}

TEST_CASE("guest start: no port I/O until the deadline -> stuck, on a reply or on the tick") {
    GuestStartWatch by_reply(5000, 0);
    by_reply.query_sent(4000);
    CHECK(by_reply.on_reply(5001, 1, 0) == StartState::kStuck);
    CHECK(by_reply.replies() == 1);

    GuestStartWatch by_tick(5000, 0);
    CHECK(by_tick.tick(4999) == StartState::kWatching);
    CHECK(by_tick.tick(5000) == StartState::kStuck);
}

TEST_CASE("guest start: QEMU that never answers the query -> stuck at the deadline") {
    GuestStartWatch watch(5000, 0);
    watch.query_sent(0);
    CHECK(watch.next_query_in(3000) == -1);
    CHECK(watch.tick(6000) == StartState::kStuck);
    CHECK(watch.replies() == 0);
    // Its answer arriving after the verdict changes nothing.
    CHECK(watch.on_reply(6100, 1, 5000) == StartState::kStuck);
    CHECK(watch.replies() == 0);
    CHECK(watch.io_exits() == 0);
}

TEST_CASE("guest start: no statistics, an error reply, or timeout 0 -> not watched, never stuck") {
    GuestStartWatch empty(5000, 0);
    empty.query_sent(0);
    CHECK(empty.on_reply(10, 0, 0) == StartState::kUnavailable);
    CHECK(empty.tick(100000) == StartState::kUnavailable);

    GuestStartWatch refused(5000, 0);
    refused.query_sent(0);
    CHECK(refused.on_error() == StartState::kUnavailable);
    CHECK(refused.tick(100000) == StartState::kUnavailable);

    GuestStartWatch off(0, 0);
    CHECK(off.state() == StartState::kUnavailable);
    CHECK(off.next_query_in(0) == -1);
    CHECK(off.tick(100000) == StartState::kUnavailable);
}
