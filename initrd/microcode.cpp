// Early microcode archives from intel-ucode/ and amd-ucode/.
#include "initrd/microcode.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

#include "base/setting_text.hpp"
#include "base/text.hpp"
#include "image/file_io.hpp"

using namespace std::string_view_literals;

namespace hal::pack {
namespace {

constexpr const char* kMicrocodeDir = "kernel/x86/microcode";

void append_entry(std::string& archive, const std::string& name, unsigned mode,
                  const std::string& data, unsigned inode) {
    char header[111];
    std::snprintf(header, sizeof header,
                  "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", inode, mode, 0u,
                  0u, 1u, 0u, data.size(), 0u, 0u, 0u, 0u, name.size() + 1, 0u);
    archive.append(header, 110);
    archive += name;
    archive.push_back('\0');
    archive.append((4 - archive.size() % 4) % 4, '\0');
    archive += data;
    archive.append((4 - archive.size() % 4) % 4, '\0');
}

struct Vendor {
    const char* name;
    const char* directory;
    MicrocodeSetting setting;
};
constexpr Vendor kVendors[] = {{"GenuineIntel", "intel-ucode", MicrocodeSetting::kIntel},
                               {"AuthenticAMD", "amd-ucode", MicrocodeSetting::kAmd}};

// One vendor's updates: every file, or (host-only) this CPU's.
struct Updates {
    std::string blob;  // the files concatenated
    size_t files = 0;
};

Checked<Updates> gather(const std::string& directory, const std::string& wanted) {
    Updates updates;
    for (const auto& name : sorted_directory_entries(directory)) {
        if (!wanted.empty() && name != wanted) continue;
        updates.blob += TRY(read_whole_file(directory + "/" + name));
        ++updates.files;
    }
    return updates;
}

// The file this CPU's updates are in: family-model-stepping for Intel, by family for AMD.
std::string update_file(const Vendor& vendor, const CpuSignature& cpu) {
    char name[48];
    if (vendor.setting == MicrocodeSetting::kIntel)
        std::snprintf(name, sizeof name, "%02x-%02x-%02x", cpu.family, cpu.model, cpu.stepping);
    else if (cpu.family < 0x15)
        std::snprintf(name, sizeof name, "microcode_amd.bin");
    else
        std::snprintf(name, sizeof name, "microcode_amd_fam%02xh.bin", cpu.family);
    return name;
}

Problem missing_directory(const Vendor& vendor, const std::string& firmware_dir) {
    return problem(
        "--microcode: no " + std::string(vendor.directory) + " directory in " + firmware_dir +
        " for " + vendor.name + " CPUs (install " +
        (vendor.setting == MicrocodeSetting::kIntel ? "intel-microcode" : "amd64-microcode") +
        ", or use --microcode none)");
}

}  // namespace

bool parse_microcode_setting(const std::string& text, MicrocodeSetting& setting) {
    const auto parsed = parse_enum<MicrocodeSetting>(text, "auto\0intel\0amd\0none"sv, "");
    if (!parsed.ok()) return false;
    setting = parsed.value();
    return true;
}

bool read_cpu_signature(const std::string& cpuinfo_path, CpuSignature& cpu) {
    std::ifstream stream(cpuinfo_path);
    std::string line;
    bool seen_family = false;
    while (std::getline(stream, line)) {
        if (line.empty()) break;  // the first processor only
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string key = line.substr(0, colon);
        key.erase(key.find_last_not_of(" \t") + 1);
        const std::string value =
            line.substr(colon + 1 + (colon + 1 < line.size() && line[colon + 1] == ' '));
        const auto number = parse_unsigned(trim(value));
        if (key == "vendor_id")
            cpu.vendor = std::string(trim(value));
        else if (key == "cpu family" && number)
            cpu.family = static_cast<unsigned>(*number), seen_family = true;
        else if (key == "model" && number)
            cpu.model = static_cast<unsigned>(*number);
        else if (key == "stepping" && number)
            cpu.stepping = static_cast<unsigned>(*number);
    }
    return !cpu.vendor.empty() && seen_family;
}

Checked<MicrocodeResult> build_microcode(MicrocodeSetting setting, const std::string& firmware_dir,
                                         bool host_only, const CpuSignature& cpu) {
    MicrocodeResult result;
    if (setting == MicrocodeSetting::kNone) return result;
    std::string archive;
    unsigned inode = 1;
    for (const std::string directory : {"kernel", "kernel/x86", kMicrocodeDir})
        append_entry(archive, directory, 040755, "", inode++);
    std::vector<std::string> described;
    bool packed = false;
    for (const Vendor& vendor : kVendors) {
        const bool named = setting == vendor.setting;
        if (setting != MicrocodeSetting::kAuto && !named) continue;
        if (setting == MicrocodeSetting::kAuto && host_only && cpu.vendor != vendor.name) continue;
        const std::string directory = firmware_dir + "/" + vendor.directory;
        if (!is_directory(directory)) {
            if (named || host_only) return missing_directory(vendor, firmware_dir);
            continue;
        }
        const std::string wanted = host_only ? update_file(vendor, cpu) : std::string();
        const Updates updates = TRY(gather(directory, wanted));
        if (updates.blob.empty()) {
            described.push_back(std::string(vendor.name) + ": no update in " + directory +
                                (wanted.empty() ? "" : " for " + wanted));
            continue;
        }
        append_entry(archive, std::string(kMicrocodeDir) + "/" + vendor.name + ".bin", 0100644,
                     updates.blob, inode++);
        packed = true;
        described.push_back(std::string(vendor.name) + ".bin " +
                            std::to_string(updates.blob.size()) + " bytes from " +
                            std::to_string(updates.files) + " file" +
                            (updates.files == 1 ? "" : "s"));
    }
    std::ostringstream text;
    for (size_t i = 0; i < described.size(); ++i) text << (i ? "; " : "") << described[i];
    result.description =
        described.empty() ? "no microcode directories in " + firmware_dir : text.str();
    if (!packed) return result;  // nothing to load early
    append_entry(archive, "TRAILER!!!", 0, "", 0);
    result.archive = archive;
    return result;
}

}  // namespace hal::pack
