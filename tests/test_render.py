"""Rendering mumax3 scripts: every physical parameter of each device at its configured value."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from surrogate.config.specs import (
    FieldStepDrive,
    Grains,
    HeldSequenceDrive,
    MaskedSequenceDrive,
    Material,
    ParameterInputsDrive,
    RandomSineDrive,
    SampledWaveformDrive,
    SimulationSpec,
    SkyrmionDevice,
    StandardProblem4,
    VortexOscillator,
)
from surrogate.engines.drive_files import data_file_names, drive_plan
from surrogate.engines.mumax3.render import RenderError, render_simulation, render_template
from surrogate.engines.mumax3.table_import import script_parameters
from surrogate.engines.table_layout import expected_table_rows, input_columns
from surrogate.io.ovf import read_ovf
from surrogate.physics.constants import MU0
from surrogate.physics.drives import DriveDataError, input_mask, random_amplitudes
from surrogate.physics.regions import (
    OUTSIDE_REGION,
    grain_parameters,
    grain_region_map,
    read_region_map,
)

SKYRMION_MATERIAL = Material(Ms=580e3, Aex=15e-12, Ku1=0.8e6, Dind=3.5e-3)


def paper_spec(**drive_changes) -> SimulationSpec:
    """The one-skyrmion device as listed in shared/README.md (Chen et al. 2022)."""
    device = SkyrmionDevice(
        "skyrmion1", SKYRMION_MATERIAL, diameter=80e-9, thickness=1e-9, cell_size=1e-9,
        skyrmion_diameter=40e-9, alpha=0.01, alpha_settle=0.1, settle_time=1e-9,
    )
    drive = RandomSineDrive("train", parameter="Ku1", amplitude=1e5, frequency=4e9,
                            n_periods=600, seed=2)
    return SimulationSpec(device, replace(drive, **drive_changes), sample_period=2.5e-12)


def odd_spec() -> SimulationSpec:
    """Values with many digits, so rounding anywhere would show."""
    material = Material(Ms=612345.678901, Aex=1.23456789e-11, Ku1=812345.6789,
                        Dind=3.21987654e-3, anisotropy_axis=(0.01, -0.02, 0.9997499687))
    device = SkyrmionDevice(
        "odd", material, diameter=100e-9, thickness=1.2e-9, cell_size=2e-9,
        skyrmion_diameter=33.3e-9, skyrmion_positions=((30e-9, 0.0), (-30e-9, 1.5e-9)),
        alpha=0.0123, alpha_settle=0.321, settle_time=1.234e-9, input_region=7,
    )
    drive = RandomSineDrive("d", parameter="Dind", amplitude=4.1e-4, frequency=0.4e9,
                            n_periods=13, seed=9, amplitude_range=(-1.5, 0.5))
    return SimulationSpec(device, drive, sample_period=5e-12)


def two_input_spec(grains: Grains | None = None) -> SimulationSpec:
    """The paper's parameters-as-inputs device: 100 nm disk, Ku at 4 GHz and D at 0.4 GHz."""
    material = Material(Ms=580e3, Aex=15e-12, Ku1=8e5, Dind=3.0e-3)
    device = SkyrmionDevice("pd", material, diameter=100e-9, thickness=1e-9, cell_size=1e-9,
                               skyrmion_diameter=40e-9, grains=grains)
    ku = RandomSineDrive("ku", "Ku1", 0.5e5, 4e9, 40, seed=2, amplitude_range=(-1.0, 1.0))
    dind = RandomSineDrive("dind", "Dind", 0.4e-3, 0.4e9, 4, seed=3, amplitude_range=(-1.0, 1.0))
    return SimulationSpec(device, ParameterInputsDrive("both", (ku, dind)), sample_period=5e-12)


