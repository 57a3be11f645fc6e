"""The model file's torch-free companion: `MODEL.weights.npz` beside `MODEL.pt`.

A forecast needs the weights and a little metadata, not torch: `save_checkpoint`
writes both files, and `read_weights_file` reads the companion with
`np.load(allow_pickle=False)`, so it holds plain numeric arrays and one JSON
header (a unicode array), never a pickled object. Fields:

- `layer_<i>_weight` (out, in) and `layer_<i>_bias` (out,): the MLP's linear
  layers, first to last, as torch stores them, in the model's dtype;
- `linear_weight` (state_dim, state_dim + input_dim): the linear term;
- `out_mean`, `out_std`, `in_mean`, `in_std`: the normalisation, in SI;
- `settled_outputs` (n_out,), in SI, where the model file has it;
- `header`: JSON with `format_version`, `shape` (ModelShape), `dtype`, the
  channels' `input_names`/`output_names`/`input_units`/`output_units`,
  `step_s` (s), `scheme`, `settings`, `metadata` and `checkpoint_sha256`, the
  SHA-256 of the `.pt` written with it (a companion of another `.pt` is refused).

Every array must be finite and match the shape; the errors name the file and
the field.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from surrogate.io.atomic import atomic_write
from surrogate.node.activations import check_activation
from surrogate.node.embedding import Normalisation
from surrogate.node.schemes import check_scheme
from surrogate.node.shape import ModelShape

WEIGHTS_FORMAT_VERSION = 1
WEIGHTS_SUFFIX = ".weights.npz"


class CheckpointError(ValueError):
    """A model file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class ModelArrays:
    """A trained Spin-NODE as plain arrays, with what a forecast needs to run it.

    `layers` are (weight (out, in), bias (out,)) of the MLP's linear layers, first
    to last; `linear` the linear term's weight; `step_s` the model step (s);
    `settled_outputs` (n_out,) in SI the device at rest before its drive, or None;
    `checkpoint_sha256` the SHA-256 of the `.pt` the arrays were read beside.
    """

    shape: ModelShape
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    linear: np.ndarray
    out_norm: Normalisation
    in_norm: Normalisation
    input_names: list[str]
    output_names: list[str]
    input_units: list[str]
    output_units: list[str]
    step_s: float
    scheme: str
    dtype: str
    settings: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    settled_outputs: np.ndarray | None = None
    checkpoint_sha256: str | None = None


def weights_path(checkpoint: str | os.PathLike) -> Path:
    """The companion of a model file: `MODEL.pt` -> `MODEL.weights.npz`."""
    checkpoint = Path(checkpoint)
    return checkpoint.with_name(checkpoint.stem + WEIGHTS_SUFFIX)


def file_sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_weights_file(arrays: ModelArrays, path: str | os.PathLike,
                       checkpoint_sha256: str) -> Path:
    """Write `arrays` to `path` atomically; `checkpoint_sha256` names the `.pt` it mirrors."""
    path = Path(path)
    header = {
        "format_version": WEIGHTS_FORMAT_VERSION,
        "shape": arrays.shape.as_dict(),
        "dtype": arrays.dtype,
        "input_names": list(arrays.input_names),
        "output_names": list(arrays.output_names),
        "input_units": list(arrays.input_units),
        "output_units": list(arrays.output_units),
        "step_s": float(arrays.step_s),
        "scheme": arrays.scheme,
        "settings": arrays.settings,
        "metadata": arrays.metadata,
        "checkpoint_sha256": checkpoint_sha256,
    }
    fields = {"header": np.array(json.dumps(header, default=str))}
    for index, (weight, bias) in enumerate(arrays.layers):
        fields[f"layer_{index}_weight"] = np.asarray(weight)
        fields[f"layer_{index}_bias"] = np.asarray(bias)
    fields["linear_weight"] = np.asarray(arrays.linear)
    for name, norm in (("out", arrays.out_norm), ("in", arrays.in_norm)):
        fields[f"{name}_mean"] = np.asarray(norm.mean, dtype=np.float64)
        fields[f"{name}_std"] = np.asarray(norm.std, dtype=np.float64)
    if arrays.settled_outputs is not None:
        fields["settled_outputs"] = np.asarray(arrays.settled_outputs, dtype=np.float64)
    with atomic_write(path) as tmp, tmp.open("wb") as handle:
        np.savez(handle, **fields)
    return path


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


class _Fields:
    """The arrays of one open `.npz`, read one by one with errors naming the field."""

    def __init__(self, path: Path, archive):
        self.path = path
        self.archive = archive

    def error(self, name: str, problem: str) -> CheckpointError:
        return CheckpointError(f"{self.path}: field '{name}' {problem}")

    def array(self, name: str, shape: tuple[int, ...], dtype: str | None = None) -> np.ndarray:
        """A finite float array of `shape` (and `dtype` where given)."""
        if name not in self.archive.files:
            raise self.error(name, "is missing")
        try:
            value = self.archive[name]
        except (ValueError, OSError, zipfile.BadZipFile) as exc:  # object arrays need pickle
            raise self.error(name, f"is not a plain numeric array ({exc})") from exc
        if value.dtype.kind != "f" or (dtype is not None and value.dtype != np.dtype(dtype)):
            raise self.error(name, f"has dtype {value.dtype}, expected {dtype or 'a float'}")
        if value.shape != shape:
            raise self.error(name, f"has shape {value.shape}, expected {shape}")
        if not np.all(np.isfinite(value)):
            raise self.error(name, "holds NaN or infinity")
        return value

    def header(self) -> dict:
        if "header" not in self.archive.files:
            raise self.error("header", "is missing")
        try:
            value = self.archive["header"]
            if value.dtype.kind != "U" or value.shape != ():
                raise ValueError(f"a {value.dtype} array of shape {value.shape}")
            header = json.loads(str(value), parse_constant=_refuse_constant)
        except (ValueError, OSError, zipfile.BadZipFile) as exc:
            raise self.error("header", f"is not one JSON text ({exc})") from exc
        if not isinstance(header, dict):
            raise self.error("header", "is not a JSON object")
        return header


