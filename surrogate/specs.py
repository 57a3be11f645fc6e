"""Typed specifications of devices, drives and runs. SI units everywhere.

The same `SimulationSpec` is rendered into a mumax3 script and run by the
magnum.np engine, so both engines see one description of the device.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Material:
    """Magnetic material: Ms (A/m), Aex (J/m), Ku1 (J/m3), Dind (J/m2)."""

    Ms: float
    Aex: float
    Ku1: float = 0.0
    Dind: float = 0.0
    anisotropy_axis: tuple[float, float, float] = (0.0, 0.0, 1.0)


@dataclass(frozen=True)
class SkyrmionDevice:
    """Skyrmions in a thin disk (lengths in m, damping dimensionless).

    The disk has diameter `diameter` and thickness `thickness`, meshed in square
    cells of `cell_size` in-plane and one cell of `thickness` out of plane. Each
    skyrmion is seeded as a Néel skyrmion of `skyrmion_diameter` at its
    (x, y) position relative to the disk centre, the state is relaxed, settled
    for `settle_time` (s) at damping `alpha_settle`, then driven at `alpha`.
    The drive acts on region `input_region`, which covers the disk.
    """

    name: str
    material: Material
    diameter: float
    thickness: float
    cell_size: float
    skyrmion_diameter: float
    skyrmion_positions: tuple[tuple[float, float], ...] = ((0.0, 0.0),)
    alpha: float = 0.01
    alpha_settle: float = 0.1
    settle_time: float = 1e-9
    input_region: int = 100
    kind: str = "skyrmion"

    @property
    def grid(self) -> tuple[int, int, int]:
        """Number of cells (nx, ny, nz)."""
        n = int(round(self.diameter / self.cell_size))
        return (n, n, 1)


@dataclass(frozen=True)
class RandomSineDrive:
    """The paper's input: `P(t) = P0 + amplitude * A_n * sin(2 pi frequency t)`.

    `parameter` names the material parameter driven (e.g. "Ku1", in its SI unit),
    `amplitude` is in that unit, `frequency` in Hz. A new random `A_n`, uniform in
    `amplitude_range`, is drawn for each period 1/frequency, from `seed`; the
    drive lasts `n_periods` periods. t is measured from the start of the driven run.
    """

    name: str
    parameter: str
    amplitude: float
    frequency: float
    n_periods: int
    seed: int
    amplitude_range: tuple[float, float] = (-2.0, 2.0)
    kind: str = "random_sine"

    @property
    def duration(self) -> float:
        """Length of the driven run (s)."""
        return self.n_periods / self.frequency


@dataclass(frozen=True)
class SimulationSpec:
    """One simulation: a device, a drive, and the table sampling period (s)."""

    device: SkyrmionDevice
    drive: RandomSineDrive
    sample_period: float = 2.5e-12
    metadata: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Plain-dict form for JSON metadata."""
        return asdict(self)


@dataclass(frozen=True)
class VortexOscillator:
    """Vortex spin-torque nano-oscillator: a disk of `diameter` x `thickness` (m).

    The free layer (material without anisotropy or DMI in the usual case) is
    meshed in cubic-ish cells of `cell_size` in-plane and `layers` cells over the
    thickness. A current density `J_dc + input(t)` (A/m2, along z) exerts a
    Slonczewski torque with spin polarisation `polarization`, asymmetry `Lambda`,
    secondary torque `epsilon_prime` and the fixed layer's magnetisation
    `fixed_layer` (a unit vector). With `oersted` the current's Oersted field, an
    azimuthal field of magnitude mu0 J r / 2 inside the disk (T), is added.
    `temperature` (K) with `thermal_seed` gives the thermal field. The vortex is
    seeded with core polarity `core_polarity` and chirality `chirality`, relaxed,
    settled for `settle_time` (s) at `alpha_settle`, then driven at `alpha`.
    The magnetoresistance R = R_P + dR (1 - m.p)/2 uses `resistance_parallel` and
    `resistance_change` (ohm) against the reference direction `reference_layer`.
    """

    name: str
    material: Material
    diameter: float
    thickness: float
    cell_size: float
    layers: int = 1
    alpha: float = 0.01
    alpha_settle: float = 0.5
    settle_time: float = 2e-9
    polarization: float = 0.4
    Lambda: float = 1.0
    epsilon_prime: float = 0.0
    fixed_layer: tuple[float, float, float] = (0.0, 0.0, 1.0)
    J_dc: float = -1.5e11
    oersted: bool = True
    temperature: float = 0.0
    thermal_seed: int = 0
    core_polarity: int = 1
    chirality: int = 1
    reference_layer: tuple[float, float, float] = (1.0, 0.0, 0.0)
    resistance_parallel: float = 100.0
    resistance_change: float = 1.0
    input_region: int = 1
    kind: str = "vortex_oscillator"

    @property
    def grid(self) -> tuple[int, int, int]:
        """Number of cells (nx, ny, nz)."""
        n = int(round(self.diameter / self.cell_size))
        return (n, n, self.layers)


@dataclass(frozen=True)
class HeldSequenceDrive:
    """Piecewise-constant input: `amplitude * A_n` held for `hold_time` (s) each.

    `parameter` names what is driven (e.g. "J" for the oscillator's current
    density offset in A/m2); the `n_steps` values A_n are uniform in
    `amplitude_range`, drawn from `seed`. The drive lasts n_steps * hold_time.
    """

    name: str
    parameter: str
    amplitude: float
    hold_time: float
    n_steps: int
    seed: int
    amplitude_range: tuple[float, float] = (-1.0, 1.0)
    kind: str = "held_sequence"

    @property
    def duration(self) -> float:
        """Length of the driven run (s)."""
        return self.n_steps * self.hold_time
