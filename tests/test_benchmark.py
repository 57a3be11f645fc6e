"""The benchmark (engine against surrogate on a held-out drive), its table, metrics.json's
speed-ups, figures 1 and 5, and the `figures` target of the workflow."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict

import numpy as np
import pytest
import yaml

from surrogate.analysis.benchmark import (
    DRIVE_STAGE,
    WHOLE_RUN,
    BenchmarkError,
    engine_timing,
    read_benchmark,
)
from surrogate.analysis.summary import collect_metrics
from surrogate.cli import main
from surrogate.config.loader import parse_config
from surrogate.engines.drive_series import drive_input_series
from surrogate.engines.hardware import cpu_model
from surrogate.io.trace import Trace, load_trace, save_trace
from surrogate.node.forecast import predict_trace

from .conftest import REPO
from .test_workflow import snakemake, workflow_copy

ENGINE_RECORD = {"engine": "magnumnp", "wall_time_s": 90.0, "device": "cpu", "threads": 1,
                 "wall_s": {"relax": 5.0, "settle": 30.0, "drive": 55.0},
                 "cpu_s": {"relax": 4.0, "settle": 25.0, "drive": 50.0},
                 "hardware": {"kind": "cpu", "name": "Test CPU", "threads": 1, "cores": 2}}


@pytest.fixture(scope="module")
def bench_case(tmp_path_factory, default_config_module):
    """The default config cut to a 2-period test drive, and a tiny k=2 model trained for 30
    iterations on that drive's real input columns with a synthetic response."""
    from surrogate.node.training import TrainSettings, train_model

    folder = tmp_path_factory.mktemp("bench")
    config = default_config_module
    config["drives"]["test"]["n_periods"] = 2
    config_path = folder / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    series = drive_input_series(parse_config(config).simulation_spec("skyrmion", "test"))
    response = 0.8 + 0.05 * np.sin(2 * np.pi * 4e9 * series.t) * series.values[:, 0] / 8e5
    trace = Trace(series.t, series.values, response[:, None], list(series.names), ["mz"],
                  list(series.units), [""], {"device": "skyrmion", "drive": "test"})
    trace_path = save_trace(trace, folder / "trace.npz")
    settings = TrainSettings(max_iterations=30, batch=8, window=5, window_max=10, val_every=10,
                             hidden=8, k=2)
    train_model(trace, settings, folder / "model.pt", progress=False)
    engine = folder / "engine.json"
    engine.write_text(json.dumps(ENGINE_RECORD))
    evaluation = folder / "eval.json"
    evaluation.write_text(json.dumps({"nrmse": 0.25}))
    return {"folder": folder, "config": config_path, "model": folder / "model.pt",
            "engine": engine, "eval": evaluation, "trace": trace_path}


