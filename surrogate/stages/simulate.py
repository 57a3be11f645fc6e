"""From a config to a trace: `render`, `simulate`, `extract` and `import-mumax3` (SI units).

config -> rendered script -> raw engine output -> trace. The engines are imported
lazily, so the process that trains models never imports magnum.np.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from surrogate.config.engines import ENGINE_CHOICES
from surrogate.config.specs import SimulationSettings
from surrogate.stages.options import (
    WINDOW_HELP,
    CliError,
    add_command,
    declare_paths,
    json_option,
    positive_float,
    positive_int,
    windowed,
)

if TYPE_CHECKING:
    from surrogate.config.loader import RunConfig
    from surrogate.config.specs import SimulationSpec
    from surrogate.io.trace import Trace

SPEC_FILE = "spec.json"
RESISTANCE_CHANNELS = ("R", "R_envelope")
# Envelope low-pass cut-off as a fraction of the oscillator's carrier frequency:
# low enough to remove the carrier's 2f ripple, high enough to follow the drive.
ENVELOPE_CUTOFF_FRACTION = 0.25


class StageError(RuntimeError):
    """A pipeline stage failed; the message names the file involved."""


def read_spec(path: Path) -> SimulationSpec:
    """Load the `spec.json` written beside a rendered script, as strictly as a config."""
    from surrogate.config.spec_file import read_spec_file

    return read_spec_file(path)


def render_stage(config: RunConfig, device: str, drive: str, out_dir: Path) -> Path:
    """Render the mumax3 script, its drive data file and `spec.json` into `out_dir`."""
    from surrogate.engines.mumax3.render import render_simulation
    from surrogate.io.atomic import write_json_atomic

    spec = config.simulation_spec(device, drive)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered = render_simulation(spec, out_dir, overwrite=True)
    write_json_atomic(out_dir / SPEC_FILE, spec.to_dict())
    return rendered.script


def _run_engine(chosen: str, spec: SimulationSpec, script: Path, scratch: Path, *,
                log_path: Path, dtype: str, threads: int, timeout_s: float | None) -> None:
    """Run engine `chosen` on `spec`; it writes its table into `scratch`."""
    if chosen == "mumax3":
        from surrogate.engines.mumax3.runner import run_mumax3
        from surrogate.engines.table_layout import expected_table_rows

        run_mumax3(Path(script), scratch, log_path=Path(log_path), timeout_s=timeout_s,
                   expected_rows=expected_table_rows(spec))
    else:
        from surrogate.engines.magnumnp.runner import run_magnumnp

        run_magnumnp(spec, scratch, Path(script).parent, dtype=dtype, threads=threads,
                     timeout_s=timeout_s)


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
    from surrogate.engines.select import resolve_engine
    from surrogate.io.atomic import write_json_atomic

    spec = read_spec(spec_path)
    table_path = Path(table_path)
    out_dir = table_path.parent
    scratch = out_dir.with_name(out_dir.name + ".partial")
    if scratch.exists():
        shutil.rmtree(scratch)
    chosen = resolve_engine(engine)
    started = time.perf_counter()
    _run_engine(chosen, spec, script, scratch, log_path=log_path, dtype=dtype, threads=threads,
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
    from surrogate.io.trace import Trace

    columns = [trace.output_names.index(name) for name in names if name in trace.output_names]
    missing = [name for name in names if name not in trace.output_names]
    if missing:
        raise StageError(f"outputs {missing} are not in the trace; it has {trace.output_names}")
    return Trace(
        trace.t, trace.inputs, trace.outputs[:, columns], list(trace.input_names), list(names),
        list(trace.input_units), [trace.output_units[i] for i in columns], trace.metadata,
    )


def _with_resistance(trace: Trace, spec: SimulationSpec) -> Trace:
    """`trace` with the magnetoresistance R and its envelope (Ohm) added as outputs."""
    import numpy as np

    from surrogate.analysis.magnetoresistance import (
        add_resistance_channels,
        dominant_frequency,
        resistance,
    )

    device = spec.device
    m = np.column_stack([trace.output(name) for name in ("mx", "my", "mz")])
    r = resistance(m, device.resistance_parallel, device.resistance_change,
                   device.reference_layer)
    carrier = dominant_frequency(trace.t, r)
    return add_resistance_channels(
        trace, reference=device.reference_layer, r_parallel=device.resistance_parallel,
        delta_r=device.resistance_change, carrier_frequency=carrier,
        envelope_cutoff=ENVELOPE_CUTOFF_FRACTION * carrier,
    )


def extract_stage(table_path: Path, spec_path: Path, outputs: list[str], trace_path: Path) -> Trace:
    """Turn an engine's table into a trace file with full metadata."""
    from surrogate.engines.mumax3.table_import import import_table
    from surrogate.engines.table_layout import input_columns
    from surrogate.io.trace import save_trace

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
        trace = _with_resistance(trace, spec)
    trace = select_outputs(trace, list(outputs))
    save_trace(trace, trace_path)
    return trace


