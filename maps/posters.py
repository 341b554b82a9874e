"""Posters for the crisis binder: one landscape page per level, readable from two metres.

Each page shows the level's plan with its fixed lines as large numbered discs: black for an
existing line, white with a dashed rim for a line to install. Each zone of touching rooms names,
in large print, an operator that is reliable there, or the fixed line to use where none is.
The text beside or under the plan gives the instruction for an outage, the zone legend and the
list of lines.

Pages are drawn with matplotlib and written by its PDF backend with TrueType fonts embedded,
so that the text stays searchable and copyable.
"""

from __future__ import annotations

import io
import logging
import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone

import matplotlib
from babel.dates import format_date
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from maps.lines import FixedLine, level_lines
from maps.plan import (
    PlacedLabel,
    PlanFigure,
    PlanLayout,
    draw_labels,
    draw_line_markers,
    draw_room_outlines,
    draw_scale_and_north,
    fill_geometries,
    fitted_label,
    marker_discs,
    place_room_labels,
    plan_bounds,
    text_size_pt,
)
from maps.geometry import label_anchor
from maps.style import (
    ALL_OPERATORS_ZONE_STYLE,
    FALLBACK_ZONE_STYLES,
    LINE_ZONE_STYLE,
    OPERATOR_ZONE_STYLES,
    UNKNOWN_ZONE_STYLE,
    site_zone,
    survey_dates_text,
)
from maps.zones import ALL_OPERATORS, LINE, OPERATOR, UNKNOWN, RoomGuidance, Zone, level_zones
from survey.i18n import _, current_language
from survey.results import LevelResult, SiteAnalysis

logger = logging.getLogger(__name__)

PAPER_SIZES_IN = {"A3": (16.54, 11.69), "A4": (11.69, 8.27)}
LINE_SYMBOL = "\u260e"  # ☎


@dataclass(frozen=True)
class PosterStyle:
    """Type sizes in points and column width in inches of one paper size.

    On A3, zone labels of 20 to 40 points are 7 to 14 mm tall, readable from two metres.
    """

    title_pt: float
    text_pt: float
    small_pt: float
    zone_label_pt: tuple[float, ...]
    marker_diameter_pt: float
    marker_font_pt: float
    column_in: float
    band_in: float
    margin_in: float


POSTER_STYLES = {
    "A3": PosterStyle(34, 17, 10, (40, 34, 28, 24, 20), 28, 15, 4.9, 3.6, 0.45),
    "A4": PosterStyle(24, 12.5, 8, (30, 26, 22, 18, 15), 21, 11, 3.5, 2.7, 0.35),
}

# Page bands in inches: title at the top, footer at the bottom, scale bar under the plan.
TITLE_BAND_IN = 1.45
FOOTER_BAND_IN = 0.6
SCALE_BAND_IN = 0.75
GAP_IN = 0.4


@dataclass(frozen=True)
class TextBox:
    """A column of text on the page: left edge, top, width and bottom, in inches from the top left."""

    x_in: float
    top_in: float
    width_in: float
    bottom_in: float


def render_posters(
    analysis: SiteAnalysis,
    *,
    paper: str = "A3",
    generated_at: datetime | None = None,
) -> bytes:
    """Render one landscape poster page per level with rooms, as PDF bytes.

    Parameters
    ----------
    analysis
        The site analysis.
    paper
        ``"A3"`` (default, for the wall) or ``"A4"`` (for the binder).
    generated_at
        Generation time printed in the footer (default: now).
    """
    if paper not in PAPER_SIZES_IN:
        raise ValueError(f"invalid paper size {paper!r}: use one of {', '.join(PAPER_SIZES_IN)}")
    generated_at = generated_at or datetime.now(timezone.utc)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buffer, metadata=_metadata(analysis)) as document:
        levels = [level for level in analysis.levels if level.rooms]
        for level in levels:
            document.savefig(poster_figure(analysis, level, paper=paper, generated_at=generated_at))
        if not levels:
            document.savefig(_empty_page(analysis, paper))
    return buffer.getvalue()


def _metadata(analysis: SiteAnalysis) -> dict[str, str]:
    return {
        "Title": _("Outage posters: {site}").format(site=analysis.site_name),
        "Creator": "zoneblanche",
        "Producer": "zoneblanche",
    }


