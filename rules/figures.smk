# `snakemake figures`: the paper's figures 1 (skyrmion, k = 1 and the main model) and 5 (speed
# against accuracy) and the benchmark table. The experiments' figure files join
# figure_files() at merge through their own <key>_figure_files() functions.


include: "figures_common.smk"


rule figures:
    input:
        figure_files(),


rule train_k1:
    input:
        traces=training_traces,
    output:
        model="results/models/{device}_k1.pt",
        weights="results/models/{device}_k1.weights.npz",
        report="results/models/{device}_k1.json",
    params:
        settings=k1_settings_json,
    threads: train_processes
    resources:
        mem_mb=2000,
        runtime=train_runtime,
    log:
        "results/logs/train/{device}_k1.log",
    benchmark:
        "results/benchmarks/train/{device}_k1.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate train {input.traces:q} --out {output.model:q}"
        " --settings-json {params.settings:q} --report {output.report:q} --threads 1"
        " --quiet --resume-or-restart > {log:q} 2>&1"


rule evaluate_k1:
    input:
        model="results/models/{device}_k1.pt",
        trace="results/traces/{device}/{drive}.npz",
    output:
        result="results/eval/{device}_k1/{drive}.json",
        prediction="results/predictions/{device}_k1/{drive}.npz",
    threads: 1
    log:
        "results/logs/evaluate/{device}_k1/{drive}.log",
    benchmark:
        "results/benchmarks/evaluate/{device}_k1/{drive}.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate evaluate {input.model:q} {input.trace:q} --json {output.result:q}"
        " --pred-out {output.prediction:q} > {log:q} 2>&1"


rule skyrmion_figure:
    input:
        unpack(skyrmion_figure_inputs),
    output:
        png=report(
            "results/figures/skyrmion.png",
            caption="../report/skyrmion.rst",
            category="Figures",
            labels={"figure": "1: skyrmion, k = 1 and the main model"},
        ),
        pdf="results/figures/skyrmion.pdf",
    params:
        channel=skyrmion_figure_channel,
    log:
        "results/logs/figure/skyrmion.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate figure skyrmion --train-trace {input.train_trace:q}"
        " --test-trace {input.test_trace:q}"
        " --model {input.k1_model:q} --train-pred {input.k1_train:q} --test-pred {input.k1_test:q}"
        " --model {input.main_model:q} --train-pred {input.main_train:q}"
        " --test-pred {input.main_test:q} --channel {params.channel:q}"
        " --out {output.png:q} --out {output.pdf:q} > {log:q} 2>&1"


rule speed_accuracy_figure:
    input:
        benchmarks=figure_benchmark_files,
    output:
        png=report(
            "results/figures/speed_accuracy.png",
            caption="../report/speed_accuracy.rst",
            category="Figures",
            labels={"figure": "5: speed against accuracy"},
        ),
        pdf="results/figures/speed_accuracy.pdf",
    params:
        benchmarks=benchmark_flags,
    log:
        "results/logs/figure/speed_accuracy.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate figure speed {params.benchmarks:q}"
        " --out {output.png:q} --out {output.pdf:q} > {log:q} 2>&1"