def vortex_spec(**changes) -> SimulationSpec:
    material = Material(Ms=8.1234e5, Aex=1.31e-11)
    device = VortexOscillator(
        "vortex", material, diameter=40e-9, thickness=5.5e-9, cell_size=5e-9, layers=2,
        alpha=0.0111, alpha_settle=0.432, settle_time=1.5e-9, polarization=0.387,
        Lambda=1.21, epsilon_prime=0.013, fixed_layer=(0.0, 0.6, 0.8), J_dc=-1.23e11,
        temperature=300.5, thermal_seed=17, core_polarity=-1, chirality=1,
    )
    drive = HeldSequenceDrive("in", parameter="J", amplitude=2.5e10, hold_time=1e-10,
                              n_steps=12, seed=4)
    return SimulationSpec(replace(device, **changes), drive, sample_period=5e-12)


def calls(text: str, name: str) -> list[list[str]]:
    """Top-level argument lists of every `name(...)` call, parentheses balanced."""
    found = []
    for match in re.finditer(rf"\b{re.escape(name)}\(", text):
        depth, args, start = 1, [], match.end()
        for position in range(match.end(), len(text)):
            char = text[position]
            depth += {"(": 1, ")": -1}.get(char, 0)
            if (char == "," and depth == 1) or depth == 0:
                args.append(text[start:position].strip())
                start = position + 1
            if depth == 0:
                break
        found.append(args)
    return found


def evaluate(expression: str, values: np.ndarray, var: str, step: float,
             t: np.ndarray) -> np.ndarray:
    """A drive expression of the script at times t (s) from the drive start.

    Emulates the loop: step n = floor(t / step) reads value n (and n + 1 as
    `<var>next`); tDrive is an arbitrary absolute start time, which the script
    must subtract. The expression uses mumax3 syntax, which is Python syntax here.
    """
    t_drive = 3.7e-9
    n = np.floor(t / step + 1e-9).astype(int)
    scope = {var: values[n], f"{var}next": values[np.minimum(n + 1, len(values) - 1)],
             "sin": np.sin, "pi": math.pi, "t": t + t_drive, "tDrive": t_drive,
             "tStep": t_drive + n * step}
    return eval(expression, {"__builtins__": {}}, scope)  # noqa: S307 - our own rendered text


def data_values(path: Path) -> np.ndarray:
    field = read_ovf(path)
    assert field.values.shape[1:] == (1, 1, 1)
    return field.values[:, 0, 0, 0]


def test_paper_device_reproduces_readme_parameters(tmp_path: Path) -> None:
    rendered = render_simulation(paper_spec(), tmp_path)
    text = rendered.script.read_text()
    params = script_parameters(text)
    assert rendered.script == tmp_path / "skyrmion1.mx3"
    assert params["SetGridsize"] == [[80.0, 80.0, 1.0]]
    assert params["SetCellsize"] == [[1e-9, 1e-9, 1e-9]]
    assert params["Msat"] == [580e3] and params["Aex"] == [15e-12]
    assert params["Ku1"] == [0.8e6] and params["Dind"] == [3.5e-3]
    assert params["AnisU"] == [[0.0, 0.0, 1.0]]
    assert params["alpha"] == [0.1, 0.01]
    assert params["TableAutosave"] == [[2.5e-12]]
    assert calls(text, "SetGeom") == [["Circle(8e-08)"]]
    assert calls(text, "Run") == [["1e-09"], [repr(1 / 4e9)]]
    assert "m.SetInShape(Circle(4e-08).Transl(0.0, 0.0, 0), NeelSkyrmion(1, -1)" in text
    assert calls(text, "TableAdd") == [["Ku1.Region(100)"]]
    assert calls(text, "DefRegion") == [["100", "Circle(8e-08)"]]
    assert "for n := 0; n < 600; n++ {" in text
    order = [text.index(s) for s in ("Relax()", "Run(1e-09)", "alpha = 0.01",
                                     "TableAutosave", "TableAdd", "DefRegion", "for n :=")]
    assert order == sorted(order)
    assert len(text.splitlines()) < 60, "the drive must be looped, not unrolled"
    assert expected_table_rows(paper_spec()) == 60000
    np.testing.assert_array_equal(data_values(rendered.data_files[0]),
                                  random_amplitudes(paper_spec().drive))


