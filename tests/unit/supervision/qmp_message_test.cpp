// Unit tests for the QMP message parser: real QEMU 7.2 messages and hostile input.
#include <doctest/doctest.h>

#include <string>

#include "supervision/qmp_message.hpp"

using hal::QmpKind;

TEST_CASE("qmp: messages QEMU 7.2 sends table -> kind and fields") {
    struct Case {
        const char* text;
        QmpKind kind;
    };
    const Case cases[] = {
        {R"({"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7"}, "capabilities": ["oob"]}})",
         QmpKind::kGreeting},
        {R"({"return": {}})", QmpKind::kReturn},
        {R"({"return": [{"name": "net0"}]})", QmpKind::kReturn},
        {R"({"error": {"class": "CommandNotFound", "desc": "The command foo has not been found"}})",
         QmpKind::kError},
        {R"({"timestamp": {"seconds": 1700000000, "microseconds": 12}, "event": "POWERDOWN"})",
         QmpKind::kEvent},
    };
    for (const auto& test : cases) {
        CAPTURE(test.text);
        CHECK(hal::parse_qmp_message(test.text).kind == test.kind);
    }
}

TEST_CASE("qmp: SHUTDOWN event -> guest flag and reason") {
    const auto guest = hal::parse_qmp_message(
        R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}})"
        "\r");
    REQUIRE(guest.kind == QmpKind::kEvent);
    CHECK(guest.event == "SHUTDOWN");
    CHECK(guest.has_guest);
    CHECK(guest.guest);
    CHECK(guest.reason == "guest-shutdown");
    const auto host = hal::parse_qmp_message(
        R"({"event": "SHUTDOWN", "data": {"reason": "host-qmp-quit", "guest": false}, "timestamp": {"seconds": 1, "microseconds": 2}})");
    CHECK_FALSE(host.guest);
    CHECK(host.reason == "host-qmp-quit");
}

TEST_CASE("qmp: error -> class and description") {
    const auto message =
        hal::parse_qmp_message(R"({"error": {"class": "GenericError", "desc": "no"}})");
    CHECK(message.error_class == "GenericError");
    CHECK(message.error_text == "no");
}

TEST_CASE("qmp: malformed input table -> invalid with a reason") {
    const std::string deep = std::string(100, '[') + std::string(100, ']');
    std::string many = "{\"return\": [";
    for (int i = 0; i < 1000; ++i) many += "1,";
    many += "1]}";
    const std::string cases[] = {
        "",
        "   ",
        "{",
        "}",
        "[]",
        "\"string\"",
        "{\"return\": }",
        "{\"return\" {}}",
        "{return: {}}",
        "{\"event\": 42}",
        "{\"event\": \"X\",}",
        "{\"a\": 1} trailing",
        "{\"a\": \"unterminated}",
        "{\"a\": \"bad \\q escape\"}",
        "{\"a\": \"\\u12\"}",
        "{\"a\": tru}",
        "{\"a\": nulls}",
        "{\"other\": 1}",
        std::string("{\"a\": \"ctrl\x01\"}"),
        "{\"error\": \"not an object\"}",
        deep,
        many,
        std::string(hal::kQmpMaxMessage + 1, ' '),
    };
    for (const auto& text : cases) {
        CAPTURE(text.substr(0, 60));
        const auto message = hal::parse_qmp_message(text);
        CHECK(message.kind == QmpKind::kInvalid);
        CHECK(std::string(message.problem).size() > 0);
    }
}

TEST_CASE("qmp: every prefix and sub-slice of a valid event -> refused with a reason") {
    const std::string event =
        R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-reset", "list": [1, -2.5e3, null, "\u00e9"]}})";
    // Only the whole line is a QMP message; every other slice is refused with a reason.
    for (size_t start = 0; start < event.size(); start += 3)
        for (size_t length = 0; start + length <= event.size(); ++length) {
            const auto message =
                hal::parse_qmp_message(std::string_view(event).substr(start, length));
            if (start == 0 && length == event.size()) {
                CHECK(message.kind == QmpKind::kEvent);
                CHECK(message.event == "SHUTDOWN");
                CHECK(message.reason == "guest-reset");
            } else {
                CAPTURE(start);
                CAPTURE(length);
                CHECK(message.kind == QmpKind::kInvalid);
                CHECK(*message.problem != '\0');
            }
        }
}

TEST_CASE("qmp: query-stats return -> id, count and sum of the numeric values") {
    // QEMU 7.2's answer for one vCPU and io_exits, as hal-init asks for it.
    const auto stats = hal::parse_qmp_message(
        R"({"return": [{"provider": "kvm", "qom-path": "/machine/unattached/device[0]", "stats": [{"name": "io_exits", "value": 4711}]}], "id": "start-watch"})");
    REQUIRE(stats.kind == QmpKind::kReturn);
    CHECK(stats.id == "start-watch");
    CHECK(stats.stat_values == 1);
    CHECK(stats.stat_sum == 4711);

    const auto two = hal::parse_qmp_message(
        R"({"return": [{"stats": [{"name": "a", "value": 1}, {"name": "h", "value": [1, 2]}]}, {"stats": [{"name": "b", "value": 18446744073709551615}]}]})");
    CHECK(two.stat_values == 2);
    CHECK(two.stat_sum == UINT64_MAX);  // saturates

    // No vCPU matched the filter: an empty list, not a zero.
    const auto none = hal::parse_qmp_message(R"({"return": [], "id": "start-watch"})");
    CHECK(none.stat_values == 0);
    // Values that are not unsigned integers are not counted.
    const auto odd = hal::parse_qmp_message(
        R"({"return": [{"stats": [{"value": -1}, {"value": 1.5}, {"value": true}, {"value": "7"}]}]})");
    CHECK(odd.stat_values == 0);
    const auto error = hal::parse_qmp_message(
        R"({"id": "start-watch", "error": {"class": "CommandNotFound", "desc": "The command query-stats has not been found"}})");
    CHECK(error.kind == QmpKind::kError);
    CHECK(error.id == "start-watch");
}

TEST_CASE("qmp: WATCHDOG event -> its action") {
    const hal::QmpMessage message = hal::parse_qmp_message(
        R"({"timestamp": {"seconds": 1, "microseconds": 2}, "event": "WATCHDOG", "data": {"action": "none"}})");
    CHECK(message.kind == hal::QmpKind::kEvent);
    CHECK(message.event == "WATCHDOG");
    CHECK(message.action == "none");
}
