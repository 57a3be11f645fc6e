# Helper functions of rules/benchmark.smk (snakemake --lint wants functions apart from rules).

from surrogate.engines.drive_files import DRIVABLE


def is_recognition_oscillator(device):
    """Whether `device` is the recognition experiment's thermal oscillator, which is
    benchmarked with the Spin-NODE of its noiseless twin on the experiment's drive."""
    return RECOGNITION is not None and device == RECOGNITION.thermal_device


def held_out_drive(wildcards):
    if is_recognition_oscillator(wildcards.device):
        return RECOGNITION.drive
    return RUN.test_drive_of(wildcards.device)


def benchmarked_model(wildcards):
    if is_recognition_oscillator(wildcards.device):
        return f"{RECOGNITION_DIR}/model.pt"
    return f"results/models/{wildcards.device}.pt"


def held_out_engine_json(wildcards):
    drive = held_out_drive(wildcards)
    return f"results/sims/{wildcards.device}/{drive}/{wildcards.device}.out/engine.json"


def held_out_evaluation(wildcards):
    if is_recognition_oscillator(wildcards.device):
        return f"{RECOGNITION_DIR}/node_evaluation.json"
    return f"results/eval/{wildcards.device}/{held_out_drive(wildcards)}.json"


def held_out_config_json(wildcards):
    """The config reduced to the device and its held-out drive, as the simulation saw it."""
    return render_spec_json(wildcards.device, held_out_drive(wildcards))


def benchmarked_devices():
    """The main simulated devices that have an input to forecast (standard problem 4 has
    none; an imported device has no engine wall time to compare with)."""
    return [name for name in RUN.main_devices()
            if name in RUN.devices and RUN.devices[name].kind in DRIVABLE]


def benchmark_files():
    return expand("results/benchmarks/{device}.json", device=benchmarked_devices())


def figure_benchmark_files(wildcards):
    """The benchmarks of figure 5 and of the summary table: the main devices', the
    parameter sweep's simulated device and the recognition experiment's thermal
    oscillator (against the Spin-NODE of its noiseless twin), whose models, held-out
    simulations and evaluations `snakemake figures` builds for figures 3 and 4 anyway.
    A function of the wildcards, so that it runs after every rule file is read."""
    devices = benchmarked_devices()
    if PARAMETER_SWEEP is not None and PARAMETER_SWEEP.device in RUN.devices:
        devices.append(PARAMETER_SWEEP.device)
    if RECOGNITION is not None:
        devices.append(RECOGNITION.thermal_device)
    return expand("results/benchmarks/{device}.json", device=sorted(set(devices)))


def benchmark_flags(wildcards, input):
    """--benchmark flags, one per benchmark JSON."""
    return [word for path in input.benchmarks for word in ("--benchmark", path)]
