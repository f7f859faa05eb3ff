// The worker pool: each thread takes a ready module from the LoadPlan under one mutex.
#include "init/module_loader.hpp"

#include <cstring>

#include "common/text.hpp"
#include "init/log.hpp"
#include "init/sys/sys.hpp"

namespace hal {

ModuleLoader::ModuleLoader(const ModuleTable& table, const char* module_directory)
    : table_(table), module_directory_(module_directory), plan_(table) {}

void ModuleLoader::load_one(int index) {
    const ModuleEntry& module = table_.entry(static_cast<size_t>(index));
    FixedString<kPathCapacity> path;
    bool loaded = false;
    const uint64_t started = sys::monotonic_ms();
    if (!path.assign(module_directory_) || !path.append('/') || !path.append(module.path)) {
        log_warning("modules: %s: path too long", module.name.c_str());
    } else {
        const Status status = sys::load_module(path.c_str());
        loaded = status.ok();
        if (loaded)
            log_debug("modules: %s loaded in %llu ms", module.name.c_str(),
                      static_cast<unsigned long long>(sys::monotonic_ms() - started));
        else
            log_warning("modules: %s: %s failed: %s (errno %d)", module.name.c_str(), status.error().operation,
                        std::strerror(status.error().code), status.error().code);
    }
    pthread_mutex_lock(&mutex_);
    plan_.finish(index, loaded);
    ++(loaded ? counts_.loaded : counts_.failed);
    pthread_cond_broadcast(&changed_);
    pthread_mutex_unlock(&mutex_);
}

void ModuleLoader::work() {
    pthread_mutex_lock(&mutex_);
    while (true) {
        const int ready = plan_.next_ready();
        if (ready >= 0) {
            pthread_mutex_unlock(&mutex_);
            load_one(ready);
            pthread_mutex_lock(&mutex_);
            continue;
        }
        if (!plan_.busy()) pthread_cond_broadcast(&changed_);  // wake wait_idle()
        if (stopping_ && !plan_.busy()) break;
        pthread_cond_wait(&changed_, &mutex_);
    }
    pthread_mutex_unlock(&mutex_);
}

void* ModuleLoader::worker_entry(void* self) {
    static_cast<ModuleLoader*>(self)->work();
    return nullptr;
}

void ModuleLoader::start(unsigned threads) {
    if (threads > kMaxLoaderThreads) threads = kMaxLoaderThreads;
    for (unsigned i = 0; i < threads; ++i)
        if (pthread_create(&workers_[worker_count_], nullptr, worker_entry, this) == 0) ++worker_count_;
    if (worker_count_ == 0) log_warning("modules: no loader thread could be started; loading inline");
}

unsigned ModuleLoader::request(int index) {
    pthread_mutex_lock(&mutex_);
    const unsigned added = plan_.request(index);
    if (added > 0) pthread_cond_broadcast(&changed_);
    pthread_mutex_unlock(&mutex_);
    return added;
}

void ModuleLoader::wait_idle() {
    if (worker_count_ == 0) {
        // No threads: load everything on the caller's thread.
        int ready;
        while (true) {
            pthread_mutex_lock(&mutex_);
            ready = plan_.next_ready();
            pthread_mutex_unlock(&mutex_);
            if (ready < 0) break;
            load_one(ready);
        }
        return;
    }
    pthread_mutex_lock(&mutex_);
    while (plan_.busy()) pthread_cond_wait(&changed_, &mutex_);
    pthread_mutex_unlock(&mutex_);
}

void ModuleLoader::stop() {
    wait_idle();
    pthread_mutex_lock(&mutex_);
    stopping_ = true;
    pthread_cond_broadcast(&changed_);
    pthread_mutex_unlock(&mutex_);
    for (unsigned i = 0; i < worker_count_; ++i) pthread_join(workers_[i], nullptr);
    worker_count_ = 0;
    for (size_t i = 0; i < table_.size(); ++i) {
        if (plan_.state(static_cast<int>(i)) != LoadState::kSkipped) continue;
        const int cause = plan_.failed_prerequisite(static_cast<int>(i));
        log_warning("modules: %s not loaded: it needs %s, which failed", table_.entry(i).name.c_str(),
                    cause >= 0 ? table_.entry(static_cast<size_t>(cause)).name.c_str() : "?");
        plan_.finish(static_cast<int>(i), false);  // report once
        ++counts_.skipped;
    }
}

LoaderCounts ModuleLoader::counts() {
    pthread_mutex_lock(&mutex_);
    const LoaderCounts counts = counts_;
    pthread_mutex_unlock(&mutex_);
    return counts;
}

}  // namespace hal