def test_every_parameter_written_at_full_precision(tmp_path: Path) -> None:
    spec = odd_spec()
    text = render_simulation(spec, tmp_path).script.read_text()
    params = script_parameters(text)
    mat, dev = spec.device.material, spec.device
    assert params["Msat"] == [mat.Ms] and params["Aex"] == [mat.Aex]
    assert params["Ku1"] == [mat.Ku1] and params["Dind"] == [mat.Dind]
    assert params["AnisU"] == [list(mat.anisotropy_axis)]
    assert params["alpha"] == [dev.alpha_settle, dev.alpha]
    assert params["SetGridsize"] == [[50.0, 50.0, 1.0]]
    assert params["SetCellsize"] == [[dev.cell_size, dev.cell_size, dev.thickness]]
    assert params["TableAutosave"] == [[spec.sample_period]]
    assert calls(text, "Run") == [[repr(dev.settle_time)], [repr(1 / 0.4e9)]]
    seeds = calls(text, "Transl")
    assert seeds == [["3e-08", "0.0", "0"]] * 2 + [["-3e-08", "1.5e-09", "0"]] * 2
    assert "Circle(3.33e-08)" in text
    assert calls(text, "TableAdd") == [["Dind.Region(7)"]]
    assert calls(text, "DefRegion") == [["7", "Circle(1e-07)"]]
    assert "for n := 0; n < 13; n++ {" in text


@pytest.mark.parametrize("make_spec", [paper_spec, odd_spec])
def test_sine_drive_expression_matches_python_drive(tmp_path: Path, make_spec) -> None:
    spec = make_spec()
    rendered = render_simulation(spec, tmp_path)
    text = rendered.script.read_text()
    (set_region,) = calls(text, f"{spec.drive.parameter}.SetRegion")
    assert int(set_region[0]) == spec.device.input_region
    amplitudes = data_values(rendered.data_files[0])
    period = 1 / spec.drive.frequency
    t = np.linspace(0, spec.drive.duration, 4001)[:-1]
    base = getattr(spec.device.material, spec.drive.parameter)
    expected = drive_plan(spec).values(t)[:, 0]
    script_value = evaluate(set_region[1], amplitudes, "A0", period, t)
    np.testing.assert_allclose(script_value, expected, rtol=1e-12, atol=1e-12 * abs(base))


def test_parameters_as_inputs_device(tmp_path: Path) -> None:
    spec = two_input_spec()
    rendered = render_simulation(spec, tmp_path)
    text = rendered.script.read_text()
    params = script_parameters(text)
    assert params["SetGridsize"] == [[100.0, 100.0, 1.0]] and params["Dind"] == [3.0e-3]
    assert calls(text, "TableAdd") == [["Ku1.Region(100)"], ["Dind.Region(100)"]]
    assert calls(text, "Run")[1] == [repr(1 / 4e9)] and "n < 40;" in text
    ku_file, dind_file = rendered.data_files
    ku, dind = spec.drive.inputs
    np.testing.assert_array_equal(data_values(dind_file), np.repeat(random_amplitudes(dind), 10))
    t = np.linspace(0, spec.drive.duration, 3001)[:-1]
    expected = drive_plan(spec).values(t)
    for column, (call, data, base) in enumerate([(calls(text, "Ku1.SetRegion")[0], ku_file, 8e5),
                                                 (calls(text, "Dind.SetRegion")[0], dind_file,
                                                  3e-3)]):
        value = evaluate(call[1], data_values(data), f"A{column}", 1 / 4e9, t)
        np.testing.assert_allclose(value, expected[:, column], rtol=1e-12, atol=1e-12 * base)
    sine = np.sin(2 * np.pi * 4e8 * t)
    amplitude = np.repeat(random_amplitudes(dind), 10)[np.floor(t * 4e9 + 1e-9).astype(int)]
    np.testing.assert_allclose(expected[:, 1], 3e-3 + 0.4e-3 * amplitude * sine, rtol=1e-12)


def test_parameters_as_inputs_must_nest(tmp_path: Path) -> None:
    spec = two_input_spec()
    ku, dind = spec.drive.inputs
    bad = replace(spec, drive=ParameterInputsDrive("x", (ku, replace(dind, frequency=0.3e9,
                                                                      n_periods=3))))
    with pytest.raises(RenderError, match="whole multiple"):
        render_simulation(bad, tmp_path)


