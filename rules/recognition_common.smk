# Helpers of rules/recognition.smk (figure 4): the experiment's settings and paths.

from surrogate.config.recognition_spec import RecognitionExperiment

RECOGNITION = (
    RecognitionExperiment.from_dict(config["experiments"]["recognition"], "config")
    if "recognition" in config.get("experiments", {})
    else None
)
if RECOGNITION is not None:
    RECOGNITION.check_against(RUN.devices, RUN.drives, "config")
RECOGNITION_DIR = "results/recognition"


def recognition_figure_files():
    """Figure 4 (PNG and PDF), or none when the config has no recognition experiment."""
    if RECOGNITION is None:
        return []
    return [f"results/figures/oscillator_recognition.{ext}" for ext in ("png", "pdf")]


def recognition_drive():
    return RUN.drives[RECOGNITION.drive]


def recognition_thermal_trace(wildcards):
    return f"results/traces/{RECOGNITION.thermal_device}/{RECOGNITION.drive}.npz"


def recognition_clean_trace(wildcards):
    device = RECOGNITION.clean_device
    return f"results/traces/{device}/{RUN.train_drive_of(device)}.npz"


def recognition_model_settings(wildcards):
    """The experiment's TrainSettings overrides, for `surrogate train`."""
    return json.dumps(RECOGNITION.model, sort_keys=True)


def recognition_training_window(wildcards):
    """START:STOP (s, the thermal trace's clock) of the points the readout is fitted on.

    The trace's clock starts at the device's settle_time, where the drive begins."""
    start = RUN.devices[RECOGNITION.thermal_device].settle_time
    stop = start + RECOGNITION.n_train(recognition_drive()) * recognition_drive().sample_time
    return f"{start!r}:{stop!r}"


def recognition_lags(wildcards):
    return "{}:{}".format(*RECOGNITION.noise_lags)
