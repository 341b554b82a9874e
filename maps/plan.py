"""Drawing a level's plan with matplotlib: room outlines, room labels, fixed lines and scale bar.

The heatmap images, the verdict plans of the PDF report and the posters share these helpers.
Figures are built on :class:`matplotlib.figure.Figure`, never through ``pyplot``, so drawing
keeps no global state and is safe in a web server's threads. Plan coordinates are metres with
y to the north, so plans are drawn north up.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Circle, PathPatch
from matplotlib.path import Path
from matplotlib.text import Annotation
from matplotlib.textpath import TextPath, TextToPath
from matplotlib.transforms import Affine2D
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from maps.geometry import label_anchor
from maps.lines import FixedLine
from maps.style import LINE_EXISTING_COLOR, LINE_PROPOSED_COLOR, ROOM_OUTLINE_COLOR
from survey.i18n import _
from survey.results import LevelResult, RoomResult

logger = logging.getLogger(__name__)

POINTS_PER_INCH = 72.0
PLAN_PADDING_M = 0.5
TEXT_TO_PATH = TextToPath()

# Label placements by rooms, scale, sizes and obstacles, least recently added dropped first.
PLACEMENT_CACHE_SIZE = 256
_PLACEMENTS: OrderedDict[tuple, tuple[list, list]] = OrderedDict()
_PLACEMENT_LOCK = threading.Lock()


@dataclass(frozen=True)
class PlanLayout:
    """Page layout of a plan figure, in inches.

    The plan is on the left with the scale bar and north arrow in a band under it, and the
    legend is in a column on its right, at least ``column_height_in`` tall.
    """

    max_plan_width_in: float = 7.5
    max_plan_height_in: float = 5.5
    column_height_in: float = 3.0
    scale_band_in: float = 0.6
    margin_left_in: float = 0.2
    margin_bottom_in: float = 0.1
    margin_top_in: float = 0.45
    column_gap_in: float = 0.3
    column_width_in: float = 2.8
    margin_right_in: float = 0.1


@dataclass
class PlanFigure:
    """A figure with one plan axes whose x and y scales are equal, and its scale in inches per metre."""

    figure: Figure
    axes: Axes
    layout: PlanLayout
    inches_per_m: float
    bounds: tuple[float, float, float, float]


def plan_bounds(level: LevelResult, extent: tuple[float, float, float, float] | None = None) -> tuple[float, float, float, float]:
    """Return (x_min, y_min, x_max, y_max) of the level's rooms and a grid extent, padded, in metres.

    ``extent`` is a grid's (x_min, x_max, y_min, y_max), as :attr:`survey.gridding.Grid.extent`.
    """
    boxes = []
    if level.rooms:
        boxes.append(level.bounds)
    if extent is not None:
        x_min, x_max, y_min, y_max = extent
        boxes.append((x_min, y_min, x_max, y_max))
    if not boxes:
        boxes.append((0.0, 0.0, 10.0, 10.0))
    x_min = min(box[0] for box in boxes) - PLAN_PADDING_M
    y_min = min(box[1] for box in boxes) - PLAN_PADDING_M
    x_max = max(box[2] for box in boxes) + PLAN_PADDING_M
    y_max = max(box[3] for box in boxes) + PLAN_PADDING_M
    return x_min, y_min, x_max, y_max


def new_plan_figure(bounds: tuple[float, float, float, float], layout: PlanLayout = PlanLayout()) -> PlanFigure:
    """Create a figure whose plan axes show ``bounds`` at one scale on both axes."""
    x_min, y_min, x_max, y_max = bounds
    width_m, height_m = max(x_max - x_min, 1.0), max(y_max - y_min, 1.0)
    scale = min(layout.max_plan_width_in / width_m, layout.max_plan_height_in / height_m)
    plan_width, plan_height = width_m * scale, height_m * scale
    body_height = max(plan_height + layout.scale_band_in, layout.column_height_in)
    figure_width = (
        layout.margin_left_in + plan_width + layout.column_gap_in + layout.column_width_in + layout.margin_right_in
    )
    figure_height = layout.margin_bottom_in + body_height + layout.margin_top_in

    figure = Figure(figsize=(figure_width, figure_height), facecolor="white")
    # The plan is aligned to the top of the body, with the scale band right under it.
    bottom = layout.margin_bottom_in + body_height - plan_height
    axes = figure.add_axes(
        (
            layout.margin_left_in / figure_width,
            bottom / figure_height,
            plan_width / figure_width,
            plan_height / figure_height,
        )
    )
    axes.set_xlim(x_min, x_min + width_m)
    axes.set_ylim(y_min, y_min + height_m)
    axes.set_aspect("equal")
    axes.set_facecolor("white")
    return PlanFigure(figure, axes, layout, scale, bounds)


def geometry_path(geometry: BaseGeometry) -> Path:
    """Return a matplotlib path of a polygon or multipolygon, holes included.

    Exteriors run anticlockwise and holes clockwise, so holes stay empty under the nonzero
    fill rule that matplotlib applies.
    """
    return geometries_path([geometry])


def geometries_path(geometries: Iterable[BaseGeometry]) -> Path:
    """Return one compound matplotlib path of many polygons, which draws much faster than one each."""
    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for geometry in geometries:
        for polygon in _polygons(geometry):
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


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    parts = list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]
    return [part for part in parts if isinstance(part, Polygon) and not part.is_empty]


def fill_geometries(axes: Axes, geometries: Sequence[BaseGeometry], *, zorder: float = 2, **style: object) -> None:
    """Fill ``geometries`` with one patch; ``style`` goes to :class:`~matplotlib.patches.PathPatch`."""
    if not geometries:
        return
    style.setdefault("linewidth", 0)
    if style.get("hatch") and style.get("edgecolor") == "none":
        # matplotlib's PDF output drops the hatch of a patch without an edge colour. An edge of
        # the fill's colour and zero width keeps the hatch and draws no outline.
        style["edgecolor"] = style.get("facecolor", "none")
        style["linewidth"] = 0
    axes.add_artist(PathPatch(geometries_path(geometries), zorder=zorder, **style))


def draw_room_outlines(axes: Axes, rooms: Sequence[RoomResult], *, linewidth: float = 0.7, zorder: float = 3) -> None:
    """Draw every room's outline, holes included, as one patch."""
    fill_geometries(
        axes,
        [room.geometry for room in rooms],
        facecolor="none",
        edgecolor=ROOM_OUTLINE_COLOR,
        linewidth=linewidth,
        zorder=zorder,
    )