def test_grains_every_region_and_drive_offsets(tmp_path: Path) -> None:
    grains = Grains(grain_size=10e-9, n_regions=98, seed=1234567, ku1_sigma=0.2,
                    dind_sigma=0.2, axis_tilt=0.1)
    spec = two_input_spec(grains)
    rendered = render_simulation(spec, tmp_path)
    text = rendered.script.read_text()
    regions = grain_parameters(spec.device.material, grains)
    assert calls(text, "regions.LoadFile") == [['"pd_regions.ovf"']]
    region_file = tmp_path / "pd_regions.ovf"
    assert region_file in rendered.data_files
    region_map = read_region_map(region_file, spec.device)
    np.testing.assert_array_equal(region_map, grain_region_map(spec.device))
    assert "ext_makegrains" not in text and "DefRegion" not in text, "the grains must survive"
    ku_calls, dind_calls = calls(text, "Ku1.SetRegion"), calls(text, "Dind.SetRegion")
    axis_calls = calls(text, "AnisU.SetRegion")
    assert len(ku_calls) == len(dind_calls) == 2 * 98 and len(axis_calls) == 98
    for index, (ku1, dind, axis) in enumerate(regions):
        assert ku_calls[index] == [str(index), repr(ku1)]
        assert dind_calls[index] == [str(index), repr(dind)]
        assert axis_calls[index] == [str(index), f"vector({axis[0]!r}, {axis[1]!r}, {axis[2]!r})"]
        assert ku_calls[98 + index][0] == str(index)
        assert ku_calls[98 + index][1].startswith(f"{ku1!r} + 50000.0*A0*sin(")
    ku = np.array([r[0] for r in regions]) / 8e5 - 1
    assert 0.12 < ku.std() < 0.28 and abs(ku.mean()) < 0.06
    axes = np.array([r[2] for r in regions])
    np.testing.assert_allclose(np.linalg.norm(axes, axis=1), 1.0, rtol=1e-12)
    assert np.all(np.abs(axes[:, :2] / axes[:, 2:]) <= 0.1)
    assert len(text.splitlines()) < 700


def test_grains_table_records_the_bare_input_in_no_region(tmp_path: Path) -> None:
    """No column averages a region: region 100 holds no cells and would give NaN."""
    spec = two_input_spec(Grains(grain_size=10e-9, n_regions=98, seed=5))
    rendered = render_simulation(spec, tmp_path)
    text = rendered.script.read_text()
    assert calls(text, "TableAdd") == [] and ".Region(" not in text
    assert "SetRegion(100" not in text
    columns = calls(text, "TableAddVar")
    assert [c[1:] for c in columns] == [['"Ku1_input"', '"J/m3"'], ['"Dind_input"', '"J/m2"']]
    assert [c[1].strip('"') for c in columns] == input_columns(spec)
    assert text.index("TableAddVar") < text.index("for n := 0"), "columns precede the first row"
    ku = spec.drive.inputs[0]
    t = np.linspace(0, ku.duration, 4001)[:-1]
    amplitudes = {name: data_values(tmp_path / f"pd_both_{name}.ovf") for name in ("Ku1", "Dind")}
    ku_value = evaluate(columns[0][0], amplitudes["Ku1"], "A0", 2.5e-10, t)
    expected = drive_plan(spec).values(t)
    np.testing.assert_allclose(ku_value, expected[:, 0], rtol=1e-14, atol=1e-9)
    dind_value = evaluate(columns[1][0], amplitudes["Dind"], "A1", 2.5e-10, t)
    np.testing.assert_allclose(dind_value, expected[:, 1], rtol=1e-14, atol=1e-18)


