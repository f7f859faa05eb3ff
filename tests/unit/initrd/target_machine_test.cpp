// Unit tests for the target machine's Secure Boot and TPM as the packer reads them, and the
// warnings they lead to.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "image/module_file.hpp"
#include "initrd/target_machine.hpp"

using namespace hal::pack;

TEST_CASE("target machine: --secure-boot on/off win; auto reads the SecureBoot variable") {
    char name[] = "/tmp/target-machine-test-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    const std::string sysfs = name;
    CHECK(target_secure_boot("on", sysfs));
    CHECK_FALSE(target_secure_boot("off", sysfs));
    CHECK_FALSE(target_secure_boot("auto", sysfs));  // a BIOS machine: no efivars
    const std::string efivars = sysfs + "/firmware/efi/efivars";
    REQUIRE(std::system(("mkdir -p " + efivars + " " + sysfs + "/class/tpm/tpm0").c_str()) == 0);
    const std::string variable = efivars + "/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";
    std::ofstream(variable, std::ios::binary) << std::string("\x06\0\0\0\x01", 5);
    CHECK(target_secure_boot("auto", sysfs));
    CHECK_FALSE(target_secure_boot("off", sysfs));
    std::ofstream(variable, std::ios::binary) << std::string("\x06\0\0\0\0", 5);
    CHECK_FALSE(target_secure_boot("auto", sysfs));
    CHECK(machine_has_tpm(sysfs));
    CHECK_FALSE(machine_has_tpm("/nonexistent"));
    CHECK(replaced_image_tpm_warning("/boot/hal.img").find("BitLocker") != std::string::npos);
    REQUIRE(std::system(("rm -rf " + sysfs).c_str()) == 0);
}

TEST_CASE("module signatures: the appended trailer, and one warning naming the modules") {
    CHECK(
        module_signed(std::string("\x7f"
                                  "ELF...sig~Module signature appended~\n")));
    CHECK_FALSE(
        module_signed("\x7f"
                      "ELF..."));
    CHECK_FALSE(module_signed("~Module signature appended~"));
    CHECK(unsigned_modules_warning({}).empty());
    const std::string one = unsigned_modules_warning({"zfs"});
    CHECK(one.find("1 module carries no signature (zfs)") == 0);
    CHECK(one.find("refuse it") != std::string::npos);
    const std::string many =
        unsigned_modules_warning({"a", "b", "c", "d", "e", "f", "g", "h", "i"});
    CHECK(many.find("9 modules carry no signature (a, b, c, d, e, f, g, h, ...)") == 0);
}