def poster_figure(analysis: SiteAnalysis, level: LevelResult, *, paper: str = "A3", generated_at: datetime) -> Figure:
    """Build the poster page of one level."""
    style = POSTER_STYLES[paper]
    width_in, height_in = PAPER_SIZES_IN[paper]
    lines = level_lines(level)
    zones = level_zones(analysis, level.rooms, lines)
    zone_styles = _zone_styles(analysis, zones)

    plan, boxes = _poster_page(level, style, width_in, height_in)
    _draw_zones(plan, zones, zone_styles)
    draw_room_outlines(plan.axes, level.rooms, linewidth=0.5, zorder=3)
    fill_geometries(
        plan.axes, [zone.geometry for zone in zones], facecolor="none", edgecolor="black", linewidth=2.2, zorder=4
    )
    draw_line_markers(plan, lines, diameter_pt=style.marker_diameter_pt, font_pt=style.marker_font_pt)
    discs = marker_discs(plan, lines, style.marker_diameter_pt)
    zone_labels = _draw_zone_labels(plan, analysis, zones, discs, style)
    _draw_room_refs(plan, level, zone_labels, discs, style)
    draw_scale_and_north(plan, font_pt=style.small_pt)

    _draw_title(plan.figure, analysis, level, style)
    flow = _Flow([_Column(plan.figure, style, box) for box in boxes])
    _draw_instructions(flow, zones, zone_styles)
    _draw_line_list(flow, lines)
    _draw_footer(plan.figure, analysis, style, generated_at)
    return plan.figure


def _poster_page(level: LevelResult, style: PosterStyle, width_in: float, height_in: float) -> tuple[PlanFigure, list[TextBox]]:
    """Create the page and its plan axes, with the text beside the plan or under it.

    The text goes in a column right of the plan, or in a band of three columns under it for
    a flat plan, whichever draws the plan at the larger scale.
    """
    bounds = plan_bounds(level)
    x_min, y_min, x_max, y_max = bounds
    width_m, height_m = x_max - x_min, y_max - y_min
    body_in = height_in - TITLE_BAND_IN - FOOTER_BAND_IN - SCALE_BAND_IN
    side_scale = min((width_in - 2 * style.margin_in - style.column_in - GAP_IN) / width_m, body_in / height_m)
    band_scale = min((width_in - 2 * style.margin_in) / width_m, (body_in - style.band_in) / height_m)

    text_bottom = height_in - FOOTER_BAND_IN
    if band_scale > 1.05 * side_scale:
        scale = band_scale
        top = TITLE_BAND_IN + height_m * scale + SCALE_BAND_IN
        column = (width_in - 2 * style.margin_in - 2 * GAP_IN) / 3
        boxes = [
            TextBox(style.margin_in + index * (column + GAP_IN), top, column, text_bottom) for index in range(3)
        ]
    else:
        scale = side_scale
        boxes = [TextBox(width_in - style.margin_in - style.column_in, TITLE_BAND_IN, style.column_in, text_bottom)]

    figure = Figure(figsize=(width_in, height_in), facecolor="white")
    plan_width, plan_height = width_m * scale, height_m * scale
    axes = figure.add_axes(
        (
            style.margin_in / width_in,
            1 - (TITLE_BAND_IN + plan_height) / height_in,
            plan_width / width_in,
            plan_height / height_in,
        )
    )
    axes.set_xlim(x_min, x_max)
    axes.set_ylim(y_min, y_max)
    axes.set_aspect("equal")
    axes.set_axis_off()
    layout = PlanLayout(margin_left_in=style.margin_in, margin_top_in=TITLE_BAND_IN, scale_band_in=SCALE_BAND_IN)
    return PlanFigure(figure, axes, layout, scale, bounds), boxes