def test_grain_errors(tmp_path: Path) -> None:
    spec = two_input_spec(Grains(grain_size=10e-9, n_regions=255, seed=1))
    with pytest.raises(RenderError, match="'device.grains.n_regions'"):
        render_simulation(spec, tmp_path)
    tilted = replace(spec.device, grains=Grains(10e-9, 98, 1),
                     material=replace(spec.device.material, anisotropy_axis=(1.0, 0.0, 0.0)))
    with pytest.raises(RenderError, match="'device.material.anisotropy_axis'"):
        render_simulation(replace(spec, device=tilted), tmp_path)


def test_held_sequence_on_skyrmion(tmp_path: Path) -> None:
    drive = HeldSequenceDrive("held", "Ku1", amplitude=3e4, hold_time=1e-11, n_steps=37, seed=8)
    spec = replace(paper_spec(), drive=drive)
    rendered = render_simulation(spec, tmp_path)
    (call,) = calls(rendered.script.read_text(), "Ku1.SetRegion")
    t = np.linspace(0, drive.duration, 2001)[:-1]
    value = evaluate(call[1], data_values(rendered.data_files[0]), "A0", 1e-11, t)
    np.testing.assert_allclose(value, drive_plan(spec).values(t)[:, 0], rtol=1e-15)


def test_mackey_glass_masked_drive_500k_values(tmp_path: Path) -> None:
    series = np.random.default_rng(3).uniform(0.2, 1.4, 10000)
    series_file = tmp_path / "series.txt"
    np.savetxt(series_file, series)
    drive = MaskedSequenceDrive("mg", "Ku1", amplitude=2e5, hold_time=1e-11,
                                series_file=str(series_file), n_samples=10000,
                                n_virtual_nodes=50, mask_seed=6, scale=0.4)
    rendered = render_simulation(replace(paper_spec(), drive=drive), tmp_path / "out")
    text = rendered.script.read_text()
    assert "for n := 0; n < 500000; n++ {" in text and len(text.splitlines()) < 50
    values = data_values(rendered.data_files[0])
    mask = input_mask(50, 6)
    assert values.shape == (500000,)
    np.testing.assert_allclose(values[50 * 7 + 13], 0.4 * mask[13] * series[7], rtol=1e-15)
    (call,) = calls(text, "Ku1.SetRegion")
    assert call == ["100", "800000.0 + 200000.0*A0"]
    assert calls(text, "Run")[1] == ["1e-11"]


@pytest.mark.parametrize("interpolation", ["hold", "linear"])
def test_sampled_waveform(tmp_path: Path, interpolation: str) -> None:
    samples = np.sin(np.linspace(0, 3, 9)) + 0.1
    values_file = tmp_path / "wave.npy"
    np.save(values_file, samples)
    drive = SampledWaveformDrive("wave", "Dind", amplitude=1e-4, sample_time=2e-11,
                                 values_file=str(values_file), n_values=9,
                                 interpolation=interpolation)
    rendered = render_simulation(replace(paper_spec(), drive=drive), tmp_path / "out")
    text = rendered.script.read_text()
    assert f"n < {9 if interpolation == 'hold' else 8};" in text
    (call,) = calls(text, "Dind.SetRegion")
    t = np.linspace(0, drive.duration, 1601)[:-1]
    value = evaluate(call[1], data_values(rendered.data_files[0]), "A0", 2e-11, t)
    if interpolation == "linear":
        expected = 3.5e-3 + 1e-4 * np.interp(t, 2e-11 * np.arange(9), samples)
    else:
        expected = 3.5e-3 + 1e-4 * samples[np.floor(t / 2e-11 + 1e-9).astype(int)]
    np.testing.assert_allclose(drive_plan(replace(paper_spec(), drive=drive)).values(t)[:, 0],
                               expected, rtol=1e-12)
    np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_drive_data_errors_name_file_and_field(tmp_path: Path) -> None:
    missing = MaskedSequenceDrive("mg", "Ku1", 1.0, 1e-11, str(tmp_path / "nope.txt"), 5)
    with pytest.raises(DriveDataError, match=r"nope.txt: file of field 'series_file' not found"):
        render_simulation(replace(paper_spec(), drive=missing), tmp_path)
    short = tmp_path / "short.txt"
    short.write_text("1\n2\n")
    with pytest.raises(DriveDataError, match=r"short.txt: field 'series_file' file holds 2"):
        render_simulation(replace(paper_spec(), drive=replace(missing, series_file=str(short))),
                          tmp_path)
    short.write_text("1\nabc\n")
    wave = SampledWaveformDrive("w", "Ku1", 1.0, 1e-11, str(short), 2)
    with pytest.raises(DriveDataError, match=r"short.txt: field 'values_file' file is not numeric"):
        render_simulation(replace(paper_spec(), drive=wave), tmp_path)
    with pytest.raises(RenderError, match=r"'drive.n_samples' must be > 0"):
        render_simulation(replace(paper_spec(), drive=replace(missing, n_samples=0)), tmp_path)
    with pytest.raises(RenderError, match=r"field 'drive.interpolation' is 'cubic'"):
        render_simulation(replace(paper_spec(), drive=replace(wave, interpolation="cubic")),
                          tmp_path)


