// Unit tests for the image's module table and the parallel load schedule.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "modules/load_plan.hpp"
#include "modules/module_table.hpp"

using hal::LoadPlan;
using hal::LoadState;
using hal::ModuleTable;

namespace {

constexpr const char* kDep =
    "kernel/drivers/virtio/virtio_ring.ko:\n"
    "kernel/drivers/virtio/virtio.ko:\n"
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko:\n"
    "kernel/drivers/virtio/virtio_pci_legacy_dev.ko:\n"
    "kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_legacy_dev.ko "
    "kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko "
    "kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/net/core/failover.ko:\n"
    "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
    "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko "
    "kernel/net/core/failover.ko "
    "kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko\n"
    "kernel/arch/x86/crypto/crct10dif-pclmul.ko:\n"
    "kernel/lib/crc-t10dif.ko:\n"
    "kernel/block/t10-pi.ko: kernel/lib/crc-t10dif.ko\n"
    "kernel/drivers/scsi/sd_mod.ko: kernel/block/t10-pi.ko\n"
    "kernel/drivers/net/tun.ko:\n";
constexpr const char* kAlias =
    "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
    "alias virtio:d00000002v* virtio_blk\n"
    "alias virtio:d00000001v* virtio_net\n"
    "alias crypto-crct10dif crct10dif_pclmul\n"
    "alias crct10dif crct10dif_pclmul\n"
    "alias scsi:t-0x00* sd_mod\n"
    "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n";  // not in modules.dep: ignored
constexpr const char* kSoftdep =
    "softdep crc-t10dif pre: crct10dif\nsoftdep tun post: virtio_blk\n";

std::unique_ptr<ModuleTable> make_table() {
    auto table = std::make_unique<ModuleTable>();
    REQUIRE(table->load_dependencies(kDep).ok());
    REQUIRE(table->load_aliases(kAlias).ok());
    REQUIRE(table->load_softdeps(kSoftdep).ok());
    table->finalize();
    return table;
}

int index_of(const ModuleTable& table, const char* name) {
    const int index = table.find_name(name);
    REQUIRE(index >= 0);
    return index;
}

// Runs the plan like N workers: take every ready module (a "wave"), then finish them all.
// Records the order modules finished in and checks each was handed out only after what it
// must follow had finished.
std::vector<int> simulate(const ModuleTable& table, LoadPlan& plan,
                          const std::set<int>& failing = {}) {
    std::vector<int> finished;
    std::set<int> done;
    while (plan.busy()) {
        std::vector<int> wave;
        for (int ready; (ready = plan.next_ready()) >= 0;) wave.push_back(ready);
        if (wave.empty()) break;
        for (int module : wave) {
            for (uint16_t before : table.required(module)) CHECK(done.count(before) == 1);
            for (uint16_t before : table.ordered_after(module))
                CHECK((done.count(before) == 1 || plan.state(before) == LoadState::kIdle));
        }
        for (int module : wave) {
            plan.finish(module, failing.count(module) == 0);
            done.insert(module);
            finished.push_back(module);
        }
    }
    CHECK_FALSE(plan.busy());
    return finished;
}

}  // namespace

TEST_CASE("module table: names, paths and aliases of packed modules only") {
    const auto table = make_table();
    CHECK(table->size() == 14);
    CHECK(table->find_name("crc-t10dif") == table->find_name("crc_t10dif"));
    CHECK(table->find_path("kernel/drivers/net/tun.ko") == table->find_name("tun"));
    std::vector<int> matches;
    table->for_each_match("virtio:d00000002v00001AF4",
                          [&](int index) { matches.push_back(index); });
    CHECK(matches == std::vector<int>{index_of(*table, "virtio_blk")});
    matches.clear();
    table->for_each_match("pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00",
                          [&](int index) { matches.push_back(index); });
    CHECK(matches.empty());
}

TEST_CASE("load plan: request pulls in dependencies and softdeps") {
    const auto table = make_table();
    LoadPlan plan(*table);
    CHECK(plan.request(index_of(*table, "sd_mod")) ==
          4);  // sd_mod, t10_pi, crc_t10dif, crct10dif_pclmul
    CHECK(plan.state(index_of(*table, "crct10dif_pclmul")) == LoadState::kWaiting);
    CHECK(plan.request(index_of(*table, "sd_mod")) == 0);
}

