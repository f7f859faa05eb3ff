// What the faked system calls were asked, for the unit tests of PID 1's system half. The
// fakes (tests/unit/fakes/*.cpp) replace, at link time, the few wrappers a test cannot run:
// mounts, reboot(2), finit_module(2) and rtnetlink. Everything else runs for real, below the
// fixture root base/sys/fs.hpp points at.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace hal::fake {

// Every call, in order, as one line ("mount /dev/vdb1 /run/hal/mnt/0 ext4 ro",
// "load_module /lib/modules/6.1/kernel/drivers/virtio/virtio_pci.ko", "power_off").
std::vector<std::string> calls();
void record(const std::string& call);

// Network interfaces rtnetlink knows, by name (their index); create_macvlan adds to them.
std::map<std::string, int>& interfaces();
// finit_module fails with this errno for modules whose path ends in the key.
std::map<std::string, int>& module_failures();

// A module load whose path ends in `suffix` waits until release_held() (a slow probe).
void hold(const std::string& suffix);
void release_held();
// Called by the fake finit_module: waits while `path` is held.
void wait_if_held(const std::string& path);

// Forgets every call and interface, and the knobs above.
void reset();

}  // namespace hal::fake
