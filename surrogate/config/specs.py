"""Typed specifications of devices, drives and runs. SI units everywhere.

The same `SimulationSpec` is rendered into a mumax3 script and run by the
magnum.np engine, so both engines see one description of the device.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from surrogate.config.mackey_glass_spec import MackeyGlassSeries


@dataclass(frozen=True)
class Material:
    """Magnetic material: Ms (A/m), Aex (J/m), Ku1 (J/m3), Dind (J/m2)."""

    Ms: float
    Aex: float
    Ku1: float = 0.0
    Dind: float = 0.0
    anisotropy_axis: tuple[float, float, float] = (0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Grains:
    """Voronoi grains with per-grain material variation (surrogate.physics.regions).

    Grains of mean size `grain_size` (m) are spread over regions 0..n_regions-1
    in a region map drawn from `seed`, which both engines read from one file.
    Each region gets Ku1 and Dind drawn from Gaussians of relative standard
    deviation `ku1_sigma` and `dind_sigma` around the material's values, and an
    anisotropy axis (tx, ty, 1), normalised, with tx and ty uniform in
    [-axis_tilt, axis_tilt] (dimensionless, about the tilt in rad).
    """

    grain_size: float
    n_regions: int
    seed: int
    ku1_sigma: float = 0.2
    dind_sigma: float = 0.2
    axis_tilt: float = 0.1
    kind: str = "grains"


@dataclass(frozen=True)
class SkyrmionDevice:
    """Skyrmions in a thin disk (lengths in m, damping dimensionless).

    The disk has diameter `diameter` and thickness `thickness`, meshed in square
    cells of `cell_size` in-plane and one cell of `thickness` out of plane. Each
    skyrmion is seeded as a Néel skyrmion of `skyrmion_diameter` at its
    (x, y) position relative to the disk centre, the state is relaxed, settled
    for `settle_time` (s) at damping `alpha_settle`, then driven at `alpha`.
    Without grains the drive acts on region `input_region`, which covers the
    disk. With `grains` the disk keeps its grain regions, the drive's offset is
    added to every grain's own value, and the table records the bare input,
    base + offset, in a column of its own (render.input_columns).
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
    grains: Grains | None = None
    kind: str = "skyrmion"

    @property
    def grid(self) -> tuple[int, int, int]:
        """Number of cells (nx, ny, nz)."""
        n = int(round(self.diameter / self.cell_size))
        return (n, n, 1)

    @property
    def cell(self) -> tuple[float, float, float]:
        """Cell size (m) along x, y, z: one cell over the thickness."""
        return (self.cell_size, self.cell_size, self.thickness)


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
class SimulationSettings:
    """How each simulation job runs (the config's `simulation` section).

    `dtype` is magnum.np's floating-point precision and `threads` its torch
    threads per job. The scheduler's runtime and memory requests are estimated
    per simulation from its cells and simulated time (surrogate.engines.cost);
    `runtime_minutes` (min) and `mem_mb` (MB) are the most a simulation may
    request: one whose estimate exceeds them is refused before submission.
    `timeout_minutes` (min) is the engine's own wall-time limit in a local run;
    in a batch job it is capped to end a minute before the runtime request, so
    that the run fails with our message and log rather than being killed.
    """

    dtype: str = "float64"
    threads: int = 1
    timeout_minutes: float = 50.0
    runtime_minutes: int = 60
    mem_mb: int = 2000


@dataclass(frozen=True)
class SimulationSpec:
    """One simulation: a device, a drive, and the table sampling period (s)."""

    device: Device
    drive: Drive
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
    seeded with core polarity `core_polarity` and chirality `chirality`, relaxed
    under the in-plane field `relax_field` (T; it displaces the core, then is removed),
    settled for `settle_time` (s) at `alpha_settle`, then driven at `alpha`.
    `alpha_settle` defaults to the driven run's damping: settling under J_dc is
    meant to reach the orbit the drive starts from, and a large damping (the
    former 0.5) suppresses the gyration instead.
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
    alpha_settle: float = 0.01
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
    relax_field: tuple[float, float, float] = (0.0, 0.0, 0.0)
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

    @property
    def cell(self) -> tuple[float, float, float]:
        """Cell size (m) along x, y, z: `layers` cells over the thickness."""
        return (self.cell_size, self.cell_size, self.thickness / self.layers)


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


