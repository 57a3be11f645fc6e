"""Training on a synthetic driven oscillator; determinism; bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from surrogate.io.trace import Trace
from surrogate.node.forecast import predict_trace
from surrogate.node.rollout import evaluate_model
from surrogate.node.training import TrainingError, TrainSettings, train_model
from surrogate.noise.input_noise import fit_input_noise, predict_noisy

DT = 10e-12  # s, sample spacing
F0 = 5e9  # Hz, natural frequency: 20 samples per period
FD = 4e9  # Hz, drive frequency


def duffing_trace(n_samples: int, seed: int) -> Trace:
    """x'' + g x' + w0^2 (x + x^3) = w0^2 u(t), observed through x, u a random-amplitude sine.

    The amplitude of the sine is redrawn in [-1, 1] every drive period; the
    ODE is integrated with RK4 at DT/8 and sampled every DT.
    """
    w0, gamma = 2 * math.pi * F0, 2 * math.pi * F0 * 0.3
    amplitudes = np.random.default_rng(seed).uniform(-1, 1, int(n_samples * DT * FD) + 2)

    def drive(t: float) -> float:
        return amplitudes[int(t * FD)] * math.sin(2 * math.pi * FD * t)

    def rhs(t: float, s: np.ndarray) -> np.ndarray:
        x, v = s
        return np.array([v, -gamma * v - w0**2 * (x + x**3) + w0**2 * drive(t)])

    h, s, t = DT / 8, np.zeros(2), 0.0
    xs, us = [], []
    for _ in range(n_samples):
        xs.append(s[0])
        us.append(drive(t))
        for _ in range(8):
            k1 = rhs(t, s)
            k2 = rhs(t + h / 2, s + h / 2 * k1)
            k3 = rhs(t + h / 2, s + h / 2 * k2)
            k4 = rhs(t + h, s + h * k3)
            s, t = s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), t + h
    t_grid = np.arange(n_samples) * DT
    return Trace(t_grid, np.array(us)[:, None], np.array(xs)[:, None], ["u"], ["x"], ["T"], ["m"],
                 {"engine": "synthetic-duffing", "seed": seed})


@pytest.fixture(scope="module")
def oscillator_model(tmp_path_factory):
    torch.set_num_threads(1)
    path = tmp_path_factory.mktemp("model") / "duffing.pt"
    settings = TrainSettings(max_minutes=1.5, max_iterations=300, batch=128, window=10,
                             window_max=40, val_every=25, lr=1e-2, lr_final=3e-4, seed=0)
    report = train_model(duffing_trace(1500, seed=1), settings, path, progress=False)
    return path, report


def test_learns_duffing_oscillator_on_held_out_drive(oscillator_model):
    path, report = oscillator_model
    assert report.iterations >= 300  # the last L-BFGS step may take several evaluations
    assert report.best_val_nrmse < 0.15
    held_out = duffing_trace(600, seed=2)
    result = evaluate_model(path, held_out)
    assert result.predicted.shape == result.target.shape == (600, 1)
    assert result.nrmse < 0.15, result.nrmse  # measured 0.068
    assert result.nrmse_per_channel == {"x": pytest.approx(result.nrmse)}


def test_predict_trace_is_marked_and_matches_evaluation(oscillator_model):
    path, _ = oscillator_model
    held_out = duffing_trace(300, seed=3)
    predicted = predict_trace(path, held_out)
    assert predicted.metadata["prediction"] is True
    assert predicted.metadata["source_engine"] == "synthetic-duffing"
    np.testing.assert_array_equal(predicted.inputs, held_out.inputs)
    np.testing.assert_allclose(predicted.outputs, evaluate_model(path, held_out).predicted)


def _tiny_trace(n: int = 200) -> Trace:
    t = np.arange(n) * DT
    u = np.sin(2 * np.pi * FD * t)
    return Trace(t, u[:, None], np.cos(2 * np.pi * FD * t)[:, None], ["u"], ["x"], ["T"], ["m"])


def _tiny_settings(**changes) -> TrainSettings:
    base = dict(max_iterations=15, batch=8, window=5, window_max=10, val_every=5, hidden=8)
    return TrainSettings(**{**base, **changes})


def test_fixed_seed_is_deterministic(tmp_path):
    reports = [
        train_model(_tiny_trace(), _tiny_settings(seed=seed), tmp_path / f"{i}.pt", progress=False)
        for i, seed in enumerate((3, 3, 4))
    ]
    weights = [torch.load(tmp_path / f"{i}.pt", weights_only=True)["state_dict"] for i in range(3)]
    for name in weights[0]:
        torch.testing.assert_close(weights[0][name], weights[1][name], rtol=0, atol=0)
    assert reports[0].best_val_nrmse == reports[1].best_val_nrmse
    assert any(not torch.equal(weights[0][n], weights[2][n]) for n in weights[0])


def test_bad_settings_and_channels_are_named(tmp_path):
    with pytest.raises(TrainingError, match="window_max"):
        train_model(_tiny_trace(), _tiny_settings(window=20, window_max=10), tmp_path / "m.pt")
    with pytest.raises(TrainingError, match="too short"):
        train_model(_tiny_trace(12), _tiny_settings(), tmp_path / "m.pt")
    with pytest.raises(ValueError, match="no output channel 'mz'"):
        train_model(_tiny_trace(), _tiny_settings(), tmp_path / "m.pt", output_names=["mz"])
    with pytest.raises(TrainingError, match="NaN|nan|inf"):
        train_model(_tiny_trace(), _tiny_settings(lr=1e30, lr_final=1e30, clip=0.0),
                     tmp_path / "m.pt", progress=False)
    assert not (tmp_path / "m.pt").exists()


def test_input_noise_is_fitted_from_the_residual(oscillator_model):
    path, _ = oscillator_model
    clean = duffing_trace(400, seed=4)
    noisy = duffing_trace(400, seed=4)
    noisy.outputs = noisy.outputs + 0.05 * np.random.default_rng(0).standard_normal((400, 1))
    sigma_clean, sigma_noisy = fit_input_noise(path, clean), fit_input_noise(path, noisy)
    assert 0 < sigma_clean < sigma_noisy
    t, ensemble = predict_noisy(path, clean, sigma_noisy, n_samples=6)
    assert ensemble.shape == (6, 400, 1)
    np.testing.assert_array_equal(t, clean.t)
    assert np.all(ensemble[:, 1:].std(axis=0).mean() > 0)
    np.testing.assert_allclose(predict_noisy(path, clean, 0.0, n_samples=2)[1][1],
                               evaluate_model(path, clean).predicted, rtol=1e-4, atol=1e-5)


def test_default_step_of_two_samples_on_a_2p5_ps_trace(tmp_path):
    t = np.arange(400) * 2.5e-12
    trace = Trace(t, np.sin(2 * np.pi * 4e9 * t)[:, None], np.cos(2 * np.pi * 4e9 * t)[:, None],
                  ["u"], ["x"], ["T"], ["m"])
    path = tmp_path / "m.pt"
    train_model(trace, _tiny_settings(), path, progress=False)
    result = evaluate_model(path, trace)
    assert result.stride == 2
    np.testing.assert_array_equal(result.t, t[::2])
    assert result.predicted.shape == result.inputs.shape == (200, 1)
    predicted = predict_trace(path, trace)
    np.testing.assert_array_equal(predicted.t, t[::2])
    with pytest.raises(ValueError, match="does not divide the model step"):
        evaluate_model(path, Trace(t[::3], trace.inputs[::3], trace.outputs[::3],
                                   ["u"], ["x"], ["T"], ["m"]))


@pytest.mark.parametrize(
    "changes", [{"k": 1}, {"k": 3, "n_aug": 2}, {"scheme": "rk38", "dtype": "float64"},
                {"k": 3, "delay": 2}]
)
def test_model_variants_train_and_predict(tmp_path, changes):
    path = tmp_path / "m.pt"
    train_model(_tiny_trace(), _tiny_settings(**changes), path, progress=False)
    result = evaluate_model(path, _tiny_trace(120))
    assert result.predicted.shape == (120, 1) and np.all(np.isfinite(result.predicted))
    np.testing.assert_allclose(result.predicted[0], result.target[0], rtol=1e-6)


def test_lbfgs_finetune_lowers_the_validation_error_of_adam_alone(tmp_path):
    trace = duffing_trace(800, seed=1)
    base = dict(max_iterations=120, batch=64, window=10, window_max=20, val_every=10, hidden=16,
                lr=1e-2, seed=0)
    adam = train_model(trace, TrainSettings(**base, finetune_fraction=0.0), tmp_path / "adam.pt",
                       progress=False)
    tuned = train_model(trace, TrainSettings(**base, finetune_fraction=0.5, finetune_window=20),
                        tmp_path / "tuned.pt", progress=False)
    assert tuned.iterations >= 120
    assert tuned.best_iteration > 60  # the best weights came from the L-BFGS phase
    assert tuned.best_val_nrmse < adam.best_val_nrmse, (tuned, adam)


def test_restarts_keep_the_best_validation_score_and_remove_the_candidates(tmp_path):
    from surrogate.node.checkpoint import load_checkpoint

    path = tmp_path / "m.pt"
    report = train_model(_tiny_trace(), _tiny_settings(restarts=2, seed=5), path, progress=False)
    surrogate = load_checkpoint(path)
    scores = {run["seed"]: run["best_val_nrmse"] for run in surrogate.metadata["restarts"]}
    assert set(scores) == {5, 6}
    assert report.best_val_nrmse == min(scores.values())
    assert surrogate.settings["seed"] == min(scores, key=scores.get)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt", "m.weights.npz"]


def test_a_time_cap_that_ends_the_lbfgs_phase_is_reported_as_the_time_budget(tmp_path):
    # An iteration cap far out of reach: Adam's share (one iteration) ends by the
    # count, then the time cap of 3 s ends the L-BFGS phase long before the count does.
    settings = _tiny_settings(max_iterations=10**6, finetune_fraction=1 - 1e-6, max_minutes=0.05)
    report = train_model(_tiny_trace(), settings, tmp_path / "m.pt", progress=False)
    assert 1 < report.iterations < 10**6  # it reached the L-BFGS phase
    assert report.stopped_by == "time budget"


@pytest.mark.parametrize(("field", "value"), [("finetune_fraction", 1.0), ("restarts", 0),
                                              ("finetune_window", 0), ("delay", 0)])
def test_bad_finetune_and_restart_settings_are_refused(field, value, tmp_path):
    with pytest.raises(TrainingError, match=f"TrainSettings.{field}"):
        train_model(_tiny_trace(), _tiny_settings(**{field: value}), tmp_path / "m.pt")


def test_a_failed_lbfgs_line_search_keeps_the_best_adam_weights(tmp_path, monkeypatch):
    def failing_step(self, closure):
        closure()
        raise IndexError("list index out of range")  # torch's _strong_wolfe, seen in a real run

    monkeypatch.setattr(torch.optim.LBFGS, "step", failing_step)
    path = tmp_path / "m.pt"
    report = train_model(_tiny_trace(), _tiny_settings(max_iterations=20, finetune_fraction=0.5),
                         path, progress=False)
    assert report.stopped_by == "fine-tuning diverged"
    assert report.best_iteration <= 10 and math.isfinite(report.best_val_nrmse)
    assert evaluate_model(path, _tiny_trace()).predicted.shape == (200, 1)
