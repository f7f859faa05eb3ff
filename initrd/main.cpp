// mkinitrd-hal: command line front end of the packer, and --list / --verify.
#include <dirent.h>
#include <getopt.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/text.hpp"
#include "image/file_io.hpp"
#include "image/module_file.hpp"
#include "initrd/archive_writer.hpp"
#include "initrd/boot_entry.hpp"
#include "initrd/compressor.hpp"
#include "initrd/config_reference.hpp"
#include "initrd/image_plan.hpp"
#include "initrd/microcode.hpp"
#include "initrd/target_machine.hpp"
#include "inspect/image_tools.hpp"

namespace {

using hal::pack::PackInputs;

constexpr const char* kUsage =
    "usage: mkinitrd-hal [options] [OUTPUT]      (OUTPUT default /boot/hal-initrd.img-%k)\n"
    "       mkinitrd-hal --list IMAGE | --verify IMAGE | --config-reference[=markdown|conf]\n"
    "       mkinitrd-hal --install-boot [--default] [--root DIR] | --remove-boot [--root DIR]\n"
    "  -k, --kernel KVER        kernel version (default: the running kernel)\n"
    "      --all-kernels        every kernel in MODDIR/lib/modules; %k in OUTPUT is its version\n"
    "      --moddir DIR         root holding lib/modules/KVER and lib/firmware (default: /)\n"
    "      --modules FILE       module list (default: the shipped modules.list)\n"
    "      --config FILE        hal.conf to pack (default: the shipped configs/hal.conf)\n"
    "      --hostonly           only the modules this machine's devices need (and the HAL's own)\n"
    "      --no-hostonly        every module of the list (the default; undoes a conf file's)\n"
    "      --hostonly-modaliases FILE  a recorded device list instead of this machine's /sys\n"
    "      --compress ALGO[:LEVEL]  gzip (default, level 6), zstd, xz, lz4 or none\n"
    "      --module-compress zstd[:LEVEL]|none  each module its own zstd frame, stored\n"
    "                           uncompressed in the image's leading archive (default zstd:9)\n"
    "      --threads N          compression threads (default: every CPU)\n"
    "      --microcode auto|intel|amd|none  early microcode from MODDIR/lib/firmware (default "
    "auto)\n"
    "      --microcode-dir DIR  where intel-ucode/ and amd-ucode/ are (default "
    "MODDIR/lib/firmware)\n"
    "      --qemu PATH          qemu-system-x86_64 to bundle (default: the installed static one,\n"
    "                           else `make qemu-static`'s cached build, else the one in PATH)\n"
    "      --init PATH          static hal-init binary\n"
    "      --display PATH       static hal-display binary\n"
    "      --firmware-dir DIR   search DIR first for QEMU firmware (repeatable)\n"
    "      --qemu-module-dir DIR  QEMU's run-time module directory (default: derived from --qemu)\n"
    "      --rescue-shell[=PATH]  pack a static busybox (default /bin/busybox) as /bin/sh\n"
    "      --secure-boot auto|on|off  the machine boots with Secure Boot on: firmware = auto\n"
    "                           packs the Secure Boot OVMF too, unsigned modules are warned\n"
    "                           of (default auto: this machine's SecureBoot variable)\n"
    "      --list IMAGE         every file with its size, totals per top-level directory\n"
    "      --verify IMAGE       check an image; one line per problem, exit status 1 if any\n"
    "      --config-reference[=markdown|conf]  every hal.conf key with its meaning and default\n"
    "      --install-boot       boot loader entries for the kernels with a HAL image (GRUB:\n"
    "                           /etc/grub.d/42_mkinitrd-hal, then update-grub); skipped inside\n"
    "                           the HAL's own guest\n"
    "      --default            ... and the newest one the default entry\n"
    "      --remove-boot        remove them again (and regenerate)\n"
    "      --root DIR           for a system mounted at DIR: install there, print the entries,\n"
    "                           regenerate nothing\n"
    "  -v, --verbose            list every file packed\n"
    "  -q, --quiet              no summary line\n"
    "  -h, --help               this text\n"
    "Options may also be set in /etc/mkinitrd-hal.conf and /etc/mkinitrd-hal.conf.d/*.conf as\n"
    "`option = value` (or `option` alone); the command line wins.\n";

enum Option {
    kModdir = 1000,
    kModules,
    kConfig,
    kQemu,
    kInit,
    kFirmwareDir,
    kQemuModuleDir,
    kRescueShell,
    kDisplay,
    kAllKernels,
    kHostonly,
    kNoHostonly,
    kHostonlyModaliases,
    kCompress,
    kModuleCompress,
    kThreads,
    kMicrocode,
    kMicrocodeDir,
    kSecureBoot,
    kList,
    kVerify,
    kConfigReference,
    kInstallBoot,
    kRemoveBoot,
    kDefault,
    kRoot,
};

const struct option kOptions[] = {
    {"kernel", required_argument, nullptr, 'k'},
    {"all-kernels", no_argument, nullptr, kAllKernels},
    {"moddir", required_argument, nullptr, kModdir},
    {"modules", required_argument, nullptr, kModules},
    {"config", required_argument, nullptr, kConfig},
    {"hostonly", no_argument, nullptr, kHostonly},
    {"no-hostonly", no_argument, nullptr, kNoHostonly},
    {"hostonly-modaliases", required_argument, nullptr, kHostonlyModaliases},
    {"compress", required_argument, nullptr, kCompress},
    {"module-compress", required_argument, nullptr, kModuleCompress},
    {"threads", required_argument, nullptr, kThreads},
    {"microcode", required_argument, nullptr, kMicrocode},
    {"microcode-dir", required_argument, nullptr, kMicrocodeDir},
    {"qemu", required_argument, nullptr, kQemu},
    {"init", required_argument, nullptr, kInit},
    {"display", required_argument, nullptr, kDisplay},
    {"firmware-dir", required_argument, nullptr, kFirmwareDir},
    {"qemu-module-dir", required_argument, nullptr, kQemuModuleDir},
    {"rescue-shell", optional_argument, nullptr, kRescueShell},
    {"secure-boot", required_argument, nullptr, kSecureBoot},
    {"list", required_argument, nullptr, kList},
    {"verify", required_argument, nullptr, kVerify},
    {"config-reference", optional_argument, nullptr, kConfigReference},
    {"install-boot", no_argument, nullptr, kInstallBoot},
    {"remove-boot", no_argument, nullptr, kRemoveBoot},
    {"default", no_argument, nullptr, kDefault},
    {"root", required_argument, nullptr, kRoot},
    {"verbose", no_argument, nullptr, 'v'},
    {"quiet", no_argument, nullptr, 'q'},
    {"help", no_argument, nullptr, 'h'},
    {nullptr, 0, nullptr, 0},
};

struct Settings {
    PackInputs inputs;
    hal::pack::ArchiveOptions archive;
    hal::pack::MicrocodeSetting microcode = hal::pack::MicrocodeSetting::kAuto;
    std::string microcode_dir;
    std::string secure_boot = "auto";
    std::vector<std::string> kernels;
    bool all_kernels = false;
    bool verbose = false, quiet = false;
    std::string list, verify;
    std::string reference;  // --config-reference: markdown or conf
    bool install_boot = false, remove_boot = false;
    hal::pack::BootInstall boot;  // --install-boot / --remove-boot
    std::string output = "/boot/hal-initrd.img-%k";
};

bool is_executable_file(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

std::string find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string_view rest = path ? path : "/usr/bin:/bin";
    while (!rest.empty()) {
        const size_t colon = rest.find(':');
        const std::string dir(rest.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        if (!dir.empty() && is_executable_file(dir + "/" + name)) return dir + "/" + name;
    }
    return {};
}

// Where the shipped defaults are: after `make install`, PREFIX/lib/mkinitrd-hal (programs:
// hal-init, hal-display, the static QEMU) and PREFIX/share/mkinitrd-hal (modules.list, hal.conf);
// else the repository this binary was built in (build/mkinitrd-hal).
struct Defaults {
    std::string modules_list, config, init, display, qemu;
};
Defaults shipped_defaults() {
    char self[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string directory =
        length > 0 ? std::string(self, static_cast<size_t>(length)) : std::string("./x");
    directory = directory.substr(0, directory.rfind('/'));
    const std::string parent = directory.substr(0, directory.rfind('/'));
    const std::string programs = parent + "/lib/mkinitrd-hal",
                      data = parent + "/share/mkinitrd-hal";
    if (is_executable_file(programs + "/hal-init"))
        return {data + "/modules.list", data + "/hal.conf", programs + "/hal-init",
                programs + "/hal-display",
                is_executable_file(programs + "/qemu-system-x86_64")
                    ? programs + "/qemu-system-x86_64"
                    : ""};
    return {parent + "/modules.list", parent + "/configs/hal.conf", directory + "/hal-init",
            directory + "/hal-display", ""};
}

// `make qemu-static`'s cached build, when there is one.
std::string cached_static_qemu() {
    std::string cache;
    if (const char* explicit_cache = std::getenv("HAL_CACHE"))
        cache = explicit_cache;
    else if (const char* xdg = std::getenv("XDG_CACHE_HOME"))
        cache = std::string(xdg) + "/mkinitrd-hal";
    else if (const char* home = std::getenv("HOME"))
        cache = std::string(home) + "/.cache/mkinitrd-hal";
    const std::string path = cache + "/qemu-static/current/qemu-system-x86_64";
    return !cache.empty() && is_executable_file(path) ? path : std::string();
}

int fail(const std::string& message) {
    std::fprintf(stderr, "mkinitrd-hal: error: %s\n", message.c_str());
    return 1;
}

// /etc/mkinitrd-hal.conf, then conf.d/*.conf in name order, as command-line words.
hal::CheckedStatus config_file_arguments(std::vector<std::string>& words) {
    const char* override_dir = std::getenv("MKINITRD_HAL_SYSCONFDIR");
    const std::string etc = override_dir ? override_dir : "/etc";
    std::vector<std::string> files;
    if (::access((etc + "/mkinitrd-hal.conf").c_str(), R_OK) == 0)
        files.push_back(etc + "/mkinitrd-hal.conf");
    for (const auto& name : hal::pack::sorted_directory_entries(etc + "/mkinitrd-hal.conf.d"))
        if (hal::ends_with(name, ".conf")) files.push_back(etc + "/mkinitrd-hal.conf.d/" + name);
    for (const auto& file : files) {
        const std::string text = TRY(hal::pack::read_whole_file(file));
        hal::LineReader reader(text);
        std::string_view line;
        while (reader.next(line)) {
            line = hal::trim(hal::strip_comment(line));
            if (line.empty()) continue;
            const size_t equals = line.find('=');
            const std::string name(hal::trim(line.substr(0, equals)));
            const bool known = std::any_of(
                std::begin(kOptions), std::end(kOptions), [&](const struct option& option) {
                    return option.name && name == option.name && name != "list" &&
                           name != "verify" && name != "help" && name != "config-reference" &&
                           name != "install-boot" && name != "remove-boot" && name != "default" &&
                           name != "root";
                });
            if (!known)
                return hal::problem(file + " line " + std::to_string(reader.number()) + ": '" +
                                    name + "' is not an option");
            words.push_back("--" + name +
                            (equals == std::string_view::npos
                                 ? std::string()
                                 : "=" + std::string(hal::trim(line.substr(equals + 1)))));
        }
    }
    return hal::done();
}

// A note on a TTY when a step takes over a second; nothing otherwise.
class Progress {
public:
    explicit Progress(const char* step) : step_(step) {
        if (::isatty(2)) thread_ = std::thread([this] { run(); });
    }
    ~Progress() {
        if (!thread_.joinable()) return;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            done_ = true;
        }
        changed_.notify_all();
        thread_.join();
        if (shown_) std::fprintf(stderr, "\r\033[K");
    }

private:
    void run() {
        std::unique_lock<std::mutex> lock(mutex_);
        if (changed_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) return;
        std::fprintf(stderr, "mkinitrd-hal: %s...", step_);
        shown_ = true;
    }
    const char* step_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool done_ = false, shown_ = false;
};

// --compress, --module-compress and --threads (which may come in any order); -1 when the
// value is good, else the exit status.
int compression_option(int option, const char* value, Settings& settings) {
    if (option == kCompress) {
        const auto compression = hal::pack::parse_compression(value);
        if (!compression.ok()) return fail(compression.error().message);
        const unsigned threads = settings.archive.compression.threads;
        settings.archive.compression = compression.value();
        settings.archive.compression.threads = threads;
    } else if (option == kModuleCompress) {
        const auto compression = hal::pack::parse_module_compression(value);
        if (!compression.ok()) return fail(compression.error().message);
        settings.inputs.module_compression = compression.value();
    } else {
        const auto threads = hal::parse_unsigned(value);
        if (!threads || *threads == 0 || *threads > 1024)
            return fail(std::string("--threads ") + value + ": 1 to 1024");
        settings.archive.compression.threads = static_cast<unsigned>(*threads);
        settings.inputs.threads = static_cast<unsigned>(*threads);
    }
    return -1;
}

int parse_arguments(int argc, char** argv, Settings& settings) {
    std::vector<std::string> words = {argv[0]};
    if (const auto read = config_file_arguments(words); !read.ok())
        return fail(read.error().message);
    for (int i = 1; i < argc; ++i) words.emplace_back(argv[i]);
    std::vector<char*> pointers;
    for (auto& word : words) pointers.push_back(word.data());
    pointers.push_back(nullptr);
    const Defaults defaults = shipped_defaults();
    PackInputs& inputs = settings.inputs;
    inputs.modules_list = defaults.modules_list;
    inputs.config = defaults.config;
    inputs.init = defaults.init;
    inputs.display = defaults.display;
    optind = 1;
    int option;
    while ((option = getopt_long(static_cast<int>(words.size()), pointers.data(), "k:vqh", kOptions,
                                 nullptr)) != -1) {
        switch (option) {
            case 'k': settings.kernels = {optarg}; break;
            case kAllKernels: settings.all_kernels = true; break;
            case kModdir: inputs.module_root = optarg; break;
            case kModules: inputs.modules_list = optarg; break;
            case kConfig: inputs.config = optarg; break;
            case kHostonly: inputs.hostonly = true; break;
            case kNoHostonly: inputs.hostonly = false; break;
            case kHostonlyModaliases: inputs.hostonly_record = optarg; break;
            case kCompress:
            case kModuleCompress:
            case kThreads:
                if (const int status = compression_option(option, optarg, settings); status >= 0)
                    return status;
                break;
            case kMicrocode:
                if (!hal::pack::parse_microcode_setting(optarg, settings.microcode))
                    return fail(std::string("--microcode ") + optarg +
                                ": auto, intel, amd or none");
                break;
            case kMicrocodeDir: settings.microcode_dir = optarg; break;
            case kSecureBoot:
                settings.secure_boot = optarg;
                if (settings.secure_boot != "auto" && settings.secure_boot != "on" &&
                    settings.secure_boot != "off")
                    return fail(std::string("--secure-boot ") + optarg + ": auto, on or off");
                break;
            case kQemu: inputs.qemu = optarg; break;
            case kInit: inputs.init = optarg; break;
            case kDisplay: inputs.display = optarg; break;
            case kFirmwareDir: inputs.firmware_dirs.push_back(optarg); break;
            case kQemuModuleDir: inputs.qemu_module_dir = optarg; break;
            case kRescueShell: inputs.rescue_shell = optarg ? optarg : "/bin/busybox"; break;
            case kList: settings.list = optarg; break;
            case kVerify: settings.verify = optarg; break;
            case kConfigReference:
                settings.reference = optarg ? optarg : "conf";
                if (settings.reference != "markdown" && settings.reference != "conf")
                    return fail("--config-reference=" + settings.reference + ": markdown or conf");
                break;
            case kInstallBoot: settings.install_boot = true; break;
            case kRemoveBoot: settings.remove_boot = true; break;
            case kDefault: settings.boot.make_default = true; break;
            case kRoot: settings.boot.root = optarg; break;
            case 'v': settings.verbose = true; break;
            case 'q': settings.quiet = true; break;
            case 'h': std::fputs(kUsage, stdout); return 0;
            default: std::fputs(kUsage, stderr); return 2;
        }
    }
    if (optind < static_cast<int>(words.size()) - 1) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    if (optind == static_cast<int>(words.size()) - 1)
        settings.output = words[static_cast<size_t>(optind)];
    return -1;  // go on
}

// What planning found worth telling: notes, host-only choices, unsigned modules for a Secure
// Boot machine, firmware files modules name that are not there.
void report_plan(const Settings& settings, const PackInputs& inputs,
                 const hal::pack::PlanSummary& summary) {
    for (const auto& note : summary.notes)
        std::fprintf(stderr, "mkinitrd-hal: %s%s\n",
                     note.rfind("warning: ", 0) == 0 ? "" : "note: ", note.c_str());
    for (const auto& [module, reason] : summary.hostonly)
        std::fprintf(stderr, "mkinitrd-hal: hostonly: %s for %s\n", module.c_str(), reason.c_str());
    if (inputs.secure_boot && !summary.unsigned_modules.empty())
        std::fprintf(stderr, "mkinitrd-hal: warning: %s\n",
                     hal::pack::unsigned_modules_warning(summary.unsigned_modules).c_str());
    if (!summary.missing_firmware.empty()) {
        std::vector<std::string> modules;
        for (const auto& [module, file] : summary.missing_firmware) {
            if (settings.verbose)
                std::fprintf(
                    stderr,
                    "mkinitrd-hal: warning: module %s may need firmware %s, not found in %s\n",
                    module.c_str(), file.c_str(), summary.firmware_root.c_str());
            if (std::find(modules.begin(), modules.end(), module) == modules.end())
                modules.push_back(module);
        }
        if (!settings.verbose) {
            std::string names;
            for (size_t i = 0; i < modules.size() && i < 8; ++i)
                names += (i ? ", " : "") + modules[i];
            std::fprintf(stderr,
                         "mkinitrd-hal: warning: %zu firmware files that %zu modules may need are "
                         "not in %s (%s%s); "
                         "-v lists them\n",
                         summary.missing_firmware.size(), modules.size(),
                         summary.firmware_root.c_str(), names.c_str(),
                         modules.size() > 8 ? ", ..." : "");
        }
    }
}

int pack_one(Settings& settings, const std::string& kernel) {
    PackInputs inputs = settings.inputs;
    inputs.kernel_version = kernel;
    std::string output = settings.output;
    for (size_t at; (at = output.find("%k")) != std::string::npos;) output.replace(at, 2, kernel);
    hal::pack::FilePlan plan;
    hal::pack::PlanSummary summary;
    {
        Progress progress("resolving and compressing modules, planning the image");
        if (const auto planned = hal::pack::plan_image(inputs, plan, summary); !planned.ok())
            return fail(planned.error().message);
    }
    report_plan(settings, inputs, summary);
    hal::pack::ArchiveOptions archive = settings.archive;
    hal::pack::CpuSignature cpu;
    (void)hal::pack::read_cpu_signature("/proc/cpuinfo", cpu);
    const std::string microcode_dir = settings.microcode_dir.empty()
                                          ? inputs.module_root + "/lib/firmware"
                                          : settings.microcode_dir;
    const auto built =
        hal::pack::build_microcode(settings.microcode, microcode_dir, inputs.hostonly, cpu);
    if (!built.ok()) return fail(built.error().message);
    const hal::pack::MicrocodeResult& microcode = built.value();
    archive.early = microcode.archive;
    if (settings.microcode != hal::pack::MicrocodeSetting::kNone)
        std::fprintf(stderr, "mkinitrd-hal: note: early microcode: %s\n",
                     microcode.description.c_str());
    const auto entries = plan.entries();
    if (settings.verbose)
        for (const auto& entry : entries)
            std::fprintf(stderr, "mkinitrd-hal: %s%s%s\n", entry.image_path.c_str(),
                         entry.host_path.empty() ? "" : " <- ", entry.host_path.c_str());
    // A machine with a TPM measures the image at boot: different bytes, different PCRs.
    const bool tpm = hal::pack::machine_has_tpm(inputs.sysfs);
    const auto before = tpm ? hal::pack::read_whole_file(output) : hal::problem("no TPM");
    {
        Progress progress("writing and compressing the image");
        if (const auto written = hal::pack::write_image(entries, output, archive); !written.ok())
            return fail(written.error().message);
    }
    const auto after = before.ok() ? hal::pack::read_whole_file(output) : hal::problem("unread");
    if (before.ok() && (!after.ok() || after.value() != before.value()))
        std::fprintf(stderr, "mkinitrd-hal: warning: %s\n",
                     hal::pack::replaced_image_tpm_warning(output).c_str());
    struct stat written;
    const long long size =
        ::stat(output.c_str(), &written) == 0 ? static_cast<long long>(written.st_size) : -1;
    if (!settings.quiet)
        std::printf(
            "mkinitrd-hal: wrote %s: %zu entries, %zu modules (%zu early, %s) for %s, QEMU %s (%zu "
            "libraries), "
            "%zu firmware files, %s, %lld bytes\n",
            output.c_str(), entries.size(), summary.modules, summary.early_modules,
            hal::pack::module_compression_name(inputs.module_compression).c_str(), kernel.c_str(),
            summary.static_qemu ? "static" : "dynamic", summary.libraries, summary.firmware,
            hal::pack::compression_name(archive.compression.algorithm), size);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    static Settings settings;
    if (const int status = parse_arguments(argc, argv, settings); status >= 0) return status;
    if (!settings.reference.empty()) {
        std::fputs((settings.reference == "markdown" ? hal::pack::config_reference_markdown()
                                                     : hal::pack::config_reference_conf())
                       .c_str(),
                   stdout);
        return 0;
    }
    if (settings.install_boot || settings.remove_boot) {
        if (settings.install_boot && settings.remove_boot)
            return fail("--install-boot and --remove-boot: one at a time");
        settings.boot.remove = settings.remove_boot;
        return hal::pack::run_boot_install(settings.boot, stdout);
    }
    if (!settings.list.empty()) {
        const auto listed = hal::pack::list_image(settings.list, stdout);
        return listed.ok() ? 0 : fail(listed.error().message);
    }
    if (!settings.verify.empty()) {
        const auto problems = hal::pack::verify_image(
            settings.verify, stdout,
            hal::pack::target_secure_boot(settings.secure_boot, settings.inputs.sysfs));
        if (!problems.ok()) return fail(problems.error().message);
        return problems.value() == 0 ? 0 : 1;
    }
    PackInputs& inputs = settings.inputs;
    if (settings.all_kernels) {
        for (const auto& version :
             hal::pack::sorted_directory_entries(inputs.module_root + "/lib/modules"))
            if (hal::pack::is_directory(inputs.module_root + "/lib/modules/" + version + "/kernel"))
                settings.kernels.push_back(version);
        if (settings.kernels.empty())
            return fail("--all-kernels: no kernel in " + inputs.module_root + "/lib/modules");
        if (settings.output.find("%k") == std::string::npos)
            return fail("--all-kernels writes one image per kernel: OUTPUT must contain %k");
    }
    if (settings.kernels.empty()) {
        struct utsname names;
        if (::uname(&names) != 0) return fail("cannot determine the running kernel; use -k");
        settings.kernels.push_back(names.release);
    }
    if (inputs.qemu.empty()) {
        // A static QEMU needs no library closure: smaller image, nothing to drift.
        inputs.qemu = shipped_defaults().qemu;
        if (inputs.qemu.empty()) inputs.qemu = cached_static_qemu();
        if (!inputs.qemu.empty())
            std::fprintf(stderr, "mkinitrd-hal: note: using the static QEMU %s\n",
                         inputs.qemu.c_str());
    }
    if (inputs.qemu.empty()) {
        inputs.qemu = find_in_path("qemu-system-x86_64");
        if (inputs.qemu.empty()) return fail("qemu-system-x86_64 not found in PATH; use --qemu");
    }
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
        const auto value = hal::parse_unsigned(epoch);
        if (!value || *value > INT64_MAX)
            return fail(std::string("SOURCE_DATE_EPOCH is not a number: ") + epoch);
        settings.archive.source_date_epoch = static_cast<int64_t>(*value);
    }
    inputs.secure_boot = hal::pack::target_secure_boot(settings.secure_boot, inputs.sysfs);
    int status = 0;
    for (const auto& kernel : settings.kernels)
        if (const int result = pack_one(settings, kernel); result != 0) status = result;
    return status;
}
