"""The mumax3 runner, checked against tests/doubles/mumax3_double.py (no physics)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from surrogate.engines.gpu_slots import claim_gpu_slot
from surrogate.engines.mumax3 import runner
from surrogate.engines.mumax3.runner import (
    Mumax3RunError,
    gpu_for_job,
    run_mumax3,
)

DOUBLE = Path(__file__).resolve().parent / "doubles" / "mumax3_double.py"


@pytest.fixture
def double(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a `mumax3` shim running the double first on PATH; returns the record file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "mumax3"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{DOUBLE}" "$@"\n')
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    for name in ("CUDA_VISIBLE_DEVICES", "SLURM_JOB_ID", "SLURM_STEP_GPUS", "SLURM_JOB_GPUS",
                 "GPU_DEVICE_ORDINAL"):
        monkeypatch.delenv(name, raising=False)
    record = tmp_path / "record.json"
    monkeypatch.setenv("MUMAX3_DOUBLE_RECORD", str(record))
    monkeypatch.setenv("MUMAX3_DOUBLE_MODE", "ok")
    return record


@pytest.fixture
def script(tmp_path: Path) -> Path:
    path = tmp_path / "sims" / "device.mx3"
    path.parent.mkdir()
    path.write_text("Msat = 580000.0\n")
    return path


def test_exact_command_line_and_success(double: Path, script: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")
    out = script.parent / "device.out"
    log = tmp_path / "logs" / "device.log"
    result = run_mumax3(script, out, log_path=log, expected_rows=10)
    assert result == out.resolve()
    seen = json.loads(double.read_text())
    partial = str(out.resolve()) + ".partial"
    cache = str(script.parent.resolve() / "mumax3_cache")
    assert seen["argv"] == ["-gpu", "0", "-o", partial, "-f", "-cache", cache, "-http", "",
                            str(script.resolve())]
    assert seen["cwd"] == str(script.parent.resolve())
    assert (out / "table.txt").is_file() and not Path(partial).exists()
    assert "test double" in log.read_text()


def test_slurm_and_slot_gpu_and_explicit_gpu(double: Path, script: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLURM_JOB_ID", "12")
    monkeypatch.setenv("SLURM_JOB_GPUS", "2,5")
    run_mumax3(script, tmp_path / "a.out", log_path=tmp_path / "a.log")
    assert json.loads(double.read_text())["argv"][:2] == ["-gpu", "0"]
    run_mumax3(script, tmp_path / "b.out", log_path=tmp_path / "b.log", gpu=7,
               cache_dir=tmp_path / "kernels")
    argv = json.loads(double.read_text())["argv"]
    assert argv[:2] == ["-gpu", "7"] and argv[6] == str((tmp_path / "kernels").resolve())
    monkeypatch.delenv("SLURM_JOB_ID")
    monkeypatch.setenv("SURROGATE_GPU_LOCK_DIR", str(tmp_path / "slots"))
    monkeypatch.setattr(runner, "visible_gpu_count", lambda: 2)
    with claim_gpu_slot(2, tmp_path / "slots") as taken:
        run_mumax3(script, tmp_path / "c.out", log_path=tmp_path / "c.log")
    assert taken == 0 and json.loads(double.read_text())["argv"][:2] == ["-gpu", "1"]


@pytest.mark.parametrize(
    ("environ", "gpus", "gpu"),
    [({}, 0, 0), ({}, 1, 0), ({"CUDA_VISIBLE_DEVICES": "2,3"}, 4, 0),
     ({"SLURM_JOB_ID": "7", "SLURM_JOB_GPUS": "5,6"}, 4, 0), ({}, 4, 0)],
)
def test_gpu_for_job(environ: dict, gpus: int, gpu: int, tmp_path: Path) -> None:
    with gpu_for_job(environ, gpus, tmp_path) as index:
        assert index == gpu


@pytest.mark.parametrize("hidden", ["", "-1", "none"])
def test_gpu_for_job_refuses_hidden_gpus(hidden: str, tmp_path: Path) -> None:
    with pytest.raises(Mumax3RunError, match="hides every GPU"), \
            gpu_for_job({"CUDA_VISIBLE_DEVICES": hidden}, 4, tmp_path):
        pass


@pytest.mark.parametrize(
    ("mode", "rows", "message"),
    [
        ("crash", None, r"exited with status 1"),
        ("no_table", None, r"table.txt: table file not found"),
        ("header_only", None, r"header but no data rows"),
        ("truncated", None, r"line 7 is truncated"),
        ("ok", 5, r"table.txt has 5 rows, expected at least 10"),
    ],
)
def test_failures_name_the_log_and_leave_nothing_complete(
    double: Path, script: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    mode: str, rows: int | None, message: str,
) -> None:
    monkeypatch.setenv("MUMAX3_DOUBLE_MODE", mode)
    if rows is not None:
        monkeypatch.setenv("MUMAX3_DOUBLE_ROWS", str(rows))
    out, log = tmp_path / "run.out", tmp_path / "run.log"
    with pytest.raises(Mumax3RunError, match=message) as info:
        run_mumax3(script, out, log_path=log, expected_rows=10)
    text = str(info.value)
    assert f"log: {log}" in text and "test double, not mumax3" in text
    if mode == "crash":
        assert "undefined: Ku2" in text
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".out")]


def test_timeout_kills_and_fails(double: Path, script: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUMAX3_DOUBLE_MODE", "hang")
    out, log = tmp_path / "run.out", tmp_path / "run.log"
    start = time.monotonic()
    with pytest.raises(Mumax3RunError, match=r"timed out after 1.5 s") as info:
        run_mumax3(script, out, log_path=log, timeout_s=1.5)
    assert time.monotonic() - start < 20
    assert "running forever" in str(info.value) and str(log) in str(info.value)
    assert not out.exists()


def test_existing_output_is_never_replaced(double: Path, script: Path, tmp_path: Path) -> None:
    out = tmp_path / "done.out"
    out.mkdir()
    (out / "table.txt").write_text("precious")
    with pytest.raises(Mumax3RunError, match="already exists"):
        run_mumax3(script, out, log_path=tmp_path / "x.log")
    assert (out / "table.txt").read_text() == "precious"
    assert not double.exists(), "mumax3 must not have been started"


def test_stale_partial_is_replaced_and_log_appended(double: Path, script: Path,
                                                    tmp_path: Path) -> None:
    stale = tmp_path / "r.out.partial"
    stale.mkdir()
    (stale / "junk").write_text("old")
    log = tmp_path / "r.log"
    log.write_text("earlier attempt\n")
    run_mumax3(script, tmp_path / "r.out", log_path=log)
    assert not stale.exists() and not (tmp_path / "r.out" / "junk").exists()
    assert log.read_text().startswith("earlier attempt\n=== ")


def test_missing_executable_and_script(tmp_path: Path, script: Path) -> None:
    with pytest.raises(Mumax3RunError, match="cannot start"):
        run_mumax3(script, tmp_path / "a.out", log_path=tmp_path / "a.log", gpu=0,
                   executable=str(tmp_path / "no-mumax3"))
    with pytest.raises(Mumax3RunError, match="script not found"):
        run_mumax3(tmp_path / "nope.mx3", tmp_path / "b.out", log_path=tmp_path / "b.log")


def test_simulate_stage_runs_mumax3_and_checks_the_row_count(double: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            default_config) -> None:
    from surrogate.config.loader import parse_config
    from surrogate.stages.simulate import extract_stage, render_stage, simulate_stage

    folder = tmp_path / "sim"
    script = render_stage(parse_config(default_config), "skyrmion", "test", folder)
    table = folder / "skyrmion.out" / "table.txt"
    monkeypatch.setenv("MUMAX3_DOUBLE_ROWS", "1599")  # a 4 ns drive every 2.5 ps needs 1600
    with pytest.raises(Mumax3RunError, match="1599"):
        simulate_stage(folder / "spec.json", script, table, engine="mumax3",
                       log_path=tmp_path / "log.txt")
    assert not table.exists()
    monkeypatch.setenv("MUMAX3_DOUBLE_ROWS", "1601")
    simulate_stage(folder / "spec.json", script, table, engine="mumax3",
                   log_path=tmp_path / "log.txt")
    record = json.loads((table.parent / "engine.json").read_text())
    assert record["engine"] == "mumax3" and record["wall_time_s"] > 0
    assert record["gpu"] == 0 and record["command"][:3] == ["mumax3", "-gpu", "0"]
    assert record["hardware"]["kind"] == "gpu" and record["hardware"]["index"] == 0
    trace = extract_stage(table, folder / "spec.json", ["mz"], tmp_path / "trace.npz")
    assert trace.input_names == ["Ku1.region100"] and len(trace.t) == 1601
