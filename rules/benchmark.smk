# The surrogate against the engine on each main device's held-out drive: the engine's
# wall time from engine.json, the surrogate's compute-only and whole-process times.
# Snakemake's own per-rule timings live under results/benchmarks/<rule>/, apart.


include: "benchmark_common.smk"


rule benchmark:
    input:
        model=benchmarked_model,
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
        benchmarks=figure_benchmark_files,
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
        "python -m surrogate summary benchmarks {params.benchmarks:q} --out {output:q} > {log:q} 2>&1"
