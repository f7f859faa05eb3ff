// Reads the machine's facts (KVM, CPUs, memory) that the launcher decides from.
#pragma once

#include "launcher/launcher.hpp"

namespace hal {

HostFacts probe_host();

}  // namespace hal
