// Unit tests for the launcher's decisions and the QEMU argv it builds.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "launcher/firmware.hpp"
#include "launcher/launcher.hpp"

using hal::Accel;
using hal::Config;
using hal::HostFacts;

namespace {

Config base_config() { return Config{}; }

// One virtio disk with a BIOS boot sector, as on the test VMs.
HostFacts host(bool kvm_device, bool virtualization, uint32_t cpus = 4,
               uint64_t memory_mib = 8192) {
    HostFacts facts;
    facts.platform.kvm_device = kvm_device;
    facts.platform.cpu_virtualization = virtualization;
    facts.platform.cpus = cpus;
    facts.platform.memory_total_kib = memory_mib * 1024;
    facts.disks.count = 1;
    facts.disks.disks[0].path.assign("/dev/vda");
    facts.disks.disks[0].name.assign("vda");
    facts.disks.disks[0].bus = hal::HostBus::kVirtio;
    facts.disks.disks[0].boot.bios = true;
    facts.platform.ovmf = true;
    return facts;
}

std::vector<std::string> argv_of(const Config& config, const HostFacts& facts) {
    static hal::Argv argv;  // large; and built again by every call, as a restart does
    const auto plan = hal::plan_launch(config, facts);
    REQUIRE(hal::build_qemu_argv(config, plan, facts, "/usr/bin/qemu-system-x86_64", argv).ok());
    std::vector<std::string> result;
    for (size_t i = 0; i < argv.size(); ++i) result.emplace_back(argv[i]);
    CHECK(argv.data()[argv.size()] == nullptr);
    return result;
}

// The value following `option` in argv, or "" when absent.
std::string value_after(const std::vector<std::string>& argv, const std::string& option,
                        size_t nth = 0) {
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == option && nth-- == 0) return argv[i + 1];
    return "";
}

bool contains(const std::vector<std::string>& argv, const std::string& word) {
    for (const auto& argument : argv)
        if (argument == word) return true;
    return false;
}

}  // namespace

TEST_CASE("launcher: accel auto table -> kvm only with device and vmx/svm") {
    struct Case {
        bool device, flag;
        Accel expected;
        bool warning;
    };
    const Case cases[] = {{true, true, Accel::kKvm, false},
                          {true, false, Accel::kTcg, true},
                          {false, true, Accel::kTcg, true},
                          {false, false, Accel::kTcg, true}};
    for (const Case& test : cases) {
        CAPTURE(test.device);
        CAPTURE(test.flag);
        const auto plan = hal::plan_launch(base_config(), host(test.device, test.flag));
        CHECK(plan.accel == test.expected);
        CHECK(plan.accel_warning == test.warning);
    }
}

TEST_CASE("launcher: booted from the installed entry, no KVM is fatal so the OS boots natively") {
    Config config = base_config();
    config.fallback.has_grubenv = true;  // hal.grubenv from mkinitrd-hal --install-boot's entry
    CHECK(std::string(hal::plan_launch(config, host(false, true)).fatal) ==
          "no usable /dev/kvm, and fallback = bare-metal boots the OS natively rather than under "
          "TCG");
    CHECK(std::string(hal::plan_launch(config, host(true, false)).fatal) ==
          "no vmx/svm CPU flag, and fallback = bare-metal boots the OS natively rather than under "
          "TCG");
    CHECK(hal::plan_launch(config, host(true, true)).fatal == nullptr);
    // fallback = none, or accel = tcg asked for: TCG as before.
    config.fallback.mode = hal::FallbackMode::kNone;
    CHECK(hal::plan_launch(config, host(false, false)).fatal == nullptr);
    config.fallback.mode = hal::FallbackMode::kBareMetal;
    config.platform.accel = Accel::kTcg;
    CHECK(hal::plan_launch(config, host(false, false)).fatal == nullptr);
}

TEST_CASE("launcher: kvm usable -> -accel kvm -cpu host") {
    const auto argv = argv_of(base_config(), host(true, true));
    CHECK(value_after(argv, "-accel") == "kvm");
    CHECK(value_after(argv, "-cpu") == "host");
}

TEST_CASE("launcher: no vmx/svm -> -accel tcg and no -cpu host") {
    const auto argv = argv_of(base_config(), host(true, false));
    CHECK(value_after(argv, "-accel") == "tcg");
    CHECK_FALSE(contains(argv, "-cpu"));
}

