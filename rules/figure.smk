rule figure:
    input:
        train_trace=train_trace,
        train_pred=train_prediction,
        test_trace=test_trace,
        test_pred=test_prediction,
    output:
        report(
            "results/figures/{device}_overlay.png",
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
        "python -m surrogate figure --train-trace {input.train_trace}"
        " --train-pred {input.train_pred} --test-trace {input.test_trace}"
        " --test-pred {input.test_pred} --channel {params.channel}"
        " --title {wildcards.device:q} --out {output} > {log} 2>&1"


rule metrics:
    input:
        evaluations=evaluation_jsons(),
        reports=training_reports(),
    output:
        "results/metrics.json",
    log:
        "results/logs/metrics.log",
    conda:
        "envs/surrogate.yaml"
    shell:
        "python -m surrogate metrics $(printf -- '--eval %s ' {input.evaluations})"
        " $(printf -- '--train-report %s ' {input.reports}) --out {output} > {log} 2>&1"
