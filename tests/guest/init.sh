#!/bin/busybox sh
# /init of the real Linux test guest (Debian's kernel + this busybox initramfs). What it does
# comes from guest.* words on its kernel command line, which the disk builder writes into the
# bootloader's configuration; every report is a GUEST- line on the serial console.
#   guest.disks=N      wait (up to 30 s) until N disks are visible before reporting
#   guest.steps=a,b    steps in order: facts, efivar, net, serve, paint, input (inputbg: in the
#                      background), idle, storm, flip, scribble, soak, panic, wait, modaliases (every device's
#                      modalias and bound driver, as mkinitrd-hal --hostonly-modaliases reads them),
#                      roms (PCI devices with an option ROM), hypervisor (the kernel's
#                      "Hypervisor detected" line and its clock sources), tpm (its TPM's
#                      version and manufacturer), secureboot (the SecureBoot variable and
#                      the kernel's lockdown line), hang (arms its watchdog for 3 s, never
#                      pets it again, and hangs), reboot (reboots; the steps after it never run)
#   guest.efivar=TEXT  the value the efivar step writes when the variable is absent
#   guest.paint=R,G,B  the colour the paint step fills the screen with
#   guest.input=SECS   how long the input step reports events
#   guest.idle=SECS    how long the idle step leaves the screen as it is
#   guest.storm=SECS   how long the storm step repaints the whole screen
#   guest.flips=N      how many key presses the flip step answers with a new screen
#   guest.scribble=DEV the disk the scribble step overwrites 1 MiB of, 40 MiB in
#   guest.soak=HOW     how the soak step ends: button, poweroff:SECS or panic:SECS
#   guest.readbench=SERIAL  the disk the readbench step reads (O_DIRECT: MiB/s and 4k IOPS)
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "GUEST-BOOT kernel $(uname -r) up"

while read -r module; do
    insmod "/lib/modules/$module" 2>/dev/null
done < /lib/modules/load.list

