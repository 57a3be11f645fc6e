"""Run a vortex spin-torque oscillator `SimulationSpec` on magnum.np (CPU or GPU). SI units.

Stages: a vortex seeded as mumax3's `Vortex(chirality, core_polarity)`; energy
minimisation without current, optionally under a `relax_field` that displaces
the core (the clock stays at 0; mumax3: B_ext during Relax()); `settle_time` at
`alpha_settle` with the dc current `J_dc`; then the driven run at `alpha` with
`J(t) = J_dc + offset(t - settle_time)`, any drive of J (see
surrogate.engines.drive_files). The current, its Slonczewski torque and its
Oersted field are on during settling and driving; the thermal
field (if `temperature` > 0) too. Integration is adaptive RKF45 at T = 0 and
the fixed-step stochastic Heun of `surrogate.engines.magnumnp.heun` at T > 0
(magnum.np's RKF45 cuts its step at T > 0; benchmarks/magnumnp_thermal_heun).

Sign convention: `J` (A/m2) is the electric current density along +z, and the
fixed layer lies above the free layer. J > 0 then means electrons flowing from
the fixed layer into the free layer, the sign for which the Slonczewski torque
pulls m towards `fixed_layer` (magnum.np's and mumax3's convention, torque
prefactor proportional to +J). By Ampère's law the Oersted field of a uniform
current along +z inside the disk is H = (J / 2) z x r = (J / 2) (-y, x, 0) (A/m),
|mu0 H| = mu0 |J| r / 2, counter-clockwise seen from +z: it is parallel to a
chirality +1 vortex (mumax3's circ = +1) when J > 0.

The run's skeleton is `surrogate.engines.magnumnp.base.MagnumRun`.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from surrogate.config.parameters import MAGNUMNP_NAMES
from surrogate.config.specs import VortexOscillator
from surrogate.engines.magnumnp.base import (
    EngineError,
    Integrator,
    MagnumRun,
    Numerics,
    uniform_material_maps,
    unit_vector,
)
from surrogate.engines.magnumnp.heun import exchange_limited_step
from surrogate.physics.constants import MU0
from surrogate.physics.geometry import cell_centres, disk_mask, oersted_field_per_current

NUMERICS = Numerics(integrator=Integrator("rkf45", atol=1e-5, rtol=1e-5))
#: T > 0: stochastic Heun, steps of at most THERMAL_STEP (s), shorter where the exchange spin
#: waves of finer cells need it (`heun.exchange_limited_step`); 0.25 ps divides the 2.5 ps
#: sample period (speed against RKF45: benchmarks/results/magnumnp_thermal_heun.md).
THERMAL_STEP = 0.25e-12
CORE_MIN_MZ = 0.3  # the core cell must have |mz| above this, with the seeded polarity's sign
VORTEX_MAX_MEAN_MZ = 0.5  # |<mz>| above this means the vortex became a uniform state


def default_numerics(device: VortexOscillator) -> Numerics:
    """RKF45 at T = 0; at T > 0 stochastic Heun, THERMAL_STEP or the exchange-limited step."""
    if not device.temperature > 0:
        return NUMERICS
    step = min(THERMAL_STEP, exchange_limited_step(device.material.Aex, device.material.Ms,
                                                   device.cell, device.grid))
    return Numerics(integrator=Integrator("heun", step=step))


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


class VortexRun(MagnumRun):
    """A `VortexOscillator` under any drive of its current density J (A/m2)."""

    label = "magnum.np oscillator"
    numerics = NUMERICS

    def magnetic_cells(self) -> np.ndarray:
        return np.repeat(disk_mask(self.device)[:, :, None], self.device.layers, axis=2)

    def material_maps(self) -> dict[str, np.ndarray]:
        return uniform_material_maps(self.device.material, self.magnetic_cells())

    def default_numerics(self) -> Numerics:
        return default_numerics(self.device)

    @property
    def temperature(self) -> float:
        return self.device.temperature

    @property
    def thermal_seed(self) -> int:
        return self.device.thermal_seed

    def initial_magnetization(self) -> np.ndarray:
        return vortex_magnetization(self.device)

    def energy_terms(self) -> list:
        mnp, material = self.mnp, self.device.material
        terms = [self.demag_field(), mnp.ExchangeField()]
        if material.Ku1:
            terms.append(mnp.UniaxialAnisotropyField())
        if material.Dind:
            terms.append(mnp.InterfaceDMIField())
        return terms

    def relax_field(self) -> np.ndarray:
        return np.asarray(self.device.relax_field, dtype=np.float64)

    def current_density(self):
        """J (A/m2) along +z at the state's time (0-d tensor): J_dc plus the drive's offset."""
        return self.plan.channels[0].base + self.drive_offset(0)

    def drive_terms(self) -> list:
        """Slonczewski torque and the Oersted field of the current."""
        mnp, torch, device, state = self.mnp, self.torch, self.device, self.state
        dtype = torch.get_default_dtype()
        state.material[MAGNUMNP_NAMES["J"]] = (
            lambda _state: self.current_density() * self.mask_field)
        state.material["P"] = device.polarization
        state.material["Lambda"] = device.Lambda
        state.material["epsilon_prime"] = device.epsilon_prime
        state.material["mp"] = state.Constant(list(unit_vector(device.fixed_layer,
                                                               "fixed_layer")))
        state.material["d"] = device.thickness
        terms = [mnp.SpinTorqueSlonczewski()]
        if device.oersted:
            h_per_j = torch.tensor(oersted_field_per_current(device) / MU0, dtype=dtype)
            terms.append(mnp.ExternalField(lambda _state: self.current_density() * h_per_j))
        return terms

    @cached_property
    def azimuth(self):
        """Unit azimuthal vectors (-y, x, 0) / r of the magnetic cells, shape (cells, 3)."""
        x, y = cell_centres(self.device)
        r = np.hypot(x, y)
        phi = np.stack([-y, x, np.zeros_like(x)], axis=-1) / np.where(r > 0, r, 1.0)[..., None]
        phi = np.repeat(phi[:, :, None, :], self.device.layers, axis=2)
        return self.torch.tensor(phi, dtype=self.torch.get_default_dtype())[self.mask]

    def check_texture(self, stage: str, m) -> None:
        """Raise EngineError if the vortex is lost: m out of plane, core gone, chirality flipped."""
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
