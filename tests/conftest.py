"""Shared fixtures. `../shared` is optional: tests that read it skip when it is absent."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference" / "mumax3"


@pytest.fixture
def shared_reference() -> Path:
    """The real mumax3 reference outputs, or skip."""
    if not REFERENCE.is_dir():
        pytest.skip("../shared/reference/mumax3 is not present")
    return REFERENCE


@pytest.fixture
def default_config() -> dict:
    """The repository's config.yaml, parsed."""
    with open(REPO / "config.yaml", encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.fixture
def tiny_config(default_config) -> dict:
    """A config small enough to simulate and train in well under a minute."""
    config = copy.deepcopy(default_config)
    config["engine"] = "magnumnp"
    device = config["devices"]["skyrmion"]
    device.update({"settle_time": 5.0e-11})
    config["drives"]["train"]["n_periods"] = 2
    config["drives"]["test"]["n_periods"] = 1
    config["extra_train_drives"] = []
    config["model"] = {"k": 2, "hidden": 16, "depth": 2, "seed": 0, "max_minutes": 0.1}
    return config


@pytest.fixture(scope="session")
def driven_model(tmp_path_factory):
    """A tiny k=2 Spin-NODE trained for 30 iterations on a driven cosine, and its trace file."""
    import numpy as np

    from surrogate.io.trace import Trace, load_trace, save_trace
    from surrogate.node.training import TrainSettings, train_model

    folder = tmp_path_factory.mktemp("noise_cli")
    t = np.arange(300) * 10e-12
    u = np.sin(2 * np.pi * 4e9 * t)
    x = np.cos(2 * np.pi * 4e9 * t) + 0.3 * u
    trace_path = save_trace(Trace(t, u[:, None], x[:, None], ["u"], ["x"], ["T"], ["m"]),
                            folder / "trace.npz")
    settings = TrainSettings(max_iterations=30, batch=8, window=5, window_max=10, val_every=10,
                             hidden=8)
    train_model(load_trace(trace_path), settings, folder / "model.pt", progress=False)
    return folder / "model.pt", trace_path
