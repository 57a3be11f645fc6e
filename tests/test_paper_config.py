"""The paper profile (profiles/paper): every device x drive renders for mumax3 at full size.

Render only: mumax3 cannot run here. There is no script parser in the mumax3 test
double (tests/doubles/ checks command lines and tables only), so the scripts are read
back with the project's own parser of mumax3 scripts (`script_parameters`), which is
what `import-mumax3` uses on real mumax3 runs.
"""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from snakemake.utils import update_config

from surrogate.config.loader import parse_config, read_yaml
from surrogate.engines.mumax3.table_import import script_parameters
from surrogate.pipeline import render_stage

from .conftest import REPO

PROFILE = REPO / "profiles" / "paper" / "config.yaml"
LOADED = re.compile(r'LoadFile\("(?P<name>[^"]+)"\)')


def paper_config() -> dict:
    """config.yaml with the profile's config files merged over it in order, as Snakemake does."""
    merged = copy.deepcopy(read_yaml(REPO / "config.yaml"))
    for path in yaml.safe_load(PROFILE.read_text())["configfile"]:
        update_config(merged, read_yaml(REPO / path))
    return merged


@pytest.fixture(scope="module")
def run():
    return parse_config(paper_config(), str(PROFILE))


def test_the_paper_profile_runs_the_paper_devices_on_mumax3(run):
    assert run.engine == "mumax3"
    assert set(run.main_devices()) == {"skyrmion", "four_skyrmions", "two_inputs", "vortex_sto"}
    sky, four = run.devices["skyrmion"], run.devices["four_skyrmions"]
    assert (sky.diameter, sky.cell_size, sky.material.Ku1) == (8.0e-8, 1.0e-9, 8.0e5)
    assert (four.diameter, four.cell_size, four.material.Ku1) == (1.2e-7, 1.0e-9, 8.0e5)
    assert run.drives["train"].amplitude == 1.0e5
    assert run.devices["vortex_sto"].temperature == 300.0


def test_every_device_and_drive_of_the_paper_renders(run, tmp_path):
    grids = {"skyrmion": [80.0, 80.0, 1.0], "four_skyrmions": [120.0, 120.0, 1.0],
             "two_inputs": [100.0, 100.0, 1.0]}
    for device in run.main_devices():
        for drive in (run.train_drive_of(device), run.test_drive_of(device)):
            folder = tmp_path / device / drive
            script = render_stage(run, device, drive, folder)
            text = script.read_text()
            parameters = script_parameters(text)
            assert parameters["TableAutosave"] == [[run.sample_period]]
            if device in grids:
                assert parameters["SetGridsize"] == [grids[device]]
                assert parameters["SetCellsize"] == [[1.0e-9, 1.0e-9, 1.0e-9]]
            loaded = LOADED.findall(text)
            assert loaded, f"{script}: loads no drive file"
            for name in loaded:
                assert (folder / name).is_file(), f"{script} loads {name}, which is not there"
