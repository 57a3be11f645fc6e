import json
import os

from snakemake.utils import validate

from surrogate.config.loader import PIPELINE_KEYS, SCHEMA_PATH, parse_config, read_yaml
from surrogate.engines.drive_files import data_file_names
from surrogate.engines.select import resolve_engine

# Validate before any job is scheduled: a malformed config stops here, naming the field.
# Snakemake's own YAML reading keeps the last of two equal keys; re-reading refuses them.
for path in workflow.configfiles:
    read_yaml(path)
validate(config, schema=str(SCHEMA_PATH))
RUN = parse_config(config, "config")

SIMULATION = RUN.simulation
# The rule environment's post-deploy script installs the package from here.
os.environ["SURROGATE_SOURCE"] = workflow.basedir


envvars:
    "SURROGATE_SOURCE",

ENGINE = resolve_engine(config["engine"])


wildcard_constraints:
    device="|".join(sorted(RUN.devices)),
    drive="|".join(sorted(RUN.drives)),


def simulation_pairs():
    """(device, drive) of every simulation the run needs: each device's training and test drive."""
    return sorted(
        {(device, drive) for device in RUN.devices
         for drive in (RUN.train_drive_of(device), RUN.test_drive_of(device))}
    )


def render_spec_json(device, drive):
    """The config reduced to one device and one drive: a change reruns only that simulation."""
    settings = {key: value for key, value in config["devices"][device].items()
                if key not in PIPELINE_KEYS}
    reduced = {
        "engine": "mumax3",  # render writes mumax3's script; RUN above checked the run's engine
        "sample_period": config["sample_period"],
        "devices": {device: settings},
        "drives": {drive: config["drives"][drive]},
        "train_drive": drive,
        "test_drive": drive,
        "model": {},
    }
    return json.dumps(reduced, sort_keys=True)


def rendered_data_files(device, drive):
    """The data files render writes beside the script (drives, Oersted field, region map)."""
    names = data_file_names(RUN.simulation_spec(device, drive))
    return [f"results/sims/{device}/{drive}/{name}" for name in names]


def drive_source_files(drive):
    """Files a drive's values are read from at render time (values_file, series_file)."""
    spec = RUN.drives[drive]
    return [path for path in (getattr(spec, "values_file", None),
                              getattr(spec, "series_file", None)) if path]


def script_folder(wildcards, output):
    """The folder of the rendered script, where render writes everything."""
    return os.path.dirname(output.script)


def simulation_data_files(wildcards):
    """The data files a simulation's script loads."""
    return rendered_data_files(wildcards.device, wildcards.drive)


def model_settings_json(wildcards):
    """The model section of the config, passed to `surrogate train`."""
    return json.dumps(config.get("model", {}), sort_keys=True)


def device_output_flags(wildcards):
    """--output flags for the learnt columns of a device (default mz), one word each."""
    return [word for name in RUN.outputs_of(wildcards.device) for word in ("--output", name)]


def evaluation_flags(wildcards, input):
    """--eval flags, one per evaluation file."""
    return [word for path in input.evaluations for word in ("--eval", path)]


def training_report_flags(wildcards, input):
    """--train-report flags, one per training report."""
    return [word for path in input.reports for word in ("--train-report", path)]


def device_channel(wildcards):
    """The first learnt column of a device, shown in its figure."""
    return RUN.outputs_of(wildcards.device)[0]


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


def evaluation_jsons():
    return [
        f"results/eval/{device}/{drive}.json"
        for device in RUN.main_devices()
        for drive in (RUN.train_drive_of(device), RUN.test_drive_of(device))
    ]


def training_reports():
    return expand("results/models/{device}.json", device=RUN.main_devices())


def all_outputs():
    return [
        "results/metrics.json",
        *expand("results/figures/{device}_overlay.png", device=RUN.main_devices()),
    ]
