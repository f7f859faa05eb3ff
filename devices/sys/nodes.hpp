// Device nodes: the standard /dev links, and nodes made from sysfs where devtmpfs is absent.
#pragma once

#include "devices/sys/uevents.hpp"
#include "devices/uevent.hpp"

namespace hal {

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr (devtmpfs does not create them).
void create_standard_links();

// mknod for every device sysfs lists (/sys/class/*/*/dev, DEVNAME from its uevent file);
// returns how many nodes were created.
unsigned create_nodes_from_sysfs();

// mknod for a device that appeared after the sysfs walk.
void create_node_for_uevent(const Uevent& event);

// Without devtmpfs: a node for each device as it appears.
class StaticNodes : public UeventListener {
public:
    void on_device_added(const Uevent& event) override { create_node_for_uevent(event); }
};

}  // namespace hal
