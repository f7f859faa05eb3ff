// The platform capability's settings: the machine the guest gets (firmware, its variable
// store, identity, machine type, accelerator, CPUs, memory, the guest's OS, the TPM), as typed
// values with their parsers. No I/O.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"
#include "disks/filesystem_probe.hpp"

namespace hal {

// The guest's firmware; kAuto decides from the boot disk (platform/boot_firmware.hpp).
enum class FirmwareSetting { kAuto, kBios, kUefi, kUefiSecure };
// host: the guest's SMBIOS types 0-3, OEM licence ACPI tables and CPU topology are the host's.
enum class Identity { kHost, kGeneric };
enum class Machine { kPc, kQ35 };
enum class Accel { kAuto, kKvm, kTcg };
// The OS on the guest disk, for what the vCPUs advertise; kAuto reads the boot disk
// (platform/guest_os.hpp).
enum class GuestOs { kAuto, kWindows, kLinux, kOther };
// The host's TPM for the guest: kAuto passes it when there is one, kPassthrough insists.
enum class TpmSetting { kAuto, kPassthrough, kNone };
// A random number generator for the guest: kVirtio is a virtio-rng-pci fed by the host's
// getrandom().
enum class GuestRng { kNone, kVirtio };

struct PlatformSettings {
    FirmwareSetting firmware = FirmwareSetting::kAuto;
    // uefi_vars: a file on a host partition holding the UEFI variables across boots
    // (LABEL=HALDATA:/hal/vars.fd); without one, a fresh variable store each boot.
    bool keep_uefi_vars = false;
    FileOnDevice uefi_vars;
    Identity identity = Identity::kHost;
    Machine machine = Machine::kPc;
    Accel accel = Accel::kAuto;
    uint32_t memory_mib = 0;            // 0 = auto: a share of host memory minus the reserve
    uint32_t memory_reserve_mib = 256;  // kept for the host when memory is auto
    uint32_t cpus = 0;                  // 0 = auto: every host CPU
    GuestOs guest_os = GuestOs::kAuto;
    TpmSetting tpm = TpmSetting::kAuto;
    GuestRng rng = GuestRng::kNone;
    bool operator==(const PlatformSettings&) const = default;
};

Parsed<FirmwareSetting> parse_firmware_setting(std::string_view text);
Parsed<Identity> parse_identity(std::string_view text);
Parsed<Machine> parse_machine(std::string_view text);
Parsed<Accel> parse_accel(std::string_view text);
Parsed<GuestOs> parse_guest_os(std::string_view text);
Parsed<TpmSetting> parse_tpm_setting(std::string_view text);
Parsed<GuestRng> parse_guest_rng(std::string_view text);

const char* firmware_setting_name(FirmwareSetting firmware);
const char* identity_name(Identity identity);
const char* machine_name(Machine machine);
const char* accel_name(Accel accel);
const char* guest_os_name(GuestOs os);
const char* tpm_setting_name(TpmSetting tpm);
const char* guest_rng_name(GuestRng rng);

}  // namespace hal
