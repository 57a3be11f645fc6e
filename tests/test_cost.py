"""Scheduler requests estimated from the config, and the refusal of too-large jobs."""

from __future__ import annotations

import copy
import dataclasses
import re

import pytest

from surrogate.config.loader import parse_config
from surrogate.config.specs import SimulationSettings
from surrogate.engines.cost import (
    CostLimitError,
    cell_count,
    engine_timeout_minutes,
    retry_runtime_minutes,
    simulated_seconds,
    simulation_cost,
    train_runtime_minutes,
)

from .test_workflow import snakemake, workflow_copy

GENEROUS = SimulationSettings(runtime_minutes=10**6, mem_mb=10**7, timeout_minutes=10**6)


def default_spec(default_config, drive="train"):
    return parse_config(default_config).simulation_spec("skyrmion", drive)


def test_runtime_grows_with_cells_and_simulated_time(default_config):
    spec = default_spec(default_config)
    assert cell_count(spec) == 400
    assert simulated_seconds(spec) == pytest.approx(1e-9 + 12e-9)
    base = simulation_cost(spec, "magnumnp", GENEROUS)
    longer = dataclasses.replace(spec, drive=dataclasses.replace(spec.drive, n_periods=320))
    finer_config = copy.deepcopy(default_config)
    finer_config["devices"]["skyrmion"]["cell_size"] = 1.0e-9
    finer = default_spec(finer_config)
    assert simulation_cost(longer, "magnumnp", GENEROUS).runtime_minutes > base.runtime_minutes
    finer_cost = simulation_cost(finer, "magnumnp", GENEROUS)
    assert finer_cost.runtime_minutes > 10 * base.runtime_minutes
    assert finer_cost.mem_mb > base.mem_mb
    assert simulation_cost(finer, "mumax3", GENEROUS).runtime_minutes < finer_cost.runtime_minutes
    assert simulation_cost(spec, "auto", GENEROUS) == base


def test_engine_timeout_ends_inside_the_runtime_and_retries_get_more(default_config):
    cost = simulation_cost(default_spec(default_config), "magnumnp", GENEROUS)
    assert 0 < engine_timeout_minutes(cost.runtime_minutes, GENEROUS) < cost.runtime_minutes
    capped = dataclasses.replace(GENEROUS, timeout_minutes=2)
    assert engine_timeout_minutes(cost.runtime_minutes, capped) == 2
    assert retry_runtime_minutes(cost.runtime_minutes, 2) > cost.runtime_minutes


@pytest.mark.parametrize(("limit", "field"), [("runtime_minutes", "simulation.runtime_minutes"),
                                              ("mem_mb", "simulation.mem_mb")])
def test_estimate_over_the_limit_is_refused(default_config, limit, field):
    spec = default_spec(default_config)
    settings = dataclasses.replace(GENEROUS, **{limit: 1})
    with pytest.raises(CostLimitError, match=rf"device 'skyrmion' with drive 'train'.*{field} = 1"):
        simulation_cost(spec, "magnumnp", settings)


def test_train_runtime_covers_the_budget():
    assert train_runtime_minutes(3) > 3
    assert train_runtime_minutes(0.1) >= 1
    assert train_runtime_minutes(60) > train_runtime_minutes(30)


def job_resources(output: str, rule: str) -> list[dict[str, str]]:
    """The `resources:` of each job of `rule` in Snakemake's printout (group jobs indented)."""
    pattern = rf"^\s*(?:local)?rule {rule}:\n(?:(?!\s*(?:local)?rule ).*\n)*?\s*resources: (.*)$"
    return [dict(item.split("=", 1) for item in line.split(", "))
            for line in re.findall(pattern, output, flags=re.MULTILINE)]


def test_dry_run_requests_the_estimates(tmp_path, default_config):
    default_config["engine"] = "mumax3"
    done = snakemake(workflow_copy(tmp_path, default_config), "-n", "-p")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    run = parse_config(default_config)
    simulations = job_resources(done.stdout, "simulate")
    expected = sorted(simulation_cost(run.simulation_spec("skyrmion", drive), "mumax3",
                                      run.simulation).runtime_minutes
                      for drive in ("train", "train_b", "test"))
    assert sorted(int(job["runtime"]) for job in simulations) == expected
    assert all(job["gpu"] == "1" for job in simulations) and len(simulations) == 3
    # A local run keeps the config's engine limit: the estimate sizes scheduler requests only.
    timeouts = re.findall(r"--timeout-minutes (\S+)", done.stdout)
    assert [float(value) for value in timeouts] == [run.simulation.timeout_minutes] * 3
    (train,) = job_resources(done.stdout, "train")
    assert int(train["runtime"]) == train_runtime_minutes(default_config["model"]["max_minutes"])


def test_dry_run_refuses_a_simulation_over_the_limit(tmp_path, default_config):
    default_config["simulation"]["runtime_minutes"] = 2
    done = snakemake(workflow_copy(tmp_path, default_config), "-n")
    assert done.returncode != 0
    text = done.stdout + done.stderr
    assert "device 'skyrmion' with drive" in text
    assert "simulation.runtime_minutes = 2" in text
