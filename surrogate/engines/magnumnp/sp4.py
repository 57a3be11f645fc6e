"""muMAG standard problem 4 on magnum.np, as `standard_problem_4.mx3.j2` runs it in mumax3.

A permalloy film on the full box, m relaxed from the uniform `initial_m`
(the S-state), then the FieldStepDrive's field B_ext (T) is switched on at
t = 0 and m evolves at `alpha` for the drive's duration; no settling. The
numerical settings are those of benchmarks/magnumnp_sp4.py: RKF45 at
atol = rtol = 1e-6, the minimiser to 1 A/m within 50 000 iterations, and
mumax3's demag kernel (the default of every device).
"""

from __future__ import annotations

import numpy as np

from surrogate.config.specs import StandardProblem4
from surrogate.engines.magnumnp.base import (
    Integrator,
    MagnumRun,
    Numerics,
    Relaxation,
    uniform_material_maps,
    unit_vector,
)
from surrogate.physics.constants import MU0

NUMERICS = Numerics(
    integrator=Integrator("rkf45", atol=1e-6, rtol=1e-6),
    relaxation=Relaxation(dm_tol=1.0, max_iterations=50000),
)


class StandardProblem4Run(MagnumRun):
    """A `StandardProblem4` film under its `FieldStepDrive`."""

    label = "magnum.np SP4"
    numerics = NUMERICS
    device: StandardProblem4

    @property
    def settle_time(self) -> float:
        return 0.0

    @property
    def settle_alpha(self) -> float:
        return self.device.alpha

    @property
    def drive_alpha(self) -> float:
        return self.device.alpha

    def magnetic_cells(self) -> np.ndarray:
        return np.ones(self.grid, dtype=bool)

    def material_maps(self) -> dict[str, np.ndarray]:
        return uniform_material_maps(self.device.material, self.magnetic_cells())

    def initial_magnetization(self) -> np.ndarray:
        m = unit_vector(self.device.initial_m, "initial_m")
        return np.broadcast_to(m, self.grid + (3,)).copy()

    def energy_terms(self) -> list:
        return [self.demag_field(), self.mnp.ExchangeField()]

    def drive_terms(self) -> list:
        field = np.asarray(self.spec.drive.B_ext, dtype=np.float64) / MU0
        return [self.mnp.ExternalField(field.tolist())]

    def input_values(self, t_drive: float) -> list[float]:
        return [float(b) for b in self.spec.drive.B_ext]
