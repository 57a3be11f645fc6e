"""Validation and speed benchmarks, run as `python -m benchmarks.<name>` from the repository root.

Shared helpers (paths, config loading, inputs from ../shared, provenance of
every result) live in `benchmarks.common`; device and drive definitions live
in `benchmarks/configs/*.yaml`, validated by surrogate's config schema.
"""
