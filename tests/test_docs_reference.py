"""The documentation's generated pages: complete references, a current README table, and
result files that all carry their provenance.

The references are generated from the code when the site is built (docs/gen/); these
tests build them the same way and read them back, so a schema field, a command or an
option that the generator drops fails here.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from docs.gen import cli_reference, config_reference, readme_table, results_page
from docs.gen.results import read_all

REPO = Path(__file__).resolve().parent.parent
SECTION = re.compile(r"^## `([^`]+)`")
COMMAND = re.compile(r"^#{2,4} `([^`]+)`")
ROW_NAME = re.compile(r"^\| `([^`]+)`")


def _sections(page: str, heading: re.Pattern) -> dict[str, str]:
    """Heading text -> the lines under it, for every heading `heading` matches."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in page.splitlines():
        match = heading.match(line)
        if match:
            current = found.setdefault(match.group(1), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in found.items()}


def missing_config_fields(page: str, schema: dict) -> list[str]:
    """`section.field` of every schema property without a row in its section of `page`."""
    listed = _sections(page, SECTION)
    missing = []
    for name, section in config_reference.sections(schema).items():
        rows = {ROW_NAME.match(line).group(1)
                for line in listed.get(name, "").splitlines() if ROW_NAME.match(line)}
        missing += [f"{name}.{field}" for field in section["properties"] if field not in rows]
    return missing


def missing_cli_entries(page: str, parser: argparse.ArgumentParser) -> list[str]:
    """Every command without a section in `page`, and every option or positional argument
    without a row in its command's section."""
    listed = _sections(page, COMMAND)
    missing = []
    for command in cli_reference.walk(parser):
        path = " ".join(command.path)
        if path not in listed:
            missing.append(path)
            continue
        rows = listed[path]
        missing += [f"{path} {name}" for name in cli_reference.option_names(command.parser)
                    if f"`{name}`" not in rows.split("\n#", 1)[0]]
    return missing


def test_config_reference_lists_every_schema_field():
    schema = config_reference.load_schema()
    assert missing_config_fields(config_reference.build(), schema) == []


def test_config_reference_gives_defaults_and_units_from_the_code():
    page = config_reference.build()
    model = _sections(page, SECTION)["model"]
    from surrogate import TrainSettings

    assert f"| `hidden` | integer |  | `{TrainSettings.hidden}` |" in model
    material = _sections(page, SECTION)["material"]
    assert "| `Ms` | number | A/m | *required* | > 0 |" in material


def test_cli_reference_lists_every_command_and_option():
    from surrogate.cli import build_parser

    parser = build_parser()
    assert cli_reference.walk(parser), "the parser has no commands"
    assert missing_cli_entries(cli_reference.build(), parser) == []


def test_cli_walk_descends_into_nested_groups():
    parser = argparse.ArgumentParser(prog="tool")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("train").add_argument("--out", required=True)
    noise = commands.add_parser("noise").add_subparsers(dest="noise_command")
    noise.add_parser("fit").add_argument("--lags")
    paths = [" ".join(command.path) for command in cli_reference.walk(parser)]
    assert paths == ["train", "noise", "noise fit"]
    page = cli_reference.render(parser)
    assert missing_cli_entries(page, parser) == []
    assert missing_cli_entries(page.replace("| `--lags` |", "| `--lag` |"), parser) == [
        "noise fit --lags"]


def test_a_line_deleted_from_a_reference_is_reported():
    schema = config_reference.load_schema()
    page = config_reference.build()
    without = "\n".join(line for line in page.splitlines()
                        if not line.startswith("| `cell_size` |"))
    assert "skyrmion_device.cell_size" in missing_config_fields(without, schema)


def test_readme_results_table_is_current():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme_table.with_table(readme) == readme, (
        "README.md's results table is stale: run python -m docs.gen.readme_table")


def test_readme_is_short_and_has_no_commit_hash_or_first_person():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert not re.findall(r"\b[0-9a-f]{7,40}\b", readme)
    assert not re.findall(r"\b(we|our|us|I)\b", readme, flags=re.IGNORECASE)


def test_every_result_file_has_provenance():
    results = read_all()
    assert results
    for result in results:
        assert result.provenance, f"benchmarks/results/{result.name}: no provenance"
        for run in result.provenance:
            assert run.command and run.commit and run.machine and run.date, (
                f"benchmarks/results/{result.name}: incomplete provenance {run}")


@pytest.mark.parametrize("result", read_all(), ids=lambda result: result.name)
def test_results_page_shows_each_file_with_its_provenance(result):
    page = results_page.build()
    section = page.split(f"{{#{results_page.anchor(result)}}}", 1)[1].split("\n## ", 1)[0]
    for run in result.provenance:
        assert run.commit in section and run.date in section


def test_readme_links_point_at_committed_files():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme)
    local = [target for target in targets if "://" not in target]
    assert local
    assert [target for target in local if not (REPO / target).exists()] == []
