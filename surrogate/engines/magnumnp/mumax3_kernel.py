"""mumax3's demagnetising kernel, for magnum.np's `DemagField` (SI units).

Follows mumax3's mag/demagkernel.go (`CalcDemagKernel`, no periodic boundaries):
the field of a source cell is the field of its two charged faces, each a grid
of point charges, averaged over a grid of points in the destination cell. The
number of points grows as the cells get closer: with d the smallest distance
between the two cells (the smallest cell size for touching cells), every cell
edge c is cut into round(max(c accuracy / d, 1)) destination points, and into
twice that many source points on the faces (mumax3's staggering). Each value
is rounded to float32, as mumax3 stores it.

Here the sums run over the distinct point-to-point distances along each axis,
each weighted by how often it occurs, instead of over every pair of points:
the same sum in a different order, so the values agree with mumax3's to
float32 rounding, and the kernel of a 100 x 100 film takes well under a second.

The kernel K maps Ms m to the demagnetising field H (A/m), H = K * (Ms m)
(a convolution), so the self term of a cube is -1/3 on the diagonal.
"""

from __future__ import annotations

import numpy as np

#: mumax3's default DemagAccuracy (engine/demag.go): integration points per cell-to-cell distance.
MUMAX3_DEMAG_ACCURACY = 6.0
#: Kernel components computed; the others follow from K_ij = K_ji.
COMPONENTS = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
#: Largest number of field evaluations held in memory at once.
CHUNK_EVALUATIONS = 2_000_000


def padded_shape(grid: tuple[int, int, int]) -> tuple[int, int, int]:
    """magnum.np's zero-padded FFT shape: 2 n along every axis with more than one cell."""
    return tuple(2 * n if n > 1 else 1 for n in grid)


def _points_per_edge(offsets: np.ndarray, cell: np.ndarray, accuracy: float) -> np.ndarray:
    """Destination points per cell edge (offsets, 3) for cell offsets (offsets, 3) (integers)."""
    gap = np.maximum(offsets - 1, 0) * cell
    distance = np.linalg.norm(gap, axis=1)
    distance[distance == 0] = cell.min()
    max_size = distance / accuracy
    return (np.maximum(cell[None, :] / max_size[:, None], 1.0) + 0.5).astype(np.int64)


