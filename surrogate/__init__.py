"""Spin-Neural-ODE surrogates of micromagnetic devices, from mumax3 or magnum.np traces.

SI units everywhere: seconds, metres, A/m, J/m, J/m3, J/m2, Hz. The public API
is importable from here (`from surrogate import train_model, load_trace`;
`surrogate.load_model(path).forecast(drive)` forecasts without torch). Each
name is imported on first use, so `import surrogate` stays light (no torch,
no numba), and importing this package never imports magnum.np, which changes
torch's global defaults.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    # configuration and specs
    "ConfigError": "surrogate.config.loader",
    "RunConfig": "surrogate.config.loader",
    "load_config": "surrogate.config.loader",
    "parse_config": "surrogate.config.loader",
    "Material": "surrogate.config.specs",
    "Grains": "surrogate.config.specs",
    "SkyrmionDevice": "surrogate.config.specs",
    "VortexOscillator": "surrogate.config.specs",
    "StandardProblem4": "surrogate.config.specs",
    "RandomSineDrive": "surrogate.config.specs",
    "ParameterInputsDrive": "surrogate.config.specs",
    "HeldSequenceDrive": "surrogate.config.specs",
    "MaskedSequenceDrive": "surrogate.config.specs",
    "SampledWaveformDrive": "surrogate.config.specs",
    "FieldStepDrive": "surrogate.config.specs",
    "SimulationSpec": "surrogate.config.specs",
    "SimulationSettings": "surrogate.config.specs",
    # traces and tables
    "Trace": "surrogate.io.trace",
    "load_trace": "surrogate.io.trace",
    "save_trace": "surrogate.io.trace",
    "read_table": "surrogate.io.mumax3_table",
    "import_table": "surrogate.engines.mumax3.table_import",
    # engines
    "resolve_engine": "surrogate.engines.select",
    "render_simulation": "surrogate.engines.mumax3.render",
    "run_mumax3": "surrogate.engines.mumax3.runner",
    # the Spin-NODE
    "ModelShape": "surrogate.node.shape",
    "SpinNODE": "surrogate.node.model",
    "TrainSettings": "surrogate.config.model_settings",
    "TrainReport": "surrogate.node.training",
    "train_model": "surrogate.node.training",
    "Surrogate": "surrogate.node.checkpoint",
    "load_checkpoint": "surrogate.node.checkpoint",
    "save_checkpoint": "surrogate.node.checkpoint",
    "EvaluationResult": "surrogate.node.rollout",
    "evaluate_model": "surrogate.node.rollout",
    "predict_trace": "surrogate.node.forecast",
    "nrmse": "surrogate.metrics",
    "pooled_nrmse": "surrogate.metrics",
    # forecasts without torch: `load_model(path).forecast(drive)`, `.forecast_batch(drives)`
    "ForecastModel": "surrogate.node.forecast",
    "load_model": "surrogate.node.forecast",
    "predict_from_files": "surrogate.node.forecast",
    # noise
    "fit_input_noise": "surrogate.noise.input_noise",
    "predict_noisy": "surrogate.noise.input_noise",
    "NoiseModel": "surrogate.noise.stochastic",
    "fit_noise": "surrogate.noise.stochastic",
    "sample_paths": "surrogate.noise.stochastic",
    # baselines
    "fit_arx": "surrogate.baselines.arx",
    "arx_predict": "surrogate.baselines.arx",
    "fit_echo_state": "surrogate.baselines.echo_state",
    "echo_state_predict": "surrogate.baselines.echo_state",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'surrogate' has no attribute '{name}'")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
