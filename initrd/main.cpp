// mkinitrd-hal: command line front end of the packer.
#include <getopt.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/text.hpp"
#include "initrd/archive_writer.hpp"
#include "initrd/image_plan.hpp"

namespace {

constexpr const char* kUsage =
    "usage: mkinitrd-hal [options] OUTPUT\n"
    "  -k, --kernel KVER        kernel version (default: the running kernel)\n"
    "      --moddir DIR         root holding lib/modules/KVER (default: /)\n"
    "      --modules FILE       module list (default: the repository's modules.list)\n"
    "      --config FILE        hal.conf to pack (default: the repository's configs/hal.conf)\n"
    "      --qemu PATH          qemu-system-x86_64 to bundle (default: `make qemu-static`'s\n"
    "                           cached build, else the one in PATH)\n"
    "      --init PATH          static hal-init binary (default: build/hal-init)\n"
    "      --display PATH       static hal-display binary (default: build/hal-display)\n"
    "      --firmware-dir DIR   search DIR first for QEMU firmware (repeatable)\n"
    "      --qemu-module-dir DIR  QEMU's run-time module directory (default: derived from --qemu)\n"
    "      --rescue-shell[=PATH]  pack a static busybox (default /bin/busybox) as /bin/sh for\n"
    "                           hal.shell, hal.break= and emergency = shell\n"
    "  -h, --help               this text\n";

bool is_executable_file(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
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

// The repository this binary was built in (build/mkinitrd-hal -> ..), for the defaults.
std::string repository_root() {
    char self[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) return ".";
    std::string path(self, static_cast<size_t>(length));
    for (int level = 0; level < 2; ++level) path = path.substr(0, path.rfind('/'));
    return path.empty() ? "/" : path;
}

// `make qemu-static`'s cached build, when there is one.
std::string cached_static_qemu() {
    std::string cache;
    if (const char* explicit_cache = std::getenv("HAL_CACHE")) cache = explicit_cache;
    else if (const char* xdg = std::getenv("XDG_CACHE_HOME")) cache = std::string(xdg) + "/mkinitrd-hal";
    else if (const char* home = std::getenv("HOME")) cache = std::string(home) + "/.cache/mkinitrd-hal";
    const std::string path = cache + "/qemu-static/current/qemu-system-x86_64";
    return !cache.empty() && is_executable_file(path) ? path : std::string();
}

int fail(const std::string& message) {
    std::fprintf(stderr, "mkinitrd-hal: error: %s\n", message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    using hal::pack::PackInputs;
    enum { kModdir = 1000, kModules, kConfig, kQemu, kInit, kFirmwareDir, kQemuModuleDir, kRescueShell, kDisplay };
    static const struct option kOptions[] = {
        {"kernel", required_argument, nullptr, 'k'},     {"moddir", required_argument, nullptr, kModdir},
        {"modules", required_argument, nullptr, kModules}, {"config", required_argument, nullptr, kConfig},
        {"qemu", required_argument, nullptr, kQemu},     {"init", required_argument, nullptr, kInit},
        {"firmware-dir", required_argument, nullptr, kFirmwareDir},
        {"qemu-module-dir", required_argument, nullptr, kQemuModuleDir},
        {"rescue-shell", optional_argument, nullptr, kRescueShell},
        {"display", required_argument, nullptr, kDisplay},
        {"help", no_argument, nullptr, 'h'},             {nullptr, 0, nullptr, 0},
    };
    const std::string root = repository_root();
    PackInputs inputs;
    inputs.modules_list = root + "/modules.list";
    inputs.config = root + "/configs/hal.conf";
    inputs.init = root + "/build/hal-init";
    inputs.display = root + "/build/hal-display";
    int option;
    while ((option = getopt_long(argc, argv, "k:h", kOptions, nullptr)) != -1) {
        switch (option) {
            case 'k': inputs.kernel_version = optarg; break;
            case kModdir: inputs.module_root = optarg; break;
            case kModules: inputs.modules_list = optarg; break;
            case kConfig: inputs.config = optarg; break;
            case kQemu: inputs.qemu = optarg; break;
            case kInit: inputs.init = optarg; break;
            case kDisplay: inputs.display = optarg; break;
            case kFirmwareDir: inputs.firmware_dirs.push_back(optarg); break;
            case kQemuModuleDir: inputs.qemu_module_dir = optarg; break;
            case kRescueShell: inputs.rescue_shell = optarg ? optarg : "/bin/busybox"; break;
            case 'h': std::fputs(kUsage, stdout); return 0;
            default: std::fputs(kUsage, stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    const std::string output = argv[optind];
    if (inputs.kernel_version.empty()) {
        struct utsname names;
        if (::uname(&names) != 0) return fail("cannot determine the running kernel; use -k");
        inputs.kernel_version = names.release;
    }
    if (inputs.qemu.empty()) {
        // A static QEMU needs no library closure: smaller image, nothing to drift.
        inputs.qemu = cached_static_qemu();
        if (!inputs.qemu.empty()) std::fprintf(stderr, "mkinitrd-hal: note: using the static QEMU %s\n", inputs.qemu.c_str());
    }
    if (inputs.qemu.empty()) {
        inputs.qemu = find_in_path("qemu-system-x86_64");
        if (inputs.qemu.empty()) return fail("qemu-system-x86_64 not found in PATH; use --qemu");
    }
    hal::pack::ArchiveOptions archive;
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
        const auto value = hal::parse_unsigned(epoch);
        if (!value || *value > INT64_MAX) return fail(std::string("SOURCE_DATE_EPOCH is not a number: ") + epoch);
        archive.source_date_epoch = static_cast<int64_t>(*value);
    }

    hal::pack::FilePlan plan;
    hal::pack::PlanSummary summary;
    std::string error;
    if (!hal::pack::plan_image(inputs, plan, summary, error)) return fail(error);
    for (const auto& note : summary.notes)
        std::fprintf(stderr, "mkinitrd-hal: %s%s\n", note.rfind("warning: ", 0) == 0 ? "" : "note: ", note.c_str());
    const auto entries = plan.entries();
    if (!hal::pack::write_image(entries, output, archive, error)) return fail(error);
    struct stat written;
    const long long size = ::stat(output.c_str(), &written) == 0 ? static_cast<long long>(written.st_size) : -1;
    std::printf("mkinitrd-hal: wrote %s: %zu entries, %zu modules (%zu early) for %s, QEMU %s (%zu libraries), "
                "%zu firmware files, %lld bytes\n",
                output.c_str(), entries.size(), summary.modules, summary.early_modules, inputs.kernel_version.c_str(),
                summary.static_qemu ? "static" : "dynamic", summary.libraries, summary.firmware, size);
    return 0;
}
