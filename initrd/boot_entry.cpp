// The GRUB script of --install-boot, and its installation.
#include "initrd/boot_entry.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace hal::pack {
namespace {

constexpr const char* kScript = R"SCRIPT(#!/bin/sh
# mkinitrd-hal's boot entries: installed by `mkinitrd-hal --install-boot`, removed by
# `mkinitrd-hal --remove-boot`. One entry per kernel in /boot with a HAL image
# (hal-initrd.img-VERSION, host-only from the kernel hook), newest first, booting that kernel
# with the HAL image as its initrd; then one per generic image (hal-initrd-generic.img-VERSION).
# GRUB skips them inside the HAL's own guest, whose SMBIOS carries the OEM string
# mkinitrd-hal:guest, so that the guest's GRUB boots the OS itself.
set -e
make_default=@DEFAULT@
# MKINITRD_HAL_ROOT: a system mounted there (mkinitrd-hal --root shows its entries), with
# its /etc/default/grub as grub-mkconfig would read it.
root=${MKINITRD_HAL_ROOT:-}
if [ -n "$root" ] && [ -r "$root/etc/default/grub" ]; then . "$root/etc/default/grub"; fi
boot=$root/boot
# Paths as GRUB sees them: from the top of the filesystem that holds /boot.
prefix=/boot/
if [ -z "$root" ] && mountpoint -q /boot 2>/dev/null; then prefix=/; fi
# fallback = bare-metal: hal-init, unable to run the OS, leaves mkinitrd_hal_fallback in GRUB's
# environment (grubenv, on the filesystem of /boot); the next boot clears it and boots the OS
# natively, skipping these entries that once. The entries tell hal-init where grubenv is.
env_dir=grub
[ -d "$boot/grub2" ] && [ ! -d "$boot/grub" ] && env_dir=grub2
env_uuid=
if [ -f "$boot/$env_dir/grubenv" ]; then
    env_uuid=${GRUB_DEVICE_BOOT_UUID:-}
    if [ -z "$env_uuid" ] && [ -z "$root" ]; then
        env_uuid=$(grub-probe --target=fs_uuid /boot 2>/dev/null) || env_uuid=
    fi
    # GRUB cannot save_env there (btrfs, ZFS, LVM, RAID, encryption): a flag it could not
    # clear would boot the OS natively every time, so no flag at all.
    if [ -z "$root" ]; then
        case "$(grub-probe --target=fs /boot 2>/dev/null)" in btrfs | zfs) env_uuid= ;; esac
        [ -z "$(grub-probe --target=abstraction /boot 2>/dev/null)" ] || env_uuid=
    fi
fi
env_file=${prefix}$env_dir/grubenv
hal_env=
[ -n "$env_uuid" ] && hal_env=" hal.grubenv=UUID=$env_uuid:$env_file"
versions=$(cd "$boot" 2>/dev/null && ls -1 hal-initrd.img-* 2>/dev/null |
    sed 's/^hal-initrd\.img-//' | sort -r -V) || true
# entry VERSION TITLE_SUFFIX IMAGE_NAME: one menu entry booting that kernel with that image.
entry() {
    title="${GRUB_DISTRIBUTOR:-Linux}, with Linux $1, under mkinitrd-hal$2"
    id=mkinitrd-hal-$1
    [ -z "$2" ] || id=mkinitrd-hal-generic-$1
    echo "menuentry '$title' --id '$id' {"
    echo "    search --no-floppy --file --set=root ${prefix}$3-$1"
    echo "    linux ${prefix}vmlinuz-$1 ${GRUB_CMDLINE_LINUX} ${GRUB_CMDLINE_LINUX_DEFAULT}$hal_env"
    echo "    initrd ${prefix}$3-$1"
    echo "}"
}
first=
for version in $versions; do
    [ -f "$boot/vmlinuz-$version" ] || continue
    if [ -z "$first" ]; then
        first=$version
        echo "Found mkinitrd-hal image: $boot/hal-initrd.img-$version" >&2
        echo 'insmod smbios'
        echo 'set mkinitrd_hal_guest=""'
        echo 'smbios --type 11 --get-string 4 --set mkinitrd_hal_guest'
        echo 'set mkinitrd_hal_fallback=""'
        if [ -n "$env_uuid" ]; then
            echo 'insmod loadenv'
            echo 'set mkinitrd_hal_env=""'
            echo "search --no-floppy --fs-uuid --set=mkinitrd_hal_env $env_uuid"
            echo 'if [ -n "${mkinitrd_hal_env}" ]; then'
            echo "    load_env --file (\${mkinitrd_hal_env})$env_file mkinitrd_hal_fallback"
            echo 'fi'
            echo 'if [ -n "${mkinitrd_hal_fallback}" ]; then'
            echo '    echo "mkinitrd-hal could not run the OS: ${mkinitrd_hal_fallback}"'
            echo '    echo "This boot is the OS on its own; the next one is mkinitrd-hal again."'
            echo '    set mkinitrd_hal_fallback=""'
            echo "    save_env --file (\${mkinitrd_hal_env})$env_file mkinitrd_hal_fallback"
            echo 'elif [ "${mkinitrd_hal_guest}" != "mkinitrd-hal:guest" ]; then'
        else
            echo 'if [ "${mkinitrd_hal_guest}" != "mkinitrd-hal:guest" ]; then'
        fi
    fi
    entry "$version" "" hal-initrd.img
