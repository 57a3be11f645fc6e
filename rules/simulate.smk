rule simulate:
    input:
        script="results/sims/{device}/{drive}/{device}.mx3",
        spec="results/sims/{device}/{drive}/spec.json",
    output:
        table="results/sims/{device}/{drive}/{device}.out/table.txt",
    params:
        engine=config["engine"],
        dtype=SIMULATION.get("dtype", "float64"),
        timeout=SIMULATION.get("timeout_minutes", 600),
    threads: SIMULATION.get("threads", 1)
    resources:
        gpu=simulation_gpus,
        mem_mb=SIMULATION.get("mem_mb", 2000),
        runtime=SIMULATION.get("runtime_minutes", 60),
    log:
        "results/logs/simulate/{device}/{drive}.log",
    benchmark:
        "results/benchmarks/simulate/{device}/{drive}.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate simulate --spec {input.spec} --script {input.script}"
        " --table {output.table} --engine {params.engine} --dtype {params.dtype}"
        " --threads {threads} --timeout-minutes {params.timeout} --log {log} >> {log} 2>&1"