def test_vortex_oscillator_every_parameter(tmp_path: Path) -> None:
    spec = vortex_spec()
    rendered = render_simulation(spec, tmp_path)
    text = rendered.script.read_text()
    params = script_parameters(text)
    device = spec.device
    assert params["SetGridsize"] == [[8.0, 8.0, 2.0]]
    assert params["SetCellsize"] == [[5e-9, 5e-9, 5.5e-9 / 2]]
    assert params["Msat"] == [8.1234e5] and params["Aex"] == [1.31e-11]
    assert params["Pol"] == [0.387] and params["Lambda"] == [1.21]
    assert params["EpsilonPrime"] == [0.013] and params["FreeLayerThickness"] == [5.5e-9]
    assert params["FixedLayer"] == [[0.0, 0.6, 0.8]]
    assert params["alpha"] == [0.432, 0.0111] and params["Temp"] == [300.5]
    assert calls(text, "Vortex") == [["1", "-1"]]
    assert calls(text, "ThermSeed") == [["17"]] and calls(text, "SetSolver") == [["3"]]
    assert calls(text, "Run")[:2] == [["1.5e-09"], ["1e-10"]]
    assert "J = vector(0, 0, -123000000000.0)" in text
    assert calls(text, "TableAdd") == [["J"]] and "n < 12;" in text
    order = [text.index(s) for s in ("Relax()", "J = vector", "Temp =", "Run(1.5e-09)")]
    assert order == sorted(order)
    j_file, oersted_file = rendered.data_files
    loop_j = [c for c in calls(text, "vector") if "A0" in c[2]]
    assert loop_j and loop_j[0][:2] == ["0", "0"]
    t = np.linspace(0, spec.drive.duration, 1201)[:-1]
    value = evaluate(loop_j[0][2], data_values(j_file), "A0", 1e-10, t)
    held = np.random.default_rng(spec.drive.seed).uniform(-1.0, 1.0, 12)
    expected = device.J_dc + 2.5e10 * held[np.floor(t / 1e-10 + 1e-9).astype(int)]
    np.testing.assert_allclose(value, expected, rtol=1e-14)
    (oersted_term,) = calls(text, "B_ext.Add")
    assert oersted_term == ["oersted", loop_j[0][2] + " + 0*t"], "added once, follows J"
    assert "RemoveExtraTerms" not in text, "it logs a line on every call"
    np.testing.assert_allclose(evaluate(oersted_term[1], data_values(j_file), "A0", 1e-10, t),
                               expected, rtol=1e-14)
    before_settle = text.split("Run(1.5e-09)")[0]
    assert "B_ext.Add" in before_settle and "A0 := 0.0" in before_settle, (
        "the settle runs at J_dc with the Oersted field of J_dc")
    oersted = read_ovf(oersted_file)
    assert oersted.values.shape == (8, 8, 2, 3) and oersted.units == ["T*m2/A"] * 3
    x, y = (5 + 0.5) * 5e-9 - 20e-9, (2 + 0.5) * 5e-9 - 20e-9  # cell (5, 2)
    np.testing.assert_allclose(oersted.values[5, 2, 1], [-MU0 * y / 2, MU0 * x / 2, 0.0],
                               rtol=1e-15)
    assert np.all(oersted.values[0, 0] == 0.0), "a corner cell lies outside the disk"


