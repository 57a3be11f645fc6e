"""TEST DOUBLE of the mumax3 executable: checks our command line and output parsing only.

It runs no physics. It records its argument list and working directory as
JSON in $MUMAX3_DOUBLE_RECORD, then behaves as $MUMAX3_DOUBLE_MODE says:

- `ok`: write `table.txt` with $MUMAX3_DOUBLE_ROWS rows (default 10) into the
  `-o` directory, in mumax3's header style, and exit 0;
- `crash`: print an error like a failing script and exit 1;
- `no_table`: create the `-o` directory without a table and exit 0;
- `header_only`: write only the table header and exit 0;
- `truncated`: write rows whose last one is cut off mid-number, exit 0;
- `hang`: print a line and sleep for an hour (for timeout tests).

Tests put a shim named `mumax3` that execs this file first on PATH.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HEADER = "# t (s)\tmx ()\tmy ()\tmz ()\tKu1.region100 (J/m3)\n"


def _rows(count: int) -> str:
    return "".join(f"{1e-9 + 2.5e-12 * n!r}\t0\t0\t0.75\t800000\n" for n in range(count))


def main(argv: list[str]) -> int:
    record = os.environ.get("MUMAX3_DOUBLE_RECORD")
    if record:
        Path(record).write_text(json.dumps({"argv": argv, "cwd": os.getcwd()}))
    mode = os.environ.get("MUMAX3_DOUBLE_MODE", "ok")
    out = Path(argv[argv.index("-o") + 1])
    print("//mumax3 test double, not mumax3", flush=True)
    if mode == "crash":
        print("error: line 12: undefined: Ku2", file=sys.stderr, flush=True)
        return 1
    if mode == "hang":
        print("running forever", flush=True)
        time.sleep(3600)
        return 0
    out.mkdir(parents=True, exist_ok=True)
    table = out / "table.txt"
    if mode == "ok":
        table.write_text(HEADER + _rows(int(os.environ.get("MUMAX3_DOUBLE_ROWS", "10"))))
    elif mode == "header_only":
        table.write_text(HEADER)
    elif mode == "truncated":
        table.write_text(HEADER + _rows(5) + "1.0125e-09\t0\t0\t0.7")
    elif mode != "no_table":
        print(f"unknown MUMAX3_DOUBLE_MODE {mode!r}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
