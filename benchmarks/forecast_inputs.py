"""Inputs of the whole-process forecasts of benchmarks/forecast_throughput.py, made once.

Renders the default device's held-out drive (`test`, 4 ns) and the full
Mackey-Glass drive (`mackey_glass_full`, 10^6 model steps) of config.yaml to
`.npy` input samples in SI (what a `predict` stage would read without the
config loader), and trains a model of the default shape (k=5, two latent
dimensions, width 50, depth 2) for 150 iterations on t in [10, 20) ns of the
authors' mumax3 run (`../shared/reference/mumax3/1skyrmion_voltage_train`): a
forecast's time does not depend on how well the model was trained.

    python -m benchmarks.forecast_inputs   # -> benchmarks/runs/forecast/
"""

from __future__ import annotations

import json

import numpy as np

from benchmarks.common import MUMAX3_REFERENCE_DIR, REPO_ROOT, shared_input
from surrogate.config.loader import load_config
from surrogate.config.model_settings import TrainSettings
from surrogate.engines.drive_series import drive_input_series
from surrogate.engines.mumax3.table_import import import_table
from surrogate.node.training import train_model

OUT = REPO_ROOT / "benchmarks" / "runs" / "forecast"
TABLE = MUMAX3_REFERENCE_DIR / "1skyrmion_voltage_train" / "table.txt"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    run = load_config(REPO_ROOT / "config.yaml")
    for drive in ("test", "mackey_glass_full"):
        series = drive_input_series(run.simulation_spec("skyrmion", drive))
        np.save(OUT / f"{drive}.npy", series.values)
        (OUT / f"{drive}.json").write_text(json.dumps(
            {"names": series.names, "units": series.units, "sample_period_s": series.dt,
             "samples": len(series.t)}))
        print(f"{drive}: {len(series.t)} samples every {series.dt:g} s")
    trace = import_table(shared_input(TABLE), ["Ku1.region100"], ["mz"]).window(10e-9, 20e-9)
    settings = TrainSettings(k=5, n_aug=2, hidden=50, depth=2, max_iterations=150,
                             max_minutes=3.0)
    report = train_model(trace, settings, OUT / "skyrmion.pt", progress=False)
    print(f"{OUT / 'skyrmion.pt'}: {report.iterations} iterations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
