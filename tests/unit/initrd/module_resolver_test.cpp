// Unit tests for modules.list parsing and modules.dep resolution on fixture texts.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "initrd/module_resolver.hpp"

using namespace hal::pack;

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
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko "
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

bool resolve(const char* list, const ModuleIndex& index, Resolution& resolution, std::string& error) {
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
    REQUIRE(resolve("kvm-intel\nvirtio_net\nvirtio_pci\nvirtio_blk\ntun\n", index, resolution, error));
    for (const auto& path : resolution.load_order)
        for (const auto& dependency : index.dependencies.at(path))
            CHECK(position(resolution, dependency) < position(resolution, path));
}

TEST_CASE("resolver: duplicates in list and shared dependencies -> each module once") {
    Resolution resolution;
    std::string error;
    REQUIRE(resolve("virtio_blk\nvirtio-blk\nvirtio_net\nvirtio_blk\n", index_of(kModulesDep), resolution, error));
    std::vector<std::string> sorted = resolution.load_order;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    CHECK(resolution.load_order.size() == 6);
}

TEST_CASE("resolver: unknown module -> error naming module, line and kernel version") {
    Resolution resolution;
    std::string error;
    CHECK_FALSE(resolve("virtio_blk\n\n# comment\nno_such_driver\n", index_of(kModulesDep), resolution, error));
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
    REQUIRE(resolve("virtio_pci\n", index_of("", "kernel/drivers/virtio/virtio_pci.ko\n"), resolution, error));
    CHECK(resolution.builtin == std::vector<std::string>{"virtio_pci"});
    CHECK(resolution.load_order.empty());
}

TEST_CASE("resolver: dependency cycle -> error naming the cycle") {
    const ModuleIndex index = index_of("kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/c.ko\nkernel/c.ko: kernel/a.ko\n");
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
          "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n");
}
