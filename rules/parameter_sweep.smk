# Parameters as inputs (figure 3, the paper's Fig. 4): the two-input device's Spin-NODE
# predicts each sweep drive (rule evaluate); parameter_sweep measures the amplitude and
# frequency of the output per held input value in both; one figure shows them all.

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


if PARAMETER_SWEEP is not None:

    rule parameter_sweep:
        input:
            trace="results/traces/{device}/{drive}.npz",
            prediction="results/predictions/{device}/{drive}.npz",
        output:
            "results/parameter_sweep/{device}/{drive}.json",
        params:
            options=parameter_sweep_options,
        log:
            "results/logs/parameter_sweep/{device}/{drive}.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate parameter-sweep {input.trace:q} {input.prediction:q}"
            " {params.options:q} --out {output:q} > {log:q} 2>&1"


    rule parameter_sweep_figure:
        input:
            sweeps=parameter_sweep_jsons(),
        output:
            png=report(
                "results/figures/parameters_as_inputs.png",
                caption="../report/parameters_as_inputs.rst",
                category="Parameters as inputs",
            ),
            pdf=report(
                "results/figures/parameters_as_inputs.pdf",
                caption="../report/parameters_as_inputs.rst",
                category="Parameters as inputs",
            ),
        params:
            sweeps=parameter_sweep_flags,
            title=f"Parameters as inputs: device {PARAMETER_SWEEP.device}",
        log:
            "results/logs/parameter_sweep/figure.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate parameter-sweep-figure {params.sweeps:q} --png {output.png:q}"
            " --pdf {output.pdf:q} --title {params.title:q} > {log:q} 2>&1"
