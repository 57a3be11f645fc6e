"""The capability table: every device kind x drive kind pair the schema accepts either runs on
both engines (a mumax3 script renders and a short magnum.np run gives a clean table) or is
refused by config validation, naming the field and the engine.

All magnum.np runs happen in ONE child process (its import takes ~11 s and changes torch's
global state); this process must never import magnum.np.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from surrogate.config.engines import CAPABILITIES, ENGINES
from surrogate.config.loader import ConfigError, parse_config
from surrogate.config.specs import DEVICE_KINDS, DRIVE_KINDS
from surrogate.engines.table_layout import input_columns
from surrogate.io.mumax3_table import read_table
from surrogate.stages.simulate import SPEC_FILE, read_spec, render_stage

REPO = Path(__file__).resolve().parent.parent
SUPPORTED = {
    ("skyrmion", "random_sine"), ("skyrmion", "parameter_inputs"),
    ("skyrmion", "held_sequence"), ("skyrmion", "masked_sequence"),
    ("skyrmion", "sampled_waveform"),
    ("vortex_oscillator", "random_sine"), ("vortex_oscillator", "held_sequence"),
    ("vortex_oscillator", "masked_sequence"), ("vortex_oscillator", "sampled_waveform"),
    ("standard_problem_4", "field_step"),
}
GRAIN_CASE = ("skyrmion+grains", "parameter_inputs")
PAIRS = [(device, drive) for device in DEVICE_KINDS for drive in DRIVE_KINDS]

# Tiny devices: a few hundred cells each, settled for at most 10 ps.
DEVICES = {
    "skyrmion": {
        "kind": "skyrmion", "material": {"Ms": 5.8e5, "Aex": 1.5e-11, "Ku1": 8.0e5, "Dind": 3.5e-3},
        "diameter": 6.0e-8, "thickness": 1.0e-9, "cell_size": 4.0e-9,
        "skyrmion_diameter": 3.0e-8, "settle_time": 0.0,
    },
    "vortex_oscillator": {
        "kind": "vortex_oscillator", "material": {"Ms": 8.0e5, "Aex": 1.3e-11},
        "diameter": 1.1e-7, "thickness": 1.0e-8, "cell_size": 1.0e-8, "settle_time": 1.0e-11,
        "J_dc": -1.5e11,
    },
    "standard_problem_4": {
        "kind": "standard_problem_4", "material": {"Ms": 8.0e5, "Aex": 1.3e-11},
        "size": [1.0e-7, 2.5e-8, 3.0e-9], "grid": [16, 4, 1],
    },
}
GRAINS = {"grain_size": 1.0e-8, "n_regions": 20, "seed": 3}
# The driven parameter and its amplitude (SI) per device kind.
DRIVEN = {"skyrmion": ("Ku1", 3.0e4), "vortex_oscillator": ("J", 5.0e10),
          "standard_problem_4": ("Ku1", 3.0e4)}


def drive_config(device_kind: str, drive_kind: str, folder: Path) -> dict:
    """A drive of `drive_kind` lasting 15-20 ps, on the device's driven parameter."""
    parameter, amplitude = DRIVEN[device_kind]
    single = {"parameter": parameter, "amplitude": amplitude}
    if drive_kind == "random_sine":
        return {"kind": drive_kind, **single, "frequency": 1.0e11, "n_periods": 2, "seed": 1}
    if drive_kind == "parameter_inputs":
        return {"kind": drive_kind, "inputs": [
            {"parameter": "Ku1", "amplitude": 3.0e4, "frequency": 1.0e11, "n_periods": 2,
             "seed": 1},
            {"parameter": "Dind", "amplitude": 2.0e-4, "frequency": 5.0e10, "n_periods": 1,
             "seed": 2}]}
    if drive_kind == "held_sequence":
        return {"kind": drive_kind, **single, "hold_time": 5.0e-12, "n_steps": 3, "seed": 1}
    if drive_kind == "masked_sequence":
        series = folder / "series.txt"
        np.savetxt(series, [0.3, 1.1])
        return {"kind": drive_kind, **single, "hold_time": 2.5e-12, "series_file": str(series),
                "n_samples": 2, "n_virtual_nodes": 3, "mask_seed": 4}
    if drive_kind == "sampled_waveform":
        values = folder / "wave.txt"
        np.savetxt(values, [0.0, 1.0, -0.5, 0.25])
        return {"kind": drive_kind, **single, "sample_time": 5.0e-12,
                "values_file": str(values), "n_values": 4, "interpolation": "linear"}
    return {"kind": drive_kind, "B_ext": [-0.0246, 0.0043, 0.0], "duration": 1.5e-11}