def _header_value(fields: _Fields, header: dict, name: str, kind: type):
    if name not in header:
        raise fields.error(f"header.{name}", "is missing")
    value = header[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is list and not all(isinstance(v, str)
                                                                   for v in value)):
        raise fields.error(f"header.{name}", f"is {value!r}, not a {kind.__name__}")
    return value


def _shape(fields: _Fields, header: dict) -> ModelShape:
    raw = _header_value(fields, header, "shape", dict)
    try:
        shape = ModelShape(**raw)
        check_activation(shape.activation)
    except (TypeError, ValueError) as exc:
        raise fields.error("header.shape", f"is not a model shape ({exc})") from exc
    sizes = (shape.n_out, shape.k, shape.hidden, shape.depth, shape.delay)
    if not all(isinstance(v, int) for v in (*sizes, shape.n_in, shape.n_aug)) \
            or min(sizes) < 1 or min(shape.n_in, shape.n_aug) < 0:
        raise fields.error("header.shape", f"holds invalid sizes {raw}")
    return shape


def _layers(fields: _Fields, shape: ModelShape, dtype: str):
    widths = [shape.state_dim + shape.input_dim] + [shape.hidden] * shape.depth \
        + [shape.state_dim]
    return tuple(
        (fields.array(f"layer_{i}_weight", (widths[i + 1], widths[i]), dtype),
         fields.array(f"layer_{i}_bias", (widths[i + 1],), dtype))
        for i in range(len(widths) - 1)
    )


def read_weights_file(path: str | os.PathLike, *, allow_partial: bool = False,
                      checkpoint: str | os.PathLike | None = None) -> ModelArrays:
    """The model in a companion file, checked field by field (see the module docstring).

    With `checkpoint`, the companion must have been written with that `.pt`
    (its `checkpoint_sha256`). A periodic checkpoint of an unfinished training
    (metadata `partial`) is refused unless `allow_partial` is set.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: model weights file not found")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"{path}: not a readable .npz file ({exc})") from exc
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CheckpointError(f"{path}: a single array, not a model weights file (.npz)")
    with archive:
        fields = _Fields(path, archive)
        arrays = _read(fields, fields.header())
        if checkpoint is not None and \
                arrays.checkpoint_sha256 != file_sha256(checkpoint):
            raise fields.error("header.checkpoint_sha256",
                               f"does not match {checkpoint}: the companion of another "
                               "model file; save the model again or remove the companion")
    if arrays.metadata.get("partial") and not allow_partial:
        raise fields.error("header.metadata.partial",
                           "is true: a periodic checkpoint of an unfinished training; "
                           "resume it with `train --resume`, or allow partial models")
    return arrays


def _read(fields: _Fields, header: dict) -> ModelArrays:
    version = header.get("format_version")
    if version != WEIGHTS_FORMAT_VERSION:
        raise fields.error("header.format_version",
                           f"is {version!r}, expected {WEIGHTS_FORMAT_VERSION}")
    shape = _shape(fields, header)
    dtype = _header_value(fields, header, "dtype", str)
    if dtype not in ("float32", "float64"):
        raise fields.error("header.dtype", f"is {dtype!r}, not float32 or float64")
    names = {name: _header_value(fields, header, name, list)
             for name in ("input_names", "output_names", "input_units", "output_units")}
    for name, expected in (("input", shape.n_in), ("output", shape.n_out)):
        if len(names[f"{name}_names"]) != expected or len(names[f"{name}_units"]) != expected:
            raise fields.error(f"header.{name}_names",
                               f"must name the shape's {expected} {name} channels with units")
    step_s = _header_value(fields, header, "step_s", float)
    if not (math.isfinite(step_s) and step_s > 0):
        raise fields.error("header.step_s", f"is {step_s!r}, not a positive number of seconds")
    scheme = _header_value(fields, header, "scheme", str)
    try:
        check_scheme(scheme)
    except ValueError as exc:
        raise fields.error("header.scheme", str(exc)) from exc
    norms = {}
    for name, size in (("out", shape.n_out), ("in", shape.n_in)):
        std = fields.array(f"{name}_std", (size,))
        if not np.all(std > 0):
            raise fields.error(f"{name}_std", "must be positive")
        norms[name] = Normalisation(fields.array(f"{name}_mean", (size,)), std)
    settled = (fields.array("settled_outputs", (shape.n_out,))
               if "settled_outputs" in fields.archive.files else None)
    return ModelArrays(
        shape=shape,
        layers=_layers(fields, shape, dtype),
        linear=fields.array("linear_weight",
                            (shape.state_dim, shape.state_dim + shape.input_dim), dtype),
        out_norm=norms["out"], in_norm=norms["in"],
        step_s=step_s, scheme=scheme, dtype=dtype,
        settings=_header_value(fields, header, "settings", dict),
        metadata=_header_value(fields, header, "metadata", dict), settled_outputs=settled,
        checkpoint_sha256=_header_value(fields, header, "checkpoint_sha256", str), **names,
    )
