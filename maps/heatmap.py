"""Heatmap images of one level: a fixed colour scale by display class over the room plan.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas, never through
``pyplot``, so rendering keeps no global state and is safe in a web server's threads.
Plan coordinates are metres with y to the north, so the images are drawn north up.
"""

from __future__ import annotations

import io
import logging
import math

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.text import Annotation, Text
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

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

# Metrics in which gridding counts no-service samples as a very low level, in the "none" class.
SIGNAL_METRICS = ("signal_dbm", "rsrp_dbm")
FORMATS = ("png", "svg")
PNG_DPI = 150

# Figure layout in inches: the plan on the left, legend and scale bar in a column on the right.
MAX_PLAN_WIDTH_IN = 7.5
MAX_PLAN_HEIGHT_IN = 5.5
MIN_PLAN_HEIGHT_IN = 3.6
MARGIN_LEFT_IN = 0.75
MARGIN_BOTTOM_IN = 0.55
MARGIN_TOP_IN = 0.5
COLUMN_GAP_IN = 0.3
LEGEND_COLUMN_IN = 2.8
MARGIN_RIGHT_IN = 0.1
PLAN_PADDING_M = 0.5

# Room labels start at the first size and shrink until they fit inside the room.
LABEL_SIZES_PT = (8.0, 7.0, 6.0, 5.0)
LABEL_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


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

    buffer = io.BytesIO()
    if fmt == "png":
        figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
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
    x_min, y_min, x_max, y_max = _plan_bounds(level, grid)
    figure, axes = _new_figure(x_max - x_min, y_max - y_min)
    canvas = FigureCanvasAgg(figure)
    axes.set_xlim(x_min, x_max)
    axes.set_ylim(y_min, y_max)
    axes.set_aspect("equal")

    colormap, norm = coverage_scale(technology, metric)
    axes.imshow(
        grid.values,
        cmap=colormap,
        norm=norm,
        origin="lower",
        extent=grid.extent,
        interpolation="nearest",
        zorder=1,
    )
    _draw_class_hatches(axes, grid, technology, metric)
    unmeasured = _draw_unmeasured_rooms(axes, level, grid)
    _draw_room_outlines(axes, level)
    _draw_room_labels(axes, level, canvas)

    _decorate_axes(axes, figure, title)
    _draw_legend(axes, technology, metric, show_unmeasured=bool(unmeasured))
    _draw_scale_and_north(axes, figure, x_max - x_min)
    return figure


def _plan_bounds(level: LevelResult, grid: Grid) -> tuple[float, float, float, float]:
    """Return (x_min, y_min, x_max, y_max) of the rooms and the grid, padded, in metres."""
    grid_x_min, grid_x_max, grid_y_min, grid_y_max = grid.extent
    if level.rooms:
        room_x_min, room_y_min, room_x_max, room_y_max = level.bounds
    else:
        room_x_min, room_y_min, room_x_max, room_y_max = grid_x_min, grid_y_min, grid_x_max, grid_y_max
    return (
        min(room_x_min, grid_x_min) - PLAN_PADDING_M,
        min(room_y_min, grid_y_min) - PLAN_PADDING_M,
        max(room_x_max, grid_x_max) + PLAN_PADDING_M,
        max(room_y_max, grid_y_max) + PLAN_PADDING_M,
    )


def _new_figure(width_m: float, height_m: float) -> tuple[Figure, Axes]:
    """Create a figure whose plan axes keep one scale on both axes, in inches per metre."""
    scale = min(MAX_PLAN_WIDTH_IN / width_m, MAX_PLAN_HEIGHT_IN / height_m)
    plan_width, plan_height = width_m * scale, height_m * scale
    body_height = max(plan_height, MIN_PLAN_HEIGHT_IN)
    figure_width = MARGIN_LEFT_IN + plan_width + COLUMN_GAP_IN + LEGEND_COLUMN_IN + MARGIN_RIGHT_IN
    figure_height = MARGIN_BOTTOM_IN + body_height + MARGIN_TOP_IN

    figure = Figure(figsize=(figure_width, figure_height), facecolor="white")
    # The plan is aligned to the top of the body, so a flat plan leaves room under it.
    bottom = MARGIN_BOTTOM_IN + body_height - plan_height
    axes = figure.add_axes(
        (
            MARGIN_LEFT_IN / figure_width,
            bottom / figure_height,
            plan_width / figure_width,
            plan_height / figure_height,
        )
    )
    return figure, axes


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
        axes.add_patch(
            PathPatch(
                geometry_path(area),
                facecolor="none",
                edgecolor="none",
                hatch=hatch,
                hatchcolor=COVERAGE_HATCH_COLORS[level],
                linewidth=0,
                zorder=2,
            )
        )


