"""The face: `python -m surrogate COMMAND ...`; the console script `spin-surrogate` is the
same program. It assembles the stage layer's commands into groups and maps errors to exit
codes (0 done, 1 a clear error on stderr, 2 bad usage). Times are in seconds (SI)."""

from __future__ import annotations

import argparse
import sys

from surrogate import __version__
from surrogate.stages import benchmark, experiments, figures, noise, simulate, summary, train
from surrogate.stages.options import check_output_paths

PROG = "python -m surrogate"
DESCRIPTION = "mumax3 / magnum.np simulations to Spin-Neural-ODE surrogates (SI units)."
#: Stage modules whose commands users type, in --help order.
USER_STAGES = (simulate, train, benchmark)
#: Stage modules that register one group each (`python -m surrogate GROUP COMMAND`).
GROUP_STAGES = (noise, experiments, figures, summary)
NAME_WIDTH = 16


def _commands(sub: argparse._SubParsersAction, names: list[str]) -> str:
    """One line per user command: its name and its summary."""
    return "\n".join(f"  {name:<{NAME_WIDTH}}{sub.choices[name].description}" for name in names)


def _groups(sub: argparse._SubParsersAction, names: list[str]) -> str:
    """One line per group: its name and the names of its commands."""
    lines = []
    for name in names:
        inner = next(action for action in sub.choices[name]._actions
                     if isinstance(action, argparse._SubParsersAction))
        lines.append(f"  {name:<{NAME_WIDTH}}{', '.join(inner.choices)}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; --help lists the users' commands first, then the groups."""
    parser = argparse.ArgumentParser(
        prog=PROG, usage="%(prog)s [-h] [--version] COMMAND ...",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"`{PROG} COMMAND --help` and `{PROG} GROUP --help` say more.",
    )
    parser.add_argument("--version", action="version", version=f"surrogate {__version__}")
    sub = parser.add_subparsers(prog=PROG, dest="command", required=True, metavar="COMMAND",
                                help=argparse.SUPPRESS)
    for stage in USER_STAGES:
        stage.register(sub)
    user_commands = list(sub.choices)
    for stage in GROUP_STAGES:
        stage.register(sub)
    groups = [name for name in sub.choices if name not in user_commands]
    parser.description = (
        f"{DESCRIPTION}\n\ncommands:\n{_commands(sub, user_commands)}\n\n"
        f"workflow steps, in groups ({PROG} GROUP COMMAND ...):\n{_groups(sub, groups)}"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code (argparse exits 2 itself on bad usage)."""
    args = build_parser().parse_args(argv)
    try:
        check_output_paths(args)
        args.func(args)
    except (ValueError, OSError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
