# Devices of the bundled static QEMU (`make qemu-static`, built --without-default-devices):
# the machines and devices hal-init's launcher can ask for, nothing else. Kconfig `select`s
# bring what these need (PIIX/ICH9 chipsets, ACPI, fw_cfg, serial, RTC...).
CONFIG_I440FX=y
CONFIG_Q35=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_NET=y
CONFIG_VIRTIO_SCSI=y
CONFIG_VIRTIO_RNG=y
CONFIG_VIRTIO_BALLOON=y
CONFIG_VIRTIO_SERIAL=y
CONFIG_AHCI_ICH9=y
CONFIG_NVME_PCI=y
CONFIG_E1000_PCI=y
CONFIG_E1000E_PCI_EXPRESS=y
CONFIG_VGA_PCI=y
CONFIG_BOCHS_DISPLAY=y
# virtio-vga for guest_video = virtio (std VGA above is the default).
CONFIG_VIRTIO_GPU=y
CONFIG_VIRTIO_VGA=y
# A USB tablet on xHCI: the absolute pointer every current OS drives (display = auto).
CONFIG_USB_XHCI_PCI=y
# pvpanic: a guest kernel panic reaches QEMU (and hal-init's exit policy) instead of hanging.
CONFIG_PVPANIC_ISA=y
# Hyper-V's synthetic interrupt controller (SynIC) behind -cpu hv-synic, which the Hyper-V
# enlightenments of a Windows guest include (guest_os); without it QEMU stops at startup.
CONFIG_HYPERV=y
# rtl8139 for nic_model = rtl8139: the original script's NIC, which OSes written for QEMU drive.
CONFIG_RTL8139_PCI=y
# The guest's TPM front ends for the host's TPM (tpm = auto): CRB (TPM 2.0 on current
# machines) and TIS (older TPM 2.0 and 1.2).
CONFIG_TPM_CRB=y
CONFIG_TPM_TIS_ISA=y
# ... and the backend that hands them the host's /dev/tpm0 (not a default without default
# devices).
CONFIG_TPM_PASSTHROUGH=y
# The guest's own watchdog (guest_watchdog = i6300esb): its expiry is a QMP WATCHDOG event.
CONFIG_WDT_IB6300ESB=y
# The machine's own PCI devices for the guest (passthrough): QEMU's vfio-pci front end, which
# needs no library.
CONFIG_VFIO_PCI=y
# ... and a PCIe root port for each passed PCIe device on q35, as the device sat on one.
CONFIG_PCIE_PORT=y
