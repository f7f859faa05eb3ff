// The packer's plan: validates every input and decides each image entry; writes nothing.
#include "initrd/image_plan.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <optional>

#include "base/image_layout.hpp"
#include "config/config.hpp"
#include "image/elf.hpp"
#include "image/file_io.hpp"
#include "image/module_file.hpp"
#include "initrd/elf_closure.hpp"
#include "initrd/hostonly.hpp"
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

Checked<Config> plan_config(const PackInputs& inputs, FilePlan& plan) {
    const std::string text = TRY(read_whole_file(inputs.config));
    const auto parsed = parse_config(text);
    if (!parsed.ok()) {
        const ConfigError& error = parsed.error();
        return problem(inputs.config +
                       (error.line ? " line " + std::to_string(error.line) : std::string()) +
                       ": key '" + std::string(error.key.view()) + "': " + error.message);
    }
    TRY(plan.add_generated_file(layout::kConfig, text, 0644));
    return parsed.value();
}

// An index file the kernel may lack (modules.builtin, .alias, .softdep): empty when absent.
std::string optional_index(const std::string& path) {
    const auto text = read_whole_file(path);
    return text.ok() ? text.value() : std::string();
}

// Firmware named in a module's .modinfo, from the module root's lib/firmware. The kernel
// also accepts .xz/.zst firmware when it was built to, so those count as found.
CheckedStatus plan_module_firmware(const PackInputs& inputs, const std::string& module_path,
                                   const std::vector<std::string>& names, FilePlan& plan,
                                   PlanSummary& summary) {
    const std::string firmware_root = inputs.module_root + "/lib/firmware";
    for (const auto& name : names) {
        std::string found;
        for (const char* suffix : {"", ".xz", ".zst"})
            if (found.empty() && is_file(firmware_root + "/" + name + suffix))
                found = name + suffix;
        if (found.empty()) {
            summary.missing_firmware.emplace_back(module_name_of(module_path), name);
            summary.firmware_root = firmware_root;
            continue;
        }
        TRY(plan.add_host_file("/lib/firmware/" + found, firmware_root + "/" + found, 0644));
        summary.packed_firmware.emplace_back(module_name_of(module_path), found);
        ++summary.module_firmware;
    }
    return done();
}

// The kernel's module index, from lib/modules/KVER.
struct KernelModules {
    std::string directory;        // MODDIR/lib/modules/KVER
    std::string image_directory;  // /lib/modules/KVER
    ModuleIndex index;
    std::string builtin_text;  // packed as it is
};

Checked<KernelModules> read_kernel_modules(const PackInputs& inputs) {
    KernelModules kernel;
    kernel.directory = inputs.module_root + "/lib/modules/" + inputs.kernel_version;
    kernel.image_directory = std::string(layout::kModulesDir) + "/" + inputs.kernel_version;
    if (!is_directory(kernel.directory))
        return problem("no modules for kernel " + inputs.kernel_version + ": " + kernel.directory +
                       " does not exist");
    const auto dep = read_whole_file(kernel.directory + "/modules.dep");
    if (!dep.ok())
        return problem(dep.error().message + " (run depmod for kernel " + inputs.kernel_version +
                       ")");
    TRY(parse_modules_dep(dep.value(), kernel.directory + "/modules.dep", kernel.index));
    kernel.builtin_text = optional_index(kernel.directory + "/modules.builtin");
    parse_modules_builtin(kernel.builtin_text, kernel.index);
    parse_modules_alias(optional_index(kernel.directory + "/modules.alias"), kernel.index);
    parse_modules_softdep(optional_index(kernel.directory + "/modules.softdep"), kernel.index);
    return kernel;
}

