rule render:
    output:
        script="results/sims/{device}/{drive}/{device}.mx3",
        spec="results/sims/{device}/{drive}/spec.json",
    params:
        spec=render_spec_json,
        out_dir=simulation_dir,
    log:
        "results/logs/render/{device}/{drive}.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate render --spec-json {params.spec:q} --device {wildcards.device}"
        " --drive {wildcards.drive} --out {params.out_dir} > {log} 2>&1"
