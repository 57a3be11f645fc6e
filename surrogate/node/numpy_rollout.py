"""Free-running rollouts in plain numpy, and the choice between them and the compiled ones.

No torch and no compilation: `numpy_rollout` starts at once, so it serves short
forecasts, whose whole process would otherwise wait about a second for numba's
cache; `rollout` hands longer ones to the compiled kernels of fused_kernel.py.
Both follow the Butcher tableaux of schemes.py in float64 and agree with the
training path `integrators.rk4_rollout` to rounding (tests/test_fast_forecast.py).

`stage_inputs` lays out the inputs at every stage node as
`integrators.stage_inputs` does, by the same rule (linear interpolation between
recorded samples), for one or many drives on one grid.
"""

from __future__ import annotations

import numpy as np

from surrogate.node.activations import ACTIVATION_NAMES, NUMPY_ACTIVATIONS
from surrogate.node.embedding import delay_offsets
from surrogate.node.schemes import BUTCHER_TABLEAUX, STAGE_NODES, check_scheme

#: Trajectory-steps (steps x batch) up to which `rollout` runs numpy rather than
#: the compiled kernels. benchmarks/results/forecast_throughput.md: a whole forecast
#: process took 0.79 s in numpy against 1.39 s compiled at 10^4 steps, and 1.74 s
#: against 1.38 s at 3x10^4 (the compiled one pays about a second to load its cache).
NUMPY_MAX_TRAJECTORY_STEPS = 20_000


def stride_for_spacing(step_s: float, dt: float) -> int:
    """Samples `dt` (s) apart per model step `step_s` (s); the spacing must divide the step."""
    stride = max(1, round(step_s / dt))
    if abs(stride * dt - step_s) > 0.01 * step_s:
        raise ValueError(
            f"trace sample spacing {dt:.4g} s does not divide the model step {step_s:.4g} s"
        )
    return stride


def stage_inputs(u: np.ndarray, stride: int, k: int, delay: int, n_steps: int,
                 scheme: str) -> np.ndarray:
    """Stacked inputs (n_steps, n_nodes, B, n_in*k) at every stage node from tau = 0.

    `u` (T, B, n_in) holds B drives' normalised inputs on one recorded grid,
    `stride` samples per model step; the stack at model time tau is
    [u(tau*s), u(tau*s + d*s), ...] (s = stride, d = delay), delay-major. The
    interpolation runs in u's dtype, as the training path runs it in the model's.
    Step n's position is n*s plus an offset fixed per node and delay, so each
    (node, delay) column is a blend of two strided slices of `u`.
    """
    nodes = STAGE_NODES[check_scheme(scheme)]
    offsets = delay_offsets(k, delay) * stride
    last = len(u) - 1
    needed = ((n_steps - 1 + nodes[-1]) * stride + offsets[-1]) if n_steps else 0.0
    if needed > last + 1e-6:
        raise ValueError(f"input needed at recorded sample {needed:.3f}, "
                         f"beyond the {len(u)} recorded input samples")
    # One row past the end: where a position falls on the last sample, its blend weight
    # is 0 or 1 exactly and the extra row never counts.
    padded = np.concatenate([u, u[-1:]])
    batch, n_in = u.shape[1:]
    values = np.empty((n_steps, len(nodes), batch, k, n_in))
    for i, node in enumerate(nodes):
        for j, delay_offset in enumerate(offsets):
            offset = node * stride + delay_offset
            lo = int(np.floor(offset))
            weight = np.asarray(offset - lo, dtype=u.dtype)
            below = padded[lo : lo + stride * n_steps : stride]
            if weight == 0:  # on a recorded sample (every node at stride 2): no blend
                values[:, i, :, j] = below
                continue
            above = padded[lo + 1 : lo + 1 + stride * n_steps : stride]
            values[:, i, :, j] = below * (1 - weight) + above * weight
    return values.reshape(n_steps, len(nodes), batch, k * n_in)


