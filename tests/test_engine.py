"""Engine selection: `auto` takes mumax3 only with the executable and a GPU."""

from __future__ import annotations

import pytest

from surrogate.engines import select as engine


def test_explicit_engines_are_kept():
    assert engine.resolve_engine("magnumnp") == "magnumnp"
    assert engine.resolve_engine("mumax3") == "mumax3"


def test_unknown_engine_is_rejected():
    with pytest.raises(ValueError, match="oommf"):
        engine.resolve_engine("oommf")


@pytest.mark.parametrize(
    ("on_path", "gpu", "expected"),
    [(True, True, "mumax3"), (True, False, "magnumnp"), (False, True, "magnumnp")],
)
def test_auto(monkeypatch, on_path, gpu, expected):
    monkeypatch.setattr(engine.shutil, "which", lambda name: "/x/mumax3" if on_path else None)
    monkeypatch.setattr(engine, "gpu_visible", lambda: gpu)
    assert engine.resolve_engine("auto") == expected


@pytest.mark.parametrize("hidden", ["", "-1", "NoDevFiles", " none "])
def test_hidden_gpus_are_not_visible(monkeypatch, hidden):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", hidden)
    monkeypatch.setattr(engine.subprocess, "run", lambda *a, **k: pytest.fail("nvidia-smi ran"))
    assert engine.gpu_visible() is False
