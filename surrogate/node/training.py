"""Training a Spin-NODE on one or more traces: random windows, Adam, early stopping.

The end part of each trace (`val_fraction`) is held out for validation: the
free-running NRMSE over these parts, pooled and each started from its true
embedded state, picks the best weights and stops training early. For a
noise-driven device a long free run decorrelates from the data whatever the
model, so `val_horizon` > 0 scores instead rollouts of that many model steps
started from every validation state. Windows are drawn from the rest, never
across two traces; their length grows from `window` to
`window_max` model steps over the first `curriculum` of the run (a fraction of
the iteration or time budget), while the learning rate follows a cosine from
`lr` to `lr_final`. The loss is the MSE of the embedded state along each
window, integrated by the batched RK4. Validation and the saved model use an
exponential moving average of the weights (`ema`; 0 uses the live weights).

The last `finetune_fraction` of the budget is L-BFGS on one deterministic loss:
every training segment cut into back-to-back windows of `finetune_window`
steps, each started from its true state (multiple shooting). With `restarts`
> 1, that many models are trained side by side in separate processes, and the
one with the best validation NRMSE is kept. docs/explanation/accuracy.md,
gives the measurements behind these defaults.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from surrogate.config.model_settings import SettingsError, TrainSettings
from surrogate.io.trace import Trace
from surrogate.metrics import nrmse
from surrogate.node.checkpoint import Surrogate, load_checkpoint, remove_checkpoint, save_checkpoint
from surrogate.node.embedding import Normalisation, delay_embed, fit_normalisation
from surrogate.node.envelope import ENVELOPE_KEY, training_envelope
from surrogate.node.integrators import InputGrid, check_scheme, stage_inputs
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.resume import resumable_state
from surrogate.node.rollout import (
    channels,
    predict_normalised,
    rollouts_from_every_state,
    stride_for,
)
from surrogate.node.rollout_gradient import compile_kernels, supports, training_rollout
from surrogate.node.sidecars import Resume, candidate_path, partial_path

DEFAULT_STEP_S = 5e-12  # s: the paper's step; on 2.5 ps tables the half steps are samples


class TrainingError(RuntimeError):
    """Training cannot proceed (bad settings, too short a trace, NaN loss)."""


@dataclass
class TrainReport:
    """Outcome of `train_model`; NRMSEs are of free-running rollouts."""

    minutes: float
    iterations: int
    best_val_nrmse: float
    best_iteration: int
    final_train_nrmse: float
    stopped_by: str
    model_path: Path


@dataclass
class _Split:
    """Normalised outputs on the model grid and inputs on the recorded grid, one
    array per trace in each list."""

    x_train: list[np.ndarray]
    x_val: list[np.ndarray]
    u_train: list[np.ndarray]
    u_val: list[np.ndarray]
    stride: int
    out_norm: Normalisation
    in_norm: Normalisation


def _split(
    traces: list[Trace], inputs: list[str], outputs: list[str], settings: TrainSettings,
    labels: list[str],
) -> _Split:
    first = traces[0]
    if settings.step_s is None:
        stride = max(1, round(DEFAULT_STEP_S / first.dt))
    else:
        stride = stride_for(settings.step_s, first)
    span = ModelShape.from_settings(settings, len(outputs), len(inputs)).span
    need = span + settings.window + 1
    x_train, x_val, u_train, u_val = [], [], [], []
    for trace, label in zip(traces, labels, strict=True):
        if abs(trace.dt - first.dt) > 1e-6 * first.dt:
            raise TrainingError(
                f"{label} is sampled every {trace.dt:.6g} s, {labels[0]} every "
                f"{first.dt:.6g} s; training traces must share one sample spacing"
            )
        u_all = channels(trace, inputs, "input")
        x_all = channels(trace, outputs, "output")[::stride]
        n_val = round(settings.val_fraction * len(x_all))
        n_train = len(x_all) - n_val
        if n_val < span + 2 or n_train < need:
            raise TrainingError(
                f"{label} of {len(x_all)} model-grid samples is too short: training needs "
                f"{need} and validation {span + 2} (step {stride} samples, val_fraction "
                f"{settings.val_fraction})"
            )
        x_train.append(x_all[:n_train])
        x_val.append(x_all[n_train:])
        u_train.append(u_all[: (n_train - 1) * stride + 1])
        u_val.append(u_all[n_train * stride :])
    pooled_train = np.concatenate(x_train)
    for part, rows in (("training", pooled_train), ("validation", np.concatenate(x_val))):
        spread = np.ptp(rows, axis=0)
        for name, value, level in zip(outputs, spread, np.abs(rows).max(axis=0), strict=True):
            if not value > 1e-12 * max(level, 1.0):
                raise TrainingError(
                    f"output channel '{name}' is constant over the {part} part of the "
                    f"trace{'s' if len(traces) > 1 else ''}; there is nothing to learn or score"
                )
    out_norm = fit_normalisation(pooled_train, outputs)
    in_norm = fit_normalisation(np.concatenate(u_train), inputs)
    return _Split(
        [out_norm.apply(x) for x in x_train], [out_norm.apply(x) for x in x_val],
        [in_norm.apply(u) for u in u_train], [in_norm.apply(u) for u in u_val],
        stride, out_norm, in_norm,
    )


def _progress(settings: TrainSettings, iteration: int, elapsed_s: float) -> float:
    """Fraction of the budget used: iterations if capped, else wall time."""
    if settings.max_iterations is not None:
        return iteration / settings.max_iterations
    return elapsed_s / (60.0 * settings.max_minutes)


def _reached_iteration_cap(settings: TrainSettings, iteration: int) -> bool:
    """Whether training has run its `max_iterations` (never, without an iteration cap)."""
    return settings.max_iterations is not None and iteration >= settings.max_iterations


def _free_run_nrmse(
    surrogate: Surrogate, xs: list[np.ndarray], us: list[np.ndarray], stride: int
) -> float:
    """NRMSE of free runs over each segment from its true start, pooled over segments."""
    predicted = [predict_normalised(surrogate, x, u, stride) for x, u in zip(xs, us, strict=True)]
    if not all(np.all(np.isfinite(part)) for part in predicted):
        return math.inf
    return nrmse(np.concatenate(predicted), np.concatenate(xs))


def _horizon_nrmse(
    surrogate: Surrogate, xs: list[np.ndarray], us: list[np.ndarray], stride: int, horizon: int
) -> float:
    """NRMSE of rollouts of `horizon` steps started from every true state of each
    segment, pooled."""
    shape = surrogate.shape
    predicted, target = [], []
    for x, u in zip(xs, us, strict=True):
        if len(x) - shape.span + 1 - horizon < 1:
            raise TrainingError(
                f"validation segment of {len(x)} model steps is shorter than val_horizon "
                f"{horizon}"
            )
        newest = rollouts_from_every_state(surrogate, x, u, stride, horizon)
        if not np.all(np.isfinite(newest)):
            return math.inf
        n_starts = newest.shape[1]
        index = shape.span - 1 + np.arange(1, horizon + 1)[:, None] + np.arange(n_starts)[None, :]
        predicted.append(newest.reshape(-1, shape.n_out))
        target.append(x[index].reshape(-1, shape.n_out))
    return nrmse(np.concatenate(predicted), np.concatenate(target))


def _validation_nrmse(
    surrogate: Surrogate, xs: list[np.ndarray], us: list[np.ndarray], stride: int, horizon: int
) -> float:
    """Free runs over the whole segments (horizon 0) or pooled rollouts of `horizon` steps."""
    if horizon:
        return _horizon_nrmse(surrogate, xs, us, stride, horizon)
    return _free_run_nrmse(surrogate, xs, us, stride)


def _check_settings(settings: TrainSettings) -> None:
    """TrainingError naming the first bad field of `settings`, its scheme included."""
    try:
        settings.validate()
        check_scheme(settings.scheme)
    except SettingsError as exc:
        raise TrainingError(str(exc)) from exc
    except ValueError as exc:
        raise TrainingError(f"TrainSettings.scheme: {exc}") from exc


def train_model(
    trace: Trace | Sequence[Trace],
    settings: TrainSettings,
    out_path: str | os.PathLike,
    *,
    input_names: list[str] | None = None,
    output_names: list[str] | None = None,
    progress: bool = True,
    resume: bool | Resume = False,
    trace_labels: list[str] | None = None,
) -> TrainReport:
    """Train on the whole given trace, or on each of several, and write one model
    file to `out_path`.

    Several traces (runs of one device under different drives) must share their
    channels and sample spacing; the first is the model's reference (its units,
    metadata and settled state). Each keeps its own validation tail. Errors name
    a trace by its entry in `trace_labels` (file names, say).

    Every `checkpoint_every_s` the full training state (weights, averaged
    weights, optimiser, random generator, iteration, elapsed time) goes to
    `partial_path(out_path)`. With `resume`, training continues from that
    sidecar when it was made with the same settings and data and is sound
    (surrogate.node.resume: True refuses an unsound one, `Resume.OR_RESTART`
    moves it aside); the resumed run then ends bit-identical to an
    uninterrupted one under an iteration cap.
    """
    _check_settings(settings)
    out_path = Path(out_path)
    traces = [trace] if isinstance(trace, Trace) else list(trace)
    if not traces:
        raise TrainingError("no training trace given")
    if trace_labels is None:
        trace_labels = (["the trace"] if len(traces) == 1
                        else [f"trace {number + 1}" for number in range(len(traces))])
    if len(trace_labels) != len(traces):
        raise TrainingError(f"{len(trace_labels)} trace labels for {len(traces)} traces")
    if settings.restarts > 1:
        return _train_restarts(traces, settings, out_path, input_names, output_names, resume,
                               trace_labels)
    trace = traces[0]
    inputs = list(input_names or trace.input_names)
    outputs = list(output_names or trace.output_names)
    data = _split(traces, inputs, outputs, settings, trace_labels)
    dtype = getattr(torch, settings.dtype)
    torch.manual_seed(settings.seed)
    shape = ModelShape.from_settings(settings, len(outputs), len(inputs))
    model = SpinNODE(shape).to(dtype)
    surrogate = Surrogate(
        model=model,
        out_norm=data.out_norm,
        in_norm=data.in_norm,
        input_names=inputs,
        output_names=outputs,
        input_units=[trace.input_units[trace.input_names.index(n)] for n in inputs],
        output_units=[trace.output_units[trace.output_names.index(n)] for n in outputs],
        step_s=data.stride * trace.dt,
        scheme=settings.scheme,
        settings=asdict(settings),
        metadata={"trained_on": dict(trace.metadata), "t_start_s": float(trace.t[0]),
                  "t_stop_s": float(trace.t[-1]),
                  ENVELOPE_KEY: training_envelope(traces, inputs, outputs),
                  **({"also_trained_on": [dict(more.metadata) for more in traces[1:]]}
                     if len(traces) > 1 else {})},
        settled_outputs=channels(trace, outputs, "output")[0],
    )
    return _fit(surrogate, data, settings, out_path, progress, resume)


def _train_restarts(
    traces: list[Trace], settings: TrainSettings, out_path: Path, input_names: list[str] | None,
    output_names: list[str] | None, resume: bool | Resume, trace_labels: list[str],
) -> TrainReport:
    """Train `settings.restarts` models side by side, one process each, from seeds
    seed, seed+1, ..., each with the whole time budget; keep the one with the
    lowest validation NRMSE. The model file lists every restart's score."""
    seeds = [settings.seed + i for i in range(settings.restarts)]
    paths = [candidate_path(out_path, seed) for seed in seeds]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(seeds), mp_context=context,
                             initializer=torch.set_num_threads,
                             initargs=(torch.get_num_threads(),)) as pool:
        futures = [
            pool.submit(train_model, traces, dataclasses.replace(settings, seed=seed, restarts=1),
                        path, input_names=input_names, output_names=output_names,
                        progress=False, resume=resume, trace_labels=trace_labels)
            for seed, path in zip(seeds, paths, strict=True)
        ]
        reports = [future.result() for future in futures]
    chosen = min(range(len(reports)), key=lambda i: reports[i].best_val_nrmse)
    surrogate = load_checkpoint(paths[chosen])
    surrogate.settings["restarts"] = settings.restarts
    surrogate.metadata["restarts"] = [
        {"seed": seed, "best_val_nrmse": report.best_val_nrmse, "iterations": report.iterations}
        for seed, report in zip(seeds, reports, strict=True)
    ]
    save_checkpoint(surrogate, out_path)
    for path in paths:
        remove_checkpoint(path)
    return dataclasses.replace(reports[chosen], model_path=out_path)


