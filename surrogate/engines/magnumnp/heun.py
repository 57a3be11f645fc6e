"""Fixed-step stochastic Heun integration of the LLG equation at T > 0 (magnum.np field terms).

Scheme. Each step of length dt draws Brown's thermal field once, holds it for
both stages, and takes one Heun (predictor-corrector) step:

    k1 = f(t, m, H(m, t) + H_th)
    k2 = f(t + dt, m + dt k1, H(m + dt k1, t + dt) + H_th)
    m(t + dt) = normalise(m + dt (k1 + k2) / 2)

where f is magnum.np's LLG right-hand side (`LLGSolver.dm`, Gilbert damping
written in Landau-Lifshitz form with gamma / (1 + alpha^2)) and H the sum of
magnum.np's field terms (A/m). Fixed-step Heun converges to the Stratonovich
solution of the stochastic LLG, the interpretation under which Brown's field
gives the Boltzmann distribution without a drift correction (m stays on the
sphere); an Ito scheme such as Euler-Maruyama would need one. The step does not
adapt. mumax3 also steps adaptively at T > 0 (RK23, after Leliaert et al., AIP
Advances 7, 125010 (2017)): its `engine/temperature.go` keeps the draw of a
rejected step and rescales it by sqrt(dt_old / dt_new), and magnum.np's RKF45
with its `ThermalField` does the same (one draw per accepted step, scaled with
the current dt). There the error control sees the noise and cuts the step (at
300 K on the recognition oscillator RKF45 takes steps of about 0.36 ps, six
field evaluations each), and which draws survive depends on the step control.
A fixed step keeps the noise independent of the step choice, costs two field
evaluations per step, and is what mumax3 does with `FixDt` (`engine/heun.go`,
the noise held over the step by `thermField.update`) and what OOMMF's thermal
evolvers do. Heun is explicit: its step is bounded by the fastest (exchange)
spin waves of the mesh, not by the noise (benchmarks/magnumnp_thermal_heun
probes the bound). An interval that is not a whole number of steps is split
into equal steps no longer than `max_step`, so table rows and drive switches
fall on step boundaries.

Brown's field. Per cell and component an independent standard normal eta,

    mu0 H_th = eta sqrt(2 alpha k_B T / (Ms gamma V dt))    (T)

with alpha the damping, k_B (J/K), T (K), Ms (A/m), gamma the LLG's
gyromagnetic ratio (rad/(T s)), V the cell volume (m^3) and dt (s); units:
J / (A/m * 1/(T s) * m^3 * s) = T (J/(A m^2)) = T^2. In A/m, H_th =
eta sqrt(2 alpha k_B T / (mu0 Ms gamma' V dt)) with gamma' = mu0 gamma
(m/(A s)), magnum.np's unit of gamma. The Tesla form is mumax3's
`cuda/temperature2.cu` (B = noise sqrt(kB2_VgammaDt alpha T / Msat), with
kB2_VgammaDt = 2 Kb / (GammaLL V Dt_si) in `engine/temperature.go`; its older
form sqrt(2 mu0 alpha kB T / (Bsat gamma V dt)) with Bsat = mu0 Ms is the
same), the A/m form magnum.np's `ThermalField` (field_terms/thermal.py:
sqrt(2 alpha kb T / (mu_0 Ms gamma V dt)), its gamma in m/(A s)). The noise
comes from a seeded `torch.Generator`, so the same seed gives the same run
bit for bit.
"""

from __future__ import annotations

import math

from surrogate.physics.constants import GAMMA_LL, KB, MU0

#: Heun's step keeps omega h at most this for the fastest exchange spin wave (omega in rad/s).
#: benchmarks/magnumnp_thermal_heun: on the 5 nm recognition oscillator at 300 K, 0.4 ps
#: (omega h = 0.73) kept the vortex and 0.5 ps (0.92) lost it.
STABLE_PHASE_PER_STEP = 0.5


def exchange_limited_step(aex: float, ms: float, cell: tuple[float, float, float],
                          grid: tuple[int, int, int]) -> float:
    """Longest stable Heun step (s) for exchange stiffness `aex` (J/m) and `ms` (A/m).

    The fastest exchange spin wave (neighbours antiparallel along every axis with
    more than one cell) precesses at omega = gamma (2 Aex / Ms) sum_i 4 / dx_i^2
    (rad/s, gamma = mumax3's GammaLL); the step is STABLE_PHASE_PER_STEP / omega.
    """
    stiffness = sum(4.0 / dx**2 for dx, n in zip(cell, grid, strict=True) if n > 1)
    omega = GAMMA_LL * 2.0 * aex / ms * stiffness
    return STABLE_PHASE_PER_STEP / omega if omega > 0 else math.inf


