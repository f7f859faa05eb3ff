// Unit tests for modules.list parsing and modules.dep resolution on fixture texts.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "image/module_file.hpp"
#include "initrd/module_resolver.hpp"
#include "tests/unit/initrd/out_parameters.hpp"

using namespace hal::pack;
using namespace hal::pack::test;

namespace {

// Real lines from Debian 6.1's modules.dep, trimmed to the modules these tests use.
constexpr const char* kModulesDep =
    "kernel/arch/x86/kvm/kvm.ko: kernel/virt/lib/irqbypass.ko\n"
    "kernel/arch/x86/kvm/kvm-intel.ko: kernel/arch/x86/kvm/kvm.ko kernel/virt/lib/irqbypass.ko\n"
    "kernel/virt/lib/irqbypass.ko:\n"
    "kernel/drivers/virtio/virtio.ko:\n"
    "kernel/drivers/virtio/virtio_ring.ko:\n"
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko:\n"
    "kernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n"
    "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
    "kernel/net/core/failover.ko "
    "kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
    "kernel/net/core/failover.ko:\n"
    "kernel/drivers/net/tun.ko:\n";

ModuleIndex index_of(const char* dep_text, const char* builtin_text = "") {
    ModuleIndex index;
    std::string error;
    REQUIRE(parse_modules_dep(dep_text, "modules.dep", index, error));
    parse_modules_builtin(builtin_text, index);
    return index;
}

bool resolve(const char* list, const ModuleIndex& index, Resolution& resolution,
             std::string& error) {
    std::vector<ModuleRequest> requests;
    REQUIRE(parse_module_list(list, "modules.list", requests, error));
    return resolve_modules(requests, index, "modules.list", "6.1.0-test", resolution, error);
}

size_t position(const Resolution& resolution, const std::string& path) {
    const auto found = std::find(resolution.load_order.begin(), resolution.load_order.end(), path);
    REQUIRE(found != resolution.load_order.end());
    return static_cast<size_t>(found - resolution.load_order.begin());
}

}  // namespace

TEST_CASE("resolver: virtio_blk -> virtio_ring and virtio before it") {
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("virtio_blk\n", index_of(kModulesDep), resolution, error));
    CHECK(resolution.load_order == std::vector<std::string>{"kernel/drivers/virtio/virtio_ring.ko",
                                                            "kernel/drivers/virtio/virtio.ko",
                                                            "kernel/drivers/block/virtio_blk.ko"});
}

TEST_CASE("resolver: every module after all of its dependencies") {
    const ModuleIndex index = index_of(kModulesDep);
    Resolution resolution;
    std::string error;
    REQUIRE(
        resolve("kvm-intel\nvirtio_net\nvirtio_pci\nvirtio_blk\ntun\n", index, resolution, error));
    for (const auto& path : resolution.load_order)
        for (const auto& dependency : index.dependencies.at(path))
            CHECK(position(resolution, dependency) < position(resolution, path));
}

TEST_CASE("resolver: duplicates in list and shared dependencies -> each module once") {
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("virtio_blk\nvirtio-blk\nvirtio_net\nvirtio_blk\n", index_of(kModulesDep),
                    resolution, error));
    std::vector<std::string> sorted = resolution.load_order;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    CHECK(resolution.load_order.size() == 6);
}

TEST_CASE("resolver: unknown module -> error naming module, line and kernel version") {
    Resolution resolution;
    std::string error;
    CHECK_FALSE(resolve("virtio_blk\n\n# comment\nno_such_driver\n", index_of(kModulesDep),
                        resolution, error));
    CHECK(error.find("no_such_driver") != std::string::npos);
    CHECK(error.find("line 4") != std::string::npos);
    CHECK(error.find("6.1.0-test") != std::string::npos);
}

TEST_CASE("resolver: optional unknown module -> skipped and reported") {
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("no_such_driver?\ntun\n", index_of(kModulesDep), resolution, error));
    CHECK(resolution.missing_optional == std::vector<std::string>{"no_such_driver"});
    CHECK(resolution.load_order == std::vector<std::string>{"kernel/drivers/net/tun.ko"});
}

