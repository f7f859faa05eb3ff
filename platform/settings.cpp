// Names of the platform settings' values; no I/O.
#include "platform/settings.hpp"

#include "base/setting_text.hpp"

namespace hal {
namespace {

using namespace std::string_view_literals;
constexpr std::string_view kFirmwares = "auto\0bios\0uefi\0uefi-secure"sv;
constexpr std::string_view kIdentities = "host\0generic"sv;
constexpr std::string_view kMachines = "pc\0q35"sv;
constexpr std::string_view kAccels = "auto\0kvm\0tcg"sv;
constexpr std::string_view kGuestOses = "auto\0windows\0linux\0other"sv;
constexpr std::string_view kTpmSettings = "auto\0passthrough\0none"sv;
constexpr std::string_view kGuestRngs = "none\0virtio"sv;

}  // namespace

Parsed<FirmwareSetting> parse_firmware_setting(std::string_view text) {
    return parse_enum<FirmwareSetting>(text, kFirmwares,
                                       "firmware must be auto, bios, uefi or uefi-secure");
}
Parsed<Identity> parse_identity(std::string_view text) {
    return parse_enum<Identity>(text, kIdentities, "identity must be host or generic");
}
Parsed<Machine> parse_machine(std::string_view text) {
    return parse_enum<Machine>(text, kMachines, "machine must be pc or q35");
}
Parsed<Accel> parse_accel(std::string_view text) {
    return parse_enum<Accel>(text, kAccels, "accel must be auto, kvm or tcg");
}
Parsed<GuestOs> parse_guest_os(std::string_view text) {
    return parse_enum<GuestOs>(text, kGuestOses, "guest_os must be auto, windows, linux or other");
}
Parsed<TpmSetting> parse_tpm_setting(std::string_view text) {
    return parse_enum<TpmSetting>(text, kTpmSettings, "tpm must be auto, passthrough or none");
}
Parsed<GuestRng> parse_guest_rng(std::string_view text) {
    return parse_enum<GuestRng>(text, kGuestRngs, "rng must be none or virtio");
}

const char* firmware_setting_name(FirmwareSetting firmware) {
    return enum_name(firmware, kFirmwares);
}
const char* identity_name(Identity identity) { return enum_name(identity, kIdentities); }
const char* machine_name(Machine machine) { return enum_name(machine, kMachines); }
const char* accel_name(Accel accel) { return enum_name(accel, kAccels); }
const char* guest_os_name(GuestOs os) { return enum_name(os, kGuestOses); }
const char* tpm_setting_name(TpmSetting tpm) { return enum_name(tpm, kTpmSettings); }
const char* guest_rng_name(GuestRng rng) { return enum_name(rng, kGuestRngs); }

}  // namespace hal
