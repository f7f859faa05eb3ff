#!/usr/bin/env bash
# run-vm.sh KERNEL_ROOT IMAGE DISK: boots the HAL image in QEMU with DISK as the machine's
# disk, the console on this terminal. KVM only when it really works, TCG otherwise.
# HAL_RUN_QMP=PATH adds a QMP monitor on that socket (the fresh-machine check's freeze probe).
set -euo pipefail
kernel_root=$1 image=$2 disk=$3
kernel=$(ls "$kernel_root"/boot/vmlinuz-* | head -n 1)

# /dev/kvm alone is not enough: nested KVM without vmx/svm in the CPU flags hangs at boot.
if [[ -r /dev/kvm && -w /dev/kvm ]] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
    accel=(-accel kvm -cpu host)
    echo "run-vm: using KVM (/dev/kvm is usable and the CPU has vmx/svm)"
else
    accel=(-accel tcg)
    if [[ -e /dev/kvm ]]; then
        echo "run-vm: using TCG: /dev/kvm exists but the CPU has no vmx/svm flag (nested KVM would hang)"
    else
        echo "run-vm: using TCG: no /dev/kvm"
    fi
fi
echo "run-vm: booting $image with disk $disk (quit: Ctrl-A X)"
exec qemu-system-x86_64 -machine pc "${accel[@]}" -smp 2 -m 1024 \
    -nodefaults -no-user-config -display none -no-reboot \
    -serial mon:stdio \
    -kernel "$kernel" -initrd "$image" -append "console=ttyS0 panic=-1 ${HAL_APPEND:-}" \
    -drive "file=$disk,format=raw,if=virtio" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    ${HAL_RUN_QMP:+-qmp "unix:$HAL_RUN_QMP,server=on,wait=off"}
