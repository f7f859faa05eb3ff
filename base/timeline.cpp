// Rendering by snprintf into the caller's buffer: no allocation, as PID 1 wants.
#include "base/timeline.hpp"

#include <algorithm>
#include <cstdio>

namespace hal {
namespace {

// Appends printf output at `used`; false once it no longer fits.
template <class... Args>
bool put(char* out, size_t capacity, size_t& used, const char* format, Args... args) {
    if (used >= capacity) return false;
    const int wrote = std::snprintf(out + used, capacity - used, format, args...);
    if (wrote < 0 || static_cast<size_t>(wrote) >= capacity - used) return false;
    used += static_cast<size_t>(wrote);
    return true;
}

}  // namespace

void Timeline::set_origin(uint64_t monotonic_ms) { origin_ = monotonic_ms; }

uint32_t Timeline::since_origin(uint64_t monotonic_ms) const {
    return monotonic_ms > origin_ ? static_cast<uint32_t>(monotonic_ms - origin_) : 0;
}

void Timeline::begin(const char* name, uint64_t monotonic_ms) {
    end(monotonic_ms);
    if (phase_count_ == kMaxPhases) return;
    Phase& phase = phases_[phase_count_++];
    phase.name = name;
    phase.start = since_origin(monotonic_ms);
}

void Timeline::end(uint64_t monotonic_ms) {
    if (phase_count_ == 0 || phases_[phase_count_ - 1].ended) return;
    Phase& phase = phases_[phase_count_ - 1];
    phase.end = since_origin(monotonic_ms);
    phase.ended = true;
}

void Timeline::qemu_exec(uint64_t monotonic_ms) {
    end(monotonic_ms);
    exec_ = since_origin(monotonic_ms);
}

void Timeline::modules_done(uint64_t monotonic_ms) { modules_done_ = since_origin(monotonic_ms); }

void Timeline::module_load(std::string_view name, uint64_t start_ms, uint64_t end_ms, bool loaded) {
    const size_t slot = __atomic_fetch_add(&module_count_, 1, __ATOMIC_RELAXED);
    if (slot >= kMaxModules) return;
    ModuleLoad& load = modules_[slot];
    load.name.assign(name);
    load.start = since_origin(start_ms);
    load.end = since_origin(end_ms);
    load.loaded = loaded;
    __atomic_store_n(&load.ready, true, __ATOMIC_RELEASE);
}

size_t Timeline::render_json(char* out, size_t capacity, size_t max_modules) const {
    size_t used = 0;
    bool fits = put(out, capacity, used, "{\"origin_ms\":%llu,\"phases\":[",
                    static_cast<unsigned long long>(origin_));
    for (size_t i = 0; fits && i < phase_count_; ++i) {
        const Phase& phase = phases_[i];
        fits =
            put(out, capacity, used, "%s{\"name\":\"%s\",\"start_ms\":%u,\"end_ms\":", i ? "," : "",
                phase.name, phase.start) &&
            (phase.ended ? put(out, capacity, used, "%u}", phase.end)
                         : put(out, capacity, used, "null}"));
    }
    fits = fits && put(out, capacity, used, "],\"qemu_exec_ms\":") &&
           (exec_ >= 0 ? put(out, capacity, used, "%lld", static_cast<long long>(exec_))
                       : put(out, capacity, used, "null"));
    fits = fits && put(out, capacity, used, ",\"modules\":[");
    const size_t claimed = __atomic_load_n(&module_count_, __ATOMIC_ACQUIRE);
    size_t listed = 0, pending = 0, omitted = claimed > kMaxModules ? claimed - kMaxModules : 0;
    for (size_t i = 0; fits && i < claimed && i < kMaxModules; ++i) {
        const ModuleLoad& load = modules_[i];
        if (!__atomic_load_n(&load.ready, __ATOMIC_ACQUIRE)) {
            ++pending;
            continue;
        }
        if (listed == max_modules) {
            ++omitted;
            continue;
        }
        fits =
            put(out, capacity, used, "%s{\"name\":\"%s\",\"start_ms\":%u,\"ms\":%u,\"loaded\":%s}",
                listed ? "," : "", load.name.c_str(), load.start, load.end - load.start,
                load.loaded ? "true" : "false");
        ++listed;
    }
    fits = fits &&
           put(out, capacity, used, "],\"modules_omitted\":%zu,\"modules_loading\":%zu,", omitted,
               pending) &&
           put(out, capacity, used, "\"modules_done_ms\":") &&
           (modules_done_ >= 0
                ? put(out, capacity, used, "%lld}", static_cast<long long>(modules_done_))
                : put(out, capacity, used, "null}"));
    return fits ? used : 0;
}

size_t Timeline::render_line(char* out, size_t capacity) const {
    constexpr size_t kMoreRoom = 16;  // for " (NNN more)"
    if (capacity <= kMoreRoom) return 0;
    size_t used = 0;
    bool fits = true;
    for (size_t i = 0; fits && i < phase_count_; ++i) {
        const Phase& phase = phases_[i];
        fits = put(out, capacity, used, "%s%s %u+%u", i ? " " : "", phase.name, phase.start,
                   phase.ended ? phase.end - phase.start : 0u);
    }
    if (exec_ >= 0)
        fits = fits && put(out, capacity, used, " exec %lld", static_cast<long long>(exec_));
    fits = fits && put(out, capacity, used, "; modules START+MS:");
    if (!fits) return 0;
    const size_t claimed = std::min(__atomic_load_n(&module_count_, __ATOMIC_ACQUIRE), kMaxModules);
    size_t more = 0;
    for (size_t i = 0; i < claimed; ++i) {
        const ModuleLoad& load = modules_[i];
        if (!__atomic_load_n(&load.ready, __ATOMIC_ACQUIRE)) continue;
        const size_t before = used;
        if (more > 0 || !put(out, capacity - kMoreRoom, used, " %s %u+%u%s", load.name.c_str(),
                             load.start, load.end - load.start, load.loaded ? "" : "!")) {
            used = before;
            out[used] = '\0';
            ++more;
        }
    }
    if (more > 0) put(out, capacity, used, " (%zu more)", more);
    return used;
}

Timeline& boot_timeline() {
    static Timeline timeline;
    return timeline;
}

}  // namespace hal