TEST_CASE("launcher: accel = tcg in config -> tcg even with usable kvm") {
    Config config = base_config();
    config.platform.accel = Accel::kTcg;
    CHECK(hal::plan_launch(config, host(true, true)).accel == Accel::kTcg);
}

TEST_CASE("launcher: accel = kvm without vmx -> kvm as configured, with a warning") {
    Config config = base_config();
    config.platform.accel = Accel::kKvm;
    const auto plan = hal::plan_launch(config, host(true, false));
    CHECK(plan.accel == Accel::kKvm);
    CHECK(plan.accel_warning);
}

TEST_CASE("launcher: cpus auto -> host count; explicit -> config") {
    CHECK(value_after(argv_of(base_config(), host(true, true, 12)), "-smp") == "12");
    Config config = base_config();
    config.platform.cpus = 3;
    CHECK(value_after(argv_of(config, host(true, true, 12)), "-smp") == "3");
}

TEST_CASE("launcher: memory auto table -> total minus reserve minus 1/16, at least 64") {
    struct Case {
        uint64_t total_mib;
        uint32_t reserve;
        uint32_t expected;
    };
    const Case cases[] = {
        {8192, 256, 8192 - 256 - 512}, {1024, 256, 1024 - 256 - 64}, {300, 256, 64}, {0, 256, 64}};
    for (const Case& test : cases) {
        CAPTURE(test.total_mib);
        Config config = base_config();
        config.platform.memory_reserve_mib = test.reserve;
        CHECK(hal::plan_launch(config, host(false, false, 1, test.total_mib)).memory_mib ==
              test.expected);
    }
    Config fixed = base_config();
    fixed.platform.memory_mib = 1500;
    CHECK(value_after(argv_of(fixed, host(false, false)), "-m") == "1500");
}

TEST_CASE("launcher: fixed options -> nodefaults, no-user-config, firmware dir, console, qmp") {
    const auto argv = argv_of(base_config(), host(false, false));
    CHECK(argv[0] == "/usr/bin/qemu-system-x86_64");
    CHECK(contains(argv, "-nodefaults"));
    CHECK(contains(argv, "-no-user-config"));
    CHECK(value_after(argv, "-L") == "/usr/share/qemu");
    CHECK(value_after(argv, "-chardev") == "stdio,id=console,signal=off");
    CHECK(value_after(argv, "-serial") == "chardev:console");
    CHECK(value_after(argv, "-qmp") == "unix:/run/hal/qmp.sock,server=on,wait=off");
    CHECK(value_after(argv, "-display") == "none");
}

TEST_CASE(
    "launcher: operator QMP port -> a serial chardev and a control monitor on it; none -> "
    "neither") {
    HostFacts facts = host(false, false);
    CHECK_FALSE(contains(argv_of(base_config(), facts), "-mon"));
    facts.operator_qmp_port.assign("/dev/ttyS1");
    const auto argv = argv_of(base_config(), facts);
    CHECK(value_after(argv, "-chardev", 1) == "serial,id=operator,path=/dev/ttyS1");
    CHECK(value_after(argv, "-mon") == "chardev=operator,mode=control");
    // hal-init's own QMP socket stays as it was.
    CHECK(value_after(argv, "-qmp") == "unix:/run/hal/qmp.sock,server=on,wait=off");
}

TEST_CASE("launcher: disk_bus forced -> that bus's device for the host disk") {
    struct Case {
        hal::DiskBus bus;
        const char* device;
    };
    const Case cases[] = {{hal::DiskBus::kVirtio, "virtio-blk-pci,drive=disk0,bootindex=0"},
                          {hal::DiskBus::kIde, "ide-hd,drive=disk0,bus=ide.0,unit=0,bootindex=0"},
                          {hal::DiskBus::kAhci, "ahci,id=ahci0"},
                          {hal::DiskBus::kNvme, "nvme,id=nvme0,serial=HALDISK0"},
                          {hal::DiskBus::kScsi, "virtio-scsi-pci,id=scsi0"}};
    for (const Case& test : cases) {
        CAPTURE(test.device);
        Config config = base_config();
        config.disks.bus = test.bus;
        const auto argv = argv_of(config, host(false, false));
        CHECK(value_after(argv, "-drive") ==
              "file=/dev/vda,format=raw,if=none,id=disk0,cache=none,aio=native,discard=unmap");
        CHECK(value_after(argv, "-device") == test.device);
    }
}

