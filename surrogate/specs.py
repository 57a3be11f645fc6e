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
