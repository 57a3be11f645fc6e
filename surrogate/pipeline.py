"""The workflow's stages, one function per Snakemake rule (SI units throughout).

config -> rendered script -> raw engine output -> trace -> model ->
predictions -> figures and metrics. The engines are imported lazily, so the
process that trains models never imports magnum.np.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from surrogate.config.loader import RunConfig
from surrogate.config.spec_file import read_spec_file
from surrogate.config.specs import SimulationSpec
from surrogate.engines.select import resolve_engine
from surrogate.io.atomic import write_json_atomic
from surrogate.io.trace import Trace, save_trace

SPEC_FILE = "spec.json"
RESISTANCE_CHANNELS = ("R", "R_envelope")
# Envelope low-pass cut-off as a fraction of the oscillator's carrier frequency:
# low enough to remove the carrier's 2f ripple, high enough to follow the drive.
ENVELOPE_CUTOFF_FRACTION = 0.25


class StageError(RuntimeError):
    """A pipeline stage failed; the message names the file involved."""


def read_spec(path: Path) -> SimulationSpec:
    """Load the `spec.json` written beside a rendered script, as strictly as a config."""
    return read_spec_file(path)


def render_stage(config: RunConfig, device: str, drive: str, out_dir: Path) -> Path:
    """Render the mumax3 script, its drive data file and `spec.json` into `out_dir`."""
    from surrogate.engines.mumax3.render import render_simulation

    spec = config.simulation_spec(device, drive)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered = render_simulation(spec, out_dir, overwrite=True)
    write_json_atomic(out_dir / SPEC_FILE, spec.to_dict())
    return rendered.script


def simulate_stage(
    spec_path: Path, script: Path, table_path: Path, *, engine: str, log_path: Path,
    dtype: str = "float64", threads: int = 1, timeout_minutes: float | None = None,
) -> Path:
    """Run one simulation with the chosen engine; the table lands at `table_path`.

    magnum.np reads the drive data files `render` wrote beside `script`. The
    engine writes into a scratch directory that is moved into place only
    after a complete table exists, so an interrupted run leaves nothing that
    looks done. Returns the table path.
    """
    spec = read_spec(spec_path)
    table_path = Path(table_path)
    out_dir = table_path.parent
    scratch = out_dir.with_name(out_dir.name + ".partial")
    if scratch.exists():
        shutil.rmtree(scratch)
    chosen = resolve_engine(engine)
    started = time.perf_counter()
    if chosen == "mumax3":
        from surrogate.engines.mumax3.render import expected_table_rows
        from surrogate.engines.mumax3.runner import run_mumax3

        run_mumax3(
            Path(script), scratch, log_path=Path(log_path),
            timeout_s=None if timeout_minutes is None else 60.0 * timeout_minutes,
            expected_rows=expected_table_rows(spec),
        )
    else:
        from surrogate.engines.magnumnp.runner import run_magnumnp

        run_magnumnp(spec, scratch, Path(script).parent, dtype=dtype, threads=threads,
                     timeout_s=None if timeout_minutes is None else 60.0 * timeout_minutes)
    wall = time.perf_counter() - started
    produced = scratch / "table.txt"
    if not produced.is_file():
        raise StageError(f"{produced}: the {chosen} engine finished without a table")
    engine_info_path = scratch / "engine.json"
    engine_info = json.loads(engine_info_path.read_text()) if engine_info_path.is_file() else {}
    engine_info.update({"engine": chosen, "requested_engine": engine, "wall_time_s": wall,
                        "hardware": engine_hardware(chosen, engine_info, threads)})
    write_json_atomic(engine_info_path, engine_info)
    out_dir.mkdir(parents=True, exist_ok=True)
    for item in scratch.iterdir():
        os.replace(item, out_dir / item.name)
    scratch.rmdir()
    return table_path


def engine_hardware(engine: str, engine_info: dict, threads: int) -> dict:
    """What the engine ran on: mumax3's GPU, or magnum.np's torch device and threads."""
    from surrogate.engines.hardware import cpu_record, gpu_record

    if engine == "mumax3":
        return gpu_record(int(engine_info.get("gpu", 0)))
    device = str(engine_info.get("device", "cpu"))
    if device.startswith("cuda"):
        return gpu_record(int(device.partition(":")[2] or 0))
    return cpu_record(engine_info.get("threads", threads))


def select_outputs(trace: Trace, names: list[str]) -> Trace:
    """The trace with only the output channels `names`, in that order."""
    columns = [trace.output_names.index(name) for name in names if name in trace.output_names]
    missing = [name for name in names if name not in trace.output_names]
    if missing:
        raise StageError(f"outputs {missing} are not in the trace; it has {trace.output_names}")
    return Trace(
        trace.t, trace.inputs, trace.outputs[:, columns], list(trace.input_names), list(names),
        list(trace.input_units), [trace.output_units[i] for i in columns], trace.metadata,
    )


def extract_stage(table_path: Path, spec_path: Path, outputs: list[str], trace_path: Path) -> Trace:
    """Turn an engine's table into a trace file with full metadata."""
    from surrogate.analysis.magnetoresistance import (
        add_resistance_channels,
        dominant_frequency,
        resistance,
    )
    from surrogate.engines.mumax3.render import input_columns
    from surrogate.engines.mumax3.table_import import import_table

    spec = read_spec(spec_path)
    table_path = Path(table_path)
    engine_path = table_path.parent / "engine.json"
    engine_info = json.loads(engine_path.read_text()) if engine_path.is_file() else {}
    metadata = {
        "engine": engine_info.get("engine", "mumax3"),
        "engine_info": engine_info,
        "simulation_wall_time_s": engine_info.get("wall_time_s"),
        "spec": spec.to_dict(),
        "device": spec.device.name,
        "drive": spec.drive.name,
        "source": str(table_path),
    }
    derived = [name for name in outputs if name in RESISTANCE_CHANNELS]
    table_outputs = [name for name in outputs if name not in RESISTANCE_CHANNELS]
    if derived:
        table_outputs = sorted(set(table_outputs) | {"mx", "my", "mz"})
    trace = import_table(table_path, input_columns(spec), table_outputs, metadata=metadata)
    if derived:
        device = spec.device
        m = np.column_stack([trace.output(name) for name in ("mx", "my", "mz")])
        r = resistance(m, device.resistance_parallel, device.resistance_change,
                       device.reference_layer)
        carrier = dominant_frequency(trace.t, r)
        trace = add_resistance_channels(
            trace, reference=device.reference_layer, r_parallel=device.resistance_parallel,
            delta_r=device.resistance_change, carrier_frequency=carrier,
            envelope_cutoff=ENVELOPE_CUTOFF_FRACTION * carrier,
        )
    trace = select_outputs(trace, list(outputs))
    save_trace(trace, trace_path)
    return trace
