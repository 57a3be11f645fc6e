"""The material parameters and driven quantities: each one's name, SI unit and engine names.

The one place that lists them (mumax3 declares each once too, as in
`Ku1.init("Ku1", "J/m3", ...)` of its engine/anisotropy.go). The config schema's
material section and driven-parameter enum, the drive channels, both engines'
names and the order of a grain's values are all read from `PARAMETERS`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    """One material parameter or driven quantity.

    `name` is the config's (a `Material` field or a drive's `parameter`), `unit`
    its SI unit ("" for a direction), `mumax3` the script's quantity and
    `magnumnp` the magnum.np material key. `driven_on` lists the device kinds a
    drive may set it on, and `base` is the device field holding its undriven
    value there. `grain_index` is its place in a grain's values (physics.regions),
    None if grains do not vary it. `schema` is the JSON schema of its `material`
    field (None: not a material field); `required` says the material must give it.
    """

    name: str
    unit: str
    description: str
    mumax3: str
    magnumnp: str
    driven_on: tuple[str, ...] = ()
    base: str = ""
    grain_index: int | None = None
    schema: dict | None = None
    required: bool = False


PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    Parameter("Ms", "A/m", "saturation magnetisation", "Msat", "Ms",
              schema={"$ref": "#/$defs/positive"}, required=True),
    Parameter("Aex", "J/m", "exchange stiffness", "Aex", "A",
              schema={"$ref": "#/$defs/positive"}, required=True),
    Parameter("Ku1", "J/m3", "uniaxial anisotropy", "Ku1", "Ku", driven_on=("skyrmion",),
              base="material.Ku1", grain_index=0, schema={"type": "number", "minimum": 0}),
    Parameter("Dind", "J/m2", "interfacial DMI", "Dind", "Di", driven_on=("skyrmion",),
              base="material.Dind", grain_index=1, schema={"type": "number"}),
    Parameter("anisotropy_axis", "", "uniaxial anisotropy axis", "AnisU", "Ku_axis",
              grain_index=2, schema={"$ref": "#/$defs/vector3"}),
    Parameter("J", "A/m2", "current density along z", "J", "J",
              driven_on=("vortex_oscillator",), base="J_dc"),
)}



def _drivable() -> dict[str, dict[str, str]]:
    """Device kind -> parameter name -> SI unit of what its drives may set."""
    drivable: dict[str, dict[str, str]] = {}
    for parameter in PARAMETERS.values():
        for kind in parameter.driven_on:
            drivable.setdefault(kind, {})[parameter.name] = parameter.unit
    return drivable


#: Device kind -> what its drives may set: parameter name -> SI unit.
DRIVABLE = _drivable()

#: Every parameter a drive may set, in registry order.
DRIVEN_PARAMETERS = tuple(p.name for p in PARAMETERS.values() if p.driven_on)
#: The per-grain values, in the order of a grain's tuple: (Ku1, Dind, anisotropy_axis).
GRAIN_PARAMETERS = tuple(sorted((p.name for p in PARAMETERS.values()
                                 if p.grain_index is not None),
                                key=lambda name: PARAMETERS[name].grain_index))
#: Parameter name -> magnum.np material key.
MAGNUMNP_NAMES = {p.name: p.magnumnp for p in PARAMETERS.values()}
#: Parameter name -> mumax3 quantity.
MUMAX3_NAMES = {p.name: p.mumax3 for p in PARAMETERS.values()}


def scalar_material_parameters() -> tuple[str, ...]:
    """The material's scalar parameters (unit given), in registry order: Ms, Aex, Ku1, Dind."""
    return tuple(p.name for p in PARAMETERS.values() if p.schema is not None and p.unit)


def base_values(device: object) -> dict[str, float]:
    """The undriven value (SI) of every parameter a drive may set on `device` (by its kind)."""
    return {name: operator.attrgetter(PARAMETERS[name].base)(device)
            for name in DRIVABLE.get(getattr(device, "kind", ""), {})}


def _with_unit(parameter: Parameter, text: str) -> str:
    """`text` followed by the parameter's unit in parentheses, if it has one."""
    return f"{text} ({parameter.unit})" if parameter.unit else text


def material_schema() -> dict:
    """The `material` section of the config schema: one property per material parameter."""
    material = [p for p in PARAMETERS.values() if p.schema is not None]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [p.name for p in material if p.required],
        "properties": {
            p.name: {**p.schema, "description": _with_unit(p, p.description)}
            for p in material
        },
    }


def driven_parameter_schema() -> dict:
    """The schema of a random sine's `parameter`: one of DRIVEN_PARAMETERS."""
    kinds = "; ".join(
        f"{', '.join(_with_unit(PARAMETERS[name], name) for name in names)} of a {kind}"
        for kind, names in DRIVABLE.items())
    return {"enum": list(DRIVEN_PARAMETERS), "description": f"what is driven: {kinds}"}
