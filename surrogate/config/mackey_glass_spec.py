"""The Mackey-Glass reservoir experiment: its series and its runs (config key `mackey_glass`).

`MackeyGlassSeries` is the series source of a `masked_sequence` drive (the
drive's `mackey_glass:` section); `MackeyGlassExperiment` is the config's
`experiments.mackey_glass` section. Times of the series are in the delay
equation's own dimensionless time units; the drive's hold time is in s.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


class MackeyGlassConfigError(ValueError):
    """The `experiments.mackey_glass` section is malformed; the message names file and field."""


@dataclass(frozen=True)
class MackeyGlassSeries:
    """dx/dt = beta x(t - tau) / (1 + x(t - tau)^exponent) - gamma x(t), dimensionless.

    The history x(t <= 0) is the constant `initial_value`; RK4 steps of
    `integration_step` are taken, the first `washout` time units are dropped
    and a sample is kept every `sample_step` (all in the equation's time units).
    """

    tau: float = 17.0
    beta: float = 0.2
    gamma: float = 0.1
    exponent: float = 10.0
    initial_value: float = 1.2
    integration_step: float = 0.1
    sample_step: float = 1.0
    washout: float = 200.0


@dataclass(frozen=True)
class ReservoirRun:
    """One reservoir run: its masked Mackey-Glass `drive`, the first `discard`
    samples dropped, the next `train` fitting the readout, the rest testing it."""

    drive: str
    discard: int
    train: int


@dataclass(frozen=True)
class MackeyGlassExperiment:
    """Mackey-Glass prediction with `device` as reservoir (the paper's Fig. 2).

    `simulated` is the run simulated by the micromagnetic engine (and predicted
    by the Spin-NODE on the same drive), `full` the paper's full-length run,
    predicted by the Spin-NODE only. The ridge readout (regularisation `ridge`)
    predicts the series value H samples ahead for H = 0..`max_horizon`; an
    NRMSE is given where at least `min_test_samples` test samples remain.
    `overlay_horizon` is the H of the figure's target-against-prediction panel.
    """

    device: str
    simulated: ReservoirRun
    full: ReservoirRun
    ridge: float = 1e-4
    max_horizon: int = 79
    min_test_samples: int = 10
    overlay_horizon: int = 1

    def run(self, name: str) -> ReservoirRun:
        """The run `simulated` or `full`."""
        if name not in ("simulated", "full"):
            raise MackeyGlassConfigError(
                f"no Mackey-Glass run '{name}'; expected simulated or full")
        return getattr(self, name)


def _field_names(cls: type) -> set[str]:
    return {item.name for item in fields(cls)}


def _check_keys(raw: object, cls: type, source: str, path: str) -> dict:
    if not isinstance(raw, dict):
        raise MackeyGlassConfigError(f"{source}: field '{path}' must be a mapping")
    unknown = sorted(set(raw) - _field_names(cls))
    if unknown:
        raise MackeyGlassConfigError(f"{source}: field '{path}.{unknown[0]}' is not a known key")
    return raw


def from_dict(raw: dict, source: str = "config") -> MackeyGlassExperiment:
    """The experiment from the config's `experiments.mackey_glass` mapping."""
    path = "experiments.mackey_glass"
    values = dict(_check_keys(raw, MackeyGlassExperiment, source, path))
    for key in ("device", "simulated", "full"):
        if key not in values:
            raise MackeyGlassConfigError(f"{source}: field '{path}.{key}' is required")
    for key in ("simulated", "full"):
        run = _check_keys(values[key], ReservoirRun, source, f"{path}.{key}")
        missing = sorted(_field_names(ReservoirRun) - set(run))
        if missing:
            raise MackeyGlassConfigError(f"{source}: field '{path}.{key}.{missing[0]}' is required")
        values[key] = ReservoirRun(**run)
    return MackeyGlassExperiment(**values)


def experiment_of(run_config, source: str = "config") -> MackeyGlassExperiment:
    """The experiment of a RunConfig, checked against its devices and drives."""
    raw = run_config.raw.get("experiments", {}).get("mackey_glass")
    if raw is None:
        raise MackeyGlassConfigError(f"{source}: field 'experiments.mackey_glass' is absent")
    experiment = from_dict(raw, source)
    path = "experiments.mackey_glass"
    if experiment.device not in run_config.devices:
        raise MackeyGlassConfigError(
            f"{source}: field '{path}.device': no device '{experiment.device}'")
    for key in ("simulated", "full"):
        run = experiment.run(key)
        drive = run_config.drives.get(run.drive)
        if drive is None or drive.kind != "masked_sequence" or drive.mackey_glass is None:
            raise MackeyGlassConfigError(
                f"{source}: field '{path}.{key}.drive': '{run.drive}' is not a masked_sequence "
                "drive with a mackey_glass series")
        if run.discard + run.train >= drive.n_samples:
            raise MackeyGlassConfigError(
                f"{source}: field '{path}.{key}.train': discard {run.discard} + train "
                f"{run.train} leave no test samples of the {drive.n_samples} of '{run.drive}'")
    return experiment
