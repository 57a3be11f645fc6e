"""The two-input device benchmark lays out the authors' drive as render does, and cuts it."""

import numpy as np
import pytest

from benchmarks.common import benchmark_config
from benchmarks.magnumnp_two_inputs_device import (
    CONFIG,
    DEVICE,
    DRIVE,
    REFERENCE,
    authors_amplitudes,
    cut_spec,
    render_authors_drive,
    write_cut_drive,
)
from surrogate.engines.drive_files import read_drive
from surrogate.io.mumax3_table import read_table

KU1_AMPLITUDES = np.linspace(-1.0, 1.0, 12)
DIND_AMPLITUDES = np.array([0.5, -0.25])


def test_rendered_files_hold_the_given_amplitudes_in_render_layout(tmp_path):
    config = benchmark_config(CONFIG)
    plan = render_authors_drive(config, tmp_path, {"Ku1": KU1_AMPLITUDES,
                                                   "Dind": DIND_AMPLITUDES})
    ku1, dind = plan.channels
    assert plan.step == pytest.approx(0.25e-9) and plan.n_steps == 10
    np.testing.assert_array_equal(ku1.values, KU1_AMPLITUDES[:10])
    np.testing.assert_array_equal(dind.values, np.full(10, 0.5))
    assert (tmp_path / f"{DEVICE}.mx3").is_file()


def test_cut_drive_lasts_the_compared_span_and_keeps_the_first_steps(tmp_path):
    config = benchmark_config(CONFIG)
    plan = render_authors_drive(config, tmp_path / "render", {"Ku1": KU1_AMPLITUDES,
                                                              "Dind": DIND_AMPLITUDES})
    spec = cut_spec(config.simulation_spec(DEVICE, DRIVE), 2, 0.2e-9)
    write_cut_drive(plan, 2, spec.device.cell_size, tmp_path / "drive")
    cut = read_drive(spec, tmp_path / "drive")
    assert spec.drive.duration == pytest.approx(0.5e-9)
    assert spec.device.settle_time == pytest.approx(0.2e-9)
    t = np.linspace(0.0, 0.49e-9, 50)
    np.testing.assert_allclose(cut.values(t), plan.values(t), rtol=0, atol=1e-12)


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared is not here")
def test_authors_drive_reproduces_the_reference_input_columns(tmp_path):
    plan = render_authors_drive(benchmark_config(CONFIG), tmp_path,
                                authors_amplitudes(REFERENCE / "sequence_amp3.ovf"))
    table = read_table(REFERENCE / "table.txt")
    t = table.column("t") - table.column("t")[0]
    keep = t < plan.duration
    values = plan.values(t[keep])
    assert np.max(np.abs(values[:, 0] - table.column("Ku1.region100")[keep])) < 1.0
    assert np.max(np.abs(values[:, 1] - table.column("Dind.region100")[keep])) < 1e-8
