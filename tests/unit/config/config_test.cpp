// Unit tests for the hal.conf parser and the hal.* kernel command line overrides.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/config.hpp"

using hal::Config;
using hal::ConfigError;

namespace {

Config parse_ok(std::string_view text) {
    Config config;
    ConfigError error;
    const bool ok = hal::parse_config(text, config, error);
    INFO("error: line " << error.line << " key " << error.key.c_str() << ": " << error.message);
    CHECK(ok);
    return config;
}

}  // namespace

TEST_CASE("config: shipped defaults file -> parses with disk /dev/vda") {
    const Config config = parse_ok(
        "# comment\n\n disk = /dev/vda  # trailing comment\nmemory = auto\ncpus = auto\nqemu_args =\n");
    CHECK(config.disk.view() == "/dev/vda");
    CHECK(config.memory_mib == 0);
    CHECK(config.cpus == 0);
    CHECK(config.qemu_args.empty());
}

TEST_CASE("config: every key with a valid value -> stored") {
    const Config config = parse_ok(
        "disk=/dev/nvme0n1\ndisk_timeout=5\ndisk_bus=nvme\ndisk_cache=none\nmachine=q35\naccel=tcg\n"
        "memory=2048\nmemory_reserve=512\ncpus=4\nnic=e1000e\nqemu_args=-rtc base=utc\ndebug=yes\r\n");
    CHECK(config.disk.view() == "/dev/nvme0n1");
    CHECK(config.disk_timeout_seconds == 5);
    CHECK(config.disk_bus == hal::DiskBus::kNvme);
    CHECK(config.disk_cache == hal::DiskCache::kNone);
    CHECK(config.machine == hal::Machine::kQ35);
    CHECK(config.accel == hal::Accel::kTcg);
    CHECK(config.memory_mib == 2048);
    CHECK(config.memory_reserve_mib == 512);
    CHECK(config.cpus == 4);
    CHECK(config.nic == hal::NicModel::kE1000e);
    CHECK(config.qemu_args.view() == "-rtc base=utc");
    CHECK(config.debug);
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
        {"disk = auto\nsnapshot_size = 1\n", 2, "snapshot_size", "MiB"},
        {"disk = auto\ndisk_bus = sata\n", 2, "disk_bus", "auto, virtio, ide, ahci, nvme or scsi"},
        {"disk = /dev/vda\njust some words\n", 2, "just some words", "key = value"},
        {"disk = /dev/vda\n = value\n", 2, "", "missing key"},
        {"memory = 1024\n", 0, "disk", "required key is missing"},
        {"disk = /dev/vda\ndebug = maybe\n", 2, "debug", "yes or no"},
    };
    for (const Case& test : cases) {
        CAPTURE(test.text);
        Config config;
        ConfigError error;
        CHECK_FALSE(hal::parse_config(test.text, config, error));
        CHECK(error.line == test.line);
        CHECK(error.key.view() == test.key);
        CHECK(std::string(error.message).find(test.message_part) != std::string::npos);
    }
}

TEST_CASE("config: overlong disk path -> error, not truncation") {
    const std::string text = "disk = /dev/" + std::string(600, 'x') + "\n";
    Config config;
    ConfigError error;
    CHECK_FALSE(hal::parse_config(text, config, error));
    CHECK(std::string(error.message).find("too long") != std::string::npos);
    CHECK(config.disk.empty());
}

TEST_CASE("config: kernel command line hal.* words -> override, others ignored") {
    Config config = parse_ok("disk = /dev/vda\n");
    std::vector<std::string> rejected;
    hal::apply_cmdline_overrides(config, "console=ttyS0 hal.disk=/dev/sdb hal.debug quiet hal.cpus=2 hal.bogus=1 hal.memory=x",
                                 [&](std::string_view key, std::string_view, const ConfigError&) {
                                     rejected.emplace_back(key);
                                 });
    CHECK(config.disk.view() == "/dev/sdb");
    CHECK(config.debug);
    CHECK(config.cpus == 2);
    CHECK(rejected == std::vector<std::string>{"bogus", "memory"});
}

