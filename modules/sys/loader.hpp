// Loads requested kernel modules on a few worker threads, dependencies strictly first and
// critical modules before the rest, while the boot goes on: the disk wait need not wait for
// KVM, and QEMU need not wait for the drivers it does not use (input, display, sensors).
#pragma once

#include <pthread.h>

#include <cstdint>

#include "modules/load_plan.hpp"
#include "modules/module_table.hpp"

namespace hal {

inline constexpr unsigned kMaxLoaderThreads = 4;

struct LoaderCounts {
    uint32_t loaded = 0;
    uint32_t failed = 0;
    uint32_t skipped = 0;  // not tried: a dependency failed
};

class ModuleLoader {
public:
    ModuleLoader(const ModuleTable& table, const char* module_directory);

    // Starts the workers; they load whatever is requested until stop().
    void start(unsigned threads);
    // Ends the workers once the loads under way finish (PID 1 never does; the unit tests do).
    void stop();
    // Queues a module (and what it pulls in); returns how many modules were newly queued.
    unsigned request(int index, LoadPriority priority);
    // Blocks until no module of `priority` is waiting or loading (the rest goes on in the
    // background).
    void wait_idle(LoadPriority priority);
    bool busy(LoadPriority priority);
    // True when nothing is waiting or loading; reports skipped modules once when it is.
    bool idle();

    LoaderCounts counts();

private:
    static void* worker_entry(void* self);
    void work();
    void load_one(int index);
    // Without workers: loads on the caller's thread until no module of `until_idle` is busy
    // (kNormal: until nothing is).
    void load_inline(LoadPriority until_idle);
    void report_skipped();

    const ModuleTable& table_;
    const char* module_directory_;
    LoadPlan plan_;
    LoaderCounts counts_;
    pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t changed_ = PTHREAD_COND_INITIALIZER;
    pthread_t workers_[kMaxLoaderThreads];
    unsigned worker_count_ = 0;
    bool stopping_ = false;
};

}  // namespace hal
