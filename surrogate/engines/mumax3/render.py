"""Render a `SimulationSpec` into a mumax3 script plus the data files it loads.

Scripts come from the Jinja templates in `mumax_templates/` and target
mumax3 3.10 and 3.11 (both have `LoadFile`, `regions.LoadFile`, `NeelSkyrmion`,
`Vortex`, `TableAdd`, `TableAddVar`, region parameters, `B_ext.Add(mask, f)`,
`DisableZhangLiTorque` and Slonczewski
`Pol/Lambda/EpsilonPrime/FixedLayer/FreeLayerThickness`). Every
number is written as Python's `repr` of the float, so the script holds each
physical parameter at its configured value (SI).

Drive values travel in OVF2 text files read with `LoadFile` and looped over
one step at a time (a period, a hold time or a sample), never unrolled into
the script. `FunctionFromDatafile` is not used: only recent mumax3 sources
have it (engine/functionfromfile.go), its signature changed from three to
four arguments, and it searches its table linearly at every evaluation, far
too slow for 500 000 values; `LoadFile` of an OVF works in 3.10 and 3.11 alike.

Grains come as a region-map OVF (surrogate.physics.regions) loaded with
`regions.LoadFile`, which reads the first component of each cell and truncates
it to a byte (engine/regions.go; present in 3.9.1c, 3.10 and 3.11), so the
whole numbers written here arrive exactly. The magnum.np engine reads the same
file.

Templates per device kind: `skyrmion.mx3.j2` (SkyrmionDevice
with optional grains), `vortex_oscillator.mx3.j2` (VortexOscillator) and
`standard_problem_4.mx3.j2` (StandardProblem4 with a FieldStepDrive), sharing
the blocks of `_macros.mx3.j2`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import numpy as np

from surrogate.config.parameters import MUMAX3_NAMES, PARAMETERS
from surrogate.config.specs import (
    FieldStepDrive,
    Grains,
    SimulationSpec,
    SkyrmionDevice,
    StandardProblem4,
    VortexOscillator,
)
from surrogate.engines.drive_files import (
    DrivePlan,
    DriveSpecError,
    data_file_names,
    drive_plan,
    write_data_files,
)
from surrogate.engines.table_layout import input_columns
from surrogate.io.atomic import atomic_write
from surrogate.io.ovf import format_ovf_text
from surrogate.physics.geometry import oersted_field_per_current
from surrogate.physics.regions import (
    OUTSIDE_REGION,
    grain_parameters,
    grain_region_map,
    region_file_name,
    region_map_text,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

#: mumax3 has regions 0..255.
MAX_REGION = 255


class RenderError(ValueError):
    """A spec cannot be rendered, or rendering would overwrite different content."""


@dataclass(frozen=True)
class RenderedScript:
    """The rendered `.mx3` script and the data files it loads (same directory)."""

    script: Path
    data_files: list[Path] = field(default_factory=list)


def _num(value: float) -> str:
    """Full-precision literal of a number for a mumax3 script."""
    if isinstance(value, bool):
        raise RenderError(f"boolean {value!r} where a number is expected")
    return repr(float(value))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["num"] = _num
    env.globals["mumax3"] = MUMAX3_NAMES
    return env


def render_template(name: str, context: dict) -> str:
    """Render `mumax_templates/<name>` with `context`; a missing variable is an error."""
    try:
        return _environment().get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template '{name}' not found in {TEMPLATE_DIR}") from exc
    except jinja2.UndefinedError as exc:
        raise RenderError(f"template '{name}': {exc.message}") from exc


def render_simulation(
    spec: SimulationSpec, out_dir: Path, *, overwrite: bool = False
) -> RenderedScript:
    """Write `out_dir/<device name>.mx3` and the data files it loads; return their paths.

    An existing file with different content is kept and a RenderError raised,
    unless `overwrite` is set.
    """
    device = spec.device
    _check_positive(device.name, {"sample_period": spec.sample_period})
    if isinstance(device, SkyrmionDevice):
        template, context, files = _skyrmion(spec)
    elif isinstance(device, VortexOscillator):
        template, context, files = _vortex(spec)
    elif isinstance(device, StandardProblem4):
        template, context, files = _standard_problem_4(spec)
    else:
        raise RenderError(f"spec '{device.name}': no template for device kind '{device.kind}'")
    script_text = render_template(template, {**context, "sample_period": spec.sample_period})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_paths = []
    for name, text in files.items():
        _place(text, out_dir / name, overwrite)
        data_paths.append(out_dir / name)
    script_path = out_dir / f"{device.name}.mx3"
    _place(script_text, script_path, overwrite)
    return RenderedScript(script_path, data_paths)


def _skyrmion(spec: SimulationSpec) -> tuple[str, dict, dict[str, str]]:
    device, drive = spec.device, spec.drive
    _check_positive(device.name, {
        "device.diameter": device.diameter, "device.thickness": device.thickness,
        "device.cell_size": device.cell_size, "device.skyrmion_diameter": device.skyrmion_diameter,
    })
    grains = getattr(device, "grains", None)
    if not 0 <= device.input_region <= MAX_REGION:
        raise RenderError(f"spec '{device.name}': field 'device.input_region' must be 0..255")
    plan = _plan(spec)
    channels, step, n_steps = list(plan.channels), plan.step, plan.n_steps
    files = write_data_files(plan, device.cell_size)
    grain_context = None
    if grains is not None:
        grain_context = _grain_context(device, grains)
        files[grain_context["region_file"]] = region_map_text(device, grain_region_map(device))
        channels = [
            replace(ch, grain_bases=tuple(region[PARAMETERS[ch.parameter].grain_index]
                                          for region in grain_context["regions"]))
            for ch in channels
        ]
    context = {
        "device": device, "drive": drive, "grains": grain_context, "channels": channels,
        "step": step, "n_steps": n_steps, "input_columns": input_columns(spec),
        "table_quantities": [f"{MUMAX3_NAMES[ch.parameter]}.Region({device.input_region})"
                             for ch in channels],
    }
    return "skyrmion.mx3.j2", context, files


def _grain_context(device: SkyrmionDevice, grains: Grains) -> dict:
    name = device.name
    _check_positive(name, {"device.grains.grain_size": grains.grain_size,
                           "device.grains.n_regions": grains.n_regions})
    if grains.n_regions >= OUTSIDE_REGION:
        raise RenderError(
            f"spec '{name}': field 'device.grains.n_regions' ({grains.n_regions}) must be "
            f"below {OUTSIDE_REGION}, the region of the cells outside the disk"
        )
    if tuple(device.material.anisotropy_axis) != (0.0, 0.0, 1.0):
        raise RenderError(
            f"spec '{name}': grains tilt the axis around z; field "
            "'device.material.anisotropy_axis' must be (0, 0, 1)"
        )
    return {"n_regions": grains.n_regions, "region_file": region_file_name(device),
            "outside_region": OUTSIDE_REGION,
            "regions": grain_parameters(device.material, grains)}


def _vortex(spec: SimulationSpec) -> tuple[str, dict, dict[str, str]]:
    device, drive = spec.device, spec.drive
    _check_positive(device.name, {
        "device.diameter": device.diameter, "device.thickness": device.thickness,
        "device.cell_size": device.cell_size, "device.layers": device.layers,
    })
    if device.chirality not in (-1, 1) or device.core_polarity not in (-1, 1):
        raise RenderError(
            f"spec '{device.name}': fields 'device.chirality' and 'device.core_polarity' "
            "must each be +1 or -1"
        )
    if device.temperature < 0:
        raise RenderError(f"spec '{device.name}': field 'device.temperature' is negative")
    fixed = np.asarray(device.fixed_layer, dtype=np.float64)
    if not np.linalg.norm(fixed) > 0:
        raise RenderError(f"spec '{device.name}': field 'device.fixed_layer' is zero")
    plan = _plan(spec)
    channels, step, n_steps = list(plan.channels), plan.step, plan.n_steps
    files = write_data_files(plan, device.cell_size)
    oersted_file = data_file_names(spec)[-1] if device.oersted else ""
    if device.oersted:
        files[oersted_file] = format_ovf_text(
            oersted_field_per_current(device), device.cell,
            title="oersted", labels=("Bx_per_J", "By_per_J", "Bz_per_J"),
            units=("T*m2/A",) * 3,
        )
    context = {
        "device": device, "drive": drive, "channels": channels, "step": step,
        "n_steps": n_steps, "oersted_file": oersted_file,
        "fixed_layer": tuple(float(c) for c in fixed / np.linalg.norm(fixed)),
    }
    return "vortex_oscillator.mx3.j2", context, files


def _standard_problem_4(spec: SimulationSpec) -> tuple[str, dict, dict[str, str]]:
    device, drive = spec.device, spec.drive
    if not isinstance(drive, FieldStepDrive):
        raise RenderError(f"spec '{device.name}': standard problem 4 needs a field_step drive")
    _check_positive(device.name, {"drive.duration": drive.duration})
    for axis in range(3):
        _check_positive(device.name, {f"device.size[{axis}]": device.size[axis],
                                      f"device.grid[{axis}]": device.grid[axis]})
    cell = list(device.cell)
    return "standard_problem_4.mx3.j2", {"device": device, "drive": drive, "cell": cell}, {}


def _plan(spec: SimulationSpec) -> DrivePlan:
    """The drive's channels with their data values; a bad drive field is a RenderError."""
    try:
        return drive_plan(spec)
    except DriveSpecError as exc:
        raise RenderError(str(exc)) from exc


def _check_positive(name: str, values: dict[str, float]) -> None:
    for field_name, value in values.items():
        if not value > 0:
            raise RenderError(f"spec '{name}': field '{field_name}' must be > 0, got {value!r}")


def _place(text: str, path: Path, overwrite: bool) -> None:
    """Write `text` to `path` atomically; refuse to replace different content."""
    if path.exists() and path.read_text(encoding="utf-8") != text and not overwrite:
        raise RenderError(
            f"{path}: exists with different content; remove it or render with overwrite=True"
        )
    with atomic_write(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
