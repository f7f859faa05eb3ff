// Unit tests for --hostonly: which of the generic list's modules a machine's devices need,
// from its modaliases (recorded or read from a sysfs tree) and the drivers bound now.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "initrd/hostonly.hpp"
#include "tests/unit/initrd/out_parameters.hpp"

using namespace hal::pack;
using namespace hal::pack::test;

namespace {

constexpr const char* kModulesDep =
    "kernel/arch/x86/kvm/kvm.ko:\n"
    "kernel/arch/x86/kvm/kvm-intel.ko: kernel/arch/x86/kvm/kvm.ko\n"
    "kernel/arch/x86/kvm/kvm-amd.ko: kernel/arch/x86/kvm/kvm.ko\n"
    "kernel/drivers/net/tun.ko:\n"
    "kernel/drivers/ata/libata.ko:\n"
    "kernel/drivers/ata/ata_piix.ko: kernel/drivers/ata/libata.ko\n"
    "kernel/drivers/ata/ahci.ko: kernel/drivers/ata/libata.ko\n"
    "kernel/drivers/ata/sata_target.ko: kernel/drivers/ata/libata.ko "
    "kernel/fs/configfs/configfs.ko\n"
    "kernel/fs/configfs/configfs.ko:\n"
    "kernel/drivers/net/ethernet/intel/e1000/e1000.ko:\n"
    "kernel/drivers/net/ethernet/realtek/r8169.ko:\n"
    "kernel/drivers/virtio/virtio_pci.ko:\n"
    "kernel/drivers/block/virtio_blk.ko:\n"
    "kernel/fs/ext4/ext4.ko:\n"
    "kernel/drivers/vfio/vfio.ko:\n"
    "kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/vfio.ko\n";

constexpr const char* kAliases =
    "alias pci:v00008086d00007010sv*sd*bc*sc*i* ata_piix\n"
    "alias pci:v*d*sv*sd*bc01sc06i01* ahci\n"
    "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
    "alias pci:v000010ECd00008168sv*sd*bc*sc*i* r8169\n"
    "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
    "alias virtio:d00000002v* virtio_blk\n"
    "alias devname:net/tun tun\n"
    "alias fs-ext4 ext4\n"
    "alias fs-configfs configfs\n"
    "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n";

struct Generic {
    ModuleIndex index;
    Resolution resolution;
    Generic() {
        std::string error;
        REQUIRE(parse_modules_dep(kModulesDep, "modules.dep", index, error));
        parse_modules_alias(kAliases, index);
        std::vector<ModuleRequest> requests;
        REQUIRE(parse_module_list(
            "kvm\nkvm_intel\nkvm_amd\ntun\nkernel/drivers/ata/\n"
            "kernel/drivers/net/ethernet/**\nvirtio_pci\nvirtio_blk\next4\nvfio_pci\n",
            "modules.list", requests, error));
        REQUIRE_MESSAGE(
            resolve_modules(requests, index, "modules.list", "6.1.0-test", resolution, error),
            error);
    }
};

std::map<std::string, std::string> chosen(const Generic& generic, const HostDevices& devices) {
    std::map<std::string, std::string> result;
    for (const auto& choice : choose_hostonly(generic.resolution, generic.index, devices))
        result[choice.module] = choice.reason;
    return result;
}

}  // namespace