TEST_CASE("launcher: nic model -> user netdev and device; none -> no netdev") {
    Config config = base_config();
    config.net.nic = hal::NicModel::kE1000;
    auto argv = argv_of(config, host(false, false));
    CHECK(value_after(argv, "-netdev") == "user,id=net0");
    CHECK(value_after(argv, "-device", 1) == "e1000,netdev=net0,romfile=");
    // The original script's NIC, which OSes written for QEMU's machine drive.
    config.net.nic = hal::NicModel::kRtl8139;
    CHECK(value_after(argv_of(config, host(false, false)), "-device", 1) ==
          "rtl8139,netdev=net0,romfile=");
    CHECK(hal::parse_nic_model("rtl8139").value() == hal::NicModel::kRtl8139);
    config.net.nic = hal::NicModel::kNone;
    argv = argv_of(config, host(false, false));
    CHECK_FALSE(contains(argv, "-netdev"));
}

TEST_CASE("launcher: qemu_args -> appended word by word at the end") {
    Config config = base_config();
    config.qemu_args.assign("  -rtc   base=utc ");
    const auto argv = argv_of(config, host(false, false));
    REQUIRE(argv.size() >= 2);
    CHECK(argv[argv.size() - 2] == "-rtc");
    CHECK(argv.back() == "base=utc");
}

TEST_CASE("launcher: guest_watchdog = i6300esb -> the device last, QEMU only reporting expiry") {
    Config config = base_config();
    CHECK_FALSE(contains(argv_of(config, host(false, false)), "i6300esb"));
    config.supervision.guest_watchdog = hal::GuestWatchdog::kI6300esb;
    config.qemu_args.assign("-rtc base=utc");
    const auto argv = argv_of(config, host(false, false));
    REQUIRE(argv.size() >= 6);
    CHECK(std::vector<std::string>(argv.end() - 6, argv.end()) ==
          std::vector<std::string>{"-device", "i6300esb", "-action", "watchdog=none", "-rtc",
                                   "base=utc"});
    CHECK(hal::parse_guest_watchdog("i6300esb").value() == hal::GuestWatchdog::kI6300esb);
    CHECK(std::string(hal::parse_guest_watchdog("ib700").error().message) ==
          "guest_watchdog must be none or i6300esb");
}

TEST_CASE("launcher: every guest carries the HAL's SMBIOS OEM string, whatever its identity") {
    for (const auto identity : {hal::Identity::kHost, hal::Identity::kGeneric}) {
        Config config = base_config();
        config.platform.identity = identity;
        const auto argv = argv_of(config, host(false, false));
        CHECK(contains(argv, "type=11,value=mkinitrd-hal:guest"));
    }
}

TEST_CASE("launcher: argv beyond capacity -> EOVERFLOW, not truncation") {
    Config config = base_config();
    std::string many;
    for (int i = 0; i < 300; ++i) many += "-x ";
    config.qemu_args.assign(many);
    hal::Argv argv;
    const HostFacts facts = host(false, false);
    const auto status =
        hal::build_qemu_argv(config, hal::plan_launch(config, facts), facts, "/q", argv);
    CHECK_FALSE(status.ok());
    CHECK(status.error().code == EOVERFLOW);
}

TEST_CASE(
    "firmware files: default (firmware auto) -> SeaBIOS, vapic, linuxboot and plain OVMF, no NIC "
    "ROM") {
    const auto list = hal::firmware_for(base_config());
    std::vector<std::string> names(list.view().begin(), list.view().end());
    CHECK(names == std::vector<std::string>{"bios-256k.bin", "kvmvapic.bin", "linuxboot_dma.bin",
                                            "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd",
                                            "vgabios-stdvga.bin", "keymaps/en-us"});
}

TEST_CASE(
    "firmware files: display none -> no VGA BIOS or keymap; guest_video virtio -> its VGA BIOS") {
    Config config = base_config();
    config.display.mode = hal::DisplayMode::kNone;
    CHECK(hal::firmware_for(config).count == 5);
    config.display.mode = hal::DisplayMode::kAuto;
    config.display.video = hal::GuestVideo::kVirtio;
    CHECK(hal::firmware_for(config).names[5] == "vgabios-virtio.bin");
}

TEST_CASE("firmware files: auto for a Secure Boot machine -> both OVMF builds; uefi -> plain") {
    Config config = base_config();
    config.display.mode = hal::DisplayMode::kNone;
    auto list = hal::firmware_for(config, true);
    std::vector<std::string> names(list.view().begin(), list.view().end());
    CHECK(names == std::vector<std::string>{"bios-256k.bin", "kvmvapic.bin", "linuxboot_dma.bin",
                                            "OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd",
                                            "OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.ms.fd"});
    config.platform.firmware = hal::FirmwareSetting::kUefi;
    CHECK(hal::firmware_for(config, true).count == 5);
}

