// The TPM decision; no I/O.
#include "platform/tpm.hpp"

namespace hal {

TpmDecision decide_tpm(TpmSetting setting, const TpmFacts& facts) {
    TpmDecision decision;
    if (setting == TpmSetting::kNone) {
        decision.reason = "tpm = none: the guest starts without one";
        return decision;
    }
    if (!facts.present) {
        decision.reason = "no TPM on this machine (/dev/tpm0): the guest starts without one";
        decision.fatal = setting == TpmSetting::kPassthrough;
        return decision;
    }
    if (facts.open_error != 0) {
        decision.reason =
            "the machine's TPM (/dev/tpm0) does not open (in use?): the guest starts without one";
        decision.fatal = setting == TpmSetting::kPassthrough;
        return decision;
    }
    decision.pass = true;
    // CRB is a TPM 2.0 interface; a TPM 1.2, or a 2.0 behind TIS (FIFO), keeps TIS.
    const bool crb = facts.version_major == 2 && facts.driver.view() == "tpm_crb";
    decision.front_end = crb ? "tpm-crb" : "tpm-tis";
    decision.reason = crb ? "the machine's TPM 2.0 (CRB) passed through"
                          : "the machine's TPM passed through (TIS)";
    return decision;
}

}  // namespace hal
