// Linux input key codes (what the host keyboard sends) to QEMU key numbers (what QEMU's
// extended key event takes: the PC/XT scancode, 0x80 | code for E0-prefixed keys). No I/O.
#pragma once

#include <cstdint>

namespace hal {

// 0 for keys the guest's PC keyboard does not have.
uint32_t qemu_key_number(uint16_t linux_code);

}  // namespace hal
