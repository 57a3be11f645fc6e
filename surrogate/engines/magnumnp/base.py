"""One magnum.np run for every device kind (CPU or GPU). SI units everywhere.

A run is: mesh and per-cell material, the seeded m, energy minimisation
(mumax3's `Relax()`, which leaves the clock at 0), `settle_time` at the
settling damping, then the drive at the driven damping, one integration
interval per table sample and per drive step (so a held value never changes
inside an interval, as in mumax3's `Run(step)` loop). The table is written in
mumax3's layout (t, mx, my, mz, then `input_columns(spec)`), starting at
t = settle_time. A device module subclasses `MagnumRun` and says what differs:
geometry, material, seed, field terms and its own sanity check.

magnum.np changes process-wide torch state when imported (default dtype,
device, seed) and logs every step, so it is imported only by `import_magnumnp`,
called inside a run: run it in its own process, never in a training process.
"""

from __future__ import annotations

import logging
import math
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from surrogate.config.parameters import MAGNUMNP_NAMES, scalar_material_parameters
from surrogate.config.specs import Material, SimulationSpec
from surrogate.engines.drive_files import DrivePlan
from surrogate.engines.magnumnp.demag import DEMAG_KERNELS, OneTransformDemag, demag_term
from surrogate.engines.magnumnp.heun import StochasticHeun
from surrogate.engines.magnumnp.mumax3_kernel import MUMAX3_DEMAG_ACCURACY
from surrogate.io.atomic import atomic_write, write_json_atomic
from surrogate.io.mumax3_table import write_table
from surrogate.physics.constants import GAMMA_LL, MU0

ENGINE = "magnum.np"
INTEGRATORS = ("rkf45", "rk4", "heun")
NORM_TOLERANCE = 1e-3
#: Settling runs in chunks of this many sample periods (progress bar and checks).
SETTLE_CHUNK_SAMPLES = 40


class EngineError(RuntimeError):
    """The magnum.np run failed: import failure, divergence, or a lost magnetic texture."""


@dataclass(frozen=True)
class Integrator:
    """LLG time integrator: adaptive `rkf45` (tolerances `atol`, `rtol`), fixed-step `rk4`,
    or fixed-step stochastic `heun` (`surrogate.engines.magnumnp.heun`, for T > 0).

    `step` (s) is rk4's step and heun's longest step. magnum.np's RKF45 defaults
    are atol = rtol = 1e-5.
    """

    name: str = "rkf45"
    atol: float = 1e-5
    rtol: float = 1e-5
    step: float = 0.25e-12

    def __post_init__(self) -> None:
        if self.name not in INTEGRATORS:
            raise ValueError(f"integrator '{self.name}' is not one of {INTEGRATORS}")


@dataclass(frozen=True)
class Relaxation:
    """Energy minimisation (magnum.np's MinimizerBB) until max |m x (m x H)| < `dm_tol` (A/m)."""

    dm_tol: float = 1.0
    max_iterations: int = 20000


@dataclass(frozen=True)
class Numerics:
    """A device kind's numerical settings: integrator, relaxation and demag kernel.

    `demag_kernel` is "mumax3" (mumax3's kernel at its default DemagAccuracy,
    see `mumax3_kernel`) or "newell" (magnum.np's: Newell's formula within
    `demag_p` cell diagonals, point dipoles beyond; `demag_p` is used only there).
    """

    integrator: Integrator = field(default_factory=Integrator)
    relaxation: Relaxation = field(default_factory=Relaxation)
    demag_kernel: str = "mumax3"
    demag_p: int = 20

    def __post_init__(self) -> None:
        if self.demag_kernel not in DEMAG_KERNELS:
            raise ValueError(f"demag_kernel '{self.demag_kernel}' is not one of {DEMAG_KERNELS}")


def import_magnumnp(dtype: str, threads: int = 1, gamma: float | None = GAMMA_LL):
    """Import magnum.np quietly, on the CPU unless CUDA is seen; set dtype, threads and gamma.

    `gamma` (rad/(T s)) replaces magnum.np's gyromagnetic ratio (1.76086e11);
    the default is mumax3's GammaLL. None keeps magnum.np's value.
    """
    import torch

    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype '{dtype}' is not 'float32' or 'float64'")
    if threads < 1:
        raise ValueError(f"threads = {threads}: must be at least 1")
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
        magnumnp.common.constants.gamma = gamma * MU0  # magnum.np's unit: m/(A s)
    torch.set_default_dtype(getattr(torch, dtype))
    torch.set_num_threads(threads)
    if torch.get_default_device().type == "cpu":
        # magnum.np sets the default device even to the CPU, where it is the default anyway;
        # that installs a torch-function mode that runs Python on every torch call
        # (docs/explanation/engines.md). GPU runs keep it: magnum.np needs it there.
        torch.set_default_device(None)
    return magnumnp, torch


