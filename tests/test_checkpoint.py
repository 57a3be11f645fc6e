"""Model file round trip and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from surrogate.node.checkpoint import CheckpointError, Surrogate, load_checkpoint, save_checkpoint
from surrogate.node.embedding import Normalisation
from surrogate.node.model import ModelShape, SpinNODE


def _surrogate() -> Surrogate:
    torch.manual_seed(1)
    return Surrogate(
        model=SpinNODE(ModelShape(1, 2, k=2, hidden=8, n_aug=1)),
        out_norm=Normalisation(np.array([0.5]), np.array([0.1])),
        in_norm=Normalisation(np.array([8e5, 3e-3]), np.array([1e5, 4e-4])),
        input_names=["Ku1.region100", "Dind.region100"],
        output_names=["mz"],
        input_units=["J/m3", "J/m2"],
        output_units=[""],
        step_s=5e-12,
        scheme="rk4",
        settings={"k": 2, "seed": 1},
        metadata={"engine": "mumax3", "nested": {"a": [1, 2]}},
    )


def test_round_trip_keeps_everything(tmp_path):
    original = _surrogate()
    path = save_checkpoint(original, tmp_path / "sub" / "model.pt")
    # no temporary left; the torch-free companion beside the model file
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.pt", "model.weights.npz"]
    loaded = load_checkpoint(path)
    y, u = torch.randn(4, 3), torch.randn(4, 4)
    torch.testing.assert_close(loaded.model(y, u), original.model(y, u), rtol=0, atol=0)
    assert loaded.shape == original.shape
    for name in ("input_names", "output_names", "input_units", "output_units", "step_s",
                 "scheme", "settings", "metadata"):
        assert getattr(loaded, name) == getattr(original, name), name
    np.testing.assert_array_equal(loaded.in_norm.std, original.in_norm.std)
    np.testing.assert_array_equal(loaded.out_norm.mean, original.out_norm.mean)


def test_a_model_file_written_before_spaced_delays_loads_with_delay_one(tmp_path):
    path = save_checkpoint(_surrogate(), tmp_path / "model.pt")
    payload = torch.load(path, weights_only=True)
    del payload["shape"]["delay"]
    torch.save(payload, path)
    assert load_checkpoint(path).shape.delay == 1


def test_errors_name_the_file_and_field(tmp_path):
    with pytest.raises(CheckpointError, match="model file not found"):
        load_checkpoint(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    with pytest.raises(CheckpointError, match="junk.pt: not a readable"):
        load_checkpoint(tmp_path / "junk.pt")
    torch.save({"format_version": 1, "shape": {"n_out": 1, "n_in": 1}}, tmp_path / "part.pt")
    with pytest.raises(CheckpointError, match="part.pt: missing field"):
        load_checkpoint(tmp_path / "part.pt")
    torch.save({"format_version": 99}, tmp_path / "new.pt")
    with pytest.raises(CheckpointError, match="format_version"):
        load_checkpoint(tmp_path / "new.pt")
