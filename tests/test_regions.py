"""The grain region map and the per-cell grain material both engines read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from surrogate.config.specs import Grains, Material, SkyrmionDevice
from surrogate.physics.geometry import disk_mask
from surrogate.physics.regions import (
    OUTSIDE_REGION,
    RegionMapError,
    grain_material_maps,
    grain_parameters,
    grain_region_map,
    read_region_map,
    region_map_text,
)

MATERIAL = Material(Ms=580e3, Aex=15e-12, Ku1=0.8e6, Dind=3.5e-3)


def grainy(diameter: float = 120e-9, cell: float = 2e-9, **grains) -> SkyrmionDevice:
    settings = {"grain_size": 10e-9, "n_regions": 98, "seed": 7, **grains}
    return SkyrmionDevice("g", MATERIAL, diameter=diameter, thickness=1e-9, cell_size=cell,
                          skyrmion_diameter=40e-9, grains=Grains(**settings))


def test_map_is_deterministic_for_a_seed() -> None:
    first, again = grain_region_map(grainy()), grain_region_map(grainy())
    np.testing.assert_array_equal(first, again)
    assert first.shape == (60, 60, 1) and np.issubdtype(first.dtype, np.integer)
    assert np.mean(grain_region_map(grainy(seed=8)) != first) > 0.5


def test_every_disk_cell_in_a_grain_region_and_nothing_outside() -> None:
    device = grainy()
    regions = grain_region_map(device)[:, :, 0]
    inside = disk_mask(device)
    assert np.all(regions[~inside] == OUTSIDE_REGION)
    assert set(np.unique(regions[inside])) == set(range(98)), "about 113 grains fill 98 regions"
    few = grain_region_map(grainy(n_regions=5))[:, :, 0]
    assert set(np.unique(few[inside])) == set(range(5))


def test_mean_grain_size_is_the_grain_size() -> None:
    """Regions outnumber grains here, so each region is one grain.

    Grains cut by the disk's edge count whole, which makes the mean area per
    grain somewhat smaller than grain_size**2 (about 0.9**2 of it at this size);
    a centre density off by a factor 2 would give 0.64 or 1.27.
    """
    grain_size = 20e-9
    ratios = []
    for seed in range(3):
        device = grainy(diameter=300e-9, cell=3e-9, grain_size=grain_size, n_regions=250,
                        seed=seed)
        regions = grain_region_map(device)
        inside = regions != OUTSIDE_REGION
        mean_area = inside.sum() * device.cell_size**2 / len(np.unique(regions[inside]))
        ratios.append(np.sqrt(mean_area) / grain_size)
    assert 0.8 < np.mean(ratios) < 1.0, ratios


def test_material_maps_follow_the_regions() -> None:
    device = grainy()
    regions = grain_region_map(device)
    maps = grain_material_maps(device, regions)
    parameters = grain_parameters(device.material, device.grains)
    assert maps["Ku1"].shape == maps["Dind"].shape == (60, 60, 1)
    assert maps["anisotropy_axis"].shape == (60, 60, 1, 3)
    for cell in [(30, 30, 0), (10, 35, 0), (45, 20, 0)]:
        ku1, dind, axis = parameters[regions[cell]]
        assert maps["Ku1"][cell] == ku1 and maps["Dind"][cell] == dind
        np.testing.assert_array_equal(maps["anisotropy_axis"][cell], axis)
    outside = regions == OUTSIDE_REGION
    assert np.all(maps["Ku1"][outside] == 0.0) and np.all(maps["Dind"][outside] == 0.0)
    np.testing.assert_allclose(np.linalg.norm(maps["anisotropy_axis"], axis=-1), 1.0,
                               rtol=1e-12)
    assert 0.1 < np.std(maps["Ku1"][~outside]) / 0.8e6 < 0.3


def test_region_file_round_trip_and_refusals(tmp_path: Path) -> None:
    device = grainy()
    regions = grain_region_map(device)
    path = tmp_path / "g_regions.ovf"
    path.write_text(region_map_text(device, regions))
    np.testing.assert_array_equal(read_region_map(path, device), regions)
    with pytest.raises(RegionMapError, match="shape"):
        read_region_map(path, replace(device, diameter=100e-9))
    path.write_text(path.read_text().replace("\n255.0\n", "\n254.5\n", 1))
    with pytest.raises(RegionMapError, match=f"{path}: region values must be"):
        read_region_map(path, device)
    broken = regions.copy()
    broken[30, 30, 0] = OUTSIDE_REGION
    with pytest.raises(RegionMapError, match="every disk cell"):
        grain_material_maps(device, broken)
    with pytest.raises(RegionMapError, match="'device.grains'"):
        grain_region_map(replace(device, grains=None))