def uniform_material_maps(material: Material, magnetic: np.ndarray) -> dict[str, np.ndarray]:
    """Per-cell magnum.np material of a uniform `material` on the cells `magnetic` (nx, ny, nz).

    Scalars have shape (nx, ny, nz, 1) and are 0 outside the magnet; the
    anisotropy axis (nx, ny, nz, 3) is set everywhere.
    """
    inside = magnetic[..., None].astype(np.float64)
    maps = {MAGNUMNP_NAMES[name]: getattr(material, name) * inside
            for name in scalar_material_parameters()}
    axis = np.asarray(material.anisotropy_axis, dtype=np.float64)
    maps[MAGNUMNP_NAMES["anisotropy_axis"]] = np.broadcast_to(axis, magnetic.shape + (3,)).copy()
    return maps


def unit_vector(vector: tuple[float, float, float], field_name: str) -> np.ndarray:
    """`vector` normalised; ValueError naming the device field if it is zero."""
    v = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    if not norm > 0.0:
        raise ValueError(f"field 'device.{field_name}' is the zero vector")
    return v / norm


def progress_bar(label: str, duration: float, enabled: bool):
    """A tqdm bar over `duration` (s), shown in ns with the simulated ns per wall minute."""
    from tqdm import tqdm

    return tqdm(
        total=duration * 1e9, unit="ns", desc=label, disable=not enabled,
        bar_format="{l_bar}{bar}| {n:.3f}/{total:.3f} ns [{elapsed}<{remaining}{postfix}]",
    )


def advance(llg, state, target: float, bar) -> None:
    """Integrate `state` up to time `target` (s) and move the progress bar."""
    dt = target - float(state.t)
    if dt > 0:
        llg.step(state, dt)
    bar.update(min(dt * 1e9, bar.total - bar.n))
    elapsed = bar.format_dict["elapsed"]
    if elapsed > 0:
        bar.set_postfix_str(f"{bar.n / elapsed * 60:.3g} ns/min", refresh=False)


