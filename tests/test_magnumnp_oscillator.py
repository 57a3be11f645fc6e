"""The magnum.np vortex-oscillator engine on tiny disks (110 nm in 10 nm cells, 100 nm in 5 nm).

magnum.np changes torch's global state when imported, so the simulations run in
one child process (shared by the tests of this module); the pure helpers are
tested here directly.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest

from surrogate.config.specs import HeldSequenceDrive, Material, SimulationSpec, VortexOscillator
from surrogate.engines.magnumnp.base import sample_schedule
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.engines.magnumnp.vortex import THERMAL_STEP, vortex_magnetization
from surrogate.io.mumax3_table import read_table
from surrogate.physics.constants import MU0
from surrogate.physics.drives import held_values
from surrogate.physics.geometry import oersted_field_per_current

REPO = Path(__file__).resolve().parent.parent

DEVICE = VortexOscillator(
    name="tiny", material=Material(Ms=8.0e5, Aex=1.3e-11), diameter=110e-9, thickness=10e-9,
    cell_size=10e-9, settle_time=2e-11, J_dc=-1.5e11, core_polarity=-1, chirality=1,
)
DRIVE = HeldSequenceDrive(
    name="tiny", parameter="J", amplitude=5e10, hold_time=2e-11, n_steps=5, seed=3
)
SPEC = SimulationSpec(device=DEVICE, drive=DRIVE, sample_period=5e-12)
# A thermal core needs ~5 nm cells (in 10 nm cells the noise flattens it); 30 ps of drive.
COLD5 = replace(DEVICE, diameter=100e-9, cell_size=5e-9, settle_time=1e-11)
HOT5 = replace(COLD5, temperature=300.0, thermal_seed=5)
SHORT = replace(DRIVE, hold_time=1e-11, n_steps=3)
RELAX_FIELD = (2e-2, 0.0, 0.0)  # T, during the relaxation only
# J = -5e12 A/m2 pulls m towards -z and its 157 mT Oersted field opposes the
# chirality: the vortex is lost during the drive, so the run must fail.
FAILING = replace(DEVICE, J_dc=-5e12)

CHILD = """
import json, sys
from pathlib import Path
from surrogate.config.loader import spec_from_dict
from surrogate.engines.magnumnp.base import EngineError
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.engines.mumax3.render import render_simulation

