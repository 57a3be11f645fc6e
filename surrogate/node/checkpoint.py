"""The model file: weights, normalisation, channels, step and settings in one `.pt`.

Saved atomically (temporary file + rename) and read with
`torch.load(weights_only=True)`: only tensors, numbers, strings, lists and
dicts are stored; metadata travels as a JSON string. Beside it goes its
torch-free companion `MODEL.weights.npz` (weights_file.py), which forecasts
read without importing torch.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from surrogate.io.atomic import atomic_write
from surrogate.node.embedding import Normalisation
from surrogate.node.model import ModelShape, SpinNODE
from surrogate.node.weights_file import (
    CheckpointError,
    ModelArrays,
    file_sha256,
    weights_path,
    write_weights_file,
)

__all__ = ["CheckpointError", "Surrogate", "load_checkpoint", "load_training_state",
           "model_arrays", "remove_checkpoint", "save_checkpoint"]

FORMAT_VERSION = 1


@dataclass
class Surrogate:
    """A trained Spin-NODE with everything needed to run it on a trace.

    `step_s` is the model step (s); `scheme` the RK4 variant (see rk4.py).
    `settled_outputs` (n_out,) in SI is the device at rest before its drive,
    where a forecast of a new drive starts (forecast.py); None in model files
    written before it was stored.
    """

    model: SpinNODE
    out_norm: Normalisation
    in_norm: Normalisation
    input_names: list[str]
    output_names: list[str]
    input_units: list[str]
    output_units: list[str]
    step_s: float
    scheme: str
    settings: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    settled_outputs: np.ndarray | None = None

    @property
    def shape(self) -> ModelShape:
        return self.model.shape


def _payload(surrogate: Surrogate) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "shape": surrogate.shape.as_dict(),
        "state_dict": {k: v.detach().cpu() for k, v in surrogate.model.state_dict().items()},
        "dtype": str(next(surrogate.model.parameters()).dtype).removeprefix("torch."),
        "out_mean": torch.as_tensor(surrogate.out_norm.mean, dtype=torch.float64),
        "out_std": torch.as_tensor(surrogate.out_norm.std, dtype=torch.float64),
        "in_mean": torch.as_tensor(surrogate.in_norm.mean, dtype=torch.float64),
        "in_std": torch.as_tensor(surrogate.in_norm.std, dtype=torch.float64),
        "input_names": list(surrogate.input_names),
        "output_names": list(surrogate.output_names),
        "input_units": list(surrogate.input_units),
        "output_units": list(surrogate.output_units),
        "step_s": float(surrogate.step_s),
        "scheme": surrogate.scheme,
        "settings_json": json.dumps(surrogate.settings, default=str),
        "metadata_json": json.dumps(surrogate.metadata, default=str),
        **({} if surrogate.settled_outputs is None else
           {"settled_outputs": torch.as_tensor(surrogate.settled_outputs, dtype=torch.float64)}),
    }


def save_checkpoint(surrogate: Surrogate, path: str | os.PathLike,
                    training_state: dict | None = None) -> Path:
    """Write the model file atomically, then its companion `weights_path(path)`; returns
    the model file's path.

    `training_state` (optimiser, random generator, iteration...) is stored
    beside the weights in the periodic checkpoints that `train --resume` reads.
    The companion records the model file's SHA-256, so a companion left from an
    earlier model (a write interrupted between the two files) is refused.
    """
    path = Path(path)
    payload = _payload(surrogate)
    if training_state is not None:
        payload["training_state"] = training_state
    with atomic_write(path) as tmp:
        torch.save(payload, tmp)
    write_weights_file(model_arrays(surrogate), weights_path(path), file_sha256(path))
    return path


def remove_checkpoint(path: str | os.PathLike) -> None:
    """Delete a model file and its companion, where they exist."""
    for file in (Path(path), weights_path(path)):
        file.unlink(missing_ok=True)


def model_arrays(surrogate: Surrogate) -> ModelArrays:
    """The model's weights as numpy arrays in its own dtype, with what a forecast needs."""
    model = surrogate.model
    return ModelArrays(
        shape=surrogate.shape,
        layers=tuple((w.detach().cpu().numpy().copy(), b.detach().cpu().numpy().copy())
                     for w, b in model.mlp_weights()),
        linear=model.linear.weight.detach().cpu().numpy().copy(),
        out_norm=surrogate.out_norm,
        in_norm=surrogate.in_norm,
        input_names=list(surrogate.input_names),
        output_names=list(surrogate.output_names),
        input_units=list(surrogate.input_units),
        output_units=list(surrogate.output_units),
        step_s=float(surrogate.step_s),
        scheme=surrogate.scheme,
        dtype=str(next(model.parameters()).dtype).removeprefix("torch."),
        settings=surrogate.settings,
        metadata=surrogate.metadata,
        settled_outputs=surrogate.settled_outputs,
    )


