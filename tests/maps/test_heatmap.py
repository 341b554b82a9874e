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

from maps.heatmap import coverage_scale, grid_rgba, heatmap_figure, render_heatmap, unmeasured_rooms
from maps.plan import place_room_labels, text_size_pt
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


def test_unmeasured_rooms_are_hatched(figure, ground_floor, best_grid):
    hatched = [patch for patch in _plan_axes(figure).patches if patch.get_hatch() == UNMEASURED_HATCH]
    assert len(hatched) == 1
    unmeasured = unmeasured_rooms(ground_floor, best_grid)
    assert sorted(ground_floor.rooms[index].ref for index in unmeasured) == ["A0-106", "A0-112"]
    path = hatched[0].get_path()
    for index, room in enumerate(ground_floor.rooms):
        centre = room.geometry.representative_point()
        assert path.contains_point((centre.x, centre.y)) == (index in unmeasured), room.ref


def test_dead_zone_cells_are_cross_hatched(figure):
    hatches = {patch.get_hatch() for patch in _plan_axes(figure).patches}
    assert "xx" in hatches


def _placed(level, figure=None):
    inches_per_m = _inches_per_m(figure) if figure is not None else 0.18
    labels, skipped = place_room_labels(level.rooms, inches_per_m)
    return {label.text: label for label in labels}, skipped, inches_per_m


def _inches_per_m(figure) -> float:
    axes = _plan_axes(figure)
    x_min, x_max = axes.get_xlim()
    return axes.get_position().width * figure.get_figwidth() / (x_max - x_min)


def test_room_labels_lie_inside_their_rooms(figure, ground_floor):
    labels, skipped, inches_per_m = _placed(ground_floor, figure)
    assert skipped == []
    assert set(labels) == {room.ref for room in ground_floor.rooms}
    for room in ground_floor.rooms:
        label = labels[room.ref]
        width, height = text_size_pt(label.text, label.size_pt)
        if label.rotation == 90:
            width, height = height, width
        half_x, half_y = width / 144 / inches_per_m, height / 144 / inches_per_m
        text_box = box(label.x_m - half_x, label.y_m - half_y, label.x_m + half_x, label.y_m + half_y)
        assert room.geometry.buffer(0.1).contains(text_box), room.ref


def test_room_labels_are_drawn_as_one_outline(figure):
    black = [patch for patch in _plan_axes(figure).patches if tuple(patch.get_facecolor()) == (0.0, 0.0, 0.0, 1.0)]
    assert len(black) == 1
    assert len(black[0].get_path().vertices) > 500


def test_narrow_room_label_is_turned(figure, ground_floor):
    labels, _skipped, _scale = _placed(ground_floor, figure)
    assert labels["A0-105"].rotation == 90
    assert labels["A0-100"].rotation == 0


def test_label_left_out_when_room_too_small(ground_floor):
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
    labels, skipped, _scale = _placed(level)
    assert skipped == ["A0-TINY-999"]
    assert "A0-100" in labels


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
    assert len(unmeasured_rooms(level, grid)) == len(level.rooms)
    hatched = [patch for patch in _plan_axes(figure).patches if patch.get_hatch() == UNMEASURED_HATCH]
    assert len(hatched) == 1
    assert shapely.box(*level.bounds).area > 0


@pytest.mark.parametrize(("metric", "unit", "first_cut"), [("rsrq_db", "dB", "\u221220"), ("sinr_db", "dB", "\u22123")])
def test_legend_of_other_metrics(english, ground_floor, metric, unit, first_cut):
    grid = grid_level(ground_floor, "208-10", metric)
    figure = heatmap_figure(ground_floor, grid, metric=metric, title="t")
    legend = _plan_axes(figure).get_legend()
    texts = [text.get_text() for text in legend.get_texts()]
    assert legend.get_title().get_text().endswith(f", {unit}")
    assert f"below {first_cut} {unit}" in texts[4]
    assert "no service" not in texts[4]