@functools.lru_cache(maxsize=4096)
def text_size_pt(text: str, size_pt: float, bold: bool = False) -> tuple[float, float]:
    """Return the (width, height) of one line of text in points, without drawing it."""
    properties = FontProperties(size=size_pt, weight="bold" if bold else "normal")
    width, height, descent = TEXT_TO_PATH.get_text_width_height_descent(text, properties, ismath=False)
    return width, height + descent


def fitted_label(
    text: str,
    geometry: BaseGeometry,
    anchor: shapely.Point,
    inches_per_m: float,
    sizes_pt: Sequence[float],
    *,
    bold: bool = False,
    lines: int = 1,
    padding_pt: float = 1.0,
    obstacles: BaseGeometry | None = None,
    rotations: Sequence[int] = (0, 90),
) -> tuple[float, int] | None:
    """Return the first (font size, rotation) at which ``text`` fits in ``geometry``, or None.

    The text box is centred on ``anchor``. ``lines`` is the number of lines of ``text``
    separated by newlines, each as tall as one line at that size. The box must not touch
    ``obstacles``, such as the discs of line markers. Each size is tried in every rotation of
    ``rotations`` before the next smaller size.
    """
    room = geometry.buffer(0.05)
    metres_per_pt = 1 / (POINTS_PER_INCH * inches_per_m)
    for size in sizes_pt:
        widths, heights = zip(*(text_size_pt(line, size, bold) for line in text.split("\n")))
        width_m = (max(widths) + 2 * padding_pt) * metres_per_pt
        height_m = (sum(heights) + (lines - 1) * 0.2 * size + 2 * padding_pt) * metres_per_pt
        for rotation in rotations:
            half_x, half_y = (width_m / 2, height_m / 2) if rotation == 0 else (height_m / 2, width_m / 2)
            box = shapely.box(anchor.x - half_x, anchor.y - half_y, anchor.x + half_x, anchor.y + half_y)
            if room.contains(box) and (obstacles is None or not obstacles.intersects(box)):
                return size, rotation
    return None


