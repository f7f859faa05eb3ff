// libFuzzer target: the packer's modules.list and module index (modules.dep, .builtin,
// .alias, .softdep), then resolving the list against the index. Input: modules.list,
// modules.dep, modules.builtin, modules.alias, modules.softdep, separated by NULs.
#include <set>
#include <string>

#include "initrd/module_resolver.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view rest = hal::fuzz::as_text(data, size);
    const std::string_view list = hal::fuzz::next_part(rest);
    const std::string_view dep = hal::fuzz::next_part(rest);
    const std::string_view builtin = hal::fuzz::next_part(rest);
    const std::string_view alias = hal::fuzz::next_part(rest);
    const std::string_view softdep = hal::fuzz::next_part(rest);
    // Every rejection says why.
    const auto requests = hal::pack::parse_module_list(list, "modules.list");
    if (!requests.ok()) {
        if (requests.error().message.empty()) __builtin_trap();
        return 0;
    }
    hal::pack::ModuleIndex index;
    if (const auto parsed = hal::pack::parse_modules_dep(dep, "modules.dep", index); !parsed.ok()) {
        if (parsed.error().message.empty()) __builtin_trap();
        return 0;
    }
    hal::pack::parse_modules_builtin(builtin, index);
    hal::pack::parse_modules_alias(alias, index);
    hal::pack::parse_modules_softdep(softdep, index);
    const auto resolved =
        hal::pack::resolve_modules(requests.value(), index, "modules.list", "6.1.0-fuzz");
    if (!resolved.ok()) {
        if (resolved.error().message.empty()) __builtin_trap();
        return 0;
    }
    const hal::pack::Resolution& resolution = resolved.value();
    // Every packed module comes after everything it depends on.
    std::set<std::string> loaded;
    for (const std::string& path : resolution.load_order) {
        const auto found = index.dependencies.find(path);
        if (found != index.dependencies.end())
            for (const std::string& needed : found->second)
                if (needed != path && !loaded.count(needed)) __builtin_trap();
        if (!loaded.insert(path).second) __builtin_trap();  // each once
    }
    (void)hal::pack::filtered_modules_dep(resolution, index);
    (void)hal::pack::filtered_modules_alias(resolution, index);
    (void)hal::pack::filtered_modules_softdep(resolution, index);
    return 0;
}