def _fingerprint(data: _Split, settings: TrainSettings) -> str:
    """Hash of the normalised training data and the settings: a sidecar resumes only on a match."""
    digest = hashlib.sha256(json.dumps(asdict(settings), sort_keys=True, default=str).encode())
    for arrays in (data.x_train, data.u_train, data.x_val, data.u_val):
        for array in arrays:
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    return digest.hexdigest()


@dataclass
class _Run:
    """Where a training run stands: iterations done, validations without improvement, the
    best (score, iteration, averaged weights) so far and the training time spent (s)."""

    best: tuple
    iteration: int = 0
    stalls: int = 0
    elapsed_s: float = 0.0


@dataclass
class _Optimisation:
    """The live model, its weight average, Adam and the random stream of window starts."""

    model: SpinNODE
    averaged: SpinNODE
    optimiser: torch.optim.Optimizer
    generator: torch.Generator

    def state(self, run: _Run, fingerprint: str, elapsed_s: float) -> dict:
        """The full training state a resumed run continues from."""
        return {
            "fingerprint": fingerprint, "live": copy.deepcopy(self.model.state_dict()),
            "averaged": self.averaged.state_dict(), "optimiser": self.optimiser.state_dict(),
            "generator": self.generator.get_state(), "iteration": run.iteration,
            "stalls": run.stalls, "elapsed_s": elapsed_s,
            "best_score": run.best[0], "best_iteration": run.best[1], "best": run.best[2],
        }

    def restore(self, saved: dict) -> _Run:
        """Load a saved training state; return where that run stood."""
        self.model.load_state_dict(saved["live"])
        self.averaged.load_state_dict(saved["averaged"])
        self.optimiser.load_state_dict(saved["optimiser"])
        self.generator.set_state(saved["generator"])
        return _Run((saved["best_score"], saved["best_iteration"], saved["best"]),
                    saved["iteration"], saved["stalls"], saved["elapsed_s"])