@dataclass(frozen=True)
class PlacedLabel:
    """A room ref placed inside its room: centre in metres, font size in points, rotation in degrees."""

    text: str
    x_m: float
    y_m: float
    size_pt: float
    rotation: int


def place_room_labels(
    rooms: Sequence[RoomResult],
    inches_per_m: float,
    *,
    sizes_pt: Sequence[float] = (8.0, 7.0, 6.0, 5.0),
    avoid: BaseGeometry | None = None,
) -> tuple[list[PlacedLabel], list[str]]:
    """Place each room's ref where it fits, shrunk or turned, and return the labels and the refs left out.

    A label moves above or below its anchor, or is left out, when it would touch ``avoid``
    (such as the discs of line markers). Results are cached, since every heatmap of a level
    places the same labels at the same scale.
    """
    key = (
        tuple((room.ref, room.geometry.wkb) for room in rooms),
        round(inches_per_m, 9),
        tuple(sizes_pt),
        None if avoid is None else avoid.wkb,
    )
    with _PLACEMENT_LOCK:
        cached = _PLACEMENTS.get(key)
    if cached is not None:
        return list(cached[0]), list(cached[1])

    placed, skipped = _place_labels(rooms, inches_per_m, sizes_pt, avoid)
    with _PLACEMENT_LOCK:
        _PLACEMENTS[key] = (placed, skipped)
        while len(_PLACEMENTS) > PLACEMENT_CACHE_SIZE:
            _PLACEMENTS.popitem(last=False)
    return list(placed), list(skipped)


def _place_labels(
    rooms: Sequence[RoomResult], inches_per_m: float, sizes_pt: Sequence[float], avoid: BaseGeometry | None
) -> tuple[list[PlacedLabel], list[str]]:
    placed, skipped = [], []
    for room in rooms:
        if not room.ref or room.geometry.is_empty:
            continue
        anchor = label_anchor(room.geometry)
        candidates = [anchor, *_shifted_anchors(room.geometry, anchor, inches_per_m, sizes_pt[0])]
        label = _first_fit(room, candidates, inches_per_m, sizes_pt, avoid)
        if label is None:
            skipped.append(room.ref)
        else:
            placed.append(label)
    if skipped:
        logger.debug("%d room labels do not fit: %s", len(skipped), ", ".join(skipped))
    return placed, skipped


def _shifted_anchors(
    geometry: BaseGeometry, anchor: shapely.Point, inches_per_m: float, size_pt: float
) -> list[shapely.Point]:
    """Return the points under and over ``anchor`` by about one marker's size, inside the room."""
    offset_m = 1.6 * size_pt / POINTS_PER_INCH / inches_per_m
    moved = [shapely.Point(anchor.x, anchor.y - offset_m), shapely.Point(anchor.x, anchor.y + offset_m)]
    return [point for point in moved if geometry.contains(point)]


