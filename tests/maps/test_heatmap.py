"""Heatmap figures and images: colour scale, legend, labels, hatches, orientation."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
import shapely
from matplotlib.colors import to_hex
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from PIL import Image
from shapely.geometry import box

from maps.heatmap import coverage_scale, grid_rgba, heatmap_figure, render_heatmap
from maps.style import COVERAGE_COLORS, UNMEASURED_HATCH
from survey.gridding import grid_level
from survey.metrics import COVERAGE_LEVELS, display_thresholds
from survey.results import RoomResult

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def best_grid(ground_floor):
    return grid_level(ground_floor, None)


@pytest.fixture(scope="module")
def figure(ground_floor, best_grid):
    return heatmap_figure(ground_floor, best_grid, title="Rez-de-chaussée")


def _plan_axes(figure):
    return figure.axes[0]


def test_color_scale_boundaries_are_display_thresholds(figure):
    image = _plan_axes(figure).images[0]
    assert list(image.norm.boundaries) == list(display_thresholds("lte", "signal_dbm"))
    assert image.norm.extend == "both"


def test_color_scale_has_one_color_per_class(figure):
    image = _plan_axes(figure).images[0]
    colors = [to_hex(color) for color in image.cmap.colors]
    assert colors == [COVERAGE_COLORS[level] for level in COVERAGE_LEVELS]


def test_color_scale_bins_like_display_classes():
    colormap, norm = coverage_scale("nr", "rsrp_dbm")
    cut_points = display_thresholds("nr", "rsrp_dbm")
    values = np.array([-140.0, cut_points[0], cut_points[1] - 0.1, cut_points[2], cut_points[3], -40.0])
    colors = [to_hex(color) for color in colormap(norm(values))]
    expected = ["none", "poor", "poor", "good", "excellent", "excellent"]
    assert colors == [COVERAGE_COLORS[level] for level in expected]


def test_plan_is_north_up_with_equal_aspect(figure):
    axes = _plan_axes(figure)
    bottom, top = axes.get_ylim()
    assert bottom < top
    assert not axes.yaxis_inverted()
    assert axes.get_aspect() == 1.0
    assert axes.images[0].origin == "lower"


def test_legend_gives_words_and_dbm_ranges(english, ground_floor, best_grid):
    figure = heatmap_figure(ground_floor, best_grid, title="Ground floor")
    texts = [text.get_text() for text in _plan_axes(figure).get_legend().get_texts()]
    assert texts[0].startswith("excellent")
    assert "\u221298 dBm or more" in texts[0]
    assert "\u2212108 to \u221298 dBm" in texts[1]
    assert texts[4].startswith("no coverage")
    assert "below \u2212128 dBm" in texts[4]
    assert texts[5] == "unmeasured room"


def test_unmeasured_rooms_are_hatched(figure, ground_floor):
    hatched = [patch for patch in _plan_axes(figure).patches if patch.get_hatch() == UNMEASURED_HATCH]
    unmeasured = [room for room in ground_floor.rooms if room.samples == 0]
    assert len(hatched) == len(unmeasured) == 2


def test_dead_zone_cells_are_cross_hatched(figure):
    hatches = {patch.get_hatch() for patch in _plan_axes(figure).patches}
    assert "xx" in hatches


def test_room_labels_lie_inside_their_rooms(figure, ground_floor):
    axes = _plan_axes(figure)
    renderer = figure.canvas.get_renderer()
    rooms = {room.ref: room.geometry for room in ground_floor.rooms}
    labels = axes.texts
    assert {label.get_text() for label in labels} == set(rooms)
    for label in labels:
        extent = label.get_window_extent(renderer)
        (x0, y0), (x1, y1) = axes.transData.inverted().transform([(extent.x0, extent.y0), (extent.x1, extent.y1)])
        assert rooms[label.get_text()].buffer(0.1).contains(box(x0, y0, x1, y1)), label.get_text()


def test_narrow_room_label_is_turned(figure):
    label = next(text for text in _plan_axes(figure).texts if text.get_text() == "A0-105")
    assert label.get_rotation() == 90


def test_label_left_out_when_room_too_small(ground_floor, best_grid):
    tiny = RoomResult(
        room_id=999,
        level_id=ground_floor.level_id,
        level_name=ground_floor.name,
        ref="A0-TINY-999",
        name="Gaine technique",
        category="technical",
        criticality="low",
        analog_line=False,
        line_number="",
        area_m2=0.16,
        geometry=box(20.0, 7.8, 20.4, 8.2),
    )
    level = dataclasses.replace(ground_floor, rooms=[*ground_floor.rooms, tiny])
    figure = heatmap_figure(level, best_grid, title="t")
    refs = [text.get_text() for text in _plan_axes(figure).texts]
    assert "A0-TINY-999" not in refs
    assert "A0-100" in refs


def test_scale_bar_in_metres(figure):
    bars = [artist for artist in _plan_axes(figure).artists if isinstance(artist, AnchoredSizeBar)]
    assert len(bars) == 1
    assert bars[0].txt_label.get_text() == "5 m"


def test_png_bytes_are_valid(ground_floor, best_grid):
    data = render_heatmap(ground_floor, best_grid, title="t", fmt="png")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    assert width > height > 300


def test_svg_bytes_are_valid(ground_floor, best_grid):
    data = render_heatmap(ground_floor, best_grid, title="t", fmt="svg")
    root = ElementTree.fromstring(data)
    assert root.tag.endswith("svg")


def test_invalid_format_raises(ground_floor, best_grid):
    with pytest.raises(ValueError, match="jpeg"):
        render_heatmap(ground_floor, best_grid, title="t", fmt="jpeg")


def test_grid_rgba_shape_and_transparency(ground_floor, best_grid):
    image = grid_rgba(best_grid)
    assert image.dtype == np.uint8
    assert image.shape == best_grid.values.shape + (4,)
    flipped_values = best_grid.values[::-1]
    assert np.all(image[np.isnan(flipped_values)][:, 3] == 0)
    assert np.all(image[~np.isnan(flipped_values)][:, 3] == 255)


def test_grid_rgba_north_row_first(ground_floor, best_grid):
    image = grid_rgba(best_grid)
    dead_room = next(index for index, room in enumerate(ground_floor.rooms) if room.ref == "A0-110")
    rows, columns = np.nonzero((best_grid.room_index == dead_room) & (best_grid.values < -128))
    south_row, column = rows.min(), columns[rows.argmin()]
    none_color = np.array([int(COVERAGE_COLORS["none"][i : i + 2], 16) for i in (1, 3, 5)])
    assert np.array_equal(image[image.shape[0] - 1 - south_row, column, :3], none_color)


def test_grid_rgba_unmeasured_room_transparent(ground_floor, best_grid):
    image = grid_rgba(best_grid)[::-1]
    unmeasured = next(index for index, room in enumerate(ground_floor.rooms) if room.ref == "A0-112")
    cells = best_grid.room_index == unmeasured
    assert cells.any()
    assert np.all(image[cells][:, 3] == 0)


def test_rendering_does_not_import_pyplot(tmp_path):
    code = (
        "import sys, numpy as np\n"
        "from shapely.geometry import box\n"
        "from survey.gridding import Grid\n"
        "from survey.results import LevelResult, RoomResult\n"
        "from survey.samples import empty_samples\n"
        "from maps.heatmap import render_heatmap\n"
        "room = RoomResult(1, 1, 'L', 'R1', 'n', 'office', 'normal', False, '', 16.0, box(0, 0, 4, 4))\n"
        "level = LevelResult(1, 'B', 'L', 0, [room], empty_samples())\n"
        "axis = np.arange(0.25, 4, 0.5)\n"
        "values = np.full((8, 8), -100.0)\n"
        "grid = Grid(axis, axis, values, values * 0, np.zeros((8, 8), dtype=np.int32), 0.5, 'room_idw')\n"
        "render_heatmap(level, grid, title='t')\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPOSITORY,
        env={"PYTHONPATH": str(REPOSITORY), "MPLCONFIGDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_level_without_samples_renders(ground_floor):
    level = dataclasses.replace(ground_floor, samples=ground_floor.samples.iloc[0:0])
    grid = grid_level(level, "208-01")
    figure = heatmap_figure(level, grid, title="empty")
    hatched = [patch for patch in _plan_axes(figure).patches if patch.get_hatch() == UNMEASURED_HATCH]
    assert len(hatched) == len(level.rooms)
    assert shapely.box(*level.bounds).area > 0