// modules.list resolved for this kernel; with --hostonly, the list's modules this machine
// needs, resolved again on their own.
Checked<Resolution> resolve(const PackInputs& inputs, const ModuleIndex& index,
                            PlanSummary& summary) {
    const std::string list_text = TRY(read_whole_file(inputs.modules_list));
    const auto requests = TRY(parse_module_list(list_text, inputs.modules_list));
    const Resolution generic =
        TRY(resolve_modules(requests, index, inputs.modules_list, inputs.kernel_version));
    if (!inputs.hostonly) return generic;
    const HostDevices devices = TRY(read_host_devices(inputs.sysfs, inputs.hostonly_record));
    std::vector<ModuleRequest> chosen;
    for (const auto& choice : choose_hostonly(generic, index, devices)) {
        ModuleRequest request;
        request.text = choice.module;
        chosen.push_back(request);
        summary.hostonly.emplace_back(choice.module, choice.reason);
    }
    return resolve_modules(chosen, index, inputs.modules_list, inputs.kernel_version);
}

// One module as the image holds it: its path there (.ko, or .ko.zst when compressed), its
// bytes (empty: the host file as it is) and the firmware its .modinfo names.
struct PackedModule {
    std::string image_path;
    std::string bytes;
    std::vector<std::string> firmware;
    bool is_signed = false;
};

Checked<PackedModule> pack_module(const KernelModules& kernel, const std::string& path,
                                  const ModuleCompression& compression) {
    PackedModule packed;
    std::string elf = TRY(read_module(kernel.directory + "/" + path));
    const auto firmware = modinfo_values(elf, "firmware");
    if (!firmware.ok()) return problem(path + ": " + firmware.error().message);
    packed.firmware = firmware.value();
    packed.is_signed = module_signed(elf);
    packed.image_path = plain_module_path(path);
    if (compression.zstd) {
        packed.image_path += ".zst";
        const auto frame = compress_module(elf, compression.level);
        if (!frame.ok()) return problem(path + ": " + frame.error().message);
        packed.bytes = frame.value();
    } else if (packed.image_path != path) {
        packed.bytes = std::move(elf);
    }
    return packed;
}

// The module files, read (compressed ones unpacked), then each compressed on its own (or
// packed plain), on every core. Returns the module paths renamed in the image.
Checked<std::map<std::string, std::string>> plan_module_files(const PackInputs& inputs,
                                                              const KernelModules& kernel,
                                                              const Resolution& resolution,
                                                              FilePlan& plan,
                                                              PlanSummary& summary) {
    const std::vector<std::string>& paths = resolution.load_order;
    std::vector<std::optional<Checked<PackedModule>>> packed(paths.size());
    for_each_parallel(paths.size(), inputs.threads, [&](size_t i) {
        packed[i].emplace(pack_module(kernel, paths[i], inputs.module_compression));
    });
    std::map<std::string, std::string> renamed;
    for (size_t i = 0; i < paths.size(); ++i) {
        const std::string& path = paths[i];
        PackedModule module = TRY(*packed[i]);
        const std::string image_path = kernel.image_directory + "/" + module.image_path;
        if (module.image_path != path) renamed[path] = module.image_path;
        if (!module.is_signed) summary.unsigned_modules.push_back(module_name_of(path));
        if (inputs.module_compression.zstd)
            TRY(plan.add_stored_file(image_path, std::move(module.bytes), 0644));
        else if (module.image_path != path)
            TRY(plan.add_generated_file(image_path, std::move(module.bytes), 0644));
        else
            TRY(plan.add_host_file(image_path, kernel.directory + "/" + path, 0644));
        TRY(plan_module_firmware(inputs, path, module.firmware, plan, summary));
    }
    return renamed;
}

// The image's index files: the early list and just the packed modules' lines.
CheckedStatus plan_module_index(const KernelModules& kernel, const Resolution& resolution,
                                const std::map<std::string, std::string>& renamed, FilePlan& plan) {
    std::string load_list;
    for (const auto& path : resolution.early) {
        const auto found = renamed.find(path);
        load_list += (found == renamed.end() ? path : found->second) + "\n";
    }
    const std::string& directory = kernel.image_directory;
    TRY(plan.add_generated_file(directory + "/" + layout::kModulesLoad, load_list, 0644));
    TRY(plan.add_generated_file(directory + "/modules.dep",
                                filtered_modules_dep(resolution, kernel.index, renamed), 0644));
    TRY(plan.add_generated_file(directory + "/modules.alias",
                                filtered_modules_alias(resolution, kernel.index), 0644));
    TRY(plan.add_generated_file(directory + "/modules.softdep",
                                filtered_modules_softdep(resolution, kernel.index), 0644));
    if (!kernel.builtin_text.empty())
        TRY(plan.add_generated_file(directory + "/modules.builtin", kernel.builtin_text, 0644));
    return done();
}