def _fit(
    surrogate: Surrogate, data: _Split, settings: TrainSettings, out_path: Path, progress: bool,
    resume: bool | Resume,
) -> TrainReport:
    """Adam on random windows, then L-BFGS; validate, checkpoint, save the best weights."""
    model = surrogate.model
    dtype = next(model.parameters()).dtype
    opt = _Optimisation(model, copy.deepcopy(model), torch.optim.Adam(model.parameters(),
                                                                      lr=settings.lr),
                        torch.Generator().manual_seed(settings.seed))
    segments = _training_segments(data, surrogate.shape, settings.scheme, dtype)
    window_max = min(settings.window_max, int(segments[2].max()))
    shadow = dataclasses.replace(surrogate, model=opt.averaged)
    run = _Run((math.inf, 0, copy.deepcopy(model.state_dict())))
    sidecar = partial_path(out_path)
    fingerprint = _fingerprint(data, settings)
    if resume:
        saved = resumable_state(sidecar, fingerprint, settings, model, resume)
        if saved is not None:
            run = opt.restore(saved)
            print(f"resumed at iteration {run.iteration} from {sidecar}", file=sys.stderr)
    if supports(model):
        compile_kernels(dtype)  # before the clock starts: a one-time cost per install
    start = time.monotonic() - run.elapsed_s
    last_save = time.monotonic()
    bar = tqdm(disable=not progress, desc="train", unit="it")
    adam_share = 1.0 - settings.finetune_fraction
    stopped_by = "time budget"
    while True:
        done = _progress(settings, run.iteration, time.monotonic() - start)
        if done >= 1.0 or time.monotonic() - start >= 60.0 * settings.max_minutes:
            if _reached_iteration_cap(settings, run.iteration):
                stopped_by = "iterations"
            break
        if done >= adam_share:
            run.best, run.iteration, stopped_by = _finetune(
                shadow, *segments, data, settings, run.best, run.iteration, start
            )
            break
        length, lr = _schedule(settings, done / adam_share, window_max)
        loss = _adam_step(opt, segments, length, lr, settings, surrogate.shape, run.iteration)
        run.iteration += 1
        if run.iteration % settings.val_every == 0:
            score = _validation_nrmse(
                shadow, data.x_val, data.u_val, data.stride, settings.val_horizon
            )
            if score < run.best[0]:
                run.best = (score, run.iteration, copy.deepcopy(opt.averaged.state_dict()))
                run.stalls = 0
            else:
                run.stalls += 1
            bar.set_postfix(loss=f"{loss.item():.2e}", val=f"{score:.4f}",
                            best=f"{run.best[0]:.4f}", window=length)
            if run.stalls >= settings.patience:
                stopped_by = "early stopping"
                break
            if time.monotonic() - last_save >= settings.checkpoint_every_s:
                state = opt.state(run, fingerprint, time.monotonic() - start)
                _save(surrogate, run.best, sidecar, partial=True, training_state=state)
                last_save = time.monotonic()
        bar.update()
    bar.close()
    return _finish(surrogate, shadow, data, settings, run, start, stopped_by, out_path)


