"""Figure 5 stays legible: labels overlap neither each other nor a marker, and the
legend covers no point (with three and with five devices)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from surrogate.analysis.speed_figure import (
    device_label,
    label_box,
    marker_boxes,
    speed_accuracy_axes,
    speed_accuracy_figure,
)

# Close NRMSEs and speed-ups with long names: the crowding that made labels run into
# each other (skyrmion and vortex_recognition_thermal, both magnum.np).
_ROWS = [("skyrmion", "magnumnp", 0.0231, 8.4e3, 2.1e4, 12.0),
         ("vortex_recognition_thermal", "magnumnp", 0.0262, 9.1e3, 1.9e4, 14.0),
         ("vortex_recognition", "magnumnp", 0.045, 6.0e3, None, 10.5),
         ("two_inputs", "mumax3", 0.109, 7.7e3, None, 11.0),
         ("sp4", "magnumnp", 0.0255, 8.0e3, 2.0e4, 13.0)]


def _records(n: int) -> list[dict]:
    return [{"device": d, "engine": {"name": e}, "nrmse": x, "speedup_compute_only": a,
             "speedup_compute_only_cpu": b, "speedup_whole_process": c}
            for d, e, x, a, b, c in _ROWS[:n]]


@pytest.mark.parametrize("n_devices", [3, 5])
def test_labels_overlap_nothing_and_the_legend_covers_no_point(n_devices):
    records = _records(n_devices)
    fig, axis = speed_accuracy_axes(records)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in axis.texts if t.get_text() in {device_label(r) for r in records}]
    assert sorted(t.get_text() for t in labels) == sorted(device_label(r) for r in records)
    boxes = [label_box(t, renderer) for t in labels]
    markers = marker_boxes(axis, records)
    assert len(markers) == sum(r[k] is not None for r in records
                               for k in ("speedup_compute_only", "speedup_compute_only_cpu",
                                         "speedup_whole_process"))
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1 :]), labels[i].get_text()
        assert not any(box.overlaps(marker) for marker in markers), labels[i].get_text()
        assert axis.get_window_extent(renderer).contains(box.x0, box.y0)
    (legend,) = fig.legends
    legend_box = legend.get_window_extent(renderer)
    assert not any(legend_box.overlaps(marker) for marker in markers)
    assert not any(legend_box.overlaps(box) for box in boxes)
    plt.close(fig)


def test_the_figure_is_written(tmp_path):
    (path,) = speed_accuracy_figure(_records(5), [tmp_path / "speed.png"])
    assert path.stat().st_size > 10_000
