"""The CPU engine is deterministic: a thermal run with a fixed `thermal_seed` gives the same
table twice, and another seed gives another one. magnum.np runs in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from surrogate.config.loader import parse_config
from surrogate.io.mumax3_table import read_table
from surrogate.stages.simulate import render_stage

REPO = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys
from pathlib import Path
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.stages.simulate import read_spec

for folder, out in json.loads(sys.argv[1]):
    run_magnumnp(read_spec(Path(folder) / "spec.json"), Path(out), Path(folder), progress=False)
"""


def thermal_config(seed: int) -> dict:
    """A 20 x 20 cell vortex at 300 K (an even cell count, as mumax3's cuRAND needs)."""
    return {
        "engine": "auto", "sample_period": 2.5e-12,
        "devices": {"hot": {
            "kind": "vortex_oscillator", "material": {"Ms": 8.0e5, "Aex": 1.3e-11},
            "diameter": 1.0e-7, "thickness": 1.0e-8, "cell_size": 5.0e-9,
            "settle_time": 1.0e-11, "temperature": 300.0, "thermal_seed": seed}},
        "drives": {"current": {"kind": "held_sequence", "parameter": "J", "amplitude": 5.0e10,
                               "hold_time": 5.0e-12, "n_steps": 3, "seed": 1}},
        "train_drive": "current", "test_drive": "current", "model": {},
    }


def test_thermal_run_is_identical_for_a_fixed_seed(tmp_path):
    runs = []
    for seed in (7, 8):
        folder = tmp_path / f"seed{seed}"
        render_stage(parse_config(thermal_config(seed)), "hot", "current", folder)
        runs += [(str(folder), str(folder / "first")), (str(folder), str(folder / "second"))]
    env = dict(os.environ, PYTHONPATH=str(REPO), CUDA_DEVICE="-1")
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(runs)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second, other, _ = (read_table(Path(out) / "table.txt").data for _, out in runs)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first[:, 1:4], other[:, 1:4]), "the thermal field did nothing"
    assert "magnumnp" not in sys.modules


def test_magnumnp_honours_the_simulate_timeout(tmp_path):
    folder = tmp_path / "sim"
    render_stage(parse_config(thermal_config(7)), "hot", "current", folder)
    table = folder / "hot.out" / "table.txt"
    env = dict(os.environ, PYTHONPATH=str(REPO), CUDA_DEVICE="-1")
    done = subprocess.run(
        [sys.executable, "-m", "surrogate", "simulate", "--spec", str(folder / "spec.json"),
         "--script", str(folder / "hot.mx3"), "--table", str(table), "--engine", "magnumnp",
         "--log", str(tmp_path / "log.txt"), "--timeout-minutes", "0.0001"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1
    assert "passed its time limit of 0.0001 min" in done.stderr
    assert not table.exists()
