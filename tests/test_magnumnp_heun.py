"""The stochastic Heun integrator of the CPU engine against statistical physics.

An ensemble of independent macrospins (one cell each, no exchange, no demag)
with uniaxial anisotropy K along z samples the Boltzmann distribution of the
angle: <m_z^2> = int_0^1 x^2 exp(s x^2) dx / int_0^1 exp(s x^2) dx with
s = K V / (k_B T). The cells are independent particles, so the standard error
of the measured <m_z^2> is the spread of the per-particle time averages over
the square root of their number; a block average of the ensemble mean over
time is reported beside it. magnum.np changes torch's global state when
imported, so the simulations run in a child process.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from surrogate.config.specs import HeldSequenceDrive, Material, SimulationSpec, VortexOscillator
from surrogate.engines.magnumnp.base import Integrator, Numerics
from surrogate.engines.magnumnp.heun import (
    STABLE_PHASE_PER_STEP,
    brown_field_scale,
    exchange_limited_step,
)
from surrogate.engines.magnumnp.vortex import THERMAL_STEP, VortexRun, default_numerics
from surrogate.physics.constants import GAMMA_LL, KB, MU0

REPO = Path(__file__).resolve().parent.parent

MS = 8.0e5  # A/m
KU = 3.0e5  # J/m3
CELL = 4e-9  # m, a cube: V = 6.4e-26 m3
ALPHA = 1.0  # the fastest relaxation; the Boltzmann distribution does not depend on alpha

CHILD = """
import json, sys
from surrogate.engines.magnumnp.base import import_magnumnp
from surrogate.engines.magnumnp.heun import StochasticHeun, brown_field_scale

cases = json.loads(sys.argv[1])
mnp, torch = import_magnumnp("float64")
results = []
for case in cases:
    n = case["cells_per_side"]
    state = mnp.State(mnp.Mesh((n, n, 1), (case["cell"],) * 3))
    state.material["Ms"] = case["Ms"]
    state.material["Ku"] = case["Ku"]
    state.material["Ku_axis"] = state.Constant([0.0, 0.0, 1.0])
    state.material["alpha"] = case["alpha"]
    state.T = state.Constant([case["T"]])
    state.m = state.Constant([0.0, 0.0, 1.0])
    heun = StochasticHeun(mnp, torch, [mnp.UniaxialAnisotropyField()], max_step=case["dt"],
                          seed=case["seed"])
    heun.step(state, case["burn_in"])
    mz2 = []
    for _ in range(case["n_samples"]):
        heun.step(state, case["sample_every"])
        mz2.append((state.m[..., 2] ** 2).flatten().tolist())
    # magnum.np's own ThermalField at the same step, drawn from the same global seed
    state._dt = case["dt"]
    torch.manual_seed(11)
    theirs = mnp.ThermalField().h(state)
    torch.manual_seed(11)
    eta = torch.normal(0., 1., size=state.m.shape)
    ours = brown_field_scale(state.material["alpha"], state.T, state.material["Ms"],
                             state.mesh.cell_volumes, case["dt"], heun.gamma, torch) * eta
    results.append({"mz2": mz2, "magnumnp_thermal_field": theirs.flatten().tolist(),
                    "brown_field": ours.flatten().tolist(), "steps": state._step})