def _zone_styles(analysis: SiteAnalysis, zones: list[Zone]) -> dict[tuple, tuple[str, str, str]]:
    """Return (fill, hatch, legend text) per kind of zone guidance and operator."""
    names = dict(analysis.operators)
    styles: dict[tuple, tuple[str, str, str]] = {}
    fallback = iter(FALLBACK_ZONE_STYLES * 4)
    for plmn, name in analysis.operators:
        fill, hatch = OPERATOR_ZONE_STYLES.get(name) or next(fallback)
        styles[(OPERATOR, plmn)] = (fill, hatch, _("{operator} works here").format(operator=names.get(plmn, plmn)))
    styles[(ALL_OPERATORS, None)] = (*ALL_OPERATORS_ZONE_STYLE, _("every operator works here"))
    styles[(LINE, None)] = (*LINE_ZONE_STYLE, _("no reliable mobile network: use the fixed line shown ({symbol})").format(symbol=LINE_SYMBOL))
    styles[(UNKNOWN, None)] = (*UNKNOWN_ZONE_STYLE, _("not measured: use the nearest fixed line"))
    return styles


def _style_key(guidance: RoomGuidance) -> tuple:
    return (guidance.kind, guidance.plmn if guidance.kind == OPERATOR else None)


def _draw_zones(plan: PlanFigure, zones: list[Zone], styles: dict[tuple, tuple[str, str, str]]) -> None:
    """Fill each zone with its guidance's tint and hatch."""
    by_style: dict[tuple, list] = {}
    for zone in zones:
        by_style.setdefault(_style_key(zone.guidance), []).append(zone.geometry)
    for key, geometries in by_style.items():
        fill, hatch, _legend = styles[key]
        hatch_color = "#ffffff" if key[0] == LINE else "#444444"
        fill_geometries(plan.axes, geometries, facecolor=fill, edgecolor="none", hatch=hatch, hatchcolor=hatch_color)


def zone_label_text(analysis: SiteAnalysis, guidance: RoomGuidance) -> str:
    """Return the large label of a zone: an operator, "all operators" or the fixed line to use."""
    if guidance.kind == OPERATOR:
        return dict(analysis.operators).get(guidance.plmn, guidance.plmn or "")
    if guidance.kind == ALL_OPERATORS:
        return _("All operators")
    line = f"{LINE_SYMBOL} {guidance.line.number}" if guidance.line else LINE_SYMBOL
    return line if guidance.kind == LINE else f"? {line}"


def _draw_zone_labels(
    plan: PlanFigure, analysis: SiteAnalysis, zones: list[Zone], discs: shapely.Geometry, style: PosterStyle
) -> list[PlacedLabel]:
    """Write each zone's guidance in large bold print where it fits, clear of the line markers."""
    labels = []
    for zone in zones:
        label = _zone_label(plan, zone, zone_label_text(analysis, zone.guidance), discs, style)
        if label is not None:
            labels.append(label)
    for is_line, color, box in ((False, "black", "white"), (True, "white", "black")):
        group = [label for label in labels if _is_line_label(label.text) == is_line]
        boxes = [_label_box(label, plan, bold=True, padding_pt=3) for label in group]
        fill_geometries(plan.axes, boxes, facecolor=box, edgecolor="none", alpha=0.85, zorder=8.5)
        draw_labels(plan, group, halo=False, bold=True, color=color, zorder=9)
    return labels


def _is_line_label(text: str) -> bool:
    return LINE_SYMBOL in text


def _zone_label(
    plan: PlanFigure, zone: Zone, text: str, discs: shapely.Geometry, style: PosterStyle
) -> PlacedLabel | None:
    """Place a zone's label: level text first, at the zone's centre or clear of its line markers."""
    candidates = [label_anchor(zone.geometry)]
    free = zone.geometry.difference(discs.buffer(0.3)) if not discs.is_empty else zone.geometry
    if not free.is_empty:
        candidates.append(label_anchor(free))
    for rotations in ((0,), (90,)):
        for anchor in candidates:
            fit = fitted_label(
                text, zone.geometry, anchor, plan.inches_per_m, style.zone_label_pt,
                bold=True, obstacles=discs, rotations=rotations,
            )
            if fit is not None:
                return PlacedLabel(text, anchor.x, anchor.y, *fit)
    return None


def _draw_room_refs(
    plan: PlanFigure, level: LevelResult, zone_labels: list[PlacedLabel], discs: shapely.Geometry, style: PosterStyle
) -> None:
    """Write the room refs small, for orientation, where they leave the zone labels readable."""
    labels, _skipped = place_room_labels(
        level.rooms, plan.inches_per_m, sizes_pt=(style.small_pt * 0.8, style.small_pt * 0.65), avoid=discs
    )
    occupied = shapely.union_all([_label_box(label, plan, bold=True, padding_pt=4) for label in zone_labels])
    clear = [label for label in labels if not occupied.intersects(_label_box(label, plan))]
    draw_labels(plan, clear, zorder=5)