@pytest.mark.parametrize("layers", [1, 2])
def test_zhang_li_torque_disabled_exactly_with_layers(tmp_path: Path, layers: int) -> None:
    text = render_simulation(vortex_spec(layers=layers), tmp_path).script.read_text()
    assert ("DisableZhangLiTorque = true" in text) == (layers > 1)


def test_vortex_relax_field_acts_during_relax_only(tmp_path: Path) -> None:
    text = render_simulation(vortex_spec(relax_field=(5e-3, 0.0, 0.0)), tmp_path).script.read_text()
    before, after = text.split("Relax()")
    assert "B_ext = vector(0.005, 0.0, 0.0)" in before
    assert after.lstrip().startswith("B_ext = vector(0, 0, 0)")


def test_vortex_without_oersted_or_temperature(tmp_path: Path) -> None:
    spec = vortex_spec(oersted=False, temperature=0.0)
    rendered = render_simulation(spec, tmp_path)
    text = rendered.script.read_text()
    assert "B_ext" not in text and "oersted" not in text
    assert "Temp" not in text and "SetSolver" not in text and "ThermSeed" not in text
    assert [p.name for p in rendered.data_files] == ["vortex_in_J.ovf"]
    with pytest.raises(RenderError, match="'device.chirality'"):
        render_simulation(vortex_spec(chirality=2), tmp_path)
    with pytest.raises(RenderError, match="'drive.parameter' is 'Ku1'"):
        render_simulation(replace(spec, drive=replace(spec.drive, parameter="Ku1")), tmp_path)


def test_standard_problem_4(tmp_path: Path) -> None:
    device = StandardProblem4("sp4", Material(Ms=8e5, Aex=1.3e-11))
    drive = FieldStepDrive("field1", B_ext=(-24.6e-3, 4.3e-3, 0.0), duration=1e-9)
    rendered = render_simulation(SimulationSpec(device, drive, sample_period=1e-11), tmp_path)
    text = rendered.script.read_text()
    params = script_parameters(text)
    assert params["SetGridsize"] == [[128.0, 32.0, 1.0]]
    assert params["SetCellsize"] == [[500e-9 / 128, 125e-9 / 32, 3e-9]]
    assert params["Msat"] == [8e5] and params["Aex"] == [1.3e-11] and params["alpha"] == [0.02]
    assert params["B_ext"] == [[-24.6e-3, 4.3e-3, 0.0]]
    assert calls(text, "Uniform") == [["1.0", "0.1", "0.0"]]
    assert calls(text, "Run") == [["1e-09"]] and rendered.data_files == []
    assert text.index("Relax()") < text.index("B_ext =") < text.index("Run(")


def test_data_file_is_referenced_by_name_and_ovf2_text(tmp_path: Path) -> None:
    rendered = render_simulation(paper_spec(), tmp_path)
    (data,) = rendered.data_files
    assert f'LoadFile("{data.name}")' in rendered.script.read_text()
    assert data.parent == rendered.script.parent
    head = data.read_text().splitlines()
    assert head[0] == "# OOMMF OVF 2.0" and "# Begin: Data Text" in head
    assert "# xnodes: 600" in head and "# ynodes: 1" in head


def test_rendering_is_deterministic_and_protects_existing_files(tmp_path: Path) -> None:
    first = render_simulation(paper_spec(), tmp_path).script.read_text()
    assert render_simulation(paper_spec(), tmp_path).script.read_text() == first
    with pytest.raises(RenderError, match="exists with different content"):
        render_simulation(paper_spec(seed=3), tmp_path)
    assert (tmp_path / "skyrmion1.mx3").read_text() == first
    render_simulation(paper_spec(seed=3), tmp_path, overwrite=True)


