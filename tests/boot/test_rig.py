"""The test rig's freeze probe (rig.py): a product that hangs is a failure on its first try,
never a retry, whoever holds the keyboards; an outer VM that is itself stuck is tried again,
counted and its evidence kept."""
import time
import uuid
from pathlib import Path

import pytest

import rig
from halvm import BUILD, DISPLAY_OUTER, boot, make_disk, pack, qmp_command

# The probe's (seconds of silence, seconds for the SysRq answer) in these tests: short, since
# each of them goes silent on purpose.
QUICK_PROBE = (8, 20)

# `info registers -a` of an outer VM under TCG (QEMU 7.2): CPU 0 idle, CPU 1 at an instruction.
REGISTERS = """CPU#0
RAX=0000000000000000 RBX=0000000000000000 RCX=0000000000000001 RDX=0000000000000000
RIP=ffffffff81a3c1ee RFL=00000246 [---Z-P-] CPL=0 II=0 A20=1 SMM=0 HLT=1
ES =0000 0000000000000000 00000000 00000000
CPU#1
RAX=0000000000000001 RBX=ffff88803e2a8000 RCX=0000000000000000 RDX=0000000000000001
RIP=ffffffff8111c2a4 RFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0
ES =0000 0000000000000000 00000000 00000000
"""


def test_register_samples_name_a_vcpu_frozen_with_interrupts_off_and_nothing_else():
    states = rig.parse_registers(REGISTERS)
    assert [(s.cpu, hex(s.rip), s.flags, s.halted) for s in states] == [
        (0, "0xffffffff81a3c1ee", 0x246, True), (1, "0xffffffff8111c2a4", 0x2, False)]
    # CPU 1 at one instruction with IF clear in every sample: frozen. CPU 0 halts with
    # interrupts on (idle): not.
    assert [s.cpu for s in rig.frozen_cpus([states, states, states])] == [1]
    moved = rig.parse_registers(REGISTERS.replace("ffffffff8111c2a4", "ffffffff8111c2a9"))
    assert rig.frozen_cpus([states, moved, states]) == []
    enabled = rig.parse_registers(REGISTERS.replace("RFL=00000002", "RFL=00000202"))
    assert rig.frozen_cpus([enabled, enabled]) == []
    assert rig.frozen_cpus([states]) == []  # one sample proves nothing


def test_a_stall_line_starts_the_probe_once_and_silence_still_gets_its_own(tmp_path):
    """The frozen outer VM's other CPU prints a soft lockup every ~28 s, so the console is
    never silent: the line itself starts the probe (whose checks decide), once per boot."""
    probe = rig.RigProbe(tmp_path / "qmp.sock", tmp_path / "console.log", silence=120)
    quiet = "[    4.2] hal-init: supervise: QEMU running as pid 102\n"
    assert not probe.due(5, quiet)
    lockup = quiet + "[   72.7] watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [qemu-system-x86:112]\n"
    assert probe.due(5, lockup) and "soft lockup - CPU#" in probe.trigger
    assert not probe.due(5, lockup + lockup)
    assert probe.due(121, lockup) and probe.trigger == "console silent 120+ s"
    assert not probe.due(500, lockup)
    rcu = rig.RigProbe(tmp_path / "qmp.sock", tmp_path / "console.log")
    assert rcu.due(1, "[ 60.1] rcu: INFO: rcu_sched self-detected stall on CPU\n")


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rig"


def console_and_reply(name: str, edit=lambda text: text) -> tuple[str, str]:
    """A recorded outer console (tests/fixtures/rig), split where the probe asked SysRq."""
    text = edit((FIXTURES / name).read_text(errors="replace"))
    split = text.index("sysrq: Show Blocked State")
    return text[:split], text[split:]


def test_the_outer_kernels_backtraces_name_a_cpu_that_takes_no_nmi():
    """Recorded in CI: khugepaged's TLB flush waits on CPU 0, halted with interrupts on, which
    never takes the IPI nor the SysRq's NMI."""
    console, reply = console_and_reply("lost-nmi.log")
    assert rig.held_cpu(console, reply) == ("the outer kernel's CPU 0 takes no NMI: "
                                            "'Sending NMI from CPU 1 to CPUs 0:' stays unanswered")
    assert not rig.backtraces_complete(reply)
    answered = reply + "[   55.8] NMI backtrace for cpu 0 skipped: idling at native_safe_halt+0xb/0x10\n"
    assert rig.backtraces_complete(answered) and rig.held_cpu(console, answered) == ""
    # The same lines not following a backtrace through the probe's SysRq (an inner guest's own
    # RCU stall report, relayed) are not the outer kernel's answer.
    relayed = reply.replace("__handle_sysrq", "rcu_dump_cpu_stacks")
    assert rig.held_cpu(console, relayed) == "" and not rig.backtraces_complete(relayed)


