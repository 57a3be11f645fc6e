"""Helpers every benchmark shares: paths, configs, shared inputs and result provenance.

Every result a benchmark writes goes through `write_result_json` or
`write_result_markdown`, which record the git commit, the library versions and
the machine beside the numbers.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

import yaml

from surrogate.config.loader import RunConfig, load_config, parse_config
from surrogate.config.specs import SimulationSpec
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.engines.mumax3.render import render_simulation
from surrogate.io.atomic import atomic_write, write_json_atomic

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "benchmarks" / "configs"
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
RUNS_DIR = REPO_ROOT / "benchmarks" / "runs"  # simulation outputs benchmarks read back (ignored)
SHARED_DIR = REPO_ROOT.parent / "shared"
MUMAX3_REFERENCE_DIR = SHARED_DIR / "reference" / "mumax3"
LIBRARIES = ("torch", "numpy", "magnumnp", "scipy")


def benchmark_config(name: str) -> RunConfig:
    """The validated run config `benchmarks/configs/<name>.yaml`."""
    return load_config(CONFIG_DIR / f"{name}.yaml")


def _merged(base: dict, overlay: dict) -> dict:
    """`base` with `overlay` merged in recursively, as Snakemake merges config files."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def repository_config(*overlays: str) -> RunConfig:
    """The repository's config.yaml with profile files (repo-relative paths) merged in."""
    paths = [REPO_ROOT / "config.yaml", *(REPO_ROOT / overlay for overlay in overlays)]
    raw: dict = {}
    for path in paths:
        raw = _merged(raw, yaml.safe_load(path.read_text(encoding="utf-8")))
    return parse_config(raw, " + ".join(str(path.relative_to(REPO_ROOT)) for path in paths))


def simulate_magnumnp(spec: SimulationSpec, run_dir: Path, **engine_options) -> Path:
    """Render `spec` into `run_dir` (the mumax3 script and the drive files it loads), run it
    there on magnum.np (`run_magnumnp` with `engine_options`) and return the table's path.

    `run_dir` is the benchmark's own run folder: a rerun replaces what an earlier run wrote.
    """
    render_simulation(spec, run_dir, overwrite=True)
    return run_magnumnp(spec, run_dir, run_dir, **engine_options)


def shared_input(path: Path) -> Path:
    """`path` (under ../shared); exits cleanly (status 0, a message, nothing written) if absent."""
    if not path.exists():
        print(f"skipped: input {path} is absent (../shared is not here)", file=sys.stderr)
        raise SystemExit(0)
    return path


def produced_input(path: Path, command: str) -> Path:
    """An input another benchmark writes; exits with a message naming `command` if absent."""
    if not path.exists():
        raise SystemExit(f"input {path} is missing; produce it first with: {command}")
    return path


def workflow_metrics_arguments(doc: str, argv: list[str] | None) -> argparse.Namespace:
    """--device, --results (the workflow's results folder) and --out of a script that
    reads metrics from a finished workflow run; `doc`'s first line describes it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--device", required=True)
    parser.add_argument("--results", type=Path, default=REPO_ROOT / "results")
    parser.add_argument("--out", type=Path, required=True)
    return parser.parse_args(argv)


def _git(*args: str) -> str:
    """Output of a git command in the repository ('' when git or the repository is absent)."""
    try:
        done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else platform.processor()."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(package: str) -> str | None:
    """Installed version of `package` without importing it (None when absent)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _command() -> str:
    """This process's command line, as `python -m <module> ...` when run as a module."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    program = f"-m {spec.name}" if spec is not None else sys.argv[0]
    return " ".join(["python", program, *sys.argv[1:]])


def provenance() -> dict:
    """Git commit, library versions and machine of this run, for every result file."""
    return {
        "git_commit": _git("rev-parse", "HEAD") or "unknown",
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no", "--", ".",
                               ":!benchmarks/results")),
        "versions": {"python": platform.python_version(),
                     **{name: _version(name) for name in LIBRARIES}},
        "machine": {"cpu_model": _cpu_model(), "cpu_cores": os.cpu_count(),
                    "platform": platform.platform()},
        "command": _command(),
        "finished_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def write_result_json(path: Path, record: dict) -> Path:
    """Write `record` plus a `provenance` block to `path` atomically."""
    return write_json_atomic(path, {**record, "provenance": provenance()})


def provenance_markdown() -> str:
    """A short Markdown paragraph with the provenance of this run."""
    info = provenance()
    versions = ", ".join(f"{name} {version}" for name, version in info["versions"].items()
                         if version is not None)
    dirty = " (with uncommitted changes)" if info["git_dirty"] else ""
    machine = info["machine"]
    # A backtick inside the command would end its code span and hide the provenance.
    command = info["command"].replace("`", "'")
    return (f"Produced by `{command}` at commit {info['git_commit']}{dirty}, "
            f"{info['finished_utc']}; {versions}; {machine['cpu_model']}, "
            f"{machine['cpu_cores']} cores ({machine['platform']}).")


def write_result_markdown(path: Path, text: str) -> Path:
    """Write Markdown `text` followed by the provenance paragraph to `path` atomically."""
    with atomic_write(path) as tmp:
        tmp.write_text(text.rstrip("\n") + "\n\n" + provenance_markdown() + "\n", encoding="utf-8")
    return path


def drive_argument(text: str) -> tuple[str, Path, float]:
    """`NAME=FILE:SAMPLE_PERIOD` -> (name, file, sample period in s)."""
    name, _, rest = text.partition("=")
    path, _, period = rest.rpartition(":")
    try:
        sample_period = float(period)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=FILE:SAMPLE_PERIOD") from exc
    if not name or not path or not sample_period > 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=FILE:SAMPLE_PERIOD")
    return name, Path(path), sample_period