CheckedStatus plan_modules(const PackInputs& inputs, FilePlan& plan, PlanSummary& summary) {
    const KernelModules kernel = TRY(read_kernel_modules(inputs));
    const Resolution resolution = TRY(resolve(inputs, kernel.index, summary));
    const auto renamed = TRY(plan_module_files(inputs, kernel, resolution, plan, summary));
    for (const auto& name : resolution.builtin)
        summary.notes.push_back("module " + name + " is built into the kernel");
    for (const auto& name : resolution.missing_optional)
        summary.notes.push_back("optional " + name + " is not available for kernel " +
                                inputs.kernel_version);
    summary.modules = resolution.load_order.size();
    summary.early_modules = resolution.early.size();
    return plan_module_index(kernel, resolution, renamed, plan);
}

// QEMU loads accelerators and some devices from its module directory at run time; the TCG
// accelerator is required whenever KVM is not usable.
std::string find_qemu_module_dir(const std::string& prefix) {
    for (const char* relative : {"/lib/x86_64-linux-gnu/qemu", "/lib64/qemu", "/lib/qemu"}) {
        if (is_directory(prefix + relative)) return prefix + relative;
    }
    return {};
}

// A dynamic QEMU's TCG accelerator, kept where QEMU, relocated to /usr/bin in the image, will
// look; empty when it has none.
Checked<std::string> plan_qemu_accelerator(const PackInputs& inputs, FilePlan& plan) {
    const std::string prefix = parent_of(parent_of(inputs.qemu));
    const std::string module_dir =
        inputs.qemu_module_dir.empty() ? find_qemu_module_dir(prefix) : inputs.qemu_module_dir;
    const std::string accel = module_dir + "/accel-tcg-x86_64.so";
    if (module_dir.empty() || !is_file(accel)) return std::string();
    const std::string image_path =
        module_dir.rfind(prefix, 0) == 0
            ? "/usr" + module_dir.substr(prefix.size()) + "/accel-tcg-x86_64.so"
            : module_dir + "/accel-tcg-x86_64.so";
    TRY(plan.add_host_file(image_path, accel, 0644));
    return accel;
}

CheckedStatus plan_qemu(const PackInputs& inputs, FilePlan& plan, PlanSummary& summary) {
    const ElfInfo info = TRY(read_elf(inputs.qemu));
    TRY(plan.add_host_file(layout::kQemu, inputs.qemu, 0755));
    summary.static_qemu = info.is_static();
    if (summary.static_qemu) return done();
    std::vector<std::string> roots = {inputs.qemu};
    const std::string accel = TRY(plan_qemu_accelerator(inputs, plan));
    if (!accel.empty()) roots.push_back(accel);
    const auto objects = TRY(library_closure(roots, host_library_search()));
    for (const auto& object : objects)
        TRY(plan.add_host_file(object.image_path, object.host_path, 0755));
    summary.libraries = objects.size();
    return done();
}

CheckedStatus plan_firmware(const PackInputs& inputs, const Config& config, FilePlan& plan,
                            PlanSummary& summary) {
    std::vector<std::string> dirs = inputs.firmware_dirs;
    const std::string prefix = parent_of(parent_of(inputs.qemu));
    for (const char* relative : {"/share/qemu", "/share/seabios", "/lib/ipxe/qemu"})
        dirs.push_back(prefix + relative);
    // A QEMU outside /usr (a cached static build) still uses the distribution's firmware.
    for (const char* system :
         {"/usr/share/qemu", "/usr/share/seabios", "/usr/lib/ipxe/qemu", "/usr/share/OVMF"})
        if (std::find(dirs.begin(), dirs.end(), system) == dirs.end()) dirs.push_back(system);
    for (std::string_view view : firmware_for(config, inputs.secure_boot).view()) {
        const std::string name(view);
        const auto found = std::find_if(dirs.begin(), dirs.end(), [&](const std::string& dir) {
            return is_file(dir + "/" + name);
        });
        if (found == dirs.end()) {
            std::string message = "firmware " + name + " not found in:";
            for (const auto& dir : dirs) message += " " + dir;
            if (name.substr(0, 4) == "OVMF")
                message +=
                    " (UEFI guests need Debian's ovmf package; firmware = bios in the config packs "
                    "none)";
            return problem(message);
        }
        TRY(plan.add_host_file(std::string(layout::kFirmwareDir) + "/" + name, *found + "/" + name,
                               0644));
        ++summary.firmware;
    }
    return done();
}

