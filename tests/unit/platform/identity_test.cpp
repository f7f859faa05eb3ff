// Unit tests for the host identity pieces: CPU topology, SMBIOS structures, ACPI tables.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "platform/cpu_topology.hpp"
#include "platform/firmware_tables.hpp"

using namespace hal;

TEST_CASE("cpu topology: 2 sockets x 4 cores x 2 threads from CPU locations") {
    std::vector<CpuLocation> cpus;
    for (uint32_t thread = 0; thread < 2; ++thread)
        for (uint32_t package = 0; package < 2; ++package)
            for (uint32_t core = 0; core < 4; ++core) cpus.push_back({package, core});
    const auto topology = topology_from_cpus(cpus.data(), cpus.size());
    REQUIRE(topology.has_value());
    CHECK(topology->sockets == 2);
    CHECK(topology->cores == 4);
    CHECK(topology->threads == 2);
    CHECK(topology->total() == 16);
}

TEST_CASE("cpu topology: uneven grids (a core with one thread among two-thread cores) -> none") {
    const CpuLocation cpus[] = {{0, 0}, {0, 0}, {0, 1}};
    CHECK_FALSE(topology_from_cpus(cpus, 3).has_value());
    const CpuLocation sockets[] = {{0, 0}, {0, 1}, {1, 0}};
    CHECK_FALSE(topology_from_cpus(sockets, 3).has_value());
    CHECK_FALSE(topology_from_cpus(cpus, 0).has_value());
}

TEST_CASE(
    "smbios: type 1 with strings, and with none -> valid; trailing bytes or no terminator -> "
    "invalid") {
    const std::vector<uint8_t> system = {1,   8,   0x01, 0x00, 1,   2,   0,   0, 'A',
                                         'C', 'M', 'E',  0,    'B', 'o', 'x', 0, 0};
    uint8_t type = 0xff;
    CHECK(valid_smbios_structure(system.data(), system.size(), type));
    CHECK(type == 1);
    const uint8_t empty[] = {3, 4, 0x03, 0x00, 0, 0};
    CHECK(valid_smbios_structure(empty, sizeof empty, type));
    CHECK(type == 3);
    std::vector<uint8_t> trailing = system;
    trailing.push_back(0);
    CHECK_FALSE(valid_smbios_structure(trailing.data(), trailing.size(), type));
    CHECK_FALSE(valid_smbios_structure(system.data(), system.size() - 1, type));
    const uint8_t short_length[] = {1, 3, 0, 0, 0, 0};
    CHECK_FALSE(valid_smbios_structure(short_length, sizeof short_length, type));
    const uint8_t overlong[] = {1, 40, 0, 0, 0, 0};
    CHECK_FALSE(valid_smbios_structure(overlong, sizeof overlong, type));
}

TEST_CASE("acpi table: MSDM with a right checksum -> signature; bad sum or length -> invalid") {
    std::vector<uint8_t> table(85, 0);
    table[0] = 'M', table[1] = 'S', table[2] = 'D', table[3] = 'M';
    table[4] = 85;
    for (size_t i = 56; i < 85; ++i) table[i] = 'K';
    uint8_t sum = 0;
    for (uint8_t byte : table) sum = static_cast<uint8_t>(sum + byte);
    table[9] = static_cast<uint8_t>(0x100 - sum);
    char signature[5];
    REQUIRE(valid_acpi_table(table.data(), table.size(), signature));
    CHECK(std::string(signature) == "MSDM");
    table[60] ^= 1;
    CHECK_FALSE(valid_acpi_table(table.data(), table.size(), signature));
    table[60] ^= 1;
    CHECK_FALSE(valid_acpi_table(table.data(), table.size() - 1, signature));
    CHECK_FALSE(valid_acpi_table(table.data(), 20, signature));
}

TEST_CASE("smbios: the HAL's guest mark -> found among a type 11 structure's strings only") {
    using hal::kGuestMarker;
    const auto oem = [](std::initializer_list<std::string_view> strings, uint8_t type = 11) {
        std::vector<uint8_t> raw = {type, 5, 0x00, 0x0b, static_cast<uint8_t>(strings.size())};
        for (std::string_view text : strings) {
            raw.insert(raw.end(), text.begin(), text.end());
            raw.push_back(0);
        }
        if (strings.size() == 0) raw.push_back(0);
        raw.push_back(0);
        return raw;
    };
    auto raw = oem({kGuestMarker});
    CHECK(hal::smbios_oem_string_present(raw.data(), raw.size(), kGuestMarker));
    raw = oem({"vendor text", kGuestMarker, "more"});
    CHECK(hal::smbios_oem_string_present(raw.data(), raw.size(), kGuestMarker));
    raw = oem({"mkinitrd-hal:guest2", "mkinitrd-hal"});
    CHECK_FALSE(hal::smbios_oem_string_present(raw.data(), raw.size(), kGuestMarker));
    raw = oem({});
    CHECK_FALSE(hal::smbios_oem_string_present(raw.data(), raw.size(), kGuestMarker));
    raw = oem({kGuestMarker}, 1);  // a system structure, not OEM strings
    CHECK_FALSE(hal::smbios_oem_string_present(raw.data(), raw.size(), kGuestMarker));
    raw = oem({kGuestMarker});
    raw.pop_back();  // no final NUL: malformed
    CHECK_FALSE(hal::smbios_oem_string_present(raw.data(), raw.size(), kGuestMarker));
}
