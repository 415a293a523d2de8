"""The floor ``python -m macros check`` is compared with: read and parse every YAML file, nothing else.

``python -m bench.parse_only FOLDER`` reads each ``*.yaml`` file of ``FOLDER`` (entries and
bibliography, the same files the check reads) and parses it with ``yaml.CSafeLoader``,
then prints the seconds that took (imports excluded) on standard output.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml


def parse_all(folder: Path) -> int:
    """Parse every ``*.yaml`` file of ``folder`` with the C safe loader; returns how many."""
    count = 0
    for path in sorted(folder.glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        count += 1
    return count


def main(argv: list[str]) -> int:
    """Parse the folder named by ``argv[0]`` and print the elapsed seconds."""
    if len(argv) != 1:
        print("usage: python -m bench.parse_only GLOSSARY_FOLDER", file=sys.stderr)
        return 2
    start = time.perf_counter()
    count = parse_all(Path(argv[0]))
    print(f"{time.perf_counter() - start:.6f} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
