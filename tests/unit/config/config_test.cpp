// Unit tests for the hal.conf parser, the schema's rows and the hal.* kernel command line.
#include <doctest/doctest.h>

#include <linux/input-event-codes.h>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/schema.hpp"

using hal::Config;
using hal::ConfigError;

namespace {

Config parse_ok(std::string_view text) {
    const auto parsed = hal::parse_config(text);
    INFO("error: line " << parsed.error().line << " key " << parsed.error().key.c_str() << ": "
                        << parsed.error().message);
    REQUIRE(parsed.ok());
    return parsed.value();
}

ConfigError parse_error(std::string_view text) {
    const auto parsed = hal::parse_config(text);
    REQUIRE_FALSE(parsed.ok());
    return parsed.error();
}

std::string words(const hal::WordList<hal::kQemuArgsCapacity>& list) {
    std::string joined;
    list.for_each(
        [&](std::string_view word) { joined += (joined.empty() ? "" : "|") + std::string(word); });
    return joined;
}

bool applies(Config& config, std::string_view key, std::string_view value) {
    return hal::apply_setting(config, key, value).ok();
}

}  // namespace

TEST_CASE("config: every row's default text -> the typed defaults of Config{}") {
    CHECK(hal::default_config() == Config{});
    for (const hal::SettingRow& row : hal::setting_rows()) {
        CAPTURE(row.key);
        Config config;
        CHECK(row.apply(config, row.default_text).ok());
        CHECK(config == Config{});
    }
}

TEST_CASE("config: shipped defaults file -> parses with disk /dev/vda") {
    const Config config = parse_ok(
        "# comment\n\n disk = /dev/vda  # trailing comment\nmemory = auto\ncpus = auto\n"
        "qemu_args =\n");
    CHECK(config.disks.specs.text.view() == "/dev/vda");
    CHECK(config.disks.specs.count == 1);
    CHECK(config.disks.specs.specs[0].kind == hal::DiskSpecKind::kPath);
    CHECK(config.disks.specs.specs[0].value.view() == "/dev/vda");
    CHECK(config.platform.memory_mib == 0);
    CHECK(config.platform.cpus == 0);
    CHECK(config.qemu_args.empty());
}

TEST_CASE("config: every key with a valid value -> stored typed") {
    const Config config = parse_ok(
        "disk=/dev/"
        "nvme0n1\ndisk_timeout=5\ndisk_bus=nvme\ndisk_cache=none\nmachine=q35\naccel=tcg\n"
        "memory=2048\nmemory_reserve=512\ncpus=4\nnic=e1000e\nqemu_args=-rtc  "
        "base=utc\ndebug=yes\r\n");
    CHECK(config.disks.specs.specs[0].value.view() == "/dev/nvme0n1");
    CHECK(config.disks.timeout_seconds == 5);
    CHECK(config.disks.bus == hal::DiskBus::kNvme);
    CHECK(config.disks.cache == hal::DiskCache::kNone);
    CHECK(config.platform.machine == hal::Machine::kQ35);
    CHECK(config.platform.accel == hal::Accel::kTcg);
    CHECK(config.platform.memory_mib == 2048);
    CHECK(config.platform.memory_reserve_mib == 512);
    CHECK(config.platform.cpus == 4);
    CHECK(config.net.nic == hal::NicModel::kE1000e);
    CHECK(words(config.qemu_args) == "-rtc|base=utc");
    CHECK(config.boot.debug);
}

