"""The model section: parsed once into TrainSettings, type-checked from the annotations."""

from __future__ import annotations

import math

import pytest

from surrogate.config.loader import ConfigError, parse_config, read_yaml
from surrogate.config.model_settings import (
    SettingsError,
    TrainSettings,
    check_embedding,
    parse_model_settings,
)
from surrogate.node.model import ModelShape


def test_the_config_model_section_is_parsed_into_train_settings():
    raw = read_yaml("config.yaml")
    config = parse_config(raw, "config.yaml")
    assert isinstance(config.model, TrainSettings)
    for name, value in raw["model"].items():
        assert getattr(config.model, name) == value
    assert config.model == parse_model_settings(raw["model"], "config.yaml")


def test_a_bad_model_field_in_the_config_names_the_file_and_the_field():
    raw = read_yaml("config.yaml")
    raw["model"]["delay"] = 0
    with pytest.raises(ConfigError, match=r"config.yaml: field 'model.delay'.*delay must be"):
        parse_config(raw, "config.yaml")


@pytest.mark.parametrize(("values", "message"), [
    ({"hiden": 8}, r"S: unknown model settings \['hiden'\]"),
    ({"hidden": "wide"}, "S: field 'hidden' must be int, got 'wide'"),
    ({"hidden": True}, "S: field 'hidden' must be int, got True"),
    ({"lr": "fast"}, "S: field 'lr' must be float, got 'fast'"),
    ({"step_s": "5 ps"}, "S: field 'step_s' must be float or None"),
    ({"max_iterations": 2.5}, "S: field 'max_iterations' must be int or None"),
    ({"lr": math.nan}, "S: field 'lr' is not a finite number"),
    ({"max_minutes": math.inf}, "S: field 'max_minutes' is not a finite number"),
    ({"lr": -1.0}, "S: field 'lr': TrainSettings.lr must be > 0"),
    ({"k": 0}, r"S: field 'k': TrainSettings.k must be a whole number >= 1 \(k=0\)"),
])
def test_bad_settings_are_refused_naming_the_source_and_the_field(values, message):
    with pytest.raises(SettingsError, match=message):
        parse_model_settings(values, "S")


def test_ints_are_numbers_and_none_is_allowed_where_annotated():
    settings = parse_model_settings({"lr": 1, "step_s": None, "max_iterations": None}, "S")
    assert settings.lr == 1 and settings.step_s is None


def test_the_model_shape_takes_its_defaults_from_the_settings():
    defaults, shape = TrainSettings(), ModelShape(1, 1)
    assert (shape.k, shape.hidden, shape.depth, shape.activation, shape.n_aug, shape.delay) == (
        defaults.k, defaults.hidden, defaults.depth, defaults.activation, defaults.n_aug,
        defaults.delay)


def test_the_embedding_check_refuses_what_is_not_a_whole_number_of_at_least_one():
    check_embedding(1, 1)
    for k, delay in ((0, 1), (1, 0), (2.0, 1), (True, 1)):
        with pytest.raises(SettingsError, match="must be a whole number >= 1"):
            check_embedding(k, delay)


def test_the_recognition_model_overrides_are_checked_like_the_model_section():
    from surrogate.config.recognition_spec import RecognitionExperiment, RecognitionSpecError

    raw = read_yaml("config.yaml")["experiments"]["recognition"]
    field = "experiments.recognition.model.hidden"
    with pytest.raises(RecognitionSpecError, match=f"config.yaml: field '{field}' must be int"):
        RecognitionExperiment.from_dict(dict(raw, model={"hidden": 1.5}), "config.yaml")
