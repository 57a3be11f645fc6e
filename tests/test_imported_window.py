"""Imported devices with a time window per drive: config, import-mumax3 --window, rules."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from surrogate.cli import main
from surrogate.config.imported import ImportedTable
from surrogate.config.loader import ConfigError, parse_config
from surrogate.io.mumax3_table import read_table
from surrogate.io.trace import load_trace

from .conftest import REPO
from .test_workflow import snakemake, workflow_copy

FIXTURE = REPO / "tests" / "fixtures" / "mumax3_table.txt"  # t = 1.0..1.1 ns every 2.5 ps
VOLTAGE_TRAIN = REPO.parent / "shared" / "reference" / "mumax3" / "1skyrmion_voltage_train"
TRAIN_WINDOW = [1.02e-9, 1.05e-9]
TEST_WINDOW = [1.05e-9, 1.1e-9]


def windowed_config(default_config: dict, table: Path) -> dict:
    """The default config plus an imported device whose two drives are windows of one table."""
    config = copy.deepcopy(default_config)
    config["devices"]["old_skyrmion"] = {
        "source": "imported", "inputs": ["Ku1.region100"], "outputs": ["mz"],
        "tables": {"early": {"path": str(table), "window": TRAIN_WINDOW},
                   "late": {"path": str(table), "window": TEST_WINDOW},
                   "whole": str(table)},
        "train_drive": "early", "test_drive": "late",
    }
    return config


def test_both_table_forms_parse(default_config):
    run = parse_config(windowed_config(default_config, FIXTURE), "c.yaml")
    device = run.imported["old_skyrmion"]
    assert device.tables["early"] == ImportedTable(str(FIXTURE), (1.02e-9, 1.05e-9))
    assert device.window_of("late") == (1.05e-9, 1.1e-9)
    assert device.window_of("whole") is None
    assert device.table_of("early") == device.table_of("whole") == FIXTURE
    assert device.driven_parameters() == ("Ku1",)


@pytest.mark.parametrize(("window", "message"), [
    ([1.05e-9, 1.02e-9], r"field 'devices.old_skyrmion.tables.early.window'.*STOP must be "
                         r"greater than START.*mumax3_table.txt"),
    ([1.05e-9, 1.05e-9], r"field 'devices.old_skyrmion.tables.early.window'.*STOP"),
    ([1.0e-9], r"field 'devices.old_skyrmion.tables.early'"),
    (["1e-9", 2e-9], r"field 'devices.old_skyrmion.tables.early'"),
    ([1.0e-9, float("nan")], r"field 'devices.old_skyrmion.tables.early.window.1'.*NaN"),
])
def test_bad_windows_name_the_field(default_config, window, message):
    config = windowed_config(default_config, FIXTURE)
    config["devices"]["old_skyrmion"]["tables"]["early"]["window"] = window
    with pytest.raises(ConfigError, match=message):
        parse_config(config, "c.yaml")


def test_a_missing_windowed_table_names_the_field_and_file(default_config, tmp_path):
    config = windowed_config(default_config, FIXTURE)
    config["devices"]["old_skyrmion"]["tables"]["late"]["path"] = str(tmp_path / "gone.txt")
    with pytest.raises(ConfigError, match=r"field 'devices.old_skyrmion.tables.late'.*gone"):
        parse_config(config, "c.yaml")


def test_import_mumax3_window_keeps_start_le_t_lt_stop(tmp_path):
    out = tmp_path / "early.npz"
    window = f"{TRAIN_WINDOW[0]}:{TRAIN_WINDOW[1]}"
    assert main(["import-mumax3", str(FIXTURE), "--input", "Ku1.region100", "--output", "mz",
                 "--window", window, "--out", str(out)]) == 0
    trace, table = load_trace(out), read_table(FIXTURE)
    t = table.column("t")
    keep = (t >= TRAIN_WINDOW[0] - 1e-18) & (t < TRAIN_WINDOW[1] - 1e-18)
    assert len(trace.t) == keep.sum() == 12
    np.testing.assert_array_equal(trace.t, t[keep])
    np.testing.assert_array_equal(trace.output("mz"), table.column("mz")[keep])
    assert main(["import-mumax3", str(FIXTURE), "--input", "Ku1.region100", "--output", "mz",
                 "--window", "2e-9:1e-9", "--out", str(tmp_path / "bad.npz")]) == 1
    assert main(["import-mumax3", str(FIXTURE), "--input", "Ku1.region100", "--output", "mz",
                 "--window", "5e-9:6e-9", "--out", str(tmp_path / "empty.npz")]) == 1
    assert not (tmp_path / "bad.npz").exists() and not (tmp_path / "empty.npz").exists()


def test_rules_pass_the_window_and_figure_1_uses_the_imported_skyrmion(tmp_path, default_config):
    workdir = workflow_copy(tmp_path, windowed_config(default_config, FIXTURE))
    done = snakemake(workdir, "-n", "-p", "results/figures/skyrmion.png",
                     "results/traces/old_skyrmion/whole.npz")
    assert done.returncode == 0, done.stderr
    assert f"--window {TRAIN_WINDOW[0]!r}:{TRAIN_WINDOW[1]!r}" in done.stdout
    assert f"--window {TEST_WINDOW[0]!r}:{TEST_WINDOW[1]!r}" in done.stdout
    whole = [line for line in done.stdout.splitlines() if "whole.npz" in line and "import-mumax3"
             in line]
    assert len(whole) == 1 and "--window" not in whole[0]
    assert "--train-trace results/traces/old_skyrmion/early.npz" in done.stdout
    assert "--test-trace results/traces/old_skyrmion/late.npz" in done.stdout
    assert "results/models/old_skyrmion_k1.pt" in done.stdout
    assert "rule simulate" not in done.stdout


@pytest.mark.skipif(not VOLTAGE_TRAIN.is_dir(), reason="../shared reference tables are absent")
def test_imported_skyrmion_profile_splits_the_authors_table(monkeypatch, tmp_path):
    from benchmarks.common import repository_config

    monkeypatch.chdir(REPO)
    config = repository_config("profiles/imported_skyrmion/imported_skyrmion.yaml")
    device = config.imported["authors_skyrmion"]
    assert device.table_of("train") == device.table_of("test")
    lengths = []
    for drive in ("train", "test"):
        start, stop = device.window_of(drive)
        out = tmp_path / f"{drive}.npz"
        assert main(["import-mumax3", str(device.table_of(drive)), "--input", "Ku1.region100",
                     "--output", "mz", "--window", f"{start!r}:{stop!r}", "--out", str(out)]) == 0
        trace = load_trace(out)
        assert trace.t[0] == pytest.approx(start) and trace.t[-1] < stop
        assert np.ptp(trace.input("Ku1.region100")) > 0  # Ku1 is driven in both windows
        lengths.append(len(trace.t))
    assert lengths == [20000, 20000]  # 50 ns each at 2.5 ps


def test_figure_1_metrics_collects_both_models(tmp_path):
    from benchmarks.skyrmion_figure_imported import main as collect

    results = tmp_path / "results"
    (results / "figures").mkdir(parents=True)
    (results / "figures" / "skyrmion.png").write_bytes(b"\x89PNG")
    for name, nrmse, iterations in (("dev", 0.03, 900), ("dev_k1", 0.3, 1200)):
        for folder in ("models", "benchmarks/train", f"eval/{name}"):
            (results / folder).mkdir(parents=True, exist_ok=True)
        (results / "models" / f"{name}.json").write_text(json.dumps(
            {"minutes": 4.0, "iterations": iterations, "stopped_by": "time",
             "best_val_nrmse": nrmse, "final_train_nrmse": nrmse}))
        (results / "benchmarks" / "train" / f"{name}.tsv").write_text(
            "s\th:m:s\tcpu_time\n250.5\t0:04:10\t240.25\n")
        for drive, factor in (("train", 1.0), ("test", 1.5)):
            (results / "eval" / name / f"{drive}.json").write_text(
                json.dumps({"nrmse": nrmse * factor}))
    out = tmp_path / "metrics.json"
    assert collect(["--device", "dev", "--results", str(results), "--out", str(out)]) == 0
    models = json.loads(out.read_text())["models"]
    assert models["k2"]["nrmse"] == {"test": pytest.approx(0.045), "train": 0.03}
    assert models["k1"]["training"]["iterations"] == 1200
    assert models["k1"]["train_job_seconds"] == {"wall_s": 250.5, "cpu_s": 240.25}
    with pytest.raises(SystemExit, match="snakemake --profile profiles/imported_skyrmion"):
        collect(["--device", "other", "--results", str(results), "--out", str(out)])