TEST_CASE(
    "firmware files: bios -> no OVMF; uefi-secure -> the Secure Boot build and Microsoft keys") {
    Config config = base_config();
    config.display.mode = hal::DisplayMode::kNone;
    config.platform.firmware = hal::FirmwareSetting::kBios;
    CHECK(hal::firmware_for(config).count == 3);
    config.platform.firmware = hal::FirmwareSetting::kUefiSecure;
    const auto list = hal::firmware_for(config);
    std::vector<std::string> names(list.view().begin(), list.view().end());
    CHECK(names == std::vector<std::string>{"bios-256k.bin", "kvmvapic.bin", "linuxboot_dma.bin",
                                            "OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.ms.fd"});
}

TEST_CASE("firmware: nic_boot with a virtio nic -> its efi-virtio ROM too; no nic -> none") {
    Config config = base_config();
    config.net.nic_boot = true;
    const auto list = hal::firmware_for(config);
    CHECK(list.view().back() == "efi-virtio.rom");
    config.net.nic = hal::NicModel::kRtl8139;
    CHECK(hal::firmware_for(config).view().back() == "efi-rtl8139.rom");
    config.net.nic = hal::NicModel::kNone;
    CHECK(hal::firmware_for(config).count == 7);
}

TEST_CASE("launcher: nic without nic_boot -> empty romfile; with it -> bootindex after the disk") {
    Config config = base_config();
    CHECK(value_after(argv_of(config, host(false, false)), "-device", 1) ==
          "virtio-net-pci,netdev=net0,romfile=");
    config.net.nic_boot = true;
    CHECK(value_after(argv_of(config, host(false, false)), "-device", 1) ==
          "virtio-net-pci,netdev=net0,bootindex=1");
}

TEST_CASE("launcher: -boot strict=on,menu=off: only bootindex devices, no menu wait") {
    CHECK(value_after(argv_of(base_config(), host(false, false)), "-boot") == "strict=on,menu=off");
}

TEST_CASE("launcher: guest_os -> the Hyper-V enlightenments for Windows under KVM, nothing else") {
    struct Case {
        hal::GuestOs setting;
        bool windows_disk, kvm;
        hal::GuestOs os;
        bool hyperv;
    };
    const Case cases[] = {
        {hal::GuestOs::kAuto, false, true, hal::GuestOs::kOther, false},
        {hal::GuestOs::kAuto, true, true, hal::GuestOs::kWindows, true},
        {hal::GuestOs::kAuto, true, false, hal::GuestOs::kWindows, false},  // TCG: none
        {hal::GuestOs::kWindows, false, true, hal::GuestOs::kWindows, true},
        {hal::GuestOs::kLinux, true, true, hal::GuestOs::kLinux, false},
        {hal::GuestOs::kOther, true, true, hal::GuestOs::kOther, false},
    };
    for (const Case& test : cases) {
        CAPTURE(hal::guest_os_name(test.setting));
        CAPTURE(test.windows_disk);
        CAPTURE(test.kvm);
        Config config = base_config();
        config.platform.guest_os = test.setting;
        HostFacts facts = host(true, test.kvm);
        facts.disks.disks[0].boot.windows = test.windows_disk;
        facts.disks.disks[0].boot.windows_reason =
            "the boot disk has a Microsoft Reserved partition";
        const auto plan = hal::plan_launch(config, facts);
        CHECK(plan.guest_os.os == test.os);
        CHECK(plan.hyperv == test.hyperv);
        const auto argv = argv_of(config, facts);
        const std::string cpu = value_after(argv, "-cpu");
        if (test.hyperv)
            CHECK(cpu == std::string("host,") + hal::kHypervFeatures);
        else
            CHECK(cpu == (test.kvm ? "host" : ""));
    }
    CHECK(hal::decide_guest_os(hal::GuestOs::kAuto, {}).reason ==
          std::string("no sign of Windows on the boot disk"));
}

TEST_CASE("launcher: guest_os setting -> parsed by name; anything else names the choices") {
    CHECK(hal::parse_guest_os("windows").value() == hal::GuestOs::kWindows);
    CHECK(hal::parse_guest_os("auto").value() == hal::GuestOs::kAuto);
    const auto bad = hal::parse_guest_os("win11");
    REQUIRE_FALSE(bad.ok());
    CHECK(std::string(bad.error().message) == "guest_os must be auto, windows, linux or other");
}