TEST_CASE("config: bad lines -> error naming line, key and reason") {
    struct Case {
        const char* text;
        unsigned line;
        const char* key;
        const char* message_part;
    };
    const Case cases[] = {
        {"disk = /dev/vda\ncolour = blue\n", 2, "colour", "unknown key"},
        {"disk = /dev/vda\n\n\nmemory = lots\n", 4, "memory", "memory must be"},
        {"disk = /dev/vda\nmemory = 8\n", 2, "memory", "memory must be"},
        {"disk = /dev/vda\ncpus = 0\n", 2, "cpus", "cpus must be"},
        {"disk = /dev/vda\ncpus = -1\n", 2, "cpus", "cpus must be"},
        {"disk = /dev/vda\ndisk_timeout = 99999999999999999999999\n", 2, "disk_timeout", "seconds"},
        {"disk = /dev/vda\ndisk_cache = unsafe\n", 2, "disk_cache", "writeback"},
        {"disk = /dev/vda\naccel = hvf\n", 2, "accel", "auto, kvm or tcg"},
        {"disk = vda\n", 1, "disk", "/dev paths"},
        {"disk = /dev/vda,auto\n", 1, "disk", "stand alone"},
        {"disk = /dev/vda,,/dev/vdb\n", 1, "disk", "empty entry"},
        {"disk = serial:\n", 1, "disk", "needs a value"},
        {"disk = images:/win.qcow2\n", 1, "disk", "DEVICE:/PATH"},
        {"disk = auto\nfirmware = coreboot\n", 2, "firmware", "auto, bios, uefi or uefi-secure"},
        {"disk = auto\nuefi_vars = /hal/vars.fd\n", 2, "uefi_vars", "DEVICE:/PATH"},
        {"disk = auto\nidentity = fake\n", 2, "identity", "host or generic"},
        {"disk = auto\nfallback = poweroff\n", 2, "fallback", "bare-metal or none"},
        {"disk = auto\ngrubenv = /boot/grub/grubenv\n", 2, "grubenv", "DEVICE:/PATH"},
        {"disk = auto\nsnapshot_size = 1\n", 2, "snapshot_size", "MiB"},
        {"disk = auto\ndisk_bus = sata\n", 2, "disk_bus", "auto, virtio, ide, ahci, nvme or scsi"},
        {"disk = /dev/vda\njust some words\n", 2, "just some words", "key = value"},
        {"disk = /dev/vda\n = value\n", 2, "", "missing key"},
        {"memory = 1024\n", 0, "disk", "required key is missing"},
        {"disk = /dev/vda\ndebug = maybe\n", 2, "debug", "yes or no"},
        {"disk = /dev/vda\nhost_nic = eth0/1\n", 2, "host_nic", "mac:ADDRESS"},
        {"disk = /dev/vda\nhost_nic = mac:52:54\n", 2, "host_nic", "mac:ADDRESS"},
        {"disk = /dev/vda\nload = kvm;rm\n", 2, "load", "module names"},
    };
    for (const Case& test : cases) {
        CAPTURE(test.text);
        const ConfigError error = parse_error(test.text);
        CHECK(error.line == test.line);
        CHECK(error.key.view() == test.key);
        CHECK(std::string(error.message).find(test.message_part) != std::string::npos);
    }
}

TEST_CASE("config: overlong disk path -> error, not truncation") {
    const std::string text = "disk = /dev/" + std::string(600, 'x') + "\n";
    CHECK(std::string(parse_error(text).message).find("too long") != std::string::npos);
}

TEST_CASE("config: kernel command line hal.* words -> override, others ignored") {
    Config config = parse_ok("disk = /dev/vda\n");
    std::vector<std::string> rejected;
    hal::apply_cmdline_overrides(
        config,
        "console=ttyS0 hal.disk=/dev/sdb hal.debug quiet hal.cpus=2 hal.bogus=1 hal.memory=x "
        "ip=10.0.0.5::10.0.0.1:255.255.255.0::eth0:off",
        [&](std::string_view key, std::string_view, const char*) { rejected.emplace_back(key); });
    CHECK(config.disks.specs.specs[0].value.view() == "/dev/sdb");
    CHECK(config.boot.debug);
    CHECK(config.platform.cpus == 2);
    CHECK(config.net.ip.mode == hal::NetMode::kStatic);
    CHECK(config.net.ip.device.view() == "eth0");
    CHECK(rejected == std::vector<std::string>{"bogus", "memory"});
}

TEST_CASE("config: fallback defaults to bare-metal; the installed entry names grubenv") {
    Config config = parse_ok("disk = auto\n");
    CHECK(config.fallback.mode == hal::FallbackMode::kBareMetal);
    CHECK_FALSE(config.fallback.native_boot_possible());
    hal::apply_cmdline_overrides(config, "hal.grubenv=UUID=1A2B-3C4D:/boot/grub/grubenv",
                                 [](std::string_view, std::string_view, const char*) { FAIL(""); });
    CHECK(config.fallback.native_boot_possible());
    CHECK(config.fallback.grubenv.device.kind == hal::DeviceNameKind::kUuid);
    CHECK(config.fallback.grubenv.device.value.view() == "1A2B-3C4D");
    CHECK(config.fallback.grubenv.path.view() == "/boot/grub/grubenv");
    CHECK_FALSE(parse_ok("disk = auto\nfallback = none\n").fallback.native_boot_possible());
}