def _schedule(settings: TrainSettings, done: float, window_max: int) -> tuple[int, float]:
    """(window length in model steps, learning rate) at fraction `done` of Adam's budget:
    the window grows over the `curriculum`, the rate follows a cosine to `lr_final`."""
    ramp = min(1.0, done / settings.curriculum) if settings.curriculum > 0 else 1.0
    length = round(settings.window + (window_max - settings.window) * ramp)
    lr = settings.lr_final + 0.5 * (settings.lr - settings.lr_final) * (
        1 + math.cos(math.pi * done)
    )
    return length, lr


def _adam_step(opt: _Optimisation, segments: tuple, length: int, lr: float,
               settings: TrainSettings, shape: ModelShape, iteration: int) -> torch.Tensor:
    """One Adam step on a batch of random windows of `length` steps; returns the loss."""
    states, u_stages, room = segments
    for group in opt.optimiser.param_groups:
        group["lr"] = lr
    starts = _window_starts(room, length, settings.batch, opt.generator)
    steps = starts[:, None] + torch.arange(length)
    u = u_stages[steps].permute(1, 2, 0, 3)
    y0 = states[starts]
    if shape.n_aug:
        y0 = torch.cat([y0, y0.new_zeros(len(y0), shape.n_aug)], dim=1)
    predicted = training_rollout(opt.model, y0, u, settings.scheme)[1:, :, :shape.embedded_dim]
    target = states[starts[None, :] + torch.arange(1, length + 1)[:, None]]
    loss = torch.mean((predicted - target) ** 2)
    if not torch.isfinite(loss):
        raise TrainingError(
            f"training loss became {loss.item()} at iteration {iteration} "
            f"(window {length}, lr {lr:.3g}); lower TrainSettings.lr or window_max"
        )
    opt.optimiser.zero_grad()
    loss.backward()
    if settings.clip > 0:
        torch.nn.utils.clip_grad_norm_(opt.model.parameters(), settings.clip)
    opt.optimiser.step()
    _average(opt.averaged, opt.model, min(settings.ema, (1 + iteration) / (10 + iteration)))
    return loss


