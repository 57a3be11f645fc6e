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
    config["model"] = {"k": 2, "hidden": 16, "depth": 2, "seed": 0, "max_minutes": 0.1}
    return config