def _label_box(label: PlacedLabel, plan: PlanFigure, *, bold: bool = False, padding_pt: float = 0.0) -> shapely.Polygon:
    """Return the box a placed label covers, in plan metres."""
    width, height = text_size_pt(label.text, label.size_pt, bold)
    if label.rotation == 90:
        width, height = height, width
    metres_per_pt = 1 / (72 * plan.inches_per_m)
    half_x, half_y = (width / 2 + padding_pt) * metres_per_pt, (height / 2 + padding_pt) * metres_per_pt
    return shapely.box(label.x_m - half_x, label.y_m - half_y, label.x_m + half_x, label.y_m + half_y)


def _draw_title(figure: Figure, analysis: SiteAnalysis, level: LevelResult, style: PosterStyle) -> None:
    """Write the level in large print and the site under it."""
    width_in, height_in = figure.get_size_inches()
    place = " \u2013 ".join(part for part in (level.building, level.name) if part)
    figure.text(
        style.margin_in / width_in, 1 - style.margin_in / height_in, place,
        ha="left", va="top", fontsize=style.title_pt, fontweight="bold",
    )
    subtitle = _("{site} \u2013 mobile phones and fixed lines during an outage").format(site=analysis.site_name)
    figure.text(
        style.margin_in / width_in, 1 - (style.margin_in + style.title_pt / 72 * 1.35) / height_in, subtitle,
        ha="left", va="top", fontsize=style.text_pt * 0.85,
    )


class _Column:
    """Writes one text column of a poster from top to bottom, in inches from the page's top left."""

    def __init__(self, figure: Figure, style: PosterStyle, box: TextBox) -> None:
        self.figure = figure
        self.style = style
        self.box = box
        self.y_in = box.top_in
        self.page_width_in, self.page_height_in = figure.get_size_inches()

    def fits(self, lines: int, size_pt: float) -> bool:
        """Return whether ``lines`` more lines at ``size_pt`` fit above the column's bottom."""
        return self.y_in + lines * size_pt * 1.25 / 72 <= self.box.bottom_in

    def text(self, text: str, size_pt: float, *, bold: bool = False, indent_in: float = 0.0, gap_pt: float = 4) -> None:
        """Write ``text`` wrapped to the column width at ``size_pt``."""
        for line in self.wrapped(text, size_pt, bold=bold, indent_in=indent_in):
            self.figure.text(
                (self.box.x_in + indent_in) / self.page_width_in, 1 - self.y_in / self.page_height_in, line,
                ha="left", va="top", fontsize=size_pt, fontweight="bold" if bold else "normal",
            )
            self.y_in += size_pt * 1.25 / 72
        self.y_in += gap_pt / 72

    def swatch(self, fill: str, hatch: str, text: str) -> None:
        """Write a legend entry: a hatched swatch and its text."""
        size = self.style.text_pt
        box_in = size * 1.3 / 72
        hatch_color = "#ffffff" if fill == LINE_ZONE_STYLE[0] else "#444444"
        self.figure.add_artist(
            Rectangle(
                (self.box.x_in / self.page_width_in, 1 - (self.y_in + box_in) / self.page_height_in),
                box_in / self.page_width_in, box_in / self.page_height_in,
                transform=self.figure.transFigure, facecolor=fill, edgecolor="black", linewidth=1.2,
                hatch=hatch, hatchcolor=hatch_color,
            )
        )
        self.text(text, size, indent_in=box_in + 0.15, gap_pt=6)

    def wrapped(self, text: str, size_pt: float, *, bold: bool = False, indent_in: float = 0.0) -> list[str]:
        """Return ``text`` broken into lines that fit the column at ``size_pt``."""
        available_pt = (self.box.width_in - indent_in) * 72
        average_pt = text_size_pt("abcdefghijklmnopqrstuvwxyz0123", size_pt, bold)[0] / 30
        width = max(8, int(available_pt / average_pt))
        return textwrap.wrap(text, width=width) or [""]


