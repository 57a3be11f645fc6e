import json

from snakemake.utils import validate

from surrogate.config.loader import SCHEMA_PATH, parse_config
from surrogate.engines.select import resolve_engine

# Validate before any job is scheduled: a malformed config stops here, naming the field.
validate(config, schema=str(SCHEMA_PATH))
RUN = parse_config(config, "config")

SIMULATION = config.get("simulation", {})
ENGINE = resolve_engine(config["engine"])


wildcard_constraints:
    device="|".join(sorted(RUN.devices)),
    drive="|".join(sorted(RUN.drives)),


def render_spec_json(wildcards):
    """The config reduced to one device and one drive: a change reruns only that simulation."""
    device = {key: value for key, value in config["devices"][wildcards.device].items()
              if key not in ("outputs", "train_drive", "test_drive")}
    reduced = {
        "engine": "mumax3",  # render writes mumax3's script; RUN above checked the run's engine
        "sample_period": config["sample_period"],
        "devices": {wildcards.device: device},
        "drives": {wildcards.drive: config["drives"][wildcards.drive]},
        "train_drive": wildcards.drive,
        "test_drive": wildcards.drive,
        "model": {},
    }
    return json.dumps(reduced, sort_keys=True)


def model_settings_json(wildcards):
    """The model section of the config, passed to `surrogate train`."""
    return json.dumps(config.get("model", {}), sort_keys=True)


def device_output_flags(wildcards):
    """--output flags for the learnt columns of a device (default mz)."""
    outputs = config["devices"][wildcards.device].get("outputs", ["mz"])
    return " ".join(f"--output {name}" for name in outputs)


def device_channel(wildcards):
    """The first learnt column of a device, shown in its figure."""
    return config["devices"][wildcards.device].get("outputs", ["mz"])[0]


def simulation_gpus(wildcards):
    """One GPU for a mumax3 run, none for the CPU engine."""
    return 1 if ENGINE == "mumax3" else 0


def train_trace(wildcards):
    return f"results/traces/{wildcards.device}/{RUN.train_drive_of(wildcards.device)}.npz"


def test_trace(wildcards):
    return f"results/traces/{wildcards.device}/{RUN.test_drive_of(wildcards.device)}.npz"


def train_prediction(wildcards):
    return f"results/predictions/{wildcards.device}/{RUN.train_drive_of(wildcards.device)}.npz"


def test_prediction(wildcards):
    return f"results/predictions/{wildcards.device}/{RUN.test_drive_of(wildcards.device)}.npz"


def simulation_dir(wildcards):
    return f"results/sims/{wildcards.device}/{wildcards.drive}"


def evaluation_jsons():
    return [
        f"results/eval/{device}/{drive}.json"
        for device in sorted(RUN.devices)
        for drive in (RUN.train_drive_of(device), RUN.test_drive_of(device))
    ]


def training_reports():
    return expand("results/models/{device}.json", device=sorted(RUN.devices))


def all_outputs():
    return [
        "results/metrics.json",
        *expand("results/figures/{device}_overlay.png", device=sorted(RUN.devices)),
    ]
