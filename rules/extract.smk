rule extract:
    localrule: True
    input:
        table="results/sims/{device}/{drive}/{device}.out/table.txt",
        spec="results/sims/{device}/{drive}/spec.json",
        engine="results/sims/{device}/{drive}/{device}.out/engine.json",
    output:
        trace="results/traces/{device}/{drive}.npz",
    params:
        outputs=device_output_flags,
    log:
        "results/logs/extract/{device}/{drive}.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate extract {input.table:q} --spec {input.spec:q} {params.outputs:q}"
        " --out {output.trace:q} > {log:q} 2>&1"