TEST_CASE("config: supervision keys -> stored; emergency restart rejected without effect") {
    Config config = parse_ok("disk = auto\npowerdown_timeout = 5\non_failure = restart\non_guest_shutdown = reboot\n"
                             "emergency = shell\nrestart_limit = 4\nrestart_window = 60\nbreak = devices\n");
    CHECK(config.powerdown_timeout_seconds == 5);
    CHECK(config.on_failure == hal::ExitAction::kRestart);
    CHECK(config.on_guest_shutdown == hal::ExitAction::kReboot);
    CHECK(config.emergency == hal::ExitAction::kShell);
    CHECK(config.restart_limit == 4);
    CHECK(config.break_before.view() == "devices");
    ConfigError error;
    CHECK_FALSE(hal::apply_config_setting(config, "emergency", "restart", error));
    CHECK(config.emergency == hal::ExitAction::kShell);
    CHECK_FALSE(hal::apply_config_setting(config, "break", "network", error));
    CHECK(hal::apply_config_setting(config, "shell", "yes", error));
    CHECK(config.break_before.view() == "launch");
    CHECK(config.guest_start_timeout_seconds == 60);
    CHECK(hal::apply_config_setting(config, "guest_start_timeout", "0", error));
    CHECK(config.guest_start_timeout_seconds == 0);
    CHECK_FALSE(hal::apply_config_setting(config, "guest_start_timeout", "3601", error));
    CHECK(std::string_view(error.message) == "guest_start_timeout must be seconds between 0 (off) and 3600");
}

TEST_CASE("config: disk specs table -> accepted or rejected") {
    struct Case {
        const char* value;
        bool ok;
    };
    const Case cases[] = {{"auto", true}, {"/dev/sda", true}, {"serial:ABC123", true}, {"wwid:naa.5000", true},
                          {"serial:", false}, {"sda", false}, {"uuid:1234", false}};
    for (const Case& test : cases) {
        CAPTURE(test.value);
        Config config;
        ConfigError error;
        CHECK(hal::apply_config_setting(config, "disk", test.value, error) == test.ok);
    }
}

TEST_CASE("config: issue-11 keys -> disk lists, firmware, uefi_vars, identity, snapshot; defaults auto/host") {
    const Config defaults = parse_ok("disk = auto\n");
    CHECK(defaults.disk_bus == hal::DiskBus::kAuto);
    CHECK(defaults.disk_cache == hal::DiskCache::kAuto);
    CHECK(defaults.firmware == hal::FirmwareSetting::kAuto);
    CHECK(defaults.identity == hal::Identity::kHost);
    CHECK_FALSE(defaults.snapshot);
    const Config config = parse_ok(
        "disk = /dev/sda, serial:S3Z9NB0K, LABEL=images:/guests/win.qcow2\nfirmware = uefi-secure\n"
        "uefi_vars = LABEL=HALDATA:/hal/vars.fd\nidentity = generic\nsnapshot = yes\nsnapshot_size = 4096\n");
    CHECK(config.disk.view() == "/dev/sda, serial:S3Z9NB0K, LABEL=images:/guests/win.qcow2");
    CHECK(config.firmware == hal::FirmwareSetting::kUefiSecure);
    CHECK(config.uefi_vars.view() == "LABEL=HALDATA:/hal/vars.fd");
    CHECK(config.identity == hal::Identity::kGeneric);
    CHECK(config.snapshot);
    CHECK(config.snapshot_size_mib == 4096);
}

