rule figure:
    localrule: True
    input:
        train_trace=train_trace,
        train_pred=train_prediction,
        test_trace=test_trace,
        test_pred=test_prediction,
    output:
        report(
            "results/figures/{device}_overlay.png",
            caption="../report/overlay.rst",
            category="Surrogate vs micromagnetics",
            labels={"device": "{device}", "figure": "simulated and predicted output"},
        ),
    params:
        channel=device_channel,
    log:
        "results/logs/figure/{device}.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate figure overlay --train-trace {input.train_trace:q}"
        " --train-pred {input.train_pred:q} --test-trace {input.test_trace:q}"
        " --test-pred {input.test_pred:q} --channel {params.channel:q}"
        " --title {wildcards.device:q} --out {output:q} > {log:q} 2>&1"


rule metrics:
    localrule: True
    input:
        evaluations=evaluation_jsons(),
        reports=training_reports(),
        benchmarks=benchmark_files(),
    output:
        "results/metrics.json",
    params:
        evaluations=evaluation_flags,
        reports=training_report_flags,
        benchmarks=benchmark_flags,
    log:
        "results/logs/metrics.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate summary metrics {params.evaluations:q} {params.reports:q}"
        " {params.benchmarks:q} --out {output:q} > {log:q} 2>&1"
