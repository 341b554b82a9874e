"""Heatmap images of one level: a fixed colour scale by display class over the room plan.

Each image shows one grid, of one operator or the best one and of one metric, in the five
display classes. The weakest two classes are hatched so that they show in grey print, and
unmeasured rooms are hatched in grey. Room outlines and refs, a legend in words and units, a
scale bar and a north arrow complete it.
"""

from __future__ import annotations

import io
import logging

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from maps.grids import SIGNAL_METRICS
from maps.plan import (
    PlanFigure,
    decorate_axes,
    draw_column_legend,
    draw_room_labels,
    draw_room_outlines,
    draw_scale_and_north,
    fill_geometries,
    new_plan_figure,
    plan_bounds,
)
from maps.style import (
    COVERAGE_COLORS,
    COVERAGE_HATCH_COLORS,
    COVERAGE_HATCHES,
    ROOM_OUTLINE_COLOR,
    UNMEASURED_COLOR,
    UNMEASURED_HATCH,
    UNMEASURED_HATCH_COLOR,
    class_ranges,
    coverage_colors,
    coverage_label,
)
from survey.gridding import Grid
from survey.i18n import _
from survey.metrics import COVERAGE_LEVELS, METRIC_LABELS, METRIC_UNITS, display_class_index, display_thresholds
from survey.results import LevelResult

logger = logging.getLogger(__name__)

TECHNOLOGY_NAMES = {"gsm": "2G", "umts": "3G", "lte": "4G", "nr": "5G"}

FORMATS = ("png", "svg")
PNG_DPI = 150
MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def coverage_scale(technology: str = "lte", metric: str = "signal_dbm") -> tuple[ListedColormap, BoundaryNorm]:
    """Return the colour map and the norm that bins values into the five display classes.

    The norm's boundaries are exactly the four cut-points of ``display_thresholds``; values
    below the first fall in ``none`` and values from the last upwards in ``excellent``.
    """
    thresholds = display_thresholds(technology, metric)
    colors = coverage_colors()
    colormap = ListedColormap(colors, name="zoneblanche_coverage").with_extremes(under=colors[0], over=colors[-1])
    norm = BoundaryNorm(list(thresholds), ncolors=len(COVERAGE_LEVELS), extend="both")
    return colormap, norm


def grid_rgba(grid: Grid, technology: str = "lte", metric: str = "signal_dbm") -> np.ndarray:
    """Return the grid as an RGBA image, uint8 of shape (rows, columns, 4), north row first.

    The row order is flipped from the grid's (whose row 0 is the south row), so the array can
    be written as a PNG or given to an image overlay as it is. Cells outside rooms and cells of
    unmeasured rooms are fully transparent.
    """
    classes = display_class_index(grid.values, technology, metric)
    palette = (to_rgba_array(coverage_colors()) * 255).round().astype(np.uint8)

    image = np.zeros(classes.shape + (4,), dtype=np.uint8)
    measured = classes >= 0
    image[measured] = palette[classes[measured]]
    return image[::-1].copy()


