rule extract:
    input:
        table="results/sims/{device}/{drive}/{device}.out/table.txt",
        spec="results/sims/{device}/{drive}/spec.json",
    output:
        trace="results/traces/{device}/{drive}.npz",
    params:
        outputs=device_output_flags,
    log:
        "results/logs/extract/{device}/{drive}.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate extract {input.table} --spec {input.spec} {params.outputs}"
        " --out {output.trace} > {log} 2>&1"
