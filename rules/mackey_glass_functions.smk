# Helpers of rules/mackey_glass.smk (the Mackey-Glass reservoir experiment).
import yaml

from surrogate.config.mackey_glass_spec import experiment_of

MACKEY_GLASS = experiment_of(RUN) if "mackey_glass" in config.get("experiments", {}) else None


def mackey_glass_figure_files():
    """Figure 2 (PNG and PDF), or none when the config has no experiments.mackey_glass."""
    if MACKEY_GLASS is None:
        return []
    return ["results/figures/mackey_glass.png", "results/figures/mackey_glass.pdf"]


def mackey_glass_config_text(wildcards):
    """The run's merged config as YAML, for commands that read a config file."""
    return yaml.safe_dump(config, sort_keys=True)


def mackey_glass_model(wildcards):
    return f"results/models/{MACKEY_GLASS.device}.pt"


def mackey_glass_drive(wildcards):
    """The drive of run `simulated` or `full`."""
    return MACKEY_GLASS.run(wildcards.run).drive


def mackey_glass_simulated_trace(wildcards):
    return f"results/traces/{MACKEY_GLASS.device}/{MACKEY_GLASS.simulated.drive}.npz"


def mackey_glass_simulation_pair():
    """(device, drive) of the simulated run, or None without experiments.mackey_glass."""
    if MACKEY_GLASS is None:
        return None
    return (MACKEY_GLASS.device, MACKEY_GLASS.simulated.drive)
