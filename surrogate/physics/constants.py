"""Physical constants, each defined once, with mumax3's values so that both engines agree."""

from __future__ import annotations

import math

#: Vacuum permeability (T m/A): 4 pi 1e-7, as in mumax3's source (mag.Mu0).
MU0 = 4e-7 * math.pi
#: Gyromagnetic ratio (rad/(T s)): mumax3's GammaLL. magnum.np's own is 1.76086e11.
GAMMA_LL = 1.7595e11
#: Boltzmann constant (J/K), as in mumax3's source (mag.Kb).
KB = 1.380650424e-23
