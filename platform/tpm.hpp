// Whether the guest gets the machine's own TPM, and as which device: the same endorsement key,
// NV storage and PCRs the host firmware measured into (what Windows 11 and BitLocker look
// for). No I/O.
#pragma once

#include "platform/facts.hpp"
#include "platform/settings.hpp"

namespace hal {

struct TpmDecision {
    bool pass = false;           // -tpmdev passthrough of /dev/tpm0
    const char* front_end = "";  // the guest's device: tpm-crb (TPM 2.0 on CRB) or tpm-tis
    const char* reason = "";     // for the one log line
    bool fatal = false;          // tpm = passthrough and there is no TPM to pass
};

TpmDecision decide_tpm(TpmSetting setting, const TpmFacts& facts);

// What QEMU's passthrough backend writes to cancel a command: the driver's sysfs file when it
// has one (TPM 1.2 drivers), else /dev/null (TPM 2.0 drivers have none, and without a path
// QEMU refuses to start).
inline const char* tpm_cancel_path(const TpmFacts& facts) {
    return facts.cancel ? "/sys/class/tpm/tpm0/device/cancel" : "/dev/null";
}

}  // namespace hal