TEST_CASE("launcher: tpm -> the host's TPM passed through with the front end its interface has") {
    struct Case {
        hal::TpmSetting setting;
        bool present;
        uint32_t version;
        const char* driver;
        bool cancel;
        const char* tpmdev;  // "" when none
        const char* device;
        bool fatal;
    };
    const Case cases[] = {
        {hal::TpmSetting::kAuto, true, 2, "tpm_crb", false,
         "passthrough,id=tpm0,path=/dev/tpm0,cancel-path=/dev/null", "tpm-crb,tpmdev=tpm0", false},
        {hal::TpmSetting::kAuto, true, 2, "tpm_tis", false,
         "passthrough,id=tpm0,path=/dev/tpm0,cancel-path=/dev/null", "tpm-tis,tpmdev=tpm0", false},
        // TPM 1.2: TIS (CRB is 2.0 only), and its driver's cancel file.
        {hal::TpmSetting::kPassthrough, true, 1, "tpm_tis", true,
         "passthrough,id=tpm0,path=/dev/tpm0,cancel-path=/sys/class/tpm/tpm0/device/cancel",
         "tpm-tis,tpmdev=tpm0", false},
        {hal::TpmSetting::kNone, true, 2, "tpm_crb", false, "", "", false},
        {hal::TpmSetting::kAuto, false, 0, "", false, "", "", false},
        {hal::TpmSetting::kPassthrough, false, 0, "", false, "", "", true},
    };
    for (const Case& test : cases) {
        CAPTURE(hal::tpm_setting_name(test.setting));
        CAPTURE(test.driver);
        Config config = base_config();
        config.platform.tpm = test.setting;
        HostFacts facts = host(true, true);
        facts.platform.tpm.present = test.present;
        facts.platform.tpm.version_major = test.version;
        facts.platform.tpm.driver.assign(test.driver);
        facts.platform.tpm.cancel = test.cancel;
        const auto plan = hal::plan_launch(config, facts);
        CHECK((plan.fatal != nullptr) == test.fatal);
        if (test.fatal) continue;
        const auto argv = argv_of(config, facts);
        CHECK(value_after(argv, "-tpmdev") == test.tpmdev);
        bool device_found = *test.device == 0;
        for (size_t i = 0; i + 1 < argv.size(); ++i)
            if (argv[i] == "-device" && argv[i + 1] == test.device) device_found = true;
        CHECK(device_found);
    }
    // A TPM that does not open (in use): none for auto, the emergency action for passthrough.
    Config config = base_config();
    HostFacts facts = host(true, true);
    facts.platform.tpm.present = true;
    facts.platform.tpm.open_error = EBUSY;
    auto plan = hal::plan_launch(config, facts);
    CHECK(plan.fatal == nullptr);
    CHECK_FALSE(plan.tpm.pass);
    CHECK(std::string(plan.tpm.reason).find("does not open") != std::string::npos);
    CHECK_FALSE(contains(argv_of(config, facts), "-tpmdev"));
    config.platform.tpm = hal::TpmSetting::kPassthrough;
    CHECK(hal::plan_launch(config, facts).fatal != nullptr);
    CHECK(hal::parse_tpm_setting("passthrough").value() == hal::TpmSetting::kPassthrough);
    CHECK(std::string(hal::parse_tpm_setting("yes").error().message) ==
          "tpm must be auto, passthrough or none");
}

