// Unit tests for the stop ladder with a fake clock.
#include <doctest/doctest.h>

#include "supervision/stop_ladder.hpp"

using hal::LadderAction;
using hal::LadderStep;
using hal::StopLadder;

namespace {

hal::LadderTiming timing() {
    hal::LadderTiming t;
    t.powerdown_timeout_ms = 30000;
    t.powerdown_repeat_ms = 5000;
    t.quit_grace_ms = 5000;
    t.terminate_grace_ms = 5000;
    return t;
}

}  // namespace

TEST_CASE("ladder: trigger then time -> powerdown, repeats, quit, SIGTERM, SIGKILL") {
    StopLadder ladder(timing());
    CHECK(ladder.tick(0) == LadderAction::kNone);
    CHECK(ladder.next_deadline_in(0) == -1);
    CHECK(ladder.trigger(1000) == LadderAction::kSendPowerdown);
    CHECK(ladder.next_deadline_in(1000) == 5000);
    CHECK(ladder.tick(3000) == LadderAction::kNone);
    CHECK(ladder.tick(6000) == LadderAction::kSendPowerdown);  // repeated
    CHECK(ladder.tick(10999) == LadderAction::kNone);
    CHECK(ladder.tick(11000) == LadderAction::kSendPowerdown);
    CHECK(ladder.tick(31000) == LadderAction::kSendQuit);  // powerdown_timeout after the trigger
    CHECK(ladder.step() == LadderStep::kQuit);
    CHECK(ladder.tick(35999) == LadderAction::kNone);
    CHECK(ladder.tick(36000) == LadderAction::kSendTerminate);
    CHECK(ladder.tick(41000) == LadderAction::kSendKill);
    CHECK(ladder.tick(99000) == LadderAction::kNone);
    CHECK(ladder.next_deadline_in(99000) == -1);
}

TEST_CASE("ladder: second trigger -> does not restart the ladder") {
    StopLadder ladder(timing());
    CHECK(ladder.trigger(0) == LadderAction::kSendPowerdown);
    CHECK(ladder.trigger(20000) == LadderAction::kNone);
    CHECK(ladder.tick(30000) == LadderAction::kSendQuit);  // still timed from the first trigger
}

TEST_CASE("ladder: three triggers within 5 s -> skip to quit") {
    StopLadder ladder(timing());
    CHECK(ladder.trigger(0) == LadderAction::kSendPowerdown);
    CHECK(ladder.trigger(1000) == LadderAction::kNone);
    CHECK(ladder.trigger(2000) == LadderAction::kSendQuit);
    CHECK(ladder.trigger(2500) == LadderAction::kNone);
    CHECK(ladder.tick(7000) == LadderAction::kSendTerminate);
}

TEST_CASE("ladder: triggers spread out -> no skip") {
    StopLadder ladder(timing());
    ladder.trigger(0);
    CHECK(ladder.trigger(6000) == LadderAction::kNone);
    CHECK(ladder.trigger(12000) == LadderAction::kNone);
    CHECK(ladder.step() == LadderStep::kPowerdown);
}
