"""Run a `SimulationSpec` skyrmion device on magnum.np (CPU or GPU). SI units everywhere.

The stages follow the paper's mumax3 script: m = +z with a Néel skyrmion
(mumax3's `NeelSkyrmion(1, -1)`) seeded in a circle of `skyrmion_diameter` at each
position; energy minimisation (mumax3's `relax()`, which leaves the clock at 0);
`settle_time` at `alpha_settle`; then the driven run at `alpha`, where the driven
parameter is `P0 + drive_offset(...)` on the whole disk. The table is written in
mumax3's layout starting at t = settle_time, one row every `sample_period`.

magnum.np changes process-wide torch state when imported (default dtype, device,
seed) and logs every step, so it is imported only inside `run_magnumnp`: run it
in a separate process (as the pipeline does), never in a training process.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from surrogate.config.specs import SimulationSpec, SkyrmionDevice
from surrogate.io.atomic import atomic_write, write_json_atomic
from surrogate.io.mumax3_table import write_table
from surrogate.physics.drives import drive_offset, random_amplitudes

ENGINE = "magnum.np"
THREADS_ENV = "SURROGATE_TORCH_THREADS"
DRIVEN_PARAMETERS = {"Ku1": ("Ku", "J/m3"), "Dind": ("Di", "J/m2")}
INTEGRATORS = ("rkf45", "rk4")
NORM_TOLERANCE = 1e-3
MUMAX3_GAMMA = 1.7595e11 * 4e-7 * math.pi  # mumax3's GammaLL (rad/(T s)) times mu0, in m/(A s)
RELAX_DM_TOL = 1.0  # A/m: max |m x (m x H)| at which the minimiser stops
RELAX_MAXITER = 20000


class EngineError(RuntimeError):
    """The magnum.np run failed: import failure, divergence, or a lost skyrmion."""


@dataclass(frozen=True)
class Integrator:
    """LLG time integrator: adaptive `rkf45` (tolerance `atol`) or fixed-step `rk4` (`step`, s)."""

    name: str = "rkf45"
    atol: float = 1e-5
    step: float = 0.25e-12

    def __post_init__(self) -> None:
        if self.name not in INTEGRATORS:
            raise ValueError(f"integrator '{self.name}' is not one of {INTEGRATORS}")


def cell_centres(device: SkyrmionDevice) -> tuple[np.ndarray, np.ndarray]:
    """x, y (m) of the cell centres relative to the disk centre, each of shape (nx, ny)."""
    nx, ny, _ = device.grid
    x = (np.arange(nx) + 0.5) * device.cell_size - nx * device.cell_size / 2
    y = (np.arange(ny) + 0.5) * device.cell_size - ny * device.cell_size / 2
    return np.meshgrid(x, y, indexing="ij")


def disk_mask(device: SkyrmionDevice) -> np.ndarray:
    """Boolean (nx, ny) mask of the magnetic cells: centres inside the disk (mumax3's Circle)."""
    x, y = cell_centres(device)
    return x**2 + y**2 <= (device.diameter / 2) ** 2


def seeded_magnetization(device: SkyrmionDevice) -> np.ndarray:
    """Initial m (nx, ny, 1, 3): +z, a Néel skyrmion in each seed circle, 0 outside the disk.

    Inside a circle of `skyrmion_diameter` centred on each position, m follows
    mumax3's NeelSkyrmion(charge=1, pol=-1) with width w = 8 cells:
    mz = -2 (exp(-r^2/w^2) - 1/2), (mx, my) = (x, y)/r (1 - |mz|), then normalised.
    """
    x, y = cell_centres(device)
    m = np.zeros(x.shape + (3,))
    m[..., 2] = 1.0
    width = 8 * device.cell_size
    for x0, y0 in device.skyrmion_positions:
        dx, dy = x - x0, y - y0
        r = np.hypot(dx, dy)
        inside = r <= device.skyrmion_diameter / 2
        mz = -2.0 * (np.exp(-(r**2) / width**2) - 0.5)
        radial = np.divide(1.0 - np.abs(mz), r, out=np.zeros_like(r), where=r > 0)
        m[inside, 0] = (dx * radial)[inside]
        m[inside, 1] = (dy * radial)[inside]
        m[inside, 2] = mz[inside]
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    m[~disk_mask(device)] = 0.0
    return m[:, :, None, :]


def run_magnumnp(
    spec: SimulationSpec,
    out_dir: Path,
    *,
    dtype: str = "float64",
    progress: bool = True,
    integrator: Integrator | None = None,
    threads: int | None = None,
    amplitudes: np.ndarray | None = None,
) -> Path:
    """Simulate `spec` with magnum.np; write `out_dir/table.txt` and return its path.

    Also writes `m_relaxed.ovf`, `m_final.ovf` (OVF2, m on the grid) and
    `engine.json` (engine, version, dtype, integrator, wall time per stage).
    `threads` defaults to $SURROGATE_TORCH_THREADS, else 1. `amplitudes` replaces
    the drive's random A_n (one per period), e.g. to replay a mumax3 run. Raises EngineError
    if magnum.np fails to import, the integration diverges (|m| != 1 or NaN in
    the disk) or the skyrmion is annihilated. table.txt appears only when the
    whole run succeeded.
    """
    integrator = integrator or Integrator()
    if spec.drive.parameter not in DRIVEN_PARAMETERS:
        raise ValueError(
            f"drive '{spec.drive.name}': field 'parameter' is '{spec.drive.parameter}'; "
            f"the magnum.np engine drives one of {sorted(DRIVEN_PARAMETERS)}"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("table.txt", "engine.json"):
        (out_dir / stale).unlink(missing_ok=True)
    if amplitudes is None:
        amplitudes = random_amplitudes(spec.drive)
    amplitudes = np.asarray(amplitudes, dtype=np.float64)
    if amplitudes.shape != (spec.drive.n_periods,):
        raise ValueError(
            f"drive '{spec.drive.name}': {amplitudes.shape} amplitudes given for "
            f"n_periods = {spec.drive.n_periods}"
        )
    mnp, torch = import_magnumnp(dtype, threads)
    run = _Run(spec, out_dir, mnp, torch, dtype, integrator, progress)
    return run.execute(amplitudes)


def advance(llg, state, target: float, bar) -> None:
    """Integrate `state` up to time `target` (s) and move the progress bar."""
    dt = target - float(state.t)
    if dt > 0:
        llg.step(state, dt)
    bar.update(min(dt * 1e9, bar.total - bar.n))
    elapsed = bar.format_dict["elapsed"]
    if elapsed > 0:
        bar.set_postfix_str(f"{bar.n / elapsed * 60:.3g} ns/min", refresh=False)


def progress_bar(label: str, duration: float, enabled: bool):
    """A tqdm bar over `duration` (s), shown in ns with the simulated ns per wall minute."""
    from tqdm import tqdm

    return tqdm(
        total=duration * 1e9, unit="ns", desc=label, disable=not enabled,
        bar_format="{l_bar}{bar}| {n:.3f}/{total:.3f} ns [{elapsed}<{remaining}{postfix}]",
    )


def mean_magnetization(state, mask) -> np.ndarray:
    """<m> over the magnetic cells `mask`, as float64 (dimensionless)."""
    return state.m[mask].mean(dim=0).double().cpu().numpy()


def engine_record(mnp, torch, state, dtype: str) -> dict:
    """The engine, library versions, device, threads and dtype of a run (for engine.json)."""
    return {
        "engine": ENGINE,
        "version": mnp.__version__,
        "torch": torch.__version__,
        "device": str(state.device),
        "threads": torch.get_num_threads(),
        "dtype": dtype,
    }


def write_engine_json(out_dir: Path, record: dict) -> Path:
    """Write `out_dir/engine.json` atomically."""
    return write_json_atomic(Path(out_dir) / "engine.json", record)


def write_m_snapshot(state, device, path: Path) -> Path:
    """Write m of a disk device (grid[2] layers over its thickness) as OVF2, atomically."""
    from ovf2io import write_ovf_rectangular

    nx, ny, nz = device.grid
    cell, dz = device.cell_size, device.thickness / nz
    p0 = (-(nx - 1) * cell / 2, -(ny - 1) * cell / 2, dz / 2)
    with atomic_write(path) as tmp:
        write_ovf_rectangular(
            state.m.double().cpu().numpy(), tmp, p0=p0, cellsize=(cell, cell, dz), title="m",
            valueunits=["1"], valuelabels=["m_x", "m_y", "m_z"], representation="bin8",
        )
    return Path(path)


def import_magnumnp(dtype: str, threads: int | None, gamma: float | None = MUMAX3_GAMMA):
    """Import magnum.np quietly on CPU unless CUDA is seen; set dtype, threads and gamma.

    `gamma` (m/(A s)) replaces magnum.np's gyromagnetic ratio (2.21276157e5, i.e.
    1.76086e11 rad/(T s)); the default is mumax3's GammaLL times mu0. None keeps
    magnum.np's value.
    """
    import torch

    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype '{dtype}' is not 'float32' or 'float64'")
    os.environ.setdefault("CUDA_DEVICE", "0" if torch.cuda.is_available() else "-1")
    # magnum.np resets its logger to INFO on import; a filter keeps warnings and errors only
    logging.getLogger("magnum.np").addFilter(lambda record: record.levelno >= logging.WARNING)
    try:
        import magnumnp
        import magnumnp.common.logging as mnp_logging
    except SystemExit as exc:  # magnum.np calls exit() (code 0) when its import fails
        raise EngineError(f"magnum.np failed to import (it called exit({exc.code}))") from exc
    if not hasattr(magnumnp, "LLGSolver"):
        raise EngineError("magnum.np imported without its solvers; see its log above")
    mnp_logging.set_log_level(30)
    if gamma is not None:
        magnumnp.common.constants.gamma = gamma
    torch.set_default_dtype(getattr(torch, dtype))
    torch.set_num_threads(threads or int(os.environ.get(THREADS_ENV, "1")))
    return magnumnp, torch


class _Run:
    """One simulation: state, terms and stage bookkeeping (internal to run_magnumnp)."""

    def __init__(self, spec, out_dir, mnp, torch, dtype, integrator, progress):
        self.spec, self.out_dir, self.mnp, self.torch = spec, out_dir, mnp, torch
        self.dtype, self.integrator, self.progress = dtype, integrator, progress
        self.device = spec.device
        self.stages: dict[str, float] = {}
        nx, ny, nz = self.device.grid
        cell = self.device.cell_size
        self.state = mnp.State(mnp.Mesh((nx, ny, nz), (cell, cell, self.device.thickness)))
        self.state.t = torch.tensor(0.0, dtype=torch.float64)
        self.mask = torch.tensor(disk_mask(self.device)[:, :, None])
        self.mask_field = self.mask[..., None].to(torch.get_default_dtype())
        material = self.device.material
        constants = {"Ms": material.Ms, "A": material.Aex, "Ku": material.Ku1, "Di": material.Dind}
        for key, value in constants.items():
            self.state.material[key] = value * self.mask_field
        self.state.material["Ku_axis"] = self.state.Constant(list(material.anisotropy_axis))
        self.state.material["alpha"] = self.device.alpha_settle
        self.state.m = self.state.Constant([0.0, 0.0, 0.0])
        self.state.m[...] = torch.tensor(seeded_magnetization(self.device))
        self.terms = [
            mnp.DemagField(),
            mnp.ExchangeField(),
            mnp.UniaxialAnisotropyField(),
            mnp.InterfaceDMIField(),
        ]

    def execute(self, amplitudes: np.ndarray) -> Path:
        """Run all stages with drive amplitudes A_n; write the outputs; return the table path."""
        start = time.perf_counter()
        self._relax()
        write_m_snapshot(self.state, self.device, self.out_dir / "m_relaxed.ovf")
        llg = self._llg()
        self._settle(llg)
        rows = self._drive(llg, amplitudes)
        write_m_snapshot(self.state, self.device, self.out_dir / "m_final.ovf")
        table_path = self._write_table(rows)
        self.stages["total"] = time.perf_counter() - start
        self._write_engine_json()
        return table_path

    def _relax(self) -> None:
        start = time.perf_counter()
        minimizer = self.mnp.MinimizerBB(self.terms)
        self.relax_converged = bool(
            minimizer.minimize(self.state, maxiter=RELAX_MAXITER, dm_tol=RELAX_DM_TOL)
        )
        self.state.t = self.torch.tensor(0.0, dtype=self.torch.float64)
        self.stages["relax"] = time.perf_counter() - start
        self._check("relax")

    def _llg(self):
        mnp = self.mnp
        if self.integrator.name == "rkf45":
            return mnp.LLGSolver(self.terms, solver=mnp.RKF45, atol=self.integrator.atol)
        step_ns = self.integrator.step * 1e9  # TorchDiffEq integrates in ns
        return mnp.LLGSolver(
            self.terms, solver=mnp.TorchDiffEq, method="rk4", options={"step_size": step_ns}
        )

    def _settle(self, llg) -> None:
        start = time.perf_counter()
        self.state.material["alpha"] = self.device.alpha_settle
        period = self.spec.sample_period
        n_steps = max(1, math.ceil(self.device.settle_time / (40 * period)))
        targets = np.linspace(0.0, self.device.settle_time, n_steps + 1)[1:]
        with progress_bar("magnum.np settle", self.device.settle_time, self.progress) as bar:
            for target in targets:
                advance(llg, self.state, target, bar)
        self.stages["settle"] = time.perf_counter() - start
        self._check("settle")

    def _drive(self, llg, amplitudes: np.ndarray) -> np.ndarray:
        start = time.perf_counter()
        spec = self.spec
        t0 = self.device.settle_time
        period = spec.sample_period
        n_samples = int(round(spec.drive.duration / period)) + 1
        t_drive = np.arange(n_samples) * period
        values = _parameter_value(spec) + drive_offset(spec.drive, t_drive, amplitudes)
        key, _ = DRIVEN_PARAMETERS[spec.drive.parameter]
        self.state.material[key] = self._driven_parameter(amplitudes)
        self.state.material["alpha"] = self.device.alpha
        rows = np.empty((n_samples, 5))
        with progress_bar("magnum.np drive", spec.drive.duration, self.progress) as bar:
            for i in range(n_samples):
                if i:
                    advance(llg, self.state, t0 + t_drive[i], bar)
                    self._check(f"drive at t = {float(self.state.t):.6g} s")
                rows[i, 0] = t0 + t_drive[i]
                rows[i, 1:4] = mean_magnetization(self.state, self.mask)
                rows[i, 4] = values[i]
        self.stages["drive"] = time.perf_counter() - start
        self._check("drive")
        return rows

    def _driven_parameter(self, amplitudes: np.ndarray):
        """Callable material value: (P0 + offset(t - settle_time)) on the disk."""
        torch, drive = self.torch, self.spec.drive
        base = self.mask_field
        p0 = _parameter_value(self.spec)
        amps = torch.tensor(amplitudes, dtype=torch.float64)
        t0, last = self.device.settle_time, len(amplitudes) - 1

        def value(state):
            t = state.t - t0
            index = torch.clamp(torch.floor(t * drive.frequency + 1e-9).long(), 0, last)
            phase = 2.0 * math.pi * drive.frequency * t
            return (p0 + drive.amplitude * amps[index] * torch.sin(phase)).to(base.dtype) * base

        return value

    def _check(self, stage: str) -> None:
        """Raise EngineError if m left the unit sphere or the skyrmion core is gone."""
        m = self.state.m[self.mask]
        deviation = (self.torch.linalg.norm(m, dim=-1) - 1.0).abs().max()
        if not bool(self.torch.isfinite(deviation)) or float(deviation) > NORM_TOLERANCE:
            raise EngineError(
                f"{stage}: |m| is not 1 (or not finite) in the disk; the integration "
                f"diverged (use integrator rkf45 or a smaller step)"
            )
        if float(m[:, 2].min()) > 0.0:
            raise EngineError(
                f"{stage}: the skyrmion was annihilated (no cell with mz < 0; "
                f"<mz> = {float(m[:, 2].mean()):.4f}); lower the drive amplitude or "
                f"reduce the cell size"
            )

    def _write_table(self, rows: np.ndarray) -> Path:
        parameter = self.spec.drive.parameter
        _, unit = DRIVEN_PARAMETERS[parameter]
        names = ["t", "mx", "my", "mz", f"{parameter}.region{self.device.input_region}"]
        units = ["s", "", "", "", unit]
        final = self.out_dir / "table.txt"
        with atomic_write(final) as tmp:
            write_table(tmp, names, units, rows)
        return final

    def _write_engine_json(self) -> None:
        simulated = self.device.settle_time + self.spec.drive.duration
        dynamic_wall = self.stages["settle"] + self.stages["drive"]
        record = {
            **engine_record(self.mnp, self.torch, self.state, self.dtype),
            "gamma_m_per_A_s": self.mnp.common.constants.gamma,
            "integrator": {
                "name": self.integrator.name,
                "atol": self.integrator.atol if self.integrator.name == "rkf45" else None,
                "step_s": self.integrator.step if self.integrator.name == "rk4" else None,
            },
            "relax": {
                "method": "MinimizerBB",
                "dm_tol_A_per_m": RELAX_DM_TOL,
                "converged": self.relax_converged,
            },
            "wall_s": self.stages,
            "llg_steps": int(self.state._step),
            "simulated_s": simulated,
            "simulated_ns_per_wall_minute": simulated * 1e9 / dynamic_wall * 60.0,
        }
        write_engine_json(self.out_dir, record)


def _parameter_value(spec: SimulationSpec) -> float:
    """P0: the undriven value of the driven material parameter (SI)."""
    return float(getattr(spec.device.material, spec.drive.parameter))
