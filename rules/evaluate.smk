rule evaluate:
    input:
        model="results/models/{device}.pt",
        trace="results/traces/{device}/{drive}.npz",
    output:
        result="results/eval/{device}/{drive}.json",
        prediction="results/predictions/{device}/{drive}.npz",
    threads: 1
    log:
        "results/logs/evaluate/{device}/{drive}.log",
    benchmark:
        "results/benchmarks/evaluate/{device}/{drive}.tsv"
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate evaluate {input.model:q} {input.trace:q} --json {output.result:q}"
        " --pred-out {output.prediction:q} > {log:q} 2>&1"