def _read(path: Path) -> dict:
    if not path.is_file():
        raise CheckpointError(f"{path}: model file not found")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle/zip errors vary; report them uniformly
        raise CheckpointError(f"{path}: not a readable model file ({exc})") from exc
    if not isinstance(data, dict):
        raise CheckpointError(f"{path}: not a Spin-NODE model file")
    return data


def load_training_state(path: str | os.PathLike) -> dict:
    """The training state stored in a periodic checkpoint (`MODEL.partial.pt`)."""
    path = Path(path)
    state = _read(path).get("training_state")
    if not isinstance(state, dict):
        raise CheckpointError(
            f"{path}: field 'training_state' is missing; not a partial checkpoint"
        )
    return state


def load_checkpoint(path: str | os.PathLike, *, allow_partial: bool = False) -> Surrogate:
    """Read a model file written by `save_checkpoint`; errors name the file and field.

    A periodic checkpoint of an unfinished training (metadata `partial`) is
    refused unless `allow_partial` is set.
    """
    path = Path(path)
    data = _read(path)
    if data.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: field 'format_version' is {data.get('format_version')!r}, "
            f"expected {FORMAT_VERSION}"
        )
    try:
        shape = ModelShape(**data["shape"])
        model = SpinNODE(shape).to(getattr(torch, data["dtype"]))
        model.load_state_dict(data["state_dict"])
        surrogate = Surrogate(
            model=model.eval(),
            out_norm=Normalisation(data["out_mean"].numpy(), data["out_std"].numpy()),
            in_norm=Normalisation(data["in_mean"].numpy(), data["in_std"].numpy()),
            input_names=list(data["input_names"]),
            output_names=list(data["output_names"]),
            input_units=list(data["input_units"]),
            output_units=list(data["output_units"]),
            step_s=float(data["step_s"]),
            scheme=str(data["scheme"]),
            settings=json.loads(data["settings_json"]),
            metadata=json.loads(data["metadata_json"]),
            settled_outputs=_optional_array(data, "settled_outputs"),
        )
    except KeyError as exc:
        raise CheckpointError(f"{path}: missing field {exc}") from exc
    except (TypeError, RuntimeError, ValueError) as exc:
        raise CheckpointError(f"{path}: inconsistent model file ({exc})") from exc
    if len(surrogate.output_names) != shape.n_out or len(surrogate.input_names) != shape.n_in:
        raise CheckpointError(f"{path}: field 'output_names'/'input_names' does not match 'shape'")
    settled = surrogate.settled_outputs
    if settled is not None and (settled.shape != (shape.n_out,)
                                or not np.all(np.isfinite(settled))):
        raise CheckpointError(f"{path}: field 'settled_outputs' must hold {shape.n_out} finite "
                              "numbers")
    if not all(np.all(s > 0) for s in (surrogate.out_norm.std, surrogate.in_norm.std)):
        raise CheckpointError(f"{path}: field 'out_std'/'in_std' must be positive")
    for name, tensor in data["state_dict"].items():
        if not torch.all(torch.isfinite(tensor)):
            raise CheckpointError(f"{path}: field 'state_dict.{name}' holds NaN or infinity")
    if surrogate.metadata.get("partial") and not allow_partial:
        raise CheckpointError(
            f"{path}: field 'metadata.partial' is true: a periodic checkpoint of an unfinished "
            "training; resume it with `train --resume`, or pass --allow-partial to use it anyway"
        )
    return surrogate


def _optional_array(data: dict, name: str) -> np.ndarray | None:
    """A stored float64 array, or None where the field is absent (older model files)."""
    return None if data.get(name) is None else data[name].numpy().astype(np.float64)