class _Flow:
    """Text flowing through the page's columns: a block that does not fit moves to the next column."""

    def __init__(self, columns: list[_Column]) -> None:
        self.columns = columns
        self.index = 0

    @property
    def column(self) -> _Column:
        return self.columns[self.index]

    def next_column(self) -> bool:
        """Move to the next column and return True, or return False on the last one."""
        if self.index + 1 >= len(self.columns):
            return False
        self.index += 1
        return True

    def place(self, lines: int, size_pt: float) -> bool:
        """Make room for ``lines`` lines at ``size_pt``, moving column if needed; return whether they fit."""
        if self.column.fits(lines, size_pt):
            return True
        return self.next_column() and self.column.fits(lines, size_pt)


def _draw_instructions(flow: _Flow, zones: list[Zone], styles: dict) -> None:
    """Write the outage instruction and the legend of the zone kinds on this level."""
    column = flow.column
    style = column.style
    column.text(_("In an outage"), style.text_pt * 1.45, bold=True, gap_pt=2)
    column.text(_("use the nearest fixed line / the operator shown"), style.text_pt, bold=True, gap_pt=12)
    present = {_style_key(zone.guidance) for zone in zones}
    for key, (fill, hatch, text) in styles.items():
        if key not in present:
            continue
        lines = len(flow.column.wrapped(text, style.text_pt, indent_in=style.text_pt * 1.3 / 72 + 0.15))
        if flow.place(lines + 1, style.text_pt):
            flow.column.swatch(fill, hatch, text)
    flow.column.y_in += 0.15


def _draw_line_list(flow: _Flow, lines: list[FixedLine]) -> None:
    """List the level's fixed lines with their room and phone number, as many as the columns hold.

    In a layout of several columns, the list starts in a column of its own.
    """
    style = flow.column.style
    size = style.text_pt * 0.8
    if len(flow.columns) > 1 and flow.index == 0:
        flow.next_column()
    flow.place(3, style.text_pt * 1.15)
    flow.column.text(_("Fixed lines on this level"), style.text_pt * 1.15, bold=True, gap_pt=4)
    if not lines:
        flow.column.text(_("none"), style.text_pt)
        return

    for index, line in enumerate(lines):
        text = _line_item(line)
        # Room for this line and for the "and N more" line under it.
        if not flow.place(len(flow.column.wrapped(text, size)) + 1, size):
            flow.column.text(_("and {count} more on the plan").format(count=len(lines) - index), size)
            return
        flow.column.text(text, size, gap_pt=2)


def _line_item(line: FixedLine) -> str:
    """Return "☎ 3 – A0-101 Accueil – 04 77 … (to install)" for the line list."""
    room = line.room
    parts = [f"{LINE_SYMBOL} {line.number}", f"{room.ref} {room.name}".strip()]
    if room.line_number:
        # No-break spaces keep the phone number on one line.
        parts.append(room.line_number.replace(" ", "\u00a0"))
    text = " \u2013 ".join(parts)
    if line.proposed:
        text += " " + _("(to install)")
    return text


def _draw_footer(figure: Figure, analysis: SiteAnalysis, style: PosterStyle, generated_at: datetime) -> None:
    """Write the survey dates, the generation date and the confidentiality note at the bottom."""
    width_in, height_in = figure.get_size_inches()
    zone = site_zone(analysis.timezone)
    printed = format_date(generated_at.astimezone(zone).date(), format="long", locale=current_language())
    text = _("Survey: {dates}. Printed from zoneblanche on {date}. Internal document: do not post in public areas.").format(
        dates=survey_dates_text(analysis, zone), date=printed
    )
    figure.text(style.margin_in / width_in, 0.25 / height_in, text, ha="left", va="bottom", fontsize=style.small_pt)


def _empty_page(analysis: SiteAnalysis, paper: str) -> Figure:
    """Return a page stating that the site has no level with rooms yet."""
    width_in, height_in = PAPER_SIZES_IN[paper]
    figure = Figure(figsize=(width_in, height_in))
    figure.text(0.5, 0.5, _("{site}: no level with rooms yet").format(site=analysis.site_name), ha="center", fontsize=20)
    return figure
