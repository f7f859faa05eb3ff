"""The test rig's own freeze probe (halvm.RigProbe): a silent outer VM whose kernel is alive
answers SysRq and is left to the test; one whose vCPUs no longer run is a rig stall, with its
evidence saved and another try."""
import uuid

from halvm import boot, make_disk, qmp_command


def test_silent_but_live_outer_kernel_answers_sysrq_and_is_not_a_stall(kernel, image, tmp_path):
    marker = f"HAL-QUIET-{uuid.uuid4().hex[:8]}"
    qmp = tmp_path / "outer-qmp.sock"
    log = tmp_path / "console.log"
    # After the marker the guest spins silently; once the probe's SysRq answer is on the
    # console the test ends the outer VM itself.
    result = boot(kernel, image, log, disks=[make_disk(tmp_path / "disk.img", marker, loop_forever=True)],
                  qmp_socket=qmp, rig_probe=(5, 20), timeout=180,
                  when=[("Show backtrace of all active CPUs", lambda: qmp_command(qmp, "quit"))])
    result.assert_no_panic()
    assert not result.timed_out, result.console[-4000:]
    result.assert_in_order(marker, "sysrq: Show Blocked State", "sysrq: Show backtrace of all active CPUs")
    assert not log.with_suffix(".frozen").exists()
    assert not log.with_suffix(".stalled1").exists()


def test_outer_vm_whose_vcpus_stopped_is_a_rig_stall_with_evidence(kernel, image, tmp_path, capsys):
    marker = f"HAL-FROZEN-{uuid.uuid4().hex[:8]}"
    qmp = tmp_path / "outer-qmp.sock"
    log = tmp_path / "console.log"
    # QMP `stop` halts the outer vCPUs as a wedged TCG would: QEMU answers, its kernel cannot.
    result = boot(kernel, image, log, disks=[make_disk(tmp_path / "disk.img", marker, loop_forever=True)],
                  qmp_socket=qmp, rig_probe=(5, 10), rig_tries=2, timeout=180,
                  when=[(marker, lambda: qmp_command(qmp, "stop"))])
    assert "trying again (try 2 of 2" in capsys.readouterr().out
    # Both tries froze: the first console log was kept aside, the second try's result returned.
    assert log.with_suffix(".stalled1").exists()
    assert marker in log.with_suffix(".stalled1").read_text(errors="replace")
    assert marker in result.console
    assert "sysrq: Show" not in result.console
    for evidence_file in (".stalled1-frozen", ".frozen"):
        evidence = log.with_suffix(evidence_file).read_text()
        assert evidence.startswith("verdict: silent and its kernel answers no SysRq within 10 s"), evidence
        assert '"status": "paused"' in evidence, evidence
        assert "RIP=" in evidence, evidence
        assert "thread " in evidence, evidence