TEST_CASE("config: supervision keys -> stored; emergency restart rejected without effect") {
    Config config = parse_ok(
        "disk = auto\npowerdown_timeout = 5\non_failure = restart\non_guest_shutdown = reboot\n"
        "emergency = shell\nrestart_limit = 4\nrestart_window = 60\nbreak = devices\n");
    CHECK(config.supervision.powerdown_timeout_seconds == 5);
    CHECK(config.supervision.on_failure == hal::ExitAction::kRestart);
    CHECK(config.supervision.on_guest_shutdown == hal::ExitAction::kReboot);
    CHECK(config.supervision.emergency == hal::ExitAction::kShell);
    CHECK(config.supervision.restart_limit == 4);
    CHECK(config.boot.break_before == hal::BreakPoint::kDevices);
    CHECK_FALSE(applies(config, "emergency", "restart"));
    CHECK(config.supervision.emergency == hal::ExitAction::kShell);
    CHECK_FALSE(applies(config, "break", "network"));
    CHECK(applies(config, "shell", "yes"));
    CHECK(config.boot.break_before == hal::BreakPoint::kLaunch);
    CHECK(config.supervision.guest_start_timeout_seconds == 60);
    CHECK(applies(config, "guest_start_timeout", "0"));
    CHECK(config.supervision.guest_start_timeout_seconds == 0);
    const auto rejected = hal::apply_setting(config, "guest_start_timeout", "3601");
    REQUIRE_FALSE(rejected.ok());
    CHECK(std::string_view(rejected.error().message) ==
          "guest_start_timeout must be seconds between 0 (off) and 3600");
}

TEST_CASE("config: disk specs table -> accepted or rejected, parsed into owned entries") {
    struct Case {
        const char* value;
        bool ok;
    };
    const Case cases[] = {{"auto", true},          {"/dev/sda", true}, {"serial:ABC123", true},
                          {"wwid:naa.5000", true}, {"serial:", false}, {"sda", false},
                          {"uuid:1234", false}};
    for (const Case& test : cases) {
        CAPTURE(test.value);
        Config config;
        CHECK(applies(config, "disk", test.value) == test.ok);
    }
    // Copies stay valid: the entries own their text.
    Config config;
    REQUIRE(applies(config, "disk", "/dev/sda, serial:S3Z9NB0K, LABEL=images:/guests/win.qcow2"));
    const Config copy = config;
    config = Config{};
    const hal::DiskSpecList& specs = copy.disks.specs;
    REQUIRE(specs.count == 3);
    CHECK(specs.specs[1].kind == hal::DiskSpecKind::kSerial);
    CHECK(specs.specs[1].value.view() == "S3Z9NB0K");
    CHECK(specs.specs[2].kind == hal::DiskSpecKind::kImage);
    CHECK(specs.specs[2].image.device.kind == hal::DeviceNameKind::kLabel);
    CHECK(specs.specs[2].image.device.value.view() == "images");
    CHECK(specs.specs[2].image.path.view() == "/guests/win.qcow2");
}

TEST_CASE(
    "config: issue-11 keys -> disk lists, firmware, uefi_vars, identity, snapshot; defaults "
    "auto/host") {
    const Config defaults = parse_ok("disk = auto\n");
    CHECK(defaults.disks.bus == hal::DiskBus::kAuto);
    CHECK(defaults.disks.cache == hal::DiskCache::kAuto);
    CHECK(defaults.platform.firmware == hal::FirmwareSetting::kAuto);
    CHECK(defaults.platform.identity == hal::Identity::kHost);
    CHECK_FALSE(defaults.platform.keep_uefi_vars);
    CHECK_FALSE(defaults.disks.snapshot);
    const Config config = parse_ok(
        "disk = /dev/sda, serial:S3Z9NB0K, LABEL=images:/guests/win.qcow2\nfirmware = uefi-secure\n"
        "uefi_vars = LABEL=HALDATA:/hal/vars.fd\nidentity = generic\nsnapshot = yes\nsnapshot_size "
        "= 4096\n");
    CHECK(config.disks.specs.text.view() ==
          "/dev/sda, serial:S3Z9NB0K, LABEL=images:/guests/win.qcow2");
    CHECK(config.platform.firmware == hal::FirmwareSetting::kUefiSecure);
    CHECK(config.platform.keep_uefi_vars);
    CHECK(config.platform.uefi_vars.device.value.view() == "HALDATA");
    CHECK(config.platform.uefi_vars.path.view() == "/hal/vars.fd");
    CHECK(config.platform.identity == hal::Identity::kGeneric);
    CHECK(config.disks.snapshot);
    CHECK(config.disks.snapshot_size_mib == 4096);
}

