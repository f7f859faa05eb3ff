"""The DHCP client test lab: two network namespaces joined by a veth pair, a real dnsmasq on
the server side, hal-init's client on the other. Needs root (CI is root), iproute2, dnsmasq."""
import subprocess
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HAL_INIT = REPO / "build" / "hal-init"


def run(*command, check=True):
    return subprocess.run(list(command), check=check, capture_output=True, text=True)


class Lab:
    def __init__(self, tmp: Path):
        tag = uuid.uuid4().hex[:6]
        self.server_ns, self.client_ns = f"hal-srv-{tag}", f"hal-cli-{tag}"
        self.client_if = "halnic0"
        self.tmp = tmp
        self.dnsmasq = None
        self.server_output = ""
        run("ip", "netns", "add", self.server_ns)
        run("ip", "netns", "add", self.client_ns)
        run("ip", "link", "add", "vsrv", "netns", self.server_ns, "type", "veth", "peer", "name", self.client_if,
            "netns", self.client_ns)
        run("ip", "-n", self.server_ns, "addr", "add", "10.99.0.1/24", "dev", "vsrv")
        for namespace, interface in ((self.server_ns, "vsrv"), (self.server_ns, "lo"), (self.client_ns, "lo")):
            run("ip", "-n", namespace, "link", "set", interface, "up")

    def start_server(self, *options):
        self.stop_server()
        leases = self.tmp / f"leases-{uuid.uuid4().hex[:4]}"
        self.dnsmasq = subprocess.Popen(
            ["ip", "netns", "exec", self.server_ns, "dnsmasq", "--no-daemon", "--port=0", "--interface=vsrv",
             "--bind-interfaces", "--no-ping", f"--dhcp-leasefile={leases}", "--log-dhcp", *options],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(0.5)
        assert self.dnsmasq.poll() is None, self.dnsmasq.stdout.read()

    def stop_server(self):
        if self.dnsmasq:
            self.dnsmasq.terminate()
            self.server_output = self.dnsmasq.communicate(timeout=10)[0]
            self.dnsmasq = None

    def client(self, seconds: int, resolv: Path, timeout: int = 10) -> subprocess.Popen:
        """hal-init's DHCP client in the client namespace; stderr carries its log lines."""
        return subprocess.Popen(["ip", "netns", "exec", self.client_ns, str(HAL_INIT), "dhcp", self.client_if,
                                 str(seconds), str(resolv), str(timeout)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def in_client(self, *command) -> str:
        return run("ip", "netns", "exec", self.client_ns, *command).stdout

    def in_server(self, *command) -> str:
        return run("ip", "netns", "exec", self.server_ns, *command).stdout

    def server_log(self) -> str:
        return self.server_output

    def close(self):
        self.stop_server()
        run("ip", "netns", "del", self.server_ns, check=False)
        run("ip", "netns", "del", self.client_ns, check=False)


def read_until(process: subprocess.Popen, text: str, timeout: float = 20) -> str:
    """The client's output up to and including the first line containing `text`."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"{text!r} not seen; output so far:\n{''.join(seen)}")
