// Early CPU microcode: an uncompressed newc archive the kernel reads before it unpacks the rest,
// with kernel/x86/microcode/GenuineIntel.bin and AuthenticAMD.bin made from the host's
// intel-ucode and amd-ucode firmware (every CPU's, or only this CPU's for a host-only image).
#pragma once

#include <string>

#include "base/problem.hpp"

namespace hal::pack {

enum class MicrocodeSetting { kAuto, kIntel, kAmd, kNone };

struct CpuSignature {
    std::string vendor;  // GenuineIntel, AuthenticAMD
    unsigned family = 0, model = 0, stepping = 0;
};

// /proc/cpuinfo's first processor.
bool read_cpu_signature(const std::string& cpuinfo_path, CpuSignature& cpu);

struct MicrocodeResult {
    std::string archive;      // empty: no microcode packed
    std::string description;  // for the packer's log: which files, how many bytes
};

// `firmware_dir` holds intel-ucode/ and amd-ucode/. auto: both vendors (host-only: this
// CPU's); a vendor named outright, or host-only auto, without its directory is an error.
Checked<MicrocodeResult> build_microcode(MicrocodeSetting setting, const std::string& firmware_dir,
                                         bool host_only, const CpuSignature& cpu);

bool parse_microcode_setting(const std::string& text, MicrocodeSetting& setting);

}  // namespace hal::pack
