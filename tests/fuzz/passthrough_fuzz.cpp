// libFuzzer target: `passthrough = ...` lists, and the plan of a parsed list over PCI functions
// made from the input's bytes (addresses, IDs, class codes, IOMMU groups).
#include <cstring>

#include "passthrough/plan.hpp"
#include "passthrough/settings.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = hal::fuzz::as_text(data, size);
    const auto settings = hal::parse_passthrough(text);
    if (!settings.ok()) {
        if (settings.error().message == nullptr || *settings.error().message == '\0')
            __builtin_trap();
        return 0;
    }
    // Every byte run of 8 is a function: bus, device, function, vendor, device, class, group.
    static hal::PciFunction functions[hal::kMaxPciFunctions];
    size_t count = 0;
    for (size_t at = 0; at + 8 <= size && count < std::size(functions); at += 8, ++count) {
        hal::PciFunction& function = functions[count];
        function = {};
        function.address.bus = data[at];
        function.address.device = data[at + 1] & 31;
        function.address.function = data[at + 2] & 7;
        function.vendor = static_cast<uint16_t>(data[at + 3] * 257);
        function.device = static_cast<uint16_t>(data[at + 4] * 257);
        function.class_code = static_cast<uint32_t>(data[at + 5]) << 16 | data[at + 6] << 8;
        function.iommu_group = static_cast<int>(data[at + 7] % 8) - 1;
    }
    const hal::PassthroughPlan plan =
        hal::plan_passthrough(settings.value(), {functions, count}, size % 2 == 0, "fuzz");
    if (plan.count > hal::kMaxPassed || plan.note_count > hal::kMaxPlanNotes) __builtin_trap();
    for (size_t i = 0; i < plan.count; ++i) {
        if (plan.passed[i].index >= count) __builtin_trap();
        const hal::PciFunction& passed = functions[plan.passed[i].index];
        if (hal::is_chipset_function(passed.class_code) || hal::is_pci_bridge(passed.class_code) ||
            passed.iommu_group < 0)
            __builtin_trap();
        // A whole group: no chipset function shares it.
        for (size_t j = 0; j < count; ++j)
            if (functions[j].iommu_group == passed.iommu_group &&
                hal::is_chipset_function(functions[j].class_code))
                __builtin_trap();
    }
    return 0;
}