@dataclass(frozen=True)
class ParameterInputsDrive:
    """Several material parameters driven at once (the paper's parameters-as-inputs device).

    Each entry of `inputs` drives its own parameter: a RandomSineDrive (e.g. Ku1
    at 4 GHz and Dind at 0.4 GHz) or a SampledWaveformDrive with "hold"
    interpolation (e.g. Ku1 held at a staircase of values). Every period or
    sample time must be a whole multiple of the shortest one and all inputs
    must last equally long (s).
    """

    name: str
    inputs: tuple[RandomSineDrive | SampledWaveformDrive, ...]
    kind: str = "parameter_inputs"

    @property
    def duration(self) -> float:
        """Length of the driven run (s): that of the first input."""
        return self.inputs[0].duration


@dataclass(frozen=True)
class MaskedSequenceDrive:
    """Reservoir input: each series sample times a random mask, held per virtual node.

    Sample s_k of the series (the first `n_samples` of `series_file`, text
    with one value a line or `.npy`, or of the Mackey-Glass series that
    `mackey_glass` defines; exactly one is given) becomes `n_virtual_nodes` held
    values u = scale * W_j * s_k, with the mask W_j uniform in [-1, 1] from
    `mask_seed`. Each u is held for `hold_time` (s) as
    `parameter = base + amplitude * u` (amplitude in the parameter's SI unit).
    """

    name: str
    parameter: str
    amplitude: float
    hold_time: float
    series_file: str | None
    n_samples: int
    n_virtual_nodes: int = 50
    mask_seed: int = 0
    scale: float = 1.0
    mackey_glass: MackeyGlassSeries | None = None
    kind: str = "masked_sequence"

    @property
    def duration(self) -> float:
        """Length of the driven run (s)."""
        return self.n_samples * self.n_virtual_nodes * self.hold_time


@dataclass(frozen=True)
class SampledWaveformDrive:
    """Any waveform given as samples v_n every `sample_time` (s) in `values_file`.

    `parameter = base + amplitude * v(t)`, with v held constant over each sample
    (`interpolation` "hold") or linear between samples ("linear"). The file is
    text (one value a line) or `.npy`; with "hold" the drive lasts
    n * sample_time, with "linear" (n - 1) * sample_time.
    """

    name: str
    parameter: str
    amplitude: float
    sample_time: float
    values_file: str
    n_values: int
    interpolation: str = "hold"
    kind: str = "sampled_waveform"

    @property
    def duration(self) -> float:
        """Length of the driven run (s)."""
        steps = self.n_values if self.interpolation == "hold" else self.n_values - 1
        return steps * self.sample_time


@dataclass(frozen=True)
class StandardProblem4:
    """muMAG standard problem 4: a `size` (m) film on `grid` cells, Ms (A/m), Aex (J/m).

    The S-state is relaxed from the uniform direction `initial_m`, then the
    field of a FieldStepDrive is applied and m evolves at damping `alpha`.
    """

    name: str
    material: Material
    size: tuple[float, float, float] = (500e-9, 125e-9, 3e-9)
    grid: tuple[int, int, int] = (128, 32, 1)
    alpha: float = 0.02
    initial_m: tuple[float, float, float] = (1.0, 0.1, 0.0)
    kind: str = "standard_problem_4"

    @property
    def cell(self) -> tuple[float, float, float]:
        """Cell size (m) along x, y, z."""
        return tuple(size / n for size, n in zip(self.size, self.grid, strict=True))


@dataclass(frozen=True)
class FieldStepDrive:
    """A constant applied field `B_ext` (T, vector) switched on at t = 0 for `duration` (s)."""

    name: str
    B_ext: tuple[float, float, float]
    duration: float
    kind: str = "field_step"


Device = SkyrmionDevice | VortexOscillator | StandardProblem4
Drive = (RandomSineDrive | ParameterInputsDrive | HeldSequenceDrive | MaskedSequenceDrive
         | SampledWaveformDrive | FieldStepDrive)

DEVICE_KINDS: dict[str, type] = {
    "skyrmion": SkyrmionDevice,
    "vortex_oscillator": VortexOscillator,
    "standard_problem_4": StandardProblem4,
}
DRIVE_KINDS: dict[str, type] = {
    "random_sine": RandomSineDrive,
    "parameter_inputs": ParameterInputsDrive,
    "held_sequence": HeldSequenceDrive,
    "masked_sequence": MaskedSequenceDrive,
    "sampled_waveform": SampledWaveformDrive,
    "field_step": FieldStepDrive,
}
