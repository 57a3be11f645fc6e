"""The Snakemake workflow: a tiny end-to-end run, and config rejection before any job."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch
import yaml

from .conftest import REPO


def workflow_copy(tmp_path: Path, config: dict) -> Path:
    """The Snakefile and rules in a fresh directory with `config` as config.yaml."""
    for name in ("Snakefile", "rules"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=900, check=False,
    )


def test_dry_run_lists_every_stage(tmp_path, default_config):
    done = snakemake(workflow_copy(tmp_path, default_config), "-n")
    assert done.returncode == 0, done.stderr
    for rule in ("render", "simulate", "extract", "train", "evaluate", "figure", "metrics"):
        assert rule in done.stdout


def test_malformed_config_stops_before_any_job(tmp_path, default_config):
    default_config["devices"]["skyrmion"]["cell_size"] = -4.0e-9
    workdir = workflow_copy(tmp_path, default_config)
    done = snakemake(workdir)
    assert done.returncode != 0
    assert "cell_size" in done.stderr + done.stdout
    assert not (workdir / "results").exists()


def test_tiny_end_to_end_run(tmp_path, tiny_config):
    tiny_config["drives"]["train_b"]["n_periods"] = 1
    tiny_config["extra_train_drives"] = ["train_b"]
    workdir = workflow_copy(tmp_path, tiny_config)
    done = snakemake(workdir)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((workdir / "results" / "models" / "skyrmion.json").read_text())
    assert report["trace"] == ["results/traces/skyrmion/train.npz",
                               "results/traces/skyrmion/train_b.npz"]
    metrics = json.loads((workdir / "results" / "metrics.json").read_text())
    test_result = metrics["summary"]["skyrmion/test"]
    assert 0.0 <= test_result["nrmse"] < 10.0
    assert test_result["simulation_wall_time_s"] > 0
    figure = workdir / "results" / "figures" / "skyrmion_overlay.png"
    assert figure.stat().st_size > 10_000
    table = workdir / "results" / "sims" / "skyrmion" / "test" / "skyrmion.out" / "table.txt"
    assert table.read_text().startswith("# t (s)\tmx ()\tmy ()\tmz ()\tKu1.region100 (J/m3)")

    # The trainer ran in its own process, untouched by magnum.np's float64 default.
    checkpoint = torch.load(workdir / "results" / "models" / "skyrmion.pt", weights_only=True)
    weights = list(checkpoint["state_dict"].values())
    assert weights and all(value.dtype == torch.float32 for value in weights)

    # Changing the model or the training drive must not redo the held-out simulation.
    tiny_config["model"]["hidden"] = 12
    tiny_config["drives"]["train"]["seed"] = 5
    (workdir / "config.yaml").write_text(yaml.safe_dump(tiny_config))
    planned = snakemake(workdir, "-n")
    assert planned.returncode == 0, planned.stderr
    blocks = (planned.stdout + planned.stderr).split("\n\n")
    simulations = [block for block in blocks if "rule simulate:" in block]
    assert len(simulations) == 1 and "drive=train" in simulations[0], simulations
    assert any("rule train:" in block for block in blocks)


def blocks_of(done: subprocess.CompletedProcess, rule: str) -> list[str]:
    """The job blocks of a `snakemake -n -p` listing that run `rule`."""
    return [block for block in (done.stdout + done.stderr).split("\n\n")
            if f"rule {rule}:" in block]


def test_dry_run_declares_data_files_and_engine_record(tmp_path, default_config):
    with open(REPO / "profiles" / "four_skyrmions" / "four_skyrmions.yaml",
              encoding="utf-8") as stream:
        four = yaml.safe_load(stream)
    config = dict(default_config)
    config["devices"] = {**default_config["devices"], **four["devices"]}
    config["drives"] = {**default_config["drives"], **four["drives"]}
    done = snakemake(workflow_copy(tmp_path, config), "-n", "-p")
    assert done.returncode == 0, done.stderr
    folder = "results/sims/four_skyrmions/four_test"
    (render,) = blocks_of(done, "render_four_skyrmions_four_test")
    assert (f"{folder}/four_skyrmions_four_test_Ku1.ovf, {folder}/four_skyrmions_regions.ovf"
            in render)
    simulations = blocks_of(done, "simulate")
    assert len(simulations) == 5  # skyrmion: train, train_b, test; four_skyrmions: two
    (grainy,) = [block for block in simulations if "drive=four_test" in block]
    assert f"{folder}/four_skyrmions_regions.ovf" in grainy.split("output:")[0]
    assert f"{folder}/four_skyrmions.out/engine.json" in grainy.split("output:")[1]
    extracts = blocks_of(done, "extract")
    assert len(extracts) == 5
    assert all(".out/engine.json" in block.split("output:")[0] for block in extracts)
    assert "--output mz --out" in "".join(extracts)


def test_deleted_drive_file_makes_a_dry_run_render_again(tmp_path, default_config):
    workdir = workflow_copy(tmp_path, default_config)
    folder = workdir / "results" / "sims" / "skyrmion" / "test"
    done = snakemake(workdir, str(folder.relative_to(workdir) / "skyrmion.mx3"))
    assert done.returncode == 0, done.stderr[-3000:]
    planned = snakemake(workdir, "-n")
    assert not blocks_of(planned, "render_skyrmion_test")
    (folder / "skyrmion_test_Ku1.ovf").unlink()
    planned = snakemake(workdir, "-n")
    (render,) = blocks_of(planned, "render_skyrmion_test")
    assert "Missing output files: results/sims/skyrmion/test/skyrmion_test_Ku1.ovf" in render


def test_duplicate_config_key_stops_the_workflow(tmp_path, default_config):
    workdir = workflow_copy(tmp_path, default_config)
    text = (workdir / "config.yaml").read_text()
    (workdir / "config.yaml").write_text(text + "sample_period: 5.0e-12\n")
    done = snakemake(workdir, "-n")
    assert done.returncode != 0
    assert "key 'sample_period' is given twice" in done.stdout + done.stderr


def test_output_name_with_shell_syntax_is_refused(tmp_path, default_config):
    default_config["devices"]["skyrmion"]["outputs"] = ["mz; touch HACKED"]
    workdir = workflow_copy(tmp_path, default_config)
    done = snakemake(workdir)
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "'mz; touch HACKED' does not match" in said
    assert "['devices']['skyrmion']['outputs'][0]" in said
    assert not (workdir / "HACKED").exists() and not (workdir / "results").exists()


def test_snakemake_lint_is_clean(tmp_path, default_config):
    done = snakemake(workflow_copy(tmp_path, default_config), "--lint")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Congratulations" in done.stdout + done.stderr