@pytest.fixture(scope="module")
def default_config_module():
    with open(REPO / "config.yaml", encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.fixture(scope="module")
def record(bench_case, tmp_path_factory):
    """One `benchmark` run through the CLI as the rule calls it, the config given as JSON
    (3 forecasts, 1 `predict` process)."""
    out = tmp_path_factory.mktemp("bench_out") / "skyrmion.json"
    spec_json = json.dumps(yaml.safe_load(bench_case["config"].read_text()))
    assert "e-09" in spec_json  # JSON's floats, which YAML would read as strings
    code = main(["benchmark", str(bench_case["model"]), "--spec-json", spec_json,
                 "--device", "skyrmion", "--drive", "test",
                 "--engine-json", str(bench_case["engine"]), "--eval", str(bench_case["eval"]),
                 "--runs", "3", "--process-runs", "1", "--out", str(out)])
    assert code == 0
    return out


def test_benchmark_times_both_sides_of_the_same_drive(record):
    data = read_benchmark(record)
    surrogate = data["surrogate"]
    assert data["simulated_time_s"] == pytest.approx(0.5e-9)
    assert data["engine"]["wall_s"] == 55.0 and data["engine"]["timed_part"] == DRIVE_STAGE
    assert data["engine"]["hardware"]["name"] == "Test CPU"
    assert len(surrogate["compute_only_runs_s"]) == 3
    assert surrogate["compute_only_s"] == pytest.approx(np.median(surrogate["compute_only_runs_s"]))
    assert data["speedup_compute_only"] == pytest.approx(55.0 / surrogate["compute_only_s"])
    assert data["speedup_whole_process"] == pytest.approx(55.0 / surrogate["whole_process_s"])
    assert data["engine"]["cpu_s"] == 50.0
    assert data["speedup_compute_only_cpu"] == pytest.approx(50.0 / surrogate["compute_only_cpu_s"])
    # A process imports torch and numpy and loads the model: far slower than a warm forecast.
    assert surrogate["whole_process_s"] > 10 * surrogate["compute_only_s"]
    assert surrogate["whole_process_command"][:3] == ["python", "-m", "surrogate"]
    assert surrogate["steps"] == 100  # 200 table rows of 2.5 ps, every second one at 5 ps
    assert surrogate["hardware"]["name"] == cpu_model()
    assert data["nrmse"] == 0.25


def test_summary_table_and_metrics_carry_both_speedups(record, tmp_path):
    summary = tmp_path / "summary.tsv"
    assert main(["summary", "benchmarks", "--benchmark", str(record), "--out", str(summary)]) == 0
    with open(summary, encoding="utf-8") as stream:
        (row,) = list(csv.DictReader(stream, delimiter="\t"))
    data = read_benchmark(record)
    assert row["device"] == "skyrmion" and row["engine"] == "magnumnp"
    assert float(row["speedup_compute_only"]) == pytest.approx(data["speedup_compute_only"],
                                                               rel=1e-3)
    assert row["engine_hardware"] == "Test CPU, 1 thread(s) of 2"

    evaluation = tmp_path / "skyrmion" / "test.json"
    evaluation.parent.mkdir()
    evaluation.write_text(json.dumps({"nrmse": 0.25, "simulation_wall_time_s": 90.0,
                                      "prediction_wall_time_s": 1.0}))
    metrics = collect_metrics([evaluation], [], [record])["summary"]["skyrmion/test"]
    assert "speedup" not in metrics
    assert metrics["speedup_compute_only"] == data["speedup_compute_only"]
    assert metrics["speedup_whole_process"] == data["speedup_whole_process"]
    assert metrics["benchmark"] == str(record)


def test_engine_record_without_stages_times_the_whole_run(tmp_path):
    path = tmp_path / "engine.json"
    path.write_text(json.dumps({"engine": "mumax3", "wall_time_s": 40.0,
                                "hardware": {"kind": "gpu", "name": "GPU X", "index": 0}}))
    timing = engine_timing(path)
    assert (timing.wall_s, timing.timed_part, timing.engine) == (40.0, WHOLE_RUN, "mumax3")
    assert timing.cpu_s is None


@pytest.mark.parametrize("record_text, field", [
    ('{"engine": "magnumnp"}', "wall_time_s"),
    ('{"engine": "magnumnp", "wall_time_s": NaN}', "wall_time_s"),
    ('{"engine": "magnumnp", "wall_time_s": 5.0, "wall_s": {"drive": -1}}', "wall_s.drive"),
])
def test_bad_engine_record_names_the_file_and_field(tmp_path, record_text, field):
    path = tmp_path / "engine.json"
    path.write_text(record_text)
    with pytest.raises(BenchmarkError, match=f"{path}: field '{field}'"):
        engine_timing(path)


def test_figures_one_and_five_are_written_as_png_and_pdf(bench_case, record, tmp_path):
    trace = bench_case["trace"]
    prediction = tmp_path / "pred.npz"
    save_trace(predict_trace(bench_case["model"], load_trace(trace)), prediction)
    outputs = [tmp_path / "skyrmion.png", tmp_path / "skyrmion.pdf"]
    assert main(["figure", "skyrmion", "--train-trace", str(trace), "--test-trace", str(trace),
                 "--model", str(bench_case["model"]), "--train-pred", str(prediction),
                 "--test-pred", str(prediction), "--channel", "mz",
                 *[word for path in outputs for word in ("--out", str(path))]]) == 0
    speed = [tmp_path / "speed.png", tmp_path / "speed.pdf"]
    assert main(["figure", "speed", "--benchmark", str(record),
                 *[word for path in speed for word in ("--out", str(path))]]) == 0
    for png, pdf in (outputs, speed):
        assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 10_000
        assert pdf.read_bytes()[:4] == b"%PDF"


def test_benchmark_refuses_to_write_over_its_input(bench_case, capsys):
    code = main(["benchmark", str(bench_case["model"]), str(bench_case["config"]),
                 "--device", "skyrmion", "--drive", "test",
                 "--engine-json", str(bench_case["engine"]), "--eval", str(bench_case["eval"]),
                 "--out", str(bench_case["eval"])])
    assert code == 1
    assert "never writes over its own input" in capsys.readouterr().err


def test_figures_target_plans_k1_model_benchmark_and_both_figures(tmp_path, default_config):
    done = snakemake(workflow_copy(tmp_path, default_config), "-n", "-p", "figures")
    assert done.returncode == 0, done.stderr[-3000:]
    said = done.stdout + done.stderr
    for rule in ("train_k1", "evaluate_k1", "benchmark", "benchmark_summary", "skyrmion_figure",
                 "speed_accuracy_figure", "recognition_evaluate"):
        assert f"rule {rule}:" in said
    (train_k1,) = [block for block in said.split("\n\n") if "rule train_k1:" in block]
    settings = json.loads(train_k1.split("--settings-json '")[1].split("'")[0])
    assert settings["k"] == 1 and settings["n_aug"] == 0  # the paper's k = 1 model
    typed = json.loads(json.dumps(asdict(parse_config(default_config, "config.yaml").model)))
    assert {key: value for key, value in settings.items() if key not in ("k", "n_aug")} == {
        key: value for key, value in typed.items() if key not in ("k", "n_aug")}
    assert "results/figures/skyrmion.pdf" in said and "results/figures/speed_accuracy.pdf" in said
    # Figure 5 and the table benchmark the experiments' devices too; `make run` does not.
    experiment_benchmarks = ("two_inputs", "vortex_recognition_thermal")
    for device in ("skyrmion", *experiment_benchmarks):
        assert f"results/benchmarks/{device}.json" in said
    (recognition,) = [block for block in said.split("\n\n") if "rule benchmark:" in block
                      and "results/benchmarks/vortex_recognition_thermal.json" in block]
    assert "results/recognition/model.pt" in recognition  # the noiseless twin's Spin-NODE
    (tmp_path / "main").mkdir()
    main_run = snakemake(workflow_copy(tmp_path / "main", default_config), "-n", "-p")
    assert main_run.returncode == 0, main_run.stderr[-3000:]
    for device in experiment_benchmarks:
        assert f"results/benchmarks/{device}.json" not in main_run.stdout + main_run.stderr


def test_hardware_records_name_the_cpu_and_the_gpu(tmp_path):
    from surrogate.engines.hardware import describe

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Example CPU 9000\nflags\t: fpu\n")
    assert cpu_model(cpuinfo) == "Example CPU 9000"
    assert describe({"kind": "gpu", "name": "NVIDIA H200", "index": 0}) == "NVIDIA H200 (GPU 0)"
    assert describe({"kind": "cpu", "name": "Example CPU 9000", "threads": 1, "cores": 2}) == \
        "Example CPU 9000, 1 thread(s) of 2"