def _finish(surrogate: Surrogate, shadow: Surrogate, data: _Split, settings: TrainSettings,
            run: _Run, start: float, stopped_by: str, out_path: Path) -> TrainReport:
    """Validate once more, keep the best weights, score them on the training part, save."""
    score = _validation_nrmse(shadow, data.x_val, data.u_val, data.stride, settings.val_horizon)
    best = run.best
    if score < best[0]:
        best = (score, run.iteration, copy.deepcopy(shadow.model.state_dict()))
    if not math.isfinite(best[0]):
        raise TrainingError(
            f"no finite validation NRMSE after {run.iteration} iterations; the rollout diverges"
        )
    surrogate.model.load_state_dict(best[2])
    train_score = _free_run_nrmse(surrogate, data.x_train, data.u_train, data.stride)
    minutes = (time.monotonic() - start) / 60.0
    report = TrainReport(minutes, run.iteration, best[0], best[1], train_score, stopped_by,
                         out_path)
    surrogate.metadata["report"] = {k: v for k, v in asdict(report).items() if k != "model_path"}
    _save(surrogate, best, out_path, partial=False)
    remove_checkpoint(partial_path(out_path))
    return report


def _training_segments(
    data: _Split, shape: ModelShape, scheme: str, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(states, u_stages, room) of the training segments laid end to end.

    `states` (N, n_out*k) are the embedded states; `u_stages[i]` (n_nodes, n_in*k)
    are the inputs of the step from state i (zeros after a segment's last state);
    `room[i]` is how many steps remain after state i within its own segment, so
    a window of L steps may start at i only where room[i] >= L.
    """
    states, u_stages, room = [], [], []
    for x, u in zip(data.x_train, data.u_train, strict=True):
        embedded = torch.as_tensor(delay_embed(x, shape.k, shape.delay), dtype=dtype)
        grid = InputGrid(torch.as_tensor(u, dtype=dtype), data.stride, shape.k, shape.delay)
        stages = stage_inputs(grid, torch.zeros(1), len(embedded) - 1, scheme)[:, :, 0]
        states.append(embedded)
        u_stages += [stages, stages.new_zeros((1, *stages.shape[1:]))]
        room.append(torch.arange(len(embedded) - 1, -1, -1))
    return torch.cat(states), torch.cat(u_stages), torch.cat(room)


def _finetune(
    shadow: Surrogate, states: torch.Tensor, u_stages: torch.Tensor, room: torch.Tensor,
    data: _Split, settings: TrainSettings, best: tuple, iteration: int, start: float,
) -> tuple[tuple, int, str]:
    """L-BFGS on the whole training segments, each cut into back-to-back windows
    (multiple shooting).

    Starts from the averaged weights and runs until the budget is spent; every
    function evaluation counts as one iteration. Each step is validated like
    an Adam iteration, and the best weights are kept. A non-finite loss ends
    the phase with the best weights so far. Returns (best, iteration, stopped_by).
    """
    model = shadow.model
    shape = shadow.shape
    n_emb = shape.embedded_dim
    window = min(settings.finetune_window, int(room.max()))
    starts = _shooting_starts(room, window)
    u = u_stages[starts[:, None] + torch.arange(window)].permute(1, 2, 0, 3)
    y0 = states[starts]
    if shape.n_aug:
        y0 = torch.cat([y0, y0.new_zeros(len(y0), shape.n_aug)], dim=1)
    target = states[starts[None, :] + torch.arange(1, window + 1)[:, None]]
    optimiser = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=10, history_size=20,
                                  line_search_fn="strong_wolfe")
    evaluations = 0

    def closure() -> torch.Tensor:
        nonlocal evaluations
        evaluations += 1
        optimiser.zero_grad()
        predicted = training_rollout(model, y0, u, settings.scheme)[1:, :, :n_emb]
        loss = torch.mean((predicted - target) ** 2)
        if not torch.isfinite(loss):
            return loss.new_tensor(math.inf)  # the line search steps back from it
        loss.backward()
        return loss

    budget_s = 60.0 * settings.max_minutes
    while (_progress(settings, iteration, time.monotonic() - start) < 1.0
           and time.monotonic() - start < budget_s):
        before = evaluations
        try:
            loss = optimiser.step(closure)
        except IndexError:
            # torch's strong-Wolfe search can fail to bracket a step when trial steps
            # diverge; the weights are then unusable, and the best ones are kept.
            return best, iteration + evaluations - before, "fine-tuning diverged"
        iteration += evaluations - before
        if not torch.isfinite(loss):
            return best, iteration, "fine-tuning diverged"
        score = _validation_nrmse(
            shadow, data.x_val, data.u_val, data.stride, settings.val_horizon
        )
        if score < best[0]:
            best = (score, iteration, copy.deepcopy(model.state_dict()))
    return best, iteration, ("iterations" if _reached_iteration_cap(settings, iteration)
                             else "time budget")


def _window_starts(
    room: torch.Tensor, length: int, batch: int, generator: torch.Generator
) -> torch.Tensor:
    """`batch` random starts of windows of `length` steps, each inside one segment."""
    candidates = torch.nonzero(room >= length).squeeze(1)
    return candidates[torch.randint(0, len(candidates), (batch,), generator=generator)]


def _shooting_starts(room: torch.Tensor, window: int) -> torch.Tensor:
    """Starts of back-to-back windows of `window` steps from the first state of each
    segment, as many as fit inside it."""
    ends = torch.nonzero(room == 0).squeeze(1) + 1
    lengths = torch.diff(ends, prepend=ends.new_zeros(1)).tolist()
    steps_in = torch.cat([torch.arange(length) for length in lengths])
    return torch.nonzero((room >= window) & (steps_in % window == 0)).squeeze(1)


def _average(averaged: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """Exponential moving average of the weights: averaged <- decay*averaged + (1-decay)*model."""
    with torch.no_grad():
        for mean, live in zip(averaged.parameters(), model.parameters(), strict=True):
            mean.lerp_(live, 1.0 - decay)


def _save(surrogate: Surrogate, best: tuple, out_path: Path, partial: bool,
          training_state: dict | None = None) -> None:
    """Write the best weights so far atomically, leaving the live model untouched."""
    live = copy.deepcopy(surrogate.model.state_dict())
    surrogate.model.load_state_dict(best[2])
    surrogate.metadata["partial"] = partial
    surrogate.metadata["best_val_nrmse"] = best[0]
    try:
        save_checkpoint(surrogate, out_path, training_state=training_state)
    finally:
        surrogate.model.load_state_dict(live)
