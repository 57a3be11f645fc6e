rule extract:
    localrule: True
    input:
        table="results/sims/{device}/{drive}/{device}.out/table.txt",
        spec="results/sims/{device}/{drive}/spec.json",
        engine="results/sims/{device}/{drive}/{device}.out/engine.json",
    output:
        trace="results/traces/{device}/{drive}.npz",
    wildcard_constraints:
        device=name_pattern(RUN.devices),
    params:
        outputs=device_output_flags,
    log:
        "results/logs/extract/{device}/{drive}.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate extract {input.table:q} --spec {input.spec:q} {params.outputs:q}"
        " --out {output.trace:q} > {log:q} 2>&1"


# A device with `source: imported` has its traces read from existing mumax3 tables.
rule import_table:
    input:
        table=imported_table,
    output:
        trace="results/traces/{device}/{drive}.npz",
    wildcard_constraints:
        device=name_pattern(RUN.imported),
    params:
        inputs=imported_input_flags,
        window=imported_window_flags,
        outputs=device_output_flags,
    log:
        "results/logs/import_table/{device}/{drive}.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate import-mumax3 {input.table:q} {params.inputs:q} {params.outputs:q}"
        " {params.window:q} --out {output.trace:q} > {log:q} 2>&1"
