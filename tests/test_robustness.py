"""Bad input and faults: outputs never overwrite inputs, a killed training leaves no
finished-looking model and resumes bit-identically, NaN is refused wherever numbers are read."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
import yaml

from surrogate.cli import main
from surrogate.config.loader import ConfigError, load_config, validate_config
from surrogate.io.trace import Trace, load_trace, save_trace
from surrogate.node.checkpoint import CheckpointError, load_checkpoint
from surrogate.node.training import partial_path

from .conftest import REPO

DT = 5e-12


def _trace(n: int = 400, unit: str = "J/m3") -> Trace:
    t = np.arange(n) * DT
    u = np.sin(2 * np.pi * 4e9 * t) * np.sin(2 * np.pi * 0.3e9 * t)
    x = np.cos(2 * np.pi * 4e9 * t + u)
    return Trace(t, u[:, None], x[:, None], ["Ku1"], ["mz"], [unit], [""])


@pytest.fixture
def trace_file(tmp_path):
    return save_trace(_trace(), tmp_path / "trace.npz")


def _train_args(trace_file, out, *extra: str) -> list[str]:
    settings = '{"batch": 16, "window": 5, "window_max": 10, "val_every": 10, "hidden": 8, ' \
               '"checkpoint_every_s": 0.0, "patience": 1000}'
    return ["train", str(trace_file), "--out", str(out), "--settings-json", settings,
            "--quiet", *extra]


def test_train_takes_the_spacing_of_the_delays(trace_file, tmp_path):
    out = tmp_path / "m.pt"
    assert main(_train_args(trace_file, out, "--max-iterations", "5", "--k", "3",
                            "--delay", "2")) == 0
    shape = load_checkpoint(out).shape
    assert (shape.k, shape.delay, shape.span) == (3, 2, 5)


def test_output_that_is_an_input_is_refused_before_any_work(trace_file, capsys):
    before = trace_file.read_bytes()
    assert main(_train_args(trace_file, trace_file, "--max-iterations", "5")) == 1
    assert "is also the input trace" in capsys.readouterr().err
    assert trace_file.read_bytes() == before
    assert main(["predict", str(trace_file), str(trace_file), "--out", str(trace_file)]) == 1
    assert "is also the input" in capsys.readouterr().err
    assert trace_file.read_bytes() == before


def test_two_outputs_with_one_name_and_a_directory_output_are_refused(trace_file, tmp_path,
                                                                      capsys):
    out = tmp_path / "m.pt"
    assert main(_train_args(trace_file, out, "--report", str(out))) == 1
    assert "is also the output --out" in capsys.readouterr().err
    assert main(_train_args(trace_file, tmp_path, "--max-iterations", "5")) == 1
    assert "is a directory" in capsys.readouterr().err


@pytest.mark.parametrize("option, value", [("--max-minutes", "nan"), ("--max-minutes", "inf"),
                                           ("--max-iterations", "0"), ("--threads", "0")])
def test_non_finite_or_non_positive_cli_numbers_are_refused(trace_file, tmp_path, option, value,
                                                            capsys):
    with pytest.raises(SystemExit) as stop:
        main(_train_args(trace_file, tmp_path / "m.pt", option, value))
    assert stop.value.code == 2
    assert option in capsys.readouterr().err


@pytest.mark.parametrize("settings, message", [
    ('{"lr": NaN}', "NaN is not a finite number"),
    ('{"lr": 1e999}', "field 'lr' is not a finite number"),
    ('{"hidden": "wide"}', "field 'hidden' must be int"),
    ("{hidden: 8", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
])
def test_malformed_settings_json_names_the_option(trace_file, tmp_path, settings, message,
                                                  capsys):
    args = ["train", str(trace_file), "--out", str(tmp_path / "m.pt"), "--settings-json", settings]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "--settings-json" in err and message in err
    assert not (tmp_path / "m.pt").exists()


def test_nan_and_infinity_in_the_config_are_refused_naming_the_field(default_config):
    default_config["devices"]["skyrmion"]["material"]["Ms"] = float("nan")
    default_config["drives"]["train"]["amplitude"] = float("inf")
    with pytest.raises(ConfigError) as error:
        validate_config(default_config, "config.yaml")
    assert "devices.skyrmion.material.Ms" in str(error.value)
    assert "drives.train.amplitude" in str(error.value)


def test_duplicate_yaml_keys_are_refused(tmp_path):
    text = (REPO / "config.yaml").read_text()
    path = tmp_path / "config.yaml"
    path.write_text(text.replace("  test:\n", "  train:\n", 1))
    with pytest.raises(ConfigError, match="key 'train' is given twice"):
        load_config(path)
    assert yaml.safe_load(path.read_text())  # plain YAML would have kept the last silently


def test_units_of_the_model_and_the_trace_must_agree(trace_file, tmp_path, capsys):
    model = tmp_path / "m.pt"
    assert main(_train_args(trace_file, model, "--max-iterations", "10")) == 0
    other = save_trace(_trace(unit="mT"), tmp_path / "other.npz")
    assert main(["evaluate", str(model), str(other)]) == 1
    assert "channel 'Ku1' is in 'mT' in the trace but the model was trained on 'J/m3'" in (
        capsys.readouterr().err)


def test_nan_weights_are_refused_at_load(trace_file, tmp_path):
    model = tmp_path / "m.pt"
    assert main(_train_args(trace_file, model, "--max-iterations", "10")) == 0
    payload = torch.load(model, weights_only=True)
    name = next(iter(payload["state_dict"]))
    payload["state_dict"][name][0] = float("nan")
    torch.save(payload, model)
    with pytest.raises(CheckpointError, match=f"state_dict.{name}' holds NaN"):
        load_checkpoint(model)


def _weights(path) -> dict:
    return torch.load(path, weights_only=True)["state_dict"]


def test_killed_training_leaves_only_a_partial_checkpoint_and_resumes_bit_identically(
        trace_file, tmp_path):
    cap = ["--max-iterations", "400", "--max-minutes", "10", "--seed", "3"]
    reference = tmp_path / "reference.pt"
    assert main(_train_args(trace_file, reference, *cap)) == 0
    assert not partial_path(reference).exists()

    model = tmp_path / "model.pt"
    sidecar = partial_path(model)
    assert sidecar.name == "model.partial.pt"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    process = subprocess.Popen([sys.executable, "-m", "surrogate", *_train_args(
        trace_file, model, *cap)], env=env, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not sidecar.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if not sidecar.exists():
        pytest.fail("training ended before its first periodic checkpoint; lengthen it")
    assert not model.exists()

    with pytest.raises(CheckpointError, match="metadata.partial"):
        load_checkpoint(sidecar)
    assert load_checkpoint(sidecar, allow_partial=True).metadata["partial"] is True
    assert main(["evaluate", str(sidecar), str(trace_file)]) == 1
    assert main(["evaluate", str(sidecar), str(trace_file), "--allow-partial"]) == 0

    resumed = subprocess.run([sys.executable, "-m", "surrogate", *_train_args(
        trace_file, model, *cap, "--resume", "--report", str(tmp_path / "r.json"))],
        env=env, capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert "resumed at iteration" in resumed.stderr
    assert not sidecar.exists()
    expected, got = _weights(reference), _weights(model)
    for name in expected:
        assert torch.equal(expected[name], got[name]), name
    report = yaml.safe_load((tmp_path / "r.json").read_text())
    # the cap is checked between L-BFGS steps, and one step may take several evaluations
    assert report["iterations"] >= 400 and report["stopped_by"] == "iterations"
    assert load_trace(trace_file).t.shape == (400,)


@pytest.fixture
def full_disk(tmp_path):
    """A 512 KiB tmpfs with an existing result in it, then filled to the last byte."""
    mount_point = tmp_path / "small_disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs",
                              str(mount_point)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def _fill(folder) -> None:
    with open(folder / "filler", "wb", buffering=0) as stream:
        for size in (4096, 1):
            try:
                while True:
                    stream.write(b"\0" * size)
            except OSError:
                pass


def test_full_disk_keeps_the_old_output_and_names_the_path(full_disk, trace_file, tmp_path,
                                                           capsys):
    old_trace = save_trace(_trace(50), full_disk / "trace.npz")
    model = tmp_path / "m.pt"
    assert main(_train_args(trace_file, model, "--max-iterations", "10")) == 0
    old_model = full_disk / "model.pt"
    old_model.write_bytes(model.read_bytes())
    before = {path: path.read_bytes() for path in (old_trace, old_model)}
    _fill(full_disk)

    assert main(["predict", str(model), str(trace_file), "--out", str(old_trace)]) == 1
    assert f"{old_trace}: no space left on the device" in capsys.readouterr().err
    # 30 iterations: the periodic checkpoint comes at iteration 10, in the Adam half
    assert main(_train_args(trace_file, old_model, "--max-iterations", "30")) == 1
    assert f"{full_disk}/model.partial.pt: no space left on the device" in (
        capsys.readouterr().err)
    for path, content in before.items():
        assert path.read_bytes() == content
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler", "model.pt", "trace.npz"]
    assert load_trace(old_trace).t.shape == (50,)


def test_an_output_that_is_a_pipe_or_folder_is_refused_and_kept(tmp_path):
    from surrogate.io.atomic import OutputWriteError

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    folder = tmp_path / "folder"
    folder.mkdir()
    for target in (pipe, folder):
        with pytest.raises(OutputWriteError, match=f"{target}: not a regular file"):
            save_trace(_trace(20), target)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode) and folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "pipe"]


def test_outputs_get_the_users_umask(trace_file, tmp_path):
    previous = os.umask(0o022)
    try:
        path = save_trace(_trace(20), tmp_path / "shared.npz")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


def test_trace_channel_names_must_be_distinct_and_disjoint():
    t = np.arange(10) * DT
    with pytest.raises(Exception, match="both inputs and outputs"):
        Trace(t, t[:, None], t[:, None], ["mz"], ["mz"], [""], [""])
    with pytest.raises(Exception, match="names \\['mz'\\] more than once"):
        Trace(t, t[:, None], np.column_stack([t, t]), ["u"], ["mz", "mz"], [""], ["", ""])


def test_uneven_sampling_is_refused():
    t = np.arange(10) * DT
    t[5:] += 0.5 * DT
    with pytest.raises(Exception, match="unevenly sampled"):
        Trace(t, t[:, None], np.sin(t)[:, None], ["u"], ["mz"], [""], [""])
    jitter = np.arange(10) * DT + np.array([0, 1, -1, 2, 0, -2, 1, 0, -1, 0]) * 0.003 * DT
    assert Trace(jitter, jitter[:, None], jitter[:, None], ["u"], ["mz"], [""], [""]).dt > 0


def test_a_text_file_named_npz_is_not_called_pickled(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("t, mz\n0, 1\n")
    with pytest.raises(Exception, match="not a trace file") as error:
        load_trace(path)
    assert "pickle" not in str(error.value)


def test_constant_output_fails_before_training(tmp_path, capsys):
    trace = _trace()
    trace.outputs[:] = 0.5
    path = save_trace(trace, tmp_path / "flat.npz")
    started = time.monotonic()
    assert main(_train_args(path, tmp_path / "m.pt", "--max-minutes", "5")) == 1
    assert "output channel 'mz' is constant" in capsys.readouterr().err
    assert time.monotonic() - started < 30


def test_skyrmion_outside_the_disk_is_refused(default_config):
    from surrogate.config.loader import parse_config

    default_config["devices"]["skyrmion"]["skyrmion_positions"] = [[3.0e-8, 0.0]]
    with pytest.raises(ConfigError, match=r"skyrmion_positions\[0\]'.*does not fit inside"):
        parse_config(default_config, "config.yaml")


def test_sample_period_longer_than_the_drive_is_refused(default_config):
    from surrogate.config.loader import parse_config

    default_config["sample_period"] = 2.0e-9  # 2 rows over the 4 ns test drive
    with pytest.raises(ConfigError, match="field 'sample_period'.*table rows over drive 'test'"):
        parse_config(default_config, "config.yaml")


def test_a_grid_that_needs_terabytes_is_refused_with_the_estimate(default_config):
    from surrogate.config.loader import parse_config

    default_config["devices"]["skyrmion"].update({"diameter": 1.0e-3, "cell_size": 1.0e-9})
    with pytest.raises(ConfigError, match=r"devices.skyrmion'.*needs about \d+.*GiB"):
        parse_config(default_config, "config.yaml")


def test_a_table_of_billions_of_rows_is_refused(default_config):
    from surrogate.config.loader import parse_config

    default_config["sample_period"] = 1.0e-19
    with pytest.raises(ConfigError, match="table rows over drive .* at most"):
        parse_config(default_config, "config.yaml")