def numpy_rollout(field, y0: np.ndarray, u_stages: np.ndarray, scheme: str) -> np.ndarray:
    """States (n_steps+1, B, d) from y0 (B, d); u_stages (n_steps, n_nodes, B, n_in*k).

    `field` is a packed_field.PackedField (float64, transposed weights). The
    inputs' share of the first layer and of the linear term, biases included,
    is computed for every step and stage node at once; each stage then
    multiplies only the state, into preallocated buffers (few numpy calls a
    stage: this loop serves short forecasts, where the calls' overhead counts).
    """
    tableau = BUTCHER_TABLEAUX[check_scheme(scheme)]
    activate = NUMPY_ACTIVATIONS[ACTIVATION_NAMES[field.activation]]
    y0 = np.asarray(y0, dtype=np.float64)
    d, width = y0.shape[1], field.b_first.shape[0]
    state_part = np.concatenate([field.w_first[:d], field.w_skip[:d]], axis=1)
    input_part = np.concatenate([field.w_first[d:], field.w_skip[d:]], axis=1)
    projected = u_stages @ input_part + np.concatenate([field.b_first, field.b_last])
    # The input part at each stage of each step, (n_steps, n_stages, B, width + d).
    at_stages = projected[:, tableau.node]
    n_stages = len(tableau.b)
    states = np.empty((len(u_stages) + 1, *y0.shape))
    states[0] = y0
    slopes = list(np.empty((n_stages, *y0.shape)))
    # Stage i starts from y + sum_j a[i, j] k_j over the nonzero a[i, j] (j < i).
    couplings = [[(slopes[j], a) for j, a in enumerate(tableau.a[i, :i]) if a != 0.0]
                 for i in range(n_stages)]
    stage, scaled = np.empty_like(y0), np.empty_like(y0)
    first = np.empty((len(y0), width + d))
    first_layer, first_skip = first[:, :width], first[:, width:]
    hidden = [(weight, bias, np.empty((len(y0), width)))
              for weight, bias in zip(field.w_hidden, field.b_hidden, strict=True)]
    for n in range(len(u_stages)):
        y, inputs = states[n], at_stages[n]
        for i, slope in enumerate(slopes):
            np.copyto(stage, y)
            for earlier, a in couplings[i]:
                np.multiply(earlier, a, out=scaled)
                stage += scaled
            np.dot(stage, state_part, out=first)
            first += inputs[i]
            activate(first_layer)
            h = first_layer
            for weight, bias, out in hidden:
                np.dot(h, weight, out=out)
                out += bias
                activate(out)
                h = out
            np.dot(h, field.w_last, out=slope)
            slope += first_skip
        following = states[n + 1]
        np.copyto(following, y)
        for slope, b in zip(slopes, tableau.b, strict=True):
            np.multiply(slope, b, out=scaled)
            following += scaled
    return states


def rollout(field, y0: np.ndarray, u_stages: np.ndarray, scheme: str,
            compiled: bool | None = None) -> np.ndarray:
    """States (n_steps+1, B, d): numpy for short work, else the compiled kernels.

    With `compiled` None, up to NUMPY_MAX_TRAJECTORY_STEPS steps x trajectories
    run in numpy (no start-up cost); longer single trajectories run the fused
    loop, longer batches the batched kernel (fused_kernel.py, which imports
    numba). `compiled` True or False forces the one or the other.
    """
    n_steps, batch = u_stages.shape[0], y0.shape[0]
    if compiled is None:
        compiled = n_steps * batch > NUMPY_MAX_TRAJECTORY_STEPS
    if not compiled:
        return numpy_rollout(field, y0, u_stages, scheme)
    from surrogate.node.fused_kernel import rollout_batch, rollout_single

    if batch == 1:
        return rollout_single(field, y0[0], u_stages[:, :, 0], scheme)[:, None]
    return rollout_batch(field, y0, u_stages, scheme)
