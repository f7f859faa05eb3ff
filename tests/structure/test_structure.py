"""The code base's shape, as README.md's "Layout" states it: folders include only folders below
them in its table (so no cycle either), each folder's README.md names what it may include, pure
halves include no sys/ header, no product function is longer than 80 lines, and every C++ file is as clang-format leaves it."""
import json
import pathlib
import re
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 80


def layout_folders():
    """Product folders in README's layout table, top first (tests/ and scripts/ are not product)."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Layout"):]
    folders = [folder for folder in re.findall(r"^\| `([a-z]+)/` \|", section, re.MULTILINE) if folder != "scripts"]
    assert folders, "README.md's layout table lists no folder"
    return folders


def product_files():
    listed = subprocess.run(["git", "ls-files", "*.cpp", "*.hpp"], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout.split()
    return [path for path in listed if not path.startswith("tests/")]


def cross_folder_includes():
    """(file, its folder, included folder) for every include of another top-level folder."""
    for path in product_files():
        folder = path.split("/")[0]
        for included in re.findall(r'^#include "([^"]+)"', (REPO / path).read_text(), re.MULTILINE):
            target = included.split("/")[0]
            if target != folder:
                yield path, folder, target


def test_every_product_folder_is_in_the_layout_table():
    folders = set(layout_folders())
    missing = sorted({path.split("/")[0] for path in product_files()} - folders)
    assert not missing, f"folders with code but no row in README.md's layout table: {missing}"


def test_includes_point_down_the_layout_table():
    order = {folder: level for level, folder in enumerate(layout_folders())}
    upward = [f"{path} includes {target}/ (above {folder}/)" for path, folder, target in cross_folder_includes()
              if order[target] <= order[folder]]
    assert not upward, "\n".join(upward)


def test_each_folder_readme_says_what_it_holds_and_may_include():
    allowed = {}
    for folder in layout_folders():
        readme = REPO / folder / "README.md"
        assert readme.exists(), f"{folder}/ has no README.md"
        text = readme.read_text()
        match = re.search(r"May include:(.*?)(\n\n|$)", text, re.DOTALL)
        assert match, f"{folder}/README.md does not say what {folder}/ may include"
        allowed[folder] = set(re.findall(r"([a-z]+)/", match.group(1)))
        if "everything below it" in match.group(1):
            allowed[folder] = set(layout_folders())
    unlisted = sorted({f"{folder}/ includes {target}/" for path, folder, target in cross_folder_includes()
                       if target not in allowed[folder] and target != "base"})
    assert not unlisted, "includes its README.md does not allow:\n" + "\n".join(unlisted)


PURE_FOLDERS = ("base", "devices", "modules", "disks", "platform", "net", "display", "supervision", "passthrough",
                "config", "launcher")
PROGRAM_ENTRIES = {"display/main.cpp"}  # hal-display's main: its program, not its pure half


def test_pure_halves_make_no_system_calls_through_sys():
    """A capability's pure half (its folder outside sys/) never includes a sys/ header, so its unit tests and
    fuzz targets need no fixture tree and its planners cannot touch the machine."""
    impure = []
    for path in product_files():
        parts = path.split("/")
        if parts[0] not in PURE_FOLDERS or "sys" in parts or path in PROGRAM_ENTRIES:
            continue
        for included in re.findall(r'^#include "([^"]+)"', (REPO / path).read_text(), re.MULTILINE):
            if "/sys/" in included:
                impure.append(f"{path} includes {included}")
    assert not impure, "\n".join(impure)


def test_no_product_function_is_longer_than_80_lines():
    output = subprocess.run(["ctags", "--c++-kinds=f", "--fields=+ne", "--output-format=json", "-f", "-",
                             *product_files()], cwd=REPO, capture_output=True, text=True, check=True).stdout
    long = []
    for line in output.splitlines():
        tag = json.loads(line)
        if "end" in tag and tag["end"] - tag["line"] + 1 > MAX_FUNCTION_LINES:
            long.append(f"{tag['path']}:{tag['line']} {tag['name']}: {tag['end'] - tag['line'] + 1} lines")
    assert not long, "\n".join(long)


def test_every_cpp_file_is_formatted():
    listed = subprocess.run(["git", "ls-files", "*.cpp", "*.hpp", "*.c"], cwd=REPO, capture_output=True, text=True,
                            check=True).stdout.split()
    result = subprocess.run(["clang-format", "--dry-run", "-Werror", *listed], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, "not as .clang-format leaves them (run clang-format -i):\n" + result.stderr[:4000]


def test_no_line_is_longer_than_100_columns():
    long = []
    for path in product_files():
        for number, line in enumerate((REPO / path).read_text().splitlines(), 1):
            if len(line) > 100:
                long.append(f"{path}:{number}: {len(line)} columns")
    assert not long, "\n".join(long[:40])


@pytest.mark.parametrize("path", ["Makefile", "README.md"])
def test_the_readme_and_makefile_point_at_no_file_outside_the_repository(path):
    text = (REPO / path).read_text()
    outside = re.findall(r"(?:\.\./(?!lib\b)\S+|\bshared/\S+)", text)  # $ORIGIN/../lib is the fixtures' RUNPATH
    assert not outside, f"{path} points outside the repository: {outside}"