done
# The generic images (every module), after: for a machine whose hardware changed.
for version in $versions; do
    [ -f "$boot/vmlinuz-$version" ] && [ -f "$boot/hal-initrd-generic.img-$version" ] || continue
    entry "$version" " (generic image)" hal-initrd-generic.img
done
[ -n "$first" ] || exit 0
if [ "$make_default" = yes ]; then
    echo "if [ -z \"\${boot_once}\" ]; then set default='mkinitrd-hal-$first'; fi"
fi
echo "fi"
)SCRIPT";

bool exists(const std::string& path) {
    struct stat info;
    return ::stat(path.c_str(), &info) == 0;
}

std::string joined(const std::string& root, const char* path) {
    return root == "/" ? std::string(path) : root + path;
}

int refuse(const std::string& what) {
    std::fprintf(stderr, "mkinitrd-hal: error: %s\n", what.c_str());
    return 1;
}

// Writes `text` to `path` whole (a temporary file renamed over it), mode 0755.
int write_script(const std::string& path, const std::string& text) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file << text;
        file.close();
        if (!file) return refuse("cannot write " + temporary + ": " + std::strerror(errno));
    }
    if (::chmod(temporary.c_str(), 0755) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        return refuse("cannot install " + path + ": " + std::strerror(error));
    }
    return 0;
}

// Runs `argv` with `environment` ("NAME=VALUE", or nullptr) added and its stdout on `out`;
// returns its exit status.
int run_command(const char* const* argv, const char* environment, FILE* out) {
    std::fflush(out);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) return refuse(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        if (environment) ::putenv(const_cast<char*>(environment));
        ::dup2(::fileno(out), 1);
        ::execvp(argv[0], const_cast<char* const*>(argv));
        std::fprintf(stderr, "mkinitrd-hal: error: cannot run %s: %s\n", argv[0],
                     std::strerror(errno));
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool in_path(const char* name) {
    const std::string command = std::string("command -v ") + name + " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

// The distribution's own command that makes grub.cfg from /etc/grub.d.
int regenerate_grub(FILE* out) {
    static const char* const kUpdateGrub[] = {"update-grub", nullptr};
    static const char* const kMkconfig[] = {"grub-mkconfig", "-o", "/boot/grub/grub.cfg", nullptr};
    static const char* const kMkconfig2[] = {"grub2-mkconfig", "-o", "/boot/grub2/grub.cfg",
                                             nullptr};
    const char* const* command = in_path("update-grub")      ? kUpdateGrub
                                 : in_path("grub-mkconfig")  ? kMkconfig
                                 : in_path("grub2-mkconfig") ? kMkconfig2
                                                             : nullptr;
    if (!command)
        return refuse("no update-grub, grub-mkconfig or grub2-mkconfig to regenerate grub.cfg");
    const int status = run_command(command, nullptr, stderr);
    if (status != 0)
        return refuse(std::string(command[0]) + " failed (exit status " + std::to_string(status) +
                      ")");
    std::fprintf(out, "mkinitrd-hal: boot loader configuration regenerated (%s)\n", command[0]);
    return 0;
}

// --root: what grub-mkconfig will write there, from that system's /boot, and what to run.
int show_entries(const BootInstall& install, const std::string& script, FILE* out) {
    if (!install.remove) {
        static std::string environment;
        environment = "MKINITRD_HAL_ROOT=" + install.root;
        const char* const argv[] = {"/bin/sh", script.c_str(), nullptr};
        std::fprintf(out, "mkinitrd-hal: the entries grub.cfg will have:\n");
        if (const int status = run_command(argv, environment.c_str(), out); status != 0)
            return refuse(script + " failed (exit status " + std::to_string(status) + ")");
    }
    std::fprintf(out,
                 "mkinitrd-hal: --root: grub.cfg is not regenerated here; in that system run "
                 "update-grub (or grub-mkconfig -o /boot/grub/grub.cfg)\n");
    return 0;
}

}  // namespace

std::string grub_script(bool make_default) {
    std::string script = kScript;
    script.replace(script.find("@DEFAULT@"), 9, make_default ? "yes" : "no");
    return script;
}

int run_boot_install(const BootInstall& install, FILE* out) {
    const bool live = install.root == "/";
    const char* verb = install.remove ? "--remove-boot" : "--install-boot";
    if (live && ::geteuid() != 0)
        return refuse(std::string(verb) +
                      " changes the boot loader: run it as root (or with --root DIR for a system "
                      "mounted at DIR)");
    const std::string grub_d = joined(install.root, "/etc/grub.d");
    if (!exists(grub_d))
        return refuse("no GRUB configuration in " + grub_d +
                      ": machines without GRUB (a unified kernel image and a firmware boot "
                      "entry) are not supported yet");
    const std::string script = joined(install.root, kGrubScriptPath);
    if (install.remove) {
        if (::unlink(script.c_str()) != 0 && errno != ENOENT)
            return refuse("cannot remove " + script + ": " + std::strerror(errno));
    } else if (const int status = write_script(script, grub_script(install.make_default));
               status != 0) {
        return status;
    }
    std::fprintf(out, "mkinitrd-hal: %s %s\n", install.remove ? "removed" : "installed",
                 script.c_str());
    return live ? regenerate_grub(out) : show_entries(install, script, out);
}

}  // namespace hal::pack