TEST_CASE("launcher: platform = virtual -> IDE disk, rtl8139, virtio-rng, QEMU's identity") {
    Config config = base_config();
    REQUIRE(hal::apply_setting(config, "platform", "virtual").ok());
    HostFacts facts = host(true, true);
    facts.platform.smbios_files[0].assign("/run/hal/smbios/type1.bin");
    facts.platform.smbios_count = 1;
    facts.platform.tpm.present = true;
    facts.platform.tpm.version_major = 2;
    facts.platform.tpm.driver.assign("tpm_crb");
    const auto argv = argv_of(config, facts);
    // No monitor on this host, and still the VGA and tablet, so that no slot moves.
    CHECK(value_after(argv, "-device") == "VGA,edid=on,xres=1024,yres=768");
    CHECK(value_after(argv, "-device", 2) == "usb-tablet,bus=xhci.0");
    CHECK_FALSE(contains(argv, "-vnc"));
    CHECK(value_after(argv, "-device", 3) == "ide-hd,drive=disk0,bus=ide.0,unit=0,bootindex=0");
    CHECK(value_after(argv, "-device", 4) == "rtl8139,netdev=net0,romfile=");
    CHECK(value_after(argv, "-device", 5) == "virtio-rng-pci");
    CHECK_FALSE(contains(argv, "file=/run/hal/smbios/type1.bin"));
    CHECK_FALSE(contains(argv, "-tpmdev"));
    // The same host as the transparent platform sees it: its SMBIOS and TPM.
    const auto transparent = argv_of(base_config(), facts);
    CHECK(contains(transparent, "file=/run/hal/smbios/type1.bin"));
    CHECK(contains(transparent, "-tpmdev"));
    CHECK_FALSE(contains(transparent, "virtio-rng-pci"));
    CHECK_FALSE(contains(transparent, "usb-tablet,bus=xhci.0"));
    CHECK(hal::parse_guest_rng("virtio").value() == hal::GuestRng::kVirtio);
}

TEST_CASE("launcher: functions bound for passthrough -> one vfio-pci device each, before rng") {
    Config config = base_config();
    config.platform.rng = hal::GuestRng::kVirtio;
    HostFacts facts = host(true, true);
    facts.passthrough.devices[0].address = hal::parse_pci_address("0000:00:05.0").value();
    facts.passthrough.devices[1].address = hal::parse_pci_address("0000:03:00.1").value();
    facts.passthrough.count = 2;
    const auto argv = argv_of(config, facts);
    CHECK(value_after(argv, "-device", 2) == "vfio-pci,host=0000:00:05.0");
    CHECK(value_after(argv, "-device", 3) == "vfio-pci,host=0000:03:00.1");
    CHECK(value_after(argv, "-device", 4) == "virtio-rng-pci");
    CHECK_FALSE(contains(argv, "reboot=shutdown"));
    CHECK_FALSE(contains(argv_of(config, host(true, true)), "vfio-pci,host=0000:00:05.0"));
    // One without a reset method: a guest reboot ends QEMU, and the machine reboots.
    facts.passthrough.needs_machine_reset = true;
    CHECK(value_after(argv_of(config, facts), "-action") == "reboot=shutdown");
}

TEST_CASE("launcher: a PCIe device passed -> q35, each slot behind its own root port") {
    Config config = base_config();
    HostFacts facts = host(true, true);
    const char* addresses[] = {"0000:00:05.0", "0000:01:00.0", "0000:01:00.1", "0000:02:00.0"};
    for (size_t i = 0; i < 4; ++i) {
        facts.passthrough.devices[i].address = hal::parse_pci_address(addresses[i]).value();
        facts.passthrough.devices[i].pcie = i > 0;  // 00:05.0 is conventional PCI
    }
    facts.passthrough.count = 4;
    const auto plan = hal::plan_launch(config, facts);
    CHECK(plan.machine == hal::Machine::kQ35);
    CHECK(std::string(plan.machine_reason).find("PCI Express") != std::string::npos);
    const auto argv = argv_of(config, facts);
    CHECK(value_after(argv, "-machine") == "q35");
    std::vector<std::string> passed;
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == "-device" &&
            (argv[i + 1].rfind("vfio", 0) == 0 || argv[i + 1].rfind("pcie-root-port", 0) == 0))
            passed.push_back(argv[i + 1]);
    CHECK(passed == std::vector<std::string>{
                        "vfio-pci,host=0000:00:05.0", "pcie-root-port,id=hal-port0,chassis=1",
                        "vfio-pci,host=0000:01:00.0,bus=hal-port0,addr=0.0,multifunction=on",
                        "vfio-pci,host=0000:01:00.1,bus=hal-port0,addr=0.1",
                        "pcie-root-port,id=hal-port1,chassis=2",
                        "vfio-pci,host=0000:02:00.0,bus=hal-port1,addr=0.0"});
    // The user's machine stands: on pc, every function on the root bus.
    REQUIRE(hal::apply_setting(config, "machine", "pc").ok());
    const auto on_pc = argv_of(config, facts);
    CHECK(value_after(on_pc, "-machine") == "pc");
    CHECK(contains(on_pc, "vfio-pci,host=0000:01:00.1"));
    CHECK_FALSE(contains(on_pc, "pcie-root-port,id=hal-port0,chassis=1"));
}