disks=0 steps=facts efivar_value=hal paint_colour=0,0,255 input_seconds=20 idle_seconds=10 storm_seconds=10 flips=10 scribble_disk=sda soak_stop=button readbench_serial=-
for word in $(cat /proc/cmdline); do
    case "$word" in
        guest.disks=*) disks=${word#guest.disks=} ;;
        guest.steps=*) steps=${word#guest.steps=} ;;
        guest.efivar=*) efivar_value=${word#guest.efivar=} ;;
        guest.paint=*) paint_colour=${word#guest.paint=} ;;
        guest.input=*) input_seconds=${word#guest.input=} ;;
        guest.idle=*) idle_seconds=${word#guest.idle=} ;;
        guest.storm=*) storm_seconds=${word#guest.storm=} ;;
        guest.flips=*) flips=${word#guest.flips=} ;;
        guest.scribble=*) scribble_disk=${word#guest.scribble=} ;;
        guest.soak=*) soak_stop=${word#guest.soak=} ;;
        guest.readbench=*) readbench_serial=${word#guest.readbench=} ;;
    esac
done

count_disks() {
    ls /sys/block | grep -cvE '^(loop|ram)'
}
waited=0
while [ "$(count_disks)" -lt "$disks" ] && [ $waited -lt 300 ]; do
    sleep 0.1
    waited=$((waited + 1))
done

stop_on_power_button() {
    guest-tool powerbutton
    echo "GUEST-STOPPING power button"
}

for step in $(echo "$steps" | tr ',' ' '); do
    case "$step" in
        facts) guest-tool facts ;;
        tpm) guest-tool tpm ;;
        hang)
            if [ -e /dev/watchdog ] && watchdog -T 3 -t 3600 /dev/watchdog; then
                echo "GUEST-HANG watchdog armed for 3 s, never petted again"
            else
                echo "GUEST-HANG no watchdog"
            fi
            sleep 3600
            ;;
        secureboot)
            mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
            # efivarfs files cannot seek: the value is the last of the 5 bytes.
            secure=$(tail -c 1 /sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c 2>/dev/null | od -An -tu1 | tr -d ' ')
            umount /sys/firmware/efi/efivars 2>/dev/null
            echo "GUEST-SECUREBOOT ${secure:-absent}; $(dmesg | grep -o 'Kernel is locked down from .*' | head -n 1)"
            ;;
        hypervisor)
            echo "GUEST-HYPERVISOR $(dmesg | grep -o 'Hypervisor detected: .*' | head -n 1)"
            echo "GUEST-CLOCKSOURCES $(cat /sys/devices/system/clocksource/clocksource0/available_clocksource)"
            ;;
        efivar)
            mount -t efivarfs efivarfs /sys/firmware/efi/efivars 2>/dev/null
            guest-tool efivar "$efivar_value"
            umount /sys/firmware/efi/efivars 2>/dev/null
            ;;
        net)
            ip link set lo up
            ip link set eth0 up
            if udhcpc -i eth0 -n -q -t 10 -T 2 -s /bin/udhcpc-script >/dev/null 2>&1; then
                echo "GUEST-LEASE $(ip -4 -o addr show eth0 | awk '{print $4}')"
            else
                echo "GUEST-LEASE none"
            fi
            ;;
        serve)
            mkdir -p /www
            echo "HAL-GUEST-HTTP $(cat /sys/class/net/eth0/address)" > /www/index.html
            # 16 MiB for the LAN benchmark's throughput figure (RAM: the initramfs is the root).
            dd if=/dev/urandom of=/www/big bs=1M count=16 2>/dev/null
            httpd -p 80 -h /www
            echo "GUEST-SERVING 80"
            stop_on_power_button
            ;;
        paint) guest-tool paint $(echo "$paint_colour" | tr ',' ' ') ;;
        scribble)
            if dd if=/dev/urandom of="/dev/$scribble_disk" bs=1M seek=40 count=1 conv=fsync 2>/dev/null; then
                echo "GUEST-SCRIBBLED $scribble_disk"
            else
                echo "GUEST-SCRIBBLE failed on $scribble_disk"
            fi
            ;;
        input) guest-tool input "$input_seconds" ;;
        inputbg) guest-tool input "$input_seconds" & ;;
        idle)
            echo "GUEST-IDLE start"
            sleep "$idle_seconds"
            echo "GUEST-IDLE end"
            ;;
        storm) guest-tool storm "$storm_seconds" ;;
        flip) guest-tool flip "$flips" ;;
        soak)
            # Checksummed files, fsync'd, on the ext4 partition until the guest is stopped:
            # guest.soak=button (the power button), =poweroff:SECS (the guest powers off by
            # itself), =panic:SECS (the guest panics mid-write; after the reboot it unmounts
            # cleanly and powers off).
            mkdir -p /data
            if mount -t ext4 /dev/vda2 /data; then
                guest-tool verify /data
                case "$soak_stop" in
                    panic:*)
                        if [ -e /data/.panicked ]; then
                            rm /data/.panicked
                            echo "GUEST-SOAK after the panic"
                        else
                            touch /data/.panicked
                            sync
                            guest-tool soak /data &
                            sleep "${soak_stop#panic:}"
                            echo "GUEST-PANICKING"
                            echo c > /proc/sysrq-trigger
                        fi
                        ;;
                    poweroff:*)
                        guest-tool soak /data &
                        soaker=$!
                        sleep "${soak_stop#poweroff:}"
                        kill $soaker
                        wait $soaker 2>/dev/null
                        ;;
                    *)
                        guest-tool soak /data &
                        soaker=$!
                        stop_on_power_button
                        kill $soaker
                        wait $soaker 2>/dev/null
                        ;;
                esac
                umount /data
                echo "GUEST-UNMOUNTED /data"
            else
                echo "GUEST-SOAK cannot mount /dev/vda2"
            fi
            ;;
        panic)
            echo "GUEST-PANICKING"
            echo c > /proc/sysrq-trigger
            ;;
        wait) stop_on_power_button ;;
        readbench) guest-tool readbench "$readbench_serial" ;;
        reboot)
            echo "GUEST-REBOOT"
            sync
            reboot -f
            ;;
        roms)
            # PCI devices with an expansion ROM (a NIC's PXE ROM is there only with nic_boot).
            for device in /sys/bus/pci/devices/*; do
                [ -e "$device/rom" ] && echo "GUEST-ROM ${device##*/} $(cat "$device/vendor"):$(cat "$device/device")"
            done
            ;;
        modaliases)
            echo "GUEST-MODALIAS cpu $(awk -F': ' '/^vendor_id/ {print $2; exit}' /proc/cpuinfo)"
            for device in /sys/bus/*/devices/* /sys/class/input/*; do
                [ -r "$device/modalias" ] && echo "GUEST-MODALIAS ${device##*/} $(cat "$device/modalias")"
                [ -e "$device/driver/module" ] && echo "GUEST-MODALIAS driver $(basename "$(readlink "$device/driver/module")")"
            done
            ;;
    esac
done
echo "GUEST-DONE"
sync
poweroff -f
