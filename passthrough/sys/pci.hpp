// The machine's PCI functions and IOMMU groups from sysfs, and their binding to vfio-pci.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "base/result.hpp"
#include "base/text.hpp"
#include "passthrough/plan.hpp"

namespace hal {

// /sys/bus/pci/devices, in address order; returns how many were read into `out`.
size_t read_pci_functions(std::span<PciFunction> out);

// True when /sys/kernel/iommu_groups holds a group.
bool iommu_active();

// Why no IOMMU is active: the firmware's ACPI tables (DMAR: Intel VT-d, IVRS: AMD-Vi) and
// what the kernel command line says.
const char* missing_iommu_reason();

// Makes vfio-pci the only driver that may take `address` (driver_override), then unbinds the
// driver it has now, if any (before the drivers load, none does).
Status reserve_for_vfio(const PciAddress& address);

// The driver bound to `address` now, into `out`; false when none is.
bool current_driver(const PciAddress& address, char* out, size_t capacity);

// Once vfio-pci is loaded: asks the kernel to probe `address` again when vfio-pci does not
// hold it yet; true when it does.
bool bind_to_vfio(const PciAddress& address);

// The function's modalias ("pci:v..."), read into `buffer`; empty when it cannot be read.
std::string_view read_modalias(const PciAddress& address, char* buffer, size_t capacity);

// The first reset method the kernel has for `address` (reset_method: flr, pm, bus...); "none".
void read_reset_method(const PciAddress& address, FixedString<32>& method);

}  // namespace hal
