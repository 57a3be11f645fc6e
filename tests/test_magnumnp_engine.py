"""The magnum.np engine on a tiny disk (60 nm, 4 nm cells, 0.05 ns drive).

magnum.np changes torch's process-wide state on import, so every run here
happens in a subprocess; the tests also check that this process stays clean.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from surrogate.config.specs import SimulationSpec
from surrogate.engines.drive_files import DriveSpecError, drive_plan
from surrogate.engines.magnumnp.base import Numerics
from surrogate.engines.magnumnp.mumax3_kernel import mumax3_kernel, padded_shape
from surrogate.engines.magnumnp.runner import run_magnumnp
from surrogate.engines.magnumnp.skyrmion import seeded_magnetization
from surrogate.engines.mumax3.render import render_simulation
from surrogate.io.mumax3_table import read_table
from surrogate.physics.geometry import disk_mask

ROOT = Path(__file__).resolve().parents[1]
SPEC_SOURCE = textwrap.dedent(
    """
    from surrogate.config.specs import Material, RandomSineDrive, SimulationSpec, SkyrmionDevice

    def tiny_spec(parameter):
        material = Material(Ms=580e3, Aex=15e-12, Ku1=8e5, Dind=3.5e-3)
        device = SkyrmionDevice(
            "tiny", material, diameter=60e-9, thickness=1e-9, cell_size=4e-9,
            skyrmion_diameter=30e-9, settle_time=0.02e-9,
        )
        amplitude = {"Ku1": 3e4, "Dind": 2e-4}[parameter]
        drive = RandomSineDrive("tiny", parameter, amplitude, 40e9, n_periods=2, seed=3)
        return SimulationSpec(device, drive, sample_period=2.5e-12)
    """
)
RUN_SOURCE = SPEC_SOURCE + textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from surrogate.engines.magnumnp.runner import run_magnumnp
    from surrogate.engines.mumax3.render import render_simulation

    spec, folder = tiny_spec(sys.argv[1]), Path(sys.argv[2])
    render_simulation(spec, folder)
    run_magnumnp(spec, folder, folder, progress=False)
    """
)


def tiny_spec(parameter: str) -> SimulationSpec:
    namespace: dict = {}
    exec(SPEC_SOURCE, namespace)
    return namespace["tiny_spec"](parameter)


def run_python(source: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", source, *args], cwd=ROOT, capture_output=True, text=True,
        timeout=300, env=_env(),
    )


def _env() -> dict:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("CUDA_DEVICE", "-1")
    return env


