"""OVF reading (OVF 2.0 text / Binary 4 / Binary 8), OVF 1.0 rejection, and corrupt files."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from surrogate.io.ovf import OvfError, format_ovf_text, read_ovf
from tests.fixtures import make_fixtures

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"
REFERENCE_OVF = SHARED / "ovf"
needs_shared = pytest.mark.skipif(not REFERENCE_OVF.is_dir(), reason="../shared not present")


def test_committed_fixtures_match_their_generator(tmp_path: Path) -> None:
    for path in make_fixtures.write_all(tmp_path):
        assert path.read_bytes() == (FIXTURES / path.name).read_bytes(), path.name


@pytest.mark.parametrize("name", ["field_binary4.ovf", "field_text.ovf"])
def test_fixture_fields_read_back_exactly(name: str) -> None:
    field = read_ovf(FIXTURES / name)
    np.testing.assert_array_equal(field.values, make_fixtures.field_values())
    assert field.mesh.nodes == (4, 3, 2)
    assert field.mesh.cell_size == (1e-9, 1e-9, 2e-9)
    assert field.labels == ["m_x", "m_y", "m_z"] and field.units == ["1", "1", "1"]
    assert field.values[3, 2, 1].tolist() == [123.0, -3.0, 0.25]


def test_mumax3_style_text_round_trip(tmp_path: Path) -> None:
    values = np.random.default_rng(0).uniform(-2, 2, size=600)
    path = tmp_path / "seq.ovf"
    path.write_text(format_ovf_text(values, (1e-9,) * 3, title="amplitudes", labels=("A_n",)))
    field = read_ovf(path)
    assert field.values.shape == (600, 1, 1, 1)
    np.testing.assert_array_equal(field.values[:, 0, 0, 0], values)
    grid = np.arange(24.0).reshape(2, 3, 4)
    path.write_text(format_ovf_text(grid, (1e-9, 2e-9, 3e-9), title="g", labels=("v",),
                                    units=("T",)))
    field = read_ovf(path)
    np.testing.assert_array_equal(field.values[..., 0], grid)
    assert field.units == ["T"] and field.mesh.cell_size == (1e-9, 2e-9, 3e-9)
    vectors = make_fixtures.field_values() * 1e-15 + 1e-17
    path.write_text(format_ovf_text(vectors, (1e-9,) * 3, title="b", labels=("bx", "by", "bz")))
    np.testing.assert_array_equal(read_ovf(path).values, vectors)
    with pytest.raises(OvfError, match="as many labels"):
        format_ovf_text(vectors, (1, 1, 1), title="b", labels=("b",))
    with pytest.raises(OvfError, match="NaN"):
        format_ovf_text(np.array([1.0, np.nan]), (1, 1, 1), title="bad", labels=("v",))


@needs_shared
@pytest.mark.parametrize(("name", "count", "first", "last"), [
    ("1skyrmion_voltage_train/sequence_amp2.ovf", 600, 1.892860151436001726,
     1.754676562202382106),
    ("1skyrmion_input_PMA_DMI_train/sequence_amp3.ovf", 6600, 1.892860151436001726, None),
])
def test_authors_sequence_files(name: str, count: int, first: float, last: float | None) -> None:
    field = read_ovf(SHARED / "mumax3" / name)
    values = field.values[:, 0, 0, 0]
    assert field.values.shape == (count, 1, 1, 1) and field.labels == ["regions"]
    assert values[0] == first and (last is None or values[-1] == last)
    assert values.min() >= 1.0 and values.max() <= 2.0


@needs_shared
def test_mumax3_reference_binary4_files() -> None:
    m = read_ovf(REFERENCE_OVF / "movf2.ovf")
    assert m.values.shape == (64, 68, 1, 3) and m.mesh.cell_size == (0.0, 0.0, 0.0)
    norms = np.linalg.norm(m.values, axis=-1)
    assert np.all((np.abs(norms - 1) < 1e-5) | (norms == 0)) and np.count_nonzero(norms) > 3000
    kc1 = read_ovf(REFERENCE_OVF / "scalarovf2.ovf")
    assert kc1.values.shape == (64, 64, 1, 1) and kc1.labels == ["Kc1"] and kc1.units == ["J/m3"]
    regions = read_ovf(REFERENCE_OVF / "regions.ovf")
    assert regions.values.shape == (256, 128, 2, 1)
    assert regions.mesh.cell_size == (5e-9, 5e-9, 5e-9)
    assert set(np.unique(regions.values)) == {1.0, 2.0}
    random = read_ovf(REFERENCE_OVF / "randommag4x4x1.ovf")
    np.testing.assert_allclose(np.linalg.norm(random.values, axis=-1), 1.0, atol=1e-6)


@needs_shared
def test_oommf_ovf2_binary8() -> None:
    field = read_ovf(REFERENCE_OVF / "binary8.ovf")
    assert field.values.shape == (100, 25, 1, 3) and field.units == ["A/m"] * 3
    np.testing.assert_allclose(np.linalg.norm(field.values, axis=-1), 8e5, rtol=1e-6)


@needs_shared
@pytest.mark.parametrize("name", ["binary4.ovf", "oommf_ovf1_binary4.omf", "oommf_ovf1_text.omf"])
def test_ovf1_files_are_rejected_clearly(name: str) -> None:
    with pytest.raises(OvfError, match=r"OVF 1.0 \(OOMMF\) files are not supported") as info:
        read_ovf(REFERENCE_OVF / name)
    assert name in str(info.value)


def _binary_fixture(tmp_path: Path) -> tuple[Path, bytes, int]:
    data = (FIXTURES / "field_binary4.ovf").read_bytes()
    marker = b"# Begin: Data Binary 4\n"
    return tmp_path / "bad.ovf", data, data.index(marker) + len(marker)


def test_truncated_binary4(tmp_path: Path) -> None:
    path, data, start = _binary_fixture(tmp_path)
    path.write_bytes(data[: start + 4 + 4 * 50])
    with pytest.raises(OvfError, match=r"bad.ovf: Binary 4 data holds 50 values, the header "
                                       r"needs 72 \(truncated file\)"):
        read_ovf(path)
    path.write_bytes(data[:start])
    with pytest.raises(OvfError, match="data block is empty"):
        read_ovf(path)


def test_wrong_control_number(tmp_path: Path) -> None:
    path, data, start = _binary_fixture(tmp_path)
    path.write_bytes(data[:start] + struct.pack("<f", 7654321.0) + data[start + 4:])
    with pytest.raises(OvfError, match=r"bad.ovf: Binary 4 control number is 7654321.0, "
                                       r"expected 1234567.0"):
        read_ovf(path)
    path.write_bytes(data[:start] + struct.pack(">f", 1234567.0) + data[start + 4:])
    with pytest.raises(OvfError, match="wrong byte order"):
        read_ovf(path)


def test_truncated_text_and_bad_headers(tmp_path: Path) -> None:
    text = (FIXTURES / "field_text.ovf").read_text()
    path = tmp_path / "bad.ovf"
    path.write_text(text[: text.index("# Begin: Data text") + 200])
    with pytest.raises(OvfError, match=r"bad.ovf: text data holds \d+ values, the header needs 72"):
        read_ovf(path)
    path.write_text(text[: text.index("# Begin: Data")])
    with pytest.raises(OvfError, match=r"bad.ovf: no '# Begin: Data' line"):
        read_ovf(path)
    path.write_text(text.replace("# ynodes : 3\n", ""))
    with pytest.raises(OvfError, match=r"bad.ovf: header lacks field\(s\) \['ynodes'\]"):
        read_ovf(path)
    path.write_text(text.replace("1.000000000000000000e+01", "1.0e+O1", 1))
    with pytest.raises(OvfError, match=r"bad.ovf: text data holds '1.0e\+O1', not a number"):
        read_ovf(path)
    path.write_text(text.replace("valuelabels: m_x m_y m_z", "valuelabels: m_x m_y"))
    with pytest.raises(OvfError, match=r"field 'valuelabels' names 2 components, 'valuedim' is 3"):
        read_ovf(path)
    path.write_text(text.replace("Data text", "Data Binary 2"))
    with pytest.raises(OvfError, match=r"'Begin: Data' has unknown"):
        read_ovf(path)
    with pytest.raises(OvfError, match="not found"):
        read_ovf(tmp_path / "missing.ovf")


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_non_finite_values_are_refused_naming_the_file(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "drive.ovf"
    text = format_ovf_text(np.array([1.0, 2.0, 3.0]), (1e-9,) * 3, title="u", labels=("u",))
    path.write_text(text.replace("\n2.0\n", f"\n{bad}\n"))
    with pytest.raises(OvfError, match=f"{path}: the data block holds NaN or infinite"):
        read_ovf(path)
