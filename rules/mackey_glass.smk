# Mackey-Glass reservoir computing (the paper's Fig. 2): the masked drive of
# experiments.mackey_glass simulated by the micromagnetic engine and forecast by the
# device's Spin-NODE, ridge readouts of both, and figure 2.
include: "mackey_glass_functions.smk"


wildcard_constraints:
    run="simulated|full",


# The simulated run's render rule, unless rules/render.smk already renders that pair.
if mackey_glass_simulation_pair() not in [None, *simulation_pairs()]:
    _device, _drive = mackey_glass_simulation_pair()

    rule render_mackey_glass:
        output:
            script=f"results/sims/{_device}/{_drive}/{_device}.mx3",
            spec=f"results/sims/{_device}/{_drive}/spec.json",
            data=rendered_data_files(_device, _drive),
        params:
            spec=render_spec_json(_device, _drive),
            device=_device,
            drive=_drive,
            out_dir=script_folder,
        log:
            f"results/logs/render/{_device}/{_drive}.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate render --spec-json {params.spec:q} --device {params.device:q}"
            " --drive {params.drive:q} --out {params.out_dir:q} > {log:q} 2>&1"


rule mackey_glass_config:
    output:
        "results/mackey_glass/config.yaml",
    params:
        text=mackey_glass_config_text,
    log:
        "results/logs/mackey_glass/config.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "printf '%s\\n' {params.text:q} > {output:q} 2> {log:q}"


rule mackey_glass_node:
    input:
        model=mackey_glass_model,
        config="results/mackey_glass/config.yaml",
    output:
        "results/mackey_glass/node_{run}.npz",
    params:
        drive=mackey_glass_drive,
    threads: 1
    log:
        "results/logs/mackey_glass/node_{run}.log",
    benchmark:
        "results/benchmarks/mackey_glass/node_{run}.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate predict {input.model:q} --drive {input.config:q}:{params.drive:q}"
        " --out {output:q} > {log:q} 2>&1"


rule mackey_glass_reservoir_node:
    input:
        config="results/mackey_glass/config.yaml",
        trace="results/mackey_glass/node_{run}.npz",
    output:
        "results/mackey_glass/node_{run}.json",
    log:
        "results/logs/mackey_glass/reservoir_node_{run}.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate experiment reservoir {input.config:q} {input.trace:q} --run {wildcards.run:q}"
        " --out {output:q} > {log:q} 2>&1"


rule mackey_glass_reservoir_micromagnetic:
    input:
        config="results/mackey_glass/config.yaml",
        trace=mackey_glass_simulated_trace,
    output:
        "results/mackey_glass/micromagnetic_simulated.json",
    log:
        "results/logs/mackey_glass/reservoir_micromagnetic.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate experiment reservoir {input.config:q} {input.trace:q} --run simulated"
        " --out {output:q} > {log:q} 2>&1"


rule mackey_glass_figure:
    input:
        simulated="results/mackey_glass/micromagnetic_simulated.json",
        node_simulated="results/mackey_glass/node_simulated.json",
        node_full="results/mackey_glass/node_full.json",
        node_full_benchmark="results/benchmarks/mackey_glass/node_full.tsv",
    output:
        png=report(
            "results/figures/mackey_glass.png",
            caption="../report/mackey_glass.rst",
            category="Mackey-Glass reservoir",
        ),
        pdf=report(
            "results/figures/mackey_glass.pdf",
            caption="../report/mackey_glass.rst",
            category="Mackey-Glass reservoir",
        ),
        summary="results/mackey_glass/summary.json",
    log:
        "results/logs/mackey_glass/figure.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate figure mackey-glass --simulated {input.simulated:q}"
        " --node-simulated {input.node_simulated:q} --node-full {input.node_full:q}"
        " --node-full-benchmark {input.node_full_benchmark:q} --out {output.png:q}"
        " --out {output.pdf:q} --summary {output.summary:q} > {log:q} 2>&1"