@pytest.fixture(scope="module", params=["Ku1", "Dind"])
def engine_run(request, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp(f"magnumnp_{request.param}")
    result = run_python(RUN_SOURCE, request.param, str(out_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    return request.param, out_dir


def test_table_has_mumax3_header_and_columns(engine_run):
    parameter, out_dir = engine_run
    header = (out_dir / "table.txt").read_text().splitlines()[0]
    unit = {"Ku1": "J/m3", "Dind": "J/m2"}[parameter]
    assert header == f"# t (s)\tmx ()\tmy ()\tmz ()\t{parameter}.region100 ({unit})"
    table = read_table(out_dir / "table.txt")
    assert table.names == ["t", "mx", "my", "mz", f"{parameter}.region100"]


def test_time_starts_at_settle_time_and_steps_by_sample_period(engine_run):
    parameter, out_dir = engine_run
    spec = tiny_spec(parameter)
    t = read_table(out_dir / "table.txt").column("t")
    expected = spec.device.settle_time + np.arange(21) * spec.sample_period
    np.testing.assert_allclose(t, expected, rtol=0, atol=1e-18)


def test_input_column_is_p0_plus_drive(engine_run):
    parameter, out_dir = engine_run
    spec = tiny_spec(parameter)
    table = read_table(out_dir / "table.txt")
    t_drive = table.column("t") - spec.device.settle_time
    expected = drive_plan(spec).values(t_drive)[:, 0]
    np.testing.assert_allclose(table.column(f"{parameter}.region100"), expected, rtol=1e-8)
    assert np.ptp(expected) > 0.5 * spec.drive.amplitude


def test_magnetization_is_bounded_and_skyrmion_present(engine_run):
    _, out_dir = engine_run
    table = read_table(out_dir / "table.txt")
    m = table.data[:, 1:4]
    assert np.all(np.linalg.norm(m, axis=1) <= 1.0 + 1e-9)
    assert np.all(table.column("mz") < 0.95)  # a skyrmion core is present ...
    assert np.all(table.column("mz") > 0.0)  # ... and the disk has not reversed


def test_sidecar_and_snapshots_are_written(engine_run):
    _, out_dir = engine_run
    record = json.loads((out_dir / "engine.json").read_text())
    assert record["engine"] == "magnum.np" and record["version"] == "2.2.0"
    assert record["dtype"] == "float64" and record["integrator"]["name"] == "rkf45"
    assert record["threads"] == 1 and record["gamma_rad_per_T_s"] == pytest.approx(1.7595e11)
    assert set(record["wall_s"]) >= {"relax", "settle", "drive", "total"}
    assert record["relax"]["converged"] is True
    assert record["simulated_ns_per_wall_minute"] > 0
    assert record["simulated_ns_per_cpu_minute"] > 0
    assert record["demag"] == {"kernel": "mumax3", "accuracy": 6.0}
    from ovf2io import read_ovf

    for name in ("m_relaxed.ovf", "m_final.ovf"):
        data = read_ovf(out_dir / name)["data"]
        assert data["m_z"].shape == (15, 15, 1)
        assert data["m_z"].min() < 0.0  # the skyrmion core points down


def test_failed_run_leaves_no_table(tmp_path):
    """A run whose integration silently zeroes m must raise and leave no table.txt."""
    (tmp_path / "table.txt").write_text("stale\n")
    source = SPEC_SOURCE + textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from surrogate.engines.magnumnp import base
        from surrogate.engines.magnumnp.runner import run_magnumnp
        from surrogate.engines.mumax3.render import render_simulation

        advance = base.advance
        calls = []

        def diverging_advance(llg, state, target, bar):
            advance(llg, state, target, bar)
            calls.append(target)
            if len(calls) == 12:  # mid drive: what nan_to_num leaves after a blow-up
                state.m[...] = 0.0

        base.advance = diverging_advance
        folder = Path(sys.argv[1])
        render_simulation(tiny_spec("Ku1"), folder)
        try:
            run_magnumnp(tiny_spec("Ku1"), folder, folder, progress=False)
        except base.EngineError as exc:
            print("ENGINE ERROR:", exc)
            sys.exit(3)
        """
    )
    result = run_python(source, str(tmp_path))
    assert result.returncode == 3, result.stderr[-3000:]
    assert "|m| is not 1" in result.stdout
    assert not (tmp_path / "table.txt").exists()
    assert not (tmp_path / "engine.json").exists()


def test_importing_the_engine_module_does_not_import_magnumnp():
    source = (
        "import sys, torch\n"
        "import surrogate, surrogate.engines.magnumnp.runner, surrogate.stages.simulate\n"
        "assert 'magnumnp' not in sys.modules, 'magnumnp was imported'\n"
        "assert torch.get_default_dtype() == torch.float32, torch.get_default_dtype()\n"
        "print('clean')\n"
    )
    result = run_python(source)
    assert result.returncode == 0 and "clean" in result.stdout, result.stderr[-3000:]


def test_this_process_stays_clean_after_engine_runs(engine_run):
    import torch

    assert "magnumnp" not in sys.modules
    assert torch.get_default_dtype() == torch.float32


def test_seed_follows_mumax3_neel_skyrmion():
    spec = tiny_spec("Ku1")
    m = seeded_magnetization(spec.device)[:, :, 0, :]
    mask = disk_mask(spec.device)
    x, y = np.meshgrid(np.arange(15) * 4 - 28, np.arange(15) * 4 - 28, indexing="ij")
    assert mask.sum() == np.count_nonzero(x**2 + y**2 <= 30**2)  # centres in the disk (nm)
    np.testing.assert_allclose(np.linalg.norm(m[mask], axis=-1), 1.0)
    assert np.all(m[~mask] == 0.0)
    np.testing.assert_allclose(m[7, 7], [0.0, 0.0, -1.0])  # core down at the centre
    assert m[9, 7, 0] > 0.1 and m[5, 7, 0] < -0.1  # in-plane part points outward (charge +1)
    assert m[7, 9, 1] > 0.1 and m[7, 5, 1] < -0.1
    np.testing.assert_allclose(m[0, 7], [0.0, 0.0, 1.0])  # +z outside the seed circle


def _run_benchmark(module: str, out: Path, timeout: float) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=_env(),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.slow
def test_standard_problem_4_matches_mumax3(tmp_path):
    """Every component of <m> relaxed and at 1 ns within 2e-3 of mumax3.

    The benchmark uses mumax3's own demag kernel; with magnum.np's Newell kernel
    <my>(1 ns) is 5.2e-3 off (benchmarks/results/magnumnp_sp4_swaps.md).
    """
    record = _run_benchmark("magnumnp_sp4", tmp_path / "sp4.json", timeout=1800)
    checks = record["checks"]
    for block in ("m_relaxed", "m_1ns"):
        for component in ("mx", "my", "mz"):
            assert checks[block][component]["pass"], checks[block]
    assert abs(record["measured"]["first_mx_zero_crossing_s"] - 0.138e-9) < 2e-12


@pytest.mark.slow
def test_dmi_standard_problem_skyrmion_radius(tmp_path):
    record = _run_benchmark("magnumnp_dmi_skyrmion", tmp_path / "dmi.json", timeout=1800)
    assert record["relax"]["converged"]
    assert abs(record["radius_m"] - 22.1e-9) <= 0.5e-9, record["radius_m"]


def test_bad_parameter_and_data_file_are_rejected_before_import(tmp_path):
    spec = tiny_spec("Ku1")
    bad = SimulationSpec(spec.device, replace(spec.drive, parameter="Ms"))
    with pytest.raises(ValueError, match="field 'drive.parameter'.*'magnumnp' cannot drive 'Ms'"):
        run_magnumnp(bad, tmp_path, tmp_path)
    with pytest.raises(DriveSpecError, match="tiny_tiny_Ku1.ovf.*not found"):
        run_magnumnp(spec, tmp_path, tmp_path)
    render_simulation(replace(spec, drive=replace(spec.drive, n_periods=3)), tmp_path)
    with pytest.raises(DriveSpecError, match=r"tiny_tiny_Ku1.ovf: holds \(3, 1, 1\) values"):
        run_magnumnp(spec, tmp_path, tmp_path)
    assert "magnumnp" not in sys.modules


def test_mumax3_sequence_file_replays_the_reference_drive(shared_reference):
    """A_n = 4 (s - 1) - 2 from sequence_amp2.ovf, as drive data, gives the reference Ku1 column."""
    from surrogate.io.ovf import read_ovf

    folder = shared_reference / "1skyrmion_voltage_train"
    amplitudes = 4.0 * (read_ovf(folder / "sequence_amp2.ovf").values.reshape(-1) - 1.0) - 2.0
    assert amplitudes.shape == (600,) and np.all(np.abs(amplitudes) <= 2.0)
    spec = tiny_spec("Ku1")
    drive = replace(spec.drive, amplitude=1e5, frequency=4e9, n_periods=8)
    spec = replace(spec, drive=drive, device=replace(spec.device, settle_time=1e-9))
    plan = drive_plan(spec)
    replayed = replace(plan, channels=(replace(plan.channels[0], values=amplitudes[:8]),))
    table = read_table(folder / "table.txt")
    keep = table.column("t") < 1e-9 + drive.duration
    expected = replayed.values(table.column("t")[keep] - 1e-9)[:, 0]
    np.testing.assert_allclose(table.column("Ku1.region100")[keep], expected, rtol=0, atol=5.0)
    assert "magnumnp" not in sys.modules


def test_mumax3_kernel_of_a_cube_film_has_the_cube_self_term():
    """Self term -1/3 per axis for a cube, even diagonal, odd xy, dipolar far field."""
    kernel = {key: values[:, :, 0] for key, values in
              mumax3_kernel((8, 8, 1), (2e-9, 2e-9, 2e-9)).items()}
    for key in ((0, 0), (1, 1), (2, 2)):
        assert kernel[key][0, 0] == pytest.approx(-1 / 3, abs=1e-3)
        np.testing.assert_array_equal(kernel[key][1], kernel[key][-1])
        np.testing.assert_array_equal(kernel[key][:, 1], kernel[key][:, -1])
    np.testing.assert_array_equal(kernel[(0, 1)][1, 2], -kernel[(0, 1)][-1, 2])
    np.testing.assert_array_equal(kernel[(0, 1)][1, 2], -kernel[(0, 1)][1, -2])
    assert kernel[(0, 1)][1, 1] > 0 and kernel[(0, 0)][1, 0] > 0 > kernel[(1, 1)][1, 0]
    # three cells away along x: a point dipole, h_x = 2 V Ms / (4 pi x^3)
    assert kernel[(0, 0)][3, 0] == pytest.approx(2 / (4 * np.pi * 3**3), rel=0.02)
    assert np.all(kernel[(0, 2)] == 0) and np.all(kernel[(1, 2)] == 0)  # a film has no xz, yz


def test_mumax3_kernel_of_a_layered_grid_is_a_dipole_tensor_far_away():
    """Three layers of flat cells: self-term trace -1, the signs of the odd components, and
    the point-dipole tensor V (3 r r - r^2) / (4 pi r^5) for distant cells."""
    grid, cell = (12, 10, 3), (2e-9, 3e-9, 1e-9)
    kernel = mumax3_kernel(grid, cell)
    assert all(values.shape == padded_shape(grid) == (24, 20, 6) for values in kernel.values())
    trace = kernel[(0, 0)] + kernel[(1, 1)] + kernel[(2, 2)]
    assert trace[0, 0, 0] == pytest.approx(-1.0, abs=2e-3)
    assert kernel[(2, 2)][0, 0, 0] < kernel[(0, 0)][0, 0, 0] < kernel[(1, 1)][0, 0, 0] < 0
    offset = (9, 7, 2)
    r = np.array(offset) * np.array(cell)
    dipole = np.prod(cell) * (3 * np.outer(r, r) - r @ r * np.eye(3)) / (4 * np.pi * (r @ r)**2.5)
    for (i, j), values in kernel.items():
        assert values[offset] == pytest.approx(dipole[i, j], rel=0.02, abs=1e-6)
        mirrored = tuple(-k % n for k, n in zip(offset, padded_shape(grid), strict=True))
        for axis in range(3):
            flipped = list(offset)
            flipped[axis] = mirrored[axis]
            sign = -1 if (i != j and axis in (i, j)) else 1
            assert values[tuple(flipped)] == sign * values[offset]


def test_numerics_default_to_the_mumax3_kernel_and_refuse_unknown_kernels():
    assert Numerics().demag_kernel == "mumax3"
    assert Numerics(demag_kernel="newell").demag_kernel == "newell"
    with pytest.raises(ValueError, match="demag_kernel 'fast'"):
        Numerics(demag_kernel="fast")


DEMAG_SOURCE = textwrap.dedent(
    """
    import json, sys
    from surrogate.engines.magnumnp.base import import_magnumnp
    from surrogate.engines.magnumnp.demag import OneTransformDemag
    from surrogate.engines.magnumnp.mumax3_kernel import mumax3_kernel_spectrum

    mnp, torch = import_magnumnp("float64")
    grid, cell = tuple(json.loads(sys.argv[1])), tuple(json.loads(sys.argv[2]))
    state = mnp.State(mnp.Mesh(grid, cell))
    generator = torch.Generator().manual_seed(1)
    state.material["Ms"] = 5e5 + 1e5 * torch.rand(*grid, 1, generator=generator)
    state.m = torch.nn.functional.normalize(torch.randn(*grid, 3, generator=generator), dim=-1)
    spectrum = mumax3_kernel_spectrum(grid, cell, torch.float64, state.device)
    reference = mnp.DemagField()
    reference._N = spectrum
    ours = OneTransformDemag(spectrum, grid)
    h, h_reference = ours.h(state), reference.h(state)
    print(json.dumps({
        "shape": list(h.shape), "max_field": h_reference.abs().max().item(),
        "max_difference": (h - h_reference).abs().max().item(),
        "energy": ours.E(state).item(), "energy_reference": reference.E(state).item(),
        "function_modes": torch._C._len_torch_function_stack(),
    }))
    """
)


@pytest.mark.parametrize("grid, cell", [((20, 20, 1), (4e-9, 4e-9, 1e-9)),
                                        ((6, 5, 3), (2e-9, 3e-9, 1e-9))])
def test_one_transform_demag_is_magnumnp_demag_field(grid, cell):
    """The one-transform convolution gives magnum.np's DemagField field and energy to
    rounding, on a random Ms and m; and on the CPU no torch-function mode (magnum.np's
    default device) is left active."""
    result = run_python(DEMAG_SOURCE, json.dumps(grid), json.dumps(cell))
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["shape"] == [*grid, 3]
    assert record["max_field"] > 1e4
    assert record["max_difference"] <= 1e-12 * record["max_field"]
    assert record["energy"] == pytest.approx(record["energy_reference"], rel=1e-12)
    assert record["function_modes"] == 0
