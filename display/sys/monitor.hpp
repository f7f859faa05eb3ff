// The host's monitor, before the launch: a connected DRM connector and its native mode (which
// the guest's EDID advertises), or, on a host whose display has no DRM driver, the firmware's
// framebuffer (efifb, vesafb). One log line either way.
#pragma once

#include "display/host_display.hpp"
#include "display/settings.hpp"

namespace hal {

MonitorFacts probe_monitor(const DisplaySettings& settings);

}  // namespace hal
