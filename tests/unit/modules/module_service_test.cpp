// Unit tests for PID 1's module step (step 3) on a fixture machine: the image's module index
// and the devices in sysfs are files; finit_module is the fake that records each load (and
// can hold one back, as a slow probe does). The loader's threads are the real ones.
#include <doctest/doctest.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "devices/sys/uevents.hpp"
#include "modules/sys/module_service.hpp"
#include "tests/unit/fakes/fakes.hpp"
#include "tests/unit/pid1_support.hpp"

using namespace hal;
using hal::test::FixtureTree;

namespace {

constexpr const char* kDirectory = "/lib/modules/6.1.0-test";

// Real lines of Debian 6.1's modules.dep and modules.alias, trimmed to these modules.
constexpr const char* kDep =
    "kernel/virt/lib/irqbypass.ko:\n"
    "kernel/arch/x86/kvm/kvm.ko: kernel/virt/lib/irqbypass.ko\n"
    "kernel/arch/x86/kvm/kvm-intel.ko: kernel/arch/x86/kvm/kvm.ko kernel/virt/lib/irqbypass.ko\n"
    "kernel/arch/x86/kvm/kvm-amd.ko: kernel/arch/x86/kvm/kvm.ko kernel/virt/lib/irqbypass.ko\n"
    "kernel/drivers/virtio/virtio.ko:\n"
    "kernel/drivers/virtio/virtio_ring.ko:\n"
    "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/net/core/failover.ko:\n"
    "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
    "kernel/net/core/failover.ko "
    "kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/input/evdev.ko:\n";
constexpr const char* kAlias =
    "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
    "alias virtio:d00000002v* virtio_blk\n"
    "alias virtio:d00000001v* virtio_net\n"
    "alias input:b*v*p*e*-e*1,*k*r*a*m*l*s*f*w* evdev\n"
    "alias cpu:type:x86,ven*fam*mod*:feature:*0085* kvm_intel\n";
constexpr const char* kLoad = "kernel/arch/x86/kvm/kvm-intel.ko\nkernel/arch/x86/kvm/kvm-amd.ko\n";

// The image's module tree and a machine with a virtio PCI function, a virtio disk behind it
// and an input device.
void make_machine(FixtureTree& tree) {
    tree.file(std::string(kDirectory) + "/modules.dep", kDep);
    tree.file(std::string(kDirectory) + "/modules.alias", kAlias);
    tree.file(std::string(kDirectory) + "/modules.load", kLoad);
    std::string_view rest = kDep;
    std::string_view line;
    while (next_word(rest, line))
        if (ends_with(line, ".ko:") || ends_with(line, ".ko"))
            tree.file(std::string(kDirectory) + "/" + std::string(line.substr(0, line.find(':'))),
                      "module");
    tree.file("/sys/bus/pci/devices/0000:00:04.0/modalias",
              "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\n");
    tree.file("/sys/bus/virtio/devices/virtio0/modalias", "virtio:d00000002v00001AF4\n");
    tree.file("/sys/bus/cpu/devices/cpu0/modalias",
              "cpu:type:x86,ven0000fam0006mod003A:feature:,0085\n");
    tree.file("/sys/class/input/input0/modalias", "input:b0019v0000p0001e0000-e0,1,k74,ramlsfw\n");
}

std::vector<std::string> loads() {
    std::vector<std::string> names;
    for (const auto& call : fake::calls()) {
        if (call.rfind("load_module ", 0) != 0) continue;
        std::string name = call.substr(call.rfind('/') + 1);
        names.push_back(name.substr(0, name.size() - 3));
    }
    return names;
}

size_t position(const std::vector<std::string>& names, const std::string& name) {
    const auto found = std::find(names.begin(), names.end(), name);
    INFO(name << " was not loaded");
    REQUIRE(found != names.end());
    return static_cast<size_t>(found - names.begin());
}

struct Boot {
    FixtureTree tree;
    test::LogCapture log;
    UeventMonitor uevents;  // never opened: no socket under a unit test
    std::unique_ptr<ModuleService> modules = std::make_unique<ModuleService>();

    Boot() {
        fake::reset();
        make_machine(tree);
    }
    ~Boot() { fake::reset(); }
    void start(ModuleNeeds needs = {}, ModuleCpu cpu = {"GenuineIntel", true}) {
        modules->start(kDirectory, ModuleSettings{}, needs, cpu, 0);
    }
    // Until the totals are reported (again): every load queued so far has finished.
    void finish() {
        const size_t reports = log.count("modules: all loaded");
        for (int i = 0; i < 20000 && log.count("modules: all loaded") == reports; ++i)
            modules->report_when_idle(1);
        REQUIRE_MESSAGE(log.count("modules: all loaded") > reports, log.text());
    }
};

}  // namespace