def pair_config(device_kind: str, drive_kind: str, engine: str, folder: Path) -> dict:
    """A config with one device ('dev') trained and tested on one drive ('drv')."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "engine": engine, "sample_period": 2.5e-12,
        "devices": {"dev": copy.deepcopy(DEVICES[device_kind])},
        "drives": {"drv": drive_config(device_kind, drive_kind, folder)},
        "train_drive": "drv", "test_drive": "drv", "model": {},
    }


def test_capability_table_covers_every_kind_on_both_engines():
    assert set(CAPABILITIES) == set(ENGINES)
    for engine in ENGINES:
        assert set(CAPABILITIES[engine]) == set(DEVICE_KINDS)
        pairs = {(device, drive) for device, capability in CAPABILITIES[engine].items()
                 for drive in capability.drive_kinds}
        assert pairs == SUPPORTED, engine
    for engine in ENGINES:
        assert CAPABILITIES[engine]["skyrmion"].options == {"grains"}


@pytest.mark.parametrize(("device_kind", "drive_kind"),
                         [pair for pair in PAIRS if pair not in SUPPORTED])
@pytest.mark.parametrize("engine", ["auto", "mumax3", "magnumnp"])
def test_unsupported_pair_is_refused_naming_field_and_engine(tmp_path, device_kind, drive_kind,
                                                             engine):
    config = pair_config(device_kind, drive_kind, engine, tmp_path)
    with pytest.raises(ConfigError) as error:
        parse_config(config, "pair.yaml")
    message = str(error.value)
    assert "pair.yaml: field 'drives.drv.kind'" in message
    for name in ("mumax3", "magnumnp") if engine == "auto" else (engine,):
        assert f"engine '{name}' does not run drive kind '{drive_kind}'" in message
        assert f"device kind '{device_kind}'" in message


def test_parameters_are_refused_where_unsupported(tmp_path):
    config = pair_config("vortex_oscillator", "held_sequence", "auto", tmp_path)
    config["drives"]["drv"]["parameter"] = "Ku1"
    with pytest.raises(ConfigError, match=r"field 'drives.drv.parameter': engine 'mumax3' "
                                          r"cannot drive 'Ku1' on device kind 'vortex_osc"):
        parse_config(config)
    config = pair_config("skyrmion", "parameter_inputs", "magnumnp", tmp_path)
    config["drives"]["drv"]["inputs"][1]["parameter"] = "J"
    with pytest.raises(ConfigError, match=r"field 'drives.drv.inputs.1.parameter'"):
        parse_config(config)
    config = pair_config("skyrmion", "random_sine", "auto", tmp_path)
    config["devices"]["dev"]["grains"] = GRAINS
    assert parse_config(config).devices["dev"].grains.n_regions == 20


CHILD = """
import json, sys, traceback
from pathlib import Path
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.stages.simulate import read_spec

for folder in map(Path, json.loads(sys.argv[1])):
    try:
        run_magnumnp(read_spec(folder / "spec.json"), folder / "out", folder, progress=False)
    except Exception:
        (folder / "error.txt").write_text(traceback.format_exc())
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every supported pair rendered for mumax3, then run on magnum.np in one child process."""
    root = tmp_path_factory.mktemp("capabilities")
    folders = {}
    for device_kind, drive_kind in [*sorted(SUPPORTED), GRAIN_CASE]:
        folder = root / f"{device_kind}-{drive_kind}"
        raw = pair_config(device_kind.removesuffix("+grains"), drive_kind, "auto",
                          folder / "inputs")
        if device_kind.endswith("+grains"):
            raw["devices"]["dev"]["grains"] = GRAINS
        render_stage(parse_config(raw), "dev", "drv", folder)
        folders[(device_kind, drive_kind)] = folder
    env = dict(os.environ, PYTHONPATH=str(REPO), CUDA_DEVICE="-1")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([str(f) for f in folders.values()])],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return folders


@pytest.mark.parametrize(("device_kind", "drive_kind"), sorted(SUPPORTED))
def test_supported_pair_renders_and_runs_on_magnumnp(sweep, device_kind, drive_kind):
    folder = sweep[(device_kind, drive_kind)]
    error = folder / "error.txt"
    assert not error.exists(), error.read_text() if error.exists() else ""
    spec = read_spec(folder / SPEC_FILE)
    script = (folder / "dev.mx3").read_text()
    for data_file in folder.glob("*.ovf"):
        assert f'LoadFile("{data_file.name}")' in script
    table = read_table(folder / "out" / "table.txt")
    assert table.names == ["t", "mx", "my", "mz", *input_columns(spec)]
    assert np.all(np.isfinite(table.data))
    assert len(table.data) == round(spec.drive.duration / spec.sample_period) + 1
    assert np.ptp(table.data[:, 4:], axis=0).max() > 0 or device_kind == "standard_problem_4"
    record = json.loads((folder / "out" / "engine.json").read_text())
    assert record["engine"] == "magnum.np" and record["threads"] == 1
    assert "magnumnp" not in sys.modules


def test_grains_run_on_both_engines_from_one_region_file(sweep):
    folder = sweep[GRAIN_CASE]
    error = folder / "error.txt"
    assert not error.exists(), error.read_text() if error.exists() else ""
    script = (folder / "dev.mx3").read_text()
    assert 'regions.LoadFile("dev_regions.ovf")' in script
    table = read_table(folder / "out" / "table.txt")
    assert table.names == ["t", "mx", "my", "mz", "Ku1_input", "Dind_input"]
    assert np.all(np.isfinite(table.data)), "a table column holds NaN"
    uniform = read_table(sweep[("skyrmion", "parameter_inputs")] / "out" / "table.txt")
    assert not np.allclose(table.column("mz"), uniform.column("mz")), "grains changed nothing"


def test_standard_problem_4_profile_renders(tmp_path):
    """profiles/standard_problem_4.yaml is a valid config and both of its fields render."""
    from surrogate.config.loader import load_config

    config = load_config(REPO / "profiles" / "standard_problem_4.yaml")
    for drive in ("field1", "field2"):
        script = render_stage(config, "sp4", drive, tmp_path / drive)
        assert "SetGridsize(128, 32, 1)" in script.read_text()
        assert read_spec(tmp_path / drive / SPEC_FILE).drive.B_ext[0] < -0.02
