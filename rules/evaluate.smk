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
        "python -m surrogate evaluate {input.model} {input.trace} --json {output.result}"
        " --pred-out {output.prediction} > {log} 2>&1"