def test_the_outer_kernels_backtraces_name_a_cpu_trapping_on_a_breakpoint_it_patched_away():
    """Recorded in CI: both CPUs in a soft lockup inside KVM; CPU 0's NMI catches it entering
    the int3 handler from __apic_accept_irq+0x72, whose byte reads 0f (a 5-byte NOP of a static
    key the kernel patched), not 0xcc."""
    console, reply = console_and_reply("stale-int3.log")
    assert rig.backtraces_complete(reply)
    assert rig.held_cpu(console, reply) == ("the outer kernel's CPU 0, stuck 26 s, traps on a breakpoint no "
                                            "longer in its code (int3 at __apic_accept_irq+0x72, which reads 0f)")
    # A breakpoint still in the code (patching under way), or a CPU not stuck, proves nothing.
    still_there = reply.replace("00 0f <1f> 44", "00 cc <1f> 44")
    assert rig.held_cpu(console, still_there) == ""
    assert rig.held_cpu(console.replace("soft lockup - CPU#0", "soft lockup - CPU#7"), reply) == ""


def test_a_cpu_that_starves_rcu_while_trapping_on_a_patched_breakpoint_is_held():
    """Recorded in CI: no soft lockup yet when the probe ran (it came at 60 s), but RCU's
    grace-period kthread, last on CPU 0, starved 5,252 jiffies (21 s) and CPU 0's NMI catches it
    entering the int3 handler from finish_task_switch+0x9f, which reads eb (a patched jump)."""
    console, reply = console_and_reply("starved-int3.log")
    assert rig.backtraces_complete(reply)
    assert rig.held_cpu(console, reply) == ("the outer kernel's CPU 0, stuck 21 s, traps on a breakpoint no "
                                            "longer in its code (int3 at finish_task_switch.isra.0+0x9f, "
                                            "which reads eb)")
    # Starved on another CPU, or not long enough, proves nothing about CPU 0.
    assert rig.held_cpu(console.replace("->cpu=0", "->cpu=1"), reply) == ""
    assert rig.held_cpu(console.replace("for 5252 jiffies", "for 2000 jiffies"), reply) == ""


def test_a_healthy_outer_kernels_backtraces_name_no_cpu():
    """Recorded in a product-hang test: CPU 0 idles and answers; the rig is alive."""
    console, reply = console_and_reply("healthy.log")
    assert rig.backtraces_complete(reply) and rig.held_cpu(console, reply) == ""
    assert rig.cpu_list("0") == {0} and rig.cpu_list("0,2-4") == {0, 2, 3, 4}


@pytest.fixture(scope="module")
def test_image(kernel, tmp_path_factory):
    """The default image with hal-init's test build, whose faults the kernel command line arms."""
    image = tmp_path_factory.mktemp("rig-image") / "hal.img"
    packed = pack(kernel, image, extra=["--init", str(BUILD / "hal-init-test")])
    assert packed.returncode == 0, packed.stderr
    return image


def hung_boot(kernel, image, tmp_path, fault: str, marker: str, when=(), **options):
    """Boots with `fault` armed and a guest that spins silently after `marker`; ends the outer
    VM once the probe's SysRq answer is on the console (the probe ran and found the rig alive:
    the test would otherwise wait out its timeout and fail). Returns the boot."""
    qmp = tmp_path / "outer-qmp.sock"
    retries_before = len(rig.RETRIES)
    result = boot(kernel, image, tmp_path / "console.log",
                  disks=[make_disk(tmp_path / "disk.img", marker, loop_forever=True)],
                  append=f"hal_test_fault={fault}", qmp_socket=qmp, rig_probe=QUICK_PROBE, timeout=240,
                  when=[*when, ("sysrq: Show backtrace of all active CPUs", lambda: qmp_command(qmp, "quit"))],
                  **options)
    assert result.retries == 0 and len(rig.RETRIES) == retries_before, rig.RETRIES
    assert result.rig_checks == ["rig probe: the outer VM is alive: its QEMU runs, no vCPU is frozen, its kernel "
                                 "answered SysRq on the serial console and no CPU of it is held"], result.console[-3000:]
    result.assert_in_order("sysrq: Show Blocked State", "sysrq: Show backtrace of all active CPUs")
    assert "hal-init: supervise: QEMU exited" not in result.console
    return result