TEST_CASE("load plan: parallel waves never schedule a dependent before its dependency") {
    const auto table = make_table();
    LoadPlan plan(*table);
    for (const char* name : {"virtio_net", "virtio_blk", "virtio_pci", "sd_mod", "tun"})
        plan.request(index_of(*table, name));
    const auto finished = simulate(*table, plan);
    CHECK(finished.size() == 14);
    // Independent modules share the first wave: more than one is ready at once.
    LoadPlan fresh(*table);
    for (const char* name : {"virtio_net", "virtio_pci", "sd_mod"})
        fresh.request(index_of(*table, name));
    int first_wave = 0;
    while (fresh.next_ready() >= 0) ++first_wave;
    CHECK(first_wave >= 4);
}

TEST_CASE("load plan: post-softdep loads after its owner") {
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(index_of(*table, "tun"));
    const auto finished = simulate(*table, plan);
    const auto position = [&](const char* name) {
        return std::find(finished.begin(), finished.end(), index_of(*table, name)) -
               finished.begin();
    };
    CHECK(position("tun") < position("virtio_blk"));
}

TEST_CASE("load plan: failed dependency -> dependents skipped, others still load") {
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(index_of(*table, "virtio_blk"));
    plan.request(index_of(*table, "tun"));
    simulate(*table, plan, {index_of(*table, "virtio")});
    CHECK(plan.state(index_of(*table, "virtio_blk")) == LoadState::kSkipped);
    CHECK(plan.failed_prerequisite(index_of(*table, "virtio_blk")) == index_of(*table, "virtio"));
    CHECK(plan.state(index_of(*table, "tun")) == LoadState::kLoaded);
}

TEST_CASE("load plan: failed pre-softdep -> module still loads (crct10dif_pclmul without PCLMUL)") {
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(index_of(*table, "sd_mod"));
    simulate(*table, plan, {index_of(*table, "crct10dif_pclmul")});
    CHECK(plan.state(index_of(*table, "sd_mod")) == LoadState::kLoaded);
}

TEST_CASE("module table: malformed lines -> line number reported") {
    auto table = std::make_unique<ModuleTable>();
    const auto dependencies = table->load_dependencies("kernel/a.ko:\nthis is not a dep line\n");
    REQUIRE_FALSE(dependencies.ok());
    CHECK(dependencies.error().line == 2);
    const auto aliases = table->load_aliases("alias x a\nalias only-two\n");
    REQUIRE_FALSE(aliases.ok());
    CHECK(aliases.error().line == 2);
}

TEST_CASE("load plan: critical modules and their dependencies are handed out before normal ones") {
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(
        index_of(*table, "tun"));  // normal, ready at once (its post-softdep virtio_blk too)
    plan.request(index_of(*table, "sd_mod"), hal::LoadPriority::kCritical);
    CHECK(plan.busy(hal::LoadPriority::kCritical));
    std::vector<int> first_wave;
    for (int ready; (ready = plan.next_ready()) >= 0;) first_wave.push_back(ready);
    // The critical chain's roots (crc-t10dif's pre-softdep, then the rest) come before tun.
    REQUIRE_FALSE(first_wave.empty());
    CHECK(first_wave.front() != index_of(*table, "tun"));
    const auto tun = std::find(first_wave.begin(), first_wave.end(), index_of(*table, "tun"));
    const auto pclmul =
        std::find(first_wave.begin(), first_wave.end(), index_of(*table, "crct10dif_pclmul"));
    REQUIRE(pclmul != first_wave.end());
    CHECK((tun == first_wave.end() || pclmul < tun));
}

TEST_CASE("load plan: a normal request later raised to critical -> its waiting dependencies too") {
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(index_of(*table, "virtio_blk"));
    CHECK_FALSE(plan.busy(hal::LoadPriority::kCritical));
    CHECK(plan.request(index_of(*table, "virtio_blk"), hal::LoadPriority::kCritical) ==
          0);  // none new
    CHECK(plan.busy(hal::LoadPriority::kCritical));
    simulate(*table, plan);
    CHECK_FALSE(plan.busy(hal::LoadPriority::kCritical));
    CHECK(plan.state(index_of(*table, "virtio_blk")) == LoadState::kLoaded);
}

