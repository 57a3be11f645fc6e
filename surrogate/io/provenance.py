"""Provenance between files: content hashes and the device and drive each file records,
checked where a command combines files that must belong together.

`evaluate` records in its JSON the SHA-256 of the model and the device and drive of
the trace, and in its prediction the SHA-256 of the trace it predicted; `benchmark`
and `experiment parameter-sweep` compare them with the files they are given. A field
a file does not record (files written before, imported traces without a device) is
not compared.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

HASH_CHUNK_BYTES = 1 << 20
RECORDED = ("device", "drive")


class ProvenanceError(ValueError):
    """Files that do not belong together; the message names both and the field."""


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def evaluation_provenance(model: str | os.PathLike, trace_metadata: dict) -> dict:
    """The fields `evaluate` adds to its JSON: the model's hash, the trace's device and drive."""
    return {"model_sha256": file_sha256(model),
            **{key: trace_metadata.get(key) for key in RECORDED}}


def check_evaluation_belongs(evaluation: str | os.PathLike, model: str | os.PathLike,
                             device: str, drive: str) -> None:
    """ProvenanceError when the `evaluate --json` file was made for another model, device
    or drive than those a benchmark is given."""
    evaluation = Path(evaluation)
    try:
        record = json.loads(evaluation.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProvenanceError(f"{evaluation}: not a readable evaluation result ({exc})") from exc
    if not isinstance(record, dict):
        raise ProvenanceError(f"{evaluation}: expected a JSON object")
    recorded = record.get("model_sha256")
    if recorded is not None and recorded != file_sha256(model):
        raise ProvenanceError(
            f"--eval {evaluation}: field 'model_sha256' is the hash of another model file than "
            f"{model} (evaluated: {record.get('model')}); evaluate this model first")
    for key, given in (("device", device), ("drive", drive)):
        if record.get(key) is not None and record[key] != given:
            raise ProvenanceError(f"--eval {evaluation}: field '{key}' is '{record[key]}', "
                                  f"not the --{key} '{given}' benchmarked")


def prediction_provenance(trace: str | os.PathLike) -> dict:
    """The metadata `evaluate --pred-out` adds to a prediction: the hash of its trace."""
    return {"prediction_of_sha256": file_sha256(trace)}


def check_prediction_belongs(trace: str | os.PathLike, trace_metadata: dict,
                             prediction: str | os.PathLike, prediction_metadata: dict) -> None:
    """ProvenanceError when `prediction` is not the prediction of `trace`: another file's
    hash, or another device or drive in its metadata."""
    recorded = prediction_metadata.get("prediction_of_sha256")
    if recorded is not None and recorded != file_sha256(trace):
        raise ProvenanceError(
            f"{prediction}: field 'metadata.prediction_of_sha256' is the hash of another trace "
            f"than {trace} (predicted: {prediction_metadata.get('prediction_of')})")
    for key in RECORDED:
        ours, theirs = trace_metadata.get(key), prediction_metadata.get(key)
        if ours is not None and theirs is not None and ours != theirs:
            raise ProvenanceError(f"{prediction}: field 'metadata.{key}' is '{theirs}'; the "
                                  f"trace {trace} is of {key} '{ours}'")
