"""The test rig's freeze probe: tells an outer VM that is itself stuck (the rig) from a program
under test that hangs (the product), on positive evidence only, and keeps count of the boots
tried again.

The rig is an outer QEMU under TCG whose kernel runs hal-init, whose KVM runs the guest. Now
and then that outer VM freezes: one emulated CPU stuck at one instruction with interrupts off
after it ran the nested guest, the other waiting for it. A user program (hal-init, hal-display,
the inner QEMU) cannot do that: it can neither turn a CPU's interrupts off nor stop the kernel
from answering its serial port. So after a long console silence, or when a kernel stall line
(soft lockup, RCU stall) appears, the probe asks, in order:

1. the outer QEMU, over the harness's own QMP monitor: no answer, or vCPUs not running, is the
   rig (the outer QEMU is the rig's program);
2. its vCPUs' registers, sampled several times seconds apart: a vCPU at the same instruction
   with interrupts off in every sample is a frozen CPU, the rig;
3. the outer kernel, by SysRq over its serial console (a break, then the command key): the
   8250 driver answers from its interrupt handler, whatever user programs do and whoever
   grabbed the keyboards (hal-display does). No answer within the bound is the rig. Only once
   /init has run: the console is open for reading from then on, not before.
4. the same kernel's reply to SysRq L, every CPU's backtrace from its NMI handler: a CPU that
   takes no NMI (halted with interrupts on, it misses IPIs too, and the other CPU waits for it
   in a soft lockup), or a CPU stuck for 20 s and more that keeps entering the breakpoint
   handler from an instruction that no longer is a breakpoint (the emulator runs a stale
   translation of kernel code the kernel patched), is the rig. Neither is within a user
   program's reach: an NMI cannot be masked, and only the kernel patches its text.

Anything else (silence alone, a missing hal-init line, a soft lockup on the console, which
may be the inner guest's) is the product's failure and is never tried again. Each proven
freeze is recorded in RETRIES; the pytest summary lists them and fails the run past
retry_budget() (5 % of its boots, at least 2). One limit, stated: an inner guest spinning at one instruction with its own
interrupts off would look like check 2 to the outer QEMU's monitor; no test guest does (the
boot sector halts, which KVM intercepts).

`python3 tests/boot/rig.py QMP_SOCKET EVIDENCE_FILE` runs checks 1 and 2 for a script (the
fresh-machine check): exit 0 and the verdict on stdout when the rig froze, 1 when it did not.
"""
import atexit
import json
import math
import re
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# Seconds of console silence after which the probe runs: well above any test's own silent
# phases (the longest silence of every run is printed in its figures).
SILENCE_PROBE_SECONDS = 120
# Seconds the outer kernel has to answer SysRq on its serial console.
SYSRQ_ANSWER_SECONDS = 30
# Seconds the outer kernel's CPUs have to answer the NMI of SysRq L (check 4; the kernel itself
# waits 10).
NMI_ANSWER_SECONDS = 15
# Register samples and the seconds between them (check 2).
REGISTER_SAMPLES = 4
REGISTER_SAMPLE_GAP = 2.0
# Proven freezes one run may retry before the run itself fails: 5 % of its outer VM boots,
# rounded up, and at least 2; a rig that freezes more often than that is no longer a rig to
# trust. Measured over three whole CI runs: 0 of 69, 2 of 71 and 3 of 74 boots froze (2.3 %);
# with a flat 2 per run, about one run in four would fail on the rig alone.
RETRY_SHARE = 0.05
RETRY_MINIMUM = 2


def retry_budget(boots: int) -> int:
    """The run's budget of proven freezes for `boots` outer VM boots."""
    return max(RETRY_MINIMUM, math.ceil(boots * RETRY_SHARE))
# EFLAGS.IF
INTERRUPT_FLAG = 0x200


@dataclass
class Retry:
    test: str
    verdict: str
    evidence: str


# Every boot the harness tried again in this run, and how many boots it started.
RETRIES: list[Retry] = []
BOOTS = [0]


