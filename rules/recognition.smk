# Sine/square recognition on the noisy vortex oscillator (figure 4; config
# `experiments.recognition`, surrogate.config.recognition_spec). The thermal device is
# simulated under the task's input by the generic render/simulate/extract rules; the
# Spin-NODE learns the noiseless twin; the NODE, the NODE with input noise and the
# learned stochastic model are run on the same input; one readout scores all four.

include: "recognition_common.smk"


if RECOGNITION is not None:

    rule recognition_input:
        output:
            values=recognition_drive().values_file,
            labels=f"{RECOGNITION_DIR}/labels.txt",
        params:
            periods=RECOGNITION.n_periods(recognition_drive()),
            points=RECOGNITION.points_per_period,
            seed=RECOGNITION.seed,
        log:
            "results/logs/recognition/input.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate experiment sine-square --periods {params.periods:q}"
            " --points-per-period {params.points:q} --seed {params.seed:q}"
            " --out {output.values:q} --labels {output.labels:q} > {log:q} 2>&1"

    rule recognition_train:
        input:
            trace=recognition_clean_trace,
        output:
            model=f"{RECOGNITION_DIR}/model.pt",
            weights=f"{RECOGNITION_DIR}/model.weights.npz",
            report=f"{RECOGNITION_DIR}/model.json",
        params:
            settings=recognition_model_settings,
        threads: 1
        resources:
            mem_mb=2000,
            runtime=30,
        log:
            "results/logs/recognition/train.log",
        benchmark:
            "results/benchmarks/recognition/train.tsv"
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate train {input.trace:q} --out {output.model:q}"
            " --settings-json {params.settings:q} --report {output.report:q} --threads {threads}"
            " --quiet --resume-or-restart > {log:q} 2>&1"

    rule recognition_predict:
        input:
            model=rules.recognition_train.output.model,
            trace=recognition_thermal_trace,
        output:
            f"{RECOGNITION_DIR}/node.npz",
        log:
            "results/logs/recognition/predict.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate predict {input.model:q} {input.trace:q} --out {output:q}"
            " > {log:q} 2>&1"

    rule recognition_fit_input_noise:
        input:
            model=rules.recognition_train.output.model,
            trace=recognition_thermal_trace,
        output:
            f"{RECOGNITION_DIR}/input_noise.json",
        params:
            window=recognition_training_window,
        log:
            "results/logs/recognition/fit_input_noise.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate noise fit-input {input.model:q} {input.trace:q}"
            " --window {params.window:q} --out {output:q} > {log:q} 2>&1"

    rule recognition_predict_noisy:
        input:
            model=rules.recognition_train.output.model,
            noise=rules.recognition_fit_input_noise.output,
            trace=recognition_thermal_trace,
        output:
            f"{RECOGNITION_DIR}/input_noise_paths.npz",
        params:
            samples=RECOGNITION.noisy_samples,
        log:
            "results/logs/recognition/predict_noisy.log",
        benchmark:
            "results/benchmarks/recognition/predict_noisy.tsv"
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate noise predict {input.model:q} {input.noise:q} {input.trace:q}"
            " --samples {params.samples:q} --out {output:q} > {log:q} 2>&1"

    rule recognition_fit_noise:
        input:
            model=rules.recognition_train.output.model,
            trace=recognition_thermal_trace,
        output:
            f"{RECOGNITION_DIR}/noise.json",
        params:
            window=recognition_training_window,
            lags=recognition_lags,
        log:
            "results/logs/recognition/fit_noise.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate noise fit {input.model:q} {input.trace:q}"
            " --window {params.window:q} --lags {params.lags:q} --out {output:q} > {log:q} 2>&1"

    rule recognition_sample:
        input:
            model=rules.recognition_train.output.model,
            noise=rules.recognition_fit_noise.output,
            trace=recognition_thermal_trace,
        output:
            f"{RECOGNITION_DIR}/stochastic_paths.npz",
        params:
            samples=RECOGNITION.noisy_samples,
        log:
            "results/logs/recognition/sample.log",
        benchmark:
            "results/benchmarks/recognition/sample.tsv"
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate noise sample {input.model:q} {input.noise:q} {input.trace:q}"
            " --samples {params.samples:q} --out {output:q} > {log:q} 2>&1"

    rule recognition_score:
        input:
            labels=rules.recognition_input.output.labels,
            simulation=recognition_thermal_trace,
            node=rules.recognition_predict.output,
            input_noise=rules.recognition_predict_noisy.output,
            stochastic=rules.recognition_sample.output,
        output:
            f"{RECOGNITION_DIR}/accuracy.json",
        params:
            point_time=recognition_drive().sample_time,
            train_points=RECOGNITION.n_train(recognition_drive()),
            taps=RECOGNITION.taps,
            delays=RECOGNITION.delays,
            ridge=RECOGNITION.ridge,
        log:
            "results/logs/recognition/score.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate experiment recognition-score --labels {input.labels:q}"
            " --simulation {input.simulation:q} --node {input.node:q}"
            " --input-noise {input.input_noise:q} --stochastic {input.stochastic:q}"
            " --point-time {params.point_time:q} --train-points {params.train_points:q}"
            " --taps {params.taps:q} --delays {params.delays:q} --ridge {params.ridge:q}"
            " --out {output:q} > {log:q} 2>&1"

    rule recognition_figure:
        input:
            labels=rules.recognition_input.output.labels,
            simulation=recognition_thermal_trace,
            node=rules.recognition_predict.output,
            input_noise=rules.recognition_predict_noisy.output,
            stochastic=rules.recognition_sample.output,
            accuracy=rules.recognition_score.output,
        output:
            png=report(
                "results/figures/oscillator_recognition.png",
                caption="../report/oscillator_recognition.rst",
                category="Recognition on the noisy oscillator",
            ),
            pdf=report(
                "results/figures/oscillator_recognition.pdf",
                caption="../report/oscillator_recognition.rst",
                category="Recognition on the noisy oscillator",
            ),
        params:
            point_time=recognition_drive().sample_time,
        log:
            "results/logs/recognition/figure.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate figure recognition --labels {input.labels:q}"
            " --simulation {input.simulation:q} --node {input.node:q}"
            " --input-noise {input.input_noise:q} --stochastic {input.stochastic:q}"
            " --accuracy {input.accuracy:q} --point-time {params.point_time:q}"
            " --out {output.png:q} --pdf {output.pdf:q} > {log:q} 2>&1"

    rule recognition_evaluate:
        input:
            model=rules.recognition_train.output.model,
            trace=recognition_thermal_trace,
        output:
            f"{RECOGNITION_DIR}/node_evaluation.json",
        threads: 1
        log:
            "results/logs/recognition/evaluate.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate evaluate {input.model:q} {input.trace:q} --json {output:q}"
            " > {log:q} 2>&1"
