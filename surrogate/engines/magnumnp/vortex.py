"""Run a vortex spin-torque oscillator `SimulationSpec` on magnum.np (CPU or GPU). SI units.

Stages: a vortex seeded as mumax3's `Vortex(chirality, core_polarity)`; energy
minimisation without current, optionally under a `relax_field` that displaces
the core (the clock stays at 0; mumax3: B_ext during Relax()); `settle_time` at
`alpha_settle` with the dc current `J_dc`; then the driven run at `alpha` with
`J(t) = J_dc + held_offset(t - settle_time)`. The current, its Slonczewski
torque and its Oersted field are on during settling and driving; the thermal
field (if `temperature` > 0) too. Integration is adaptive RKF45, the only
magnum.np integrator with a working thermal field.

Sign convention: `J` (A/m2) is the electric current density along +z, and the
fixed layer lies above the free layer. J > 0 then means electrons flowing from
the fixed layer into the free layer, the sign for which the Slonczewski torque
pulls m towards `fixed_layer` (magnum.np's and mumax3's convention, torque
prefactor proportional to +J). By Ampère's law the Oersted field of a uniform
current along +z inside the disk is H = (J / 2) z x r = (J / 2) (-y, x, 0) (A/m),
|mu0 H| = mu0 |J| r / 2, counter-clockwise seen from +z: it is parallel to a
chirality +1 vortex (mumax3's circ = +1) when J > 0.

magnum.np changes process-wide torch state on import, so it is imported only
inside `run_magnumnp_oscillator`: run it in its own process.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from surrogate.config.specs import HeldSequenceDrive, SimulationSpec, VortexOscillator
from surrogate.engines.magnumnp.skyrmion import (
    NORM_TOLERANCE,
    RELAX_DM_TOL,
    RELAX_MAXITER,
    EngineError,
    advance,
    cell_centres,
    disk_mask,
    engine_record,
    import_magnumnp,
    mean_magnetization,
    progress_bar,
    write_engine_json,
    write_m_snapshot,
)
from surrogate.io.atomic import atomic_write
from surrogate.io.mumax3_table import write_table
from surrogate.physics.drives import held_offset, held_values

RKF45_ATOL = 1e-5
MU0 = 4e-7 * math.pi  # T m/A
CORE_MIN_MZ = 0.3  # the core cell must have |mz| above this, with the seeded polarity's sign
VORTEX_MAX_MEAN_MZ = 0.5  # |<mz>| above this means the vortex became a uniform state
TABLE_NAMES = ["t", "mx", "my", "mz", "Jx", "Jy", "Jz"]
TABLE_UNITS = ["s", "", "", "", "A/m2", "A/m2", "A/m2"]


def vortex_magnetization(device: VortexOscillator) -> np.ndarray:
    """Seed m (nx, ny, nz, 3) as mumax3's Vortex(circ, pol); 0 outside the disk.

    m = (-C y / r, C x / r, 1.5 p exp(-r^2 / (2 cell^2))), normalised, with
    C = `chirality` and p = `core_polarity` (mumax3 source, `config.go`).
    """
    if device.chirality not in (-1, 1) or device.core_polarity not in (-1, 1):
        raise ValueError(
            f"device '{device.name}': chirality ({device.chirality}) and core_polarity "
            f"({device.core_polarity}) must each be +1 or -1"
        )
    x, y = cell_centres(device)
    r = np.hypot(x, y)
    inv_r = np.divide(1.0, r, out=np.zeros_like(r), where=r > 0)
    m = np.stack(
        [
            -device.chirality * y * inv_r,
            device.chirality * x * inv_r,
            1.5 * device.core_polarity * np.exp(-(r**2) / (2 * device.cell_size**2)),
        ],
        axis=-1,
    )
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    m[~disk_mask(device)] = 0.0
    return np.repeat(m[:, :, None, :], device.layers, axis=2)


def oersted_field_per_current(device: VortexOscillator) -> np.ndarray:
    """H / J (m) of shape (nx, ny, nz, 3): (-y, x, 0) / 2 inside the disk, 0 outside."""
    x, y = cell_centres(device)
    h = np.stack([-y / 2, x / 2, np.zeros_like(x)], axis=-1)
    h[~disk_mask(device)] = 0.0
    return np.repeat(h[:, :, None, :], device.layers, axis=2)


def current_density(spec: SimulationSpec, t_drive: np.ndarray) -> np.ndarray:
    """J (A/m2) at times t_drive (s) from the start of the driven run: J_dc + held offset."""
    return spec.device.J_dc + held_offset(spec.drive, t_drive, held_values(spec.drive))


def run_magnumnp_oscillator(
    spec: SimulationSpec,
    out_dir: Path,
    *,
    dtype: str = "float64",
    progress: bool = True,
    relax_field: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> Path:
    """Simulate the oscillator `spec` with magnum.np; write `out_dir/table.txt`, return its path.

    `relax_field` (T, mumax3's B_ext) acts during the relaxation only: an
    in-plane field displaces the core, so the dynamics start from a displaced
    core as after a field pulse. At T = 0 a centred core on the symmetric mesh
    never starts to gyrate; at 300 K it starts from a thermal orbit of a few nm.

    The table has columns t, mx, my, mz, Jx, Jy, Jz (mumax3 layout), one row every
    `sample_period` from t = settle_time. Also writes `m_relaxed.ovf`,
    `m_final.ovf` (OVF2) and `engine.json`. Threads: $SURROGATE_TORCH_THREADS,
    else 1. Raises EngineError if the integration diverges (|m| != 1 or not
    finite) or the vortex is lost (m out of plane, core expelled or reversed,
    chirality reversed); table.txt appears only when the whole run succeeded.
    """
    validate_spec(spec)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table_path = out_dir / "table.txt"
    table_path.unlink(missing_ok=True)
    mnp, torch = import_magnumnp(dtype, None)
    run = _OscillatorRun(spec, out_dir, mnp, torch, dtype, progress)
    return run.execute(np.asarray(relax_field, dtype=np.float64) / MU0)


def validate_spec(spec: SimulationSpec) -> None:
    """ValueError naming the field if `spec` is not a vortex oscillator with a held J drive."""
    if not isinstance(spec.device, VortexOscillator):
        raise ValueError(f"device '{spec.device.name}' is not a VortexOscillator")
    if not isinstance(spec.drive, HeldSequenceDrive) or spec.drive.parameter != "J":
        raise ValueError(
            f"drive '{spec.drive.name}': the oscillator engine needs a held_sequence drive "
            f"with parameter 'J' (A/m2)"
        )
    if spec.device.temperature < 0:
        raise ValueError(f"device '{spec.device.name}': temperature is negative")
    if spec.device.layers < 1:
        raise ValueError(f"device '{spec.device.name}': layers must be at least 1")
    _unit(spec.device.fixed_layer, "fixed_layer")


def sample_schedule(spec: SimulationSpec) -> tuple[np.ndarray, np.ndarray]:
    """Integration targets (s, from the start of the drive) and which of them are table rows.

    The targets are the sample instants and the instants where the held drive
    switches, so that J is constant within each integration interval.
    """
    drive, period = spec.drive, spec.sample_period
    n_samples = int(round(drive.duration / period)) + 1
    samples = np.arange(n_samples) * period
    switches = np.arange(1, drive.n_steps) * drive.hold_time
    distance = np.abs(switches[:, None] - samples[None, :]).min(axis=1, initial=np.inf)
    extra = switches[distance > 1e-3 * period]
    targets = np.concatenate([samples, extra])
    order = np.argsort(targets, kind="stable")
    is_sample = np.arange(len(targets)) < n_samples
    return targets[order], is_sample[order]


class _OscillatorRun:
    """One oscillator simulation (internal to run_magnumnp_oscillator)."""

    def __init__(self, spec, out_dir, mnp, torch, dtype, progress):
        self.spec, self.out_dir, self.mnp, self.torch = spec, out_dir, mnp, torch
        self.dtype, self.progress = dtype, progress
        self.device = device = spec.device
        self.stages: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        nx, ny, nz = device.grid
        cell = device.cell_size
        self.state = mnp.State(mnp.Mesh((nx, ny, nz), (cell, cell, device.thickness / nz)))
        self.state.t = torch.tensor(0.0, dtype=torch.float64)
        mask = np.repeat(disk_mask(device)[:, :, None], nz, axis=2)
        self.mask = torch.tensor(mask)
        self.mask_field = self.mask[..., None].to(torch.get_default_dtype())
        azimuth = oersted_field_per_current(device)  # (-y, x, 0) / 2
        radius = np.linalg.norm(azimuth, axis=-1, keepdims=True)
        azimuth = np.divide(azimuth, radius, out=np.zeros_like(azimuth), where=radius > 0)
        self.azimuth = torch.tensor(azimuth, dtype=torch.get_default_dtype())[self.mask]
        material = device.material
        constants = {"Ms": material.Ms, "A": material.Aex, "Ku": material.Ku1, "Di": material.Dind}
        for key, value in constants.items():
            self.state.material[key] = value * self.mask_field
        self.state.material["Ku_axis"] = self.state.Constant(list(material.anisotropy_axis))
        self.state.material["alpha"] = device.alpha_settle
        self.state.m = self.state.Constant([0.0, 0.0, 0.0])
        self.state.m[...] = torch.tensor(vortex_magnetization(device))
        self.energy_terms = [mnp.DemagField(), mnp.ExchangeField()]
        if material.Ku1:
            self.energy_terms.append(mnp.UniaxialAnisotropyField())
        if material.Dind:
            self.energy_terms.append(mnp.InterfaceDMIField())

    def execute(self, relax_field: np.ndarray) -> Path:
        """Run all stages (relax under `relax_field`, A/m), write the outputs; return the table."""
        start = time.perf_counter()
        self._relax(relax_field)
        write_m_snapshot(self.state, self.device, self.out_dir / "m_relaxed.ovf")
        llg = self._llg()
        self._settle(llg)
        rows = self._drive(llg)
        write_m_snapshot(self.state, self.device, self.out_dir / "m_final.ovf")
        table = self.out_dir / "table.txt"
        with atomic_write(table) as tmp:  # renamed last, so a table.txt means a complete run
            write_table(tmp, TABLE_NAMES, TABLE_UNITS, rows)
            self.stages["total"] = time.perf_counter() - start
            self._write_engine_json()
        return table

    @contextmanager
    def _stage(self, name: str):
        """Record the wall and CPU seconds of a stage, then run the full check."""
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.stages[name] = time.perf_counter() - wall
        self.cpu[name] = time.process_time() - cpu
        self._check(name)

    def _relax(self, relax_field: np.ndarray) -> None:
        terms = list(self.energy_terms)
        if relax_field.any():
            terms.append(self.mnp.ExternalField(self.state.Constant(relax_field.tolist())))
        self.relax_field = relax_field * MU0
        with self._stage("relax"):
            minimizer = self.mnp.MinimizerBB(terms)
            minimizer.minimize(self.state, maxiter=RELAX_MAXITER, dm_tol=RELAX_DM_TOL)
            self.state.t = self.torch.tensor(0.0, dtype=self.torch.float64)

    def _llg(self):
        """LLG with the current's torque and Oersted field set by `self.current` (A/m2)."""
        mnp, torch, device, state = self.mnp, self.torch, self.device, self.state
        dtype = torch.get_default_dtype()
        self.current = torch.zeros((), dtype=dtype)
        state.material["J"] = lambda _state: self.current * self.mask_field
        state.material["P"] = device.polarization
        state.material["Lambda"] = device.Lambda
        state.material["epsilon_prime"] = device.epsilon_prime
        state.material["mp"] = state.Constant(list(_unit(device.fixed_layer, "fixed_layer")))
        state.material["d"] = device.thickness
        terms = [*self.energy_terms, mnp.SpinTorqueSlonczewski()]
        if device.oersted:
            h_unit = torch.tensor(oersted_field_per_current(device), dtype=dtype)
            terms.append(mnp.ExternalField(lambda _state: self.current * h_unit))
        if device.temperature > 0:
            state.T = device.temperature * self.mask_field
            terms.append(mnp.ThermalField())
            torch.manual_seed(device.thermal_seed)
        return mnp.LLGSolver(terms, solver=mnp.RKF45, atol=RKF45_ATOL)

    def _settle(self, llg) -> None:
        self.state.material["alpha"] = self.device.alpha_settle
        self.current.fill_(self.device.J_dc)
        settle = self.device.settle_time
        n_steps = max(1, math.ceil(settle / (40 * self.spec.sample_period)))
        settle_bar = progress_bar("magnum.np oscillator settle", settle, self.progress)
        with self._stage("settle"), settle_bar as bar:
            for target in np.linspace(0.0, settle, n_steps + 1)[1:]:
                advance(llg, self.state, target, bar)

    def _drive(self, llg) -> np.ndarray:
        t0 = self.device.settle_time
        targets, is_sample = sample_schedule(self.spec)
        currents = current_density(self.spec, targets)
        self.state.material["alpha"] = self.device.alpha
        rows = np.zeros((int(is_sample.sum()), len(TABLE_NAMES)))
        row = 0
        drive_bar = progress_bar("magnum.np oscillator drive", self.spec.drive.duration,
                                 self.progress)
        with self._stage("drive"), drive_bar as bar:
            for i, target in enumerate(targets):
                if i:
                    advance(llg, self.state, t0 + target, bar)
                    self._check(f"drive at t = {float(self.state.t):.6g} s")
                self.current.fill_(currents[i])
                if is_sample[i]:
                    rows[row, 0] = t0 + target
                    rows[row, 1:4] = mean_magnetization(self.state, self.mask)
                    rows[row, 6] = currents[i]
                    row += 1
        return rows

    def _check(self, stage: str) -> None:
        """Raise EngineError if m left the unit sphere or the vortex is lost (cheap: per sample)."""
        torch = self.torch
        m = self.state.m[self.mask]
        finite = bool(torch.isfinite(m).all())
        if not finite or float((torch.linalg.norm(m, dim=-1) - 1).abs().max()) > NORM_TOLERANCE:
            raise EngineError(
                f"{stage}: |m| is not 1 (or not finite) in the disk; the integration diverged"
            )
        device = self.device
        mz = m[:, 2]
        core = float(mz[mz.abs().argmax()])
        mean_mz = float(mz.mean())
        circulation = float((m * self.azimuth).sum(dim=-1).mean()) * device.chirality
        if abs(mean_mz) > VORTEX_MAX_MEAN_MZ:
            cause = f"m tilted out of the plane (<mz> = {mean_mz:.3f})"
        elif core * device.core_polarity < CORE_MIN_MZ:
            cause = (
                f"the core was expelled or reversed (the largest |mz| cell has mz = "
                f"{core:.3f}), or cells of {device.cell_size:g} m are too coarse to hold a core"
            )
        elif circulation < 0:
            cause = f"the chirality reversed (<m . phi> C = {circulation:.3f})"
        else:
            return
        raise EngineError(
            f"{stage}: the vortex (core polarity {device.core_polarity:+d}, chirality "
            f"{device.chirality:+d}) is lost: {cause}; lower |J_dc| or the drive amplitude"
        )

    def _write_engine_json(self) -> None:
        device = self.device
        simulated = device.settle_time + self.spec.drive.duration
        dynamic_wall = self.stages["settle"] + self.stages["drive"]
        dynamic_cpu = self.cpu["settle"] + self.cpu["drive"]
        record = {
            **engine_record(self.mnp, self.torch, self.state, self.dtype),
            "integrator": {"name": "rkf45", "atol": RKF45_ATOL},
            "gamma_rad_per_T_s": self.mnp.common.constants.gamma / MU0,
            "relax": {
                "method": "MinimizerBB", "dm_tol_A_per_m": RELAX_DM_TOL,
                "field_T": self.relax_field.tolist(),
            },
            "temperature_K": device.temperature,
            "thermal_seed": device.thermal_seed,
            "oersted": device.oersted,
            "wall_s": self.stages,
            "cpu_s": self.cpu,
            "simulated_s": simulated,
            "simulated_ns_per_wall_minute": simulated * 1e9 / dynamic_wall * 60.0,
            "simulated_ns_per_cpu_minute": simulated * 1e9 / dynamic_cpu * 60.0,
        }
        write_engine_json(self.out_dir, record)


def _unit(vector: tuple[float, float, float], field_name: str) -> np.ndarray:
    """`vector` normalised; ValueError naming the field if it is zero."""
    v = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        raise ValueError(f"VortexOscillator.{field_name} is the zero vector")
    return v / norm