def qmp(socket_path: Path, command: str, arguments: dict | None = None, timeout: float = 30) -> dict:
    """One command on a QMP monitor: its reply (return or error)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(timeout)
        connection.connect(str(socket_path))
        stream = connection.makefile("rwb")
        json.loads(stream.readline())  # greeting
        for execute, args in (("qmp_capabilities", None), (command, arguments)):
            message = {"execute": execute} | ({"arguments": args} if args else {})
            stream.write(json.dumps(message).encode() + b"\r\n")
            stream.flush()
            while True:
                line = stream.readline()
                if not line:
                    raise OSError(f"QMP closed before answering {command}")
                reply = json.loads(line)
                if "return" in reply or "error" in reply:
                    break
        return reply


@dataclass
class CpuState:
    cpu: int
    rip: int
    flags: int
    halted: bool


REGISTER_LINE = re.compile(r"RIP=([0-9a-f]+) RFL=([0-9a-f]+) .*HLT=(\d)")


def parse_registers(text: str) -> list[CpuState]:
    """The vCPUs of HMP `info registers -a`: one "CPU#n" block each."""
    states = []
    for block in re.split(r"^CPU#", text, flags=re.MULTILINE)[1:]:
        number = int(block.split("\n", 1)[0].strip() or -1)
        match = REGISTER_LINE.search(block)
        if match:
            states.append(CpuState(number, int(match.group(1), 16), int(match.group(2), 16),
                                   match.group(3) == "1"))
    return states


def frozen_cpus(samples: list[list[CpuState]]) -> list[CpuState]:
    """The vCPUs at the same instruction with interrupts off in every sample."""
    if len(samples) < 2:
        return []
    frozen = []
    for state in samples[0]:
        same = [other for sample in samples for other in sample if other.cpu == state.cpu]
        if len(same) == len(samples) and all(s.rip == state.rip and not s.flags & INTERRUPT_FLAG
                                             for s in same):
            frozen.append(state)
    return frozen


def threads(pid: int) -> list[str]:
    """Each thread of process `pid`: name, state, CPU ticks used, kernel wait channel."""
    rows = []
    for task in sorted(Path(f"/proc/{pid}/task").glob("*")):
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            rows.append(f"thread {task.name} {(task / 'comm').read_text().strip()}: state {fields[0]}, "
                        f"user {fields[11]} system {fields[12]} ticks, wchan {(task / 'wchan').read_text()}")
        except OSError:
            continue
    return rows


def machine_checks(socket_path: Path, evidence: list[str]) -> str:
    """Checks 1 and 2: the rig's verdict, "" when the outer QEMU runs and no vCPU is frozen."""
    try:
        status = qmp(socket_path, "query-status", timeout=10)
    except (OSError, ValueError) as error:
        return f"the outer QEMU answers no QMP ({error!r})"
    evidence.append(f"query-status: {json.dumps(status)}")
    if status.get("return", {}).get("status") != "running":
        return f"the outer QEMU's vCPUs are not running (status {status.get('return', {}).get('status')})"
    samples = []
    for number in range(REGISTER_SAMPLES):
        if number:
            time.sleep(REGISTER_SAMPLE_GAP)
        try:
            reply = qmp(socket_path, "human-monitor-command", {"command-line": "info registers -a"}, timeout=10)
        except (OSError, ValueError) as error:
            return f"the outer QEMU stopped answering QMP while its registers were read ({error!r})"
        text = reply.get("return", "")
        samples.append(parse_registers(text))
        evidence.append(f"registers, sample {number + 1}:\n{text}")
    frozen = frozen_cpus(samples)
    if frozen:
        return "outer vCPU " + ", ".join(f"{state.cpu} stuck at RIP {state.rip:#x} with interrupts off"
                                         for state in frozen) + \
            f" in {len(samples)} samples {REGISTER_SAMPLE_GAP:.0f} s apart"
    return ""


# Lines of a kernel waiting for a CPU that does not answer. The outer kernel prints them every
# ~28 s while the rig is frozen on one CPU, so the console never falls silent; the inner
# guest's console, relayed, may print them too. Either way they only start the probe: its
# checks decide.
STALL_LINES = re.compile(r"watchdog: BUG: soft lockup - CPU#|rcu: INFO: rcu_\w+ (self-)?detected stall")


