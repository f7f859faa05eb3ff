// libFuzzer target: hal-init's reading of modules.dep, modules.softdep and modules.alias,
// then matching a modalias against the table. Input: the three files and a modalias,
// separated by NULs.
#include <memory>
#include <new>

#include "modules/module_table.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The table is large (fixed arrays, as hal-init keeps it static): one storage, rebuilt per
    // input by default-initialisation (`new T()` would zero all 3.5 MB of it first).
    static auto* storage = static_cast<hal::ModuleTable*>(::operator new(sizeof(hal::ModuleTable)));
    hal::ModuleTable* table = new (storage) hal::ModuleTable;
    std::string_view rest = hal::fuzz::as_text(data, size);
    const std::string_view dep = hal::fuzz::next_part(rest);
    const std::string_view softdep = hal::fuzz::next_part(rest);
    const std::string_view alias = hal::fuzz::next_part(rest);
    const std::string_view modalias = hal::fuzz::next_part(rest);
    const auto loaded = table->load_dependencies(dep);
    if (loaded.ok()) {
        (void)table->load_softdeps(softdep);
        (void)table->load_aliases(alias);
    } else if (loaded.error().line == 0) {
        __builtin_trap();  // a rejected file says which line
    }
    table->finalize();
    for (size_t i = 0; i < table->size(); ++i) {
        hal::fuzz::require_inside(table->entry(i).path(), dep);
        for (uint16_t other : table->pulls(i))
            if (other >= table->size()) __builtin_trap();
        for (uint16_t other : table->ordered_after(i))
            if (other >= table->size()) __builtin_trap();
    }
    table->for_each_match(modalias, [&](int module) {
        if (module < 0 || static_cast<size_t>(module) >= table->size()) __builtin_trap();
    });
    (void)table->find_name(modalias);
    table->~ModuleTable();
    return 0;
}