def cmd_render(args: argparse.Namespace) -> None:
    from surrogate.config.loader import load_config, parse_config

    if args.spec_json is not None and args.config is not None:
        raise CliError(f"render takes a CONFIG file or --spec-json, not both: {args.config} "
                       "would be ignored")
    if args.spec_json is not None:
        config = parse_config(json_option("--spec-json", args.spec_json), "--spec-json")
    elif args.config is not None:
        config = load_config(args.config)
    else:
        raise CliError("render needs a CONFIG file or --spec-json")
    print(render_stage(config, args.device, args.drive, Path(args.out)))


def cmd_simulate(args: argparse.Namespace) -> None:
    table = simulate_stage(
        Path(args.spec), Path(args.script), Path(args.table), engine=args.engine,
        log_path=Path(args.log), dtype=args.dtype, threads=args.threads,
        timeout_minutes=args.timeout_minutes,
    )
    print(table)


def cmd_extract(args: argparse.Namespace) -> None:
    trace = extract_stage(Path(args.table), Path(args.spec), args.output, Path(args.out))
    print(f"{args.out}: {len(trace.t)} samples, inputs {trace.input_names}, "
          f"outputs {trace.output_names}")


def cmd_import_mumax3(args: argparse.Namespace) -> None:
    from surrogate.engines.mumax3.table_import import import_table
    from surrogate.io.trace import save_trace

    trace = windowed(import_table(Path(args.path), args.input, args.output), args.window)
    save_trace(trace, args.out)
    print(f"{args.out}: {len(trace.t)} samples over {trace.t[0]:.6g}..{trace.t[-1]:.6g} s, "
          f"inputs {trace.input_names}, outputs {trace.output_names}")


def _register_render_simulate(sub) -> None:
    p = add_command(sub, "render", "render a device's mumax3 script without running it",
                    cmd_render)
    p.add_argument("config", nargs="?", help="configuration YAML")
    p.add_argument("--spec-json", help="the configuration as JSON instead of a file")
    p.add_argument("--device", required=True)
    p.add_argument("--drive", required=True)
    p.add_argument("--out", required=True, help="output directory")
    declare_paths(p, ("config",), ())

    p = add_command(sub, "simulate", "run one rendered simulation with the chosen engine",
                    cmd_simulate)
    p.add_argument("--spec", required=True, help="spec.json written by render")
    p.add_argument("--script", required=True, help="rendered .mx3 script")
    p.add_argument("--table", required=True, help="where the table.txt must land")
    p.add_argument("--engine", default="auto", choices=ENGINE_CHOICES)
    p.add_argument("--log", required=True, help="log file")
    p.add_argument("--dtype", default=SimulationSettings.dtype, choices=["float32", "float64"])
    p.add_argument("--threads", type=positive_int, default=SimulationSettings.threads)
    p.add_argument("--timeout-minutes", type=positive_float,
                   default=SimulationSettings.timeout_minutes, help="engine wall-time limit (min)")
    declare_paths(p, ("spec", "script"), ("table", "log"))


def _register_tables(sub) -> None:
    p = add_command(sub, "extract", "turn an engine's table into a trace file", cmd_extract)
    p.add_argument("table")
    p.add_argument("--spec", required=True, help="spec.json written by render")
    p.add_argument("--output", action="append", required=True, help="output column, e.g. mz")
    p.add_argument("--out", required=True, help="trace file (.npz)")
    declare_paths(p, ("table", "spec"), ("out",))

    p = add_command(sub, "import-mumax3", "import a mumax3 table.txt or .out directory",
                    cmd_import_mumax3)
    p.add_argument("path", help="table.txt or a .out directory")
    p.add_argument("--input", action="append", required=True, help="input column (Ku1.region100)")
    p.add_argument("--output", action="append", required=True, help="output column, e.g. mz")
    p.add_argument("--window", help=WINDOW_HELP)
    p.add_argument("--out", required=True, help="trace file (.npz)")
    declare_paths(p, ("path",), ("out",))


def register(sub) -> None:
    """`render`, `simulate`, `extract` and `import-mumax3`, in that order."""
    _register_render_simulate(sub)
    _register_tables(sub)
