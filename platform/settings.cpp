// Names of the platform settings' values; no I/O.
#include "platform/settings.hpp"

#include "base/setting_text.hpp"

namespace hal {
namespace {

constexpr NamedValue<FirmwareSetting> kFirmwares[] = {{"auto", FirmwareSetting::kAuto},
                                                      {"bios", FirmwareSetting::kBios},
                                                      {"uefi", FirmwareSetting::kUefi},
                                                      {"uefi-secure", FirmwareSetting::kUefiSecure}};
constexpr NamedValue<Identity> kIdentities[] = {{"host", Identity::kHost}, {"generic", Identity::kGeneric}};
constexpr NamedValue<Machine> kMachines[] = {{"pc", Machine::kPc}, {"q35", Machine::kQ35}};
constexpr NamedValue<Accel> kAccels[] = {{"auto", Accel::kAuto}, {"kvm", Accel::kKvm}, {"tcg", Accel::kTcg}};

}  // namespace

Parsed<FirmwareSetting> parse_firmware_setting(std::string_view text) {
    return parse_named(text, kFirmwares, "firmware must be auto, bios, uefi or uefi-secure");
}
Parsed<Identity> parse_identity(std::string_view text) {
    return parse_named(text, kIdentities, "identity must be host or generic");
}
Parsed<Machine> parse_machine(std::string_view text) {
    return parse_named(text, kMachines, "machine must be pc or q35");
}
Parsed<Accel> parse_accel(std::string_view text) {
    return parse_named(text, kAccels, "accel must be auto, kvm or tcg");
}

const char* firmware_setting_name(FirmwareSetting firmware) { return name_of(firmware, kFirmwares); }
const char* identity_name(Identity identity) { return name_of(identity, kIdentities); }
const char* machine_name(Machine machine) { return name_of(machine, kMachines); }
const char* accel_name(Accel accel) { return name_of(accel, kAccels); }

}  // namespace hal