TEST_CASE(
    "modules: devices present at boot -> their drivers, each after its dependencies; KVM for this "
    "CPU only") {
    Boot boot;
    boot.start();
    boot.finish();
    const auto names = loads();
    for (const char* wanted :
         {"virtio_pci", "virtio_blk", "kvm-intel", "kvm", "irqbypass", "evdev"}) {
        CAPTURE(wanted);
        CHECK(std::count(names.begin(), names.end(), wanted) == 1);
    }
    CHECK(std::count(names.begin(), names.end(), "kvm-amd") == 0);
    CHECK(std::count(names.begin(), names.end(), "virtio_net") == 0);  // no such device
    CHECK(position(names, "virtio_ring") < position(names, "virtio_pci"));
    CHECK(position(names, "virtio") < position(names, "virtio_blk"));
    CHECK(position(names, "irqbypass") < position(names, "kvm"));
    CHECK(position(names, "kvm") < position(names, "kvm-intel"));
    CHECK(boot.log.has("modules: all loaded: 8 loaded, 0 failed"));
}

TEST_CASE(
    "modules: settle_critical waits for bus and critical loads, not for storage or input drivers") {
    Boot boot;
    fake::hold("evdev.ko");  // a slow input driver
    ModuleNeeds needs;
    needs.network = true;
    boot.start(needs);
    const ModuleSummary summary = boot.modules->settle_critical(boot.uevents);
    auto names = loads();
    CHECK(std::count(names.begin(), names.end(), "evdev") == 0);  // still probing, not waited for
    // Storage drivers are the disk search's to wait for (its drivers_loading(): it stops at the
    // boot disk), so virtio_blk may still be loading here on another worker.
    for (const char* critical : {"virtio_pci", "kvm-intel", "kvm", "irqbypass"})
        CHECK(std::count(names.begin(), names.end(), critical) == 1);
    CHECK(summary.storage >= 4);   // virtio_pci with virtio and virtio_ring, and virtio_blk
    CHECK(summary.critical >= 3);  // kvm-intel with kvm and irqbypass
    fake::release_held();
    boot.finish();
    names = loads();
    for (const char* later : {"evdev", "virtio_blk"})
        CHECK(std::count(names.begin(), names.end(), later) == 1);
    CHECK_FALSE(boot.modules->storage_busy());
}

TEST_CASE("modules: a module the kernel refuses for its signature is named with the reason") {
    Boot boot;
    fake::module_failures()["virtio_ring.ko"] = EPERM;
    fake::module_failures()["kvm-intel.ko"] = EKEYREJECTED;
    boot.start();
    boot.finish();
    CHECK(
        boot.log.has("modules: virtio_ring refused (Operation not permitted, errno 1): the kernel "
                     "is locked down and refuses unsigned modules"));
    CHECK(
        boot.log.has("modules: kvm_intel refused (Key was rejected by service, errno 129): the "
                     "kernel enforces module signatures (Secure Boot on) and this module is "
                     "unsigned"));
    CHECK(boot.log.has("modules: virtio_pci not loaded: it needs virtio_ring, which failed"));
}

TEST_CASE(
    "modules: a driver that fails -> its dependents skipped, one line each, the boot goes on") {
    Boot boot;
    fake::module_failures()["virtio_ring.ko"] = ENOEXEC;
    boot.start();
    boot.finish();
    const auto names = loads();
    CHECK(std::count(names.begin(), names.end(), "virtio_pci") == 0);
    CHECK(std::count(names.begin(), names.end(), "kvm-intel") == 1);
    CHECK(boot.log.has("modules: virtio_ring: finit_module failed: Exec format error"));
    CHECK(boot.log.has("modules: virtio_pci not loaded: it needs virtio_ring, which failed"));
    CHECK(boot.log.has("modules: virtio_blk not loaded: it needs virtio_ring, which failed"));
}

