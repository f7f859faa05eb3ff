// Whether an EFI System Partition holds a signed boot loader: its FAT directory \EFI\ and each
// vendor directory under it (\EFI\BOOT, \EFI\debian, \EFI\Microsoft\Boot is one level deeper
// and read too) searched for *.EFI files whose PE header carries an Authenticode certificate
// table. Signed means signed, not trusted: the guest's firmware checks the signature itself.
// The bytes come from the caller (a ByteSource over the partition); every walk is bounded.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/text.hpp"

namespace hal {

class ByteSource {
public:
    // Fills out[0, size) from `offset` bytes into the partition; false on a short read.
    virtual bool read(uint64_t offset, uint8_t* out, size_t size) = 0;

protected:
    ~ByteSource() = default;  // not deleted through this type (hal-init has no operator delete)
};

struct EspLoaders {
    bool readable = false;  // a FAT12/16/32 file system with an \EFI directory
    size_t loaders = 0;     // *.EFI files found
    size_t signed_loaders = 0;
    FixedString<48> first_signed;  // its path, as EFI/BOOT/BOOTX64.EFI (8.3 names)
    // Windows Boot Manager (bootmgfw.efi, in \EFI\Microsoft\Boot): Windows is installed.
    bool windows_boot_manager = false;
};

// Room for the scan's reads; the caller keeps it (64 KiB + a file head).
struct EspScanBuffers {
    uint8_t directories[3][16384];  // \EFI, a vendor directory, one below it
    uint8_t head[4096];             // the first bytes of a loader
};

EspLoaders scan_esp_loaders(ByteSource& partition, EspScanBuffers& buffers);

// A PE image (MZ, PE32 or PE32+) whose certificate table data directory is not empty.
bool pe_signed(const uint8_t* data, size_t size);

}  // namespace hal
