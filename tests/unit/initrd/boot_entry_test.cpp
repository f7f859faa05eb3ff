// Unit tests for --install-boot / --remove-boot on a system mounted elsewhere (--root): the
// GRUB script installed and removed, the entries it makes from that system's /boot, refusals.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "initrd/boot_entry.hpp"

using namespace hal::pack;

namespace {

struct Output {
    FILE* file = std::tmpfile();
    ~Output() { std::fclose(file); }
    std::string text() {
        std::fflush(file);
        std::rewind(file);
        std::string all;
        char buffer[4096];
        while (const size_t got = std::fread(buffer, 1, sizeof buffer, file))
            all.append(buffer, got);
        return all;
    }
};

std::string read(const std::string& path) {
    std::ifstream stream(path);
    std::ostringstream text;
    text << stream.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("install-boot --root: the script installed, entries for kernels with a HAL image") {
    char name[] = "/tmp/boot-entry-test-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    const std::string root = name;
    REQUIRE(std::system(("mkdir -p " + root + "/etc/grub.d " + root + "/etc/default " + root +
                         "/boot && cd " + root +
                         "/boot && touch vmlinuz-6.1.0-9 hal-initrd.img-6.1.0-9 vmlinuz-6.1.0-10 "
                         "hal-initrd.img-6.1.0-10 hal-initrd-generic.img-6.1.0-10 vmlinuz-6.1.0-11 "
                         "hal-initrd.img-5.10-gone")
                            .c_str()) == 0);
    std::ofstream(root + "/etc/default/grub") << "GRUB_DISTRIBUTOR=Debian\n"
                                                 "GRUB_CMDLINE_LINUX=\"console=ttyS0\"\n";
    BootInstall install;
    install.root = root;
    install.make_default = true;
    Output out;
    REQUIRE(run_boot_install(install, out.file) == 0);
    const std::string script = root + kGrubScriptPath;
    CHECK(read(script) == grub_script(true));
    struct stat info;
    REQUIRE(::stat(script.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0755);
    const std::string text = out.text();
    CAPTURE(text);
    // Newest first; a kernel without an image and an image without a kernel get no entry.
    const size_t newest = text.find(
        "menuentry 'Debian, with Linux 6.1.0-10, under mkinitrd-hal' --id 'mkinitrd-hal-6.1.0-10'");
    const size_t older = text.find("--id 'mkinitrd-hal-6.1.0-9'");
    CHECK(newest != std::string::npos);
    CHECK(older > newest);
    // The generic image's entry comes after every host-only one, and is not the default.
    const size_t generic = text.find(
        "menuentry 'Debian, with Linux 6.1.0-10, under mkinitrd-hal (generic image)' --id "
        "'mkinitrd-hal-generic-6.1.0-10' {\n    search --no-floppy --file --set=root "
        "/boot/hal-initrd-generic.img-6.1.0-10\n    linux /boot/vmlinuz-6.1.0-10 console=ttyS0");
    CHECK(generic != std::string::npos);
    CHECK(generic > older);
    CHECK(text.find("initrd /boot/hal-initrd-generic.img-6.1.0-10\n") > generic);
    CHECK(text.find("--id 'mkinitrd-hal-generic-6.1.0-9'") == std::string::npos);
    CHECK(text.find("6.1.0-11") == std::string::npos);
    CHECK(text.find("5.10-gone") == std::string::npos);
    CHECK(text.find("    linux /boot/vmlinuz-6.1.0-10 console=ttyS0") != std::string::npos);
    CHECK(text.find("if [ \"${mkinitrd_hal_guest}\" != \"mkinitrd-hal:guest\" ]; then") < newest);
    CHECK(text.find("if [ -z \"${boot_once}\" ]; then set default='mkinitrd-hal-6.1.0-10'; fi") !=
          std::string::npos);
    CHECK(text.find("grub.cfg is not regenerated here") != std::string::npos);
    // Removing it twice is fine; the script is gone.
    install.remove = true;
    CHECK(run_boot_install(install, out.file) == 0);
    CHECK(run_boot_install(install, out.file) == 0);
    CHECK(::access(script.c_str(), F_OK) != 0);
    REQUIRE(std::system(("rm -rf " + root).c_str()) == 0);
}

TEST_CASE("install-boot: no GRUB configuration -> refused, nothing written") {
    BootInstall install;
    install.root = "/nonexistent-root";
    Output out;
    CHECK(run_boot_install(install, out.file) == 1);
    CHECK(out.text().empty());
    CHECK(grub_script(false).find("make_default=no") != std::string::npos);
}

TEST_CASE("install-boot --root: with grubenv on /boot, the entries carry the way back") {
    char name[] = "/tmp/boot-entry-test-XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    const std::string root = name;
    REQUIRE(std::system(("mkdir -p " + root + "/etc/grub.d " + root + "/boot/grub && cd " + root +
                         "/boot && touch vmlinuz-6.1.0-9 hal-initrd.img-6.1.0-9 grub/grubenv")
                            .c_str()) == 0);
    // What grub-mkconfig exports: the filesystem UUID of /boot.
    ::setenv("GRUB_DEVICE_BOOT_UUID", "1A2B-3C4D", 1);
    BootInstall install;
    install.root = root;
    Output out;
    const int status = run_boot_install(install, out.file);
    ::unsetenv("GRUB_DEVICE_BOOT_UUID");
    REQUIRE(status == 0);
    const std::string text = out.text();
    CAPTURE(text);
    CHECK(
        text.find(
            "    linux /boot/vmlinuz-6.1.0-9   hal.grubenv=UUID=1A2B-3C4D:/boot/grub/grubenv\n") !=
        std::string::npos);
    const size_t load = text.find(
        "    load_env --file (${mkinitrd_hal_env})/boot/grub/grubenv mkinitrd_hal_fallback\n");
    const size_t clear = text.find(
        "    save_env --file (${mkinitrd_hal_env})/boot/grub/grubenv mkinitrd_hal_fallback\n");
    const size_t guarded =
        text.find("elif [ \"${mkinitrd_hal_guest}\" != \"mkinitrd-hal:guest\" ]; then");
    const size_t entry = text.find("menuentry '");
    CHECK(text.find("search --no-floppy --fs-uuid --set=mkinitrd_hal_env 1A2B-3C4D") < load);
    CHECK(load < clear);
    CHECK(clear < guarded);
    CHECK(guarded < entry);
    CHECK(entry != std::string::npos);
    // Without grubenv, no way back is named.
    REQUIRE(std::system(("rm " + root + "/boot/grub/grubenv").c_str()) == 0);
    Output again;
    REQUIRE(run_boot_install(install, again.file) == 0);
    CHECK(again.text().find("hal.grubenv") == std::string::npos);
    CHECK(again.text().find("load_env") == std::string::npos);
    REQUIRE(std::system(("rm -r " + root).c_str()) == 0);
}
