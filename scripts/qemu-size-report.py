#!/usr/bin/env python3
"""qemu-size-report.py [MAP.gz]: where the static QEMU's bytes go, from the GNU ld link map
that scripts/build-qemu-static.sh keeps beside the binary. Sizes of the input sections that
survived --gc-sections, summed per area (a source directory of QEMU, or the static library an
object came from), largest first; with the binary's section sizes for the linker's own parts."""
import gzip
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

CACHE = Path(os.environ.get("HAL_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
             / "mkinitrd-hal") / "qemu-static" / "current"
# An input section line: " .text.name  0xADDRESS  0xSIZE  object", possibly with the name
# alone on the line before.
INPUT = re.compile(r"^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$")
KEPT = (".text", ".rodata", ".data", ".bss", ".tbss", ".tdata", ".init_array", ".eh_frame", ".gcc_except")


def area_of(origin: str) -> str:
    """A readable area for an object: QEMU source directory, or library name."""
    archive = re.match(r"^.*/lib([^/]+)\.a\((.*)\)$", origin)
    if archive:
        return f"lib{archive.group(1)} (static library)"
    name = Path(origin).name
    match = re.match(r"^(?:lib)?([\w.-]+?)\.fa\.p/(.*)\.c\.o$", origin)
    if match:
        parts = match.group(2).split("_")
        if parts[0] in ("hw", "target", "accel", "ui", "block", "net", "qapi", "qom", "util", "migration",
                        "softmmu", "monitor", "tcg", "chardev", "io", "crypto", "audio", "backends",
                        "trace", "disas", "dump", "replay", "gdbstub", "job", "authz", "fpu"):
            return "/".join(parts[:2]) if parts[0] in ("hw", "target", "accel") else parts[0]
        return f"{match.group(1)} (other)"
    if "qapi" in name or name.startswith("qapi"):
        return "qapi"
    return f"{Path(origin).parent.name or '.'}/{name}" if "/" in origin else name


def parse(map_text: str) -> dict[str, int]:
    areas: dict[str, int] = defaultdict(int)
    in_map = False
    pending = None
    for line in map_text.splitlines():
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map:
            continue
        if re.match(r"^ \.\S+$", line):
            pending = line.strip()
            continue
        match = INPUT.match(line)
        if match:
            section = match.group(1) or pending or ""
            pending = None
            size = int(match.group(2), 16)
            if size and section.startswith(KEPT):
                areas[area_of(match.group(3).strip())] += size
            continue
        pending = None
    return areas


def main():
    map_path = Path(sys.argv[1]) if len(sys.argv) > 1 else CACHE / "qemu-system-x86_64.map.gz"
    binary = map_path.parent / "qemu-system-x86_64"
    text = gzip.decompress(map_path.read_bytes()).decode(errors="replace")
    areas = parse(text)
    total = sum(areas.values())
    print(f"{'area':40s} {'bytes':>10s} {'share':>6s}")
    for area, size in sorted(areas.items(), key=lambda item: -item[1])[:30]:
        print(f"{area:40s} {size:10d} {100 * size / total:5.1f}%")
    print(f"{'(all input sections)':40s} {total:10d}")
    if binary.exists():
        print(f"\nbinary {binary}: {binary.stat().st_size} bytes stripped; linker-made sections:")
        sections = subprocess.run(["size", "-A", str(binary)], capture_output=True, text=True).stdout
        for line in sections.splitlines():
            fields = line.split()
            if len(fields) == 3 and fields[0].startswith((".rela", ".relr", ".eh_frame_hdr", ".got")):
                print(f"  {fields[0]:20s} {int(fields[1]):10d}")


if __name__ == "__main__":
    main()
