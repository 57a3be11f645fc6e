"""Learned noise of a stochastic Spin-NODE, and the spectra used to judge it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from surrogate.analysis.spectra import peak_and_width, welch_psd
from surrogate.io.trace import Trace
from surrogate.node.checkpoint import Surrogate
from surrogate.node.embedding import Normalisation
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.noise.stochastic import NoiseModel, StochasticModelError, fit_noise, sample_paths

STEP_S = 1e-11
# damped rotation per model step: decay rate 0.01, 0.05 rad per step (f = 0.8 GHz at 10 ps)
GENERATOR = np.array([[-0.01, -0.05], [0.05, -0.01]])
DIFFUSION, OBSERVATION = 0.02, 0.01


def _linear_surrogate(k: int = 1) -> Surrogate:
    """A Spin-NODE whose drift is exactly dy/dtau = GENERATOR y (MLP output zeroed)."""
    model = SpinNODE(ModelShape(n_out=2, n_in=1, k=k, hidden=8, depth=1)).double()
    with torch.no_grad():
        model.net[-1].weight.zero_()
        model.linear.weight.zero_()
        model.linear.weight[:2, :2] = torch.as_tensor(GENERATOR)
    identity = Normalisation(np.zeros(2), np.ones(2))
    return Surrogate(model, identity, Normalisation(np.zeros(1), np.ones(1)), ["J"], ["mx", "my"],
                     ["A/m2"], ["", ""], STEP_S, "rk4")


def _rk4_matrix() -> np.ndarray:
    a = GENERATOR
    return np.eye(2) + a + a @ a / 2 + a @ a @ a / 6 + a @ a @ a @ a / 24


def _noisy_trace(n: int = 20000, seed: int = 3) -> tuple[Trace, np.ndarray]:
    rng = np.random.default_rng(seed)
    phi, y = _rk4_matrix(), np.zeros((n, 2))
    for i in range(1, n):
        y[i] = phi @ y[i - 1] + DIFFUSION * rng.standard_normal(2)
    observed = y + OBSERVATION * rng.standard_normal(y.shape)
    t = np.arange(n) * STEP_S
    trace = Trace(t, np.zeros((n, 1)), observed, ["J"], ["mx", "my"], ["A/m2"], ["", ""])
    return trace, y


def _stationary_variance() -> np.ndarray:
    """Per-channel variance of y_{n+1} = Phi y_n + q^(1/2) xi (discrete Lyapunov, iterated)."""
    phi, cov = _rk4_matrix(), np.zeros((2, 2))
    for _ in range(5000):
        cov = phi @ cov @ phi.T + DIFFUSION**2 * np.eye(2)
    return np.diag(cov)


def test_noise_fit_recovers_diffusion_and_observation_noise():
    noise = fit_noise(_linear_surrogate(), _noisy_trace()[0], lags=(1, 8))
    np.testing.assert_allclose(noise.diffusion, DIFFUSION, rtol=0.1)
    np.testing.assert_allclose(noise.observation, OBSERVATION, rtol=0.25)
    # lags up to 60 steps, where the drift has contracted the kicks by half: still recovered
    late = fit_noise(_linear_surrogate(), _noisy_trace()[0], lags=(10, 60))
    np.testing.assert_allclose(late.diffusion, DIFFUSION, rtol=0.1)


def test_sampled_paths_have_the_stationary_variance_and_spectrum(tmp_path):
    surrogate, (trace, _) = _linear_surrogate(), _noisy_trace()
    noise = fit_noise(surrogate, trace)
    noise.save(tmp_path / "noise.json")
    assert NoiseModel.load(tmp_path / "noise.json") == noise
    t, paths = sample_paths(surrogate, noise, trace.window(0, 4000 * STEP_S), 64, seed=1)
    assert paths.shape == (64, 4000, 2) and len(t) == 4000
    late = paths[:, 1000:]  # after ~10 correlation times: stationary
    expected = _stationary_variance() + OBSERVATION**2
    np.testing.assert_allclose(late.var(axis=(0, 1)), expected, rtol=0.15)
    freqs, psd, _ = welch_psd(late[0, :, 0], STEP_S, 1000)
    peak, _ = peak_and_width(freqs, psd[:, 0])
    assert peak == pytest.approx(0.05 / (2 * np.pi * STEP_S), rel=0.15)


def test_noise_fit_rejects_a_delay_embedded_model_and_a_noise_free_trace():
    with pytest.raises(StochasticModelError, match="k = 2"):
        fit_noise(_linear_surrogate(k=2), _noisy_trace()[0])
    trace, _ = _noisy_trace(n=2000)
    x = np.zeros((2000, 2))
    x[0] = (0.5, 0.0)
    phi = _rk4_matrix()
    for i in range(1, 2000):
        x[i] = phi @ x[i - 1]
    clean = Trace(trace.t, trace.inputs, x, ["J"], ["mx", "my"], ["A/m2"], ["", ""],
                  {"source": "clean.npz"})
    with pytest.raises(StochasticModelError, match="noise-free"):
        fit_noise(_linear_surrogate(), clean)


def test_welch_psd_integrates_to_the_variance_and_finds_a_line():
    rng = np.random.default_rng(0)
    freqs, psd, segments = welch_psd(2.0 * rng.standard_normal(100_000), 1e-3, 1000)
    assert segments == 199
    assert np.trapezoid(psd[:, 0], freqs) == pytest.approx(4.0, rel=0.02)
    t = np.arange(100_000) * 1e-3
    freqs, psd, _ = welch_psd(np.sin(2 * np.pi * 50.0 * t), 1e-3, 2000)
    peak, width = peak_and_width(freqs, psd[:, 0])
    assert peak == pytest.approx(50.0) and width < 2.0
    with pytest.raises(ValueError, match="does not fit"):
        welch_psd(np.zeros(10), 1e-3, 20)


def test_short_horizon_validation_scores_the_drift_not_the_noise():
    from surrogate.node.training import _horizon_nrmse

    surrogate, (trace, _) = _linear_surrogate(), _noisy_trace(n=3000)
    u = np.zeros((3000, 1))
    phi, decaying = _rk4_matrix(), np.zeros((3000, 2))
    decaying[0] = (0.5, 0.0)
    for i in range(1, 3000):
        decaying[i] = phi @ decaying[i - 1]
    exact = _horizon_nrmse(surrogate, [decaying], [u], 1, horizon=10)
    noisy = _horizon_nrmse(surrogate, [trace.outputs], [u], 1, horizon=10)
    with torch.no_grad():
        surrogate.model.linear.weight[:2, :2] *= 0.5
    wrong = _horizon_nrmse(surrogate, [decaying], [u], 1, horizon=10)
    assert exact < 1e-6
    assert 0.01 < noisy < 0.5
    assert wrong > 100 * exact and wrong > 0.1


def test_cli_fits_the_noise_and_samples_paths(tmp_path, capsys):
    from surrogate.cli import main
    from surrogate.io.trace import save_trace
    from surrogate.node.checkpoint import save_checkpoint

    save_checkpoint(_linear_surrogate(), tmp_path / "drift.pt")
    save_trace(_noisy_trace()[0], tmp_path / "noisy.npz")
    assert main(["noise", "fit", str(tmp_path / "drift.pt"), str(tmp_path / "noisy.npz"),
                 "--out", str(tmp_path / "noise.json")]) == 0
    noise = NoiseModel.load(tmp_path / "noise.json")
    np.testing.assert_allclose(noise.diffusion, DIFFUSION, rtol=0.1)
    assert main(["noise", "sample", str(tmp_path / "drift.pt"), str(tmp_path / "noise.json"),
                 str(tmp_path / "noisy.npz"), "--window", ":1e-8", "--samples", "4",
                 "--out", str(tmp_path / "paths.npz")]) == 0
    with np.load(tmp_path / "paths.npz") as saved:
        assert saved["paths"].shape == (4, 1000, 2)
        assert list(saved["output_names"]) == ["mx", "my"]
    assert main(["noise", "sample", str(tmp_path / "drift.pt"), str(tmp_path / "drift.pt"),
                 str(tmp_path / "noisy.npz"), "--out", str(tmp_path / "bad.npz")]) == 1
    assert "not a noise-model file" in capsys.readouterr().err
    assert not (tmp_path / "bad.npz").exists()


def test_resolved_band_removes_fast_noise_and_keeps_the_slow_signal():
    from surrogate.analysis.spectra import low_pass, resolved_band

    t = np.arange(4000) * STEP_S
    slow = np.sin(2 * np.pi * 0.5e9 * t)
    fast = 0.3 * np.sin(2 * np.pi * 10e9 * t)
    trace = Trace(t, np.zeros((4000, 1)), np.stack([slow + fast, slow], axis=1), ["J"],
                  ["mx", "my"], ["A/m2"], ["", ""])
    smooth = resolved_band(trace, 3e9)
    inner = slice(200, -200)
    np.testing.assert_allclose(smooth.outputs[inner, 0], slow[inner], atol=0.02)
    assert smooth.metadata["low_pass_Hz"] == 3e9
    with pytest.raises(ValueError, match="Nyquist"):
        low_pass(slow, STEP_S, 60e9)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"diffusion": [float("nan"), 0.1]}, "diffusion"), ({"observation": [0.1]}, "observation"),
     ({"observation": [0.1, -1.0]}, "observation"), ({"step_s": float("inf")}, "step_s"),
     ({"diffusion": ["0.1", 0.1]}, "diffusion")],
)
def test_noise_file_with_a_bad_number_names_the_file_and_field(tmp_path, change, field):
    good = {"output_names": ["mx", "my"], "step_s": 1e-11, "diffusion": [0.1, 0.1],
            "observation": [0.01, 0.01], "residual_variance": [[0.1, 0.1]]}
    path = tmp_path / "noise.json"
    path.write_text(json.dumps(good))
    assert NoiseModel.load(path).diffusion == [0.1, 0.1]
    path.write_text(json.dumps({**good, **change}))
    with pytest.raises(StochasticModelError, match=f"{path}: field '{field}'"):
        NoiseModel.load(path)
