"""The catalogue of bad inputs, round two: hostile YAML, every written file guarded,
resume trusting no sidecar, strict user arrays, windows and counts, strict spec.json,
options the chosen mode would ignore.

Each case runs `python -m surrogate ...` in-process and must exit non-zero with a
message naming the option or the file and field, change no input and leave no new
file. `python -m tests.test_bad_inputs_round2` prints the catalogue as the second
Markdown table of docs/bad_inputs.md; a test keeps the two in step. Timed and
workflow cases (the YAML bomb under `snakemake -n`, resume in the workflow) follow
the table.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from surrogate.cli import main
from surrogate.config.yaml_load import YamlBudgetError, load_yaml_text
from surrogate.io import strict_arrays
from surrogate.io.atomic import atomic_write
from surrogate.io.provenance import ProvenanceError, check_evaluation_belongs, file_sha256
from surrogate.io.trace import load_trace
from surrogate.io.write_plan import name_max
from tests.test_bad_inputs import (  # noqa: F401
    REPO,
    Workspace,
    _text,
    assert_refused_cleanly,
    workspace,
)
from tests.test_workflow import snakemake, workflow_copy

DOC = REPO / "docs" / "bad_inputs.md"
FIRST_NUMBER = 71  # the first round's table ends at 70
# Lines of config.yaml: the YAML cases append to it, so their lines follow.
CONFIG_LINES = (REPO / "config.yaml").read_text().count("\n")
# Settings of the sidecar fixture and of every resume case: a sidecar resumes only
# under the settings (and data) it was made with.
SIDECAR_SETTINGS = '{"hidden": 8, "batch": 16, "val_every": 5, "checkpoint_every_s": 0}'
SIDECAR_ITERATIONS = "10"


@dataclass(frozen=True)
class Case:
    """One bad input: `args` builds the command line; `expect` are fragments of the error;
    `patch` sets module attributes (module, name, value) for the case only."""

    name: str
    what: str
    args: Callable[[Workspace], list]
    expect: Callable[[Workspace], list[str]]
    patch: tuple = field(default=())


BOMB = "\n".join(
    ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 10)}]"
       for level in range(1, 10)]
) + "\n"
MAPPING_BOMB = "\n".join(
    ["m0: &m0 {a: 1, b: 2}"]
    + [f"m{level}: &m{level} {{a: *m{level - 1}, b: *m{level - 1}}}" for level in range(1, 40)]
) + "\n"


def _yaml(ws: Workspace, name: str, text: str) -> Path:
    """config.yaml with `text` appended, as `name`."""
    return _text(ws, name, (REPO / "config.yaml").read_text() + text)


def _render(name: str, text: str) -> Callable[[Workspace], list]:
    return lambda ws: ws.render(_yaml(ws, name, text))


def _sidecar_of(ws: Workspace) -> Path:
    return ws.root / "kept" / "model.partial.pt"


def _spoiled_sidecar(name: str, edit: Callable[[dict], None]) -> Callable[[Workspace], list]:
    """`train --resume` towards NAME.pt whose sidecar NAME.partial.pt is the fixture's,
    spoilt by `edit(payload)`."""
    def args(ws: Workspace) -> list:
        payload = torch.load(_sidecar_of(ws), weights_only=True)
        edit(payload)
        torch.save(payload, ws.root / f"{name}.partial.pt")
        return _resume_args(ws, name, "--resume")
    return args


def _resume_args(ws: Workspace, name: str, flag: str) -> list:
    return ["train", str(ws.trace), "--out", str(ws.root / f"{name}.pt"), "--quiet",
            "--max-iterations", SIDECAR_ITERATIONS, "--settings-json", SIDECAR_SETTINGS, flag]


def _state(key: str, value) -> Callable[[dict], None]:
    def edit(payload: dict) -> None:
        payload["training_state"][key] = value
    return edit


def _nan_weight(part: str) -> Callable[[dict], None]:
    def edit(payload: dict) -> None:
        weights = payload["training_state"][part]
        next(iter(weights.values())).view(-1)[0] = float("nan")
    return edit


def _nan_moment(payload: dict) -> None:
    moments = payload["training_state"]["optimiser"]["state"]
    moments[0]["exp_avg"].view(-1)[0] = float("inf")


def _wide_weights(payload: dict) -> None:
    weights = payload["training_state"]["best"]
    name = next(iter(weights))
    weights[name] = torch.zeros(weights[name].shape[0] + 1, *weights[name].shape[1:])


def _truncated_sidecar(ws: Workspace) -> list:
    data = _sidecar_of(ws).read_bytes()
    (ws.root / "cut.partial.pt").write_bytes(data[: len(data) // 2])
    return _resume_args(ws, "cut", "--resume")


def _model_as_sidecar(ws: Workspace) -> list:
    shutil.copy(ws.model, ws.root / "final.partial.pt")
    return _resume_args(ws, "final", "--resume")


def _other_settings(ws: Workspace) -> list:
    shutil.copy(_sidecar_of(ws), ws.root / "other.partial.pt")
    return ["train", str(ws.trace), "--out", str(ws.root / "other.pt"), "--quiet",
            "--max-iterations", SIDECAR_ITERATIONS, "--settings-json",
            SIDECAR_SETTINGS.replace('"hidden": 8', '"hidden": 12'), "--resume"]


def _npy(ws: Workspace, name: str, array) -> Path:
    path = ws.root / name
    np.save(path, array)
    return path


def _predict_inputs(ws: Workspace, source: Path, *extra: str) -> list:
    return ["predict", str(ws.model), "--inputs", str(source), "--out",
            str(ws.root / "forecast.npz"), *extra]


def _inputs_case(name: str, what: str, array, *fragments: str, patch: tuple = ()) -> Case:
    return Case(name, what,
                lambda ws: _predict_inputs(ws, _npy(ws, f"{name}.npy", array)),
                lambda ws: [str(ws.root / f"{name}.npy"), *fragments], patch)


def _prefix_case(name: str, what: str, array, *fragments: str) -> Case:
    def args(ws: Workspace) -> list:
        inputs = _npy(ws, "good_inputs.npy", np.full((50, 1), 8e5))
        return _predict_inputs(ws, inputs, "--prefix", str(_npy(ws, f"{name}.npy", array)))
    return Case(name, what, args,
                lambda ws: ["--prefix", str(ws.root / f"{name}.npy"), *fragments])


def _spec(ws: Workspace) -> dict:
    return json.loads((ws.root / "rendered" / "spec.json").read_text())


def _simulate(name: str, text: Callable[[dict], str]) -> Callable[[Workspace], list]:
    def args(ws: Workspace) -> list:
        spec = _text(ws, f"{name}.json", text(_spec(ws)))
        return ["simulate", "--spec", str(spec), "--script",
                str(ws.root / "rendered" / "script.mx3"), "--table",
                str(ws.root / "sim" / "table.txt"), "--engine", "mumax3", "--log",
                str(ws.root / "sim.log")]
    return args


def _spec_with(path: str, value) -> Callable[[dict], str]:
    def text(spec: dict) -> str:
        *parents, last = path.split(".")
        node = spec
        for key in parents:
            node = node[key]
        node[last] = value
        return json.dumps(spec)
    return text


def _spec_case(name: str, what: str, text: Callable[[dict], str], *fragments: str) -> Case:
    return Case(name, what, _simulate(name, text),
                lambda ws: [str(ws.root / f"{name}.json"), *fragments])


def _benchmark(ws: Workspace, evaluation: dict) -> list:
    name = f"eval_{len(list(ws.root.glob('eval_*.json')))}.json"
    return ["benchmark", str(ws.model), str(REPO / "config.yaml"), "--device", "skyrmion",
            "--drive", "test", "--engine-json", str(_text(ws, "engine.json", "{}")),
            "--eval", str(_text(ws, name, json.dumps(evaluation))),
            "--out", str(ws.root / "benchmark.json")]


def _sweep(ws: Workspace, trace_metadata: dict, prediction_metadata: dict) -> list:
    trace = ws.npz("sweep_trace.npz", metadata=np.array(json.dumps(trace_metadata)))
    prediction = ws.npz("sweep_pred.npz", metadata=np.array(json.dumps(prediction_metadata)))
    return ["experiment", "parameter-sweep", str(trace), str(prediction), "--swept", "Ku1",
            "--out", str(ws.root / "sweep.json")]


def _pickled(ws: Workspace) -> Path:
    path = ws.root / "pickled.npy"
    np.save(path, np.array([{"Ku1": 8e5}] * 20, dtype=object), allow_pickle=True)
    return path


def _linked(ws: Workspace, name: str, target: Path, hard: bool) -> Path:
    link = ws.root / name
    if not link.exists():
        (os.link if hard else os.symlink)(target, link)
    return link


def _recognition(option: str, value: str) -> Callable[[Workspace], list]:
    def args(ws: Workspace) -> list:
        files = ["--labels", "--simulation", "--node", "--input-noise", "--stochastic"]
        words = [word for flag in files for word in (flag, str(ws.root / "absent.txt"))]
        return ["experiment", "recognition-score", *words, "--point-time", "1e-9",
                "--train-points", "10", f"{option}={value}", "--out",
                str(ws.root / "accuracy.json")]
    return args


LONG_NAME = "m" * 245 + ".pt"  # a legal name; its sidecar name is 253 + ".pt" bytes

CASES = [
    # YAML read on a budget
    Case("yaml-alias-bomb", "a billion-laughs alias bomb in the config",
         _render("bomb.yaml", BOMB),
         lambda ws: [str(ws.root / "bomb.yaml"), f"line {CONFIG_LINES + 10}", "alias *lol8",
                     "more than the 100,000"]),
    Case("yaml-mapping-bomb", "an alias bomb of nested mappings",
         _render("maps.yaml", MAPPING_BOMB),
         lambda ws: [str(ws.root / "maps.yaml"), "alias *m38", "an alias bomb"]),
    Case("yaml-recursive-alias", "an alias used inside its own anchor",
         _render("loop.yaml", "loop: &loop\n  again: *loop\n"),
         lambda ws: [str(ws.root / "loop.yaml"), f"line {CONFIG_LINES + 2}",
                     "*loop is used inside its own"]),
    Case("yaml-merge-twice", "two << merge keys in one mapping (YAML keeps the last)",
         _render("merge.yaml", "extra:\n  <<: *skyrmion\n  <<: *train_drive\n"),
         lambda ws: [str(ws.root / "merge.yaml"), f"line {CONFIG_LINES + 3}",
                     "a second '<<' merge key", f"the first is on line {CONFIG_LINES + 2}"]),
    Case("yaml-too-deep", "lists nested 5000 deep",
         _render("deep.yaml", "deep: " + "[" * 5000 + "]" * 5000 + "\n"),
         lambda ws: [str(ws.root / "deep.yaml"), "nested too deeply"]),
    # every written file guarded before work
    Case("train-sidecar-is-input", "train X.partial.pt --out X.pt: the sidecar is the input",
         lambda ws: ws.train(_copy(ws.trace, ws.root / "X.partial.pt"), out=ws.root / "X.pt"),
         lambda ws: ["--out: its checkpoint sidecar", str(ws.root / "X.partial.pt"),
                     "is also the input trace"]),
    Case("train-report-is-sidecar", "--report names the checkpoint sidecar of --out",
         lambda ws: ws.train(ws.trace, "--report", str(ws.root / "m.partial.pt"),
                             out=ws.root / "m.pt"),
         lambda ws: ["--out: its checkpoint sidecar", "is also the output --report"]),
    Case("train-out-name-long", "a legal 248-byte --out whose sidecar name is too long",
         lambda ws: ws.train(ws.trace, out=ws.root / LONG_NAME),
         lambda ws: ["--out: its checkpoint sidecar", "is 256 bytes long", "at most 255"]),
    Case("evaluate-json-name-long", "evaluate --json of 300 bytes",
         lambda ws: ["evaluate", str(ws.model), str(ws.trace), "--json",
                     str(ws.root / ("j" * 295 + ".json"))],
         lambda ws: ["--json", "is 300 bytes long", "at most 255"]),
    Case("out-folder-is-file", "--out inside a 'folder' that is a file",
         lambda ws: ws.import_args(ws.table)[:2] + ["--out", str(ws.table / "x.npz"),
                                                    *ws.import_args(ws.table)[4:]],
         lambda ws: ["--out", f"{ws.table} is a file, not a folder"]),
    Case("out-symlink-to-input", "predict --out a symbolic link to its trace",
         lambda ws: ["predict", str(ws.model), str(ws.trace), "--out",
                     str(_linked(ws, "soft.npz", ws.trace, hard=False))],
         lambda ws: ["--out", "is also the input trace_or_drive"]),
    Case("out-hard-link-to-model", "predict --out a hard link of its model",
         lambda ws: ["predict", str(ws.model), str(ws.trace), "--out",
                     str(_linked(ws, "hard.pt", ws.model, hard=True))],
         lambda ws: ["--out", str(ws.root / "hard.pt"), "is also the input model"]),
    Case("evaluate-pred-out-is-json", "evaluate --pred-out and --json are one file",
         lambda ws: ["evaluate", str(ws.model), str(ws.trace), "--json",
                     str(ws.root / "e.out"), "--pred-out", str(ws.root / "e.out")],
         lambda ws: ["--pred-out", "is also the output --json"]),
    # resume trusts no sidecar
    Case("resume-nan-weights", "a sidecar whose live weights hold NaN",
         _spoiled_sidecar("nan", _nan_weight("live")),
         lambda ws: [str(ws.root / "nan.partial.pt"), "cannot resume",
                     "training_state.live.", "NaN"]),
    Case("resume-nan-best", "a sidecar whose best weights hold NaN",
         _spoiled_sidecar("nanbest", _nan_weight("best")),
         lambda ws: ["training_state.best.", "NaN"]),
    Case("resume-optimiser-inf", "a sidecar whose optimiser moments hold infinity",
         _spoiled_sidecar("moment", _nan_moment),
         lambda ws: ["training_state.optimiser.state.0.exp_avg", "NaN or infinity"]),
    Case("resume-iteration-absurd", "a sidecar at iteration 10^9 under --max-iterations 10",
         _spoiled_sidecar("absurd", _state("iteration", 1_000_000_000)),
         lambda ws: ["training_state.iteration' is 1000000000", "beyond max_iterations 10"]),
    Case("resume-iteration-negative", "a sidecar at iteration -3",
         _spoiled_sidecar("negative", _state("iteration", -3)),
         lambda ws: ["training_state.iteration' is -3, not a count"]),
    Case("resume-best-after-end", "a best iteration after the sidecar's own iteration",
         _spoiled_sidecar("later", _state("best_iteration", 999)),
         lambda ws: ["training_state.best_iteration' is 999"]),
    Case("resume-stalls", "more stalls than the patience allows",
         _spoiled_sidecar("stalls", _state("stalls", 1000)),
         lambda ws: ["training_state.stalls' is 1000, beyond patience 30"]),
    Case("resume-elapsed-nan", "an elapsed time of NaN",
         _spoiled_sidecar("clock", _state("elapsed_s", float("nan"))),
         lambda ws: ["training_state.elapsed_s' is nan"]),
    Case("resume-score-nan", "a best validation score of NaN",
         _spoiled_sidecar("score", _state("best_score", float("nan"))),
         lambda ws: ["training_state.best_score' is nan"]),
    Case("resume-wrong-shape", "best weights of another width",
         _spoiled_sidecar("wide", _wide_weights),
         lambda ws: ["training_state.best.", "has shape"]),
    Case("resume-generator", "a random generator state that is a number",
         _spoiled_sidecar("generator", _state("generator", 7)),
         lambda ws: ["training_state.generator' is not a random generator state"]),
    Case("resume-truncated", "a sidecar cut off mid-write",
         _truncated_sidecar,
         lambda ws: [str(ws.root / "cut.partial.pt"), "cannot resume", "not a readable"]),
    Case("resume-finished-model", "a finished model file put where the sidecar goes",
         _model_as_sidecar, lambda ws: ["'training_state' is missing"]),
    Case("resume-other-settings", "a sidecar made with another width",
         _other_settings,
         lambda ws: [str(ws.root / "other.partial.pt"), "made with other settings or data",
                     "--resume-or-restart"]),
    # strict user arrays
    _inputs_case("inputs-complex", "complex forecast inputs",
                 np.full((20, 1), 8e5 + 1j), "complex numbers"),
    _inputs_case("inputs-integer", "forecast inputs stored as integers",
                 np.full((20, 1), 800000), "int64 values", "floating-point"),
    _inputs_case("inputs-scalar", "a .npy scalar as forecast inputs",
                 np.float64(8e5), "a single number"),
    _inputs_case("inputs-columns", "forecast inputs with three columns for one input",
                 np.full((20, 3), 8e5), "has shape (20, 3)", "['Ku1']"),
    _inputs_case("inputs-3d", "forecast inputs of three dimensions",
                 np.full((20, 1, 1), 8e5), "has shape (20, 1, 1)"),
    _inputs_case("inputs-too-long", "more rows than the reader takes",
                 np.full((300, 1), 8e5), "300 rows", "GB as float64", "at most 200",
                 patch=((strict_arrays, "MAX_ROWS", 200),)),
    _inputs_case("inputs-nan", "forecast inputs holding NaN",
                 np.array([[8e5], [np.nan], [8e5]]), "holds NaN or infinity"),
    Case("inputs-object-array", "a pickled object array as forecast inputs",
         lambda ws: _predict_inputs(ws, _pickled(ws)),
         lambda ws: [str(ws.root / "pickled.npy"), "not a readable .npy array"]),
    Case("inputs-csv-complex", "a CSV holding a complex number",
         lambda ws: _predict_inputs(ws, _text(ws, "complex.csv", "Ku1\n8e5\n(8e5+1j)\n")),
         lambda ws: [str(ws.root / "complex.csv"), "a value is not a number"]),
    Case("inputs-csv-duplicate", "a CSV naming one column twice",
         lambda ws: _predict_inputs(ws, _text(ws, "twice.csv", "Ku1,Ku1\n8e5,9e5\n8e5,9e5\n")),
         lambda ws: [str(ws.root / "twice.csv"), "['Ku1'] more than once"]),
    Case("inputs-csv-too-long", "a CSV of more rows than the reader takes",
         lambda ws: _predict_inputs(ws, _text(ws, "long.csv", "Ku1\n" + "8e5\n" * 300)),
         lambda ws: [str(ws.root / "long.csv"), "more than 200 rows", "GB as float64"],
         ((strict_arrays, "MAX_ROWS", 200),)),
    _prefix_case("prefix-complex", "a complex prefix state", np.full((3, 1), 0.5 + 0.5j),
                 "complex numbers"),
    _prefix_case("prefix-shape", "a prefix of two columns for one output",
                 np.full((3, 2), 0.5), "has shape (3, 2)", "['mz']"),
    _prefix_case("prefix-nan", "a prefix holding NaN", np.full((3, 1), np.nan),
                 "holds NaN or infinity"),
    _prefix_case("prefix-scalar", "a .npy scalar as the prefix", np.float64(0.5),
                 "a single number"),
    # the training envelope
    _inputs_case("inputs-unit-slip", "forecast inputs scaled by 1e-6 with the unit unchanged",
                 np.full((50, 1), 0.8), "channel 'Ku1' spans 0.8..0.8 J/m3",
                 "training ranges outside", "refused"),
    _prefix_case("prefix-far-outside", "a prefix state of 10^6 for a normalised mz",
                 np.full((3, 1), 1e6), "channel 'mz' spans 1e+06..1e+06",
                 "training ranges outside"),
    # files that must belong together
    Case("benchmark-eval-other-model", "benchmark --eval made for another model file",
         lambda ws: _benchmark(ws, {"nrmse": 0.1, "model": "other.pt", "model_sha256": "0" * 64}),
         lambda ws: ["--eval", "field 'model_sha256' is the hash of another model file",
                     "other.pt"]),
    Case("benchmark-eval-other-drive", "benchmark --eval of another drive",
         lambda ws: _benchmark(ws, {"nrmse": 0.1, "device": "skyrmion", "drive": "train"}),
         lambda ws: ["field 'drive' is 'train', not the --drive 'test'"]),
    Case("sweep-prediction-of-other-trace",
         "experiment parameter-sweep given another trace's prediction",
         lambda ws: _sweep(ws, {}, {"prediction_of": "elsewhere.npz",
                                    "prediction_of_sha256": "0" * 64}),
         lambda ws: ["'metadata.prediction_of_sha256' is the hash of another trace",
                     "elsewhere.npz"]),
    Case("sweep-prediction-other-drive",
         "experiment parameter-sweep given a prediction of another drive",
         lambda ws: _sweep(ws, {"drive": "sweep_ku1"}, {"drive": "sweep_dind"}),
         lambda ws: ["field 'metadata.drive' is 'sweep_dind'", "drive 'sweep_ku1'"]),
    Case("reservoir-trace-names-no-drive",
         "experiment reservoir on a trace whose metadata names no drive",
         lambda ws: ["experiment", "reservoir", str(REPO / "config.yaml"), str(ws.trace),
                     "--run", "simulated", "--out", str(ws.root / "reservoir.json")],
         lambda ws: [str(ws.trace), "field 'drive' of its metadata is None"]),
    # windows and counts
    Case("import-window-past-end", "import-mumax3 --window far past the table's end",
         lambda ws: ws.import_args(ws.table) + ["--window", "1e-9:8.55e-7"],
         lambda ws: ["--window 1e-09:8.55e-07 s reaches past the data", "covers 1e-09..1.1"]),
    Case("train-window-before-start", "train --window starting before the trace",
         lambda ws: ws.train(ws.trace, "--window=-1e-9:1e-9"),
         lambda ws: ["--window -1e-09:1e-09 s reaches past the data", "covers 0..2e-09 s"]),
    Case("evaluate-window-past-end", "evaluate --window running past the trace",
         lambda ws: ["evaluate", str(ws.model), str(ws.trace), "--window", "1e-9:3e-9"],
         lambda ws: ["--window 1e-09:3e-09 s reaches past the data"]),
    Case("recognition-delays-negative", "experiment recognition-score --delays=-1",
         _recognition("--delays", "-1"), lambda ws: ["--delays", "'-1' must be >= 0"]),
    Case("recognition-ridge-negative", "experiment recognition-score --ridge=-1",
         _recognition("--ridge", "-1"), lambda ws: ["--ridge", "'-1' must be >= 0"]),
    Case("train-k-zero", "train --k 0",
         lambda ws: ws.train(ws.trace, "--k", "0"), lambda ws: ["--k", "must be at least 1"]),
    Case("train-seed-negative", "train --seed -1",
         lambda ws: ws.train(ws.trace, "--seed=-1"), lambda ws: ["--seed", "must be >= 0"]),
    # spec.json as strict as the config
    _spec_case("spec-nan", "spec.json with Ms NaN", _spec_with("device.material.Ms", float("nan")),
               "field 'device.material.Ms'", "NaN"),
    _spec_case("spec-negative-cell", "spec.json with a negative cell size",
               _spec_with("device.cell_size", -4e-9), "cell_size"),
    _spec_case("spec-unknown-key", "spec.json with a misspelt device key",
               _spec_with("device.alhpa", 0.01), "alhpa"),
    _spec_case("spec-no-drive", "spec.json without its drive",
               lambda spec: json.dumps({k: v for k, v in spec.items() if k != "drive"}),
               "field 'drive'"),
    _spec_case("spec-infinite-amplitude", "spec.json with an infinite drive amplitude",
               _spec_with("drive.amplitude", float("inf")), "field 'drive.amplitude'", "NaN or"),
    Case("extract-spec-nan", "extract with a spec.json whose sample period is NaN",
         lambda ws: ["extract", str(ws.table), "--spec",
                     str(_text(ws, "nan_period.json",
                               _spec_with("sample_period", float("nan"))(_spec(ws)))),
                     "--output", "mz", "--out", str(ws.root / "extracted.npz")],
         lambda ws: [str(ws.root / "nan_period.json"), "field 'sample_period'", "NaN"]),
    _spec_case("spec-array", "spec.json that is a list", lambda spec: "[]",
               "expected a JSON object"),
    # options the chosen mode would ignore
    Case("predict-drive-window", "predict --drive ... --window (a drive has no window)",
         lambda ws: ["predict", str(ws.model), "--drive", f"{REPO / 'config.yaml'}:test",
                     "--window", "0:1e-9", "--out", str(ws.root / "p.npz")],
         lambda ws: ["--window applies only with a trace file", "with --drive"]),
    Case("predict-trace-prefix", "predict TRACE --prefix (the trace sets the state)",
         lambda ws: ["predict", str(ws.model), str(ws.trace), "--prefix", str(ws.trace),
                     "--out", str(ws.root / "p.npz")],
         lambda ws: ["--prefix applies only with --drive or --inputs"]),
    Case("render-config-and-spec-json", "render CONFIG --spec-json (one would be ignored)",
         lambda ws: ["render", str(REPO / "config.yaml"), "--spec-json", "{}", "--device",
                     "skyrmion", "--drive", "train", "--out", str(ws.root / "r")],
         lambda ws: ["CONFIG file or --spec-json, not both", str(REPO / "config.yaml")]),
    Case("predict-inputs-device", "predict --inputs ... --device",
         lambda ws: _predict_inputs(ws, _npy(ws, "good_inputs.npy", np.full((50, 1), 8e5)),
                                    "--device", "skyrmion"),
         lambda ws: ["--device applies only with --drive", "with --inputs"]),
]


def _copy(source: Path, target: Path) -> Path:
    if not target.exists():
        shutil.copy(source, target)
    return target


@pytest.fixture(scope="module")
def sidecar_workspace(workspace):  # noqa: F811 - the first round's fixture, reused
    """The first round's workspace, its trace rendered config and a kept periodic
    checkpoint (`kept/model.partial.pt`) of a training under SIDECAR_SETTINGS."""
    kept = workspace.root / "kept"
    if not _sidecar_of(workspace).exists():
        unlink = Path.unlink

        def keep_sidecars(path: Path, missing_ok: bool = False) -> None:
            if not path.name.endswith(".partial.pt"):
                unlink(path, missing_ok=missing_ok)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Path, "unlink", keep_sidecars)
            assert main(_resume_args(workspace, "kept/model", "--resume")[:-1]) == 0
        assert main(["render", str(REPO / "config.yaml"), "--device", "skyrmion", "--drive",
                     "train", "--out", str(workspace.root / "rendered")]) == 0
    assert (kept / "model.partial.pt").is_file()
    return workspace


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_fails_clearly_and_leaves_no_output(case: Case, sidecar_workspace, capsys,
                                                      monkeypatch):
    ws = sidecar_workspace
    for module, name, value in case.patch:
        monkeypatch.setattr(module, name, value)
    assert_refused_cleanly(case, ws, capsys)


def test_a_billion_laughs_is_refused_by_render_in_under_5_s(tmp_path, capsys):
    config = tmp_path / "config.yaml"
    config.write_text(BOMB)
    started = time.perf_counter()
    code = main(["render", str(config), "--device", "skyrmion", "--drive", "train",
                 "--out", str(tmp_path / "out")])
    elapsed = time.perf_counter() - started
    assert code == 1
    assert f"{config}: line 10: alias *lol8" in capsys.readouterr().err
    assert elapsed < 5.0, f"render took {elapsed:.1f} s to refuse the bomb"


def test_the_guarded_loader_reads_config_yaml_and_merges_like_yaml():
    text = (REPO / "config.yaml").read_text()
    assert load_yaml_text(text, "config.yaml") == yaml.safe_load(text)
    merged = load_yaml_text("a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n", "m")
    assert merged["c"] == {"x": 3, "y": 2}


def test_a_huge_document_without_aliases_is_refused_too():
    with pytest.raises(YamlBudgetError, match="big.yaml: line 1: the document holds 100,002"):
        load_yaml_text("[" + ",".join(["1"] * 100_001) + "]", "big.yaml")


@pytest.mark.parametrize("bomb", [BOMB, MAPPING_BOMB], ids=["lists", "mappings"])
def test_a_billion_laughs_is_refused_by_snakemake_dry_run_in_under_5_s(tmp_path, bomb,
                                                                       default_config):
    workdir = workflow_copy(tmp_path, default_config)
    (workdir / "config.yaml").write_text(bomb)
    started = time.perf_counter()
    done = snakemake(workdir, "-n")
    elapsed = time.perf_counter() - started
    said = done.stdout + done.stderr  # Snakemake reports a Snakefile's error on either
    assert done.returncode != 0
    assert "config.yaml: line" in said and "an alias bomb" in said
    assert elapsed < 5.0, f"snakemake -n took {elapsed:.1f} s to refuse the bomb"


def test_the_workflow_moves_an_invalid_sidecar_aside_and_trains_afresh(sidecar_workspace,
                                                                        capsys):
    ws = sidecar_workspace
    payload = torch.load(_sidecar_of(ws), weights_only=True)
    _nan_weight("live")(payload)
    sidecar = ws.root / "workflow" / "model.partial.pt"
    sidecar.parent.mkdir()
    torch.save(payload, sidecar)
    spoilt = sidecar.read_bytes()
    assert main(_resume_args(ws, "workflow/model", "--resume-or-restart")) == 0
    err = capsys.readouterr().err
    aside = sidecar.with_name("model.partial.pt.invalid")
    assert f"warning: {sidecar}: cannot resume" in err and "NaN" in err
    assert f"moved aside to {aside}" in err
    assert aside.read_bytes() == spoilt
    assert not sidecar.exists()
    assert (ws.root / "workflow" / "model.pt").is_file()
    shutil.rmtree(ws.root / "workflow")


def test_the_train_rule_moves_a_truncated_sidecar_aside_and_the_run_completes(
        sidecar_workspace, tmp_path, tiny_config):
    tiny_config["model"] = {"k": 2, "hidden": 8, "batch": 16, "val_every": 5,
                            "max_iterations": 10, "max_minutes": 0.5}
    workdir = workflow_copy(tmp_path, tiny_config)
    traces = workdir / "results" / "traces" / "skyrmion"
    traces.mkdir(parents=True)
    shutil.copy(sidecar_workspace.trace, traces / "train.npz")
    sidecar = workdir / "results" / "models" / "skyrmion.partial.pt"
    sidecar.parent.mkdir(parents=True)
    sidecar.write_bytes(_sidecar_of(sidecar_workspace).read_bytes()[:1000])
    done = snakemake(workdir, "results/models/skyrmion.pt", "--allowed-rules", "train")
    assert done.returncode == 0, done.stdout + done.stderr
    log = (workdir / "results" / "logs" / "train" / "skyrmion.log").read_text()
    assert f"warning: {Path('results/models/skyrmion.partial.pt')}: cannot resume" in log
    assert sidecar.with_name("skyrmion.partial.pt.invalid").stat().st_size == 1000
    assert (workdir / "results" / "models" / "skyrmion.pt").is_file() and not sidecar.exists()


def test_a_sound_sidecar_still_resumes(sidecar_workspace, capsys):
    ws = sidecar_workspace
    folder = ws.root / "sound"
    folder.mkdir()
    shutil.copy(_sidecar_of(ws), folder / "model.partial.pt")
    assert main(_resume_args(ws, "sound/model", "--resume")) == 0
    assert "resumed at iteration" in capsys.readouterr().err
    assert load_trace(ws.trace).t.size == 400  # the trace itself is untouched
    shutil.rmtree(folder)


def test_inputs_moderately_outside_the_training_envelope_are_forecast_with_a_warning(
        sidecar_workspace, tmp_path, capsys):
    ws = sidecar_workspace
    low, high = _envelope(ws)["inputs"]["Ku1"]
    inputs = tmp_path / "inputs.npy"
    np.save(inputs, np.full((50, 1), high + 0.3 * (high - low)))
    assert main(_predict_inputs(ws, inputs)[:-1] + [str(tmp_path / "forecast.npz")]) == 0
    err = capsys.readouterr().err
    assert "warning: --inputs" in err and "channel 'Ku1'" in err and "0.3 training ranges" in err
    assert (tmp_path / "forecast.npz").is_file()


def _envelope(ws: Workspace) -> dict:
    return json.loads(torch.load(ws.model, weights_only=True)["metadata_json"])["envelope"]


def test_evaluate_records_the_hashes_that_benchmark_and_parameter_sweep_check(
        sidecar_workspace, tmp_path):
    ws = sidecar_workspace
    evaluation, prediction = tmp_path / "eval.json", tmp_path / "pred.npz"
    assert main(["evaluate", str(ws.model), str(ws.trace), "--json", str(evaluation),
                 "--pred-out", str(prediction)]) == 0
    record = json.loads(evaluation.read_text())
    assert record["model_sha256"] == file_sha256(ws.model)
    assert load_trace(prediction).metadata["prediction_of_sha256"] == file_sha256(ws.trace)
    check_evaluation_belongs(evaluation, ws.model, "skyrmion", "test")
    with pytest.raises(ProvenanceError, match="another model file"):
        check_evaluation_belongs(evaluation, ws.trace, "skyrmion", "test")


def test_a_legal_long_name_is_written_through_a_temporary_name_within_the_limit(tmp_path):
    target = tmp_path / ("r" * 250 + ".json")
    seen = []
    with atomic_write(target) as temporary:
        seen.append(len(os.fsencode(temporary.name)))
        temporary.write_text("{}")
    assert seen[0] <= name_max(tmp_path) and target.read_text() == "{}"
    assert sorted(os.listdir(tmp_path)) == [target.name]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_refused_before_work(sidecar_workspace, tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    assert main(sidecar_workspace.train(sidecar_workspace.trace, out=folder / "m.pt")) == 1
    assert f"--out {folder / 'm.pt'}: the folder {folder} is not writable" in (
        capsys.readouterr().err)


def test_every_training_rule_passes_resume_or_restart():
    for rule_file in ("train.smk", "figures.smk", "recognition.smk"):
        text = (REPO / "rules" / rule_file).read_text()
        assert "--resume-or-restart" in text and "--resume " not in text, rule_file


def catalogue() -> str:
    """The second Markdown table of docs/bad_inputs.md."""
    rows = ["| # | bad input | test |", "|---|---|---|"]
    for number, case in enumerate(CASES, FIRST_NUMBER):
        rows.append(f"| {number} | {case.what} | `test_bad_inputs_round2.py::"
                    f"test_bad_input_fails_clearly_and_leaves_no_output[{case.name}]` |")
    return "\n".join(rows) + "\n"


def test_the_catalogue_in_docs_lists_every_case():
    assert catalogue() in DOC.read_text(encoding="utf-8"), (
        "docs/bad_inputs.md is out of date: regenerate its second table with "
        "`python -m tests.test_bad_inputs_round2`")


if __name__ == "__main__":
    sys.stdout.write(catalogue())


def test_inputs_far_outside_the_training_envelope_are_forecast_when_asked_to_extrapolate(
        sidecar_workspace, tmp_path, capsys):
    ws = sidecar_workspace
    low, high = _envelope(ws)["inputs"]["Ku1"]
    inputs = tmp_path / "inputs.npy"
    np.save(inputs, np.full((50, 1), high + 3.0 * (high - low)))
    refused = tmp_path / "refused.npz"
    assert main(_predict_inputs(ws, inputs)[:-1] + [str(refused)]) == 1
    assert "refused" in capsys.readouterr().err and not refused.exists()
    forecast = tmp_path / "forecast.npz"
    assert main(_predict_inputs(ws, inputs)[:-1] + [str(forecast), "--extrapolate"]) == 0
    err = capsys.readouterr().err
    assert "warning: --inputs" in err and "3 training ranges" in err and "refused" not in err
    assert forecast.is_file()


def test_extrapolate_is_refused_where_a_trace_drives_the_forecast(sidecar_workspace, tmp_path,
                                                                   capsys):
    ws = sidecar_workspace
    out = tmp_path / "forecast.npz"
    assert main(["predict", str(ws.model), str(ws.trace), "--out", str(out),
                 "--extrapolate"]) != 0
    assert "--extrapolate applies only with --drive or --inputs" in capsys.readouterr().err
    assert not out.exists()
