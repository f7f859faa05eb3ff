// Reads /sys/firmware/dmi/entries, /sys/firmware/acpi/tables and CPU topology from sysfs.
#include "platform/sys/identity.hpp"

#include <cstdio>
#include <cstring>

#include "base/image_layout.hpp"
#include "base/sys/fs.hpp"
#include "base/sys/log.hpp"
#include "base/sys/mount.hpp"
#include "platform/cpu_topology.hpp"
#include "platform/firmware_tables.hpp"
#include "platform/host_text.hpp"

namespace hal {
namespace {

constexpr const char* kDmiEntries = "/sys/firmware/dmi/entries";
constexpr const char* kAcpiTables = "/sys/firmware/acpi/tables";
// OEM licence tables: Windows activation on machines sold with it reads these.
constexpr const char* kLicenceTables[] = {"MSDM", "SLIC"};
constexpr size_t kMaxTableBytes = 64 * 1024;
constexpr size_t kMaxCpus = 1024;

uint8_t g_table[kMaxTableBytes];

// Reads `source` whole, checks it, writes it to kIdentityDir/NAME; true when usable.
template <class Check>
bool copy_checked(const char* source, const char* name, Check&& check, FixedString<64>& target) {
    const auto size = sys::read_file(source, reinterpret_cast<char*>(g_table), sizeof g_table);
    if (!size.ok()) return false;
    if (!check(g_table, size.value())) {
        log_warning("identity: %s is malformed; the guest does not get it", source);
        return false;
    }
    char path[64];
    std::snprintf(path, sizeof path, "%s/%s", layout::kIdentityDir, name);
    const auto fd = sys::open_file(path, sys::kCreateTruncate);
    const Status written =
        fd.ok() ? sys::write_all(fd.value(), reinterpret_cast<const char*>(g_table), size.value())
                : Status(fd.error());
    if (fd.ok()) sys::close_fd(fd.value());
    if (!written.ok()) {
        log_warning("identity: cannot write %s: %s", path, std::strerror(written.error().code));
        return false;
    }
    return target.assign(path);
}

void gather_smbios(PlatformFacts& facts) {
    // One structure per type 0-3 (BIOS, system, baseboard, chassis): entries "T-0".
    for (int type = 0; type <= 3 && facts.smbios_count < kMaxIdentityFiles; ++type) {
        char source[80], name[32];
        std::snprintf(source, sizeof source, "%s/%d-0/raw", kDmiEntries, type);
        std::snprintf(name, sizeof name, "smbios-%d.bin", type);
        uint8_t found_type = 0;
        const auto check = [&](const uint8_t* data, size_t size) {
            return valid_smbios_structure(data, size, found_type) && found_type == type;
        };
        if (copy_checked(source, name, check, facts.smbios_files[facts.smbios_count]))
            ++facts.smbios_count;
    }
}

void gather_acpi(PlatformFacts& facts) {
    for (const char* signature : kLicenceTables) {
        char source[80], name[32];
        std::snprintf(source, sizeof source, "%s/%s", kAcpiTables, signature);
        std::snprintf(name, sizeof name, "%s.bin", signature);
        const auto check = [&](const uint8_t* data, size_t size) {
            char found[5];
            return valid_acpi_table(data, size, found) && std::strcmp(found, signature) == 0;
        };
        if (facts.acpi_count < kMaxIdentityFiles &&
            copy_checked(source, name, check, facts.acpi_files[facts.acpi_count]))
            ++facts.acpi_count;
    }
}

void gather_topology(PlatformFacts& facts) {
    static CpuLocation cpus[kMaxCpus];
    size_t count = 0;
    bool complete = true;
    (void)sys::for_each_entry("/sys/devices/system/cpu", [&](const char* name) {
        if (!starts_with(name, "cpu") || name[3] < '0' || name[3] > '9' || count == kMaxCpus)
            return;
        char path[96], text[32];
        std::snprintf(path, sizeof path, "/sys/devices/system/cpu/%s/online", name);
        // cpu0 has no online file on most machines; an offline CPU is not the guest's.
        if (const auto online = sys::read_file(path, text, sizeof text);
            online.ok() && text[0] == '0')
            return;
        uint64_t values[2];
        const char* const files[2] = {"physical_package_id", "core_id"};
        for (int i = 0; i < 2; ++i) {
            std::snprintf(path, sizeof path, "/sys/devices/system/cpu/%s/topology/%s", name,
                          files[i]);
            const auto size = sys::read_file(path, text, sizeof text);
            const auto value =
                size.ok() ? parse_unsigned(trim({text, size.value()})) : std::nullopt;
            if (!value) {
                complete = false;
                return;
            }
            values[i] = *value;
        }
        cpus[count++] = {static_cast<uint32_t>(values[0]), static_cast<uint32_t>(values[1])};
    });
    if (complete) facts.topology = topology_from_cpus(cpus, count);
}

// The SecureBoot variable, through an efivarfs mounted read-only for the read.
bool read_secure_boot() {
    constexpr const char* kEfivars = "/sys/firmware/efi/efivars";
    char secure_boot[96];
    std::snprintf(secure_boot, sizeof secure_boot, "%s/%s", kEfivars, kSecureBootVariable);
    const bool mounted =
        sys::mount_filesystem("efivarfs", kEfivars, "efivarfs", sys::kMountReadOnly, "").ok();
    char text[8];
    const auto size = sys::read_file(secure_boot, text, sizeof text);
    if (mounted) (void)sys::unmount(kEfivars);
    const auto value = size.ok() ? efi_boolean_variable({text, size.value()}) : std::nullopt;
    if (size.ok() && !value)
        log_warning("platform: %s holds %zu bytes, not a boolean; Secure Boot taken as off",
                    secure_boot, size.value());
    return value.value_or(false);
}

}  // namespace

bool inside_hal_guest() {
    constexpr int kMaxOemStructures = 16;
    for (int number = 0; number < kMaxOemStructures; ++number) {
        char source[80];
        std::snprintf(source, sizeof source, "%s/11-%d/raw", kDmiEntries, number);
        const auto size = sys::read_file(source, reinterpret_cast<char*>(g_table), sizeof g_table);
        if (!size.ok()) return false;
        if (smbios_oem_string_present(g_table, size.value(), kGuestMarker)) return true;
    }
    return false;
}

void gather_identity(Identity identity, bool secure_boot, PlatformFacts& facts) {
    facts.host_uefi = sys::is_directory("/sys/firmware/efi");
    facts.host_secure_boot = secure_boot && facts.host_uefi && read_secure_boot();
    if (identity != Identity::kHost) {
        log_info("identity: generic (QEMU's own SMBIOS, no host ACPI tables, plain CPU topology)");
        return;
    }
    if (const Status made = sys::make_directories(layout::kIdentityDir, 0700); !made.ok()) {
        log_warning("identity: cannot create %s: %s; the guest gets QEMU's identity",
                    layout::kIdentityDir, std::strerror(made.error().code));
        return;
    }
    gather_smbios(facts);
    gather_acpi(facts);
    gather_topology(facts);
    char topology[64] = "irregular or unknown";
    if (facts.topology)
        std::snprintf(topology, sizeof topology, "%u sockets x %u cores x %u threads",
                      facts.topology->sockets, facts.topology->cores, facts.topology->threads);
    log_info(
        "identity: host: %zu SMBIOS structures (types 0-3), %zu licence ACPI tables, CPU topology "
        "%s",
        facts.smbios_count, facts.acpi_count, topology);
}

}  // namespace hal