def brown_field_scale(alpha, temperature, ms, cell_volume: float, dt: float,
                      gamma: float, torch):
    """Standard deviation (A/m) of each component of Brown's field, per cell.

    sqrt(2 alpha k_B T / (Ms gamma V dt)) / mu0 with `alpha` (1), `temperature`
    (K), `ms` (A/m; tensors broadcastable to (nx, ny, nz, 1)), `cell_volume`
    V (m^3), step `dt` (s) and `gamma` (rad/(T s)). 0 where Ms = 0 (no magnet).
    """
    tesla_squared = 2.0 * alpha * KB * temperature / (gamma * cell_volume * dt)
    magnetic = ms > 0
    return torch.where(magnetic, torch.sqrt(tesla_squared / torch.where(magnetic, ms, 1.0)),
                       0.0) / MU0


class HeldThermalField:
    """Brown's thermal field (A/m) as a magnum.np field term: drawn by `draw`, held until the next.

    magnum.np's `LLGSolver` sums `h(state)` of its terms; this term returns the
    field of the current step, so both Heun stages see the same noise.
    """

    def __init__(self, torch, seed: int):
        self.torch, self.seed = torch, seed
        self.generator = None  # made on m's device (CPU or GPU) at the first draw
        self.field = None

    def draw(self, state, dt: float, gamma: float) -> None:
        """A new field for a step of `dt` (s) at the state's temperature map `state.T` (K)."""
        torch, m = self.torch, state.m
        if self.generator is None:
            self.generator = torch.Generator(device=m.device).manual_seed(self.seed)
        scale = brown_field_scale(state.material["alpha"], state.T, state.material["Ms"],
                                  state.mesh.cell_volumes, dt, gamma, torch)
        eta = torch.randn(m.shape, generator=self.generator, dtype=m.dtype, device=m.device)
        self.field = eta * scale

    def h(self, state):
        """The held field (A/m), shape of m."""
        return self.field


class StochasticHeun:
    """Fixed-step Heun integrator of magnum.np's LLG with Brown's field; `step` as LLGSolver's.

    `terms` are magnum.np field terms (without its `ThermalField`); `max_step`
    (s) is the longest step; `seed` seeds the thermal noise; `thermal` False
    integrates the deterministic LLG with the same scheme.
    """

    def __init__(self, mnp, torch, terms: list, *, max_step: float, seed: int,
                 thermal: bool = True):
        if not max_step > 0:
            raise ValueError(f"Heun step {max_step} s: must be positive")
        self.mnp, self.torch, self.max_step = mnp, torch, max_step
        self.thermal = HeldThermalField(torch, seed) if thermal else None
        field_terms = [*terms, self.thermal] if thermal else list(terms)
        self.llg = mnp.LLGSolver(field_terms)

    @property
    def gamma(self) -> float:
        """The LLG's gyromagnetic ratio (rad/(T s)); magnum.np stores mu0 gamma (m/(A s))."""
        return self.mnp.common.constants.gamma / MU0

    def step(self, state, dt: float) -> None:
        """Advance `state` (m, t, step count) by `dt` (s) in equal steps of at most `max_step`."""
        n_steps = max(1, math.ceil(dt / self.max_step - 1e-9))
        h = dt / n_steps
        t0 = float(state.t)
        for i in range(n_steps):
            self._heun_step(state, h, t0 + i * h)
        state.t = self.torch.tensor(t0 + dt, dtype=self.torch.float64)

    def _heun_step(self, state, h: float, t: float) -> None:
        torch, dm = self.torch, self.llg.dm
        if self.thermal is not None:
            self.thermal.draw(state, h, self.gamma)
        m0 = state.m
        t_start = torch.tensor(t, dtype=torch.float64)
        k1 = dm(t_start, m0, state)
        k2 = dm(torch.tensor(t + h, dtype=torch.float64), m0 + h * k1, state)
        m = m0 + (0.5 * h) * (k1 + k2)
        self.mnp.common.normalize(m)
        state.m = m
        state._step += 1
