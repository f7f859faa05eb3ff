// Parsing of the `disk` setting; no I/O.
#include "disks/disk_spec.hpp"

namespace hal {
namespace {

constexpr const char* kUnknownForm =
    "disk must be auto, all, or a list of /dev paths, serial:TEXT, wwid:TEXT and DEVICE:/FILE "
    "images";

Parsed<DiskSpec> parse_one(std::string_view entry) {
    DiskSpec spec;
    if (entry.empty()) return ParseError{"disk has an empty entry"};
    if (!spec.text.assign(entry)) return ParseError{"a disk entry is too long"};
    if (starts_with(entry, "serial:") || starts_with(entry, "wwid:")) {
        const bool serial = starts_with(entry, "serial:");
        spec.kind = serial ? DiskSpecKind::kSerial : DiskSpecKind::kWwid;
        const std::string_view value = entry.substr(serial ? 7 : 5);
        if (value.empty()) return ParseError{"disk serial:/wwid: needs a value"};
        spec.value.assign(value);
        return spec;
    }
    if (entry.find(":/") != std::string_view::npos) {
        spec.kind = DiskSpecKind::kImage;
        const auto image = parse_file_on_device(entry);
        if (!image.ok())
            return ParseError{
                "a disk image must be DEVICE:/PATH with DEVICE LABEL=, UUID=, PARTLABEL= or "
                "/dev/..."};
        spec.image = image.value();
        return spec;
    }
    if (starts_with(entry, "/dev/") && entry.size() > 5) {
        spec.kind = DiskSpecKind::kPath;
        spec.value.assign(entry);
        return spec;
    }
    return ParseError{kUnknownForm};
}

}  // namespace

DiskSpecList DiskSpecList::automatic() {
    DiskSpecList list;
    list.text.assign("auto");
    list.specs[0].text.assign("auto");
    list.count = 1;
    return list;
}

Parsed<DiskSpecList> parse_disk_specs(std::string_view text) {
    DiskSpecList list;
    text = trim(text);
    if (!list.text.assign(text)) return ParseError{"disk is too long"};
    if (text == "auto" || text == "all") {
        list.specs[0].kind = text == "auto" ? DiskSpecKind::kAuto : DiskSpecKind::kAll;
        list.specs[0].text.assign(text);
        list.count = 1;
        return list;
    }
    while (true) {
        const size_t comma = text.find(',');
        const std::string_view entry = trim(text.substr(0, comma));
        if (entry == "auto" || entry == "all")
            return ParseError{"disk auto and all stand alone, not in a list"};
        if (list.count == kMaxGuestDisks) return ParseError{"disk lists at most 8 entries"};
        list.specs[list.count++] = TRY(parse_one(entry));
        if (comma == std::string_view::npos) return list;
        text.remove_prefix(comma + 1);
    }
}

}  // namespace hal