// Hands out every ready module: one wave, in the order the plan gives them.
std::vector<int> wave(LoadPlan& plan) {
    std::vector<int> ready_modules;
    for (int ready; (ready = plan.next_ready()) >= 0;) ready_modules.push_back(ready);
    return ready_modules;
}

size_t position(const std::vector<int>& order, int module) {
    return static_cast<size_t>(std::find(order.begin(), order.end(), module) - order.begin());
}

// The boot's order: storage drivers first (the disk search waits for them), then the rest of
// what the launch waits for, then everything else; the launch's wait ignores storage drivers
// still loading once the disks were found.
TEST_CASE(
    "load plan: storage before critical before normal; each priority's wait sees only its own") {
    using hal::LoadPriority;
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(index_of(*table, "virtio_net"));                    // normal
    plan.request(index_of(*table, "tun"), LoadPriority::kCritical);  // ready at once
    plan.request(index_of(*table, "virtio_blk"),
                 LoadPriority::kStorage);  // after virtio, virtio_ring
    const std::vector<int> first = wave(plan);
    const size_t tun = position(first, index_of(*table, "tun"));
    REQUIRE(tun < first.size());
    CHECK(position(first, index_of(*table, "virtio")) < tun);
    CHECK(position(first, index_of(*table, "virtio_ring")) < tun);
    // failover (normal, ready from the start) waits while storage and critical modules load.
    CHECK(position(first, index_of(*table, "failover")) == first.size());
    for (const int module : first) plan.finish(module, true);
    const std::vector<int> second = wave(plan);
    CHECK(second == std::vector<int>{index_of(*table, "virtio_blk")});
    // Storage still loading does not hold the launch once the critical modules are done.
    CHECK(plan.busy(LoadPriority::kStorage));
    CHECK_FALSE(plan.busy(LoadPriority::kCritical));
    plan.finish(index_of(*table, "virtio_blk"), true);
    CHECK_FALSE(plan.busy(LoadPriority::kStorage));
    // Nothing the boot waits for is loading now: the normal modules start.
    CHECK(position(wave(plan), index_of(*table, "failover")) == 0);
}

TEST_CASE(
    "load plan: a normal module waits while a storage or critical one loads, not while they only "
    "wait") {
    using hal::LoadPriority;
    const auto table = make_table();
    {
        LoadPlan plan(*table);
        plan.request(index_of(*table, "virtio_blk"), LoadPriority::kStorage);
        plan.request(index_of(*table, "failover"));
        const int first = plan.next_ready();  // virtio and virtio_ring: storage
        const int second = plan.next_ready();
        CHECK(plan.next_ready() == -1);  // failover is held back while they load
        plan.finish(first, true);
        plan.finish(second, true);
        CHECK(plan.next_ready() == index_of(*table, "virtio_blk"));
        CHECK(plan.next_ready() == -1);
        plan.finish(index_of(*table, "virtio_blk"), true);
        CHECK(plan.next_ready() == index_of(*table, "failover"));
    }
    {
        // tun's post-softdep orders virtio_blk after it. Requested later at normal priority,
        // tun is raised to storage (virtio_blk waits for it) and loads beside virtio and
        // virtio_ring; virtio_blk once all three have.
        LoadPlan plan(*table);
        plan.request(index_of(*table, "virtio_blk"), LoadPriority::kStorage);
        plan.request(index_of(*table, "tun"));
        CHECK(plan.priority(index_of(*table, "tun")) == LoadPriority::kStorage);
        const std::set<int> first_wave = {plan.next_ready(), plan.next_ready(), plan.next_ready()};
        CHECK(first_wave == std::set<int>{index_of(*table, "virtio"),
                                          index_of(*table, "virtio_ring"),
                                          index_of(*table, "tun")});
        CHECK(plan.next_ready() == -1);
        for (const int module : first_wave) plan.finish(module, true);
        CHECK(plan.next_ready() == index_of(*table, "virtio_blk"));
    }
}