TEST_CASE("config: issue-13 keys -> network mode, nics, net.manage, hostfwd, nic_model; bad values rejected") {
    const Config defaults = parse_ok("disk = auto\n");
    CHECK(defaults.network == hal::NetworkMode::kAuto);
    CHECK_FALSE(defaults.nics_all);
    CHECK(defaults.net_manage.mode == hal::NetMode::kOff);
    const Config config = parse_ok("disk = auto\nnetwork = nat\nnics = all\nnet.manage = dhcp\n"
                                   "hostfwd = tcp:2222-:22,udp::53-:53\nnic_model = e1000e\n");
    CHECK(config.network == hal::NetworkMode::kNat);
    CHECK(config.nics_all);
    CHECK(config.net_manage.mode == hal::NetMode::kDhcp);
    CHECK(config.hostfwd.view() == "tcp:2222-:22,udp::53-:53");
    CHECK(config.nic == hal::NicModel::kE1000e);
    CHECK(parse_ok("disk = auto\nnet.manage = 10.0.0.9::10.0.0.1:255.255.255.0::manage0:off\n").net_manage.mode ==
          hal::NetMode::kStatic);
    for (const char* bad : {"network = wifi\n", "nics = some\n", "hostfwd = tcp:22\n", "net.manage = maybe\n"}) {
        CAPTURE(bad);
        Config rejected;
        ConfigError error;
        CHECK_FALSE(hal::parse_config(std::string("disk = auto\n") + bad, rejected, error));
        CHECK(error.line == 2);
    }
}

TEST_CASE("config: issue-12 keys -> display, guest_video, input, menu_hotkey; bad values rejected") {
    const Config defaults = parse_ok("disk = auto\n");
    CHECK(defaults.display == hal::DisplayMode::kAuto);
    CHECK(defaults.guest_video == hal::GuestVideo::kStd);
    CHECK(defaults.input);
    CHECK(defaults.menu_hotkey.view() == "ctrl+alt+esc");
    CHECK(defaults.display_stats_seconds == 0);
    const Config config = parse_ok(
        "disk = auto\ndisplay = none\nguest_video = virtio\ninput = none\nmenu_hotkey = ctrl+alt+f12\n"
        "display_stats = 5\n");
    CHECK(config.display == hal::DisplayMode::kNone);
    CHECK(config.guest_video == hal::GuestVideo::kVirtio);
    CHECK_FALSE(config.input);
    CHECK(config.menu_hotkey.view() == "ctrl+alt+f12");
    CHECK(config.display_stats_seconds == 5);
    for (const char* bad : {"display = hdmi\n", "guest_video = qxl\n", "input = some\n", "menu_hotkey = esc\n",
                            "display_stats = 3601\n", "display_stats = often\n"}) {
        CAPTURE(bad);
        Config rejected;
        ConfigError error;
        CHECK_FALSE(hal::parse_config(std::string("disk = auto\n") + bad, rejected, error));
    }
}

TEST_CASE("config: qmp_serial -> a port name (/dev/ dropped); empty is none; paths and odd names rejected") {
    CHECK(parse_ok("disk = auto\n").qmp_serial.empty());
    CHECK(parse_ok("disk = auto\nqmp_serial = ttyS1\n").qmp_serial.view() == "ttyS1");
    CHECK(parse_ok("disk = auto\nqmp_serial = /dev/ttyUSB0\n").qmp_serial.view() == "ttyUSB0");
    CHECK(parse_ok("disk = auto\nqmp_serial = ttyS1\nqmp_serial =\n").qmp_serial.empty());
    for (const char* bad : {"qmp_serial = ../ttyS1\n", "qmp_serial = /dev/pts/1\n", "qmp_serial = 1tty\n",
                            "qmp_serial = ttyS1,server\n", "qmp_serial = /dev/\n",
                            "qmp_serial = ttyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1\n"}) {
        CAPTURE(bad);
        Config rejected;
        ConfigError error;
        CHECK_FALSE(hal::parse_config(std::string("disk = auto\n") + bad, rejected, error));
        CHECK(std::string(error.key.c_str()) == "qmp_serial");
        CHECK(std::string(error.message).find("ttyS1") != std::string::npos);
    }
}
