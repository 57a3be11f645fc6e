"""`worst_interval`: the interval that holds most of a forecast's squared error, and
the `benchmarks.worst_interval` command that prints it for a model; `peak_bias`,
`errors_after_peaks` and their command, `benchmarks.peak_bias`; `forecast_agreement`
and `benchmarks.forecast_agreement`."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.forecast_agreement import main as forecast_agreement_main
from benchmarks.peak_bias import main as peak_bias_main
from benchmarks.worst_interval import main as worst_interval_main
from surrogate.analysis.error_split import (
    errors_after_peaks,
    forecast_agreement,
    peak_bias,
    worst_interval,
)
from surrogate.baselines.echo_state import echo_state_predict, fit_echo_state
from surrogate.io.trace import Trace, load_trace, save_trace
from surrogate.node.checkpoint import load_checkpoint
from surrogate.node.rollout import evaluate_model, normalised_channels, rollouts_from_every_state

WIDTH_S = 1e-9


def _forecast(n_intervals: int = 5, per_interval: int = 100):
    """A sine target on back-to-back 1 ns intervals from t = 60 ns, sampled every 10 ps."""
    t = 60e-9 + np.arange(n_intervals * per_interval) * (WIDTH_S / per_interval)
    target = np.sin(2 * np.pi * 1.3e9 * t)[:, None]
    return t, target


def test_finds_the_interval_with_the_event_and_scores_the_rest():
    t, target = _forecast()
    error = np.full_like(target, 0.01)
    error[300:400] = 0.1  # the fourth nanosecond, [63, 64) ns
    result = worst_interval(t, target + error, target, WIDTH_S)
    assert result.start_s == pytest.approx(63e-9)
    assert result.stop_s == pytest.approx(64e-9)
    # 100 samples of 0.1² against 400 of 0.01²
    assert result.share == pytest.approx(1.0 / (1.0 + 400 * 1e-4 / (100 * 1e-2)))
    assert result.nrmse_without == pytest.approx(0.01 / target.std())
    # the event alone, over all 500 samples
    assert result.nrmse_of_interval == pytest.approx(np.sqrt(100 * 1e-2 / 500) / target.std())


def test_channels_weigh_by_their_variance():
    t, target = _forecast()
    both = np.concatenate([target, 1e3 * target], axis=1)
    error = np.zeros_like(both)
    error[50:60, 0] = 0.2  # a large error on the small channel, in the first interval
    error[450:460, 1] = 20.0  # a tenth of it, relative, on the large channel, in the last
    result = worst_interval(t, both + error, both, WIDTH_S)
    assert result.start_s == pytest.approx(60e-9)
    assert result.share == pytest.approx(0.04 / (0.04 + 0.0004))
    # outside the first interval only the large channel errs: 10 of 400 samples
    variance = target.var()
    assert result.nrmse_without == pytest.approx(0.5 * np.sqrt(10 * 4e-4 / variance / 400))
    # inside the first interval only the small channel errs: 10 of 500 samples
    assert result.nrmse_of_interval == pytest.approx(0.5 * np.sqrt(10 * 0.04 / variance / 500))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"predicted_nan": True}, "predicted holds NaN"),
        ({"width": 0.0}, "width_s must be a positive number"),
        ({"width": float("nan")}, "width_s must be a positive number"),
        ({"width": 1e-6}, "one interval"),
        ({"constant": True}, "constant"),
        ({"short_target": True}, "do not match"),
        ({"reversed_time": True}, "must increase"),
    ],
)
def test_bad_input_is_named(change, message):
    t, target = _forecast()
    predicted = target + 0.01
    if change.get("predicted_nan"):
        predicted[7] = np.nan
    if change.get("constant"):
        target = np.ones_like(target)
    if change.get("short_target"):
        target = target[:-1]
    if change.get("reversed_time"):
        t = t[::-1]
    with pytest.raises(ValueError, match=message):
        worst_interval(t, predicted, target, change.get("width", WIDTH_S))


def test_the_command_prints_the_models_worst_interval(driven_model, capsys):
    model, trace_path = driven_model
    assert worst_interval_main([str(model), str(trace_path), "--width", "1e-9"]) == 0
    printed = capsys.readouterr().out
    result = evaluate_model(model, load_trace(trace_path))
    worst = worst_interval(result.t, result.predicted, result.target, 1e-9)
    assert f"NRMSE {result.nrmse:.4f}" in printed
    assert f"NRMSE without it {worst.nrmse_without:.4f}" in printed
    assert f"the NRMSE would be {worst.nrmse_of_interval:.4f}" in printed
    assert f"{100 * worst.share:.0f} %" in printed


def test_the_command_refuses_a_bad_window(driven_model, capsys):
    model, trace_path = driven_model
    with pytest.raises(SystemExit):
        worst_interval_main([str(model), str(trace_path), "--window", "2e-9:1e-9"])
    assert "STOP must be greater than START" in capsys.readouterr().err


def test_the_command_names_the_model_when_one_interval_holds_the_whole_run(driven_model, capsys):
    model, trace_path = driven_model
    with pytest.raises(SystemExit):
        worst_interval_main([str(model), str(trace_path), "--width", "1e-6"])
    error = capsys.readouterr().err
    assert str(model) in error and "one interval" in error


def test_peak_bias_averages_the_error_at_the_high_maxima_only():
    t, target = _forecast()
    target = target[:, 0] * (1.0 + 0.5 * (t > 62e-9))  # peaks of 1 before 62 ns, 1.5 after
    predicted = target.copy()
    high = 1 + np.nonzero((target[1:-1] > 1.2) & (target[1:-1] >= target[:-2])
                          & (target[1:-1] > target[2:]))[0]
    predicted[high[::2]] += 0.3  # every other high peak overshot, the rest exact
    predicted[target < 1.0] -= 0.7  # errors away from the high peaks do not count
    bias = peak_bias(predicted, target, above=1.2)
    assert bias.count == len(high) == 4  # 1.3 GHz over [62, 65) ns
    assert bias.mean_error == pytest.approx(0.3 * 2 / 4)
    with pytest.raises(ValueError, match="no local maximum above 2"):
        peak_bias(predicted, target, above=2.0)
    predicted[3] = np.inf
    with pytest.raises(ValueError, match="predicted holds NaN or infinite"):
        peak_bias(predicted, target, above=1.2)
    with pytest.raises(ValueError, match="one channel"):
        peak_bias(predicted[:, None], target[:, None], above=1.2)


def test_errors_after_peaks_scores_the_rollout_started_before_each_peak():
    t, target = _forecast()
    target = target[:, 0] * (1.0 + 0.5 * (t > 62e-9))
    high = 1 + np.nonzero((target[1:-1] > 1.2) & (target[1:-1] >= target[:-2])
                          & (target[1:-1] > target[2:]))[0]
    horizon, lead = 10, 3
    starts = len(target) - horizon
    # rollouts[h, i] predicts target[i + 1 + h]: exact, except after the third peak
    rollouts = np.stack([target[1 + h : 1 + h + starts] for h in range(horizon)])
    rollouts[:, high[2] - lead] += np.linspace(0.0, 0.3, horizon)
    rollouts[:, high[1] - lead - 1] += 5.0  # another start's rollout does not count
    found = errors_after_peaks(rollouts, target, above=1.2, lead=lead)
    assert [peak.index for peak in found] == list(high)
    assert [peak.height for peak in found] == pytest.approx(target[high])
    errors = [peak.rms_error for peak in found]
    assert errors[2] == pytest.approx(np.sqrt(np.mean(np.linspace(0.0, 0.3, horizon) ** 2)))
    assert errors[:2] + errors[3:] == pytest.approx([0.0] * 3, abs=1e-12)
    # the last peak's rollout would run past the target: left out
    assert len(errors_after_peaks(rollouts[:, : high[-1] - lead], target, 1.2, lead)) == 3
    with pytest.raises(ValueError, match="no peak above 1.2 has 500 samples before it"):
        errors_after_peaks(rollouts, target, above=1.2, lead=500)
    with pytest.raises(ValueError, match="lead must be at least one sample"):
        errors_after_peaks(rollouts, target, above=1.2, lead=0)
    rollouts[0, 0] = np.nan
    with pytest.raises(ValueError, match="errors_after_peaks: rollouts holds NaN"):
        errors_after_peaks(rollouts, target, above=1.2, lead=lead)


def test_the_peak_bias_command_prints_each_horizons_bias(driven_model, capsys):
    model, trace_path = driven_model
    surrogate = load_checkpoint(model)
    x, u, stride = normalised_channels(surrogate, load_trace(trace_path))
    recorded = surrogate.out_norm.invert(x)[:, 0]
    above = float(np.quantile(recorded, 0.8))
    assert peak_bias_main([str(model), str(trace_path), "--above", repr(above),
                           "--horizons", "3", "20", "--after-peaks", "2"]) == 0
    printed = capsys.readouterr().out.splitlines()
    first = surrogate.shape.k - 1
    longest = surrogate.out_norm.invert(rollouts_from_every_state(surrogate, x, u, stride, 20))
    peaks = errors_after_peaks(longest[..., 0], recorded[first:], above, 2)
    assert len(printed) == 2 + len(peaks)
    for line, peak in zip(printed[2:], peaks, strict=True):
        assert line.endswith(f", {peak.height:.4f}: 20-step rollout from 2 steps before, "
                             f"RMS error {peak.rms_error:.4f}")
    for line, horizon in zip(printed[:2], (3, 20), strict=True):
        newest = rollouts_from_every_state(surrogate, x, u, stride, horizon)[-1]
        predicted = surrogate.out_norm.invert(newest)[:, 0]
        first = surrogate.shape.k - 1 + horizon
        bias = peak_bias(predicted, recorded[first : first + len(predicted)], above)
        assert line.startswith(f"horizon {horizon} steps:")
        assert line.endswith(f"at {bias.count} peaks above {above:g}: mean {bias.mean_error:+.4f}")
    with pytest.raises(SystemExit):
        peak_bias_main([str(model), str(trace_path), "--above", "1e9"])
    assert str(model) in capsys.readouterr().err


# [63, 64) ns, its edges half a sample (5 ps) early so that no sample lies on one
EVENT_S = (62.995e-9, 63.995e-9)


def _two_forecasts_that_agree_in_the_event():
    """Forecasts a and b: 0.01 off outside [63, 64) ns; inside, a is 0.1 off and b 0.12."""
    t, target = _forecast()
    target = target[:, 0]
    a = target + 0.01
    a[300:400] = target[300:400] + 0.1
    b = a.copy()
    b[300:400] += 0.02
    return t, np.stack([a, b]), target


def test_forecast_agreement_compares_with_the_target_and_between_forecasts():
    t, forecasts, target = _two_forecasts_that_agree_in_the_event()
    result = forecast_agreement(t, forecasts, target, *EVENT_S)
    np.testing.assert_allclose(result.to_target_inside, [0.1, 0.12])
    np.testing.assert_allclose(result.to_target_outside, [0.01, 0.01])
    np.testing.assert_allclose(result.between_inside, [[0.0, 0.02], [0.02, 0.0]], atol=1e-12)
    np.testing.assert_allclose(result.between_outside, np.zeros((2, 2)), atol=1e-12)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nan": True}, "forecasts holds NaN"),
        ({"interval": (64e-9, 63e-9)}, "is empty"),
        ({"interval": (0.0, 1.0)}, "not none or all"),
        ({"interval": (1.0, 2.0)}, "not none or all"),
        ({"short_target": True}, "do not match"),
    ],
)
def test_forecast_agreement_names_bad_input(change, message):
    t, forecasts, target = _two_forecasts_that_agree_in_the_event()
    if change.get("nan"):
        forecasts[1, 5] = np.nan
    if change.get("short_target"):
        target = target[:-1]
    with pytest.raises(ValueError, match=message):
        forecast_agreement(t, forecasts, target, *change.get("interval", EVENT_S))


def _prediction_file(path, t, outputs):
    inputs = np.zeros((len(t), 1))
    return save_trace(Trace(t, inputs, outputs[:, None], ["u"], ["x"], ["T"], ["m"]), path)


def test_the_agreement_command_prints_each_forecast_and_pair(tmp_path, capsys):
    t, forecasts, target = _two_forecasts_that_agree_in_the_event()
    trace = _prediction_file(tmp_path / "trace.npz", t, target)
    paths = [str(_prediction_file(tmp_path / f"{name}.npz", t, forecast))
             for name, forecast in zip("ab", forecasts, strict=True)]
    interval = "62.995e-9:63.995e-9"
    assert forecast_agreement_main([str(trace), *paths, "--interval", interval]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == ("channel x, [62.995, 63.995) ns: 100 samples inside, 400 outside "
                          "(RMS, inside / outside)")
    assert printed[1:] == ["  a.npz to the target: 0.1000 / 0.0100",
                           "  b.npz to the target: 0.1200 / 0.0100",
                           "  a.npz to b.npz: 0.0200 / 0.0000"]
    with pytest.raises(SystemExit):
        forecast_agreement_main([str(trace), *paths, "--interval", "1e-6:2e-6"])
    assert "not none or all" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        forecast_agreement_main([str(trace), str(tmp_path / "missing.npz"), "--interval", interval])
    assert "missing.npz" in capsys.readouterr().err


def test_the_agreement_command_adds_the_echo_state_networks_free_run(tmp_path, capsys):
    t = np.arange(3000) * 5e-12
    u = np.sin(2 * np.pi * 4e9 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.3e9 * t))
    x = np.cos(2 * np.pi * 4e9 * t) + 0.3 * u
    full = Trace(t, u[:, None], x[:, None], ["u"], ["x"], ["T"], ["m"])
    trace = save_trace(full, tmp_path / "trace.npz")
    held_out = t >= 10e-9
    forecast = _prediction_file(tmp_path / "model.npz", t[held_out], x[held_out] + 0.01)
    assert forecast_agreement_main([str(trace), str(forecast), "--interval", "13e-9:14e-9",
                                    "--echo-state", "0:10e-9"]) == 0
    printed = capsys.readouterr().out.splitlines()
    network = fit_echo_state(full.window(0.0, 10e-9), step_s=5e-12)
    esn_t, esn_x, _ = echo_state_predict(network, full.window(10e-9, t[-1] + 5e-12))
    inside = (esn_t >= 13e-9) & (esn_t < 14e-9)
    esn_error = esn_x[:, 0] - x[t >= esn_t[0]]
    assert printed[2] == (f"  echo-state network to the target: "
                          f"{np.sqrt(np.mean(esn_error[inside] ** 2)):.4f} / "
                          f"{np.sqrt(np.mean(esn_error[~inside] ** 2)):.4f}")
    assert printed[0].endswith(f"{inside.sum()} samples inside, {(~inside).sum()} outside "
                               "(RMS, inside / outside)")
