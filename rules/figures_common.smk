# Helper functions of rules/figures.smk (snakemake --lint wants functions apart from rules).

K1_SETTINGS = {"k": 1, "n_aug": 0}  # the paper's baseline model: no delay embedding, no latent


def skyrmion_figure_device():
    """The device of figure 1, or None when there is none: the first main imported device
    driven by Ku1 alone (a user's own one-skyrmion tables), else the first main simulated
    device of kind skyrmion."""
    imported = [name for name in RUN.main_devices() if name in RUN.imported
                and RUN.imported[name].driven_parameters() == ("Ku1",)]
    simulated = [name for name in RUN.main_devices()
                 if name in RUN.devices and RUN.devices[name].kind == "skyrmion"]
    names = imported + simulated
    return names[0] if names else None


def k1_settings_json(wildcards):
    """The typed model section (RUN.model) with k overridden to 1."""
    settings = dataclasses.replace(RUN.model, **K1_SETTINGS)
    return json.dumps(dataclasses.asdict(settings), sort_keys=True)


def k1_prediction(drive_of):
    """The k = 1 model's prediction of the figure device's drive (`drive_of` picks it)."""
    device = skyrmion_figure_device()
    return f"results/predictions/{device}_k1/{drive_of(device)}.npz"


def main_prediction(drive_of):
    device = skyrmion_figure_device()
    return f"results/predictions/{device}/{drive_of(device)}.npz"


def figure_trace(drive_of):
    device = skyrmion_figure_device()
    return f"results/traces/{device}/{drive_of(device)}.npz"


def skyrmion_figure_inputs(wildcards):
    device = skyrmion_figure_device()
    return {
        "train_trace": figure_trace(RUN.train_drive_of),
        "test_trace": figure_trace(RUN.test_drive_of),
        "k1_model": f"results/models/{device}_k1.pt",
        "k1_train": k1_prediction(RUN.train_drive_of),
        "k1_test": k1_prediction(RUN.test_drive_of),
        "main_model": f"results/models/{device}.pt",
        "main_train": main_prediction(RUN.train_drive_of),
        "main_test": main_prediction(RUN.test_drive_of),
    }


def skyrmion_figure_channel(wildcards):
    return RUN.outputs_of(skyrmion_figure_device())[0]


def figure_files():
    """Every file `snakemake figures` builds: figures 1 and 5, the benchmark table and
    the figures of the config's experiments."""
    files = ["results/benchmarks/summary.tsv",
             *expand("results/figures/speed_accuracy.{ext}", ext=("png", "pdf"))]
    if skyrmion_figure_device() is not None:
        files += expand("results/figures/skyrmion.{ext}", ext=("png", "pdf"))
    return (files + parameter_sweep_figure_files() + mackey_glass_figure_files()
            + recognition_figure_files())