def sample_schedule(duration: float, period: float,
                    switches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integration targets (s, from the drive start) and which of them are table rows.

    The targets are the sample instants, one every `period` over `duration`,
    and the `switches` (drive step boundaries) that do not fall on a sample.
    """
    n_samples = int(round(duration / period)) + 1
    samples = np.arange(n_samples) * period
    distance = np.abs(switches[:, None] - samples[None, :]).min(axis=1, initial=np.inf)
    extra = switches[distance > 1e-3 * period]
    targets = np.concatenate([samples, extra])
    order = np.argsort(targets, kind="stable")
    is_sample = np.arange(len(targets)) < n_samples
    return targets[order], is_sample[order]


class MagnumRun:
    """One simulation of `spec` into `out_dir`. Subclasses fill in the device.

    Subclass hooks: `magnetic_cells`, `material_maps`,
    `initial_magnetization`, `energy_terms`, `drive_terms`, `install_drive`,
    `check_texture`; optionally `relax_field`, `input_values`, `settle_time`,
    `settle_alpha`, `drive_alpha`.
    """

    label = "magnum.np"
    numerics = Numerics()

    def __init__(self, spec: SimulationSpec, out_dir: Path, plan: DrivePlan | None, *,
                 data_folder: Path, numerics: Numerics | None, dtype: str, threads: int,
                 progress: bool, timeout_s: float | None = None):
        self.spec, self.out_dir, self.plan = spec, Path(out_dir), plan
        self.data_folder = Path(data_folder)
        self.timeout_s = timeout_s
        self.deadline = None if timeout_s is None else time.monotonic() + timeout_s
        self.device = spec.device
        self.numerics = numerics or self.default_numerics()
        if self.temperature > 0 and self.numerics.integrator.name == "rk4":
            raise ValueError(f"{self.label}: integrator 'rk4' has no thermal field; use 'heun' "
                             "or 'rkf45' at temperature > 0")
        self.dtype, self.progress = dtype, progress
        self.mnp, self.torch = import_magnumnp(dtype, threads)
        torch = self.torch
        self.stages: dict[str, float] = {"relax": 0.0, "settle": 0.0, "drive": 0.0}
        self.cpu: dict[str, float] = dict(self.stages)
        self.state = self.mnp.State(self.mnp.Mesh(self.grid, self.cell))
        self.state.t = torch.tensor(0.0, dtype=torch.float64)
        self.mask = torch.tensor(self.magnetic_cells())
        self.mask_field = self.mask[..., None].to(torch.get_default_dtype())
        self.static_material = {key: torch.tensor(value, dtype=torch.get_default_dtype())
                                for key, value in self.material_maps().items()}
        for key, value in self.static_material.items():
            self.state.material[key] = value
        self.state.material["alpha"] = self.settle_alpha
        self.state.m = self.state.Constant([0.0, 0.0, 0.0])
        self.state.m[...] = torch.tensor(self.initial_magnetization())
        self.terms = self.energy_terms()
        # per channel: the data value of the current drive step, the next one, the step's start
        # time (s); all 0 before the drive, so that every offset is 0 while relaxing and settling
        channels = plan.channels if plan is not None else ()
        self.step_values = [tuple(torch.zeros((), dtype=torch.float64) for _ in range(3))
                            for _ in channels]
        self.relax_converged = False

    # --- device hooks -------------------------------------------------------------------
    @property
    def grid(self) -> tuple[int, int, int]:
        """Number of cells (nx, ny, nz) of the device's mesh."""
        return tuple(self.device.grid)

    @property
    def cell(self) -> tuple[float, float, float]:
        """Cell size (m) of the device's mesh."""
        return tuple(self.device.cell)

    def magnetic_cells(self) -> np.ndarray:
        """Boolean (nx, ny, nz) map of the magnetic cells."""
        raise NotImplementedError

    def material_maps(self) -> dict[str, np.ndarray]:
        """The static per-cell magnum.np material (see `uniform_material_maps`)."""
        raise NotImplementedError

    def initial_magnetization(self) -> np.ndarray:
        """The seeded m, shape (nx, ny, nz, 3), 0 outside the magnet."""
        raise NotImplementedError

    def energy_terms(self) -> list:
        """The field terms of relaxation and dynamics."""
        raise NotImplementedError

    def drive_terms(self) -> list:
        """Extra field terms of the dynamics (spin torque, applied fields)."""
        return []

    def default_numerics(self) -> Numerics:
        """The numerics of this run when the caller gives none: the device kind's."""
        return type(self).numerics

    @property
    def temperature(self) -> float:
        """Temperature (K) of the thermal field during the dynamics; 0: no thermal field."""
        return 0.0

    @property
    def thermal_seed(self) -> int:
        """Seed of the thermal field's random numbers."""
        return 0

    def install_drive(self) -> None:
        """Make driven material parameters functions of time (called after settling)."""

    def check_texture(self, stage: str, m) -> None:
        """Raise EngineError if the device's magnetic texture is lost (m: magnetic cells)."""

    def relax_field(self) -> np.ndarray:
        """Applied field (T) during the relaxation only."""
        return np.zeros(3)

    def input_values(self, t_drive: float) -> list[float]:
        """The table's input columns at drive time `t_drive` (s): the channels' values."""
        return self.plan.values(t_drive)[0].tolist()

    @property
    def settle_time(self) -> float:
        """Settling run after relax (s)."""
        return self.device.settle_time

    @property
    def settle_alpha(self) -> float:
        """Damping while settling."""
        return self.device.alpha_settle

    @property
    def drive_alpha(self) -> float:
        """Damping of the driven run."""
        return self.device.alpha

    def demag_field(self) -> OneTransformDemag:
        """The demag field term with the kernel `numerics.demag_kernel` names."""
        return demag_term(self.mnp, self.state, self.grid, self.cell,
                          self.numerics.demag_kernel, self.numerics.demag_p)

    # --- the run ---------------------------------------------------------------------------
    def drive_offset(self, channel_index: int):
        """Channel `channel_index`'s offset from its base at the state's time (0-d tensor).

        Pure tensor arithmetic on the step's data values (set by `enter_step`), so
        magnum.np's compiled field terms trace it without a graph break; 0 before
        the drive.
        """
        value, following, start = self.step_values[channel_index]
        channel = self.plan.channels[channel_index]
        return channel.offset_in_step(self.state.t - self.settle_time, value, following, start,
                                      self.plan.step, self.torch.sin)

    def enter_step(self, n: int) -> None:
        """Load drive step n's data values into the tensors `drive_offset` reads."""
        plan = self.plan
        for channel, (value, following, start) in zip(plan.channels, self.step_values,
                                                       strict=True):
            value.fill_(float(channel.values[n]))
            following.fill_(float(channel.values[min(n + 1, len(channel.values) - 1)]))
            start.fill_(n * plan.step)

    def execute(self, table_columns: list[str], table_units: list[str]) -> Path:
        """Run all stages; write table.txt (last), snapshots and engine.json; return the table."""
        start = time.perf_counter()
        with self._stage("relax"):
            self._relax()
        self.write_snapshot(self.out_dir / "m_relaxed.ovf")
        llg = self._llg()
        if self.settle_time > 0:
            with self._stage("settle"):
                self._settle(llg)
        self.install_drive()
        with self._stage("drive"):
            rows = self._drive(llg)
        self.write_snapshot(self.out_dir / "m_final.ovf")
        table = self.out_dir / "table.txt"
        with atomic_write(table) as tmp:  # renamed last, so a table.txt means a complete run
            write_table(tmp, ["t", "mx", "my", "mz", *table_columns],
                        ["s", "", "", "", *table_units], rows)
            self.stages["total"] = time.perf_counter() - start
            write_json_atomic(self.out_dir / "engine.json", self.record())
        return table

    @contextmanager
    def _stage(self, name: str):
        """Record the wall and CPU seconds of a stage, then check m."""
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.stages[name] = time.perf_counter() - wall
        self.cpu[name] = time.process_time() - cpu
        self.check(name)

    def _relax(self) -> None:
        terms = list(self.terms)
        field_t = self.relax_field()
        if field_t.any():
            terms.append(self.mnp.ExternalField(self.state.Constant((field_t / MU0).tolist())))
        relaxation = self.numerics.relaxation
        minimizer = self.mnp.MinimizerBB(terms)
        self.relax_converged = bool(minimizer.minimize(
            self.state, maxiter=relaxation.max_iterations, dm_tol=relaxation.dm_tol))
        self.state.t = self.torch.tensor(0.0, dtype=self.torch.float64)

    def _llg(self):
        """The LLG integrator of settling and driving, with the thermal field if T > 0.

        At T > 0, `heun` draws Brown's field itself from a generator seeded with
        `thermal_seed`; `rkf45` uses magnum.np's ThermalField, which draws from
        torch's global generator (seeded here). `rk4` at T > 0 is refused in
        `__init__`: magnum.np's TorchDiffEq would integrate without the thermal field.
        """
        mnp, torch, integrator = self.mnp, self.torch, self.numerics.integrator
        terms = [*self.terms, *self.drive_terms()]
        hot = self.temperature > 0
        if hot:
            self.state.T = self.temperature * self.mask_field
        if integrator.name == "heun":
            return StochasticHeun(mnp, torch, terms, max_step=integrator.step,
                                  seed=self.thermal_seed, thermal=hot)
        if integrator.name == "rkf45":
            if hot:
                terms.append(mnp.ThermalField())
                torch.manual_seed(self.thermal_seed)
            return mnp.LLGSolver(terms, solver=mnp.RKF45, atol=integrator.atol,
                                 rtol=integrator.rtol)
        step_ns = integrator.step * 1e9  # TorchDiffEq integrates in ns
        return mnp.LLGSolver(terms, solver=mnp.TorchDiffEq, method="rk4",
                             options={"step_size": step_ns})

    def _settle(self, llg) -> None:
        self.state.material["alpha"] = self.settle_alpha
        settle = self.settle_time
        n_chunks = max(1, math.ceil(settle / (SETTLE_CHUNK_SAMPLES * self.spec.sample_period)))
        with progress_bar(f"{self.label} settle", settle, self.progress) as bar:
            for target in np.linspace(0.0, settle, n_chunks + 1)[1:]:
                advance(llg, self.state, target, bar)
                self.check_time("settle")

    def _drive(self, llg) -> np.ndarray:
        t0, duration = self.settle_time, self.spec.drive.duration
        switches = self.plan.switch_times() if self.plan is not None else np.zeros(0)
        targets, is_sample = sample_schedule(duration, self.spec.sample_period, switches)
        self.state.material["alpha"] = self.drive_alpha
        rows = []
        with progress_bar(f"{self.label} drive", duration, self.progress) as bar:
            for i, target in enumerate(targets):
                if i:
                    if self.plan is not None:
                        self.enter_step(int(self.plan.step_index(targets[i - 1])))
                    advance(llg, self.state, t0 + target, bar)
                    self.check(f"drive at t = {float(self.state.t):.6g} s")
                    self.check_time("drive")
                if is_sample[i]:
                    m = self.state.m[self.mask].mean(dim=0).double().cpu().numpy()
                    rows.append([t0 + target, *m, *self.input_values(target)])
        return np.array(rows)

    def check_time(self, stage: str) -> None:
        """Raise EngineError once the run has passed its wall-time limit (`timeout_s`)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise EngineError(
                f"{stage}: the run passed its time limit of {self.timeout_s / 60:.3g} min at "
                f"simulated t = {float(self.state.t):.6g} s; raise simulation.timeout_minutes "
                "or shorten the drive"
            )

    def check(self, stage: str) -> None:
        """Raise EngineError if |m| left 1 or is not finite in the magnet (magnum.np's
        normalize turns a blow-up into m = 0), or the device's texture is lost."""
        m = self.state.m[self.mask]
        finite = bool(self.torch.isfinite(m).all())
        if not finite or float((self.torch.linalg.norm(m, dim=-1) - 1).abs().max()) > (
            NORM_TOLERANCE
        ):
            raise EngineError(
                f"{stage}: |m| is not 1 (or not finite) in the magnet; the integration "
                f"diverged (use integrator rkf45 or a smaller step)"
            )
        self.check_texture(stage, m)

    def write_snapshot(self, path: Path) -> Path:
        """Write m as OVF2 (binary 8), atomically; the mesh is centred in x and y."""
        from ovf2io import write_ovf_rectangular

        (nx, ny, _), (dx, dy, dz) = self.grid, self.cell
        p0 = (-(nx - 1) * dx / 2, -(ny - 1) * dy / 2, dz / 2)
        with atomic_write(path) as tmp:
            write_ovf_rectangular(
                self.state.m.double().cpu().numpy(), tmp, p0=p0, cellsize=(dx, dy, dz),
                title="m", valueunits=["1"], valuelabels=["m_x", "m_y", "m_z"],
                representation="bin8",
            )
        return Path(path)

    def record(self) -> dict:
        """engine.json: engine, versions, numerics, gamma, threads and wall time per stage."""
        integrator, relaxation = self.numerics.integrator, self.numerics.relaxation
        simulated = self.settle_time + self.spec.drive.duration
        dynamic_wall = self.stages["settle"] + self.stages["drive"]
        dynamic_cpu = self.cpu["settle"] + self.cpu["drive"]
        return {
            "engine": ENGINE,
            "version": self.mnp.__version__,
            "torch": self.torch.__version__,
            "device": str(self.state.device),
            "threads": self.torch.get_num_threads(),
            "dtype": self.dtype,
            "gamma_rad_per_T_s": self.mnp.common.constants.gamma / MU0,
            "integrator": {
                "name": integrator.name,
                "atol": integrator.atol if integrator.name == "rkf45" else None,
                "rtol": integrator.rtol if integrator.name == "rkf45" else None,
                "step_s": integrator.step if integrator.name in ("rk4", "heun") else None,
            },
            "demag": {"kernel": self.numerics.demag_kernel, **(
                {"accuracy": MUMAX3_DEMAG_ACCURACY} if self.numerics.demag_kernel == "mumax3"
                else {"p": self.numerics.demag_p})},
            "relax": {
                "method": "MinimizerBB", "dm_tol_A_per_m": relaxation.dm_tol,
                "max_iterations": relaxation.max_iterations, "converged": self.relax_converged,
                "field_T": self.relax_field().tolist(),
            },
            "wall_s": self.stages,
            "cpu_s": {name: self.cpu[name] for name in ("relax", "settle", "drive")},
            "llg_steps": int(self.state._step),
            "simulated_s": simulated,
            "simulated_ns_per_wall_minute": simulated * 1e9 / dynamic_wall * 60.0,
            "simulated_ns_per_cpu_minute": simulated * 1e9 / dynamic_cpu * 60.0,
        }