TEST_CASE(
    "config: issue-13 keys -> network mode, nics, net.manage, hostfwd, nic_model; bad values "
    "rejected") {
    const Config defaults = parse_ok("disk = auto\n");
    CHECK(defaults.net.mode == hal::NetworkMode::kAuto);
    CHECK_FALSE(defaults.net.all_nics);
    CHECK(defaults.net.manage.mode == hal::NetMode::kOff);
    CHECK(defaults.net.host_nic.kind == hal::NicSelector::Kind::kAuto);
    const Config config = parse_ok(
        "disk = auto\nnetwork = nat\nnics = all\nnet.manage = dhcp\n"
        "hostfwd = tcp:2222-:22,udp::53-:53\nnic_model = e1000e\n"
        "host_nic = mac:52:54:00:AB:cd:01\n");
    CHECK(config.net.mode == hal::NetworkMode::kNat);
    CHECK(config.net.all_nics);
    CHECK(config.net.manage.mode == hal::NetMode::kDhcp);
    REQUIRE(config.net.forwards.count == 2);
    CHECK(config.net.forwards.forwards[0].host_port == 2222);
    CHECK(config.net.forwards.forwards[1].udp);
    CHECK(config.net.nic == hal::NicModel::kE1000e);
    CHECK(config.net.host_nic.kind == hal::NicSelector::Kind::kMac);
    CHECK(config.net.host_nic.mac == hal::Mac{0x52, 0x54, 0x00, 0xab, 0xcd, 0x01});
    CHECK(parse_ok("disk = auto\nnet.manage = 10.0.0.9::10.0.0.1:255.255.255.0::manage0:off\n")
              .net.manage.mode == hal::NetMode::kStatic);
    for (const char* bad :
         {"network = wifi\n", "nics = some\n", "hostfwd = tcp:22\n", "net.manage = maybe\n"}) {
        CAPTURE(bad);
        CHECK(parse_error(std::string("disk = auto\n") + bad).line == 2);
    }
}

TEST_CASE(
    "config: issue-12 keys -> display, guest_video, input, menu_hotkey typed; bad values "
    "rejected") {
    const Config defaults = parse_ok("disk = auto\n");
    CHECK(defaults.display.mode == hal::DisplayMode::kAuto);
    CHECK(defaults.display.video == hal::GuestVideo::kStd);
    CHECK(defaults.display.input);
    CHECK(defaults.display.menu_hotkey == hal::Hotkey{hal::kCtrl | hal::kAlt, KEY_ESC});
    CHECK(defaults.display.stats_seconds == 0);
    const Config config = parse_ok(
        "disk = auto\ndisplay = none\nguest_video = virtio\ninput = none\nmenu_hotkey = "
        "ctrl+alt+f12\n"
        "display_stats = 5\n");
    CHECK(config.display.mode == hal::DisplayMode::kNone);
    CHECK(config.display.video == hal::GuestVideo::kVirtio);
    CHECK_FALSE(config.display.input);
    CHECK(config.display.menu_hotkey == hal::Hotkey{hal::kCtrl | hal::kAlt, KEY_F12});
    CHECK(config.display.stats_seconds == 5);
    for (const char* bad :
         {"display = hdmi\n", "guest_video = qxl\n", "input = some\n", "menu_hotkey = esc\n",
          "display_stats = 3601\n", "display_stats = often\n"}) {
        CAPTURE(bad);
        CHECK(parse_error(std::string("disk = auto\n") + bad).line == 2);
    }
}

TEST_CASE(
    "config: qmp_serial -> a port name (/dev/ dropped); empty is none; paths and odd names "
    "rejected") {
    CHECK(parse_ok("disk = auto\n").supervision.qmp_serial.empty());
    CHECK(parse_ok("disk = auto\nqmp_serial = ttyS1\n").supervision.qmp_serial.view() == "ttyS1");
    CHECK(parse_ok("disk = auto\nqmp_serial = /dev/ttyUSB0\n").supervision.qmp_serial.view() ==
          "ttyUSB0");
    CHECK(
        parse_ok("disk = auto\nqmp_serial = ttyS1\nqmp_serial =\n").supervision.qmp_serial.empty());
    for (const char* bad :
         {"qmp_serial = ../ttyS1\n", "qmp_serial = /dev/pts/1\n", "qmp_serial = 1tty\n",
          "qmp_serial = ttyS1,server\n", "qmp_serial = /dev/\n",
          "qmp_serial = ttyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1\n"}) {
        CAPTURE(bad);
        const ConfigError error = parse_error(std::string("disk = auto\n") + bad);
        CHECK(std::string(error.key.c_str()) == "qmp_serial");
        CHECK(std::string(error.message).find("ttyS1") != std::string::npos);
    }
}

