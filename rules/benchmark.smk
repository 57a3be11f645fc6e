# The surrogate against the engine on each main device's held-out drive: the engine's
# wall time from engine.json, the surrogate's compute-only and whole-process times.
# Snakemake's own per-rule timings live under results/benchmarks/<rule>/, apart.


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


def benchmark_files():
    return expand("results/benchmarks/{device}.json", device=RUN.main_devices())


def benchmark_flags(wildcards, input):
    """--benchmark flags, one per benchmark JSON."""
    return [word for path in input.benchmarks for word in ("--benchmark", path)]


rule benchmark:
    input:
        model="results/models/{device}.pt",
        engine=held_out_engine_json,
        evaluation=held_out_evaluation,
    output:
        "results/benchmarks/{device}.json",
    params:
        spec=held_out_config_json,
        drive=held_out_drive,
    threads: 1
    log:
        "results/logs/benchmark/{device}.log",
    benchmark:
        "results/benchmarks/benchmark/{device}.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate benchmark {input.model:q} --spec-json {params.spec:q}"
        " --device {wildcards.device:q} --drive {params.drive:q} --engine-json {input.engine:q}"
        " --eval {input.evaluation:q} --out {output:q} > {log:q} 2>&1"


rule benchmark_summary:
    input:
        benchmarks=benchmark_files(),
    output:
        report(
            "results/benchmarks/summary.tsv",
            caption="../report/benchmark_summary.rst",
            category="Benchmarks",
            labels={"table": "speed and accuracy per device"},
        ),
    params:
        benchmarks=benchmark_flags,
    log:
        "results/logs/benchmark/summary.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate benchmark-summary {params.benchmarks:q} --out {output:q} > {log:q} 2>&1"
