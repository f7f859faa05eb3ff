// The KVM module decision; no I/O.
#include "modules/kvm.hpp"

#include "modules/modules_dep.hpp"

namespace hal {

KvmModule kvm_module_decision(std::string_view module_name, std::string_view vendor,
                              bool virtualization) {
    const bool intel_module = same_module_name(module_name, "kvm_intel");
    const bool amd_module = same_module_name(module_name, "kvm_amd");
    if (!intel_module && !amd_module && module_name != "kvm") return KvmModule::kNotKvm;
    if (!virtualization) return KvmModule::kNoVirtualization;
    // Centaur and Zhaoxin implement VMX; Hygon implements SVM.
    const bool intel_cpu =
        vendor == "GenuineIntel" || vendor == "CentaurHauls" || vendor == "Shanghai";
    const bool amd_cpu = vendor == "AuthenticAMD" || vendor == "HygonGenuine";
    if ((intel_module && amd_cpu) || (amd_module && intel_cpu)) return KvmModule::kOtherVendor;
    return KvmModule::kLoad;
}

}  // namespace hal
