# Parameters as inputs (figure 3, the paper's Fig. 4): the two-input device's Spin-NODE
# predicts each sweep drive (rule evaluate); parameter_sweep measures the amplitude and
# frequency of the output per held input value in both; one figure shows them all.

include: "parameter_sweep_helpers.smk"


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
            "python -m surrogate experiment parameter-sweep {input.trace:q} {input.prediction:q}"
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
            "python -m surrogate figure parameters {params.sweeps:q} --png {output.png:q}"
            " --pdf {output.pdf:q} --title {params.title:q} > {log:q} 2>&1"
