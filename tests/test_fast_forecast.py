"""The torch-free forecast: the model file's companion, the numpy and compiled rollouts
against the training path, the batched API, and a `predict` process without torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from surrogate.io.input_series import InputSeries
from surrogate.io.trace import Trace, load_trace, save_trace
from surrogate.node.checkpoint import (
    Surrogate,
    load_checkpoint,
    remove_checkpoint,
    save_checkpoint,
)
from surrogate.node.embedding import Normalisation
from surrogate.node.fast_rollout import pack
from surrogate.node.forecast import ForecastError, forecast, load_model, predict_from_files
from surrogate.node.fused_kernel import rollout_batch, rollout_single
from surrogate.node.integrators import InputGrid, rk4_rollout
from surrogate.node.integrators import stage_inputs as torch_stage_inputs
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.numpy_rollout import (
    NUMPY_MAX_TRAJECTORY_STEPS,
    numpy_rollout,
    rollout,
    stage_inputs,
)
from surrogate.node.weights_file import CheckpointError, read_weights_file, weights_path


def _model(shape: ModelShape, seed: int = 0) -> SpinNODE:
    """A float64 model with every weight random (the last layer and the linear term
    included), so each term of the field shows in the states; the linear term damps
    the state, so that the trajectories stay bounded."""
    torch.manual_seed(seed)
    model = SpinNODE(shape).double()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(0.3 * torch.randn_like(parameter))
        model.linear.weight.mul_(0.2)
        model.linear.weight[:, : shape.state_dim] -= 0.4 * torch.eye(shape.state_dim)
    return model


def _surrogate(model: SpinNODE, scheme: str = "rk4") -> Surrogate:
    shape = model.shape
    return Surrogate(
        model=model,
        out_norm=Normalisation(np.full(shape.n_out, 0.5), np.full(shape.n_out, 0.2)),
        in_norm=Normalisation(np.full(shape.n_in, 8e5), np.full(shape.n_in, 1e5)),
        input_names=[f"u{i}" for i in range(shape.n_in)],
        output_names=[f"m{i}" for i in range(shape.n_out)],
        input_units=["J/m3"] * shape.n_in,
        output_units=[""] * shape.n_out,
        step_s=5e-12,
        scheme=scheme,
        metadata={"engine": "magnumnp"},
        settled_outputs=np.full(shape.n_out, 0.6),
    )


@pytest.mark.parametrize("scheme", ["rk4", "rk38"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu", "silu"])
def test_numpy_and_compiled_rollouts_agree_with_the_training_path(scheme, activation):
    shape = ModelShape(2, 2, k=3, hidden=12, depth=3, activation=activation, n_aug=1, delay=2)
    model = _model(shape)
    rng = np.random.default_rng(1)
    batch, n_steps, stride = 4, 40, 2
    u = rng.standard_normal((stride * (n_steps + shape.span) + 1, batch, shape.n_in))
    y0 = 0.5 * rng.standard_normal((batch, shape.state_dim))
    mine = stage_inputs(u, stride, shape.k, shape.delay, n_steps, scheme)
    # the training path, one drive at a time (its grid holds one drive)
    expected = []
    for b in range(batch):
        grid = InputGrid(torch.as_tensor(u[:, b]), stride, shape.k, shape.delay)
        theirs = torch_stage_inputs(grid, torch.zeros(1), n_steps, scheme)
        # equal, but for the rounding of rk38's thirds (n*s + s/3 against (n + 1/3)*s)
        np.testing.assert_allclose(mine[:, :, b], theirs[:, :, 0].numpy(), rtol=0, atol=1e-13)
        with torch.no_grad():
            expected.append(rk4_rollout(model, torch.as_tensor(y0[b : b + 1]), theirs,
                                        scheme)[:, 0].numpy())
    expected = np.stack(expected, axis=1)
    field = pack(model)
    assert np.abs(numpy_rollout(field, y0, mine, scheme) - expected).max() < 1e-10
    assert np.abs(rollout_batch(field, y0, mine, scheme) - expected).max() < 1e-10
    single = rollout_single(field, y0[0], mine[:, :, 0], scheme)
    assert np.abs(single - expected[:, 0]).max() < 1e-10
    assert np.abs(expected[-1] - expected[0]).max() > 0.1  # the states do move


@pytest.mark.parametrize("scheme", ["rk4", "rk38"])
def test_the_single_trajectory_kernel_follows_the_training_path_over_a_long_free_run(scheme):
    """The default shape (k=5, two latent dimensions, width 50, depth 2: padded to the
    kernel's blocks of eight) over 3000 steps of a free run."""
    shape = ModelShape(1, 1, k=5, hidden=50, depth=2, n_aug=2)
    model = _model(shape, seed=5)
    n_steps = 3000
    drive = np.sin(0.07 * np.arange(n_steps + shape.span + 1))[:, None, None]
    u = stage_inputs(drive, 1, shape.k, shape.delay, n_steps, scheme)
    y0 = np.linspace(-0.5, 0.5, shape.state_dim)
    with torch.no_grad():
        expected = rk4_rollout(model, torch.as_tensor(y0[None]), torch.as_tensor(u),
                               scheme)[:, 0].numpy()
    single = rollout_single(pack(model), y0, u[:, :, 0], scheme)
    assert np.abs(single - expected).max() < 1e-10
    assert np.abs(expected[-200:] - expected[-201:-1]).max() > 1e-3  # still driven at the end


def test_the_chooser_runs_long_work_compiled_and_short_work_in_numpy():
    shape = ModelShape(1, 1, k=2, hidden=8)
    field = pack(_model(shape))
    rng = np.random.default_rng(2)
    n_steps = NUMPY_MAX_TRAJECTORY_STEPS // 2 + 1
    u = stage_inputs(0.3 * rng.standard_normal((n_steps + 2, 2, 1)), 1, 2, 1, n_steps, "rk4")
    y0 = np.full((2, 2), 0.1)
    long_run = rollout(field, y0, u, "rk4")  # 2 trajectories: over the threshold
    np.testing.assert_allclose(long_run, numpy_rollout(field, y0, u, "rk4"), rtol=0, atol=1e-10)
    single = rollout(field, y0[:1], u[:, :, :1], "rk4")
    np.testing.assert_allclose(single[:, 0], long_run[:, 0], rtol=0, atol=1e-10)


def test_compiled_picks_the_rollout_whatever_the_length(monkeypatch):
    import surrogate.node.numpy_rollout as numpy_module

    calls: list[int] = []
    in_numpy = numpy_module.numpy_rollout
    monkeypatch.setattr(numpy_module, "numpy_rollout",
                        lambda *args: calls.append(len(args[2])) or in_numpy(*args))
    field = pack(_model(ModelShape(1, 1, k=2, hidden=8)))
    rng = np.random.default_rng(5)
    u = stage_inputs(0.3 * rng.standard_normal((40, 1, 1)), 1, 2, 1, 30, "rk38")
    y0 = np.full((1, 2), 0.1)
    by_length = rollout(field, y0, u, "rk38")
    assert calls == [30]  # short: numpy
    compiled = rollout(field, y0, u, "rk38", compiled=True)
    assert calls == [30]
    np.testing.assert_allclose(compiled, by_length, rtol=0, atol=1e-10)
    long_u = np.repeat(u[:1], NUMPY_MAX_TRAJECTORY_STEPS + 1, axis=0)
    rollout(field, y0, long_u, "rk38", compiled=False)
    assert calls == [30, NUMPY_MAX_TRAJECTORY_STEPS + 1]


@pytest.fixture
def saved_model(tmp_path):
    model = _model(ModelShape(1, 1, k=3, hidden=10, n_aug=1, delay=2), seed=3)
    path = save_checkpoint(_surrogate(model), tmp_path / "model.pt")
    return path, model


def _drive(n: int, seed: int = 4) -> np.ndarray:
    return 8e5 + 1e5 * np.random.default_rng(seed).standard_normal((n, 1))


def test_the_companion_forecasts_as_the_torch_model_file_does(saved_model, tmp_path):
    path, _ = saved_model
    assert weights_path(path).is_file()
    drive = _drive(200)
    series = InputSeries(np.arange(200) * 5e-12, drive, ["u0"], ["J/m3"])
    through_torch = forecast(load_checkpoint(path), series)
    companion = load_model(path)
    assert companion.step_s == 5e-12 and companion.output_names == ["m0"]
    np.testing.assert_array_equal(companion.forecast(series).outputs, through_torch.outputs)
    np.testing.assert_array_equal(companion.forecast(drive).outputs, through_torch.outputs)
    # A model file saved before companions existed is read through torch, to the same result.
    old = tmp_path / "old"
    old.mkdir()
    (old / "model.pt").write_bytes(path.read_bytes())
    np.testing.assert_array_equal(load_model(old / "model.pt").forecast(series).outputs,
                                  through_torch.outputs)


def test_a_batch_forecasts_each_drive_as_alone(saved_model):
    path, _ = saved_model
    model = load_model(path)
    drives = np.stack([_drive(120, seed) for seed in range(5)])
    batch = model.forecast_batch(drives)
    assert batch.shape == (5, 120, 1)
    for drive, outputs in zip(drives, batch, strict=True):
        np.testing.assert_allclose(outputs, model.forecast(drive).outputs, rtol=0, atol=1e-12)
    series = [InputSeries(np.arange(120) * 5e-12, d, ["u0"], ["J/m3"]) for d in drives]
    np.testing.assert_array_equal(model.forecast_batch(series), batch)
    assert np.ptp(batch[:, -1, 0]) > 0  # different drives, different forecasts
    with pytest.raises(ForecastError, match="one length"):
        model.forecast_batch(series[:2] + [InputSeries(np.arange(100) * 5e-12, drives[0, :100],
                                                       ["u0"], ["J/m3"])])


def _rewrite(path, **changes):
    """The companion at `path` with some fields replaced (raw numpy arrays)."""
    with np.load(path, allow_pickle=False) as archive:
        fields = {name: archive[name] for name in archive.files}
    fields.update(changes)
    with path.open("wb") as handle:
        np.savez(handle, **fields)


def test_the_companion_refuses_pickles_bad_numbers_and_another_model(saved_model, tmp_path):
    path, _ = saved_model
    companion = weights_path(path)
    good = companion.read_bytes()
    _rewrite(companion, layer_0_bias=np.array([object()] * 10, dtype=object))
    with pytest.raises(CheckpointError, match=r"model.weights.npz: field 'layer_0_bias' is not "
                                              r"a plain numeric array"):
        load_model(path)
    companion.write_bytes(good)
    weight = np.load(companion)["layer_1_weight"].copy()
    weight[2, 3] = np.nan
    _rewrite(companion, layer_1_weight=weight)
    with pytest.raises(CheckpointError, match="field 'layer_1_weight' holds NaN"):
        load_model(path)
    companion.write_bytes(good)
    _rewrite(companion, in_std=np.array([0.0]))
    with pytest.raises(CheckpointError, match="field 'in_std' must be positive"):
        read_weights_file(companion)
    _rewrite(companion, in_std=np.array([1.0, 2.0]))
    with pytest.raises(CheckpointError, match=r"field 'in_std' has shape \(2,\)"):
        read_weights_file(companion)
    companion.write_bytes(good)
    # A companion beside another model's file: refused, not silently used.
    other = save_checkpoint(_surrogate(_model(ModelShape(1, 1, k=3, hidden=10, n_aug=1,
                                                         delay=2), seed=9)), tmp_path / "b.pt")
    companion.write_bytes(weights_path(other).read_bytes())
    with pytest.raises(CheckpointError, match="checkpoint_sha256' does not match"):
        load_model(path)


def test_a_partial_companion_is_refused_unless_allowed(tmp_path):
    surrogate = _surrogate(_model(ModelShape(1, 1, k=2, hidden=6)))
    surrogate.metadata["partial"] = True
    path = save_checkpoint(surrogate, tmp_path / "m.partial.pt", training_state={"iteration": 3})
    with pytest.raises(CheckpointError, match="metadata.partial' is true"):
        load_model(path)
    assert load_model(path, allow_partial=True).shape.k == 2
    remove_checkpoint(path)  # as training does with its sidecar: both files go
    assert list(tmp_path.iterdir()) == []


#: What a forecast process must not load: torch, the config loader's jsonschema and YAML,
#: numba (for a short drive), scipy, and the engines' code.
HEAVY_SCRIPT = """
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in ("torch", "jsonschema", "numba", "scipy", "yaml")
                or m.startswith(("surrogate.engines", "surrogate.config.loader")))
print("LOADED", loaded)
"""


def _loaded_modules(script: str) -> str:
    """stdout of a child process that runs `script`, then prints the heavy modules it loaded."""
    result = subprocess.run([sys.executable, "-c", "import sys\n" + script + HEAVY_SCRIPT],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_predict_from_files_imports_neither_torch_nor_jsonschema_nor_numba(saved_model,
                                                                          tmp_path):
    path, _ = saved_model
    np.save(tmp_path / "u.npy", _drive(300))
    out = tmp_path / "pred.npz"
    stdout = _loaded_modules(textwrap.dedent(f"""
        from surrogate.node.forecast import predict_from_files
        predicted = predict_from_files({str(path)!r}, {str(tmp_path / "u.npy")!r}, {str(out)!r})
        assert len(predicted.t) == 300, len(predicted.t)
    """))
    assert "LOADED []" in stdout, stdout
    in_process = predict_from_files(path, tmp_path / "u.npy", tmp_path / "again.npz")
    np.testing.assert_array_equal(load_trace(out).outputs, in_process.outputs)


@pytest.mark.parametrize("source", ["inputs", "trace"])
def test_the_predict_command_imports_no_torch(saved_model, tmp_path, source):
    """`python -m surrogate predict MODEL --inputs U.npy` and `predict MODEL TRACE`, as the
    face runs them (`surrogate.cli.main`), load neither torch nor the config loader."""
    path, model = saved_model
    drive = _drive(300)
    np.save(tmp_path / "u.npy", drive)
    t = np.arange(300) * 5e-12
    outputs = np.full((300, 1), 0.6) + 0.01 * np.sin(t / 1e-10)[:, None]
    save_trace(Trace(t, drive, outputs, ["u0"], ["m0"], ["J/m3"], [""]), tmp_path / "trace.npz")
    where = ["--inputs", str(tmp_path / "u.npy")] if source == "inputs" \
        else [str(tmp_path / "trace.npz")]
    argv = ["predict", str(path), *where, "--out", str(tmp_path / "pred.npz")]
    stdout = _loaded_modules(textwrap.dedent(f"""
        from surrogate.cli import main
        assert main({argv!r}) == 0
    """))
    assert "LOADED []" in stdout, stdout
    predicted = load_trace(tmp_path / "pred.npz")
    assert len(predicted.t) == 300
    in_process = load_model(path).forecast(InputSeries(t, drive, ["u0"], ["J/m3"]),
                                           prefix=outputs[:5] if source == "trace" else None)
    np.testing.assert_array_equal(predicted.outputs, in_process.outputs)