def _first_fit(
    room: RoomResult,
    anchors: Sequence[shapely.Point],
    inches_per_m: float,
    sizes_pt: Sequence[float],
    obstacles: BaseGeometry | None,
) -> PlacedLabel | None:
    """Return the room's label at the first anchor where it fits, or None."""
    for anchor in anchors:
        fit = fitted_label(room.ref, room.geometry, anchor, inches_per_m, sizes_pt, obstacles=obstacles)
        if fit is not None:
            return PlacedLabel(room.ref, anchor.x, anchor.y, *fit)
    return None


@functools.lru_cache(maxsize=8192)
def _centred_text_path(text: str, size_pt: float, bold: bool = False) -> Path:
    """Return the outline of ``text`` at ``size_pt``, in points, centred on the origin."""
    properties = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    path = TextPath((0, 0), text, size=size_pt, prop=properties)
    # The control points' box is close enough to the outline's box, and much faster than get_extents().
    low, high = path.vertices.min(axis=0), path.vertices.max(axis=0)
    return path.transformed(Affine2D().translate(*(-(low + high) / 2)))


def draw_labels(
    plan: PlanFigure,
    labels: Sequence[PlacedLabel],
    *,
    halo: bool = True,
    bold: bool = False,
    color: str = "black",
    zorder: float = 6,
) -> None:
    """Draw labels as compound outlines: one path for all the text, and one for a white halo under it.

    Drawing a hundred labels as two paths takes a few milliseconds, where a hundred text
    artists take most of a second, and the glyph outlines are cached between images.
    """
    if not labels:
        return
    metres_per_pt = 1 / (POINTS_PER_INCH * plan.inches_per_m)
    paths = [
        _centred_text_path(label.text, label.size_pt, bold).transformed(
            Affine2D().rotate_deg(label.rotation).scale(metres_per_pt).translate(label.x_m, label.y_m)
        )
        for label in labels
    ]
    outline = Path.make_compound_path(*paths)
    if halo:
        plan.axes.add_artist(
            PathPatch(outline, facecolor="none", edgecolor="white", linewidth=2.2, joinstyle="round", zorder=zorder)
        )
    plan.axes.add_artist(PathPatch(outline, facecolor=color, edgecolor="none", linewidth=0, zorder=zorder + 0.1))


def draw_room_labels(plan: PlanFigure, rooms: Sequence[RoomResult], **options: object) -> list[PlacedLabel]:
    """Place and draw the refs of ``rooms`` (see :func:`place_room_labels`) and return them."""
    labels, _skipped = place_room_labels(rooms, plan.inches_per_m, **options)
    draw_labels(plan, labels)
    return labels


def marker_discs(plan: PlanFigure, lines: Sequence[FixedLine], diameter_pt: float = 13.0) -> BaseGeometry:
    """Return the union of the line markers' discs in plan metres, for labels to avoid."""
    radius_m = diameter_pt / 2 / POINTS_PER_INCH / plan.inches_per_m
    return shapely.union_all([shapely.Point(line.x_m, line.y_m).buffer(radius_m) for line in lines])


def draw_line_markers(
    plan: PlanFigure,
    lines: Sequence[FixedLine],
    *,
    diameter_pt: float = 13.0,
    font_pt: float = 7.5,
) -> None:
    """Draw each fixed line as a numbered disc: black for an existing line, white and dashed to install."""
    radius_m = diameter_pt / 2 / POINTS_PER_INCH / plan.inches_per_m
    for line in lines:
        plan.axes.add_artist(
            Circle(
                (line.x_m, line.y_m),
                radius_m,
                facecolor=LINE_PROPOSED_COLOR if line.proposed else LINE_EXISTING_COLOR,
                edgecolor="black",
                linewidth=max(1.0, diameter_pt / 12),
                linestyle=(0, (2, 1.2)) if line.proposed else "solid",
                zorder=7,
            )
        )
    for proposed, color in ((False, "white"), (True, "black")):
        numbers = [
            PlacedLabel(str(line.number), line.x_m, line.y_m, font_pt, 0) for line in lines if line.proposed == proposed
        ]
        draw_labels(plan, numbers, halo=False, bold=True, color=color, zorder=8)


