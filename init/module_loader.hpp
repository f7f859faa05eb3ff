// Loads requested kernel modules on a few worker threads, dependencies strictly first,
// while the boot goes on: the disk wait need not wait for KVM to load.
#pragma once

#include <pthread.h>

#include <cstdint>

#include "common/load_plan.hpp"
#include "common/module_table.hpp"

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
    // Queues a module (and what it pulls in); returns how many modules were newly queued.
    unsigned request(int index);
    // Blocks until nothing is waiting or loading.
    void wait_idle();
    // Waits for idle, then ends the workers and reports skipped modules once.
    void stop();

    LoaderCounts counts();

private:
    static void* worker_entry(void* self);
    void work();
    void load_one(int index);

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
