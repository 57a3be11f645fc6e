"""The demagnetising field of a magnum.np run, H = K * (Ms m), by FFT (SI units: A/m).

magnum.np's `DemagField.h` transforms the three components of Ms m one at a
time: three forward and three inverse FFTs per field evaluation. On the small
grids of the CPU devices each call costs more in overhead than in arithmetic,
so `OneTransformDemag` transforms all three components in one call each way.
The kernel, the zero padding and the order of the sums are magnum.np's, so the
field agrees with `DemagField.h` to rounding. docs/explanation/engines.md,
has the measured times.
"""

from __future__ import annotations

from surrogate.engines.magnumnp.mumax3_kernel import (
    MUMAX3_DEMAG_ACCURACY,
    mumax3_kernel_spectrum,
    padded_shape,
)
from surrogate.physics.constants import MU0

#: Demag kernels: mumax3's (mag/demagkernel.go, the default, so that both engines simulate
#: the same discretised field) or magnum.np's (Newell's formula within `p` cells).
DEMAG_KERNELS = ("mumax3", "newell")


class OneTransformDemag:
    """A magnum.np field term: the convolution of Ms m with a demag kernel.

    `spectrum` is the kernel in magnum.np's `DemagField._N` layout: a 3 x 3
    nested list of the kernel's rfft over the axes of `grid` with more than one
    cell, zero-padded to twice the grid along them (the kernel itself on a
    single cell). No periodic boundaries.
    """

    def __init__(self, spectrum: list[list], grid: tuple[int, int, int]) -> None:
        self._spectrum = spectrum
        self._grid = tuple(grid)
        self._axes = [axis for axis, n in enumerate(grid) if n > 1]
        self._padded = [padded_shape(self._grid)[axis] for axis in self._axes]

    def h(self, state):
        """The demagnetising field (nx, ny, nz, 3) in A/m of `state`'s Ms m."""
        import torch

        source = state.material["Ms"] * state.m
        if self._axes:
            source = torch.fft.rfftn(source, dim=self._axes, s=self._padded)
        kernel = self._spectrum
        field = torch.stack(
            [kernel[i][0] * source[..., 0] + kernel[i][1] * source[..., 1]
             + kernel[i][2] * source[..., 2] for i in range(3)], dim=-1)
        if self._axes:
            field = torch.fft.irfftn(field, dim=self._axes, s=self._padded)
        nx, ny, nz = self._grid
        return field[:nx, :ny, :nz]

    def E(self, state, domain=Ellipsis):  # noqa: N802 - magnum.np's name for a term's energy
        """The demagnetising energy (J) of the cells `domain`: -mu0/2 sum Ms m.H V."""
        energy = (-0.5 * MU0 * state.material["Ms"] * state.m * self.h(state)
                  * state.mesh.cell_volumes)
        return energy[domain].sum()


def demag_term(mnp, state, grid: tuple[int, int, int], cell: tuple[float, float, float],
               kernel: str = "mumax3", newell_p: int = 20,
               accuracy: float = MUMAX3_DEMAG_ACCURACY) -> OneTransformDemag:
    """The demag term of `state` on `grid` cells of size `cell` (m), in torch's default dtype.

    `kernel` "mumax3" is mumax3's kernel at DemagAccuracy `accuracy`; "newell" is
    magnum.np's (Newell's formula within `newell_p` cell diagonals, point dipoles beyond).
    """
    import torch

    if kernel == "mumax3":
        spectrum = mumax3_kernel_spectrum(grid, cell, torch.get_default_dtype(), state.device,
                                          accuracy)
    elif kernel == "newell":
        spectrum = mnp.DemagField(p=newell_p)._init_N(state)
    else:
        raise ValueError(f"demag kernel '{kernel}' is not one of {DEMAG_KERNELS}")
    return OneTransformDemag(spectrum, grid)
