"""Skyrmions in a disk on magnum.np, following the paper's mumax3 script. SI units.

m = +z with a Néel skyrmion (mumax3's `NeelSkyrmion(1, -1)`) seeded in a circle
of `skyrmion_diameter` at each position; relax; `settle_time` at
`alpha_settle`; then the drive at `alpha`, where each driven parameter (Ku1
and/or Dind) is its per-cell value plus the drive's offset on every magnetic
cell, as mumax3's `SetRegion` adds it to the input region.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from surrogate.config.parameters import GRAIN_PARAMETERS, MAGNUMNP_NAMES
from surrogate.config.specs import SkyrmionDevice
from surrogate.engines.magnumnp.base import (
    EngineError,
    MagnumRun,
    Numerics,
    uniform_material_maps,
)
from surrogate.physics.geometry import cell_centres, disk_mask
from surrogate.physics.regions import grain_material_maps, read_region_map, region_file_name

NUMERICS = Numerics()


def seeded_magnetization(device: SkyrmionDevice) -> np.ndarray:
    """Initial m (nx, ny, 1, 3): +z, a Néel skyrmion in each seed circle, 0 outside the disk.

    Inside a circle of `skyrmion_diameter` centred on each position, m follows
    mumax3's NeelSkyrmion(charge=1, pol=-1) with width w = 8 cells:
    mz = -2 (exp(-r^2/w^2) - 1/2), (mx, my) = (x, y)/r (1 - |mz|), then normalised.
    """
    x, y = cell_centres(device)
    m = np.zeros(x.shape + (3,))
    m[..., 2] = 1.0
    width = 8 * device.cell_size
    for x0, y0 in device.skyrmion_positions:
        dx, dy = x - x0, y - y0
        r = np.hypot(dx, dy)
        inside = r <= device.skyrmion_diameter / 2
        mz = -2.0 * (np.exp(-(r**2) / width**2) - 0.5)
        radial = np.divide(1.0 - np.abs(mz), r, out=np.zeros_like(r), where=r > 0)
        m[inside, 0] = (dx * radial)[inside]
        m[inside, 1] = (dy * radial)[inside]
        m[inside, 2] = mz[inside]
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    m[~disk_mask(device)] = 0.0
    return m[:, :, None, :]


def material_maps(device: SkyrmionDevice, data_folder: Path) -> dict[str, np.ndarray]:
    """Per-cell Ms, A, Ku, Di (nx, ny, 1, 1) and Ku_axis (nx, ny, 1, 3) of the disk (SI).

    With grains, Ku, Di and the axis come per grain from the region map that
    render wrote into `data_folder`, the file mumax3 loads with `regions.LoadFile`.
    """
    maps = uniform_material_maps(device.material, disk_mask(device)[:, :, None])
    if device.grains is None:
        return maps
    regions = read_region_map(Path(data_folder) / region_file_name(device), device)
    grains = grain_material_maps(device, regions)
    for name in GRAIN_PARAMETERS:
        values = grains[name]  # scalars (nx, ny, nz) get magnum.np's component axis
        maps[MAGNUMNP_NAMES[name]] = values[..., None] if values.ndim == 3 else values
    return maps


class SkyrmionRun(MagnumRun):
    """A `SkyrmionDevice` under any drive of Ku1 and/or Dind."""

    label = "magnum.np skyrmion"
    numerics = NUMERICS

    def magnetic_cells(self) -> np.ndarray:
        return disk_mask(self.device)[:, :, None]

    def material_maps(self) -> dict[str, np.ndarray]:
        return material_maps(self.device, self.data_folder)

    def initial_magnetization(self) -> np.ndarray:
        return seeded_magnetization(self.device)

    def energy_terms(self) -> list:
        mnp = self.mnp
        return [self.demag_field(), mnp.ExchangeField(),
                mnp.UniaxialAnisotropyField(), mnp.InterfaceDMIField()]

    def install_drive(self) -> None:
        for index, channel in enumerate(self.plan.channels):
            key = MAGNUMNP_NAMES[channel.parameter]
            static = self.static_material[key]
            self.state.material[key] = (
                lambda _state, index=index, static=static:
                static + self.drive_offset(index) * self.mask_field
            )

    def check_texture(self, stage: str, m) -> None:
        if float(m[:, 2].min()) > 0.0:
            raise EngineError(
                f"{stage}: the skyrmion was annihilated (no cell with mz < 0; "
                f"<mz> = {float(m[:, 2].mean()):.4f}); lower the drive amplitude or "
                f"reduce the cell size"
            )
