rule simulate:
    input:
        script="results/sims/{device}/{drive}/{device}.mx3",
        spec="results/sims/{device}/{drive}/spec.json",
        data=simulation_data_files,
    output:
        table="results/sims/{device}/{drive}/{device}.out/table.txt",
        engine="results/sims/{device}/{drive}/{device}.out/engine.json",
    params:
        engine=config["engine"],
        dtype=SIMULATION.dtype,
        timeout=simulation_timeout,
    threads: SIMULATION.threads
    resources:
        gpu=simulation_gpus,
        mem_mb=simulation_mem_mb,
        runtime=simulation_runtime,
    log:
        "results/logs/simulate/{device}/{drive}.log",
    benchmark:
        "results/benchmarks/simulate/{device}/{drive}.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate simulate --spec {input.spec:q} --script {input.script:q}"
        " --table {output.table:q} --engine {params.engine:q} --dtype {params.dtype:q}"
        " --threads {threads} --timeout-minutes {params.timeout:q} --log {log:q} >> {log:q} 2>&1"
