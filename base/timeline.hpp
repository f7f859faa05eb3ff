// The boot's own timeline: the boot plan's phases and every module load, in ms since hal-init
// started, so a slow boot says where its time went (/run/hal/boot.json, and one debug line).
// Phases come from the boot plan's thread; module loads from the loader's workers, each
// claiming a slot with one atomic step, so nobody waits for a lock to record. (GCC's __atomic
// builtins: libstdc++'s <atomic> needs glibc's headers in C++20.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/text.hpp"

namespace hal {

class Timeline {
public:
    static constexpr size_t kMaxPhases = 16;
    static constexpr size_t kMaxModules = 256;

    // CLOCK_MONOTONIC at hal-init's start (about the ms since the kernel started); every other
    // time is counted from it.
    void set_origin(uint64_t monotonic_ms);
    // Ends the phase under way, if any, and starts `name` (a static string).
    void begin(const char* name, uint64_t monotonic_ms);
    // Ends the phase under way.
    void end(uint64_t monotonic_ms);
    // QEMU's exec: the end of the boot plan's critical path, and of the phase under way.
    void qemu_exec(uint64_t monotonic_ms);
    void modules_done(uint64_t monotonic_ms);
    // From any thread.
    void module_load(std::string_view name, uint64_t start_ms, uint64_t end_ms, bool loaded);

    // The timeline as one JSON object, with at most `max_modules` module loads (the rest
    // counted as "modules_omitted"). Returns its length; 0 when `capacity` is too small.
    size_t render_json(char* out, size_t capacity, size_t max_modules = kMaxModules) const;
    // The same as one line of text: "mounts 0+3 config 3+1 ... exec 850; modules START+MS:
    // kvm 12+45 ..."; module loads that do not fit end it as "(N more)".
    size_t render_line(char* out, size_t capacity) const;

private:
    struct Phase {
        const char* name = nullptr;
        uint32_t start = 0, end = 0;
        bool ended = false;
    };
    struct ModuleLoad {
        FixedString<56> name;
        uint32_t start = 0, end = 0;
        bool loaded = false;
        bool ready = false;  // set last, with release order
    };
    uint32_t since_origin(uint64_t monotonic_ms) const;

    uint64_t origin_ = 0;
    Phase phases_[kMaxPhases];
    size_t phase_count_ = 0;
    int64_t exec_ = -1, modules_done_ = -1;
    ModuleLoad modules_[kMaxModules];
    size_t module_count_ = 0;  // slots claimed, with __atomic builtins
};

// The one timeline of this process.
Timeline& boot_timeline();

}  // namespace hal
