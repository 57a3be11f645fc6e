"""The command-line reference, generated from `surrogate.cli.build_parser()`.

Walks every sub-parser recursively, so nested groups (`noise fit`, `figure skyrmion`, ...)
appear under their full command path. Nothing here names a command: the parser is the
only source.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

HELP_WIDTH = "100"  # columns argparse wraps the help at, so the page is the same everywhere


@dataclass(frozen=True)
class Command:
    """One runnable or grouping command: its words after the program name and its parser."""

    path: tuple[str, ...]
    parser: argparse.ArgumentParser
    help: str


def _subparsers_action(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[Command]:
    """Every command under `parser`, depth first, in the order the parser declares them."""
    action = _subparsers_action(parser)
    if action is None:
        return []
    helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
    commands: list[Command] = []
    seen: set[int] = set()
    for name, sub in action.choices.items():
        if id(sub) in seen:  # an alias of a command already listed
            continue
        seen.add(id(sub))
        command = Command((*path, name), sub, helps.get(name, ""))
        commands.append(command)
        commands.extend(walk(sub, command.path))
    return commands


def option_names(parser: argparse.ArgumentParser) -> list[str]:
    """Option strings (`--out`) and positional names (`config`) of `parser`, help excluded."""
    names: list[str] = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        names.extend(action.option_strings or [action.dest])
    return names


def _cell(text: str) -> str:
    cell = " ".join(str(text).split()).replace("|", "\\|")
    return cell.replace("{", "&#123;").replace("}", "&#125;")  # not attribute lists


def _action_row(action: argparse.Action) -> str:
    names = ", ".join(f"`{name}`" for name in action.option_strings) or f"`{action.dest}`"
    if action.option_strings:
        required = "yes" if action.required else "no"
    else:
        required = "no" if action.nargs in ("?", "*") else "yes"
    flag = action.nargs == 0  # store_true, or store_const such as train's --resume
    if flag:
        kind = "flag"
    elif isinstance(action, argparse._AppendAction) or action.nargs in ("+", "*"):
        kind = "repeatable"
    else:
        kind = getattr(action.type, "__name__", "str") if action.type else "str"
    choices = ", ".join(f"`{choice}`" for choice in action.choices) if action.choices else ""
    default = action.default
    shown_default = "" if flag or default in (None, argparse.SUPPRESS) else f"`{default}`"
    return (f"| {names} | {required} | {_cell(kind)} | {choices} | {_cell(shown_default)} "
            f"| {_cell(action.help or '')} |")


def _usage(parser: argparse.ArgumentParser) -> str:
    return " ".join(parser.format_usage().replace("usage:", "", 1).split())


def render(parser: argparse.ArgumentParser) -> str:
    """The Markdown page: the top-level usage, then one section per command."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        return _render(parser)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _render(parser: argparse.ArgumentParser) -> str:
    lines = [
        "# Command-line reference",
        "",
        "Generated at build time from `surrogate.cli.build_parser()`; `python -m surrogate` "
        "and the console script `spin-surrogate` are the same program. Times are in seconds "
        "and every number in SI units unless an option says otherwise.",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
        "",
    ]
    for command in walk(parser):
        depth = min(len(command.path) + 1, 4)
        lines += [f"{'#' * depth} `{' '.join(command.path)}`", ""]
        description = command.parser.description or command.help
        if description:
            lines += [_cell(description), ""]
        lines += ["```text", _usage(command.parser), "```", ""]
        actions = [action for action in command.parser._actions
                   if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction))]
        if actions:
            lines += ["| argument | required | type | choices | default | meaning |",
                      "|---|---|---|---|---|---|"]
            lines += [_action_row(action) for action in actions]
            lines.append("")
    return "\n".join(lines)


def build() -> str:
    """The page for the installed package's parser."""
    from surrogate.cli import build_parser

    return render(build_parser())
