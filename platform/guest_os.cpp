// The guest OS decision; no I/O.
#include "platform/guest_os.hpp"

namespace hal {

GuestOsDecision decide_guest_os(GuestOs setting, const DiskBootSigns& signs) {
    if (setting != GuestOs::kAuto) return {setting, "set by guest_os"};
    if (signs.windows) return {GuestOs::kWindows, signs.windows_reason};
    return {GuestOs::kOther, "no sign of Windows on the boot disk"};
}

}  // namespace hal
