// PCI functions, IOMMU groups and vfio-pci binding through sysfs.
#include "passthrough/sys/pci.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/sys/attribute.hpp"
#include "base/sys/fs.hpp"

namespace hal {
namespace {

constexpr const char* kDevices = "/sys/bus/pci/devices";

void device_path(const PciAddress& address, const char* name, char (&path)[96]) {
    char text[16];
    format_pci_address(address, text);
    std::snprintf(path, sizeof path, "%s/%s%s%s", kDevices, text, *name ? "/" : "", name);
}

uint32_t hex_attribute(std::string_view directory, const char* name) {
    char buffer[32];
    const auto text = sys::read_attribute(directory, name, buffer, sizeof buffer);
    return text.ok() ? static_cast<uint32_t>(std::strtoul(buffer, nullptr, 16)) : 0;
}

// The basename of the link DIRECTORY/NAME into `out`; false when there is no link.
bool link_name(const char* directory, const char* name, char* out, size_t capacity) {
    char path[128], target[256];
    std::snprintf(path, sizeof path, "%s/%s", directory, name);
    if (!sys::read_link(path, target, sizeof target).ok()) return false;
    const char* slash = std::strrchr(target, '/');
    const char* base = slash ? slash + 1 : target;
    if (std::strlen(base) >= capacity) return false;
    std::memcpy(out, base, std::strlen(base) + 1);
    return true;
}

bool read_function(const char* name, PciFunction& function) {
    const auto address = parse_pci_address(name);
    if (!address.ok()) return false;
    function.address = address.value();
    char directory[96];
    device_path(function.address, "", directory);
    function.vendor = static_cast<uint16_t>(hex_attribute(directory, "vendor"));
    function.device = static_cast<uint16_t>(hex_attribute(directory, "device"));
    function.class_code = hex_attribute(directory, "class");
    function.pcie = sys::attribute_exists(directory, "current_link_speed");
    function.boot_vga = hex_attribute(directory, "boot_vga") == 1;  // VGA devices only
    char text[32];
    function.iommu_group = link_name(directory, "iommu_group", text, sizeof text)
                               ? static_cast<int>(std::strtol(text, nullptr, 10))
                               : -1;
    function.driver.assign(link_name(directory, "driver", text, sizeof text) ? text : "");
    return true;
}

bool command_line_has(const char* word) {
    char line[4096];
    const auto size = sys::read_file("/proc/cmdline", line, sizeof line - 1);
    if (!size.ok()) return false;
    line[size.value()] = '\0';
    return std::strstr(line, word) != nullptr;
}

}  // namespace

size_t read_pci_functions(std::span<PciFunction> out) {
    size_t count = 0;
    (void)sys::for_each_entry(kDevices, [&](const char* name) {
        if (count < out.size() && read_function(name, out[count])) ++count;
    });
    std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(count),
              [](const PciFunction& a, const PciFunction& b) { return a.address < b.address; });
    return count;
}

bool iommu_active() {
    bool any = false;
    (void)sys::for_each_entry("/sys/kernel/iommu_groups", [&](const char*) { any = true; });
    return any;
}

const char* missing_iommu_reason() {
    if (sys::path_exists("/sys/firmware/acpi/tables/DMAR"))
        return command_line_has("intel_iommu=on")
                   ? "the firmware has an Intel VT-d table (DMAR) but the kernel did not enable it"
                   : "the firmware has an Intel VT-d table (DMAR): add intel_iommu=on to the "
                     "kernel command line";
    if (sys::path_exists("/sys/firmware/acpi/tables/IVRS"))
        return "the firmware has an AMD-Vi table (IVRS) but the kernel did not enable it "
               "(amd_iommu=off or iommu=off on its command line?)";
    return "the firmware has no DMAR or IVRS table: turn on VT-d or AMD-Vi (IOMMU) in its setup";
}

Status reserve_for_vfio(const PciAddress& address) {
    char path[96], directory[96], driver[32];
    device_path(address, "driver_override", path);
    TRY(sys::write_file(path, "vfio-pci"));
    device_path(address, "", directory);
    if (!link_name(directory, "driver", driver, sizeof driver) ||
        std::strcmp(driver, "vfio-pci") == 0)
        return ok_status();
    char text[16];
    format_pci_address(address, text);
    device_path(address, "driver/unbind", path);
    return sys::write_file(path, text);
}

bool current_driver(const PciAddress& address, char* out, size_t capacity) {
    char directory[96];
    device_path(address, "", directory);
    return link_name(directory, "driver", out, capacity);
}

bool bind_to_vfio(const PciAddress& address) {
    char directory[96], driver[32];
    device_path(address, "", directory);
    if (link_name(directory, "driver", driver, sizeof driver) &&
        std::strcmp(driver, "vfio-pci") == 0)
        return true;
    char text[16];
    format_pci_address(address, text);
    (void)sys::write_file("/sys/bus/pci/drivers_probe", text);
    return link_name(directory, "driver", driver, sizeof driver) &&
           std::strcmp(driver, "vfio-pci") == 0;
}

std::string_view read_modalias(const PciAddress& address, char* buffer, size_t capacity) {
    char directory[96];
    device_path(address, "", directory);
    const auto text = sys::read_attribute(directory, "modalias", buffer, capacity);
    return text.ok() ? text.value() : std::string_view();
}

void read_reset_method(const PciAddress& address, FixedString<32>& method) {
    char directory[96], buffer[64];
    device_path(address, "", directory);
    const auto text = sys::read_attribute(directory, "reset_method", buffer, sizeof buffer);
    std::string_view first = text.ok() ? text.value() : std::string_view();
    first = first.substr(0, first.find(' '));
    if (first.empty() || !method.assign(first)) method.assign("none");
}

}  // namespace hal