def _draw_unmeasured_rooms(axes: Axes, level: LevelResult, grid: Grid) -> list[int]:
    """Hatch the rooms with no estimate in the grid and return their indices.

    A room smaller than one grid cell has no cell of its own, so it is drawn as unmeasured.
    """
    unmeasured = []
    for index, room in enumerate(level.rooms):
        cells = grid.room_index == index
        if np.any(np.isfinite(grid.values[cells])):
            continue
        unmeasured.append(index)
        axes.add_patch(
            PathPatch(
                geometry_path(room.geometry),
                facecolor=UNMEASURED_COLOR,
                edgecolor="none",
                hatch=UNMEASURED_HATCH,
                hatchcolor=UNMEASURED_HATCH_COLOR,
                linewidth=0,
                zorder=2,
            )
        )
    return unmeasured


def _draw_room_outlines(axes: Axes, level: LevelResult) -> None:
    """Draw every room's outline, holes included."""
    for room in level.rooms:
        axes.add_patch(
            PathPatch(
                geometry_path(room.geometry),
                facecolor="none",
                edgecolor=ROOM_OUTLINE_COLOR,
                linewidth=0.7,
                zorder=3,
            )
        )


def _draw_room_labels(axes: Axes, level: LevelResult, canvas: FigureCanvasAgg) -> None:
    """Write each room's ref at its :func:`label_anchor`, shrunk, turned or left out to fit."""
    renderer = canvas.get_renderer()
    skipped = []
    for room in level.rooms:
        if not room.ref or room.geometry.is_empty:
            continue
        anchor = label_anchor(room.geometry)
        label = axes.text(
            anchor.x,
            anchor.y,
            room.ref,
            ha="center",
            va="center",
            zorder=4,
            path_effects=LABEL_HALO,
            clip_on=True,
        )
        label.set_in_layout(False)
        if not _fit_label(label, room.geometry, axes, renderer):
            label.remove()
            skipped.append(room.ref)
    if skipped:
        logger.debug("level %s: %d room labels do not fit: %s", level.name, len(skipped), ", ".join(skipped))


def label_anchor(geometry: BaseGeometry) -> shapely.Point:
    """Return the label point of the largest part of ``geometry``: its centroid when well inside.

    The pole of inaccessibility is the point furthest from the edges. In a rectangle any point
    of the middle line qualifies, and ``polylabel`` returns one near an end, so the centroid is
    kept whenever it is nearly as far from the edges.
    """
    if isinstance(geometry, MultiPolygon):
        geometry = max(geometry.geoms, key=lambda part: part.area)
    if not isinstance(geometry, Polygon):
        return geometry.representative_point()

    pole = polylabel(geometry, tolerance=0.05)
    centroid = geometry.centroid
    pole_clearance = geometry.boundary.distance(pole)
    if geometry.contains(centroid) and geometry.boundary.distance(centroid) >= 0.9 * pole_clearance:
        return centroid
    return pole


def _fit_label(label: Text, geometry: BaseGeometry, axes: Axes, renderer: RendererAgg) -> bool:
    """Shrink or turn ``label`` until it lies inside ``geometry``, and return whether it fits."""
    room = geometry.buffer(0.05)
    to_data = axes.transData.inverted()
    for size in LABEL_SIZES_PT:
        for rotation in (0, 90):
            label.set_fontsize(size)
            label.set_rotation(rotation)
            extent = label.get_window_extent(renderer)
            (x0, y0), (x1, y1) = to_data.transform([(extent.x0, extent.y0), (extent.x1, extent.y1)])
            if room.contains(shapely.box(x0, y0, x1, y1)):
                return True
    return False


def _decorate_axes(axes: Axes, figure: Figure, title: str) -> None:
    """Label the axes in plan metres and write the title above the plan."""
    axes.set_xlabel(_("x (m)"), fontsize=8)
    axes.set_ylabel(_("y (m)"), fontsize=8)
    axes.tick_params(labelsize=7)
    axes.set_facecolor("white")
    figure.text(
        MARGIN_LEFT_IN / figure.get_figwidth(),
        1 - 0.12 / figure.get_figheight(),
        title,
        ha="left",
        va="top",
        fontsize=11,
        fontweight="bold",
    )


