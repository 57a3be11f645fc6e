"""The package as a user meets it: the public API, and a non-editable install that renders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **env}, check=False)


def test_public_api_resolves_without_importing_magnumnp():
    done = _python(
        "import json, sys, surrogate\n"
        "light = sorted(m for m in ('torch', 'numba') if m in sys.modules)\n"
        "missing = [n for n in surrogate.__all__ if getattr(surrogate, n, None) is None]\n"
        "print(json.dumps({'light': light, 'missing': missing, 'n': len(surrogate.__all__),\n"
        "                  'magnumnp': sorted(m for m in sys.modules if 'magnum' in m)}))"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["light"] == []  # `import surrogate` alone loads neither torch nor numba
    assert result["missing"] == []
    assert result["n"] >= 40
    assert result["magnumnp"] == []


def test_unknown_public_name_is_an_attribute_error():
    import surrogate

    with pytest.raises(AttributeError, match="no attribute 'train'"):
        surrogate.train  # noqa: B018
    assert "train_model" in dir(surrogate)


def _wheel_sources(destination: Path) -> Path:
    """A copy of what the wheel is built from, so the build leaves the checkout untouched."""
    destination.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, destination / name)
    for name in ("surrogate", "mumax_templates"):
        shutil.copytree(REPO / name, destination / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return destination


def test_installed_wheel_renders_outside_the_repository(tmp_path, default_config):
    import yaml

    sources = _wheel_sources(tmp_path / "src")
    (sources / "surrogate" / "engines" / "mumax3" / "templates").resolve(strict=True)
    pip = [sys.executable, "-m", "pip"]
    built = subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "wheel"), str(sources)],
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.skip(f"cannot build the wheel here: {built.stderr.strip()[-300:]}")
    (wheel,) = (tmp_path / "wheel").glob("*.whl")
    target = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   capture_output=True, text=True, check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "config.yaml").write_text(yaml.safe_dump(default_config))
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import surrogate; print(surrogate.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(target)
    done = subprocess.run(
        [sys.executable, "-m", "surrogate", "render", "config.yaml", "--device", "skyrmion",
         "--drive", "train", "--out", "sims"],
        cwd=work, env=env, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    script = work / "sims" / "skyrmion.mx3"
    assert script.is_file()
    assert "Ku1" in script.read_text()
    assert (work / "sims" / "spec.json").is_file()


def test_rule_environment_installs_the_package_from_the_workflow_folder():
    import yaml

    envs = REPO / "rules" / "envs"
    environment = yaml.safe_load((envs / "surrogate.yaml").read_text())
    assert "pip" in environment["dependencies"]
    script = envs / "surrogate.post-deploy.sh"
    assert '--editable "$SURROGATE_SOURCE"' in script.read_text()
    env = {key: value for key, value in os.environ.items() if key != "SURROGATE_SOURCE"}
    done = subprocess.run(["bash", str(script)], cwd=REPO.parent, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode != 0
    assert "SURROGATE_SOURCE" in done.stderr