def draw_column_legend(
    plan: PlanFigure, handles: list, title: str, *, font_pt: float, handle_height: float, spacing: float
) -> None:
    """Draw a legend of ``handles`` at the top of the column right of the plan, without a frame."""
    axes_width_in = plan.axes.get_position().width * plan.figure.get_figwidth()
    legend = plan.axes.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1 + plan.layout.column_gap_in / axes_width_in, 1.0),
        borderaxespad=0,
        fontsize=font_pt,
        title_fontsize=font_pt + 1,
        handlelength=2.2,
        handleheight=handle_height,
        labelspacing=spacing,
        frameon=False,
        alignment="left",
    )
    legend.set_in_layout(False)


def decorate_axes(plan: PlanFigure, title: str, *, title_size: float = 11, ticks: bool = True) -> None:
    """Label the axes in plan metres and write the title above the plan."""
    axes, figure = plan.axes, plan.figure
    if ticks:
        axes.set_xlabel(_("x (m)"), fontsize=8)
        axes.set_ylabel(_("y (m)"), fontsize=8)
        axes.tick_params(labelsize=7)
    else:
        axes.set_xticks([])
        axes.set_yticks([])
    figure.text(
        plan.layout.margin_left_in / figure.get_figwidth(),
        1 - 0.12 / figure.get_figheight(),
        title,
        ha="left",
        va="top",
        fontsize=title_size,
        fontweight="bold",
    )


def draw_scale_and_north(plan: PlanFigure, *, font_pt: float = 8) -> None:
    """Draw a scale bar in metres and a north arrow in the band under the plan's lower-left corner."""
    figure, axes = plan.figure, plan.axes
    x_min, _y_min, x_max, _y_max = plan.bounds
    length = nice_length((x_max - x_min) / 5)
    position = axes.get_position()
    band_top_in = position.y0 * figure.get_figheight()
    scale_bar = AnchoredSizeBar(
        axes.transData,
        length,
        _("{length} m").format(length=f"{length:g}"),
        loc="upper left",
        bbox_to_anchor=(position.x0, (band_top_in - 0.1) / figure.get_figheight()),
        bbox_transform=figure.transFigure,
        borderpad=0,
        pad=0,
        sep=2,
        frameon=False,
        size_vertical=length / 15,
        color="black",
        fontproperties=FontProperties(size=font_pt),
    )
    scale_bar.set_clip_on(False)
    axes.add_artist(scale_bar)

    arrow_x = position.x0 + (length * plan.inches_per_m + 0.5) / figure.get_figwidth()
    arrow_top = (band_top_in - 0.08) / figure.get_figheight()
    arrow_bottom = (band_top_in - 0.08 - 0.3 - font_pt / POINTS_PER_INCH) / figure.get_figheight()
    figure.add_artist(_north_arrow(figure, arrow_x, arrow_bottom, arrow_top, font_pt + 1))


def _north_arrow(figure: Figure, x: float, bottom: float, top: float, font_pt: float) -> Annotation:
    """Return an arrow from ``bottom`` up to ``top`` with an "N" under it, in figure fractions."""
    return Annotation(
        _("N"),
        xy=(x, top),
        xytext=(x, bottom),
        xycoords=figure.transFigure,
        textcoords=figure.transFigure,
        ha="center",
        va="top",
        fontsize=font_pt,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
    )


def nice_length(target_m: float) -> float:
    """Return the largest 1, 2 or 5 times a power of ten that is at most ``target_m``, in metres."""
    if target_m <= 0 or not math.isfinite(target_m):
        return 1.0
    power = 10 ** math.floor(math.log10(target_m))
    for step in (5, 2, 1):
        if step * power <= target_m:
            return step * power
    return power
