"""The documentation's results page, generated from benchmarks/results/.

Each result file becomes one section: its title, a table of the command, commit,
machine and date of every run it holds, its figure where one sits beside it, and
its numbers (a Markdown file's own text; a JSON file's scalar values).
"""

from __future__ import annotations

import json
import re

from docs.gen.results import PRODUCED, RESULTS, ResultFile, read_all

FIGURES = "figures"  # the page's figure folder, relative to the page
MAX_JSON_ROWS = 60


def anchor(result: ResultFile) -> str:
    """The section anchor of a result file on the results page (a file in a sub-folder
    shares its folder's section)."""
    return re.sub(r"[^a-z0-9]+", "-", result.name.split("/")[0].lower()).strip("-")


def _scalars(value: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        found: list[tuple[str, object]] = []
        for key, item in value.items():
            if key != "provenance":
                found += _scalars(item, f"{prefix}.{key}" if prefix else str(key))
        return found
    if isinstance(value, (str, int, float, bool)) or value is None:
        return [(prefix, value)]
    return []  # arrays (traces) are data, not headline numbers


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = " ".join(str(value).split()).replace("|", "\\|")
    return text.replace("{", "&#123;").replace("}", "&#125;")  # not attribute lists


def _markdown_body(text: str) -> list[str]:
    """A Markdown result's text without its title and provenance paragraphs, one level down."""
    lines = []
    for line in text.splitlines():
        if line.startswith("# "):
            continue
        if PRODUCED.search(line):
            continue
        lines.append(f"##{line}" if line.startswith("#") else line)
    return lines


def figure_names(result: ResultFile) -> list[str]:
    """The PNG files sitting beside a result file with its stem."""
    return sorted(path.name for path in result.path.parent.glob(f"{result.path.stem}*.png")
                  if result.path.parent == RESULTS)


def render(results: list[ResultFile]) -> str:
    """The Markdown page."""
    lines = [
        "# Results",
        "",
        "Generated at build time from the result files in `benchmarks/results/`. Each "
        "benchmark writes one file, with the command, commit, machine and date of every run "
        "it holds; a rerun replaces its file, and git keeps the history. Run a benchmark from "
        "the repository root with `python -m benchmarks.<name>`.",
        "",
        "| result file | what it measures | runs |",
        "|---|---|---|",
    ]
    top = [result for result in results if "/" not in result.name]
    folders: dict[str, list[ResultFile]] = {}
    for result in results:
        if "/" in result.name:
            folders.setdefault(result.name.split("/")[0], []).append(result)
    lines += [f"| [`{result.name}`](#{anchor(result)}) | {_format(result.title)} "
              f"| {len(result.provenance)} |" for result in top]
    lines += [f"| [`{folder}/`](#{anchor(members[0])}) | the runs behind `{folder}.md` "
              f"| {len(members)} |" for folder, members in folders.items()]
    lines.append("")
    for folder, members in folders.items():
        lines += [f"## The runs behind `{folder}.md` {{#{anchor(members[0])}}}", "",
                  f"One JSON file per run in `benchmarks/results/{folder}/`, each with its own "
                  "provenance; `" + folder + ".md` tabulates them.", "",
                  "| file | pass | command | commit | machine | date |",
                  "|---|---|---|---|---|---|"]
        for member in members:
            passed = json.loads(member.path.read_text(encoding="utf-8")).get("pass", "")
            lines += [f"| `{member.path.name}` | {_format(passed)} | `{p.command}` | {p.commit} "
                      f"| {_format(p.machine)} | {p.date} |" for p in member.provenance]
        lines.append("")
    for result in top:
        lines += [f"## {_format(result.title)} {{#{anchor(result)}}}", "",
                  f"File: `benchmarks/results/{result.name}`.", "",
                  "| command | commit | machine | date |", "|---|---|---|---|"]
        lines += [f"| `{p.command}` | {p.commit} | {_format(p.machine)} | {p.date} |"
                  for p in result.provenance]
        lines.append("")
        for name in figure_names(result):
            lines += [f"![{_format(result.title)}]({FIGURES}/{name})", ""]
        text = result.path.read_text(encoding="utf-8")
        if result.path.suffix == ".md":
            lines += [*_markdown_body(text), ""]
            continue
        scalars = _scalars(json.loads(text))
        lines += ["| quantity | value |", "|---|---|"]
        lines += [f"| `{key}` | {_format(value)} |" for key, value in scalars[:MAX_JSON_ROWS]]
        if len(scalars) > MAX_JSON_ROWS:
            lines.append(f"| ({len(scalars) - MAX_JSON_ROWS} more in the file) | |")
        lines.append("")
    return "\n".join(lines)


def build() -> str:
    """The page for the committed result files."""
    return render(read_all())
