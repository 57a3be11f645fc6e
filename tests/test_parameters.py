"""The parameter registry: the schema, the engines and the grains read their facts from it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from surrogate.config.engines import CAPABILITIES
from surrogate.config.loader import ConfigError, load_schema, parse_config, read_yaml
from surrogate.config.parameters import (
    DRIVABLE,
    DRIVEN_PARAMETERS,
    GRAIN_PARAMETERS,
    MAGNUMNP_NAMES,
    PARAMETERS,
    base_values,
)
from surrogate.config.specs import Grains, Material
from surrogate.physics.regions import grain_parameters


def test_the_schema_material_section_is_built_from_the_registry():
    material = load_schema()["$defs"]["material"]
    assert set(material["properties"]) == {name for name, p in PARAMETERS.items()
                                           if p.schema is not None}
    assert material["additionalProperties"] is False
    assert material["required"] == ["Ms", "Aex"]
    assert material["properties"]["Ku1"]["description"] == "uniaxial anisotropy (J/m3)"
    assert {field.name for field in dataclasses.fields(Material)} == set(material["properties"])


def test_the_schema_driven_parameters_and_engine_names_come_from_the_registries():
    schema = load_schema()
    parameter = schema["$defs"]["random_sine_drive"]["properties"]["parameter"]
    assert parameter["enum"] == list(DRIVEN_PARAMETERS) == ["Ku1", "Dind", "J"]
    assert "Dind (J/m2)" in parameter["description"]
    assert schema["properties"]["engine"]["enum"] == ["auto", "mumax3", "magnumnp"]


def test_a_parameter_not_in_the_registry_is_refused_by_the_schema():
    raw = read_yaml("config.yaml")
    raw["drives"]["train"]["parameter"] = "Msat"
    with pytest.raises(ConfigError, match="drives.train.parameter.*'Msat' is not one of"):
        parse_config(raw, "config.yaml")


def test_drivable_parameters_units_and_capabilities_follow_the_registry():
    assert DRIVABLE == {"skyrmion": {"Ku1": "J/m3", "Dind": "J/m2"},
                        "vortex_oscillator": {"J": "A/m2"}}
    for by_kind in CAPABILITIES.values():
        for kind, capability in by_kind.items():
            assert capability.parameters == frozenset(DRIVABLE.get(kind, {}))
    assert MAGNUMNP_NAMES["Aex"] == "A" and MAGNUMNP_NAMES["Dind"] == "Di"


def test_base_values_read_the_field_the_registry_names():
    config = parse_config(read_yaml("config.yaml"), "config.yaml")
    skyrmion = config.devices["skyrmion"]
    assert base_values(skyrmion) == {"Ku1": skyrmion.material.Ku1,
                                     "Dind": skyrmion.material.Dind}
    oscillators = [d for d in config.devices.values() if d.kind == "vortex_oscillator"]
    assert base_values(oscillators[0]) == {"J": oscillators[0].J_dc}


def test_each_grain_value_sits_at_its_registry_index():
    material = Material(Ms=1e6, Aex=1e-11, Ku1=8e5, Dind=3e-3)
    grains = Grains(grain_size=20e-9, n_regions=4, seed=1, ku1_sigma=1e-9, dind_sigma=1e-9,
                    axis_tilt=0.0)
    assert GRAIN_PARAMETERS == ("Ku1", "Dind", "anisotropy_axis")
    for region in grain_parameters(material, grains):
        ku1 = region[PARAMETERS["Ku1"].grain_index]
        dind = region[PARAMETERS["Dind"].grain_index]
        axis = region[PARAMETERS["anisotropy_axis"].grain_index]
        assert ku1 == pytest.approx(8e5, rel=1e-6)
        assert dind == pytest.approx(3e-3, rel=1e-6)
        np.testing.assert_allclose(axis, (0.0, 0.0, 1.0))