TEST_CASE("resolver: builtin module -> satisfied, not packed") {
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("virtio_pci\n", index_of("", "kernel/drivers/virtio/virtio_pci.ko\n"),
                    resolution, error));
    CHECK(resolution.builtin == std::vector<std::string>{"virtio_pci"});
    CHECK(resolution.load_order.empty());
}

TEST_CASE("resolver: dependency cycle -> error naming the cycle") {
    const ModuleIndex index =
        index_of("kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/c.ko\nkernel/c.ko: kernel/a.ko\n");
    Resolution resolution;
    std::string error;
    CHECK_FALSE(resolve("a\n", index, resolution, error));
    CHECK(error.find("cycle") != std::string::npos);
    CHECK(error.find("kernel/a.ko") != std::string::npos);
    CHECK(error.find("kernel/c.ko") != std::string::npos);
}

TEST_CASE("resolver: dependency without its own modules.dep line -> error") {
    const ModuleIndex index = index_of("kernel/a.ko: kernel/gone.ko\n");
    Resolution resolution;
    std::string error;
    CHECK_FALSE(resolve("a\n", index, resolution, error));
    CHECK(error.find("kernel/gone.ko") != std::string::npos);
}

TEST_CASE("module list: bad name -> error naming file and line") {
    std::vector<ModuleRequest> requests;
    std::string error;
    CHECK_FALSE(parse_module_list("tun\nvirtio blk\n", "modules.list", requests, error));
    CHECK(error.find("modules.list line 2") != std::string::npos);
}

TEST_CASE("modules.dep: malformed line -> error naming line") {
    ModuleIndex index;
    std::string error;
    CHECK_FALSE(parse_modules_dep("kernel/a.ko:\nnot a dep line\n", "x/modules.dep", index, error));
    CHECK(error.find("x/modules.dep line 2") != std::string::npos);
}

TEST_CASE("resolver: filtered modules.dep -> only packed modules, in load order") {
    const ModuleIndex index = index_of(kModulesDep);
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("virtio_blk\n", index, resolution, error));
    CHECK(filtered_modules_dep(resolution, index) ==
          "kernel/drivers/virtio/virtio_ring.ko:\nkernel/drivers/virtio/virtio.ko:\n"
          "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko "
          "kernel/drivers/virtio/virtio_ring.ko\n");
}

namespace {

constexpr const char* kAliases =
    "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
    "alias virtio:d00000002v* virtio_blk\n"
    "alias virtio:d00000001v* virtio_net\n"
    "alias devname:net/tun tun\n"
    "alias char-major-10-200 tun\n"
    "alias cpu:type:x86,ven*fam*mod*:feature:*0085* kvm_intel\n"
    "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n"
    "alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e\n";
constexpr const char* kMoreDeps =
    "kernel/drivers/net/ethernet/intel/e1000/e1000.ko:\n"
    "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko:\n"
    "kernel/lib/crc-t10dif.ko:\n"
    "kernel/arch/x86/crypto/crct10dif-pclmul.ko:\n"
    "kernel/crypto/crct10dif_generic.ko:\n";

ModuleIndex full_index() {
    ModuleIndex index = index_of((std::string(kModulesDep) + kMoreDeps).c_str());
    parse_modules_alias(kAliases, index);
    parse_modules_alias(
        "alias crypto-crct10dif crct10dif_pclmul\nalias crypto-crct10dif crct10dif_generic\n",
        index);
    parse_modules_softdep(
        "softdep crc-t10dif pre: crypto-crct10dif\nsoftdep tun post: virtio_blk\n", index);
    return index;
}

std::vector<std::string> names(const std::vector<std::string>& paths) {
    std::vector<std::string> result;
    for (const auto& path : paths) result.push_back(module_name_of(path));
    return result;
}

}  // namespace

TEST_CASE("module list: groups, aliases and optional entries -> expanded in file order") {
    std::vector<ModuleRequest> requests;
    std::string error;
    REQUIRE(parse_module_list("tun\n@net?\n@net = virtio_net e1000?\npci:v00008086d*\n",
                              "modules.list", requests, error));
    REQUIRE(requests.size() == 4);
    CHECK(requests[0].text == "tun");
    CHECK((requests[1].text == "virtio_net" && requests[1].optional && requests[1].group == "net"));
    CHECK((requests[2].text == "e1000" && requests[2].optional));
    CHECK(requests[3].kind == ModuleRequest::Kind::kAlias);
    CHECK(requests[3].text == "pci:v00008086d*");
}

