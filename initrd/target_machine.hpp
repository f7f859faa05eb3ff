// What the packer asks of the machine an image is for, beyond its devices: whether it boots
// with Secure Boot on (its guest's Secure Boot follows; its locked-down kernel refuses
// unsigned modules) and whether it has a TPM (a new image changes what the TPM measures).
#pragma once

#include <string>

namespace hal::pack {

// `setting`: --secure-boot's auto, on or off; auto reads the machine's SecureBoot variable
// under `sysfs` (firmware/efi/efivars). False on a BIOS machine or when efivarfs is not there.
bool target_secure_boot(const std::string& setting, const std::string& sysfs);

// A TPM under `sysfs` (class/tpm/tpm0).
bool machine_has_tpm(const std::string& sysfs);

// The warning for replacing `output` with different bytes on a machine with a TPM.
std::string replaced_image_tpm_warning(const std::string& output);

}  // namespace hal::pack