TEST_CASE(
    "hostonly: an Intel machine with PIIX IDE and an e1000 -> their drivers, kvm_intel, tun, "
    "ext4") {
    Generic generic;
    HostDevices devices;
    devices.cpu_vendor = "GenuineIntel";
    devices.modaliases = {
        {"0000:00:01.1", "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80"},
        {"0000:00:03.0", "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00"},
        {"0000:00:00.0", "pci:v00008086d00001237sv00001AF4sd00001100bc06sc00i00"}};
    const auto result = chosen(generic, devices);
    std::vector<std::string> names;
    for (const auto& [name, reason] : result) names.push_back(name);
    CHECK(names == std::vector<std::string>{"ata_piix", "e1000", "ext4", "kvm", "kvm_intel", "tun",
                                            "vfio_pci"});
    CHECK(result.at("ata_piix") ==
          "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80 (0000:00:01.1)");
    CHECK(result.at("kvm_intel").find("the HAL's own") == 0);
    CHECK(result.at("ext4").find("a filesystem") != std::string::npos);
    // Its alias is driver_override's, which no device's modalias matches: passthrough needs it.
    CHECK(result.at("vfio_pci") == "the HAL's own (passthrough binds devices to it)");
    // configfs is a filesystem, but only a dependency of a driver this machine does not need.
    CHECK(result.count("configfs") == 0);
}

TEST_CASE("hostonly: no CPU vendor recorded -> both KVM vendor modules") {
    Generic generic;
    const auto result = chosen(generic, HostDevices{});
    CHECK(result.count("kvm_amd"));
    CHECK(result.count("kvm_intel"));
}

TEST_CASE("hostonly: AMD CPU -> kvm_amd, not kvm_intel; a bound driver counts without a modalias") {
    Generic generic;
    HostDevices devices;
    devices.cpu_vendor = "AuthenticAMD";
    devices.bound_modules = {"r8169", "not_in_the_list"};
    const auto result = chosen(generic, devices);
    CHECK(result.count("kvm_amd"));
    CHECK_FALSE(result.count("kvm_intel"));
    CHECK(result.at("r8169") == "bound to a device now");
    CHECK_FALSE(result.count("not_in_the_list"));
    CHECK_FALSE(result.count("ahci"));
}

TEST_CASE("hostonly: a recorded list and a sysfs tree read alike; a bad line names file and line") {
    char name[] = "/tmp/hostonly-test-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    const std::string root = name;
    std::ofstream(root + "/recorded")
        << "# recorded on the test machine\n"
           "0000:00:04.0 pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\n"
           "virtio:d00000002v00001AF4\n"
           "driver e1000\n"
           "cpu AuthenticAMD\n";
    HostDevices recorded;
    std::string error;
    REQUIRE(read_host_devices("/nonexistent", root + "/recorded", recorded, error));
    REQUIRE(recorded.modaliases.size() == 2);
    CHECK(recorded.modaliases[0].first == "0000:00:04.0");
    CHECK(recorded.modaliases[1].second == "virtio:d00000002v00001AF4");
    CHECK(recorded.bound_modules == std::vector<std::string>{"e1000"});
    CHECK(recorded.cpu_vendor == "AuthenticAMD");

    const std::string device = root + "/sys/bus/pci/devices/0000:00:04.0";
    REQUIRE(std::system(("mkdir -p " + device + " " + root + "/sys/module/virtio_pci").c_str()) ==
            0);
    std::ofstream(device + "/modalias")
        << "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\n";
    REQUIRE(::symlink((root + "/sys/module/virtio_pci").c_str(), (device + "/driver").c_str()) ==
            0);
    // driver/module is a link to the module's directory
    REQUIRE(::symlink((root + "/sys/module/virtio_pci").c_str(),
                      (root + "/sys/module/virtio_pci/module").c_str()) == 0);
    HostDevices live;
    REQUIRE(read_host_devices(root + "/sys", "", live, error));
    REQUIRE(live.modaliases.size() == 1);
    CHECK(live.modaliases[0].first == "0000:00:04.0");
    CHECK(live.bound_modules == std::vector<std::string>{"virtio_pci"});

    std::ofstream(root + "/bad") << "pci:v1\nnot-a-modalias\n";
    HostDevices bad;
    CHECK_FALSE(read_host_devices("/nonexistent", root + "/bad", bad, error));
    CHECK(error == root + "/bad line 2: not a modalias");
    std::system(("rm -rf " + root).c_str());
}