TEST_CASE("module list: a group named again adds nothing, unless it was only optional before") {
    std::vector<ModuleRequest> requests;
    std::string error;
    REQUIRE(parse_module_list("@g = tun e1000\n@g?\n@g?\n@g\n@g\n@g?\n", "modules.list", requests,
                              error));
    REQUIRE(requests.size() == 4);
    CHECK((requests[0].text == "tun" && requests[0].optional && requests[0].line == 1));
    CHECK((requests[1].text == "e1000" && requests[1].optional));
    CHECK((requests[2].text == "tun" && !requests[2].optional));
    CHECK((requests[3].text == "e1000" && !requests[3].optional));

    // 1,000 uses of a 1,000-module group: 1,000 requests, not a million.
    std::string list = "@big =";
    for (int i = 0; i < 1000; ++i) list += " m" + std::to_string(i);
    list += "\n";
    for (int i = 0; i < 1000; ++i) list += "@big\n";
    requests.clear();
    REQUIRE(parse_module_list(list, "modules.list", requests, error));
    CHECK(requests.size() == 1000);
}

TEST_CASE("module list: bad groups table -> error naming file and line") {
    struct Case {
        const char* text;
        const char* expected;
    };
    const Case cases[] = {
        {"tun\n@missing\n", "modules.list line 2: group @missing is not defined"},
        {"@a = tun\n@a = tun\n", "modules.list line 2: group @a is defined twice"},
        {"@a = tun\n@b = @a\n", "modules.list line 2: group @b names another group"},
        {"@a = tun bad/name\n", "modules.list line 1: 'bad/name' is not a module name"},
        {"tun virtio_net\n", "modules.list line 1: one entry per line"},
    };
    for (const Case& test : cases) {
        CAPTURE(test.text);
        std::vector<ModuleRequest> requests;
        std::string error;
        CHECK_FALSE(parse_module_list(test.text, "modules.list", requests, error));
        CHECK(error.find(test.expected) != std::string::npos);
    }
}

TEST_CASE("resolver: alias entry -> every module it names; unknown alias -> error") {
    const ModuleIndex index = full_index();
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("pci:v00008086d*\n", index, resolution, error));
    CHECK(names(resolution.load_order) == std::vector<std::string>{"e1000", "e1000e"});
    CHECK(resolution.early.empty());
    Resolution concrete;
    REQUIRE(
        resolve("pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\n", index, concrete, error));
    CHECK(names(concrete.load_order).back() == "virtio_pci");
    Resolution none;
    CHECK_FALSE(resolve("usb:v1234p*\n", index, none, error));
    CHECK(error.find("alias 'usb:v1234p*' not found for kernel 6.1.0-test") != std::string::npos);
}

TEST_CASE("resolver: device drivers are coldplug-only; others are early") {
    const ModuleIndex index = full_index();
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("kvm_intel\nvirtio_blk\ntun\ne1000\n", index, resolution, error));
    CHECK(names(resolution.early) == std::vector<std::string>{"kvm_intel", "tun"});
    CHECK(is_device_alias("pci:v00001AF4d*"));
    CHECK(is_device_alias("acpi*:LNXPWRBN:*"));
    CHECK_FALSE(is_device_alias("devname:net/tun"));
    CHECK_FALSE(is_device_alias("cpu:type:x86,ven*fam*mod*:feature:*0085*"));
    CHECK_FALSE(is_device_alias("char-major-10-200"));
}

TEST_CASE("resolver: softdep pre (every alias match) before, post after") {
    const ModuleIndex index = full_index();
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("crc_t10dif\ntun\n", index, resolution, error));
    const auto order = names(resolution.load_order);
    const auto position = [&](const char* name) {
        return std::find(order.begin(), order.end(), name) - order.begin();
    };
    REQUIRE(position("crct10dif_pclmul") < static_cast<long>(order.size()));
    CHECK(position("crct10dif_pclmul") < position("crc_t10dif"));
    CHECK(position("crct10dif_generic") < position("crc_t10dif"));
    CHECK(position("tun") < position("virtio_blk"));
    CHECK(filtered_modules_softdep(resolution, index)
              .find("softdep crc_t10dif pre: crypto-crct10dif\n") != std::string::npos);
}

