// The worker pool: each thread takes a ready module from the LoadPlan under one mutex.
#include "modules/sys/loader.hpp"

#include <cerrno>
#include <cstring>

#include "base/sys/log.hpp"
#include "base/sys/time.hpp"
#include "base/text.hpp"
#include "base/timeline.hpp"
#include "modules/sys/module_file.hpp"

namespace hal {
namespace {

// Why the kernel's signature check refused a module, or nullptr for any other failure.
const char* signature_refusal(const Error& error) {
    const std::string_view operation = error.operation;
    if (operation != "init_module" && operation != "finit_module") return nullptr;
    switch (error.code) {
        case EKEYREJECTED:  // what a kernel that enforces signatures (Secure Boot on) says
            return "the kernel enforces module signatures (Secure Boot on) and this module is "
                   "unsigned or signed with a key it does not trust (the kernel log says which)";
        case EPERM:
            return "the kernel is locked down and refuses unsigned modules; sign it with a key "
                   "the kernel trusts";
        case ENOKEY: return "signed with a key the kernel does not know";
        case EBADMSG: return "its signature is malformed";
        default: return nullptr;
    }
}

}  // namespace

ModuleLoader::ModuleLoader(const ModuleTable& table, const char* module_directory)
    : table_(table), module_directory_(module_directory), plan_(table) {}

void ModuleLoader::load_one(int index) {
    const ModuleEntry& module = table_.entry(static_cast<size_t>(index));
    FixedString<kPathCapacity> path;
    bool loaded = false;
    const uint64_t started = sys::monotonic_ms();
    if (!path.assign(module_directory_) || !path.append('/') || !path.append(module.path())) {
        log_warning("modules: %s: path too long", module.name.c_str());
    } else {
        const Status status = sys::load_module(path.c_str());
        const uint64_t ended = sys::monotonic_ms();
        loaded = status.ok();
        boot_timeline().module_load(module.name.view(), started, ended, loaded);
        if (loaded)
            log_debug("modules: %s loaded in %llu ms", module.name.c_str(),
                      static_cast<unsigned long long>(ended - started));
        else if (status.error().code == ENODEV)
            // The module found nothing to drive (a CPU-specific crypto driver without its
            // instructions): not a fault of this boot.
            log_info("modules: %s: nothing for it on this machine (ENODEV)", module.name.c_str());
        else if (const char* refusal = signature_refusal(status.error()))
            log_warning("modules: %s refused (%s, errno %d): %s", module.name.c_str(),
                        std::strerror(status.error().code), status.error().code, refusal);
        else
            log_warning("modules: %s: %s failed: %s (errno %d)", module.name.c_str(),
                        status.error().operation, std::strerror(status.error().code),
                        status.error().code);
    }
    pthread_mutex_lock(&mutex_);
    plan_.finish(index, loaded);
    ++(loaded ? counts_.loaded : counts_.failed);
    pthread_cond_broadcast(&changed_);
    pthread_mutex_unlock(&mutex_);
}

// Every change of the plan broadcasts: a finished load or a request (which may make modules
// ready), or modules newly skipped by next_ready() (which may end a wait). An idle worker
// only waits, so idle workers never wake each other.
void ModuleLoader::work() {
    pthread_mutex_lock(&mutex_);
    while (!stopping_) {
        const unsigned skipped_before = plan_.skipped_count();
        const int ready = plan_.next_ready();
        if (ready >= 0) {
            pthread_mutex_unlock(&mutex_);
            load_one(ready);
            pthread_mutex_lock(&mutex_);
            continue;
        }
        if (plan_.skipped_count() != skipped_before) pthread_cond_broadcast(&changed_);
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
        if (pthread_create(&workers_[worker_count_], nullptr, worker_entry, this) == 0)
            ++worker_count_;
    if (worker_count_ == 0)
        log_warning("modules: no loader thread could be started; loading inline");
}

void ModuleLoader::stop() {
    pthread_mutex_lock(&mutex_);
    stopping_ = true;
    pthread_cond_broadcast(&changed_);
    pthread_mutex_unlock(&mutex_);
    for (unsigned i = 0; i < worker_count_; ++i) pthread_join(workers_[i], nullptr);
    worker_count_ = 0;
}

unsigned ModuleLoader::request(int index, LoadPriority priority) {
    pthread_mutex_lock(&mutex_);
    const unsigned added = plan_.request(index, priority);
    if (added > 0) pthread_cond_broadcast(&changed_);
    pthread_mutex_unlock(&mutex_);
    return added;
}

void ModuleLoader::load_inline(LoadPriority until_idle) {
    while (true) {
        pthread_mutex_lock(&mutex_);
        const bool done =
            until_idle == LoadPriority::kNormal ? !plan_.busy() : !plan_.busy(until_idle);
        const int ready = done ? -1 : plan_.next_ready();
        pthread_mutex_unlock(&mutex_);
        if (ready < 0) return;
        load_one(ready);
    }
}

void ModuleLoader::wait_idle(LoadPriority priority) {
    if (worker_count_ == 0) return load_inline(priority);
    pthread_mutex_lock(&mutex_);
    while (plan_.busy(priority)) pthread_cond_wait(&changed_, &mutex_);
    pthread_mutex_unlock(&mutex_);
}

bool ModuleLoader::busy(LoadPriority priority) {
    pthread_mutex_lock(&mutex_);
    const bool busy = plan_.busy(priority);
    pthread_mutex_unlock(&mutex_);
    return busy;
}

bool ModuleLoader::idle() {
    if (worker_count_ == 0) load_inline(LoadPriority::kNormal);
    pthread_mutex_lock(&mutex_);
    const bool busy = plan_.busy();
    if (!busy) report_skipped();
    pthread_mutex_unlock(&mutex_);
    return !busy;
}

// Called with the mutex held, when nothing is waiting or loading.
void ModuleLoader::report_skipped() {
    for (size_t i = 0; i < table_.size(); ++i) {
        if (plan_.state(static_cast<int>(i)) != LoadState::kSkipped) continue;
        const int cause = plan_.failed_prerequisite(static_cast<int>(i));
        log_warning("modules: %s not loaded: it needs %s, which failed",
                    table_.entry(i).name.c_str(),
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