@dataclass
class RigProbe:
    """Runs at most twice per boot: once after `silence` seconds without console output, once
    when a kernel stall line appears. Returns the verdict ("" when the rig is not proven stuck).
    Its evidence goes to the console log's .probe file, kept for the failure report either
    way."""
    socket_path: Path
    console_log: Path
    silence: float = SILENCE_PROBE_SECONDS
    answer: float = SYSRQ_ANSWER_SECONDS
    pid: int = 0
    done: bool = False  # the silence probe ran
    stall_probed: bool = False
    trigger: str = ""
    checks: list[str] = field(default_factory=list)

    def due(self, silent_seconds: float, console: str = "") -> bool:
        if not self.done and silent_seconds >= self.silence:
            self.done, self.trigger = True, f"console silent {self.silence:.0f}+ s"
            return True
        if not self.stall_probed and (stall := STALL_LINES.search(console)):
            self.stall_probed, self.trigger = True, f"a stall line on the console: {stall.group(0)!r}"
            return True
        return False

    def run(self, console_text, type_on_console, init_ran: bool) -> str:
        """`console_text()` is the console so far; `type_on_console(bytes)` writes to the outer
        VM's serial port."""
        evidence = [f"outer QEMU pid {self.pid}, {self.trigger}", *threads(self.pid)]
        verdict = machine_checks(self.socket_path, evidence)
        if not verdict and init_ran:
            verdict = self.serial_sysrq(console_text, type_on_console, evidence)
        evidence += ["threads again:", *threads(self.pid)]
        if verdict:
            self.checks.append(f"rig probe: {verdict}")
        elif init_ran:
            self.checks.append("rig probe: the outer VM is alive: its QEMU runs, no vCPU is frozen, "
                               "its kernel answered SysRq on the serial console and no CPU of it is held")
        else:
            self.checks.append("rig probe: the outer QEMU runs and no vCPU is frozen (before /init: "
                               "no SysRq asked)")
        self.console_log.with_suffix(".probe").write_text(f"verdict: {verdict or 'alive'}\n" + "\n".join(evidence) + "\n")
        return verdict

    def serial_sysrq(self, console_text, type_on_console, evidence: list[str]) -> str:
        """Checks 3 and 4: Show Blocked State, then the CPUs' backtraces, asked over the serial
        line; the backtraces' reply is read for a CPU the rig holds."""
        before = len(console_text())
        for key in (b"w", b"l"):
            reply = qmp(self.socket_path, "chardev-send-break", {"id": "console"}, timeout=10)
            evidence.append(f"chardev-send-break: {json.dumps(reply)}")
            type_on_console(key)
            time.sleep(1)
        deadline = time.monotonic() + self.answer
        while "sysrq: " not in console_text()[before:] and time.monotonic() < deadline:
            time.sleep(0.5)
        if "sysrq: " not in console_text()[before:]:
            return f"the outer kernel answers no SysRq on its serial console within {self.answer:.0f} s"
        # The kernel waits 10 s for the other CPUs' NMI answers before it goes on.
        answered = time.monotonic()
        while not backtraces_complete(console_text()[before:]) and time.monotonic() < answered + NMI_ANSWER_SECONDS:
            time.sleep(0.5)
        text = console_text()
        return held_cpu(text[:before], text[before:])


# Check 4 reads the outer kernel's reply to SysRq L (show the backtrace of every active CPU):
# the CPU that handles the SysRq prints its own backtrace (through __handle_sysrq), then
# "Sending NMI from CPU a to CPUs b:" and each CPU asked prints "NMI backtrace for cpu b" from
# its NMI handler. Only the outer kernel answers the probe's SysRq (the inner guest's console
# is relayed, its serial port is not the probe's), and the "Sending NMI" line must follow the
# probe's own "sysrq:" line and a backtrace through __handle_sysrq.
BACKTRACE_ASKED = "sysrq: Show backtrace of all active CPUs"
NMI_SENT = re.compile(r"Sending NMI from CPU (\d+) to CPUs ([\d,-]+):")
NMI_ANSWER = re.compile(r"NMI backtrace for cpu (\d+)")
LOCKUP = re.compile(r"soft lockup - CPU#(\d+) stuck for (\d+)s!")
# RCU's own report of a CPU that has not scheduled: its grace-period kthread, last on that CPU,
# got no time for so many jiffies (the test kernel is Debian's, CONFIG_HZ=250).
STARVED = re.compile(r"rcu_\w+ kthread starved for (\d+) jiffies!.*->cpu=(\d+)")
KERNEL_HZ = 250
# An interrupted kernel frame's instruction pointer and, two lines on at most, its code bytes
# with the byte at RIP in <..>.
FRAME = re.compile(r"RIP: 0010:(\S+)\+0x([0-9a-f]+)/\S+.*\n(?:.*\n)?.*Code: (?:[0-9a-f]{2} )*([0-9a-f]{2}) <")