def test_pid1_hanging_before_its_first_line_is_a_product_failure(kernel, test_image, tmp_path):
    result = hung_boot(kernel, test_image, tmp_path, "hang-at-start", "HAL-NEVER-SEEN")
    after_init = result.console.split("Run /init as init process", 1)[1]
    assert "hal-init" not in after_init.split("sysrq:", 1)[0], after_init[:3000]


def test_qemu_frozen_after_exec_is_a_product_failure(kernel, test_image, tmp_path):
    marker = f"HAL-STOPPED-{uuid.uuid4().hex[:8]}"
    result = hung_boot(kernel, test_image, tmp_path, "stop-qemu", marker)
    result.assert_in_order("hal-init: supervise: QEMU running as pid", marker, "sysrq: Show Blocked State")


def test_hal_display_hanging_with_the_keyboards_grabbed_is_a_product_failure(kernel, test_image, tmp_path):
    marker = f"HAL-GRABBED-{uuid.uuid4().hex[:8]}"
    qmp = tmp_path / "outer-qmp.sock"
    log = tmp_path / "console.log"
    keyboard_sysrq_answered = []

    def keyboard_sysrq():
        # What the old probe pressed: Alt+SysRq+W on the outer keyboard, which the stopped
        # hal-display still holds (EVIOCGRAB), so the kernel never sees it.
        time.sleep(3)
        seen = len(log.read_text(errors="replace"))
        qmp_command(qmp, "send-key", {"keys": [{"type": "qcode", "data": key} for key in ("alt", "sysrq", "w")]})
        time.sleep(4)
        keyboard_sysrq_answered.append("sysrq: " in log.read_text(errors="replace")[seen:])

    result = hung_boot(kernel, test_image, tmp_path, "stop-display", marker, extra=DISPLAY_OUTER,
                       when=[("hal-init: test: stopping (SIGSTOP) hal-display", keyboard_sysrq)])
    result.assert_in_order("keyboard", "hal-init: test: stopping (SIGSTOP) hal-display", "sysrq: Show Blocked State")
    assert keyboard_sysrq_answered == [False], "the keyboard's SysRq reached the kernel past hal-display's grab"


def test_outer_vm_whose_vcpus_stopped_is_tried_again_with_its_evidence_kept(kernel, image, tmp_path):
    marker = f"HAL-FROZEN-{uuid.uuid4().hex[:8]}"
    qmp = tmp_path / "outer-qmp.sock"
    log = tmp_path / "console.log"
    retries_before, boots_before = len(rig.RETRIES), rig.BOOTS[0]
    fresh_starts = []
    try:
        # QMP `stop` halts the outer vCPUs as a wedged TCG would: the probe's first check sees it.
        result = boot(kernel, image, log, disks=[make_disk(tmp_path / "disk.img", marker, loop_forever=True)],
                      qmp_socket=qmp, rig_probe=(5, 10), rig_tries=2, timeout=180,
                      when=[(marker, lambda: qmp_command(qmp, "stop"))],
                      before_try=lambda: fresh_starts.append(True))
        retried = rig.RETRIES[retries_before:]
    finally:
        # This run's own freezes on purpose are not the rig's: they leave the run's count.
        del rig.RETRIES[retries_before:]
        rig.BOOTS[0] = boots_before
    assert [retry.verdict for retry in retried] == ["the outer QEMU's vCPUs are not running (status paused)"]
    assert result.retries == 1 and fresh_starts == [True]
    # The first try's console and evidence were kept aside; the second froze too (the last
    # try's result is returned as it is, for the test to fail on).
    assert marker in log.with_suffix(".frozen1").read_text(errors="replace")
    evidence = log.with_suffix(".frozen1-probe").read_text()
    assert evidence.startswith("verdict: the outer QEMU's vCPUs are not running"), evidence
    assert '"status": "paused"' in evidence and "thread " in evidence, evidence
    assert marker in result.console
    assert result.rig_checks == ["rig probe: the outer QEMU's vCPUs are not running (status paused)"]
