"""What a computation ran on: the CPU's model name, a GPU's name, the thread count."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    """The CPU's model name (Linux `/proc/cpuinfo`), else what `platform` reports."""
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def gpu_name(index: int) -> str:
    """The name `nvidia-smi` gives GPU `index`, or 'unknown GPU' when it cannot tell."""
    if shutil.which("nvidia-smi") is None:
        return "unknown GPU"
    try:
        done = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", str(index)],
            capture_output=True, text=True, timeout=20, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown GPU"
    name = done.stdout.strip().splitlines()[0].strip() if done.stdout.strip() else ""
    return name if done.returncode == 0 and name else "unknown GPU"


def cpu_record(threads: int) -> dict:
    """{'kind': 'cpu', 'name', 'threads' used, 'cores' of the machine}."""
    return {"kind": "cpu", "name": cpu_model(), "threads": int(threads),
            "cores": os.cpu_count()}


def gpu_record(index: int) -> dict:
    """{'kind': 'gpu', 'name', 'index'}."""
    return {"kind": "gpu", "name": gpu_name(index), "index": int(index)}


def describe(record: dict) -> str:
    """One line for a table: 'Intel ... , 1 thread of 2' or 'NVIDIA H200 (GPU 0)'."""
    name = record.get("name", "unknown")
    if record.get("kind") == "gpu":
        return f"{name} (GPU {record.get('index', '?')})"
    return f"{name}, {record.get('threads', '?')} thread(s) of {record.get('cores', '?')}"
