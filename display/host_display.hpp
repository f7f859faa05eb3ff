// The host's monitor as the kernel's DRM connectors describe it in sysfs (cardN-NAME/status,
// cardN-NAME/modes): whether one is connected and its native mode, which the guest's virtual
// monitor advertises in its EDID. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hal {

struct MonitorMode {
    uint32_t width = 0;
    uint32_t height = 0;
};

// True for a connector's status text "connected".
bool connector_connected(std::string_view status);

// The first mode of a connector's modes list ("1920x1080\n1280x1024\n..."): the kernel lists
// the preferred mode first. nullopt when there is none or it is not WIDTHxHEIGHT.
std::optional<MonitorMode> preferred_mode(std::string_view modes);

}  // namespace hal
