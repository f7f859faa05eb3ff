#!/usr/bin/env bash
# fresh-check.sh [--quick] [WORKDIR]: runs the README's commands as a new user would, in a
# clean Debian 12 root made by debootstrap from the package mirror (nothing of this machine's
# installed packages or caches inside), then checks that the static QEMU was built from
# source there and packed into the image.
#   default   `make run`, then `make check` (the whole suite, less this script's own test)
#   --quick   `make run` only: what `make check` runs as its fresh-machine test
# The pristine root is cached as a tarball beside the other downloads (a week at most); every
# run unpacks a new copy. Needs root (chroot, mounts), like CI.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
quick=no
if [[ ${1:-} == --quick ]]; then
    quick=yes
    shift
fi
cache=${HAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mkinitrd-hal}
mirror=${HAL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
tarball="$cache/fresh-root-bookworm.tar"
work=${1:-$(mktemp -d /var/tmp/hal-fresh.XXXXXX)}
root="$work/root"
say() { echo "fresh-check: $*" >&2; }

mounted=()
step_pid=
cleanup() {
    local status=$?
    if [[ -n $step_pid ]]; then
        kill -TERM -- "-$step_pid" 2>/dev/null || true
        wait "$step_pid" 2>/dev/null || true
    fi
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
# Stopped from outside (a test's timeout): the steps, the mounts and the root go too.
trap 'exit 143' TERM INT HUP

if [[ ! -f $tarball ]] || [[ -n $(find "$tarball" -mtime +7 2>/dev/null) ]]; then
    say "debootstrap bookworm from $mirror"
    mkdir -p "$cache" "$work/bootstrap"
    debootstrap --variant=minbase bookworm "$work/bootstrap" "$mirror" > "$work/debootstrap.log" 2>&1 ||
        { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
    tar -C "$work/bootstrap" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$work/bootstrap"
fi
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
say "clean root in $root ($(du -sh "$root" | cut -f1)); installed packages: $(chroot "$root" dpkg-query -W | wc -l)"

# Only what the README assumes of a machine: make and git to get and drive the repository.
bind() {
    mkdir -p "$root$1"
    mount --bind "$1" "$root$1"
    mounted+=("$root$1")
}
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
bind /sys
bind /dev
bind /dev/pts
mount -t tmpfs tmpfs "$root/run" && mounted+=("$root/run")
mount -t tmpfs tmpfs "$root/tmp" && mounted+=("$root/tmp")
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
say "apt-get install make git (the README's starting point)"
in_root bash -c 'apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q make git' \
    > "$work/prepare.log" 2>&1 || { tail -n 20 "$work/prepare.log" >&2; exit 1; }

# The repository as committed plus the working tree's changes, without build products.
mkdir -p "$root/src/mkinitrd-hal"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
    tar -C "$root/src/mkinitrd-hal" -xf -

# Seconds of silence in `make run`'s log, once the outer VM boots, after which the freeze
# probe asks whether the outer VM itself is stuck: its whole run takes under a minute under
# TCG. The outer kernel, nested KVM on an emulated SVM CPU, now and then loses a CPU for good
# (stuck at one instruction, interrupts off). Only that proof (tests/boot/rig.py: the outer
# QEMU answers no QMP, its vCPUs are not running, or one is frozen with interrupts off) is the
# rig and earns another try, up to three tries, each printed and counted; silence without it
# is the project's failure.
BOOT_SILENCE_SECONDS=180
# make run's outer QEMU gets a QMP monitor here (scripts/run-vm.sh, HAL_RUN_QMP), inside the root.
RUN_QMP=/run/hal-fresh-qmp.sock
rig_retries=0

# run_step NAME COMMAND...: runs COMMAND in the clean root, its output in NAME.log. Returns
# 0 when it passed, 2 when the probe proved its outer VM frozen (the caller may try again);
# exits on failure.
run_step() {
    local name=$1
    shift
    say "running: $* (log: $work/$name.log)"
    local started=$(date +%s) size=-1 silent=0 status=0
    setsid chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        HAL_RUN_QMP=$RUN_QMP bash -c "cd /src/mkinitrd-hal && HAL_FRESH_ROOT=1 $*" < /dev/null > "$work/$name.log" 2>&1 &
    step_pid=$!
    while kill -0 "$step_pid" 2>/dev/null; do
        sleep 5
        grep -q "^run-vm: booting" "$work/$name.log" || continue
        local now_size=$(stat -c %s "$work/$name.log")
        if [[ $now_size == "$size" ]]; then silent=$((silent + 5)); else silent=0 size=$now_size; fi
        ((silent >= BOOT_SILENCE_SECONDS)) || continue
        local verdict
        if verdict=$(python3 "$repo/tests/boot/rig.py" "$root$RUN_QMP" "$work/$name.probe"); then
            kill -TERM -- "-$step_pid" 2>/dev/null || true
            wait "$step_pid" 2>/dev/null || true
            step_pid=
            # Kept outside the clean root, which goes at the end.
            local kept="/var/tmp/hal-fresh-$name.frozen-$(date +%s)"
            mv "$work/$name.log" "$kept.log"
            mv "$work/$name.probe" "$kept.probe"
            rig_retries=$((rig_retries + 1))
            say "rig froze: $verdict (kept: $kept.log, $kept.probe)"
            return 2
        fi
        # Alive: the silence is the project's. Its evidence stays in the report.
        kill -TERM -- "-$step_pid" 2>/dev/null || true
        wait "$step_pid" 2>/dev/null || true
        step_pid=
        tail -n 40 "$work/$name.log" >&2
        head -n 3 "$work/$name.probe" >&2
        say "FAILED: $*: silent for ${silent} s and the outer VM is not frozen (probe: $work/$name.probe)"
        exit 1
    done
    wait "$step_pid" || status=$?
    step_pid=
    if ((status != 0)); then
        tail -n 40 "$work/$name.log" >&2
        say "FAILED: $* after $(( $(date +%s) - started )) s"
        exit 1
    fi
    say "passed: $* in $(( $(date +%s) - started )) s"
}
for try in 1 2 3; do
    run_step make-run make run && break
    ((try < 3)) || { say "FAILED: make run: the outer VM froze three times"; exit 1; }
    say "trying make run again (try $((try + 1)) of 3)"
done
grep -m1 -E "run-vm: using (KVM|TCG)" "$work/make-run.log" >&2 || true
grep -q "HAL-DEMO: hello from the guest OS" "$work/make-run.log" || { say "make run: the demo guest's line is missing"; exit 1; }

qemu="$root/root/.cache/mkinitrd-hal/qemu-static/current/qemu-system-x86_64"
[[ -x $qemu ]] || { say "no static QEMU was built in the clean root"; exit 1; }
file -L "$qemu" | grep -qE "statically linked|static-pie linked" || { say "$qemu is not static"; exit 1; }
say "static QEMU built from source: $(cat "$(dirname "$qemu")/BUILD-INFO"), $(stat -L -c %s "$qemu") bytes"
grep -q "QEMU static (0 libraries)" "$work/make-run.log" || { say "mkinitrd-hal did not pack the static QEMU"; exit 1; }
python3 - "$root/src/mkinitrd-hal/build/hal.img" "$qemu" <<'EOF'
import gzip, re, sys


def entries(archive, offset):
    """(name, data) of the newc archive at `offset`, and where it ends."""
    found = []
    while True:
        header = archive[offset:offset + 110]
        size, name_size = int(header[54:62], 16), int(header[94:102], 16)
        name = archive[offset + 110:offset + 110 + name_size - 1].decode()
        start = (offset + 110 + name_size + 3) & ~3
        offset = (start + size + 3) & ~3
        if name == "TRAILER!!!":
            return found, offset
        found.append((name, archive[start:start + size]))


# The stored modules' archive (uncompressed) first, then the gzip stream with the rest.
image, offset, files = open(sys.argv[1], "rb").read(), 0, []
while image.startswith(b"070701", offset):
    archive, offset = entries(image, offset)
    files += archive
    while offset < len(image) and image[offset] == 0:
        offset += 1
data = gzip.decompress(image[offset:])
offset = 0
while data.startswith(b"070701", offset):
    archive, offset = entries(data, offset)
    files += archive
found = dict(files).get("usr/bin/qemu-system-x86_64")
libraries = [name for name, _ in files if re.search(r"\.so(\.|$)", name)]
assert found == open(sys.argv[2], "rb").read(), "the image's QEMU is not the static build"
assert not libraries, f"shared libraries in the image: {libraries}"
print("fresh-check: the image holds the static QEMU and no shared library", file=sys.stderr)
EOF

if [[ $quick == no ]]; then
    run_step make-check make check
    grep -E "^=+ .*(passed|failed).* =+$" "$work/make-check.log" | tail -n 1 >&2
fi
say "rig retries: $rig_retries"
say "OK"
