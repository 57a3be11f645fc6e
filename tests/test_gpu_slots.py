"""GPU slots with fake GPUs: one job per slot, and a killed holder's slot is free again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from surrogate.engines.gpu_slots import GpuSlotTimeout, claim_gpu_slot, slot_holder

from .conftest import REPO

HOLDER = """
import sys, time
from surrogate.engines.gpu_slots import claim_gpu_slot
with claim_gpu_slot(int(sys.argv[2]), sys.argv[1]) as slot:
    print(slot, flush=True)
    time.sleep(600)
"""


def start_holder(lock_dir: Path, count: int) -> tuple[subprocess.Popen, int]:
    """A separate process that claims a slot and sleeps; returns it and its slot."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_dir), str(count)],
                               stdout=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    assert line.strip().isdigit(), f"holder printed {line!r}"
    return process, int(line)


def test_slots_are_distinct_and_released(tmp_path):
    with claim_gpu_slot(3, tmp_path) as first, claim_gpu_slot(3, tmp_path) as second:
        with claim_gpu_slot(3, tmp_path) as third:
            assert (first, second, third) == (0, 1, 2)
            assert slot_holder(tmp_path, 2) == os.getpid()
            with pytest.raises(GpuSlotTimeout, match=r"all 3 GPU slots .* holders"):
                with claim_gpu_slot(3, tmp_path, timeout_s=0.0):
                    pass
        with claim_gpu_slot(3, tmp_path, timeout_s=0.0) as again:
            assert again == 2


def test_killed_holder_frees_its_slot(tmp_path):
    holder, slot = start_holder(tmp_path, 2)
    try:
        assert slot == 0 and slot_holder(tmp_path, 0) == holder.pid
        with claim_gpu_slot(2, tmp_path, timeout_s=0.0) as other:
            assert other == 1
        with pytest.raises(GpuSlotTimeout):
            with claim_gpu_slot(1, tmp_path, timeout_s=0.0):
                pass
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    # The file still names the dead PID, but the kernel dropped its lock with the process.
    assert slot_holder(tmp_path, 0) == holder.pid
    started = time.monotonic()
    with claim_gpu_slot(1, tmp_path, timeout_s=5.0) as reclaimed:
        assert reclaimed == 0 and slot_holder(tmp_path, 0) == os.getpid()
    assert time.monotonic() - started < 1.0


def test_waiting_job_gets_the_slot_when_the_holder_dies(tmp_path):
    holder, _ = start_holder(tmp_path, 1)
    killer = subprocess.Popen(["sh", "-c", f"sleep 1.5; kill -9 {holder.pid}"])
    started = time.monotonic()
    with claim_gpu_slot(1, tmp_path, timeout_s=30.0) as slot:
        waited = time.monotonic() - started
    killer.wait()
    holder.wait()
    assert slot == 0 and 1.0 < waited < 10.0


def test_slot_count_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="at least 1"):
        with claim_gpu_slot(0, tmp_path):
            pass