TEST_CASE(
    "modules: .ko.zst modules inflated in memory for init_module; a damaged one fails in one line, "
    "its dependents skipped") {
    Boot boot;
    // The image as the packer writes it: every module a zstd frame named .ko.zst.
    std::string dep = kDep;
    for (size_t at = 0; (at = dep.find(".ko", at)) != std::string::npos; at += 7)
        dep.replace(at, 3, ".ko.zst");
    boot.tree.file(std::string(kDirectory) + "/modules.dep", dep);
    boot.tree.file(std::string(kDirectory) + "/modules.load",
                   "kernel/arch/x86/kvm/kvm-intel.ko.zst\nkernel/arch/x86/kvm/kvm-amd.ko.zst\n");
    std::string elf =
        "\x7f"
        "ELF";
    elf.resize(5000, 'm');
    std::string frame(ZSTD_compressBound(elf.size()), '\0');
    ZSTD_CCtx* context = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1);
    frame.resize(ZSTD_compress2(context, frame.data(), frame.size(), elf.data(), elf.size()));
    ZSTD_freeCCtx(context);
    std::string_view rest = kDep;
    std::string_view word;
    while (next_word(rest, word))
        if (ends_with(word, ".ko:") || ends_with(word, ".ko"))
            boot.tree.file(std::string(kDirectory) + "/" +
                               std::string(word.substr(0, word.find(':'))) + ".zst",
                           frame);
    std::string damaged = frame;
    damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x55);
    boot.tree.file(std::string(kDirectory) + "/kernel/drivers/virtio/virtio_ring.ko.zst", damaged);
    boot.start();
    boot.finish();
    const std::vector<std::string> calls = fake::calls();
    const auto called = [&](const std::string& text) {
        return std::find(calls.begin(), calls.end(), text) != calls.end();
    };
    CHECK(
        called("load_module /lib/modules/6.1.0-test/kernel/arch/x86/kvm/kvm-intel.ko.zst (5000 "
               "bytes inflated)"));
    CHECK(
        called("load_module /lib/modules/6.1.0-test/kernel/drivers/input/evdev.ko.zst (5000 "
               "bytes inflated)"));
    CHECK_FALSE(
        called("load_module /lib/modules/6.1.0-test/kernel/drivers/virtio/virtio_pci.ko.zst "
               "(5000 bytes inflated)"));
    CHECK(boot.log.has("modules: virtio_ring: zstd failed: Bad message (errno 74)"));
    CHECK(boot.log.has("modules: virtio_pci not loaded: it needs virtio_ring, which failed"));
    CHECK_MESSAGE(boot.log.has("modules: all loaded: 5 loaded, 3 failed"), boot.log.text());
}

TEST_CASE(
    "modules: a device announced later -> its driver queued then; no vmx/svm -> no KVM, one line") {
    Boot boot;
    boot.start({}, {"AuthenticAMD", false});
    boot.finish();
    Uevent nic;
    nic.action = "add";
    nic.subsystem = "virtio";
    nic.modalias = "virtio:d00000001v00001AF4";
    boot.modules->on_device_added(nic);
    boot.finish();
    const auto names = loads();
    CHECK(std::count(names.begin(), names.end(), "virtio_net") == 1);
    CHECK(position(names, "failover") < position(names, "net_failover"));
    CHECK(std::count(names.begin(), names.end(), "kvm") == 0);
    CHECK(boot.log.count("kvm: the CPU has no vmx/svm flag; KVM modules are not loaded") == 1);
}

TEST_CASE(
    "modules: mounting a filesystem -> its fs- alias loads now; no module index -> one error, "
    "nothing loads") {
    Boot boot;
    boot.tree.file(std::string(kDirectory) + "/kernel/fs/ext4/ext4.ko", "module");
    boot.tree.file(std::string(kDirectory) + "/modules.dep",
                   std::string(kDep) + "kernel/fs/ext4/ext4.ko:\n");
    boot.tree.file(std::string(kDirectory) + "/modules.alias",
                   std::string(kAlias) + "alias fs-ext4 ext4\n");
    boot.start();
    CHECK(boot.modules->load_for_filesystem("ext4"));
    const auto names = loads();
    CHECK(std::count(names.begin(), names.end(), "ext4") == 1);
    CHECK_FALSE(boot.modules->load_for_filesystem("btrfs"));
    boot.finish();

    Boot empty;
    empty.tree.remove(std::string(kDirectory) + "/modules.dep");
    empty.start();
    CHECK(empty.log.has("modules: cannot read /lib/modules/6.1.0-test/modules.dep"));
    CHECK(empty.log.has(
        "modules: no usable module index in /lib/modules/6.1.0-test; no modules loaded"));
    CHECK(loads().empty());
}

TEST_CASE(
    "modules: a device reserved for vfio-pci (driver_override) -> its own drivers not loaded") {
    for (const bool reserved : {true, false}) {
        CAPTURE(reserved);
        Boot boot;
        boot.tree.file(std::string(kDirectory) + "/modules.dep",
                       std::string(kDep) + "kernel/drivers/net/ethernet/realtek/8139cp.ko:\n");
        boot.tree.file(std::string(kDirectory) + "/modules.alias",
                       std::string(kAlias) + "alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139cp\n");
        boot.tree.file(std::string(kDirectory) + "/kernel/drivers/net/ethernet/realtek/8139cp.ko",
                       "module");
        boot.tree.file("/sys/bus/pci/devices/0000:00:06.0/modalias",
                       "pci:v000010ECd00008139sv00001AF4sd00001100bc02sc00i00\n");
        boot.tree.file("/sys/bus/pci/devices/0000:00:06.0/driver_override",
                       reserved ? "vfio-pci\n" : "(null)\n");
        ModuleNeeds needs;
        needs.reserved_devices = true;
        boot.start(needs);
        boot.finish();
        const auto names = loads();
        CHECK(std::count(names.begin(), names.end(), "8139cp") == (reserved ? 0 : 1));
        CHECK(std::count(names.begin(), names.end(), "virtio_pci") == 1);
    }
}
