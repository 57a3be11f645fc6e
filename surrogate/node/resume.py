"""Resuming a training from its periodic checkpoint, only when the checkpoint is sound.

A sidecar (`MODEL.partial.pt`, surrogate.node.sidecars) resumes only when it
was made with the same settings and data (its fingerprint), holds finite
weights of the model's own shape, an optimiser state for those weights, and
counters a run with these settings can reach. Otherwise, by `Resume` policy:
`STRICT` (`train --resume`) refuses it, naming the file and the field;
`OR_RESTART` (`train --resume-or-restart`, what the workflow passes) moves it
aside to `MODEL.partial.pt.invalid` with a warning and training starts afresh.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import torch

from surrogate.node.checkpoint import CheckpointError, load_training_state
from surrogate.node.sidecars import Resume, free_invalid_partial_path

# Iterations per second of training no run reaches (small models reach hundreds on a
# CPU): bounds the iteration count of a sidecar trained without an iteration cap.
MAX_ITERATIONS_PER_SECOND = 100_000
# Time (s) a sidecar may be saved after the budget ran out: one iteration with its validation.
BUDGET_SLACK_S = 60.0
WEIGHT_FIELDS = ("live", "averaged", "best")
COUNTER_FIELDS = ("iteration", "stalls", "best_iteration")


class ResumeError(ValueError):
    """A periodic checkpoint that cannot be resumed; the message names the file and field."""


def resumable_state(sidecar: Path, fingerprint: str, settings, model: torch.nn.Module,
                    policy: bool | Resume) -> dict | None:
    """The training state of `sidecar` checked against `model` and `settings`
    (max_iterations, max_minutes, patience); None (said on stderr) when there is none to
    resume or, under OR_RESTART, when it was invalid and has been moved aside."""
    if not sidecar.is_file():
        print(f"no partial checkpoint {sidecar}: training from the start", file=sys.stderr)
        return None
    try:
        state = load_training_state(sidecar)
        check_training_state(state, fingerprint, settings, model)
    except (CheckpointError, ResumeError) as exc:
        reason = str(exc).removeprefix(f"{sidecar}: ")
        if Resume.of(policy) is not Resume.OR_RESTART:
            raise ResumeError(
                f"{sidecar}: cannot resume: {reason}; delete or move the file to train afresh, "
                "or pass --resume-or-restart to move it aside") from exc
        aside = free_invalid_partial_path(sidecar)
        os.replace(sidecar, aside)
        print(f"warning: {sidecar}: cannot resume ({reason}); moved aside to {aside}, "
              "training from the start", file=sys.stderr)
        return None
    return state


def check_training_state(state: dict, fingerprint: str, settings,
                         model: torch.nn.Module) -> None:
    """ResumeError naming the first field of `state` that `model` under `settings` cannot
    continue from."""
    missing = [name for name in (*WEIGHT_FIELDS, *COUNTER_FIELDS, "fingerprint", "optimiser",
                                 "generator", "elapsed_s", "best_score") if name not in state]
    if missing:
        raise ResumeError(f"field 'training_state.{missing[0]}' is missing")
    if state["fingerprint"] != fingerprint:
        raise ResumeError("field 'training_state.fingerprint': made with other settings or data")
    expected = {name: tuple(tensor.shape) for name, tensor in model.state_dict().items()}
    for field in WEIGHT_FIELDS:
        _check_weights(f"training_state.{field}", state[field], expected)
    _check_optimiser(state["optimiser"], [tuple(p.shape) for p in model.parameters()])
    generator = state["generator"]
    if not (isinstance(generator, torch.Tensor) and generator.dtype == torch.uint8):
        raise ResumeError("field 'training_state.generator' is not a random generator state")
    _check_counters(state, settings)


def _check_weights(field: str, weights, expected: dict[str, tuple]) -> None:
    if not isinstance(weights, dict) or set(weights) != set(expected):
        raise ResumeError(f"field '{field}' does not hold the weights of this model")
    for name, shape in expected.items():
        tensor = weights[name]
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != shape:
            found = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor)
            raise ResumeError(f"field '{field}.{name}' has shape {found}, the model {shape}")
        if not torch.all(torch.isfinite(tensor)):
            raise ResumeError(f"field '{field}.{name}' holds NaN or infinity")


def _check_optimiser(optimiser, shapes: list[tuple]) -> None:
    field = "training_state.optimiser"
    if not isinstance(optimiser, dict) or not isinstance(optimiser.get("param_groups"), list):
        raise ResumeError(f"field '{field}' is not an optimiser state")
    indices = [index for group in optimiser["param_groups"] for index in group.get("params", [])]
    if sorted(indices) != list(range(len(shapes))):
        raise ResumeError(f"field '{field}.param_groups' does not match the model's "
                          f"{len(shapes)} weight tensors")
    for index, moments in optimiser.get("state", {}).items():
        if index not in range(len(shapes)) or not isinstance(moments, dict):
            raise ResumeError(f"field '{field}.state.{index}' matches no weight of the model")
        for name, tensor in moments.items():
            if not isinstance(tensor, torch.Tensor):
                continue
            if tensor.dim() and tuple(tensor.shape) != shapes[index]:
                raise ResumeError(f"field '{field}.state.{index}.{name}' has shape "
                                  f"{tuple(tensor.shape)}, the weights {shapes[index]}")
            if not torch.all(torch.isfinite(tensor)):
                raise ResumeError(f"field '{field}.state.{index}.{name}' holds NaN or infinity")


def _check_counters(state: dict, settings) -> None:
    for name in COUNTER_FIELDS:
        value = state[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ResumeError(f"field 'training_state.{name}' is {value!r}, not a count")
    elapsed = state["elapsed_s"]
    budget_s = 60.0 * settings.max_minutes
    if not (isinstance(elapsed, float | int) and 0 <= elapsed <= budget_s + BUDGET_SLACK_S):
        raise ResumeError(f"field 'training_state.elapsed_s' is {elapsed!r}, outside the "
                          f"{budget_s:g} s budget of max_minutes {settings.max_minutes:g}")
    iteration = state["iteration"]
    if settings.max_iterations is not None:
        limit, why = settings.max_iterations, f"max_iterations {settings.max_iterations}"
    else:
        limit = math.ceil(MAX_ITERATIONS_PER_SECOND * (elapsed + 1.0))
        why = f"what {elapsed:.3g} s of training can reach"
    if iteration > limit:
        raise ResumeError(f"field 'training_state.iteration' is {iteration}, beyond {why}")
    if state["best_iteration"] > iteration:
        raise ResumeError(f"field 'training_state.best_iteration' is {state['best_iteration']}, "
                          f"after the iteration {iteration}")
    if state["stalls"] > settings.patience:
        raise ResumeError(f"field 'training_state.stalls' is {state['stalls']}, beyond "
                          f"patience {settings.patience}")
    score = state["best_score"]
    if not isinstance(score, float | int) or math.isnan(score) or score < 0:
        raise ResumeError(f"field 'training_state.best_score' is {score!r}, not a score")
