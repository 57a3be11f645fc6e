# One render rule per simulation, so that each declares the data files its script
# loads (their names depend on the drive and the device: data_file_names).
for device, drive in simulation_pairs():

    rule:
        name:
            f"render_{device}_{drive}".replace("-", "_")
        localrule: True
        input:
            drive_sources=drive_source_files(drive),
        output:
            script=f"results/sims/{device}/{drive}/{device}.mx3",
            spec=f"results/sims/{device}/{drive}/spec.json",
            data=rendered_data_files(device, drive),
        params:
            spec=render_spec_json(device, drive),
            device=device,
            drive=drive,
            out_dir=script_folder,
        log:
            f"results/logs/render/{device}/{drive}.log",
        conda:
            "envs/surrogate.yaml"
        shell:
            "python -m surrogate render --spec-json {params.spec:q} --device {params.device:q}"
            " --drive {params.drive:q} --out {params.out_dir:q} > {log:q} 2>&1"
