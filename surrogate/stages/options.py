"""Shared command-line pieces of the stage layer: argparse types, `--window`, JSON options
and the check that a command never writes over its own inputs. Times are in seconds (SI).

Light on purpose: the face imports every stage module to build its parser, so nothing
here (or at the top of a stage module) may import torch, numpy, yaml or jsonschema.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

WINDOW_HELP = "START:STOP in seconds of the trace's own clock; either side may be empty"


class CliError(ValueError):
    """Bad command-line input."""


def finite_float(text: str) -> float:
    """argparse type: a finite number (NaN and infinity are refused)."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from exc
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0."""
    value = finite_float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be > 0")
    return value


def non_negative_float(text: str) -> float:
    """argparse type: a finite number >= 0."""
    value = finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be >= 0")
    return value


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from exc


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a whole number >= 0 (a seed, a count that may be none)."""
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be >= 0")
    return value


def add_command(sub, name: str, summary: str, run) -> argparse.ArgumentParser:
    """A sub-command `name` that runs `run(args)`; `summary` is its one line in --help."""
    parser = sub.add_parser(name, help=summary, description=summary)
    parser.set_defaults(func=run)
    return parser


def add_group(sub, name: str, summary: str):
    """A group of sub-commands (`python -m surrogate NAME COMMAND ...`): its sub-parsers."""
    parser = sub.add_parser(name, help=summary, description=summary)
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")


def declare_paths(parser: argparse.ArgumentParser, inputs: tuple[str, ...],
                  outputs: tuple[str, ...]) -> None:
    """Record which arguments of a command are files it reads and files it writes."""
    labels = {action.dest: (action.option_strings[-1] if action.option_strings else action.dest)
              for action in parser._actions}
    parser.set_defaults(input_args=inputs, output_args=outputs, path_labels=labels)


def _paths(args: argparse.Namespace, names: tuple[str, ...]) -> list[tuple[str, Path]]:
    """(option, resolved path) for each named argument that was given (lists flattened)."""
    found = []
    for name in names:
        value = getattr(args, name, None)
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                found.append((args.path_labels.get(name, name), Path(item).resolve()))
    return found


def check_output_paths(args: argparse.Namespace) -> None:
    """Refuse, before any work, a write (sidecars included) that is an input, another
    output, a directory, in a folder that cannot be written, or a name too long."""
    from surrogate.io.write_plan import check_write_plan, planned_writes

    writes = planned_writes(_paths(args, args.output_args), getattr(args, "sidecars", None))
    check_write_plan(_paths(args, args.input_args), writes)


def parse_window(text: str | None) -> tuple[float | None, float | None]:
    """'1e-8:6e-8' -> (1e-8, 6e-8) in s; '' on a side means open."""
    if text is None:
        return (None, None)
    parts = text.split(":")
    if len(parts) != 2:
        raise CliError(f"--window '{text}': expected START:STOP in seconds")
    try:
        start, stop = (float(part) if part.strip() else None for part in parts)
    except ValueError as exc:
        raise CliError(f"--window '{text}': {exc}") from exc
    if start is not None and stop is not None and stop <= start:
        raise CliError(f"--window '{text}': STOP must be greater than START")
    return start, stop


def json_option(option: str, text: str) -> dict:
    """A JSON object given on the command line; errors name the option. NaN/Infinity refused."""
    def refuse(constant: str) -> float:
        raise CliError(f"{option}: {constant} is not a finite number")

    try:
        value = json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise CliError(f"{option}: not valid JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise CliError(f"{option}: expected a JSON object, got {type(value).__name__}")
    return value


def windowed(trace, text: str | None):
    """`trace` cut to the `--window` START:STOP (s), or whole when `text` is None."""
    start, stop = parse_window(text)
    if start is None and stop is None:
        return trace
    trace.check_covers(start, stop, "--window")
    return trace.window(start, stop)


def set_threads(count: int) -> None:
    """Torch intra-op threads: one is fastest for these small models on a busy 2-core CPU."""
    import torch

    if count < 1:
        raise CliError(f"--threads {count}: must be at least 1")
    torch.set_num_threads(count)
