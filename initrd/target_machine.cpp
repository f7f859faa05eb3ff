// The target machine's Secure Boot and TPM, and the warnings they call for.
#include "initrd/target_machine.hpp"

#include "image/file_io.hpp"
#include "platform/host_text.hpp"

namespace hal::pack {

bool target_secure_boot(const std::string& setting, const std::string& sysfs) {
    if (setting != "auto") return setting == "on";
    const auto file =
        read_whole_file(sysfs + "/firmware/efi/efivars/" + std::string(kSecureBootVariable));
    return file.ok() && efi_boolean_variable(file.value()).value_or(false);
}

bool machine_has_tpm(const std::string& sysfs) { return is_directory(sysfs + "/class/tpm/tpm0"); }

std::string replaced_image_tpm_warning(const std::string& output) {
    return output +
           " replaced with a different image on a machine with a TPM: what the boot loader "
           "measures of it changes, so a guest that seals secrets to those PCRs (BitLocker) asks "
           "for its recovery key once";
}

}  // namespace hal::pack
