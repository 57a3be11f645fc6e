"""Drive-only prediction: `predict --drive` / `--inputs` forecasts with no simulated outputs."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from surrogate.cli import main
from surrogate.config.loader import parse_config
from surrogate.engines.drive_files import drive_plan
from surrogate.engines.drive_series import drive_input_series
from surrogate.io.input_series import InputSeries, InputSeriesError, read_input_series
from surrogate.io.trace import Trace, load_trace
from surrogate.node.checkpoint import load_checkpoint
from surrogate.node.forecast import ForecastError, forecast, predict_trace


def test_the_model_file_stores_the_settled_state(driven_model):
    model, trace_path = driven_model
    surrogate = load_checkpoint(model)
    assert surrogate.settled_outputs == pytest.approx(load_trace(trace_path).outputs[0])


def test_forecast_from_a_prefix_equals_the_prediction_on_the_trace(driven_model):
    model, trace_path = driven_model
    trace = load_trace(trace_path)
    on_trace = predict_trace(model, trace)
    series = InputSeries(trace.t, trace.inputs, trace.input_names, trace.input_units)
    forecasted = forecast(load_checkpoint(model), series, prefix=trace.outputs[:2])
    assert forecasted.outputs == pytest.approx(on_trace.outputs, abs=1e-12)
    assert forecasted.metadata["initial_state"] == "prefix"


def test_forecast_from_the_settled_state_starts_there(driven_model):
    model, trace_path = driven_model
    trace = load_trace(trace_path)
    series = InputSeries(trace.t, trace.inputs, trace.input_names, trace.input_units)
    forecasted = forecast(load_checkpoint(model), series)
    assert forecasted.outputs[0, 0] == pytest.approx(trace.outputs[0, 0])
    assert forecasted.metadata["initial_state"] == "settled"
    assert len(forecasted.t) == len(trace.t)


def test_predict_inputs_from_npy_and_csv_agree(driven_model, tmp_path):
    model, trace_path = driven_model
    trace = load_trace(trace_path)
    np.save(tmp_path / "u.npy", trace.inputs)
    csv = tmp_path / "u.csv"
    rows = zip(trace.t.tolist(), trace.inputs[:, 0].tolist(), strict=True)
    csv.write_text("t,u\n" + "".join(f"{t!r},{u!r}\n" for t, u in rows))
    assert main(["predict", str(model), "--inputs", str(tmp_path / "u.npy"),
                 "--out", str(tmp_path / "a.npz")]) == 0
    assert main(["predict", str(model), "--inputs", str(csv),
                 "--out", str(tmp_path / "b.npz")]) == 0
    a, b = load_trace(tmp_path / "a.npz"), load_trace(tmp_path / "b.npz")
    assert a.outputs == pytest.approx(b.outputs, abs=1e-12)
    assert a.metadata["prediction"] and a.metadata["engine"] == "spin-node"


def test_predict_refuses_bad_inputs(driven_model, tmp_path, capsys):
    model, _ = driven_model
    bad = tmp_path / "bad.csv"
    bad.write_text("t,v\n0,1\n1e-11,2\n")
    assert main(["predict", str(model), "--inputs", str(bad),
                 "--out", str(tmp_path / "o.npz")]) == 1
    assert "lacks the model's inputs ['u']" in capsys.readouterr().err
    nan = tmp_path / "nan.npy"
    np.save(nan, np.array([0.0, np.nan, 1.0]))
    assert main(["predict", str(model), "--inputs", str(nan),
                 "--out", str(tmp_path / "o.npz")]) == 1
    assert "NaN" in capsys.readouterr().err
    assert main(["predict", str(model), "--out", str(tmp_path / "o.npz")]) == 1
    assert "exactly one of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["predict", str(model), "--drive", "no-colon", "--out", str(tmp_path / "o.npz")])


def test_forecast_refuses_other_channels(driven_model):
    model, _ = driven_model
    series = InputSeries(np.arange(10) * 1e-11, np.zeros((10, 1)), ["v"], ["T"])
    with pytest.raises(ForecastError, match=r"trained on \['u'\]"):
        forecast(load_checkpoint(model), series)
    series = InputSeries(np.arange(10) * 1e-11, np.zeros((10, 1)), ["u"], ["A/m"])
    with pytest.raises(ForecastError, match="'A/m'"):
        forecast(load_checkpoint(model), series)


def test_uneven_input_times_are_refused(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text("t,u\n0,1\n1e-11,2\n3e-11,2\n")
    with pytest.raises(InputSeriesError, match="evenly spaced"):
        read_input_series(path, ["u"], ["T"], 1e-11)


def test_drive_series_matches_the_plan_and_the_table_columns(default_config):
    run = parse_config(default_config, "config.yaml")
    spec = run.simulation_spec("skyrmion", "test")
    series = drive_input_series(spec)
    assert series.names == ["Ku1.region100"] and series.units == ["J/m3"]
    assert len(series.t) == round(4e-9 / 2.5e-12)
    plan = drive_plan(spec)
    assert series.values[:, 0] == pytest.approx(plan.values(series.t)[:, 0])
    assert series.values[0, 0] == pytest.approx(8.0e5)
    assert np.ptp(series.values) > 1e4


def test_predict_drive_from_a_config(driven_model, tmp_path, default_config):
    """A model whose input is named like the skyrmion's forecasts a config drive."""
    from surrogate.node.training import TrainSettings, train_model

    spec = parse_config(default_config, "config.yaml").simulation_spec("skyrmion", "test")
    series = drive_input_series(spec)
    mz = 0.9 + 1e-7 * (series.values[:, 0] - 8e5)
    trace = Trace(series.t, series.values, mz[:, None], series.names, ["mz"], series.units, [""],
                  {"device": "skyrmion"})
    train_model(trace, TrainSettings(max_iterations=5, batch=4, window=5, window_max=10,
                                     val_every=5, hidden=4), tmp_path / "m.pt", progress=False)
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(default_config))
    out = tmp_path / "forecast.npz"
    assert main(["predict", str(tmp_path / "m.pt"), "--drive", f"{config}:test",
                 "--out", str(out)]) == 0
    predicted = load_trace(out)
    assert predicted.metadata["device"] == "skyrmion" and predicted.metadata["drive"] == "test"
    assert predicted.inputs[:, 0] == pytest.approx(series.values[:: len(series.t) // len(
        predicted.t)][: len(predicted.t), 0])
    assert main(["predict", str(tmp_path / "m.pt"), "--drive", f"{config}:test",
                 "--out", str(config)]) == 1
