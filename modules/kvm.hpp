// Which KVM modules a CPU can use: the vendor module that matches the CPU loads, the other is
// not tried, and without vmx/svm none of them is (not an error storm). No I/O.
#pragma once

#include <string_view>

namespace hal {

enum class KvmModule { kNotKvm, kLoad, kOtherVendor, kNoVirtualization };

// `vendor`: /proc/cpuinfo's vendor_id; `virtualization`: vmx or svm among its flags.
KvmModule kvm_module_decision(std::string_view module_name, std::string_view vendor,
                              bool virtualization);

}  // namespace hal