TEST_CASE("resolver: filtered modules.alias -> only packed modules' aliases") {
    const ModuleIndex index = full_index();
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("virtio_blk\n", index, resolution, error));
    CHECK(filtered_modules_alias(resolution, index) == "alias virtio:d00000002v* virtio_blk\n");
}

TEST_CASE("resolver: compressed module paths renamed in the filtered modules.dep") {
    const ModuleIndex index = index_of("kernel/a.ko.xz: kernel/b.ko.zst\nkernel/b.ko.zst:\n");
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("a\n", index, resolution, error));
    CHECK(filtered_modules_dep(
              resolution, index,
              {{"kernel/a.ko.xz", "kernel/a.ko"}, {"kernel/b.ko.zst", "kernel/b.ko"}}) ==
          "kernel/b.ko:\nkernel/a.ko: kernel/b.ko\n");
}

TEST_CASE(
    "resolver: filesystems (fs- alias) are packed but not early: hal-init loads them to mount") {
    ModuleIndex index = index_of(
        "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko\nkernel/fs/jbd2/jbd2.ko:\n"
        "kernel/fs/nls/nls_cp437.ko:\nkernel/drivers/net/tun.ko:\n");
    parse_modules_alias("alias fs-ext4 ext4\nalias ext3 ext4\nalias devname:net/tun tun\n", index);
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("ext4\nnls_cp437\ntun\n", index, resolution, error));
    CHECK(names(resolution.load_order) ==
          std::vector<std::string>{"jbd2", "ext4", "nls_cp437", "tun"});
    CHECK(names(resolution.early) == std::vector<std::string>{"nls_cp437", "tun"});
    CHECK(filtered_modules_alias(resolution, index).find("alias fs-ext4 ext4") !=
          std::string::npos);
}

TEST_CASE(
    "module list: directories -> their modules, ** and =drivers/ recursive, none of them early") {
    const ModuleIndex index = index_of(
        "kernel/drivers/ata/libata.ko:\nkernel/drivers/ata/ahci.ko: kernel/drivers/ata/libata.ko\n"
        "kernel/drivers/ata/pata/pata_foo.ko: kernel/drivers/ata/libata.ko\n"
        "kernel/drivers/net/ethernet/intel/e1000/e1000.ko:\nkernel/drivers/net/ethernet/realtek/"
        "r8169.ko:\n"
        "kernel/drivers/net/tun.ko:\n");
    Resolution flat, deep, dracut;
    std::string error;
    REQUIRE(resolve("kernel/drivers/ata/\n", index, flat, error));
    CHECK(names(flat.load_order) == std::vector<std::string>{"libata", "ahci"});
    REQUIRE(resolve("kernel/drivers/ata/**\n", index, deep, error));
    CHECK(deep.load_order.size() == 3);
    REQUIRE(resolve("=drivers/net/ethernet\n", index, dracut, error));
    CHECK(names(dracut.load_order) == std::vector<std::string>{"e1000", "r8169"});
    CHECK(dracut.early.empty());
}

TEST_CASE("module list: an unknown directory -> error naming line and kernel; '?' -> noted") {
    const ModuleIndex index = index_of("kernel/drivers/ata/ahci.ko:\n");
    Resolution resolution;
    std::string error;
    CHECK_FALSE(resolve("ahci\nkernel/drivers/nope/\n", index, resolution, error));
    CHECK(error ==
          "modules.list line 2: module directory 'kernel/drivers/nope/' has no modules for kernel "
          "6.1.0-test "
          "(mark it optional with a trailing '?')");
    Resolution optional;
    REQUIRE(resolve("kernel/drivers/nope/**?\n", index, optional, error));
    CHECK(optional.missing_optional == std::vector<std::string>{"kernel/drivers/nope/"});
    std::vector<ModuleRequest> requests;
    CHECK_FALSE(parse_module_list("kernel/../etc/\n", "modules.list", requests, error));
    CHECK(error.find("not a module directory") != std::string::npos);
}