def _distinct_differences(n_destination: int, n_source: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (destination - source) point offsets along one edge, in units of the edge, and
    how often each occurs; points sit at the centres of n equal parts of the edge."""
    k = np.arange(n_destination)[:, None]
    j = np.arange(n_source)[None, :]
    numerator = (2 * k + 1) * n_source - (2 * j + 1) * n_destination  # over 2 n_dest n_source
    values, counts = np.unique(numerator.ravel(), return_counts=True)
    return values / (2 * n_destination * n_source), counts.astype(np.float64)


def _field_of_faces(offsets: np.ndarray, counts: np.ndarray, cell: np.ndarray,
                    source: int) -> np.ndarray:
    """Field (offsets, 3) at cells `offsets` from the two faces normal to axis `source` of a
    cell with unit magnetisation along `source`, averaged over the destination cell.

    All offsets share the point `counts` (3,) per edge.
    """
    u, v, w = source, (source + 1) % 3, (source + 2) % 3
    axis_u = (np.arange(counts[u]) + 0.5) / counts[u] - 0.5  # destination points along u
    along_v, weight_v = _distinct_differences(counts[v], 2 * counts[v])
    along_w, weight_w = _distinct_differences(counts[w], 2 * counts[w])
    n_points = counts[0] * counts[1] * counts[2] * 4 * counts[v] * counts[w]
    charge = cell[v] * cell[w] / n_points
    weight = (weight_v[:, None] * weight_w[None, :])[None, None]
    field = np.zeros((len(offsets), 3))
    per_offset = len(axis_u) * len(along_v) * len(along_w)
    chunk = max(1, CHUNK_EVALUATIONS // per_offset)
    for first in range(0, len(offsets), chunk):
        centre = offsets[first:first + chunk] * cell  # (chunk, 3) destination cell centres
        for pole, sign in ((0.5, 1.0), (-0.5, -1.0)):
            r = [None, None, None]
            r[u] = (centre[:, u, None, None, None]
                    + (axis_u[None, :, None, None] - pole) * cell[u])
            r[v] = centre[:, v, None, None, None] + along_v[None, None, :, None] * cell[v]
            r[w] = centre[:, w, None, None, None] + along_w[None, None, None, :] * cell[w]
            r_cubed = (r[0] ** 2 + r[1] ** 2 + r[2] ** 2) ** 1.5
            for axis in range(3):
                field[first:first + chunk, axis] += sign * np.sum(
                    weight * r[axis] / (4 * np.pi * r_cubed), axis=(1, 2, 3))
    return field * charge


def _mirror(values: np.ndarray, odd_axes: tuple[int, ...]) -> np.ndarray:
    """Fill the negative offsets (wrapped indices above the middle) of a padded kernel
    component from the positive ones: even along every axis but `odd_axes`."""
    for axis, size in enumerate(values.shape):
        if size == 1:
            continue
        half = size // 2
        source = np.take(values, np.arange(half - 1, 0, -1), axis=axis)
        target = [slice(None)] * 3
        target[axis] = slice(half + 1, size)
        values[tuple(target)] = -source if axis in odd_axes else source
    return values


def mumax3_kernel(grid: tuple[int, int, int], cell: tuple[float, float, float],
                  accuracy: float = MUMAX3_DEMAG_ACCURACY) -> dict[tuple[int, int], np.ndarray]:
    """mumax3's demag kernel of a `grid` of cells of size `cell` (m), no periodic boundaries.

    Returns the components (i, j) of COMPONENTS, each on `padded_shape(grid)` in
    wrapped index order (offset -k at index size - k), float32-rounded values
    as float64. Offsets beyond n - 1 cells, which no cell pair has, are 0, and so
    are xz and yz of a single layer.
    """
    grid = tuple(int(n) for n in grid)
    cell_size = np.asarray(cell, dtype=np.float64)
    if len(grid) != 3 or min(grid) < 1:
        raise ValueError(f"mumax3_kernel: grid {grid} is not three positive cell counts")
    if cell_size.shape != (3,) or not np.all(np.isfinite(cell_size)) or cell_size.min() <= 0:
        raise ValueError(f"mumax3_kernel: cell {tuple(cell)} is not three positive sizes (m)")
    if not accuracy > 0:
        raise ValueError(f"mumax3_kernel: accuracy {accuracy} must be positive")
    offsets = np.stack(np.meshgrid(*(np.arange(n) for n in grid), indexing="ij"),
                       axis=-1).reshape(-1, 3)
    counts = _points_per_edge(offsets, cell_size, accuracy)
    field = np.zeros((3, len(offsets), 3))  # source axis, offset, field axis
    groups, group_of = np.unique(counts, axis=0, return_inverse=True)
    for index, group_counts in enumerate(groups):
        members = np.flatnonzero(group_of.ravel() == index)
        for source in range(3):
            field[source, members] = _field_of_faces(offsets[members], group_counts, cell_size,
                                                     source)
    shape = padded_shape(grid)
    kernel = {}
    for i, j in COMPONENTS:
        values = np.zeros(shape)
        if grid[2] > 1 or 2 not in (i, j) or i == j:  # a single layer has no xz, yz (as mumax3)
            values[tuple(offsets.T)] = field[i, :, j].astype(np.float32)
        odd_axes = () if i == j else (i, j)
        kernel[(i, j)] = _mirror(values, odd_axes)
    return kernel


def mumax3_kernel_spectrum(grid: tuple[int, int, int], cell: tuple[float, float, float],
                           dtype, device, accuracy: float = MUMAX3_DEMAG_ACCURACY) -> list[list]:
    """mumax3's kernel in magnum.np's `DemagField._N` layout: the 3 x 3 nested list of the
    real parts of the kernel's rfft over the axes with more than one cell, as torch tensors
    of `dtype` on `device`."""
    import torch

    kernel = mumax3_kernel(grid, cell, accuracy)
    axes = [axis for axis, n in enumerate(grid) if n > 1]

    def spectrum(values: np.ndarray):
        tensor = torch.tensor(values, dtype=torch.float64)
        if axes:
            tensor = torch.fft.rfftn(tensor, dim=axes).real
        return tensor.to(dtype=dtype, device=device).contiguous()

    spectra = {key: spectrum(values) for key, values in kernel.items()}
    return [[spectra[tuple(sorted((i, j)))] for j in range(3)] for i in range(3)]
