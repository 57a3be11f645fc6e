"""Grains of a disk device: a seeded Voronoi region map and the material of each grain. SI units.

The map is modelled on mumax3's `ext_makegrains(grainsize, numRegions, seed)`
(engine/ext_makegrains.go of mumax/3, the version with that signature):

- Grain centres form a Poisson point process of density 1 / grain_size**2, so
  the mean grain area is grain_size**2 (mumax3 draws Poisson(4) centres in
  tiles of 2 grain_size). Here the centres cover the grid plus two grain sizes
  on every side, so the cells at the edge see their true nearest centre.
- A cell belongs to the grain whose centre is nearest to the cell centre in the
  plane (mumax3 measures x, y distances too); every layer gets the same map.
- Regions: mumax3 draws each grain's region uniformly from 0..numRegions-1, so
  neighbouring grains may share a region and some regions may stay empty. Here
  the grains that touch the disk get the regions 0, 1, ..., n_regions-1 in a
  random order, cycling, so that no region is empty while grains remain and
  neighbours share a region only when there are more grains than regions.

Cells outside the disk get region OUTSIDE_REGION. Both engines read the map
from one OVF file that render writes (mumax3 with `regions.LoadFile`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from surrogate.config.parameters import GRAIN_PARAMETERS, PARAMETERS
from surrogate.config.specs import Grains, Material, SkyrmionDevice
from surrogate.io.ovf import OvfError, format_ovf_text, read_ovf
from surrogate.physics.geometry import cell_centres, disk_mask

#: Region of the cells outside the disk (no magnetisation there); mumax3 has regions 0..255.
OUTSIDE_REGION = 255


class RegionMapError(ValueError):
    """A region map or its file does not fit the device; the message names the file or field."""


def _streams(grains: Grains) -> tuple[np.random.Generator, np.random.Generator]:
    """Independent random streams from `grains.seed`: one for the layout, one for the material."""
    layout, material = np.random.SeedSequence(grains.seed).spawn(2)
    return np.random.default_rng(layout), np.random.default_rng(material)


def _grains_of(device: SkyrmionDevice) -> Grains:
    grains = device.grains
    if grains is None:
        raise RegionMapError(f"device '{device.name}': field 'device.grains' is not set")
    if not grains.grain_size > 0:
        raise RegionMapError(
            f"device '{device.name}': field 'device.grains.grain_size' must be > 0, "
            f"got {grains.grain_size!r}"
        )
    if not 1 <= grains.n_regions <= OUTSIDE_REGION:
        raise RegionMapError(
            f"device '{device.name}': field 'device.grains.n_regions' must be 1..{OUTSIDE_REGION}, "
            f"got {grains.n_regions!r}"
        )
    return grains


def grain_region_map(device: SkyrmionDevice) -> np.ndarray:
    """Region of every cell, integers of shape (nx, ny, nz), reproducible from the grains' seed.

    Cells inside the disk hold 0..n_regions-1, cells outside OUTSIDE_REGION.
    """
    grains = _grains_of(device)
    rng, _ = _streams(grains)
    x, y = cell_centres(device)
    inside = disk_mask(device)
    margin = 2.0 * grains.grain_size
    low = np.array([x.min(), y.min()]) - device.cell_size / 2 - margin
    high = np.array([x.max(), y.max()]) + device.cell_size / 2 + margin
    count = rng.poisson(np.prod(high - low) / grains.grain_size**2)
    centres = rng.uniform(low, high, size=(max(count, 1), 2))
    cells = np.column_stack([x[inside], y[inside]])
    nearest = np.full(len(cells), np.inf)
    grain_of_cell = np.zeros(len(cells), dtype=np.int64)
    for index, centre in enumerate(centres):
        squared = ((cells - centre) ** 2).sum(axis=1)
        closer = squared < nearest
        nearest[closer] = squared[closer]
        grain_of_cell[closer] = index
    touching, grain_index = np.unique(grain_of_cell, return_inverse=True)
    region_of_grain = rng.permutation(len(touching)) % grains.n_regions
    regions = np.full(x.shape, OUTSIDE_REGION, dtype=np.int64)
    regions[inside] = region_of_grain[grain_index]
    return np.repeat(regions[:, :, None], device.grid[2], axis=2)


def grain_parameters(material: Material, grains: Grains) -> list[tuple[float, float, tuple]]:
    """Per-region (Ku1 in J/m3, Dind in J/m2, unit anisotropy axis), drawn from `grains.seed`.

    Ku1 and Dind are Gaussian around the material's values with relative
    spreads ku1_sigma and dind_sigma; the axis is (tx, ty, 1) normalised, with
    tx, ty uniform in [-axis_tilt, axis_tilt].
    """
    _, rng = _streams(grains)
    ku1 = material.Ku1 * (1.0 + grains.ku1_sigma * rng.standard_normal(grains.n_regions))
    dind = material.Dind * (1.0 + grains.dind_sigma * rng.standard_normal(grains.n_regions))
    tilt = rng.uniform(-grains.axis_tilt, grains.axis_tilt, size=(grains.n_regions, 2))
    axes = np.column_stack([tilt, np.ones(grains.n_regions)])
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    drawn = {"Ku1": [float(k) for k in ku1], "Dind": [float(d) for d in dind],
             "anisotropy_axis": [tuple(float(c) for c in a) for a in axes]}
    return list(zip(*(drawn[name] for name in GRAIN_PARAMETERS), strict=True))


def _check_map(device: SkyrmionDevice, region_map: np.ndarray, source: str) -> np.ndarray:
    grains = _grains_of(device)
    region_map = np.asarray(region_map)
    if region_map.shape != tuple(device.grid):
        raise RegionMapError(
            f"{source}: region map has shape {region_map.shape}, device '{device.name}' "
            f"has grid {tuple(device.grid)}"
        )
    inside = np.repeat(disk_mask(device)[:, :, None], device.grid[2], axis=2)
    bad = inside & ((region_map < 0) | (region_map >= grains.n_regions))
    if bad.any() or np.any(region_map[~inside] != OUTSIDE_REGION):
        raise RegionMapError(
            f"{source}: every disk cell must hold a grain region 0..{grains.n_regions - 1} "
            f"and every other cell {OUTSIDE_REGION}"
        )
    return region_map.astype(np.int64)


def grain_material_maps(device: SkyrmionDevice, region_map: np.ndarray) -> dict[str, np.ndarray]:
    """Per-cell material of a grainy device for the CPU engine.

    Returns "Ku1" (J/m3) and "Dind" (J/m2) of shape (nx, ny, nz), 0 outside the
    disk, and "anisotropy_axis" (unit vectors) of shape (nx, ny, nz, 3), the
    material's axis outside the disk. Each grain region carries its values
    from grain_parameters, the ones the mumax3 script sets.
    """
    region_map = _check_map(device, region_map, f"device '{device.name}'")
    parameters = grain_parameters(device.material, device.grains)
    index = np.where(region_map == OUTSIDE_REGION, len(parameters), region_map)
    maps = {}
    for name in GRAIN_PARAMETERS:
        position = PARAMETERS[name].grain_index
        outside = (tuple(device.material.anisotropy_axis) if name == "anisotropy_axis"
                   else 0.0)
        values = np.array([p[position] for p in parameters] + [outside], dtype=np.float64)
        maps[name] = values[index]
    return maps


def region_file_name(device: SkyrmionDevice) -> str:
    """Name of the region-map file render writes beside the script."""
    return f"{device.name}_regions.ovf"


def region_map_text(device: SkyrmionDevice, region_map: np.ndarray) -> str:
    """The region map as OVF2 text: one value a cell, x fastest, on the device's mesh (m)."""
    region_map = _check_map(device, region_map, f"device '{device.name}'")
    cell = device.cell
    return format_ovf_text(region_map.astype(np.float64), cell, title="regions",
                           labels=("region",))


def read_region_map(path: str | Path, device: SkyrmionDevice) -> np.ndarray:
    """Read a region-map OVF file written by render; errors name the file."""
    try:
        field = read_ovf(path)
    except OvfError as exc:
        raise RegionMapError(str(exc)) from exc
    values = field.values[..., 0]
    if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
        raise RegionMapError(f"{path}: region values must be finite whole numbers")
    return _check_map(device, values.astype(np.int64), str(path))
