"""The catalogue of bad inputs: each row is one hostile or careless command line.

Every case runs `python -m surrogate ...` in-process and must exit non-zero with a
message naming the file and the field, option or line, and leave no output a later
stage would take as finished. `python -m tests.test_bad_inputs` prints the catalogue
as the Markdown table in docs/bad_inputs.md; a test keeps the two in step.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from surrogate.cli import main
from surrogate.io.trace import Trace, save_trace

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
DOC = REPO / "docs" / "bad_inputs.md"


@dataclass(frozen=True)
class Workspace:
    """Good inputs in a temporary folder, which each case spoils in its own way."""

    root: Path
    config: dict
    trace: Path
    model: Path
    table: Path

    def write_config(self, config: dict, name: str = "bad.yaml") -> Path:
        path = self.root / name
        path.write_text(yaml.safe_dump(config))
        return path

    def changed(self, edit: Callable[[dict], None], name: str = "bad.yaml") -> Path:
        config = copy.deepcopy(self.config)
        edit(config)
        return self.write_config(config, name)

    def render(self, config_path: Path, device: str = "skyrmion", drive: str = "train") -> list:
        return ["render", str(config_path), "--device", device, "--drive", drive,
                "--out", str(self.root / "rendered")]

    def table_text(self, edit: Callable[[list[str]], list[str]]) -> Path:
        lines = self.table.read_text().splitlines(keepends=True)
        path = self.root / "bad_table.txt"
        path.write_text("".join(edit(lines)))
        return path

    def import_args(self, table: Path, inputs=("Ku1.region100",), outputs=("mz",)) -> list:
        args = ["import-mumax3", str(table), "--out", str(self.root / "imported.npz")]
        for name in inputs:
            args += ["--input", name]
        for name in outputs:
            args += ["--output", name]
        return args

    def train(self, trace: Path, *extra: str, out: Path | None = None) -> list:
        return ["train", str(trace), "--out", str(out or self.root / "new.pt"), "--quiet",
                "--max-iterations", "5", *extra]

    def npz(self, name: str, **fields) -> Path:
        path = self.root / name
        with np.load(self.trace, allow_pickle=False) as data:
            payload = {key: data[key] for key in data.files}
        payload.update(fields)
        with open(path, "wb") as stream:
            np.savez(stream, **payload)
        return path


@dataclass(frozen=True)
class Case:
    """One bad input: `args` builds the command line; `expect` are fragments of the error."""

    name: str
    what: str
    args: Callable[[Workspace], list]
    expect: Callable[[Workspace], list[str]]


def _set(path: str, value) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        *parents, last = path.split(".")
        node = config
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value
    return edit


def _config_case(name: str, what: str, path: str, value, *fragments: str) -> Case:
    return Case(name, what, lambda ws: ws.render(ws.changed(_set(path, value))),
                lambda ws: [str(ws.root / "bad.yaml"), *fragments])


def _spoil_row(lines: list[str], text: str, column: int = 1) -> list[str]:
    """The table with one column of its fourth line replaced by `text`."""
    cells = lines[3].split("\t")
    cells[column] = text
    return [*lines[:3], "\t".join(cells), *lines[4:]]


def _drop_row_end(lines: list[str]) -> list[str]:
    return [*lines[:-1], lines[-1].rstrip("\n")[:-3]]


CASES = [
    Case("config-missing", "config file that does not exist",
         lambda ws: ws.render(ws.root / "absent.yaml"),
         lambda ws: [str(ws.root / "absent.yaml"), "not found"]),
    Case("config-not-yaml", "config that is not YAML",
         lambda ws: ws.render(_text(ws, "bad.yaml", "devices: [unclosed\n")),
         lambda ws: [str(ws.root / "bad.yaml"), "not valid YAML"]),
    Case("config-duplicate-key", "a drive defined twice (YAML keeps the last)",
         lambda ws: ws.render(_text(ws, "bad.yaml", (REPO / "config.yaml").read_text().replace(
             "  test:\n", "  train:\n", 1))),
         lambda ws: [str(ws.root / "bad.yaml"), "key 'train' is given twice", "line"]),
    _config_case("config-nan", "Ms: .nan", "devices.skyrmion.material.Ms", float("nan"),
                 "devices.skyrmion.material.Ms", "NaN or infinity"),
    _config_case("config-infinity", "amplitude: .inf", "drives.train.amplitude", float("inf"),
                 "drives.train.amplitude", "NaN or infinity"),
    _config_case("config-negative-cell", "negative cell size", "devices.skyrmion.cell_size",
                 -4e-9, "devices.skyrmion.cell_size"),
    _config_case("config-wrong-type", "a number given as text", "devices.skyrmion.material.Ms",
                 "large", "devices.skyrmion.material.Ms"),
    _config_case("config-unknown-key", "a misspelt device key", "devices.skyrmion.diametre",
                 8e-8, "devices.skyrmion", "diametre"),
    _config_case("config-undefined-drive", "test_drive names no drive", "test_drive", "nope",
                 "test_drive", "'nope' is not defined"),
    _config_case("config-cells-not-whole", "diameter not a whole number of cells",
                 "devices.skyrmion.cell_size", 3e-9, "devices.skyrmion.cell_size"),
    _config_case("config-skyrmion-outside", "a skyrmion seeded outside the disk",
                 "devices.skyrmion.skyrmion_positions", [[3e-8, 0.0]],
                 "devices.skyrmion.skyrmion_positions[0]", "does not fit inside"),
    _config_case("config-sample-period-long", "a sample period longer than the drive",
                 "sample_period", 1e-9, "sample_period", "table rows"),
    _config_case("config-terabytes", "a grid needing terabytes", "devices.skyrmion.diameter",
                 1e-3, "devices.skyrmion", "GiB"),
    _config_case("config-billion-rows", "a table of 1e10 rows", "sample_period", 1e-19,
                 "sample_period", "at most"),
    Case("config-missing-key", "a required device key left out",
         lambda ws: ws.render(ws.changed(lambda c: c["devices"]["skyrmion"].pop("diameter"))),
         lambda ws: [str(ws.root / "bad.yaml"), "devices.skyrmion.diameter"]),
    Case("render-unknown-device", "--device names no device",
         lambda ws: ws.render(ws.write_config(ws.config), device="nope"),
         lambda ws: ["no device 'nope'"]),
    Case("render-unknown-drive", "--drive names no drive",
         lambda ws: ws.render(ws.write_config(ws.config), drive="nope"),
         lambda ws: ["no drive 'nope'"]),
    Case("spec-json-malformed", "--spec-json that is not JSON",
         lambda ws: ["render", "--spec-json", "{devices:", "--device", "skyrmion", "--drive",
                     "train", "--out", str(ws.root / "rendered")],
         lambda ws: ["--spec-json", "not valid JSON"]),
    Case("spec-json-array", "--spec-json that is a list",
         lambda ws: ["render", "--spec-json", "[1]", "--device", "skyrmion", "--drive",
                     "train", "--out", str(ws.root / "rendered")],
         lambda ws: ["--spec-json", "expected a JSON object"]),
    Case("series-file-missing", "masked-sequence drive whose series file is absent",
         lambda ws: ws.render(ws.changed(_masked(ws, "absent.txt")), drive="reservoir"),
         lambda ws: [str(ws.root / "absent.txt"), "series_file", "not found"]),
    Case("series-file-text", "series file with a word in it",
         lambda ws: ws.render(ws.changed(_masked(ws, _text(ws, "s.txt", "0.1\nabc\n"))),
                              drive="reservoir"),
         lambda ws: [str(ws.root / "s.txt"), "series_file", "not numeric"]),
    Case("series-file-short", "series file with fewer values than n_samples",
         lambda ws: ws.render(ws.changed(_masked(ws, _text(ws, "s.txt", "0.1\n0.2\n"))),
                              drive="reservoir"),
         lambda ws: [str(ws.root / "s.txt"), "series_file", "values"]),
    Case("series-file-nan", "series file holding nan",
         lambda ws: ws.render(ws.changed(_masked(ws, _text(ws, "s.txt", "0.1\nnan\n" * 30))),
                              drive="reservoir"),
         lambda ws: [str(ws.root / "s.txt"), "series_file", "NaN"]),
    Case("table-missing", "import of a table that does not exist",
         lambda ws: ws.import_args(ws.root / "absent.txt"),
         lambda ws: [str(ws.root / "absent.txt")]),
    Case("table-header-only", "a table with a header and no rows",
         lambda ws: ws.import_args(ws.table_text(lambda lines: lines[:1])),
         lambda ws: [str(ws.root / "bad_table.txt"), "no data rows"]),
    Case("table-truncated", "a table cut off mid-row (a crashed run)",
         lambda ws: ws.import_args(ws.table_text(_drop_row_end)),
         lambda ws: [str(ws.root / "bad_table.txt"), "line"]),
    Case("table-not-numeric", "a table with a word in a row",
         lambda ws: ws.import_args(ws.table_text(lambda lines: _spoil_row(lines, "zero"))),
         lambda ws: [str(ws.root / "bad_table.txt"), "line 4", "'zero' is not a number"]),
    Case("table-nan", "a table holding NaN (an empty mumax3 region)",
         lambda ws: ws.import_args(ws.table_text(lambda lines: _spoil_row(lines, "NaN", 3))),
         lambda ws: [str(ws.root / "bad_table.txt"), "NaN"]),
    Case("table-bad-header", "a table whose header is not mumax3's",
         lambda ws: ws.import_args(ws.table_text(lambda lines: ["t,mx,my\n", *lines[1:]])),
         lambda ws: [str(ws.root / "bad_table.txt"), "header"]),
    Case("table-missing-column", "--input names no column",
         lambda ws: ws.import_args(ws.table, inputs=("Ku1.region7",)),
         lambda ws: [str(ws.table), "Ku1.region7"]),
    Case("table-uneven", "a table whose time steps are uneven",
         lambda ws: ws.import_args(ws.table_text(lambda lines: [*lines[:5], *lines[6:]])),
         lambda ws: [str(ws.root / "bad_table.txt"), "field 't' is unevenly sampled"]),
    Case("table-output-is-input", "the same column as input and output",
         lambda ws: ws.import_args(ws.table, inputs=("mz",), outputs=("mz",)),
         lambda ws: [str(ws.table), "both inputs and outputs"]),
    Case("table-output-twice", "the same output twice",
         lambda ws: ws.import_args(ws.table, outputs=("mz", "mz")),
         lambda ws: [str(ws.table), "field 'output_names' names ['mz'] more than once"]),
    Case("import-out-is-input", "--out is the table being imported",
         lambda ws: ["import-mumax3", str(ws.table), "--input", "Ku1.region100", "--output",
                     "mz", "--out", str(ws.table)],
         lambda ws: ["--out", str(ws.table), "is also the input path"]),
    Case("trace-missing", "train on a trace that does not exist",
         lambda ws: ws.train(ws.root / "absent.npz"),
         lambda ws: [str(ws.root / "absent.npz"), "not found"]),
    Case("trace-is-text", "a text file named .npz",
         lambda ws: ws.train(_text(ws, "notes.npz", "t,mz\n0,1\n")),
         lambda ws: [str(ws.root / "notes.npz"), "not a trace file"]),
    Case("trace-missing-field", "a trace without its units",
         lambda ws: ws.train(_without(ws, "input_units")),
         lambda ws: [str(ws.root / "cut.npz"), "missing field 'input_units'"]),
    Case("trace-nan", "a trace holding NaN",
         lambda ws: ws.train(ws.npz("nan.npz", outputs=np.full((400, 1), np.nan))),
         lambda ws: [str(ws.root / "nan.npz"), "field 'outputs' holds NaN"]),
    Case("trace-bad-metadata", "a trace whose metadata is not JSON",
         lambda ws: ws.train(ws.npz("meta.npz", metadata=np.array("{oops"))),
         lambda ws: [str(ws.root / "meta.npz"), "field 'metadata'"]),
    Case("train-out-is-input", "train --out is its own trace",
         lambda ws: ws.train(ws.trace, out=ws.trace),
         lambda ws: ["--out", str(ws.trace), "is also the input trace"]),
    Case("train-out-directory", "train --out is a directory",
         lambda ws: ws.train(ws.trace, out=ws.root),
         lambda ws: ["--out", str(ws.root), "is a directory"]),
    Case("train-report-is-out", "--report and --out are one file",
         lambda ws: ws.train(ws.trace, "--report", str(ws.root / "new.pt")),
         lambda ws: ["--report", str(ws.root / "new.pt"), "is also the output --out"]),
    Case("train-max-minutes-nan", "--max-minutes nan",
         lambda ws: ws.train(ws.trace, "--max-minutes", "nan"),
         lambda ws: ["--max-minutes", "not a finite number"]),
    Case("train-iterations-zero", "--max-iterations 0",
         lambda ws: ws.train(ws.trace, "--max-iterations", "0"),
         lambda ws: ["--max-iterations", "must be at least 1"]),
    Case("train-threads-zero", "--threads 0",
         lambda ws: ws.train(ws.trace, "--threads", "0"),
         lambda ws: ["--threads", "must be at least 1"]),
    Case("train-low-pass-zero", "--low-pass 0",
         lambda ws: ws.train(ws.trace, "--low-pass", "0"),
         lambda ws: ["--low-pass", "must be > 0"]),
    Case("settings-not-json", "--settings-json that is not JSON",
         lambda ws: ws.train(ws.trace, "--settings-json", "{k: 2"),
         lambda ws: ["--settings-json", "not valid JSON"]),
    Case("settings-wrong-type", "--settings-json with a width given as text",
         lambda ws: ws.train(ws.trace, "--settings-json", '{"hidden": "wide"}'),
         lambda ws: ["--settings-json", "field 'hidden' must be int"]),
    Case("settings-unknown", "--settings-json with an unknown setting",
         lambda ws: ws.train(ws.trace, "--settings-json", '{"hiden": 8}'),
         lambda ws: ["--settings-json", "unknown model settings ['hiden']"]),
    Case("settings-nan", "--settings-json with lr NaN",
         lambda ws: ws.train(ws.trace, "--settings-json", '{"lr": NaN}'),
         lambda ws: ["--settings-json", "NaN is not a finite number"]),
    Case("settings-bad-value", "--settings-json with a negative learning rate",
         lambda ws: ws.train(ws.trace, "--settings-json", '{"lr": -1.0}'),
         lambda ws: ["TrainSettings.lr must be > 0"]),
    Case("train-window-malformed", "--window without a colon",
         lambda ws: ws.train(ws.trace, "--window", "1e-9"),
         lambda ws: ["--window '1e-9'", "START:STOP"]),
    Case("train-window-empty", "--window outside the trace",
         lambda ws: ws.train(ws.trace, "--window", "1:2"),
         lambda ws: ["--window 1:2 s reaches past the data", "covers 0..2e-09 s"]),
    Case("train-constant-output", "an output that never changes",
         lambda ws: ws.train(ws.npz("flat.npz", outputs=np.full((400, 1), 0.5))),
         lambda ws: ["output channel 'mz' is constant"]),
    Case("train-too-short", "a trace too short to train on",
         lambda ws: ws.train(_short_trace(ws)),
         lambda ws: ["is too short"]),
    Case("train-traces-spacing", "a second training trace sampled at another spacing",
         lambda ws: ["train", str(ws.trace), str(_coarse_trace(ws)), "--out",
                     str(ws.root / "new.pt"), "--quiet", "--max-iterations", "5"],
         lambda ws: [f"{ws.root / 'coarse.npz'} is sampled every", "one sample spacing"]),
    Case("model-missing", "evaluate a model that does not exist",
         lambda ws: ["evaluate", str(ws.root / "absent.pt"), str(ws.trace)],
         lambda ws: [str(ws.root / "absent.pt"), "model file not found"]),
    Case("model-is-text", "a text file given as the model",
         lambda ws: ["evaluate", str(_text(ws, "m.pt", "weights")), str(ws.trace)],
         lambda ws: [str(ws.root / "m.pt"), "not a readable model file"]),
    Case("model-partial", "a periodic checkpoint of a killed training",
         lambda ws: ["evaluate", str(_checkpoint(ws, "m.partial.pt", partial=True)),
                     str(ws.trace)],
         lambda ws: [str(ws.root / "m.partial.pt"), "field 'metadata.partial'"]),
    Case("model-nan-weights", "a model file with a NaN weight",
         lambda ws: ["predict", str(_checkpoint(ws, "nan.pt", nan=True)), str(ws.trace),
                     "--out", str(ws.root / "p.npz")],
         lambda ws: [str(ws.root / "nan.pt"), "holds NaN"]),
    Case("model-wrong-version", "a model file of another format version",
         lambda ws: ["evaluate", str(_checkpoint(ws, "v9.pt", format_version=9)),
                     str(ws.trace)],
         lambda ws: [str(ws.root / "v9.pt"), "field 'format_version'"]),
    Case("evaluate-units", "a trace whose input is in other units than the model's",
         lambda ws: ["evaluate", str(ws.model), str(ws.npz("mt.npz",
                                                             input_units=np.array(["mT"])))],
         lambda ws: ["channel 'Ku1'", "'mT'", "'J/m3'"]),
    Case("evaluate-missing-channel", "a trace without the model's input",
         lambda ws: ["evaluate", str(ws.model), str(ws.npz("other.npz",
                                                             input_names=np.array(["J"])))],
         lambda ws: ["no input channel 'Ku1'"]),
    Case("evaluate-json-directory", "evaluate --json is a directory",
         lambda ws: ["evaluate", str(ws.model), str(ws.trace), "--json", str(ws.root)],
         lambda ws: ["--json", str(ws.root), "is a directory"]),
    Case("predict-out-is-input", "predict --out is its own trace",
         lambda ws: ["predict", str(ws.model), str(ws.trace), "--out", str(ws.trace)],
         lambda ws: ["--out", str(ws.trace), "is also the input trace_or_drive"]),
    Case("predict-out-is-model", "predict --out is the model",
         lambda ws: ["predict", str(ws.model), str(ws.trace), "--out", str(ws.model)],
         lambda ws: ["--out", str(ws.model), "is also the input model"]),
    Case("fit-noise-lags", "noise fit --lags without a colon",
         lambda ws: ["noise", "fit", str(ws.model), str(ws.trace), "--lags", "3", "--out",
                     str(ws.root / "noise.json")],
         lambda ws: ["--lags '3'", "FIRST:LAST"]),
    Case("sample-zero", "noise sample --samples 0",
         lambda ws: ["noise", "sample", str(ws.model), str(_text(ws, "n.json", "{}")),
                     str(ws.trace), "--samples", "0", "--out", str(ws.root / "s.npz")],
         lambda ws: ["--samples", "must be at least 1"]),
    Case("metrics-bad-json", "an evaluation result that is not JSON",
         lambda ws: ["summary", "metrics", "--eval", str(_text(ws, "e.json", "{nope")), "--out",
                     str(ws.root / "metrics.json")],
         lambda ws: [str(ws.root / "e.json")]),
    Case("metrics-out-is-input", "metrics --out is one of its inputs",
         lambda ws: ["summary", "metrics", "--eval", str(_text(ws, "e.json", "{}")), "--out",
                     str(ws.root / "e.json")],
         lambda ws: ["--out", str(ws.root / "e.json"), "is also the input --eval"]),
]


def _text(ws: Workspace, name: str, text: str) -> Path:
    path = ws.root / name
    path.write_text(text)
    return path


def _masked(ws: Workspace, series: Path | str) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        config["drives"]["reservoir"] = {
            "kind": "masked_sequence", "parameter": "Ku1", "amplitude": 3e4, "hold_time": 1e-11,
            "series_file": str(ws.root / series), "n_samples": 20, "n_virtual_nodes": 5}
    return edit


def _without(ws: Workspace, field: str) -> Path:
    path = ws.root / "cut.npz"
    with np.load(ws.trace, allow_pickle=False) as data:
        payload = {key: data[key] for key in data.files if key != field}
    with open(path, "wb") as stream:
        np.savez(stream, **payload)
    return path


def _short_trace(ws: Workspace) -> Path:
    t = np.arange(6) * 5e-12
    return save_trace(Trace(t, t[:, None], np.sin(1e10 * t)[:, None], ["Ku1"], ["mz"],
                            ["J/m3"], [""]), ws.root / "short.npz")


def _coarse_trace(ws: Workspace) -> Path:
    with np.load(ws.trace, allow_pickle=False) as data:
        return ws.npz("coarse.npz", t=2 * data["t"])


def _checkpoint(ws: Workspace, name: str, *, partial: bool = False, nan: bool = False,
                format_version: int | None = None) -> Path:
    payload = torch.load(ws.model, weights_only=True)
    if partial:
        metadata = json.loads(payload["metadata_json"])
        payload["metadata_json"] = json.dumps({**metadata, "partial": True})
    if nan:
        first = next(iter(payload["state_dict"]))
        payload["state_dict"][first].view(-1)[0] = float("nan")
    if format_version is not None:
        payload["format_version"] = format_version
    path = ws.root / name
    torch.save(payload, path)
    return path


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("bad_inputs")
    t = np.arange(400) * 5e-12
    u = 8e5 + 3e4 * np.sin(2 * np.pi * 4e9 * t) * np.sin(2 * np.pi * 0.3e9 * t)
    trace = save_trace(Trace(t, u[:, None], np.cos(2 * np.pi * 4e9 * t + u / 3e4)[:, None],
                             ["Ku1"], ["mz"], ["J/m3"], [""]), root / "trace.npz")
    model = root / "model.pt"
    assert main(["train", str(trace), "--out", str(model), "--quiet", "--max-iterations", "10",
                 "--settings-json", '{"hidden": 8, "batch": 16, "val_every": 5}']) == 0
    table = root / "table.txt"
    shutil.copy(FIXTURES / "mumax3_table.txt", table)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    return Workspace(root, config, trace, model, table)


def _files(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def assert_refused_cleanly(case, workspace, capsys) -> None:
    """`case` run against `workspace` exits non-zero, its error holds every expected
    fragment, no file of the workspace changed and none was left."""
    args = case.args(workspace)
    before = _files(workspace.root)
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's own refusals exit with 2
        code = stop.code
    err = capsys.readouterr().err
    assert code not in (0, None), f"{case.name} was accepted: {args}"
    for fragment in case.expect(workspace):
        assert fragment in err, f"{case.name}: {fragment!r} not in {err!r}"
    after = _files(workspace.root)
    assert {path: after.get(path) for path in before} == before, "an input was changed"
    assert not (set(after) - set(before)), f"{case.name} left {sorted(set(after) - set(before))}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_fails_clearly_and_leaves_no_output(case: Case, workspace, capsys):
    assert_refused_cleanly(case, workspace, capsys)


def catalogue() -> str:
    """The Markdown table of docs/bad_inputs.md."""
    rows = ["| # | bad input | test |", "|---|---|---|"]
    for number, case in enumerate(CASES, 1):
        rows.append(f"| {number} | {case.what} | `test_bad_inputs.py::"
                    f"test_bad_input_fails_clearly_and_leaves_no_output[{case.name}]` |")
    return "\n".join(rows) + "\n"


def test_the_catalogue_in_docs_lists_every_case():
    assert catalogue() in DOC.read_text(encoding="utf-8"), (
        "docs/bad_inputs.md is out of date: regenerate its table with "
        "`python -m tests.test_bad_inputs`")


if __name__ == "__main__":
    sys.stdout.write(catalogue())