// A program that must be static (/init, hal-display, the rescue shell's busybox); `rule` says
// so in the problem.
CheckedStatus check_static(const ElfInfo& info, const std::string& host_path, const char* rule) {
    if (!info.is_static()) return problem(host_path + " is dynamically linked; " + rule);
    return done();
}

CheckedStatus plan_init(const PackInputs& inputs, FilePlan& plan) {
    TRY(check_static(TRY(read_elf(inputs.init)), inputs.init, "/init must be a static program"));
    return plan.add_host_file(layout::kInit, inputs.init, 0755);
}

// hal-display: static like /init; it shows the guest on the host's monitor.
CheckedStatus plan_display(const PackInputs& inputs, const Config& config, FilePlan& plan) {
    if (config.display.mode == DisplayMode::kNone) return done();
    const auto info = read_elf(inputs.display);
    if (!info.ok())
        return problem(info.error().message +
                       " (display = none in the config packs no hal-display)");
    TRY(check_static(info.value(), inputs.display, "hal-display must be a static program"));
    return plan.add_host_file(layout::kDisplay, inputs.display, 0755);
}

CheckedStatus plan_skeleton(FilePlan& plan) {
    for (const char* dir : {"/dev", "/proc", "/sys", "/tmp", "/run", "/etc", "/root"})
        TRY(plan.add_directory(dir, 0755));
    // The kernel opens /dev/console for PID 1's stdio before /init runs.
    TRY(plan.add_char_device("/dev/console", 5, 1, 0600));
    return plan.add_char_device("/dev/null", 1, 3, 0666);
}

// The rescue shell: a static busybox as /bin/busybox, /bin/sh linked to it.
CheckedStatus plan_rescue_shell(const PackInputs& inputs, FilePlan& plan) {
    if (inputs.rescue_shell.empty()) return done();
    TRY(check_static(TRY(read_elf(inputs.rescue_shell)), inputs.rescue_shell,
                     "the rescue shell must be a static busybox"));
    TRY(plan.add_host_file("/bin/busybox", inputs.rescue_shell, 0755));
    return plan.add_symlink("/bin/sh", "busybox");
}

// The manifest --verify reads: what was packed on purpose, so that a file missing later is a
// problem and firmware that was never available only a warning.
CheckedStatus plan_manifest(const PlanSummary& summary, FilePlan& plan) {
    std::string text = "# written by mkinitrd-hal, read by mkinitrd-hal --verify\n";
    for (const auto& [module, file] : summary.packed_firmware)
        text += "firmware " + module + " " + file + "\n";
    for (const auto& [module, file] : summary.missing_firmware)
        text += "firmware-absent " + module + " " + file + "\n";
    return plan.add_generated_file(layout::kManifest, text, 0644);
}

}  // namespace

CheckedStatus plan_image(const PackInputs& inputs, FilePlan& plan, PlanSummary& summary) {
    const Config config = TRY(plan_config(inputs, plan));
    TRY(plan_skeleton(plan));
    TRY(plan_init(inputs, plan));
    TRY(plan_modules(inputs, plan, summary));
    TRY(plan_qemu(inputs, plan, summary));
    TRY(plan_firmware(inputs, config, plan, summary));
    TRY(plan_display(inputs, config, plan));
    TRY(plan_rescue_shell(inputs, plan));
    return plan_manifest(summary, plan);
}

}  // namespace hal::pack
