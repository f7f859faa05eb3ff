// Parsing of the `disk` setting; no I/O.
#include "disks/disk_spec.hpp"

namespace hal {
namespace {

bool parse_one(std::string_view entry, DiskSpec& spec, const char*& problem) {
    spec = {};
    spec.text = entry;
    if (entry.empty()) {
        problem = "disk has an empty entry";
        return false;
    }
    if (starts_with(entry, "serial:") || starts_with(entry, "wwid:")) {
        const bool serial = starts_with(entry, "serial:");
        spec.kind = serial ? DiskSpecKind::kSerial : DiskSpecKind::kWwid;
        spec.value = entry.substr(serial ? 7 : 5);
        if (spec.value.empty()) {
            problem = "disk serial:/wwid: needs a value";
            return false;
        }
        return true;
    }
    if (entry.find(":/") != std::string_view::npos) {
        spec.kind = DiskSpecKind::kImage;
        if (!parse_file_on_device(entry, spec.image)) {
            problem = "a disk image must be DEVICE:/PATH with DEVICE LABEL=, UUID=, PARTLABEL= or /dev/...";
            return false;
        }
        return true;
    }
    if (starts_with(entry, "/dev/") && entry.size() > 5) {
        spec.kind = DiskSpecKind::kPath;
        spec.value = entry;
        return true;
    }
    problem = "disk must be auto, all, or a list of /dev paths, serial:TEXT, wwid:TEXT and DEVICE:/FILE images";
    return false;
}

}  // namespace

bool parse_disk_specs(std::string_view text, DiskSpecList& list, const char*& problem) {
    list.count = 0;
    text = trim(text);
    if (text == "auto" || text == "all") {
        list.specs[0] = {};
        list.specs[0].kind = text == "auto" ? DiskSpecKind::kAuto : DiskSpecKind::kAll;
        list.specs[0].text = text;
        list.count = 1;
        return true;
    }
    while (true) {
        const size_t comma = text.find(',');
        const std::string_view entry = trim(text.substr(0, comma));
        if (entry == "auto" || entry == "all") {
            problem = "disk auto and all stand alone, not in a list";
            return false;
        }
        if (list.count == kMaxGuestDisks) {
            problem = "disk lists at most 8 entries";
            return false;
        }
        if (!parse_one(entry, list.specs[list.count], problem)) return false;
        ++list.count;
        if (comma == std::string_view::npos) return true;
        text.remove_prefix(comma + 1);
    }
}

}  // namespace hal