print(json.dumps(results))
"""


def boltzmann_mz2(sigma: float) -> float:
    """<m_z^2> of a uniaxial macrospin with barrier parameter sigma = K V / (k_B T)."""
    x = np.linspace(0.0, 1.0, 200_001)
    weight = np.exp(sigma * x**2)
    return float(np.trapezoid(x**2 * weight, x) / np.trapezoid(weight, x))


def temperature_for(sigma: float) -> float:
    """T (K) at which the cells have K V / (k_B T) = sigma."""
    return KU * CELL**3 / (KB * sigma)


def run_ensembles(cases: list[dict]) -> list[dict]:
    """Run `cases` in one child process; return its per-case results."""
    env = dict(os.environ, PYTHONPATH=str(REPO), CUDA_DEVICE="-1")
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cases)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def ensemble_case(sigma: float, *, cells_per_side: int, dt: float, duration: float,
                  seed: int) -> dict:
    """An ensemble of cells_per_side^2 macrospins at K V / (k_B T) = sigma, sampled every 10 ps
    over `duration` (s) after 100 ps of burn-in (several relaxation times)."""
    sample_every = 10e-12
    return {"cells_per_side": cells_per_side, "cell": CELL, "Ms": MS, "Ku": KU, "alpha": ALPHA,
            "T": temperature_for(sigma), "dt": dt, "seed": seed, "burn_in": 100e-12,
            "sample_every": sample_every, "n_samples": int(round(duration / sample_every))}


def measured_mz2(result: dict) -> tuple[float, float, float]:
    """<m_z^2>, its standard error over independent particles, and a block-average error."""
    mz2 = np.asarray(result["mz2"])  # (samples, particles)
    per_particle = mz2.mean(axis=0)
    error = float(per_particle.std(ddof=1) / math.sqrt(per_particle.size))
    ensemble = mz2.mean(axis=1)
    blocks = ensemble[: len(ensemble) // 4 * 4].reshape(4, -1).mean(axis=1)
    block_error = float(blocks.std(ddof=1) / 2.0)
    return float(per_particle.mean()), error, block_error


def check_boltzmann(sigmas: tuple[float, ...], tolerance_in_errors: float, **ensemble) -> None:
    results = run_ensembles([ensemble_case(s, seed=i + 1, **ensemble)
                             for i, s in enumerate(sigmas)])
    report = []
    for sigma, result in zip(sigmas, results, strict=True):
        expected = boltzmann_mz2(sigma)
        mean, error, block_error = measured_mz2(result)
        report.append(f"sigma {sigma:g}: <mz^2> = {mean:.4f} +- {error:.4f} (blocks "
                      f"+- {block_error:.4f}), Boltzmann {expected:.4f}")
        assert abs(mean - expected) < tolerance_in_errors * error, report[-1]
        # the check can tell the temperatures apart: its error is far below their difference
        assert error < 0.01
        np.testing.assert_allclose(result["brown_field"], result["magnumnp_thermal_field"],
                                   rtol=1e-5)
    print("\n".join(report))


def test_heun_samples_the_boltzmann_distribution_at_two_temperatures():
    check_boltzmann((1.0, 5.0), 4.0, cells_per_side=16, dt=0.05e-12, duration=0.4e-9)


@pytest.mark.slow
def test_heun_samples_the_boltzmann_distribution_closely():
    check_boltzmann((0.5, 1.0, 2.0, 5.0, 10.0), 3.0, cells_per_side=32, dt=0.05e-12,
                    duration=1e-9)


def test_brown_field_has_mumax3s_amplitude_in_tesla():
    alpha, temperature, ms, volume, dt = 0.03, 300.0, 8e5, 5e-9 * 5e-9 * 20e-9, 1e-13
    # mumax3 (engine/temperature.go, cuda/temperature2.cu): B = eta sqrt(2 kB alpha T /
    # (GammaLL V dt Ms)) in T
    mumax3_tesla = math.sqrt(2 * KB * alpha * temperature / (GAMMA_LL * volume * dt * ms))
    f64 = torch.float64
    scale = brown_field_scale(torch.tensor(alpha, dtype=f64),
                              torch.tensor([temperature, temperature], dtype=f64),
                              torch.tensor([ms, 0.0], dtype=f64), volume, dt, GAMMA_LL, torch)
    assert float(scale[0]) * MU0 == pytest.approx(mumax3_tesla, rel=1e-12)
    assert float(scale[1]) == 0.0  # no field outside the magnet


def test_boltzmann_reference_has_its_limits():
    assert boltzmann_mz2(1e-9) == pytest.approx(1 / 3, rel=1e-6)  # isotropic
    assert boltzmann_mz2(200.0) == pytest.approx(1 - 1 / 200.0, rel=1e-3)  # 1 - 1/sigma


def test_rk4_is_refused_at_temperature_above_zero(tmp_path):
    device = VortexOscillator(name="hot", material=Material(Ms=8e5, Aex=1.3e-11),
                              diameter=100e-9, thickness=10e-9, cell_size=5e-9,
                              temperature=300.0)
    drive = HeldSequenceDrive(name="dc", parameter="J", amplitude=0.0, hold_time=1e-11,
                              n_steps=1, seed=0)
    with pytest.raises(ValueError, match="integrator 'rk4' has no thermal field"):
        VortexRun(SimulationSpec(device, drive, 5e-12), tmp_path, None, data_folder=tmp_path,
                  numerics=Numerics(integrator=Integrator("rk4")), dtype="float64", threads=1,
                  progress=False)
    assert "magnumnp" not in sys.modules  # refused before magnum.np is imported


def test_heun_step_is_bounded_by_the_fastest_exchange_spin_wave():
    cell, grid = (5e-9, 5e-9, 20e-9), (20, 20, 1)
    omega = GAMMA_LL * 2 * 1.3e-11 / 8e5 * (4 / 5e-9**2 + 4 / 5e-9**2)  # rad/s, 10.4 T
    step = exchange_limited_step(1.3e-11, 8e5, cell, grid)
    assert step == pytest.approx(STABLE_PHASE_PER_STEP / omega, rel=1e-12)
    assert 0.25e-12 < step < 0.4e-12  # between the benchmark's stable steps and its failure
    assert exchange_limited_step(1.3e-11, 8e5, (2.5e-9, 2.5e-9, 20e-9), grid) == pytest.approx(
        step / 4)
    assert exchange_limited_step(1.3e-11, 8e5, cell, (20, 20, 4)) < step  # layers add a term


def test_thermal_vortex_defaults_to_heun_with_a_step_its_cells_allow():
    device = VortexOscillator(name="hot", material=Material(Ms=8e5, Aex=1.3e-11),
                              diameter=100e-9, thickness=20e-9, cell_size=5e-9,
                              temperature=300.0)
    assert default_numerics(replace(device, temperature=0.0)).integrator.name == "rkf45"
    assert default_numerics(device).integrator == Integrator("heun", step=THERMAL_STEP)
    fine = default_numerics(replace(device, cell_size=2.5e-9)).integrator
    assert fine.name == "heun"
    assert fine.step == pytest.approx(exchange_limited_step(1.3e-11, 8e5, (2.5e-9,) * 2 + (20e-9,),
                                                            (40, 40, 1)))
