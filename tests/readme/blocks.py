"""Splits README.md's shell examples into files for tests/readme/run.sh.

Every ```sh block but the first (the README's own two commands: serve the
demo, run the tests) must follow a `<!-- readme-test: expect REGEX -->` or
`<!-- readme-test: skip REASON -->` marker. For each block to run, writes
NN-line-L.sh (the block, dedented) and NN-line-L.expect (the regex); a
block's output is checked with `check` below when this file is run with a
single argument (the .expect file) and the output on standard input.
"""

import pathlib
import re
import sys
import textwrap

MARKER = re.compile(r"<!-- readme-test: (expect|skip) (.+?) -->\s*$")
FENCE = re.compile(r"^(\s*)```(sh|bash)\s*$")


def split(readme: pathlib.Path, out: pathlib.Path) -> int:
    lines = readme.read_text().splitlines()
    out.mkdir(parents=True, exist_ok=True)
    problems, count, index, seen = [], 0, 0, 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        start = index
        indent = fence.group(1)
        body = []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(lines[index])
            index += 1
        index += 1
        seen += 1
        if seen == 1:
            continue
        marker = next((MARKER.search(lines[i]) for i in range(start - 1, -1, -1) if lines[i].strip()), None)
        if marker is None:
            problems.append(f"README.md:{start + 1}: a shell example without a readme-test marker")
            continue
        if marker.group(1) == "skip":
            continue
        count += 1
        name = f"{count:02d}-line-{start + 1}"
        script = textwrap.dedent("\n".join(line[len(indent):] if line.startswith(indent) else line for line in body))
        (out / f"{name}.sh").write_text(script + "\n")
        (out / f"{name}.expect").write_text(marker.group(2))
    for problem in problems:
        print(problem, file=sys.stderr)
    if count == 0:
        print("README.md has no example to run", file=sys.stderr)
        return 1
    return 1 if problems else 0


def check(expect_file: pathlib.Path) -> int:
    pattern = expect_file.read_text()
    return 0 if re.search(pattern, sys.stdin.read(), re.M) else 1


if __name__ == "__main__":
    if len(sys.argv) == 3:
        sys.exit(split(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])))
    sys.exit(check(pathlib.Path(sys.argv[1])))
