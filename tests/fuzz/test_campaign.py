"""`make fuzz-campaign` (scripts/fuzz-campaign.sh) with real libFuzzer and small targets built
here, so the bookkeeping of a campaign of hours is checked in seconds: executions split over
workers and added up across a Ctrl-C, a finished target skipped, the core a finished target
frees given to one still running, a crash reported with its artifact and the other workers
stopped, and the count started over once the crash is fixed."""
import os
import re
import signal
import subprocess
import time
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "fuzz-campaign.sh"

# 100 us an input: two workers owe 100,000 executions for about ten seconds, long enough to
# interrupt them part way on a busy machine, short enough for `make check`. Built with
# -DCRASH_ON_MAGIC it crashes on inputs that start "HAL!", which libFuzzer's comparison tracing
# finds within a few thousand inputs; with -DFAST it does not sleep.
TARGET = r"""
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unistd.h>
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
#ifndef FAST
    usleep(100);
#endif
#ifdef CRASH_ON_MAGIC
    if (size >= 4 && memcmp(data, "HAL!", 4) == 0) __builtin_trap();
#endif
    return 0;
}
"""
RUNS = 100_000


def build_target(build: Path, name: str, *flags: str) -> None:
    (build / "fuzz").mkdir(parents=True, exist_ok=True)
    cpp = build / "target.cpp"
    cpp.write_text(TARGET)
    subprocess.run(["clang++", "-O1", "-fsanitize=fuzzer", *flags, str(cpp), "-o", str(build / "fuzz" / name)],
                   check=True)


def campaign(build: Path, runs: int, *targets: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, FUZZ_RUNS=str(runs), FUZZ_JOBS="2")
    return subprocess.Popen(["bash", str(SCRIPT), str(build), *targets], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    output, _ = process.communicate(timeout=300)
    return process.returncode, output


def executed(log: Path) -> int:
    return int(re.search(r"^stat::number_of_executed_units: (\d+)$", log.read_text(), re.M).group(1))


def test_a_campaign_splits_its_runs_over_workers_and_goes_on_after_ctrl_c(tmp_path):
    build_target(tmp_path, "slow")
    runs = RUNS
    results = tmp_path / "fuzz" / f"campaign-{runs}"

    # One target on two cores: two workers. Ctrl-C (SIGINT to the whole process group) once
    # both have started fuzzing.
    process = campaign(tmp_path, runs, "slow", start_new_session=True)
    logs = [results / "slow.log", results / "slow.log.2"]
    deadline = time.monotonic() + 120
    while not all(log.exists() and "INITED" in log.read_text() for log in logs):
        assert process.poll() is None and time.monotonic() < deadline, finish(process)[1]
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    status, output = finish(process)
    assert status == 1, output
    first = sum(executed(log) for log in logs)
    assert 0 < first < runs, output
    result = (results / "slow.result").read_text()
    assert re.match(rf"slow +{first} runs, this sitting +\d+ s \( *\d+/s\) on 2 workers, cov: \d+ ft: \d+, +"
                    rf"interrupted \({first} of {runs} runs; run again to go on\)$", result), result
    assert result in output

    # Run again: the workers owe only what is left, and the result counts both sittings.
    status, output = finish(campaign(tmp_path, runs, "slow"))
    assert status == 0, output
    second = sum(executed(log) for log in logs)
    assert first + second == runs, output
    assert (results / "slow.done").read_text().strip() == str(first)
    result = (results / "slow.result").read_text()
    assert re.match(rf"slow +{runs} runs, .*\({first} before its last start\) on 2 workers, .* clean$", result), result
    assert (results / "summary.txt").read_text() == result

    # A third time: nothing left to run, the result stands.
    status, output = finish(campaign(tmp_path, runs, "slow"))
    assert status == 0, output
    assert "0 of 1 targets to run" in output and result in output
    assert sum(executed(log) for log in logs) == second


def test_a_crash_fails_the_target_with_its_artifact_and_the_count_starts_over_after_the_fix(tmp_path):
    build_target(tmp_path, "magic", "-DCRASH_ON_MAGIC")
    runs = RUNS
    results = tmp_path / "fuzz" / f"campaign-{runs}"
    logs = [results / "magic.log", results / "magic.log.2"]

    status, output = finish(campaign(tmp_path, runs, "magic"))
    assert status == 1, output
    result = (results / "magic.result").read_text()
    assert re.search(r" on 2 workers, .*FAILED \(exit \d+; ERROR: libFuzzer: deadly signal; "
                     rf"log {results}/magic\.log(\.2)?, artifact in {results}\)$", result), result
    artifacts = list(results.glob("magic-crash-*"))
    assert artifacts and all(artifact.read_bytes().startswith(b"HAL!") for artifact in artifacts), output
    # The worker that did not crash was stopped rather than left to run its 50,000 inputs.
    assert all(executed(log) < runs // 4 for log in logs), output

    # Fixed: the same target without the crash. Its result counts only the executions after
    # the failure.
    build_target(tmp_path, "magic")
    status, output = finish(campaign(tmp_path, runs, "magic"))
    assert status == 0, output
    result = (results / "magic.result").read_text()
    assert re.match(rf"magic +{runs} runs, this sitting +\d+ s \( *\d+/s\) on 2 workers, .* clean$", result), result
    assert (results / "magic.done").read_text().strip() == "0"
    assert sum(executed(log) for log in logs) == runs


def test_a_core_a_finished_target_frees_goes_to_the_target_still_running(tmp_path):
    build_target(tmp_path, "fast", "-DFAST")
    build_target(tmp_path, "slow")
    runs = RUNS
    results = tmp_path / "fuzz" / f"campaign-{runs}"

    # Two targets on two cores: one worker each. "fast" is done in a second or two; then
    # "slow" is stopped and goes on from its count on both cores.
    status, output = finish(campaign(tmp_path, runs, "fast", "slow"))
    assert status == 0, output
    assert "fuzz-campaign: 1 core(s) free: slow goes on with more workers" in output
    first = executed(results / "slow.log.old")
    assert 0 < first < runs, output
    assert re.match(r"fast +100000 runs, this sitting .* clean$", (results / "fast.result").read_text())
    result = (results / "slow.result").read_text()
    assert re.match(rf"slow +{runs} runs, .*\({first} before its last start\) on 2 workers, .* clean$", result), result
    assert first + executed(results / "slow.log") + executed(results / "slow.log.2") == runs
    assert (results / "summary.txt").read_text() == (results / "fast.result").read_text() + result
