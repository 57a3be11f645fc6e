"""The recognition experiment (`experiments.recognition` of the config). Times in s.

Sine/square recognition on the noisy vortex oscillator: the thermal device is
simulated under the task's input, the Spin-NODE learns the noiseless twin
device, and all four (simulation, NODE, NODE with input noise, learned
stochastic model) are scored with the same readout
(surrogate.analysis.recognition).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from surrogate.config.model_settings import SettingsError, parse_model_settings
from surrogate.config.specs import SampledWaveformDrive, VortexOscillator


class RecognitionSpecError(ValueError):
    """The recognition experiment's settings are malformed; names the source and field."""


@dataclass(frozen=True)
class RecognitionExperiment:
    """Settings of the sine/square recognition task.

    `thermal_device` (temperature > 0) is simulated under `drive`, a
    sampled_waveform drive whose values file the task writes: its n_values
    points, `points_per_period` per sine or square period drawn from `seed`,
    each held for the drive's sample_time (s). `clean_device` is the same
    oscillator at T = 0, simulated under its own train_drive; the Spin-NODE
    (`model`: TrainSettings overrides, k = 1 for the stochastic model) learns
    it. The readout reads `taps` samples per point and `delays` earlier points
    (surrogate.analysis.recognition.readout_features), is fitted with penalty
    `ridge` on the first `train_fraction` of the points and scored on the rest.
    The noisy models draw `noisy_samples` paths each; the learned noise is
    fitted over residual lags `noise_lags` (first, last) in model steps.
    """

    thermal_device: str
    clean_device: str
    drive: str
    points_per_period: int = 8
    seed: int = 0
    train_fraction: float = 0.5
    taps: int = 4
    delays: int = 2
    ridge: float = 1e-3
    noisy_samples: int = 20
    noise_lags: tuple[int, int] = (1, 8)
    model: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, raw: object, source: str) -> RecognitionExperiment:
        """From the config's `experiments.recognition` mapping; errors name `source` and field."""
        prefix = "experiments.recognition"
        if not isinstance(raw, dict):
            raise RecognitionSpecError(f"{source}: field '{prefix}' must be a mapping")
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise RecognitionSpecError(f"{source}: field '{prefix}.{unknown[0]}' is not a "
                                       f"setting; known: {sorted(known)}")
        missing = [name for name in ("thermal_device", "clean_device", "drive") if name not in raw]
        if missing:
            raise RecognitionSpecError(f"{source}: field '{prefix}.{missing[0]}' is required")
        values = dict(raw)
        if "noise_lags" in values:
            values["noise_lags"] = tuple(values["noise_lags"])
        spec = cls(**values)
        spec._check(f"{source}: field '{prefix}")
        try:
            parse_model_settings(spec.model, source, section=f"{prefix}.model")
        except SettingsError as exc:
            raise RecognitionSpecError(str(exc)) from exc
        return spec

    def _check(self, where: str) -> None:
        integers = {"points_per_period": (self.points_per_period, 2), "taps": (self.taps, 1),
                    "delays": (self.delays, 0), "noisy_samples": (self.noisy_samples, 1),
                    "seed": (self.seed, 0)}
        for name, (value, least) in integers.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise RecognitionSpecError(f"{where}.{name}': must be a whole number >= {least}, "
                                           f"got {value!r}")
        if not isinstance(self.train_fraction, int | float) or not 0 < self.train_fraction < 1:
            raise RecognitionSpecError(f"{where}.train_fraction': must be in (0, 1), "
                                       f"got {self.train_fraction!r}")
        if not isinstance(self.ridge, int | float) or not 0 <= self.ridge < float("inf"):
            raise RecognitionSpecError(f"{where}.ridge': must be a finite number >= 0, "
                                       f"got {self.ridge!r}")
        lags = self.noise_lags
        if (len(lags) != 2 or not all(isinstance(lag, int) and not isinstance(lag, bool)
                                      for lag in lags) or not 1 <= lags[0] < lags[1]):
            raise RecognitionSpecError(f"{where}.noise_lags': must be [first, last] model steps "
                                       f"with 1 <= first < last, got {list(lags)}")
        if not isinstance(self.model, dict):
            raise RecognitionSpecError(f"{where}.model': must be a mapping")

    def check_against(self, devices: dict, drives: dict, source: str) -> None:
        """Refuse devices or a drive that the task cannot use; errors name `source` and field."""
        where = f"{source}: field 'experiments.recognition"
        for key in ("thermal_device", "clean_device"):
            name = getattr(self, key)
            if not isinstance(devices.get(name), VortexOscillator):
                raise RecognitionSpecError(f"{where}.{key}': '{name}' is not a vortex_oscillator "
                                           f"device of the config")
        if not devices[self.thermal_device].temperature > 0:
            raise RecognitionSpecError(f"{where}.thermal_device': device '{self.thermal_device}' "
                                       "has temperature 0; the task needs a noisy device")
        if devices[self.clean_device].temperature != 0:
            raise RecognitionSpecError(f"{where}.clean_device': device '{self.clean_device}' "
                                       "must have temperature 0")
        drive = drives.get(self.drive)
        if not isinstance(drive, SampledWaveformDrive) or drive.interpolation != "hold":
            raise RecognitionSpecError(f"{where}.drive': '{self.drive}' is not a "
                                       "sampled_waveform drive with interpolation 'hold'")
        if drive.n_values % self.points_per_period:
            raise RecognitionSpecError(
                f"{source}: field 'drives.{self.drive}.n_values': {drive.n_values} is not a "
                f"whole number of periods of {self.points_per_period} points")
        if not 0 < self.n_train(drive) < drive.n_values:
            raise RecognitionSpecError(f"{where}.train_fraction': leaves no training or no test "
                                       f"points among {drive.n_values}")

    def n_periods(self, drive: SampledWaveformDrive) -> int:
        """Sine or square periods in the task's input."""
        return drive.n_values // self.points_per_period

    def n_train(self, drive: SampledWaveformDrive) -> int:
        """Points the readout is fitted on (the first ones); the rest are scored."""
        return int(round(self.train_fraction * drive.n_values))