def _draw_legend(axes: Axes, technology: str, metric: str, *, show_unmeasured: bool) -> None:
    """Draw the class legend, best class first, with each class's range in words and units."""
    unit = METRIC_UNITS.get(metric, "")
    ranges = dict(class_ranges(display_thresholds(technology, metric), unit))
    handles = []
    for level in reversed(COVERAGE_LEVELS):
        text = ranges[level]
        if level == "none" and metric in SIGNAL_METRICS:
            text = _("{range} or no service").format(range=text)
        handles.append(
            Patch(
                facecolor=COVERAGE_COLORS[level],
                edgecolor=ROOM_OUTLINE_COLOR,
                hatch=COVERAGE_HATCHES[level],
                hatchcolor=COVERAGE_HATCH_COLORS[level],
                linewidth=0.5,
                label=f"{coverage_label(level)}\n{text}",
            )
        )
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

    metric_name = _(METRIC_LABELS.get(metric, metric))
    title = _("{technology} {metric}, {unit}").format(
        technology=TECHNOLOGY_NAMES.get(technology, technology), metric=metric_name, unit=unit
    )
    legend = axes.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1 + COLUMN_GAP_IN / _axes_width_in(axes), 1.0),
        borderaxespad=0,
        fontsize=7.5,
        title_fontsize=8.5,
        handlelength=2.2,
        handleheight=1.8,
        labelspacing=0.6,
        frameon=False,
        alignment="left",
    )
    legend.set_in_layout(False)


def _draw_scale_and_north(axes: Axes, figure: Figure, width_m: float) -> None:
    """Draw a scale bar in metres and a north arrow at the bottom of the legend column."""
    length = _nice_length(width_m / 5)
    column_x = (MARGIN_LEFT_IN + _axes_width_in(axes) + COLUMN_GAP_IN) / figure.get_figwidth()
    scale_bar = AnchoredSizeBar(
        axes.transData,
        length,
        _("{length} m").format(length=f"{length:g}"),
        loc="lower left",
        bbox_to_anchor=(column_x, MARGIN_BOTTOM_IN / figure.get_figheight()),
        bbox_transform=figure.transFigure,
        borderpad=0,
        pad=0.2,
        sep=3,
        frameon=False,
        size_vertical=length / 12,
        color="black",
    )
    scale_bar.set_clip_on(False)
    axes.add_artist(scale_bar)

    arrow_x = column_x + 1.9 / figure.get_figwidth()
    arrow_bottom = (MARGIN_BOTTOM_IN + 0.05) / figure.get_figheight()
    arrow_top = (MARGIN_BOTTOM_IN + 0.45) / figure.get_figheight()
    figure.add_artist(_north_arrow(figure, arrow_x, arrow_bottom, arrow_top))


def _north_arrow(figure: Figure, x: float, bottom: float, top: float) -> Annotation:
    """Return an arrow from ``bottom`` up to ``top`` with an "N" under it, in figure fractions."""
    return Annotation(
        _("N"),
        xy=(x, top),
        xytext=(x, bottom),
        xycoords=figure.transFigure,
        textcoords=figure.transFigure,
        ha="center",
        va="top",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
    )


def _axes_width_in(axes: Axes) -> float:
    """Return the width of ``axes`` in inches."""
    return axes.get_position().width * axes.figure.get_figwidth()


def _nice_length(target_m: float) -> float:
    """Return the largest 1, 2 or 5 times a power of ten that is at most ``target_m``, in metres."""
    if target_m <= 0 or not math.isfinite(target_m):
        return 1.0
    power = 10 ** math.floor(math.log10(target_m))
    for step in (5, 2, 1):
        if step * power <= target_m:
            return step * power
    return power


def geometry_path(geometry: BaseGeometry) -> Path:
    """Return a matplotlib path of a polygon or multipolygon, holes included.

    Exteriors run anticlockwise and holes clockwise, so holes stay empty under the nonzero
    fill rule that matplotlib applies.
    """
    polygons = list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon) or polygon.is_empty:
            continue
        polygon = orient(polygon, sign=1.0)
        for ring in [polygon.exterior, *polygon.interiors]:
            ring_vertices = np.asarray(ring.coords)[:, :2]
            ring_codes = np.full(len(ring_vertices), Path.LINETO, dtype=Path.code_type)
            ring_codes[0] = Path.MOVETO
            ring_codes[-1] = Path.CLOSEPOLY
            vertices.append(ring_vertices)
            codes.append(ring_codes)
    if not vertices:
        return Path(np.empty((0, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))
