// Unit tests for glob matching against real modules.alias patterns.
#include <doctest/doctest.h>

#include <string>

#include "base/glob.hpp"

TEST_CASE("glob: modules.alias patterns from Debian 6.1 table -> match as modprobe does") {
    struct Case {
        const char* pattern;
        const char* modalias;
        bool matches;
    };
    const Case cases[] = {
        // virtio_pci and virtio_blk, against the modaliases QEMU's devices report.
        {"pci:v00001AF4d*sv*sd*bc*sc*i*", "pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00",
         true},
        {"pci:v00001AF4d*sv*sd*bc*sc*i*", "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00",
         false},
        {"virtio:d00000002v*", "virtio:d00000002v00001AF4", true},
        {"virtio:d00000002v*", "virtio:d00000001v00001AF4", false},
        // ahci's class match and e1000's exact device.
        {"pci:v*d*sv*sd*bc01sc06i01*", "pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01",
         true},
        {"pci:v00008086d0000100Esv*sd*bc*sc*i*",
         "pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00", true},
        // nvme's class match; sd_mod's SCSI type.
        {"pci:v*d*sv*sd*bc01sc08i02*", "pci:v00001B36d00000010sv00001AF4sd00001100bc01sc08i02",
         true},
        {"scsi:t-0x00*", "scsi:t-0x00", true},
        {"scsi:t-0x00*", "scsi:t-0x05", false},
        // The ACPI power button, and kvm_intel's CPU feature alias.
        {"acpi*:LNXPWRBN:*", "acpi:LNXPWRBN:", true},
        {"cpu:type:x86,ven*fam*mod*:feature:*0085*",
         "cpu:type:x86,ven0000fam0006mod003F:feature:,0000,0085,00C2", true},
        {"cpu:type:x86,ven*fam*mod*:feature:*0085*",
         "cpu:type:x86,ven0002fam0017mod0031:feature:,0000,00C2", false},
        // Classes, ranges, negation, escapes and the edges.
        {"usb:v*p*d*dc*dsc*dp*ic03isc01ip0[12]in*",
         "usb:v046Dp0001d0100dc00dsc00dp00ic03isc01ip02in00", true},
        {"usb:v*p*d*dc*dsc*dp*ic03isc01ip0[12]in*",
         "usb:v046Dp0001d0100dc00dsc00dp00ic03isc01ip03in00", false},
        {"a[!b]c", "axc", true},
        {"a[!b]c", "abc", false},
        {"a[a-c]d", "abd", true},
        {"a\\*b", "a*b", true},
        {"a\\*b", "axb", false},
        {"a[b", "a[b", true},
        {"*", "", true},
        {"", "", true},
        {"", "x", false},
        {"?", "", false},
        {"**a**", "bab", true},
    };
    for (const Case& test : cases) {
        CAPTURE(test.pattern);
        CAPTURE(test.modalias);
        CHECK(hal::glob_match(test.pattern, test.modalias) == test.matches);
    }
}

TEST_CASE("glob: many stars against a long non-matching text -> finishes") {
    const std::string text(4000, 'a');
    CHECK_FALSE(hal::glob_match("*a*a*a*a*a*a*a*a*a*a*b", text));
}