TEST_CASE(
    "load plan: a storage driver's prerequisite already queued as critical is raised to storage") {
    using hal::LoadPriority;
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(index_of(*table, "virtio_net"),
                 LoadPriority::kCritical);  // needs virtio, virtio_ring
    plan.request(index_of(*table, "virtio_blk"), LoadPriority::kStorage);  // needs them too
    const std::vector<int> first = wave(plan);
    // virtio and virtio_ring (storage now) before failover (critical, ready from the start).
    const size_t failover = position(first, index_of(*table, "failover"));
    REQUIRE(failover < first.size());
    CHECK(position(first, index_of(*table, "virtio")) < failover);
    CHECK(position(first, index_of(*table, "virtio_ring")) < failover);
    for (const int module : first) plan.finish(module, true);
    CHECK(plan.busy(LoadPriority::kStorage));   // virtio_blk is ready now
    CHECK(plan.busy(LoadPriority::kCritical));  // and virtio_net once net_failover loads
}

// virtio_pci brings the virtio disk and the virtio NIC: it loads before the storage drivers,
// and the launch's wait (bus and critical) sees it while it ignores a storage driver.
TEST_CASE("load plan: a bus driver loads before storage drivers, and the launch waits for it") {
    using hal::LoadPriority;
    const auto table = make_table();
    LoadPlan plan(*table);
    plan.request(index_of(*table, "sd_mod"),
                 LoadPriority::kStorage);  // after t10-pi, crc-t10dif...
    plan.request(index_of(*table, "virtio_pci"),
                 LoadPriority::kBus);  // after virtio, virtio_ring...
    // Each wave: every bus module ready in it comes before every storage module.
    bool saw_virtio_pci = false;
    while (true) {
        const std::vector<int> ready = wave(plan);
        if (ready.empty()) break;
        bool storage_seen = false;
        for (const int module : ready) {
            const bool bus = plan.priority(module) == LoadPriority::kBus;
            CHECK_FALSE((bus && storage_seen));
            storage_seen |= !bus;
        }
        for (const int module : ready) {
            if (module == index_of(*table, "virtio_pci")) {
                saw_virtio_pci = true;
                // The launch waits for a bus driver, and not for a storage driver.
                CHECK(plan.busy(LoadPriority::kBus));
            }
            plan.finish(module, true);
        }
    }
    CHECK(saw_virtio_pci);
    CHECK(plan.priority(index_of(*table, "virtio")) == LoadPriority::kBus);
    CHECK(plan.priority(index_of(*table, "crc-t10dif")) == LoadPriority::kStorage);
    CHECK_FALSE(plan.busy(LoadPriority::kBus));
    CHECK_FALSE(plan.busy(LoadPriority::kStorage));
}

TEST_CASE(
    "module priority: storage first, KVM critical; NICs only when the guest's network needs them") {
    using hal::LoadPriority;
    using hal::module_priority;
    CHECK(module_priority("kernel/arch/x86/kvm/kvm-intel.ko", false) == LoadPriority::kCritical);
    CHECK(module_priority("kernel/drivers/char/tpm/tpm_crb.ko", false) == LoadPriority::kCritical);
    CHECK(module_priority("kernel/drivers/ata/ahci.ko", false) == LoadPriority::kStorage);
    CHECK(module_priority("kernel/drivers/nvme/host/nvme.ko", false) == LoadPriority::kStorage);
    CHECK(module_priority("kernel/drivers/virtio/virtio_pci.ko", false) == LoadPriority::kBus);
    CHECK(module_priority("kernel/drivers/block/virtio_blk.ko", false) == LoadPriority::kStorage);
    CHECK(module_priority("kernel/drivers/scsi/mpt3sas/mpt3sas.ko", true) ==
          LoadPriority::kStorage);
    CHECK(module_priority("kernel/drivers/input/evdev.ko", false) == LoadPriority::kNormal);
    CHECK(module_priority("kernel/drivers/net/ethernet/intel/e1000/e1000.ko", false) ==
          LoadPriority::kNormal);
    CHECK(module_priority("kernel/drivers/net/ethernet/intel/e1000/e1000.ko", true) ==
          LoadPriority::kCritical);
    CHECK(module_priority("kernel/drivers/vhost/vhost_net.ko", true) == LoadPriority::kCritical);
    CHECK(module_priority("kernel/drivers/gpu/drm/tiny/bochs.ko", true) == LoadPriority::kNormal);
}
