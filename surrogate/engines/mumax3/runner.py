"""Run mumax3 (3.10 / 3.11) on a rendered script, accepting only complete output.

The command line is exactly

    mumax3 -gpu N -o OUTDIR -f -cache DIR -http "" script.mx3

run from the script's directory (so `LoadFile` finds the drive data files),
with stdout and stderr appended to a log file. mumax3 writes into
`<out_dir>.partial`; only after a zero exit and a complete `table.txt` (a
header, every row ending in a newline, at least `expected_rows` rows) is it
renamed to `out_dir`. Anything else raises Mumax3RunError naming the log and
quoting its last lines; the partial directory is kept for inspection under
its `.partial` name, which never looks complete. Times are in seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import NoReturn, TextIO

from surrogate.engines.gpu_slots import claim_gpu_slot
from surrogate.engines.select import NO_GPU_VALUES, visible_gpu_count
from surrogate.io.atomic import write_json_atomic
from surrogate.io.mumax3_table import TableError, read_table

LOG_TAIL_LINES = 20


class Mumax3RunError(RuntimeError):
    """mumax3 failed, timed out or left incomplete output."""


@contextmanager
def gpu_for_job(environ: Mapping[str, str] | None = None, gpu_count: int | None = None,
                lock_dir: Path | None = None) -> Iterator[int]:
    """The `-gpu` index for this job, held for the `with` block.

    0 when CUDA_VISIBLE_DEVICES is set (CUDA numbers the visible devices from 0)
    and inside a SLURM job (SLURM_JOB_ID; the job's cgroup shows it only its own
    GPUs, numbered from 0, while SLURM_JOB_GPUS gives physical indices). Otherwise,
    with several GPUs on the machine (`gpu_count`, default: nvidia-smi's count),
    a free GPU slot is claimed (surrogate.engines.gpu_slots) and released at the end.
    """
    environ = os.environ if environ is None else environ
    visible = environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip().lower() in NO_GPU_VALUES:
        raise Mumax3RunError(f"CUDA_VISIBLE_DEVICES='{visible}' hides every GPU")
    if visible is not None or environ.get("SLURM_JOB_ID"):
        yield 0
        return
    count = visible_gpu_count() if gpu_count is None else gpu_count
    if count <= 1:
        yield 0
        return
    with claim_gpu_slot(count, lock_dir) as slot:
        yield slot


def mumax3_command(script: Path, out_dir: Path, cache_dir: Path, gpu: int,
                   executable: str = "mumax3") -> list[str]:
    """The exact mumax3 argument list (no shell)."""
    return [executable, "-gpu", str(gpu), "-o", str(out_dir), "-f", "-cache", str(cache_dir),
            "-http", "", str(script)]


def run_mumax3(
    script: Path,
    out_dir: Path,
    *,
    log_path: Path,
    timeout_s: float | None = None,
    gpu: int | None = None,
    expected_rows: int | None = None,
    executable: str = "mumax3",
    cache_dir: Path | None = None,
) -> Path:
    """Run `script`, leave its complete output in `out_dir` and return `out_dir`.

    `cache_dir` (FFT kernel cache) defaults to `mumax3_cache/` beside `out_dir`;
    `gpu` defaults to `gpu_for_job()`'s, held while mumax3 runs; `engine.json` in `out_dir`
    records it and the command line. An existing `out_dir` is never replaced: remove it to
    rerun.
    """
    script, out_dir, log_path = Path(script).resolve(), Path(out_dir).resolve(), Path(log_path)
    if not script.is_file():
        raise Mumax3RunError(f"{script}: mumax3 script not found")
    if out_dir.exists():
        raise Mumax3RunError(f"{out_dir}: output already exists; remove it to rerun")
    partial = out_dir.with_name(out_dir.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    cache = Path(cache_dir).resolve() if cache_dir else out_dir.parent / "mumax3_cache"
    cache.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a", encoding="utf-8") as log, \
            (nullcontext(gpu) if gpu is not None else gpu_for_job()) as index:
        command = mumax3_command(script, partial, cache, index, executable)
        log.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} run: {command}\n")
        log.flush()
        start = log_path.stat().st_size
        returncode = _execute(command, script.parent, log, timeout_s, log_path)
    if returncode is None:
        _fail(f"mumax3 timed out after {timeout_s} s and was killed", log_path, start, partial)
    if returncode != 0:
        _fail(f"mumax3 exited with status {returncode}", log_path, start, partial)
    try:
        table = read_table(partial / "table.txt")
    except TableError as exc:
        _fail(f"incomplete output: {exc}", log_path, start, partial)
    rows = table.data.shape[0]
    if expected_rows is not None and rows < expected_rows:
        _fail(f"incomplete output: table.txt has {rows} rows, expected at least {expected_rows}",
              log_path, start, partial)
    write_json_atomic(partial / "engine.json", {"engine": "mumax3", "gpu": index,
                                                "command": command})
    os.rename(partial, out_dir)
    return out_dir


def _execute(command: list[str], cwd: Path, log: TextIO, timeout_s: float | None,
             log_path: Path) -> int | None:
    """Exit status, or None after a timeout; mumax3 is killed on timeout or interruption."""
    try:
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise Mumax3RunError(f"cannot start {command[0]!r}: {exc}; log: {log_path}") from exc
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None
    except BaseException:
        process.kill()
        process.wait()
        raise


def _fail(reason: str, log_path: Path, start: int, partial: Path) -> NoReturn:
    with open(log_path, "rb") as log:
        log.seek(start)
        tail = log.read().decode("utf-8", "replace").splitlines()[-LOG_TAIL_LINES:]
    quoted = "\n".join(f"    {line}" for line in tail) or "    (no output)"
    raise Mumax3RunError(
        f"{reason}; log: {log_path}; partial output kept in {partial}\n"
        f"last lines of the log:\n{quoted}"
    )
