// Unit tests for the KVM module decision.
#include <doctest/doctest.h>

#include <string_view>

#include "modules/kvm.hpp"

TEST_CASE("kvm modules: decision table -> vendor module only, none without vmx/svm") {
    using hal::KvmModule;
    struct Case {
        const char* module;
        const char* vendor;
        bool virtualization;
        KvmModule expected;
    };
    const Case cases[] = {
        {"kvm_intel", "GenuineIntel", true, KvmModule::kLoad},
        {"kvm-intel", "GenuineIntel", true, KvmModule::kLoad},
        {"kvm_amd", "GenuineIntel", true, KvmModule::kOtherVendor},
        {"kvm_amd", "AuthenticAMD", true, KvmModule::kLoad},
        {"kvm_intel", "AuthenticAMD", true, KvmModule::kOtherVendor},
        {"kvm_amd", "HygonGenuine", true, KvmModule::kLoad},
        {"kvm", "GenuineIntel", true, KvmModule::kLoad},
        {"kvm", "GenuineIntel", false, KvmModule::kNoVirtualization},
        {"kvm_intel", "GenuineIntel", false, KvmModule::kNoVirtualization},
        {"kvm_intel", "SomethingElse", true, KvmModule::kLoad},
        {"virtio_blk", "GenuineIntel", false, KvmModule::kNotKvm},
        {"kvmfoo", "GenuineIntel", false, KvmModule::kNotKvm},
    };
    for (const Case& test : cases) {
        CAPTURE(test.module);
        CAPTURE(test.vendor);
        CHECK(hal::kvm_module_decision(test.module, test.vendor, test.virtualization) ==
              test.expected);
    }
}
