"""Training on several traces: windows stay inside one trace; validation is pooled."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from surrogate.io.trace import Trace
from surrogate.metrics import nrmse
from surrogate.node.embedding import delay_embed
from surrogate.node.model import ModelShape
from surrogate.node.rollout import evaluate_model
from surrogate.node.training import (
    TrainingError,
    TrainSettings,
    _shooting_starts,
    _split,
    _training_segments,
    _window_starts,
    train_model,
)

DT = 5e-12  # s: one sample per model step


def driven_decay(n_samples: int, seed: int, offset: float = 0.0) -> Trace:
    """x' = -x/tau + u(t), u a sine whose amplitude is redrawn every 20 samples (exact
    step response of the hold-free linear ODE, integrated finely)."""
    tau = 40 * DT
    amplitudes = np.random.default_rng(seed).uniform(-1, 1, n_samples // 20 + 2)
    t = np.arange(n_samples) * DT
    u = amplitudes[np.arange(n_samples) // 20] * np.sin(2 * np.pi * t / (20 * DT))
    x = np.empty(n_samples)
    x[0] = offset
    for i in range(1, n_samples):
        x[i] = x[i - 1] + DT * (-x[i - 1] / tau + 1e10 * 0.5 * (u[i - 1] + u[i]))
    return Trace(t, u[:, None], x[:, None], ["u"], ["x"], ["T"], [""], {"seed": seed})


def two_traces() -> list[Trace]:
    return [driven_decay(300, seed=1), driven_decay(200, seed=2, offset=1.0)]


def test_windows_and_shooting_windows_never_cross_from_one_trace_to_the_next():
    settings = TrainSettings(k=2, window=5)
    data = _split(two_traces(), ["u"], ["x"], settings, ["a.npz", "b.npz"])
    shape = ModelShape.from_settings(settings, 1, 1)
    states, u_stages, room = _training_segments(data, shape, "rk4", torch.float64)
    lengths = [len(x) - 1 for x in data.x_train]  # embedded states per trace (k = 2)
    assert [len(x) for x in data.x_train] == [240, 160]  # the last 20 % of each validates
    assert len(states) == len(u_stages) == len(room) == sum(lengths)
    np.testing.assert_allclose(states[lengths[0]:].numpy(), delay_embed(data.x_train[1], 2))
    assert room[lengths[0] - 1] == 0 and room[lengths[0]] == lengths[1] - 1
    assert torch.all(u_stages[lengths[0] - 1] == 0)  # no step leads out of a trace
    segment = torch.cat([torch.zeros(lengths[0]), torch.ones(lengths[1])])
    for length in (5, 50, 158):
        starts = _window_starts(room, length, 4096, torch.Generator().manual_seed(0))
        assert torch.all(segment[starts] == segment[starts + length])
        assert set(segment[starts].tolist()) == {0.0, 1.0}
    starts = _shooting_starts(room, 100)
    assert starts.tolist() == [0, 100, lengths[0]]  # 238 and 158 states: 2 windows and 1


def test_validation_pools_the_free_runs_of_every_trace(tmp_path):
    torch.set_num_threads(1)
    traces = two_traces()
    path = tmp_path / "m.pt"
    settings = TrainSettings(hidden=16, max_iterations=60, val_every=20, window=5,
                             window_max=20, dtype="float64", seed=0)
    report = train_model(traces, settings, path, progress=False, trace_labels=["a", "b"])
    predicted, target = [], []
    for trace in traces:
        start = trace.t[len(trace.t) - round(0.2 * len(trace.t))]
        result = evaluate_model(path, trace.window(start, None))
        predicted.append(result.predicted)
        target.append(result.target)
    pooled = nrmse(np.concatenate(predicted), np.concatenate(target))
    assert report.best_val_nrmse == pytest.approx(pooled, rel=1e-6)
    single = nrmse(predicted[0], target[0])
    assert not math.isclose(single, pooled, rel_tol=1e-3)
    from surrogate.node.checkpoint import load_checkpoint

    metadata = load_checkpoint(path).metadata
    assert metadata["trained_on"] == {"seed": 1}
    assert metadata["also_trained_on"] == [{"seed": 2}]


def test_traces_with_other_sample_spacings_or_too_short_are_named(tmp_path):
    first, second = two_traces()
    coarse = Trace(2 * second.t, second.inputs, second.outputs, ["u"], ["x"], ["T"], [""], {})
    with pytest.raises(TrainingError, match="b.npz is sampled every 1e-11 s, a.npz every 5e-12"):
        train_model([first, coarse], TrainSettings(max_iterations=5), tmp_path / "m.pt",
                    progress=False, trace_labels=["a.npz", "b.npz"])
    short = second.window(None, 20 * DT)
    with pytest.raises(TrainingError, match="trace 2 of 20 model-grid samples is too short"):
        train_model([first, short], TrainSettings(max_iterations=5), tmp_path / "m.pt",
                    progress=False)
    assert not (tmp_path / "m.pt").exists()
