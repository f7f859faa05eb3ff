// Kernel uevent datagram parsing: a header line then NUL-separated KEY=value fields.
#include "devices/uevent.hpp"

#include "base/text.hpp"

namespace hal {
namespace {

struct Field {
    std::string_view name;
    std::string_view Uevent::*member;
};
constexpr Field kFields[] = {
    {"ACTION", &Uevent::action},       {"DEVPATH", &Uevent::devpath},
    {"SUBSYSTEM", &Uevent::subsystem}, {"MODALIAS", &Uevent::modalias},
    {"DEVNAME", &Uevent::devname},     {"MAJOR", &Uevent::major},
    {"MINOR", &Uevent::minor},
};

}  // namespace

bool parse_uevent(std::string_view message, Uevent& event) {
    event = Uevent{};
    const size_t header_end = message.find('\0');
    if (header_end == std::string_view::npos) return false;
    const std::string_view header = message.substr(0, header_end);
    const size_t at = header.find('@');
    if (at == std::string_view::npos || at == 0) return false;
    std::string_view rest = message.substr(header_end + 1);
    while (!rest.empty()) {
        const size_t end = rest.find('\0');
        const std::string_view field = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        const size_t equals = field.find('=');
        if (equals == std::string_view::npos) continue;
        const std::string_view key = field.substr(0, equals);
        const std::string_view value = field.substr(equals + 1);
        for (const auto& [name, member] : kFields)
            if (key == name) event.*member = value;
    }
    return !event.action.empty() && !event.devpath.empty();
}

bool is_storage_activity(const Uevent& event) {
    constexpr std::string_view kStorage[] = {"block",      "scsi",     "scsi_host",
                                             "scsi_disk",  "ata_port", "ata_link",
                                             "ata_device", "nvme",     "nvme-subsystem"};
    for (const std::string_view subsystem : kStorage)
        if (event.subsystem == subsystem) return true;
    return false;
}

}  // namespace hal