TEST_CASE(
    "config: load -> module names in order, empty entries skipped; aliases nic and ip find their "
    "rows") {
    const Config config = parse_ok("disk = auto\nload = kvm_intel,,vfio-pci\n");
    REQUIRE(config.modules.load_count == 2);
    CHECK(config.modules.load[0].view() == "kvm_intel");
    CHECK(config.modules.load[1].view() == "vfio-pci");
    CHECK(hal::find_setting("nic") == hal::find_setting("nic_model"));
    CHECK(hal::find_setting("ip") == hal::find_setting("net.ip"));
    CHECK(hal::find_setting("colour") == nullptr);
}

TEST_CASE("config: platform = virtual -> QEMU's stable machine for every key the user left") {
    const Config config = parse_ok("disk = auto\nplatform = virtual\n");
    CHECK(config.preset == hal::PlatformPreset::kVirtual);
    CHECK(config.platform.identity == hal::Identity::kGeneric);
    CHECK(config.platform.tpm == hal::TpmSetting::kNone);
    CHECK(config.platform.rng == hal::GuestRng::kVirtio);
    CHECK(config.disks.bus == hal::DiskBus::kIde);
    CHECK(config.net.nic == hal::NicModel::kRtl8139);
    // What the preset does not name keeps its default.
    CHECK(config.platform.machine == hal::Machine::kPc);
    CHECK(config.display.video == hal::GuestVideo::kStd);
    CHECK(std::string(hal::preset_name(config.preset)) == "virtual");
}

TEST_CASE("config: a key the user set -> kept by the preset, before or after `platform`") {
    for (const char* text :
         {"disk = auto\nnic_model = e1000\nplatform = virtual\ndisk_bus = virtio\n",
          "disk = auto\ndisk_bus = virtio\nplatform = virtual\nnic = e1000\n"}) {
        CAPTURE(text);
        Config config = parse_ok(text);
        CHECK(config.net.nic == hal::NicModel::kE1000);
        CHECK(config.disks.bus == hal::DiskBus::kVirtio);
        CHECK(config.platform.rng == hal::GuestRng::kVirtio);
        // The command line's platform: transparent again, except what the file set.
        hal::apply_cmdline_overrides(config, "hal.platform=transparent",
                                     [](std::string_view, std::string_view, const char*) {});
        CHECK(config.preset == hal::PlatformPreset::kTransparent);
        CHECK(config.platform.rng == hal::GuestRng::kNone);
        CHECK(config.platform.identity == hal::Identity::kHost);
        CHECK(config.net.nic == hal::NicModel::kE1000);
        CHECK(config.disks.bus == hal::DiskBus::kVirtio);
    }
}

TEST_CASE("config: presets -> transparent is every row's default, each value parses") {
    for (const hal::PresetValue& preset : hal::preset_values()) {
        CAPTURE(preset.key);
        const hal::SettingRow* row = hal::find_setting(preset.key);
        REQUIRE(row != nullptr);
        CHECK(row->default_text == preset.transparent);
        Config config;
        CHECK(row->apply(config, preset.virtual_machine).ok());
    }
    const ConfigError error = parse_error("disk = auto\nplatform = physical\n");
    CHECK(error.line == 2);
    CHECK(std::string(error.key.c_str()) == "platform");
    CHECK(std::string(error.message) == "platform must be transparent or virtual");
    CHECK(std::string(parse_error("disk = auto\nrng = egd\n").message) ==
          "rng must be none or virtio");
}

TEST_CASE("config: passthrough -> the list typed; a bad word names the choices") {
    const Config config = parse_ok("disk = auto\npassthrough = 10de:2204,usb\n");
    CHECK(config.passthrough.count == 2);
    CHECK(config.passthrough.selectors[1].device_kind == hal::DeviceKind::kUsb);
    CHECK(Config{}.passthrough.count == 0);
    const ConfigError error = parse_error("disk = auto\npassthrough = soundcard\n");
    CHECK(error.line == 2);
    CHECK(std::string(error.message).find("passthrough must be none, auto, all or") == 0);
}
