rule train:
    input:
        traces=training_traces,
    output:
        model="results/models/{device}.pt",
        weights="results/models/{device}.weights.npz",
        report="results/models/{device}.json",
    params:
        settings=model_settings_json,
    threads: train_processes
    resources:
        mem_mb=2000,
        runtime=train_runtime,
    log:
        "results/logs/train/{device}.log",
    benchmark:
        "results/benchmarks/train/{device}.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate train {input.traces:q} --out {output.model:q}"
        " --settings-json {params.settings:q} --report {output.report:q} --threads 1"
        " --quiet --resume-or-restart > {log:q} 2>&1"