@pytest.mark.parametrize(
    ("change", "field"),
    [({"parameter": "Msat"}, "drive.parameter"), ({"frequency": 0.0}, "drive.frequency"),
     ({"n_periods": 0}, "drive.n_periods")],
)
def test_bad_drive_names_the_field(tmp_path: Path, change: dict, field: str) -> None:
    with pytest.raises(RenderError, match=re.escape(f"'{field}'")):
        render_simulation(paper_spec(**change), tmp_path)


def test_bad_device_names_the_field(tmp_path: Path) -> None:
    spec = paper_spec()
    bad = replace(spec, device=replace(spec.device, cell_size=-1e-9))
    with pytest.raises(RenderError, match="'device.cell_size'"):
        render_simulation(bad, tmp_path)
    with pytest.raises(RenderError, match="'device.input_region'"):
        render_simulation(replace(spec, device=replace(spec.device, input_region=256)), tmp_path)


def test_render_template_is_strict() -> None:
    with pytest.raises(RenderError, match="undefined"):
        render_template("skyrmion.mx3.j2", {"device": paper_spec().device})
    with pytest.raises(RenderError, match="not found"):
        render_template("no_such.mx3.j2", {})


def test_four_skyrmion_device_from_readme(tmp_path: Path) -> None:
    """120 nm disk, 98 grains of 10 nm (20 % Ku and D, tilt 0.1), skyrmions at +-30 nm."""
    positions = ((30e-9, 0.0), (-30e-9, 0.0), (0.0, 30e-9), (0.0, -30e-9))
    device = SkyrmionDevice("four", SKYRMION_MATERIAL, diameter=120e-9, thickness=1e-9,
                               cell_size=1e-9, skyrmion_diameter=40e-9,
                               skyrmion_positions=positions,
                               grains=Grains(grain_size=10e-9, n_regions=98, seed=1234567))
    spec = SimulationSpec(device, paper_spec().drive, sample_period=2.5e-12)
    text = render_simulation(spec, tmp_path).script.read_text()
    assert script_parameters(text)["SetGridsize"] == [[120.0, 120.0, 1.0]]
    assert calls(text, "SetGeom") == [["Circle(1.2e-07)"]]
    assert calls(text, "regions.LoadFile") == [['"four_regions.ovf"']]
    region_map = read_region_map(tmp_path / "four_regions.ovf", device)
    assert set(np.unique(region_map[region_map != OUTSIDE_REGION])) == set(range(98))
    seeds = calls(text, "NeelSkyrmion(1, -1).Transl")
    assert seeds == [[repr(x), repr(y), "0"] for x, y in positions]
    assert [c[1] for c in calls(text, "TableAddVar")] == ['"Ku1_input"']


def test_input_columns_name_the_table_columns_of_the_drive() -> None:
    assert input_columns(paper_spec()) == ["Ku1.region100"]
    assert input_columns(odd_spec()) == ["Dind.region7"]
    assert input_columns(two_input_spec()) == ["Ku1.region100", "Dind.region100"]
    grainy = two_input_spec(Grains(grain_size=10e-9, n_regions=98, seed=1))
    assert input_columns(grainy) == ["Ku1_input", "Dind_input"]
    assert input_columns(vortex_spec()) == ["Jz"]
    sp4 = SimulationSpec(StandardProblem4("sp4", Material(Ms=8e5, Aex=1.3e-11)),
                         FieldStepDrive("f", (0.0, 0.0, 0.0), 1e-9))
    assert input_columns(sp4) == ["B_extx", "B_exty", "B_extz"]


def test_data_file_names_are_known_before_rendering(tmp_path: Path) -> None:
    grainy = two_input_spec(Grains(grain_size=10e-9, n_regions=98, seed=1))
    for index, spec in enumerate([paper_spec(), two_input_spec(), vortex_spec(),
                                  vortex_spec(oersted=False), grainy]):
        rendered = render_simulation(spec, tmp_path / str(index))
        assert [p.name for p in rendered.data_files] == data_file_names(spec)
    assert data_file_names(vortex_spec()) == ["vortex_in_J.ovf", "vortex_oersted.ovf"]
    assert data_file_names(grainy) == ["pd_both_Ku1.ovf", "pd_both_Dind.ovf", "pd_regions.ovf"]
