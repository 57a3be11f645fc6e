# Helpers of rules/parameter_sweep.smk (figure 3), kept apart from its rules as
# `snakemake --lint` asks.

from surrogate.config.parameter_sweep_spec import from_dict as parameter_sweep_from_dict


def parameter_sweep_spec():
    """The `experiments.parameter_sweep` section, or None when the config has none."""
    if "parameter_sweep" not in config.get("experiments", {}):
        return None
    return parameter_sweep_from_dict(config, "config")


PARAMETER_SWEEP = parameter_sweep_spec()


def parameter_sweep_jsons():
    """One sweep JSON per sweep drive of the experiment's device."""
    return [f"results/parameter_sweep/{PARAMETER_SWEEP.device}/{drive}.json"
            for drive in PARAMETER_SWEEP.sweeps]


def parameter_sweep_flags(wildcards, input):
    """--sweep flags, one per sweep JSON."""
    return [word for path in input.sweeps for word in ("--sweep", path)]


def parameter_sweep_options(wildcards):
    """--swept per column swept on the drive, --skip-time and, per unit step, --per-step."""
    options = [word for name in PARAMETER_SWEEP.sweeps[wildcards.drive]
               for word in ("--swept", name)]
    options += ["--skip-time", str(PARAMETER_SWEEP.skip_time)]
    return options + (["--per-step"] if PARAMETER_SWEEP.per_step else [])


def parameter_sweep_figure_files():
    """The figure's PNG and PDF (none without `experiments.parameter_sweep`)."""
    if PARAMETER_SWEEP is None:
        return []
    return ["results/figures/parameters_as_inputs.png", "results/figures/parameters_as_inputs.pdf"]
