// Unit tests for sysfs attributes on a fixture tree.
#include <doctest/doctest.h>

#include <string>

#include "base/sys/attribute.hpp"
#include "tests/unit/pid1_support.hpp"

TEST_CASE("attribute: bound_driver -> the driver link's basename, the fallback without one") {
    hal::test::FixtureTree tree;
    tree.directory("/sys/devices/pci0000:00/0000:00:03.0");
    tree.symlink("/sys/devices/pci0000:00/0000:00:03.0/driver", "../../../bus/pci/drivers/e1000e");
    tree.directory("/sys/class/net/eth0");
    tree.symlink("/sys/class/net/eth0/device", "../../../devices/pci0000:00/0000:00:03.0");
    tree.directory("/sys/class/net/lo");
    char buffer[64];
    CHECK(std::string(hal::sys::bound_driver("/sys/class/net/eth0", buffer, sizeof buffer, "?")) ==
          "e1000e");
    CHECK(std::string(hal::sys::bound_driver("/sys/class/net/lo", buffer, sizeof buffer, "?")) ==
          "?");
    char small[8];  // a link that does not fit is no driver, not a truncated name
    CHECK(std::string(hal::sys::bound_driver("/sys/class/net/eth0", small, sizeof small, "?")) ==
          "?");
}