for case in json.loads(sys.argv[1]):
    spec, out = spec_from_dict(case["spec"]), Path(case["out"])
    render_simulation(spec, out / "script")
    try:
        run_magnumnp(spec, out, out / "script", progress=False)
    except EngineError as exc:
        Path(case["out"], "error.txt").write_text(str(exc))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Output folders: cold, failing, two-layer, and 5 nm cold, displaced and hot (twice) runs."""
    root = tmp_path_factory.mktemp("oscillator")
    runs = {
        "cold": (DEVICE, DRIVE), "failing": (FAILING, DRIVE), "cold5": (COLD5, SHORT),
        "hot5": (HOT5, SHORT), "hot5_again": (HOT5, SHORT), "displaced5": (COLD5, SHORT),
        "two_layers": (replace(DEVICE, layers=2), SHORT),
    }
    runs["displaced5"] = (replace(COLD5, relax_field=RELAX_FIELD), SHORT)
    (root / "failing").mkdir()
    (root / "failing" / "table.txt").write_text("stale table from an earlier run\n")
    cases = [
        {"out": str(root / name), "spec": asdict(SimulationSpec(device, drive, 5e-12))}
        for name, (device, drive) in runs.items()
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(cases)], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return {name: root / name for name in runs}


def test_table_has_mumax3_header_and_sampling(runs):
    header = (runs["cold"] / "table.txt").read_text().splitlines()[0]
    assert header == "# t (s)\tmx ()\tmy ()\tmz ()\tJz (A/m2)"
    t = read_table(runs["cold"]).column("t")
    assert len(t) == 21
    assert t[0] == pytest.approx(DEVICE.settle_time, rel=1e-12)
    np.testing.assert_allclose(np.diff(t), SPEC.sample_period, rtol=1e-9)


def test_current_column_is_dc_plus_held_offset(runs):
    table = read_table(runs["cold"])
    t_drive = table.column("t") - DEVICE.settle_time
    index = np.minimum(np.floor(t_drive / DRIVE.hold_time + 1e-9).astype(int), DRIVE.n_steps - 1)
    expected = DEVICE.J_dc + DRIVE.amplitude * held_values(DRIVE)[index]
    np.testing.assert_allclose(table.column("Jz"), expected, rtol=1e-12)
    assert len(np.unique(table.column("Jz"))) == DRIVE.n_steps


def test_vortex_keeps_polarity_and_chirality(runs):
    from ovf2io import read_ovf

    table = read_table(runs["cold"])
    m = table.data[:, 1:4]
    assert np.all(np.linalg.norm(m, axis=1) <= 1.0)
    assert np.all(np.abs(table.column("mz")) < 0.2)
    for name in ("m_relaxed.ovf", "m_final.ovf"):
        ovf = read_ovf(runs["cold"] / name)
        mx, my, mz = (ovf["data"][key][:, :, 0] for key in ("m_x", "m_y", "m_z"))
        x, y = ovf["coords"]["x"][:, :, 0], ovf["coords"]["y"][:, :, 0]
        core = np.unravel_index(np.abs(mz).argmax(), mz.shape)
        assert mz[core] < -0.5, name
        assert np.hypot(x[core], y[core]) < 2 * DEVICE.cell_size, name
        circulation = (x * my - y * mx)[np.hypot(mx, my) > 0.5]
        assert np.mean(np.sign(circulation)) > 0.9, name


def test_engine_sidecar(runs):
    record = json.loads((runs["cold"] / "engine.json").read_text())
    assert record["engine"] == "magnum.np"
    assert record["integrator"]["name"] == "rkf45"
    assert set(record["wall_s"]) == {"relax", "settle", "drive", "total"}
    assert set(record["cpu_s"]) == {"relax", "settle", "drive"}
    assert record["simulated_ns_per_wall_minute"] > 0


def test_failure_leaves_no_table(runs):
    message = (runs["failing"] / "error.txt").read_text()
    assert re.match(r"drive at t = [0-9.e-]+ s: the vortex \(core polarity -1, chirality \+1\) "
                    r"is lost", message), message
    assert not (runs["failing"] / "table.txt").exists()
    assert not list(runs["failing"].glob(".*.tmp"))


def test_thermal_field_acts_and_is_reproducible(runs):
    cold, hot, again = (read_table(runs[name]).data for name in ("cold5", "hot5", "hot5_again"))
    np.testing.assert_array_equal(hot, again)
    assert np.abs(hot[:, 1:3] - cold[:, 1:3]).max() > 1e-3


def test_thermal_run_integrates_with_stochastic_heun(runs):
    hot, cold = (json.loads((runs[name] / "engine.json").read_text())["integrator"]
                 for name in ("hot5", "cold5"))
    assert hot == {"name": "heun", "atol": None, "rtol": None, "step_s": THERMAL_STEP}
    assert cold["name"] == "rkf45"


def test_seed_follows_mumax3_vortex():
    m = vortex_magnetization(replace(DEVICE, diameter=50e-9))
    assert m.shape == (5, 5, 1, 3)
    assert m[2, 2, 0] == pytest.approx([0.0, 0.0, -1.0])
    assert m[4, 2, 0, 1] > 0.9  # at +x a chirality +1 vortex points along +y
    norms = np.linalg.norm(m, axis=-1)
    np.testing.assert_allclose(norms[norms > 0], 1.0)
    assert norms[0, 0, 0] == 0.0  # the corner lies outside the disk


def test_oersted_field_is_counterclockwise_for_positive_current():
    b = oersted_field_per_current(replace(DEVICE, layers=2))
    assert b.shape == (11, 11, 2, 3)
    # cell (10, 5) is at x = 50 nm, y = 0: B/J = mu0 (0, x/2, 0)
    np.testing.assert_allclose(b[10, 5, 1], [0.0, MU0 * 25e-9, 0.0], atol=1e-26)
    np.testing.assert_allclose(b[5, 0, 0], [MU0 * 25e-9, 0.0, 0.0], atol=1e-26)
    assert not b[0, 0].any()


def test_schedule_stops_at_drive_switches():
    switches = np.arange(1, DRIVE.n_steps) * DRIVE.hold_time
    targets, is_sample = sample_schedule(DRIVE.duration, 5e-12, switches)  # all on samples
    assert len(targets) == 21 and is_sample.all()
    targets, is_sample = sample_schedule(6e-11, 5e-12, np.arange(1, 5) * 1.2e-11)
    assert np.isclose(targets, 1.2e-11).any() and np.isclose(targets, 3.6e-11).any()
    np.testing.assert_allclose(targets[is_sample], np.arange(13) * 5e-12, atol=1e-20)


def test_rejects_a_drive_of_another_parameter(tmp_path):
    spec = replace(SPEC, drive=replace(DRIVE, parameter="Ku1"))
    with pytest.raises(ValueError, match="field 'drive.parameter'.*cannot drive 'Ku1'"):
        run_magnumnp(spec, tmp_path, tmp_path)


def test_relax_field_displaces_the_core_and_starts_gyration(runs):
    from ovf2io import read_ovf

    for name, displaced in (("cold5", False), ("displaced5", True)):
        ovf = read_ovf(runs[name] / "m_relaxed.ovf")
        mz = ovf["data"]["m_z"][:, :, 0]
        weight = np.where(mz < -0.5, -mz, 0.0)  # core polarity -1
        y_core = (ovf["coords"]["y"][:, :, 0] * weight).sum() / weight.sum()
        # a field along +x grows the +x-pointing side (y < 0 for chirality +1): core to +y
        assert (y_core > 5e-9) == displaced, (name, y_core)
    record = json.loads((runs["displaced5"] / "engine.json").read_text())
    assert record["relax"]["field_T"] == list(RELAX_FIELD)
    moving, still = (read_table(runs[name]).data[:, 1:3] for name in ("displaced5", "cold5"))
    assert np.ptp(moving, axis=0).max() > 10 * np.ptp(still, axis=0).max() + 1e-4


def test_two_layers_over_the_thickness(runs):
    from ovf2io import read_ovf

    ovf = read_ovf(runs["two_layers"] / "m_final.ovf")
    mz = ovf["data"]["m_z"]
    assert mz.shape == (11, 11, 2)
    assert mz[5, 5, 0] < -0.5 and mz[5, 5, 1] < -0.5
    assert np.all(np.abs(read_table(runs["two_layers"]).column("mz")) < 0.2)
