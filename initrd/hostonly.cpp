// Host-only module choice from modaliases and bound drivers.
#include "initrd/hostonly.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/glob.hpp"
#include "base/text.hpp"
#include "image/file_io.hpp"
#include "image/module_file.hpp"

namespace hal::pack {
namespace {

std::string first_line(const std::string& path) {
    std::ifstream stream(path);
    std::string line;
    std::getline(stream, line);
    return std::string(trim(line));
}

std::string link_name(const std::string& path) {
    char target[4096];
    const ssize_t length = ::readlink(path.c_str(), target, sizeof target - 1);
    if (length <= 0) return {};
    const std::string text(target, static_cast<size_t>(length));
    return text.substr(text.rfind('/') + 1);
}

}  // namespace

namespace {

// "DEVICE MODALIAS" or "MODALIAS", "driver NAME", "cpu VENDOR_ID" lines.
Checked<HostDevices> read_recorded_devices(const std::string& recorded) {
    HostDevices devices;
    const std::string text = TRY(read_whole_file(recorded));
    LineReader reader(text);
    std::string_view line;
    while (reader.next(line)) {
        line = trim(strip_comment(line));
        if (line.empty()) continue;
        std::string_view first, second;
        std::string_view rest = line;
        next_word(rest, first);
        const bool has_second = next_word(rest, second);
        if (first == "driver" && has_second)
            devices.bound_modules.push_back(normalized_module_name(second));
        else if (first == "cpu" && has_second)
            devices.cpu_vendor = std::string(second);
        else if (has_second)
            devices.modaliases.emplace_back(std::string(first), std::string(second));
        else if (first.find(':') != std::string_view::npos)
            devices.modaliases.emplace_back("", std::string(first));
        else
            return problem(recorded + " line " + std::to_string(reader.number()) +
                           ": not a modalias");
    }
    return devices;
}

HostDevices read_sysfs_devices(const std::string& sysfs) {
    HostDevices devices;
    for (const auto& bus : sorted_directory_entries(sysfs + "/bus")) {
        const std::string directory = sysfs + "/bus/" + bus + "/devices";
        for (const auto& device : sorted_directory_entries(directory)) {
            const std::string modalias = first_line(directory + "/" + device + "/modalias");
            if (!modalias.empty()) devices.modaliases.emplace_back(device, modalias);
            const std::string module = link_name(directory + "/" + device + "/driver/module");
            if (!module.empty()) devices.bound_modules.push_back(normalized_module_name(module));
        }
    }
    // Input devices are a class, not a bus (the power button's events need evdev).
    for (const auto& device : sorted_directory_entries(sysfs + "/class/input")) {
        const std::string modalias = first_line(sysfs + "/class/input/" + device + "/modalias");
        if (!modalias.empty()) devices.modaliases.emplace_back(device, modalias);
    }
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (devices.cpu_vendor.empty() && std::getline(cpuinfo, line))
        if (line.rfind("vendor_id", 0) == 0)
            devices.cpu_vendor = std::string(trim(line.substr(line.find(':') + 1)));
    return devices;
}

}  // namespace

Checked<HostDevices> read_host_devices(const std::string& sysfs, const std::string& recorded) {
    if (!recorded.empty()) return read_recorded_devices(recorded);
    return read_sysfs_devices(sysfs);
}

std::vector<HostonlyChoice> choose_hostonly(const Resolution& generic, const ModuleIndex& index,
                                            const HostDevices& devices) {
    std::set<std::string> packed;
    for (const auto& path : generic.load_order) packed.insert(module_name_of(path));
    std::map<std::string, std::string> reasons;
    for (const auto& [device, modalias] : devices.modaliases)
        for (const auto& [pattern, module] : index.aliases) {
            if (!packed.count(module) || reasons.count(module) || !glob_match(pattern, modalias))
                continue;
            reasons[module] = modalias + (device.empty() ? "" : " (" + device + ")");
        }
    for (const auto& module : devices.bound_modules)
        if (packed.count(module) && !reasons.count(module))
            reasons[module] = "bound to a device now";
    // The HAL's own: what loads at every boot (KVM for this CPU only) and the filesystems.
    // A recorded list without a "cpu" line: the vendor is unknown, so both KVM modules stay.
    const bool unknown = devices.cpu_vendor.empty();
    const bool intel =
        unknown || devices.cpu_vendor == "GenuineIntel" || devices.cpu_vendor == "CentaurHauls";
    const bool amd =
        unknown || devices.cpu_vendor == "AuthenticAMD" || devices.cpu_vendor == "HygonGenuine";
    for (const auto& path : generic.early) {
        const std::string module = module_name_of(path);
        if ((module == "kvm_intel" && !intel) || (module == "kvm_amd" && !amd)) continue;
        reasons.emplace(module, "the HAL's own (loaded at every boot)");
    }
    // The filesystems the list names; one that is only another module's dependency (configfs
    // under a SCSI target driver) stays out with that module.
    for (const auto& module : generic.filesystems)
        reasons.emplace(module, "the HAL's own (a filesystem it mounts)");
    // vfio-pci takes whatever device `passthrough` names (driver_override): no alias of this
    // machine's devices would keep it.
    if (packed.count("vfio_pci"))
        reasons.emplace("vfio_pci", "the HAL's own (passthrough binds devices to it)");
    std::vector<HostonlyChoice> choices;
    for (const auto& [module, reason] : reasons) choices.push_back({module, reason});
    return choices;
}

}  // namespace hal::pack
