"""Cell geometry of the disk devices and the field of a current through them. SI units.

Cells follow mumax3's layout: cell (i, j) has its centre at
((i + 1/2) c - nx c / 2, (j + 1/2) c - ny c / 2) relative to the grid centre, and
mumax3's `Circle(d)` keeps the cells whose centre lies inside the disk.
"""

from __future__ import annotations

import numpy as np

from surrogate.config.specs import SkyrmionDevice, VortexOscillator
from surrogate.physics.constants import MU0

DiskDevice = SkyrmionDevice | VortexOscillator


def cell_centres(device: DiskDevice) -> tuple[np.ndarray, np.ndarray]:
    """x, y (m) of the cell centres relative to the disk centre, each of shape (nx, ny)."""
    nx, ny, _ = device.grid
    x = (np.arange(nx) + 0.5) * device.cell_size - nx * device.cell_size / 2
    y = (np.arange(ny) + 0.5) * device.cell_size - ny * device.cell_size / 2
    return np.meshgrid(x, y, indexing="ij")


def disk_mask(device: DiskDevice) -> np.ndarray:
    """Boolean (nx, ny) mask of the magnetic cells: centres inside the disk (mumax3's Circle)."""
    x, y = cell_centres(device)
    return x**2 + y**2 <= (device.diameter / 2) ** 2


def oersted_field_per_current(device: DiskDevice) -> np.ndarray:
    """B / J (T m2/A) of shape (nx, ny, nz, 3): mu0 (-y, x, 0) / 2 inside the disk, 0 outside.

    Ampère's law for a uniform current density J along +z through the disk:
    the field is azimuthal, counter-clockwise seen from +z when J > 0.
    """
    x, y = cell_centres(device)
    b = 0.5 * MU0 * np.stack([-y, x, np.zeros_like(x)], axis=-1)
    b[~disk_mask(device)] = 0.0
    return np.repeat(b[:, :, None, :], device.grid[2], axis=2)
