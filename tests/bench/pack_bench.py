"""make bench, the packer half: mkinitrd-hal's pack time and image size per compressor for the
generic image, against the classic `find . | cpio -o -H newc | COMPRESSOR` on the same tree
(the image's own files, unpacked: modules already zstd frames) in the same run: gzip -6, pigz -6 and zstd -19 -T0.
Medians of HAL_BENCH_PACK_RUNS (3). Figures only."""
import os
import stat
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "boot"))
from halvm import find_kernel, pack, read_newc  # noqa: E402

RUNS = int(os.environ.get("HAL_BENCH_PACK_RUNS", "3"))
COMPRESSORS = ["gzip", "zstd", "xz", "lz4", "none"]
REFERENCES = {"gzip -6": "gzip -6 -n", "pigz -6": "pigz -6 -n", "zstd -19 -T0": "zstd -19 -T0 -q"}


def timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def unpack(image: Path, tree: Path):
    """Every archive of an uncompressed image into `tree`, as the kernel would."""
    tree.mkdir()
    for name, entry in sorted(read_newc(image).items()):
        path, kind = tree / name, stat.S_IFMT(entry.mode)
        if kind == stat.S_IFDIR:
            path.mkdir(exist_ok=True)
        elif kind == stat.S_IFLNK:
            path.symlink_to(entry.data.decode())
        elif kind == stat.S_IFCHR:
            os.mknod(path, entry.mode, os.makedev(*entry.rdev))
        else:
            path.write_bytes(entry.data)
            path.chmod(stat.S_IMODE(entry.mode))


def main():
    kernel = find_kernel(Path(os.environ["HAL_KERNEL_ROOT"]))
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        ours, sizes = {}, {}
        for compressor in COMPRESSORS:
            output = work / f"hal-{compressor}.img"
            samples = []
            for _ in range(RUNS):
                def run():
                    result = pack(kernel, output, extra=["--compress", compressor, "--microcode", "none", "-q"])
                    if result.returncode != 0:
                        sys.exit(result.stderr)
                samples.append(timed(run))
            ours[compressor], sizes[compressor] = statistics.median(samples), output.stat().st_size
        # The same tree for the classic pipeline: the uncompressed image unpacked, both of its
        # archives (the stored .ko.zst modules, then the rest; cpio -i would stop at the first).
        tree = work / "tree"
        unpack(work / "hal-none.img", tree)
        references, reference_sizes = {}, {}
        for name, command in REFERENCES.items():
            output = work / "reference.img"
            samples = []
            for _ in range(RUNS):
                samples.append(timed(lambda: subprocess.run(
                    f"find . | LC_ALL=C sort | cpio -o -H newc --quiet | {command} > {output}",
                    shell=True, cwd=tree, check=True)))
            references[name], reference_sizes[name] = statistics.median(samples), output.stat().st_size
        for compressor in COMPRESSORS:
            print(f"mkinitrd-hal --compress {compressor:5s}: {ours[compressor]:6.2f} s, {sizes[compressor]:10d} bytes",
                  flush=True)
        for name in REFERENCES:
            print(f"find | cpio | {name:13s}: {references[name]:6.2f} s, {reference_sizes[name]:10d} bytes")
        print(f"ratio gzip: mkinitrd-hal (resolve + pack + {os.cpu_count()}-thread deflate) / find|cpio|gzip -6 "
              f"{ours['gzip'] / references['gzip -6']:.2f}x time, / pigz -6 {ours['gzip'] / references['pigz -6']:.2f}x; "
              f"zstd: / zstd -19 -T0 {ours['zstd'] / references['zstd -19 -T0']:.2f}x time, "
              f"{sizes['zstd'] / reference_sizes['zstd -19 -T0']:.2f}x size")
        print(f"(generic image of kernel {kernel.release}, {RUNS} runs each, medians; mkinitrd-hal's time includes "
              "module resolution, ELF closure, reading every file and compressing each module; the pipelines start "
              "from the unpacked tree, whose modules are compressed already)")


if __name__ == "__main__":
    main()
