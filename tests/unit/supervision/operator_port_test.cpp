// Unit tests for the operator's QMP port: its name and the kernel-console check.
#include <doctest/doctest.h>

#include "supervision/operator_port.hpp"

using hal::is_kernel_console;
using hal::serial_port_name;

TEST_CASE("operator port: names table -> the name under /dev, or empty") {
    CHECK(serial_port_name("ttyS1") == "ttyS1");
    CHECK(serial_port_name("/dev/ttyS1") == "ttyS1");
    CHECK(serial_port_name("hvc1") == "hvc1");
    CHECK(serial_port_name("ttyAMA0") == "ttyAMA0");
    for (const char* bad : {"", "/dev/", "/dev/pts/0", "pts/0", "../ttyS1", "0tty", "ttyS1 ",
                            "tty-S1", "/dev//ttyS1", "ttyS1234567890123456789012345678"}) {
        CAPTURE(bad);
        CHECK(serial_port_name(bad).empty());
    }
    // 31 characters fit, 32 do not.
    CHECK(serial_port_name("t234567890123456789012345678901").size() == 31);
    CHECK(serial_port_name("t2345678901234567890123456789012").empty());
}

TEST_CASE("operator port: /sys/class/tty/console/active -> whole names only") {
    CHECK(is_kernel_console("ttyS0 tty0\n", "ttyS0"));
    CHECK(is_kernel_console("tty0 ttyS1\n", "ttyS1"));
    CHECK(is_kernel_console("ttyS1", "ttyS1"));
    CHECK_FALSE(is_kernel_console("ttyS0 tty0\n", "ttyS1"));
    CHECK_FALSE(is_kernel_console("ttyS10\n", "ttyS1"));
    CHECK_FALSE(is_kernel_console("ttyS1x\n", "ttyS1"));
    CHECK_FALSE(is_kernel_console("", "ttyS1"));
    CHECK_FALSE(is_kernel_console("\n \n", "ttyS1"));
}
