#!/usr/bin/env python3
"""make-man.py README.md OUTPUT: the mkinitrd-hal(8) man page, made from the README's sections
on building images (the option table, configuration files, modules.list, hal.conf, what the
image holds), so the page and the README never disagree."""
import re
import sys
from pathlib import Path

# README heading -> man page section, in page order.
SECTIONS = [
    ("Building an image for a real machine", "SYNOPSIS AND OPTIONS"),
    ("Configuration files", "CONFIGURATION FILES"),
    ("The image", "THE IMAGE"),
    ("Generic and host-only images", "GENERIC AND HOST-ONLY IMAGES"),
    ("Inspecting images: --list and --verify", "INSPECTING IMAGES"),
    ("Installing and kernel upgrades", "FILES"),
    ("Installing the boot entry: --install-boot, --remove-boot", "BOOT ENTRIES"),
    ("When the HAL cannot run the OS: fallback = bare-metal", "FALLBACK"),
    ("What the image contains", "IMAGE CONTENTS"),
    ("modules.list", "MODULES.LIST"),
    ("configs/hal.conf", "HAL.CONF"),
]


def sections_of(readme: str) -> dict[str, list[str]]:
    found, current = {}, None
    for line in readme.splitlines():
        heading = re.match(r"^#{2,3} (.+)$", line)
        if heading:
            current = heading.group(1).strip()
            found[current] = []
        elif current is not None:
            found[current].append(line)
    return found


# Characters the README uses that plain troff input lacks.
SPECIAL = {"\u2026": "...", "\u2212": "\\-", "\u2192": "\\(->", "\u2014": "\\(em", "\u00d7": "\\(mu",
           "\u2013": "\\(en"}


def escape(text: str) -> str:
    text = text.replace("\\|", "|").replace("\\", "\\e").replace("-", "\\-")
    for character, troff in SPECIAL.items():
        text = text.replace(character, troff)
    return text


def inline(text: str) -> str:
    """Markdown code spans and emphasis to troff fonts."""
    parts = re.split(r"(`[^`]+`)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append("\\fB" + escape(part[1:-1]) + "\\fR")
        else:
            part = re.sub(r"\*([^*]+)\*", lambda m: "\\fI" + m.group(1) + "\\fR", escape(part))
            out.append(part)
    return "".join(out)


def line_start_safe(text: str) -> str:
    """A text line must not start with a control character."""
    return "\\&" + text if text[:1] in (".", "'") else text


def table_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
    return [cell.strip() for cell in cells]


def render(lines: list[str]) -> list[str]:
    out, paragraph, in_code = [], [], False
    header: list[str] | None = None

    def flush():
        if paragraph:
            out.append(".PP")
            out.extend(line_start_safe(inline(text)) for text in paragraph)
            paragraph.clear()

    for line in lines:
        if line.startswith("```"):
            flush()
            out.append(".nf" if not in_code else ".fi")
            if not in_code:
                out.append(".RS 4")
            else:
                out.insert(len(out) - 1, ".RE")
            in_code = not in_code
            continue
        if in_code:
            out.append(line_start_safe(escape(line)))
            continue
        if line.startswith("|"):
            flush()
            cells = table_cells(line)
            if all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                continue
            if header is None:
                header = cells
                continue
            out.append(".TP")
            out.append(line_start_safe(inline(cells[0])))
            body = [inline(cell) for name, cell in zip(header[1:], cells[1:]) if cell and name != "default"]
            default = dict(zip(header, cells)).get("default", "")
            text = "; ".join(body) + (f" (default: {inline(default)})" if default else "")
            out.append(line_start_safe(text))
            continue
        header = None
        if not line.strip():
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    return out


def main():
    readme, output = Path(sys.argv[1]).read_text(), Path(sys.argv[2])
    found = sections_of(readme)
    intro = readme.split("\n## ", 1)[0].splitlines()[1:]
    page = [".TH MKINITRD-HAL 8 \"\" \"mkinitrd-hal\" \"System Administration\"",
            ".SH NAME",
            "mkinitrd-hal \\- build the initramfs that turns a machine into a thin hardware-abstraction layer",
            ".SH DESCRIPTION", *render(intro)]
    for heading, title in SECTIONS:
        if heading not in found:
            sys.exit(f"make-man: README.md has no section '{heading}'")
        page.append(f".SH {title}")
        page.extend(render(found[heading]))
    page += [".SH SEE ALSO", "dracut(8), mkinitramfs(8), qemu-system-x86_64(1)"]
    output.write_text("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