def render_heatmap(
    level: LevelResult,
    grid: Grid,
    *,
    technology: str = "lte",
    metric: str = "signal_dbm",
    title: str,
    fmt: str = "png",
) -> bytes:
    """Render the heatmap of one level as PNG or SVG bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"invalid image format {fmt!r}: use one of {', '.join(FORMATS)}")
    figure = heatmap_figure(level, grid, technology=technology, metric=metric, title=title)
    return figure_bytes(figure, fmt)


def figure_bytes(figure: Figure, fmt: str, dpi: float = PNG_DPI) -> bytes:
    """Return a figure as PNG or SVG bytes, with no software name or date in the metadata."""
    buffer = io.BytesIO()
    if fmt == "png":
        # Compression level 1 writes about 5 % more bytes than the default 6, twice as fast.
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    else:
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def heatmap_figure(
    level: LevelResult,
    grid: Grid,
    *,
    technology: str = "lte",
    metric: str = "signal_dbm",
    title: str,
) -> Figure:
    """Build the heatmap figure of one level: classes, hatches, outlines, labels and legend."""
    plan = new_plan_figure(plan_bounds(level, grid.extent))

    colormap, norm = coverage_scale(technology, metric)
    plan.axes.imshow(
        grid.values,
        cmap=colormap,
        norm=norm,
        origin="lower",
        extent=grid.extent,
        interpolation="nearest",
        zorder=1,
    )
    _draw_class_hatches(plan.axes, grid, technology, metric)
    unmeasured = _draw_unmeasured_rooms(plan.axes, level, grid)
    draw_room_outlines(plan.axes, level.rooms)
    draw_room_labels(plan, level.rooms)

    decorate_axes(plan, title, ticks=False)
    _draw_legend(plan, technology, metric, show_unmeasured=bool(unmeasured))
    draw_scale_and_north(plan)
    return plan.figure


def _draw_class_hatches(axes: Axes, grid: Grid, technology: str, metric: str) -> None:
    """Hatch the cells of the weakest classes, so dead zones show in grey print too."""
    classes = display_class_index(grid.values, technology, metric)
    half = grid.resolution_m / 2
    for index, level in enumerate(COVERAGE_LEVELS):
        hatch = COVERAGE_HATCHES[level]
        rows, columns = np.nonzero(classes == index)
        if not hatch or len(rows) == 0:
            continue

        x_m, y_m = grid.x_m[columns], grid.y_m[rows]
        cells = shapely.box(x_m - half, y_m - half, x_m + half, y_m + half)
        area = shapely.coverage_union_all(cells)
        fill_geometries(
            axes,
            [area],
            facecolor="none",
            edgecolor="none",
            hatch=hatch,
            hatchcolor=COVERAGE_HATCH_COLORS[level],
            zorder=2,
        )


def unmeasured_rooms(level: LevelResult, grid: Grid) -> list[int]:
    """Return the indices of the rooms with no estimate in the grid.

    A room smaller than one grid cell has no cell of its own, so it counts as unmeasured.
    """
    measured = np.unique(grid.room_index[np.isfinite(grid.values) & (grid.room_index >= 0)])
    return [index for index in range(len(level.rooms)) if index not in set(measured.tolist())]


def _draw_unmeasured_rooms(axes: Axes, level: LevelResult, grid: Grid) -> list[int]:
    """Hatch the rooms with no estimate in the grid, as one patch, and return their indices."""
    unmeasured = unmeasured_rooms(level, grid)
    fill_geometries(
        axes,
        [level.rooms[index].geometry for index in unmeasured],
        facecolor=UNMEASURED_COLOR,
        edgecolor="none",
        hatch=UNMEASURED_HATCH,
        hatchcolor=UNMEASURED_HATCH_COLOR,
        zorder=2,
    )
    return unmeasured


def metric_title(technology: str, metric: str) -> str:
    """Return the legend title of a metric, such as "4G signal, dBm"."""
    unit = METRIC_UNITS.get(metric, "")
    metric_name = _(METRIC_LABELS.get(metric, metric))
    return _("{technology} {metric}, {unit}").format(
        technology=TECHNOLOGY_NAMES.get(technology, technology), metric=metric_name, unit=unit
    )


def legend_entries(technology: str, metric: str) -> list[tuple[str, str, str]]:
    """Return (display class, translated name, range in units) from ``excellent`` down to ``none``."""
    unit = METRIC_UNITS.get(metric, "")
    ranges = dict(class_ranges(display_thresholds(technology, metric), unit))
    entries = []
    for level in reversed(COVERAGE_LEVELS):
        text = ranges[level]
        if level == "none" and metric in SIGNAL_METRICS:
            text = _("{range} or no service").format(range=text)
        entries.append((level, coverage_label(level), text))
    return entries


def _draw_legend(plan: PlanFigure, technology: str, metric: str, *, show_unmeasured: bool) -> None:
    """Draw the class legend, best class first, with each class's range in words and units."""
    handles = [
        Patch(
            facecolor=COVERAGE_COLORS[level],
            edgecolor=ROOM_OUTLINE_COLOR,
            hatch=COVERAGE_HATCHES[level],
            hatchcolor=COVERAGE_HATCH_COLORS[level],
            linewidth=0.5,
            label=f"{name}\n{text}",
        )
        for level, name, text in legend_entries(technology, metric)
    ]
    if show_unmeasured:
        handles.append(
            Patch(
                facecolor=UNMEASURED_COLOR,
                edgecolor=ROOM_OUTLINE_COLOR,
                hatch=UNMEASURED_HATCH,
                hatchcolor=UNMEASURED_HATCH_COLOR,
                linewidth=0.5,
                label=_("unmeasured room"),
            )
        )

    draw_column_legend(plan, handles, metric_title(technology, metric), font_pt=7.5, handle_height=1.8, spacing=0.6)
