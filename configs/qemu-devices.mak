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
