// --install-boot / --remove-boot: the boot loader entries that boot the machine's kernels with
// their HAL images. GRUB systems get a /etc/grub.d script whose entries are skipped inside the
// HAL's own guest; the distribution's own command regenerates grub.cfg.
#pragma once

#include <cstdio>
#include <string>

namespace hal::pack {

// The /etc/grub.d script. Run by grub-mkconfig, it writes one entry per kernel in /boot that
// has a HAL image (hal-initrd.img-VERSION), newest first, all inside a test of the SMBIOS OEM
// string that marks the HAL's guest; with `make_default`, the newest one is the default unless
// GRUB boots a one-time choice (grub-reboot). MKINITRD_HAL_ROOT names a system mounted
// elsewhere (--root): its /boot is listed, its /etc/default/grub read, and paths are written
// as /boot/... .
std::string grub_script(bool make_default);

inline constexpr const char* kGrubScriptPath = "/etc/grub.d/42_mkinitrd-hal";

struct BootInstall {
    std::string root = "/";  // --root: a system mounted there; nothing of it is regenerated
    bool make_default = false;
    bool remove = false;
};

// Installs (or removes) the entries in `install.root`, then regenerates the boot loader's
// configuration (or, with --root, prints the entries and the command to run there). Each
// refusal is one line on stderr; returns the exit status.
int run_boot_install(const BootInstall& install, FILE* out);

}  // namespace hal::pack
