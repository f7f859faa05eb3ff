// The packer's plan: validates every input and decides each image entry; writes nothing.
#include "initrd/image_plan.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "config/config.hpp"
#include "base/image_layout.hpp"
#include "initrd/elf_closure.hpp"
#include "image/file_io.hpp"
#include "initrd/hostonly.hpp"
#include "image/module_file.hpp"
#include "initrd/module_resolver.hpp"
#include "launcher/firmware.hpp"

namespace hal::pack {
namespace {

bool is_file(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string parent_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

bool plan_config(const PackInputs& inputs, FilePlan& plan, Config& config, std::string& error) {
    std::string text;
    if (!read_whole_file(inputs.config, text, error)) return false;
    const auto parsed = parse_config(text);
    if (!parsed.ok()) {
        const ConfigError& problem = parsed.error();
        error = inputs.config + (problem.line ? " line " + std::to_string(problem.line) : std::string()) + ": key '" +
                std::string(problem.key.view()) + "': " + problem.message;
        return false;
    }
    config = parsed.value();
    return plan.add_generated_file(layout::kConfig, text, 0644, error);
}

bool read_index(const std::string& path, bool required, std::string& text, std::string& error) {
    if (read_whole_file(path, text, error)) return true;
    if (required) return false;
    text.clear();
    error.clear();
    return true;
}

// Firmware named in a module's .modinfo, from the module root's lib/firmware. The kernel
// also accepts .xz/.zst firmware when it was built to, so those count as found.
bool plan_module_firmware(const PackInputs& inputs, const std::string& module_path, const std::string& elf,
                          FilePlan& plan, PlanSummary& summary, std::string& error) {
    std::vector<std::string> names;
    std::string problem;
    if (!modinfo_values(elf, "firmware", names, problem)) {
        error = module_path + ": " + problem;
        return false;
    }
    const std::string firmware_root = inputs.module_root + "/lib/firmware";
    for (const auto& name : names) {
        std::string found;
        for (const char* suffix : {"", ".xz", ".zst"})
            if (found.empty() && is_file(firmware_root + "/" + name + suffix)) found = name + suffix;
        if (found.empty()) {
            summary.missing_firmware.emplace_back(module_name_of(module_path), name);
            summary.firmware_root = firmware_root;
            continue;
        }
        if (!plan.add_host_file("/lib/firmware/" + found, firmware_root + "/" + found, 0644, error)) return false;
        summary.packed_firmware.emplace_back(module_name_of(module_path), found);
        ++summary.module_firmware;
    }
    return true;
}

bool plan_modules(const PackInputs& inputs, FilePlan& plan, PlanSummary& summary, std::string& error) {
    const std::string kernel_dir = inputs.module_root + "/lib/modules/" + inputs.kernel_version;
    const std::string image_dir = std::string(layout::kModulesDir) + "/" + inputs.kernel_version;
    if (!is_directory(kernel_dir)) {
        error = "no modules for kernel " + inputs.kernel_version + ": " + kernel_dir + " does not exist";
        return false;
    }
    std::string list_text, dep_text, builtin_text, alias_text, softdep_text;
    if (!read_whole_file(inputs.modules_list, list_text, error)) return false;
    if (!read_whole_file(kernel_dir + "/modules.dep", dep_text, error)) {
        error += " (run depmod for kernel " + inputs.kernel_version + ")";
        return false;
    }
    if (!read_index(kernel_dir + "/modules.builtin", false, builtin_text, error) ||
        !read_index(kernel_dir + "/modules.alias", false, alias_text, error) ||
        !read_index(kernel_dir + "/modules.softdep", false, softdep_text, error))
        return false;
    std::vector<ModuleRequest> requests;
    ModuleIndex index;
    Resolution resolution;
    if (!parse_module_list(list_text, inputs.modules_list, requests, error) ||
        !parse_modules_dep(dep_text, kernel_dir + "/modules.dep", index, error))
        return false;
    parse_modules_builtin(builtin_text, index);
    parse_modules_alias(alias_text, index);
    parse_modules_softdep(softdep_text, index);
    if (!resolve_modules(requests, index, inputs.modules_list, inputs.kernel_version, resolution, error)) return false;
    if (inputs.hostonly) {
        // The list's modules this machine needs, resolved again on their own.
        HostDevices devices;
        if (!read_host_devices(inputs.sysfs, inputs.hostonly_record, devices, error)) return false;
        std::vector<ModuleRequest> chosen;
        for (const auto& choice : choose_hostonly(resolution, index, devices)) {
            ModuleRequest request;
            request.text = choice.module;
            chosen.push_back(request);
            summary.hostonly.emplace_back(choice.module, choice.reason);
        }
        resolution = Resolution{};
        if (!resolve_modules(chosen, index, inputs.modules_list, inputs.kernel_version, resolution, error)) return false;
    }

    // Compressed modules are unpacked here, once, so the image is compressed only as a whole
    // and hal-init handles plain .ko files.
    std::map<std::string, std::string> renamed;
    for (const auto& path : resolution.load_order) {
        std::string elf;
        if (!read_module(kernel_dir + "/" + path, elf, error)) return false;
        const std::string plain = plain_module_path(path);
        const bool compressed = plain != path;
        if (compressed) renamed[path] = plain;
        const bool added = compressed ? plan.add_generated_file(image_dir + "/" + plain, elf, 0644, error)
                                      : plan.add_host_file(image_dir + "/" + path, kernel_dir + "/" + path, 0644, error);
        if (!added || !plan_module_firmware(inputs, path, elf, plan, summary, error)) return false;
    }
    std::string load_list;
    for (const auto& path : resolution.early) load_list += (renamed.count(path) ? renamed[path] : path) + "\n";
    for (const auto& name : resolution.builtin) summary.notes.push_back("module " + name + " is built into the kernel");
    for (const auto& name : resolution.missing_optional)
        summary.notes.push_back("optional " + name + " is not available for kernel " + inputs.kernel_version);
    summary.modules = resolution.load_order.size();
    summary.early_modules = resolution.early.size();
    return plan.add_generated_file(image_dir + "/" + layout::kModulesLoad, load_list, 0644, error) &&
           plan.add_generated_file(image_dir + "/modules.dep", filtered_modules_dep(resolution, index, renamed), 0644,
                                   error) &&
           plan.add_generated_file(image_dir + "/modules.alias", filtered_modules_alias(resolution, index), 0644, error) &&
           plan.add_generated_file(image_dir + "/modules.softdep", filtered_modules_softdep(resolution, index), 0644,
                                   error) &&
           (builtin_text.empty() ||
            plan.add_generated_file(image_dir + "/modules.builtin", builtin_text, 0644, error));
}

// QEMU loads accelerators and some devices from its module directory at run time; the TCG
// accelerator is required whenever KVM is not usable.
std::string find_qemu_module_dir(const std::string& prefix) {
    for (const char* relative : {"/lib/x86_64-linux-gnu/qemu", "/lib64/qemu", "/lib/qemu"}) {
        if (is_directory(prefix + relative)) return prefix + relative;
    }
    return {};
}

bool plan_qemu(const PackInputs& inputs, FilePlan& plan, PlanSummary& summary, std::string& error) {
    ElfInfo info;
    if (!read_elf_info(inputs.qemu, info, error)) return false;
    if (!plan.add_host_file(layout::kQemu, inputs.qemu, 0755, error)) return false;
    summary.static_qemu = info.is_static();
    if (summary.static_qemu) return true;

    const std::string prefix = parent_of(parent_of(inputs.qemu));
    const std::string module_dir = inputs.qemu_module_dir.empty() ? find_qemu_module_dir(prefix) : inputs.qemu_module_dir;
    std::vector<std::string> roots = {inputs.qemu};
    if (!module_dir.empty()) {
        const std::string accel = module_dir + "/accel-tcg-x86_64.so";
        if (is_file(accel)) {
            // Keep the module where QEMU, relocated to /usr/bin in the image, will look.
            const std::string image_path =
                module_dir.rfind(prefix, 0) == 0 ? "/usr" + module_dir.substr(prefix.size()) + "/accel-tcg-x86_64.so"
                                                 : module_dir + "/accel-tcg-x86_64.so";
            if (!plan.add_host_file(image_path, accel, 0644, error)) return false;
            roots.push_back(accel);
        }
    }
    std::vector<PackedObject> objects;
    if (!library_closure(roots, host_library_search(), objects, error)) return false;
    for (const auto& object : objects)
        if (!plan.add_host_file(object.image_path, object.host_path, 0755, error)) return false;
    summary.libraries = objects.size();
    return true;
}

bool plan_firmware(const PackInputs& inputs, const Config& config, FilePlan& plan, PlanSummary& summary,
                   std::string& error) {
    std::vector<std::string> dirs = inputs.firmware_dirs;
    const std::string prefix = parent_of(parent_of(inputs.qemu));
    for (const char* relative : {"/share/qemu", "/share/seabios", "/lib/ipxe/qemu"}) dirs.push_back(prefix + relative);
    // A QEMU outside /usr (a cached static build) still uses the distribution's firmware.
    for (const char* system : {"/usr/share/qemu", "/usr/share/seabios", "/usr/lib/ipxe/qemu", "/usr/share/OVMF"})
        if (std::find(dirs.begin(), dirs.end(), system) == dirs.end()) dirs.push_back(system);
    for (std::string_view name : firmware_for(config).view()) {
        const auto found = std::find_if(dirs.begin(), dirs.end(),
                                        [&](const std::string& dir) { return is_file(dir + "/" + std::string(name)); });
        if (found == dirs.end()) {
            error = "firmware " + std::string(name) + " not found in:";
            for (const auto& dir : dirs) error += " " + dir;
            if (name.substr(0, 4) == "OVMF")
                error += " (UEFI guests need Debian's ovmf package; firmware = bios in the config packs none)";
            return false;
        }
        if (!plan.add_host_file(std::string(layout::kFirmwareDir) + "/" + std::string(name),
                                *found + "/" + std::string(name), 0644, error))
            return false;
        ++summary.firmware;
    }
    return true;
}

bool plan_init(const PackInputs& inputs, FilePlan& plan, std::string& error) {
    ElfInfo info;
    if (!read_elf_info(inputs.init, info, error)) return false;
    if (!info.is_static()) {
        error = inputs.init + " is dynamically linked; /init must be a static program";
        return false;
    }
    return plan.add_host_file(layout::kInit, inputs.init, 0755, error);
}

// hal-display: static like /init; it shows the guest on the host's monitor.
bool plan_display(const PackInputs& inputs, const Config& config, FilePlan& plan, std::string& error) {
    if (config.display.mode == DisplayMode::kNone) return true;
    ElfInfo info;
    if (!read_elf_info(inputs.display, info, error)) {
        error += " (display = none in the config packs no hal-display)";
        return false;
    }
    if (!info.is_static()) {
        error = inputs.display + " is dynamically linked; hal-display must be a static program";
        return false;
    }
    return plan.add_host_file(layout::kDisplay, inputs.display, 0755, error);
}

bool plan_skeleton(FilePlan& plan, std::string& error) {
    for (const char* dir : {"/dev", "/proc", "/sys", "/tmp", "/run", "/etc", "/root"})
        if (!plan.add_directory(dir, 0755, error)) return false;
    // The kernel opens /dev/console for PID 1's stdio before /init runs.
    return plan.add_char_device("/dev/console", 5, 1, 0600, error) &&
           plan.add_char_device("/dev/null", 1, 3, 0666, error);
}

// The rescue shell: a static busybox as /bin/busybox, /bin/sh linked to it.
bool plan_rescue_shell(const PackInputs& inputs, FilePlan& plan, std::string& error) {
    if (inputs.rescue_shell.empty()) return true;
    ElfInfo info;
    if (!read_elf_info(inputs.rescue_shell, info, error)) return false;
    if (!info.is_static()) {
        error = inputs.rescue_shell + " is dynamically linked; the rescue shell must be a static busybox";
        return false;
    }
    return plan.add_host_file("/bin/busybox", inputs.rescue_shell, 0755, error) &&
           plan.add_symlink("/bin/sh", "busybox", error);
}

// The manifest --verify reads: what was packed on purpose, so that a file missing later is a
// problem and firmware that was never available only a warning.
bool plan_manifest(const PlanSummary& summary, FilePlan& plan, std::string& error) {
    std::string text = "# written by mkinitrd-hal, read by mkinitrd-hal --verify\n";
    for (const auto& [module, file] : summary.packed_firmware) text += "firmware " + module + " " + file + "\n";
    for (const auto& [module, file] : summary.missing_firmware) text += "firmware-absent " + module + " " + file + "\n";
    return plan.add_generated_file(layout::kManifest, text, 0644, error);
}

}  // namespace

bool plan_image(const PackInputs& inputs, FilePlan& plan, PlanSummary& summary, std::string& error) {
    Config config;
    return plan_config(inputs, plan, config, error) && plan_skeleton(plan, error) && plan_init(inputs, plan, error) &&
           plan_modules(inputs, plan, summary, error) && plan_qemu(inputs, plan, summary, error) &&
           plan_firmware(inputs, config, plan, summary, error) && plan_display(inputs, config, plan, error) &&
           plan_rescue_shell(inputs, plan, error) && plan_manifest(summary, plan, error);
}

}  // namespace hal::pack