def cpu_list(text: str) -> set[int]:
    """A kernel cpulist ("0", "0-3", "0,2-3")."""
    cpus: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        cpus.update(range(int(first), int(last or first) + 1))
    return cpus


def nmi_request(reply: str) -> tuple[re.Match | None, set[int]]:
    """The outer kernel's "Sending NMI" line in `reply` and the CPUs it asked, or (None, {})."""
    asked = reply.find(BACKTRACE_ASKED)
    sent = NMI_SENT.search(reply, asked) if asked >= 0 else None
    if not sent or "__handle_sysrq" not in reply[asked:sent.start()]:
        return None, set()
    return sent, cpu_list(sent.group(2))


def backtraces_complete(reply: str) -> bool:
    """Every CPU the SysRq L reply asked has answered (or the reply asked none yet)."""
    sent, asked = nmi_request(reply)
    return bool(sent) and asked <= {int(m.group(1)) for m in NMI_ANSWER.finditer(reply, sent.end())}


def held_cpu(console: str, reply: str) -> str:
    """Check 4, on the console up to the probe's SysRq and the reply after it: a CPU that takes
    no NMI (a halted or running CPU always takes one: only the emulator can lose it), or a CPU
    stuck (a soft lockup, or RCU's kthread starved on it) whose NMI backtrace shows it entering the breakpoint handler from an
    instruction that is not a breakpoint (int3 is 0xcc; the kernel's text patching removes its
    int3 within microseconds: an emulator running a stale translation of patched code keeps
    trapping on it). "" when neither."""
    sent, asked = nmi_request(reply)
    if not sent:
        return ""
    missing = sorted(asked - {int(m.group(1)) for m in NMI_ANSWER.finditer(reply, sent.end())})
    if missing:
        return (f"the outer kernel's CPU {', '.join(map(str, missing))} takes no NMI: "
                f"{sent.group(0)!r} stays unanswered")
    stuck = {int(m.group(2)): int(m.group(1)) // KERNEL_HZ for m in STARVED.finditer(console)}
    for lockup in LOCKUP.finditer(console):
        stuck[int(lockup.group(1))] = max(stuck.get(int(lockup.group(1)), 0), int(lockup.group(2)))
    # Every CPU's backtrace, the one that handled the SysRq first.
    answers = list(NMI_ANSWER.finditer(reply, reply.find(BACKTRACE_ASKED)))
    for number, answer in enumerate(answers):
        cpu = int(answer.group(1))
        end = answers[number + 1].start() if number + 1 < len(answers) else len(reply)
        block = reply[answer.start():end]
        entry = block.find("RIP: 0010:asm_exc_int3+0x0/")
        frame = FRAME.search(block, entry + 1) if entry >= 0 else None
        if frame and frame.group(3) != "cc" and stuck.get(cpu, 0) >= 20:
            where = f"{frame.group(1)}+{int(frame.group(2), 16) - 1:#x}"
            return (f"the outer kernel's CPU {cpu}, stuck {stuck[cpu]} s, traps on a breakpoint no longer in "
                    f"its code (int3 at {where}, which reads {frame.group(3)})")
    return ""


def summary() -> list[str]:
    """The run's retry summary, a line for the count and one for each retry."""
    boots, retries = BOOTS[0], len(RETRIES)
    share = f" ({100 * retries / boots:.1f} %)" if boots else ""
    lines = [f"rig retries: {retries} of {boots} outer VM boots were tried again on proof that the outer VM "
             f"froze{share}; budget {retry_budget(boots)} (5 % of the boots, at least {RETRY_MINIMUM})"]
    lines += [f"  {retry.test}: {retry.verdict} (kept: {retry.evidence}, {retry.evidence}-probe)" for retry in RETRIES]
    return lines


@atexit.register
def print_summary_outside_pytest():
    """make bench and make soak boot through halvm too: their last lines are the same summary."""
    if BOOTS[0] and "pytest" not in sys.modules:
        print("\n".join(summary()), file=sys.stderr, flush=True)


def main(arguments: list[str]) -> int:
    socket_path, evidence_path = Path(arguments[0]), Path(arguments[1])
    evidence: list[str] = []
    verdict = machine_checks(socket_path, evidence)
    evidence_path.write_text(f"verdict: {verdict or 'alive'}\n" + "\n".join(evidence) + "\n")
    if verdict:
        print(verdict)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
