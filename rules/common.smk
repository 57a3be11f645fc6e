import dataclasses
import functools
import json
import os
import re

from snakemake.utils import validate

from surrogate.config.loader import PIPELINE_KEYS, SCHEMA_PATH, parse_config, read_yaml
from surrogate.engines.cost import (
    engine_timeout_minutes,
    retry_runtime_minutes,
    simulation_cost,
    train_runtime_minutes,
)
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

# `engine: auto` is decided by `surrogate simulate` inside each job, on the node that runs
# it; only a local run (where that node is this one) looks for a GPU here.
LOCAL_EXECUTION = workflow.local_exec


def name_pattern(names):
    """A wildcard pattern matching exactly `names` (none: a pattern nothing matches)."""
    return "|".join(re.escape(name) for name in sorted(names)) or "(?!)"


wildcard_constraints:
    device=name_pattern([*RUN.devices, *RUN.imported]),
    drive=name_pattern(RUN.drive_names()),


def simulation_pairs():
    """(device, drive) of every simulation the run needs: each device's training drives
    (`train_drive` and `extra_train_drives`) and test drive."""
    return sorted(
        {(device, drive) for device in RUN.devices for drive in RUN.simulated_drives_of(device)}
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


def imported_table(wildcards):
    """The mumax3 table of an imported device's drive (`source: imported`)."""
    return str(RUN.imported[wildcards.device].table_of(wildcards.drive))


def imported_window_flags(wildcards):
    """--window START:STOP (s of the table's clock) of an imported drive, or nothing."""
    window = RUN.imported[wildcards.device].window_of(wildcards.drive)
    return [] if window is None else ["--window", f"{window[0]!r}:{window[1]!r}"]


def imported_input_flags(wildcards):
    """--input flags for the input columns of an imported device, one word each."""
    return [word for name in RUN.imported[wildcards.device].inputs for word in ("--input", name)]


def model_settings_json(wildcards):
    """The typed model section the loader parsed (RUN.model), passed to `surrogate train`."""
    return json.dumps(dataclasses.asdict(RUN.model), sort_keys=True)


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


@functools.cache
def local_engine():
    """The engine `auto` takes on this machine (local runs only: it looks for a GPU)."""
    return resolve_engine(config["engine"])


def simulation_gpus(wildcards):
    """GPUs of one simulation: 1 for mumax3, 0 for magnum.np. `auto` takes 1 on a cluster
    (the job may choose mumax3; profiles/slurm sets it explicitly) and, in a local run,
    1 only when this machine would run mumax3."""
    engine = config["engine"]
    if engine == "auto":
        engine = local_engine() if LOCAL_EXECUTION else "mumax3"
    return 1 if engine == "mumax3" else 0


@functools.cache
def simulation_cost_of(device, drive):
    """Estimated runtime and memory of one simulation (surrogate.engines.cost); refuses,
    naming the device, the drive and the limit, one whose estimate exceeds the
    `simulation:` limits."""
    return simulation_cost(RUN.simulation_spec(device, drive), config["engine"], SIMULATION)


def simulation_runtime(wildcards, attempt):
    """Scheduler runtime (min) of a simulation, from its cells and simulated time; a retry
    after a walltime kill gets proportionally more."""
    first = simulation_cost_of(wildcards.device, wildcards.drive).runtime_minutes
    return retry_runtime_minutes(first, attempt)


def simulation_mem_mb(wildcards):
    """Memory request (MB) of a simulation, from its cells."""
    return simulation_cost_of(wildcards.device, wildcards.drive).mem_mb


def simulation_timeout(wildcards, resources):
    """The engine's own wall-time limit (min): `simulation.timeout_minutes` in a local run
    (the runtime estimate only sizes scheduler requests; a busy machine may be slower), and
    inside the job's runtime on a cluster."""
    if LOCAL_EXECUTION:
        return SIMULATION.timeout_minutes
    return engine_timeout_minutes(resources.runtime, SIMULATION)


def train_runtime(wildcards):
    """Scheduler runtime (min) of a training job: the `model.max_minutes` budget plus overhead."""
    return train_runtime_minutes(RUN.model.max_minutes)


def train_processes(wildcards):
    """Cores of a training job: one process per restart (`model.restarts`)."""
    return RUN.model.restarts


def train_trace(wildcards):
    return f"results/traces/{wildcards.device}/{RUN.train_drive_of(wildcards.device)}.npz"


def training_traces(wildcards):
    """Every trace a device's model trains on: its training drive's, then its extras'."""
    return [f"results/traces/{wildcards.device}/{drive}.npz"
            for drive in RUN.train_drives_of(wildcards.device)]


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
