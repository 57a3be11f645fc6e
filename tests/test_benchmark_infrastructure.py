"""The benchmarks package: configs validate, results carry provenance, inputs skip cleanly."""

from __future__ import annotations

import ast
import importlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import common
from benchmarks.magnumnp_sp4 import Sp4Settings, sp4_problem
from surrogate.engines.drive_files import read_drive

BENCHMARKS = Path(common.__file__).resolve().parent


@pytest.mark.parametrize("path", sorted((BENCHMARKS / "configs").glob("*.yaml")),
                         ids=lambda path: path.stem)
def test_every_benchmark_config_validates(path):
    config = common.benchmark_config(path.stem)
    assert config.devices and config.drives


def test_oscillator_profile_merges_into_the_repository_config():
    config = common.repository_config("profiles/oscillator/oscillator.yaml")
    assert {"skyrmion", "vortex_sto"} <= set(config.devices)
    assert config.drives[config.train_drive_of("vortex_sto")].parameter == "J"


def test_sp4_problem_comes_from_its_config():
    device, drive = sp4_problem()
    assert device.grid == (128, 32, 1) and device.material.Ms == 8e5
    assert drive.B_ext == (-0.0246, 0.0043, 0.0) and drive.duration == 1e-9


def test_no_benchmark_edits_sys_path_or_reads_tmp():
    for path in BENCHMARKS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "sys.path" not in text, path
        assert not re.search(r"[\"']/tmp", text), path
        ast.parse(text)


def test_result_files_record_commit_versions_and_machine(tmp_path):
    path = common.write_result_json(tmp_path / "r.json", {"value": 1.5})
    record = json.loads(path.read_text())
    info = record["provenance"]
    assert record["value"] == 1.5
    assert re.fullmatch(r"[0-9a-f]{40}", info["git_commit"])
    assert info["versions"]["torch"] and info["versions"]["numpy"]
    assert "magnumnp" in info["versions"]
    assert info["machine"]["cpu_cores"] >= 1 and info["machine"]["cpu_model"]
    markdown = common.write_result_markdown(tmp_path / "r.md", "# title\n").read_text()
    assert markdown.startswith("# title\n\nProduced by") and info["git_commit"] in markdown


def test_missing_shared_input_skips_with_status_zero(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        common.shared_input(tmp_path / "absent" / "table.txt")
    assert exit_info.value.code == 0
    assert "skipped" in capsys.readouterr().err
    present = tmp_path / "table.txt"
    present.write_text("x")
    assert common.shared_input(present) == present


def test_missing_produced_input_names_the_command(tmp_path):
    with pytest.raises(SystemExit, match="python -m benchmarks.x --seed 1"):
        common.produced_input(tmp_path / "table.txt", "python -m benchmarks.x --seed 1")


def test_sp4_settings_refuse_unknown_choices():
    with pytest.raises(ValueError, match="demag_kernel"):
        Sp4Settings(demag_kernel="fast")


@pytest.mark.parametrize("path", sorted(BENCHMARKS.glob("*.py")), ids=lambda path: path.stem)
def test_every_benchmark_imports_without_magnumnp(path):
    """Each benchmark module imports against the current package API (magnum.np stays lazy)."""
    importlib.import_module(f"benchmarks.{path.stem}")
    assert "magnumnp" not in sys.modules


def test_paper_device_replays_the_given_amplitudes_through_the_drive_file(tmp_path):
    """The amplitudes land in the data file render wrote; the engine's reader gets them back."""
    from benchmarks.magnumnp_paper_device import paper_spec, render_with_amplitudes

    spec = paper_spec(settle_time=1e-10, n_periods=3)
    amplitudes = np.array([1.5, -0.25, 2.0])
    render_with_amplitudes(spec, tmp_path, amplitudes)
    (channel,) = read_drive(spec, tmp_path).channels
    np.testing.assert_array_equal(channel.values, amplitudes)
    assert (tmp_path / "paper_1skyrmion.mx3").is_file()
    with pytest.raises(ValueError, match="2 mumax3 amplitudes for a drive of 3 periods"):
        render_with_amplitudes(spec, tmp_path, amplitudes[:2])
