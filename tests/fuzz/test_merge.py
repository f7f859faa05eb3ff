"""`make fuzz-merge` (scripts/fuzz-merge.sh) with real libFuzzer and a small target built here:
the grown inputs that reach new edges go into the committed corpus, the committed inputs stay,
the generated seeds are not copied, a second merge adds nothing, and an input that crashes the
target fails the merge by name without touching the committed corpus."""
import re
import subprocess
from pathlib import Path


REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "fuzz-merge.sh"

# Each byte of "HAL!" matched opens a branch (each leaves a mark, so none is folded away);
# built with -DCRASH_ON_MAGIC the last one traps.
TARGET = r"""
#include <cstddef>
#include <cstdint>
volatile int depth;
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 0 && data[0] == 'H') {
        depth = 1;
        if (size > 1 && data[1] == 'A') {
            depth = 2;
            if (size > 2 && data[2] == 'L') {
                depth = 3;
#ifdef CRASH_ON_MAGIC
                if (size > 3 && data[3] == '!') __builtin_trap();
#endif
            }
        }
    }
    return 0;
}
"""


def build_target(build: Path, *flags: str) -> Path:
    (build / "fuzz").mkdir(parents=True, exist_ok=True)
    cpp = build / "target.cpp"
    cpp.write_text(TARGET)
    binary = build / "fuzz" / "hal"
    subprocess.run(["clang++", "-O1", "-fsanitize=fuzzer", *flags, str(cpp), "-o", str(binary)], check=True)
    return binary


def merge(build: Path, root: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), str(build), str(root), *targets], cwd=build,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)


def edges(binary: Path, *dirs: Path) -> int:
    empty = binary.parent / "empty"
    empty.mkdir(exist_ok=True)
    output = subprocess.run([str(binary), "-runs=0", str(empty), *map(str, dirs)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=True).stdout
    return int(re.search(r"INITED cov: (\d+)", output).group(1))


def contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir()}


def test_grown_inputs_with_new_edges_join_the_committed_corpus_and_a_crash_fails_by_name(tmp_path):
    build, root = tmp_path / "build", tmp_path / "corpus"
    binary = build_target(build)
    committed, seeds, grown = root / "hal", build / "fuzz" / "seeds" / "hal", build / "fuzz" / "corpus" / "hal"
    for directory in (committed, seeds, grown):
        directory.mkdir(parents=True)
    (committed / "hand-written").write_bytes(b"x")
    (seeds / "generated").write_bytes(b"H")
    for number, data in enumerate([b"H", b"HA", b"HAx", b"HAL", b"zzz", b"HAL!", b"HALO"]):
        (grown / f"input-{number}").write_bytes(data)
    reachable = edges(binary, committed, seeds, grown)
    before = edges(binary, committed, seeds)
    assert before < reachable

    result = merge(build, root, "hal")
    assert result.returncode == 0, result.stdout
    after = contents(committed)
    assert after.pop("hand-written") == b"x"
    added = sorted(after.values())
    # Only grown inputs, none that the seed or the hand-written input already covers, and
    # fewer than were grown; together they reach every edge the grown corpus reached.
    assert added and set(added) <= {b"HA", b"HAx", b"HAL", b"HAL!", b"HALO"}, added
    assert b"H" not in added and b"zzz" not in added
    assert edges(binary, committed, seeds) == reachable
    assert re.fullmatch(rf"hal +{len(added)} of +7 grown inputs added to {committed} \({sum(map(len, added))} bytes\); "
                        rf"committed corpus and seeds reach {reachable} edges, {before} before\n", result.stdout), result.stdout
    assert contents(seeds) == {"generated": b"H"}

    # Nothing new the second time.
    result = merge(build, root, "hal")
    assert result.returncode == 0 and " 0 of " in result.stdout, result.stdout
    assert len(contents(committed)) == len(added) + 1

    # The parser "regresses": "HAL!" crashes it. The merge names the input, writes the
    # artifact under the build directory (not the directory it was run from) and copies nothing.
    binary = build_target(build, "-DCRASH_ON_MAGIC")
    (grown / "input-7").write_bytes(b"HAM")
    snapshot = contents(committed)
    result = merge(build, root, "hal")
    assert result.returncode == 1, result.stdout
    assert re.fullmatch(rf"hal +FAILED: {grown}/input-5 crashed or hung the target \(ERROR: libFuzzer: deadly signal; "
                        rf"log {build}/fuzz/hal\.merge\.log\); nothing copied\n", result.stdout), result.stdout
    assert contents(committed) == snapshot
    assert [path.read_bytes() for path in (build / "fuzz").glob("hal-merge-crash-*")] == [b"HAL!"]
    assert not list(build.glob("crash-*"))


def test_a_target_without_a_grown_corpus_and_bad_arguments(tmp_path):
    build, root = tmp_path / "build", tmp_path / "corpus"
    build_target(build)
    root.mkdir()
    result = merge(build, root)
    assert result.returncode == 0, result.stdout
    assert re.fullmatch(rf"hal +nothing to merge: {build}/fuzz/corpus/hal is empty or missing .*\n", result.stdout), result.stdout
    assert list(root.iterdir()) == []

    result = merge(build, root, "missing")
    assert result.returncode == 2 and f"fuzz-merge: no fuzz target {build}/fuzz/missing" in result.stdout
    result = merge(build, tmp_path / "nowhere", "hal")
    assert result.returncode == 2 and f"fuzz-merge: no corpus directory {tmp_path}/nowhere" in result.stdout
    result = subprocess.run(["bash", str(SCRIPT), str(build), str(root)], env={"PATH": "/usr/bin:/bin", "FUZZ_MAX_LEN": "0"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert result.returncode == 2 and "not '0'" in result.stdout
