"""make bench, the LAN half: the real test guest serves HTTP; the machine running the bench
reaches it through the outer VM's port forward, with the guest bridged onto the outer NIC
(macvtap passthru + vhost-net) and behind QEMU's user network (network = nat + hostfwd), in
one run; then, on a q35 outer VM with an Intel IOMMU and an e1000e NIC, bridged onto that NIC
and with the NIC itself handed to the guest (passthrough = nic, vfio-pci). Figures: round-trip
time of a small GET (median of 50) and throughput of a 16 MiB GET (median of 5), and the
bridge/nat and passthrough/bridge ratios. The outer VM runs under TCG, emulating the NIC, and
its own user network is in every path, so the ratios show what the HAL's paths add, not LAN
speed."""
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from guestos import bios_disk, build_initramfs  # noqa: E402
from halvm import boot, find_kernel, pack_config, qmp_command  # noqa: E402

SMALL_RUNS, BIG_RUNS = 50, 5


def get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=60) as connection:
        connection.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        data = bytearray()
        while chunk := connection.recv(1 << 16):
            data += chunk
    return bytes(data)


def measure(port: int) -> dict:
    for _ in range(30):  # the guest's httpd may need a moment behind the forwards
        try:
            if b"HAL-GUEST-HTTP" in get(port, "/"):
                break
        except OSError:
            pass
        time.sleep(1)
    else:
        raise RuntimeError("the guest's web server was not reached")
    rtts, rates = [], []
    for _ in range(SMALL_RUNS):
        started = time.monotonic()
        get(port, "/")
        rtts.append(1000 * (time.monotonic() - started))
    for _ in range(BIG_RUNS):
        started = time.monotonic()
        size = len(get(port, "/big"))
        if size < 16 << 20:
            raise RuntimeError(f"/big came back with {size} bytes")
        rates.append(size / (1 << 20) / (time.monotonic() - started))
    return {"rtt": statistics.median(rtts), "rate": statistics.median(rates)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        initramfs = build_initramfs(kernel, work / "guest-initrd.gz")
        disk = bios_disk(kernel, initramfs, work / "guest.img", cmdline="guest.steps=net,serve")
        plain = {"nic": "virtio-net-pci"}
        iommu = {"nic": "e1000e", "machine": "q35", "append": "intel_iommu=on",
                 "extra": ["-device", "intel-iommu,intremap=on"]}
        modes = {"bridge + vhost-net": ("disk = auto\n", "10.0.2.15:80", plain),
                 "nat + hostfwd": ("disk = auto\nnetwork = nat\nhostfwd = tcp:8080-:80\n", "10.0.2.15:8080", plain),
                 "e1000e bridged": ("disk = auto\n", "10.0.2.15:80", iommu),
                 "e1000e passed": ("disk = auto\nnetwork = none\npassthrough = nic\n", "10.0.2.15:80", iommu)}
        figures = {}
        for name, (config_text, forward, outer) in modes.items():
            image = pack_config(kernel, work, config_text)
            port, qmp = free_port(), work / "qmp.sock"
            results = {}

            def run_then_stop():
                try:
                    results.update(measure(port))
                finally:
                    qmp_command(qmp, "system_powerdown")

            result = boot(kernel, image, work / f"console-{name.replace(' ', '-')}.log", disks=[disk],
                          qmp_socket=qmp, timeout=600, user_net=f"hostfwd=tcp:127.0.0.1:{port}-{forward}",
                          when=[("GUEST-SERVING 80", run_then_stop)], **outer)
            if not results:
                sys.exit(f"{name}: no figures:\n{result.console[-3000:]}")
            figures[name] = results
            print(f"{name:20s} small GET round trip: median {results['rtt']:6.1f} ms ({SMALL_RUNS} runs); "
                  f"16 MiB GET: median {results['rate']:6.1f} MiB/s ({BIG_RUNS} runs)", flush=True)
        bridge, nat = figures["bridge + vhost-net"], figures["nat + hostfwd"]
        print(f"bridge / nat: round trip {bridge['rtt'] / nat['rtt']:.2f}x, throughput {bridge['rate'] / nat['rate']:.2f}x "
              "(outer VM under TCG with its own user network in both paths)")
        bridged, passed = figures["e1000e bridged"], figures["e1000e passed"]
        print(f"passthrough / bridge (e1000e): round trip {passed['rtt'] / bridged['rtt']:.2f}x, throughput "
              f"{passed['rate'] / bridged['rate']:.2f}x (the outer VM emulates the e1000e under TCG in both)")


if __name__ == "__main__":
    main()
