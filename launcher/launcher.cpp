// QEMU argv construction: accelerator choice, sizing, devices; no I/O happens here.
#include "launcher/launcher.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "common/image_layout.hpp"

namespace hal {

void Argv::add(std::string_view argument) {
    if (count_ >= kArgvCapacity || argument.size() >= kArgvStorage - used_) {
        overflowed_ = true;
        return;
    }
    char* slot = storage_ + used_;
    std::memcpy(slot, argument.data(), argument.size());
    slot[argument.size()] = '\0';
    used_ += argument.size() + 1;
    pointers_[count_++] = slot;
    pointers_[count_] = nullptr;
}

void Argv::add_format(const char* format, ...) {
    char buffer[kArgvStorage];
    va_list arguments;
    va_start(arguments, format);
    const int length = std::vsnprintf(buffer, sizeof buffer, format, arguments);
    va_end(arguments);
    if (length < 0 || static_cast<size_t>(length) >= sizeof buffer) {
        overflowed_ = true;
        return;
    }
    add(std::string_view(buffer, static_cast<size_t>(length)));
}

namespace {

constexpr uint32_t kMinimumGuestMemoryMib = 64;

// Automatic memory: all of it but the host's reserve and one sixteenth for QEMU itself
// (page tables, device state, TCG's code buffer).
uint32_t automatic_memory_mib(const Config& config, const HostFacts& facts) {
    const uint64_t total_mib = facts.memory_total_kib / 1024;
    const uint64_t kept = config.memory_reserve_mib + total_mib / 16;
    if (total_mib <= kept + kMinimumGuestMemoryMib) return kMinimumGuestMemoryMib;
    return static_cast<uint32_t>(total_mib - kept);
}

void choose_accel(const Config& config, const HostFacts& facts, LaunchPlan& plan) {
    const bool usable = facts.kvm_device && facts.cpu_virtualization;
    switch (config.accel) {
        case Accel::kTcg:
            plan.accel = Accel::kTcg;
            plan.accel_reason = "accel = tcg in the config";
            return;
        case Accel::kKvm:
            plan.accel = Accel::kKvm;
            plan.accel_reason = usable ? "accel = kvm in the config" : "accel = kvm in the config, but KVM looks unusable";
            plan.accel_warning = !usable;
            return;
        case Accel::kAuto:
            break;
    }
    if (usable) {
        plan.accel = Accel::kKvm;
        plan.accel_reason = "/dev/kvm usable and the CPU has vmx/svm";
        return;
    }
    plan.accel = Accel::kTcg;
    plan.accel_warning = true;
    plan.accel_reason = !facts.kvm_device ? "no usable /dev/kvm; falling back to TCG (slow)"
                                          : "no vmx/svm CPU flag; falling back to TCG (slow)";
}

const char* nic_device(NicModel nic) {
    switch (nic) {
        case NicModel::kVirtio: return "virtio-net-pci";
        case NicModel::kE1000: return "e1000";
        case NicModel::kE1000e: return "e1000e";
        case NicModel::kNone: break;
    }
    return nullptr;
}

void add_disk(const Config& config, Argv& argv) {
    argv.add("-drive");
    argv.add_format("file=%s,format=raw,if=none,id=disk0,cache=%s", config.disk.c_str(),
                    disk_cache_name(config.disk_cache));
    argv.add("-device");
    switch (config.disk_bus) {
        case DiskBus::kVirtio: argv.add("virtio-blk-pci,drive=disk0,bootindex=0"); break;
        case DiskBus::kIde: argv.add("ide-hd,drive=disk0,bus=ide.0,bootindex=0"); break;
        case DiskBus::kAhci:
            argv.add("ahci,id=ahci0");
            argv.add("-device");
            argv.add("ide-hd,drive=disk0,bus=ahci0.0,bootindex=0");
            break;
        case DiskBus::kNvme: argv.add("nvme,drive=disk0,serial=hal-disk0,bootindex=0"); break;
    }
}

}  // namespace

LaunchPlan plan_launch(const Config& config, const HostFacts& facts) {
    LaunchPlan plan;
    choose_accel(config, facts, plan);
    plan.cpus = config.cpus != 0 ? config.cpus : (facts.cpus != 0 ? facts.cpus : 1);
    plan.memory_mib = config.memory_mib != 0 ? config.memory_mib : automatic_memory_mib(config, facts);
    return plan;
}

Status build_qemu_argv(const Config& config, const LaunchPlan& plan, const char* qemu_path, Argv& argv) {
    argv.add(qemu_path);
    // Only what we ask for: no default devices, no host config files.
    argv.add("-nodefaults");
    argv.add("-no-user-config");
    argv.add("-L");
    argv.add(layout::kFirmwareDir);
    argv.add("-machine");
    argv.add(machine_name(config.machine));
    argv.add("-accel");
    if (plan.accel == Accel::kKvm) {
        argv.add("kvm");
        argv.add("-cpu");
        argv.add("host");
    } else {
        argv.add("tcg");
    }
    argv.add("-smp");
    argv.add_format("%u", plan.cpus);
    argv.add("-m");
    argv.add_format("%u", plan.memory_mib);
    argv.add("-display");
    argv.add("none");
    // The guest's first serial port is the host console; signal=off lets Ctrl-C reach the guest.
    argv.add("-chardev");
    argv.add("stdio,id=console,signal=off");
    argv.add("-serial");
    argv.add("chardev:console");
    argv.add("-qmp");
    argv.add_format("unix:%s,server=on,wait=off", layout::kQmpSocket);
    add_disk(config, argv);
    if (const char* device = nic_device(config.nic)) {
        argv.add("-netdev");
        argv.add("user,id=net0");
        argv.add("-device");
        argv.add_format("%s,netdev=net0", device);
    }
    std::string_view extra = config.qemu_args.view();
    std::string_view word;
    while (next_word(extra, word)) argv.add(word);
    if (argv.overflowed()) return Error{"build QEMU argv", EOVERFLOW};
    return ok_status();
}

}  // namespace hal
