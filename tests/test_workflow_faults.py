"""kill -9 of the whole workflow, first during a simulation, then during training: each
rerun finishes the run without redoing finished work, and nothing half-done looks done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .test_workflow import snakemake, workflow_copy


def _start(workdir: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    return subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--rerun-incomplete"], cwd=workdir,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _kill_when(process: subprocess.Popen, ready, what: str, timeout_s: float = 300) -> None:
    """SIGKILL the workflow and all its jobs as soon as `ready()` holds."""
    deadline = time.monotonic() + timeout_s
    while not ready():
        assert process.poll() is None, f"the workflow ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout_s} s"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _tables(workdir: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns
            for path in (workdir / "results" / "sims").glob("*/*/*.out/table.txt")}


def test_killed_workflow_resumes_without_redoing_finished_work(tmp_path, tiny_config):
    tiny_config["model"].update(max_iterations=300, max_minutes=5, val_every=10,
                                checkpoint_every_s=0.001, patience=1000)
    workdir = workflow_copy(tmp_path, tiny_config)
    sims = workdir / "results" / "sims" / "skyrmion"

    running = _start(workdir)
    _kill_when(running, lambda: any(sims.glob("*/*.out.partial")), "simulation in progress")
    assert not _tables(workdir), "a killed simulation left a table that looks finished"

    assert snakemake(workdir, "--unlock").returncode == 0
    model = workdir / "results" / "models" / "skyrmion.pt"
    sidecar = model.with_name("skyrmion.partial.pt")
    running = _start(workdir)
    _kill_when(running, sidecar.exists, "periodic training checkpoint")
    assert not model.exists(), "a killed training left a model under its final name"
    tables = _tables(workdir)
    assert len(tables) == 2

    assert snakemake(workdir, "--unlock").returncode == 0
    done = snakemake(workdir, "--rerun-incomplete")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert _tables(workdir) == tables, "finished simulations were run again"
    log = (workdir / "results" / "logs" / "train" / "skyrmion.log").read_text()
    assert "resumed at iteration" in log
    assert not sidecar.exists() and model.exists()
    assert (workdir / "results" / "metrics.json").is_file()
