# Helper functions of rules/benchmark.smk (snakemake --lint wants functions apart from rules).

from surrogate.config.parameter_sweep_spec import from_dict as sweep_spec_from_dict
from surrogate.engines.drive_files import DRIVABLE


def held_out_engine_json(wildcards):
    drive = RUN.test_drive_of(wildcards.device)
    return f"results/sims/{wildcards.device}/{drive}/{wildcards.device}.out/engine.json"


def held_out_evaluation(wildcards):
    return f"results/eval/{wildcards.device}/{RUN.test_drive_of(wildcards.device)}.json"


def held_out_drive(wildcards):
    return RUN.test_drive_of(wildcards.device)


def held_out_config_json(wildcards):
    """The config reduced to the device and its held-out drive, as the simulation saw it."""
    return render_spec_json(wildcards.device, RUN.test_drive_of(wildcards.device))


def benchmarked_devices():
    """The main simulated devices that have an input to forecast (standard problem 4 has
    none; an imported device has no engine wall time to compare with)."""
    return [name for name in RUN.main_devices()
            if name in RUN.devices and RUN.devices[name].kind in DRIVABLE]


def benchmark_files():
    return expand("results/benchmarks/{device}.json", device=benchmarked_devices())


def figure_benchmark_files():
    """The benchmarks of figure 5 and of the summary table: the main devices', plus the
    parameter sweep's simulated device, whose model, held-out simulation and evaluation
    `snakemake figures` builds for figure 3 anyway."""
    devices = benchmarked_devices()
    if "parameter_sweep" in config.get("experiments", {}):
        sweep_device = sweep_spec_from_dict(config, "config").device
        if sweep_device in RUN.devices and sweep_device not in devices:
            devices.append(sweep_device)
    return expand("results/benchmarks/{device}.json", device=devices)


def benchmark_flags(wildcards, input):
    """--benchmark flags, one per benchmark JSON."""
    return [word for path in input.benchmarks for word in ("--benchmark", path)]
