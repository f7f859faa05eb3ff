// Unit tests for the early microcode archive: the kernel's path names, the vendor files
// concatenated, host-only picking this CPU's file, and the errors a user can act on.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "image/cpio_reader.hpp"
#include "initrd/microcode.hpp"
#include "tests/unit/initrd/out_parameters.hpp"

using namespace hal::pack;
using namespace hal::pack::test;

namespace {

struct FirmwareDir {
    std::string root;
    FirmwareDir() {
        char name[] = "/tmp/microcode-test-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        root = name;
        ::mkdir((root + "/intel-ucode").c_str(), 0755);
        ::mkdir((root + "/amd-ucode").c_str(), 0755);
        std::ofstream(root + "/intel-ucode/06-55-04") << "INTEL-SKYLAKE-X";
        std::ofstream(root + "/intel-ucode/06-8e-09") << "INTEL-KABYLAKE";
        std::ofstream(root + "/amd-ucode/microcode_amd_fam17h.bin") << "AMD-ZEN";
        std::ofstream(root + "/amd-ucode/microcode_amd.bin") << "AMD-OLD";
    }
    ~FirmwareDir() { std::system(("rm -rf " + root).c_str()); }
};

std::string file_in(const std::string& archive, const std::string& path) {
    CpioArchive parsed;
    std::string error;
    REQUIRE_MESSAGE(read_cpio(archive, 0, parsed, error), error);
    for (const auto& entry : parsed.entries)
        if (entry.path == path) return std::string(entry.data);
    return "<absent>";
}

}  // namespace

TEST_CASE("microcode auto, generic: both vendors, every file, under kernel/x86/microcode") {
    FirmwareDir firmware;
    MicrocodeResult result;
    std::string error;
    REQUIRE(build_microcode(MicrocodeSetting::kAuto, firmware.root, false,
                            CpuSignature{"GenuineIntel", 6, 0x55, 4}, result, error));
    CHECK(result.archive.substr(0, 6) == "070701");
    CHECK(result.archive.size() % 4 == 0);
    CHECK(file_in(result.archive, "kernel/x86/microcode/GenuineIntel.bin") ==
          "INTEL-SKYLAKE-XINTEL-KABYLAKE");
    CHECK(file_in(result.archive, "kernel/x86/microcode/AuthenticAMD.bin") == "AMD-OLDAMD-ZEN");
    CHECK(result.description.find("GenuineIntel.bin 29 bytes from 2 files") != std::string::npos);
}

TEST_CASE("microcode host-only: this CPU's family-model-stepping file, the other vendor left out") {
    FirmwareDir firmware;
    MicrocodeResult result;
    std::string error;
    REQUIRE(build_microcode(MicrocodeSetting::kAuto, firmware.root, true,
                            CpuSignature{"GenuineIntel", 6, 0x8e, 9}, result, error));
    CHECK(file_in(result.archive, "kernel/x86/microcode/GenuineIntel.bin") == "INTEL-KABYLAKE");
    CHECK(file_in(result.archive, "kernel/x86/microcode/AuthenticAMD.bin") == "<absent>");
    REQUIRE(build_microcode(MicrocodeSetting::kAuto, firmware.root, true,
                            CpuSignature{"AuthenticAMD", 0x17, 1, 2}, result, error));
    CHECK(file_in(result.archive, "kernel/x86/microcode/AuthenticAMD.bin") == "AMD-ZEN");
}

TEST_CASE("microcode: nothing to pack -> no archive; a missing directory named outright -> error") {
    FirmwareDir firmware;
    MicrocodeResult result;
    std::string error;
    const CpuSignature cpu{"GenuineIntel", 6, 0x55, 4};
    REQUIRE(build_microcode(MicrocodeSetting::kNone, firmware.root, false, cpu, result, error));
    CHECK(result.archive.empty());
    REQUIRE(build_microcode(MicrocodeSetting::kAuto, firmware.root + "/nowhere", false, cpu, result,
                            error));
    CHECK(result.archive.empty());
    CHECK_FALSE(build_microcode(MicrocodeSetting::kIntel, firmware.root + "/nowhere", false, cpu,
                                result, error));
    CHECK(error.find(firmware.root + "/nowhere") != std::string::npos);
    CHECK(error.find("intel-microcode") != std::string::npos);
    // Host-only: the CPU's own vendor directory must be there.
    CHECK_FALSE(build_microcode(MicrocodeSetting::kAuto, firmware.root + "/nowhere", true, cpu,
                                result, error));
}

TEST_CASE("microcode: /proc/cpuinfo's first processor") {
    char name[] = "/tmp/cpuinfo-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    std::ofstream(name)
        << "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 33\n"
           "model name\t: AMD Ryzen\nstepping\t: 0\n\nprocessor\t: 1\nvendor_id\t: Other\n";
    CpuSignature cpu;
    REQUIRE(read_cpu_signature(name, cpu));
    CHECK(cpu.vendor == "AuthenticAMD");
    CHECK(cpu.family == 25);
    CHECK(cpu.model == 33);
    std::remove(name);
}
