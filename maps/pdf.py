"""The printable A4 report of a site, in the current language, readable in black and white.

Sections: cover, summary, one page per level with its heatmap, the room table, the
recommendations (vital and high rooms first), and the method with every threshold used.
Text uses DejaVu Sans from matplotlib's data folder, so French accents and « » render on every
system without a system font. Verdicts are always written out in words, never shown by colour
alone.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import matplotlib
from babel.dates import format_date, format_time
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos
from PIL import Image

from maps.style import (
    COVERAGE_COLORS,
    CRITICALITY_ORDER,
    action_label,
    class_ranges,
    coverage_label,
    format_number,
    format_percent,
    site_zone,
    survey_dates_text,
    verdict_label,
    yes_no,
)
from survey.categories import CRITICALITIES, category_label, criticality_label
from survey.i18n import _, current_language
from survey.metrics import COVERAGE_LEVELS, DISPLAY_THRESHOLDS, METRIC_LABELS, METRIC_UNITS, display_thresholds
from survey.results import ACTIONS, VERDICTS, LevelResult, RoomResult, SiteAnalysis

logger = logging.getLogger(__name__)

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FAMILY = "DejaVuSans"
MARGIN_MM = 15
FOOTER_HEIGHT_MM = 12
HEADING_FILL = (225, 225, 225)
LEVEL_LEGEND_HEIGHT_MM = 24
SMALL_TABLE_MM = 110
TABLE_PADDING_MM = 1.2
TECHNOLOGY_NAMES = {"gsm": "2G (GSM)", "umts": "3G (UMTS)", "lte": "4G (LTE)", "nr": "5G (NR)"}

# Order of the recommendations within one criticality: what needs work first.
ACTION_PRIORITY = ["install_analog_line", "keep_analog_line", "nearest_line", "resurvey", "analog_line_optional", "none"]
ACTION_ORDER = {action: index for index, action in enumerate(ACTION_PRIORITY)}


class ReportPDF(FPDF):
    """An A4 document with the site's footer on every page: name, survey dates, page number."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FONT_FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT_FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM + FOOTER_HEIGHT_MM / 2)
        self.set_font(FONT_FAMILY, size=10)

    def footer(self) -> None:
        self.set_y(-MARGIN_MM)
        self.set_font(FONT_FAMILY, size=7.5)
        self.set_text_color(60)
        self.cell(self.epw * 0.75, 5, self.footer_text, align="L")
        # fpdf2 replaces its page-count alias ("{nb}") with the number of pages on output.
        page = _("Page {page} of {total}").format(page=self.page_no(), total=self.str_alias_nb_pages)
        self.cell(self.epw * 0.25, 5, page, align="R")
        self.set_text_color(0)


def render_pdf(
    analysis: SiteAnalysis,
    level_images: dict[int, bytes],
    *,
    generated_at: datetime | None = None,
) -> bytes:
    """Render the site report as PDF bytes.

    Parameters
    ----------
    analysis
        The site analysis to report.
    level_images
        PNG heatmap per level id, printed on each level's page.
    generated_at
        Generation time printed on the cover (default: now).
    """
    generated_at = generated_at or datetime.now(timezone.utc)
    zone = site_zone(analysis.timezone)
    dates = survey_dates_text(analysis, zone)
    pdf = ReportPDF(_("{site} \u2013 survey {dates}").format(site=analysis.site_name, dates=dates))
    pdf.set_title(_("Mobile voice coverage report: {site}").format(site=analysis.site_name))
    pdf.set_creator("zoneblanche")
    pdf.set_lang(current_language())
    pdf.set_creation_date(generated_at)

    _cover(pdf, analysis, dates, generated_at.astimezone(zone))
    _summary(pdf, analysis)
    for level in analysis.levels:
        _level_page(pdf, level, level_images.get(level.level_id))
    _room_table(pdf, analysis)
    _recommendations(pdf, analysis)
    _method(pdf, analysis)
    return bytes(pdf.output())


# Document helpers ---------------------------------------------------------------------------


def _heading(pdf: ReportPDF, text: str, *, size: float = 15, section: bool = True) -> None:
    """Write a bold heading, which ``section`` also adds to the PDF outline."""
    if section:
        pdf.start_section(text)
    pdf.set_font(FONT_FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 10)


def _subheading(pdf: ReportPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 10)


def _keep_together(pdf: ReportPDF, write: Callable[[ReportPDF], None]) -> None:
    """Run ``write`` on a new page when its output would not fit in what is left of this one.

    ``write`` first runs on a rewound copy to measure it. fpdf2's ``unbreakable()`` is not used
    because it drops tables when it replays a block on the next page.
    """
    with pdf.offset_rendering() as trial:
        write(trial)
    if trial.page_break_triggered:
        pdf.add_page(orientation=pdf.cur_orientation)
    write(pdf)


def _titled_paragraph(pdf: ReportPDF, title: str, text: str, *, size: float = 10) -> None:
    """Write a subheading and its paragraph on the same page."""

    def write(target: ReportPDF) -> None:
        _subheading(target, title)
        _paragraph(target, text, size=size)

    _keep_together(pdf, write)


def _paragraph(pdf: ReportPDF, text: str, *, size: float = 10) -> None:
    pdf.set_font(FONT_FAMILY, "", size)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _table(
    pdf: ReportPDF,
    rows: list[list[str]],
    widths: tuple[float, ...],
    *,
    size: float = 9,
    align: str | tuple[str, ...] = "LEFT",
    width: float | None = None,
) -> None:
    """Write a table whose first row is the header, repeated on every page it spans.

    ``widths`` are relative column widths. ``width`` is the table's width in mm (default: the
    text block's).
    """
    total_width = width or pdf.epw
    pdf.set_font(FONT_FAMILY, "", size)
    pdf.set_fill_color(255)
    headings = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=_fitted_widths(pdf, rows, widths, size, total_width),
        text_align=align,
        line_height=size * 0.5,
        padding=(0.8, TABLE_PADDING_MM),
        headings_style=headings,
        repeat_headings=1,
        width=total_width,
        align="LEFT",
    ) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(2)


def _fitted_widths(
    pdf: ReportPDF, rows: list[list[str]], weights: tuple[float, ...], size: float, total_width: float
) -> tuple[float, ...]:
    """Return column widths in mm that keep each column's longest word on one line.

    Every column first gets the width of its longest word, in bold for the header row. The
    rest of ``total_width`` is shared in proportion to ``weights``. When the words alone are too
    wide, the plain proportional widths are returned and fpdf2 breaks the longest words.
    """
    minimums = []
    for column in range(len(weights)):
        longest = 0.0
        for index, row in enumerate(rows):
            pdf.set_font(FONT_FAMILY, "B" if index == 0 else "", size)
            words = str(row[column]).split()
            longest = max([longest, *(pdf.get_string_width(word) for word in words)])
        minimums.append(longest + 2 * TABLE_PADDING_MM + 0.5)
    pdf.set_font(FONT_FAMILY, "", size)

    proportional = [total_width * weight / sum(weights) for weight in weights]
    if sum(minimums) > total_width:
        return tuple(proportional)
    widths = [max(minimum, share) for minimum, share in zip(minimums, proportional)]
    # Take the excess back from the columns that are wider than their minimum.
    excess = sum(widths) - total_width
    slack = [width - minimum for width, minimum in zip(widths, minimums)]
    return tuple(width - excess * room / sum(slack) if sum(slack) else width for width, room in zip(widths, slack))


def _room_title(room: RoomResult) -> str:
    return f"{room.ref} \u2013 {room.name}" if room.name else room.ref


# Sections --------------------------------------------------------------------------------------


def _cover(pdf: ReportPDF, analysis: SiteAnalysis, dates: str, generated_at: datetime) -> None:
    """Write the cover: site, purpose, survey dates, operators and generation date."""
    pdf.add_page()
    pdf.ln(45)
    pdf.set_font(FONT_FAMILY, "B", 24)
    pdf.multi_cell(0, 11, analysis.site_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(FONT_FAMILY, "", 15)
    pdf.multi_cell(0, 8, _("Mobile voice coverage, room by room"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    _paragraph(
        pdf,
        _(
            "This report tells, for each room, whether staff can rely on a mobile phone for voice "
            "calls when the hospital's information system and IP telephony are down, and where an "
            "independent analog line must stay or be installed."
        ),
        size=11,
    )
    pdf.ln(10)

    operators = ", ".join(name for _plmn, name in analysis.operators) or "\u2013"
    facts = [
        (_("Survey dates"), dates),
        (_("Surveys"), ", ".join(analysis.surveys) or "\u2013"),
        (_("Operators"), operators),
        (_("Levels"), ", ".join(_level_title(level) for level in analysis.levels) or "\u2013"),
        (_("Report generated on"), _generation_text(generated_at)),
    ]
    for name, value in facts:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.cell(55, 7, name)
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.multi_cell(0, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _generation_text(generated_at: datetime) -> str:
    """Return the generation date and time, to the minute, in the current language."""
    language = current_language()
    return _("{date} at {time}").format(
        date=format_date(generated_at.date(), format="long", locale=language),
        time=format_time(generated_at.time(), format="short", locale=language),
    )


def _level_title(level: LevelResult) -> str:
    return f"{level.building} \u2013 {level.name}" if level.building else level.name


def _summary(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write the counts of verdicts and actions, the shielded rooms and the rooms to resurvey."""
    pdf.add_page()
    _heading(pdf, _("Summary"))
    rooms = analysis.rooms

    _subheading(pdf, _("Rooms by voice verdict"))
    header = [_("Level"), *[verdict_label(verdict) for verdict in VERDICTS], _("Total")]
    rows = [header]
    for level in analysis.levels:
        counts = Counter(room.voice for room in level.rooms)
        rows.append([_level_title(level), *[str(counts[verdict]) for verdict in VERDICTS], str(len(level.rooms))])
    totals = Counter(room.voice for room in rooms)
    rows.append([_("All levels"), *[str(totals[verdict]) for verdict in VERDICTS], str(len(rooms))])
    _table(pdf, rows, (3, 1.3, 1.3, 1.3, 1), align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))

    _subheading(pdf, _("Analog lines"))
    actions = Counter(room.recommendation.action for room in rooms)
    rows = [[_("Action"), _("Rooms")]]
    for action in ("keep_analog_line", "install_analog_line", "analog_line_optional", "nearest_line", "resurvey"):
        rows.append([action_label(action), str(actions[action])])
    _table(pdf, rows, (4, 1), align=("LEFT", "RIGHT"), width=SMALL_TABLE_MM)

    _shielded_rooms(pdf, rooms)
    _resurvey_rooms(pdf, rooms)
    if analysis.unplaced_samples:
        _paragraph(
            pdf,
            _("Samples not placed in any room, not counted: {count}.").format(count=analysis.unplaced_samples),
        )


def _shielded_rooms(pdf: ReportPDF, rooms: list[RoomResult]) -> None:
    shielded = [room for room in rooms if room.shielded]
    _subheading(pdf, _("Shielded rooms ({count})").format(count=len(shielded)))
    if not shielded:
        _paragraph(pdf, _("No shielded room was found."))
        return
    rows = [[_("Room"), _("Level"), _("Attenuation (dB)"), _("Voice verdict")]]
    for room in shielded:
        rows.append([_room_title(room), room.level_name, format_number(room.attenuation_db), verdict_label(room.voice)])
    _table(pdf, rows, (3.2, 1.6, 1.1, 1.4), align=("LEFT", "LEFT", "RIGHT", "LEFT"))


def _resurvey_rooms(pdf: ReportPDF, rooms: list[RoomResult]) -> None:
    resurvey = sorted(
        (room for room in rooms if room.recommendation.action == "resurvey"),
        key=lambda room: (CRITICALITY_ORDER.get(room.criticality, 9), room.ref),
    )
    _subheading(pdf, _("Rooms to survey again ({count})").format(count=len(resurvey)))
    if not resurvey:
        _paragraph(pdf, _("Every room has enough samples."))
        return
    rows = [[_("Room"), _("Level"), _("Criticality"), _("Samples")]]
    for room in resurvey:
        rows.append([_room_title(room), room.level_name, criticality_label(room.criticality), str(room.samples)])
    _table(pdf, rows, (3.2, 1.6, 1.1, 0.9), align=("LEFT", "LEFT", "LEFT", "RIGHT"))


def _level_page(pdf: ReportPDF, level: LevelResult, image: bytes | None) -> None:
    """Write one level's page: its heatmap, sized to the page, and a short legend."""
    landscape = image is not None and _is_wide(image)
    pdf.add_page(orientation="landscape" if landscape else "portrait")
    _heading(pdf, _("Level: {level}").format(level=_level_title(level)))

    if image is None:
        _paragraph(pdf, _("No heatmap was rendered for this level."))
    else:
        max_height = pdf.h - pdf.get_y() - LEVEL_LEGEND_HEIGHT_MM - MARGIN_MM - FOOTER_HEIGHT_MM
        _image_fitted(pdf, image, max_height=max_height)
    _level_legend(pdf, level)


def _image_fitted(pdf: ReportPDF, png: bytes, *, max_height: float) -> None:
    """Place a PNG at the current position, as wide as the text block allows within ``max_height`` mm."""
    with Image.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    width = min(pdf.epw, max_height * width_px / height_px)
    height = width * height_px / width_px
    x = pdf.l_margin + (pdf.epw - width) / 2
    top = pdf.get_y()
    pdf.image(io.BytesIO(png), x=x, y=top, w=width, h=height)
    pdf.set_y(top + height + 3)


def _is_wide(png: bytes) -> bool:
    """Return whether a PNG image is wider than tall."""
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    return width > height


def _level_legend(pdf: ReportPDF, level: LevelResult, technology: str = "lte", metric: str = "signal_dbm") -> None:
    """Write the colour classes with their ranges in one line, and what the hatches mean."""
    unit = METRIC_UNITS.get(metric, "")
    ranges = dict(class_ranges(display_thresholds(technology, metric), unit))
    pdf.set_font(FONT_FAMILY, "", 8)
    swatch = 4
    column = pdf.epw / len(COVERAGE_LEVELS)
    y = bottom = pdf.get_y()
    for index, coverage in enumerate(reversed(COVERAGE_LEVELS)):
        x = pdf.l_margin + index * column
        pdf.set_fill_color(COVERAGE_COLORS[coverage])
        pdf.rect(x, y + 0.5, swatch, swatch, style="DF")
        pdf.set_xy(x + swatch + 1.5, y)
        text = ranges[coverage]
        if coverage == "none":
            text = _("{range} or no service").format(range=text)
        pdf.multi_cell(column - swatch - 2, 3.6, f"{coverage_label(coverage)}\n{text}", align="L")
        bottom = max(bottom, pdf.get_y())
    pdf.set_fill_color(255)
    pdf.set_xy(pdf.l_margin, bottom + 1.5)
    measured = sum(1 for room in level.rooms if room.samples)
    _paragraph(
        pdf,
        _(
            "Each room is estimated from its own samples only; hatched grey rooms were not measured. "
            "Cross-hatching marks no coverage and diagonal hatching poor coverage. "
            "{measured} of {total} rooms have samples."
        ).format(measured=measured, total=len(level.rooms)),
        size=8,
    )


def _room_table(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write the room table on landscape pages, its header repeated on each page."""
    pdf.add_page(orientation="landscape")
    _heading(pdf, _("Rooms"))
    header = [
        _("Level"),
        _("Ref"),
        _("Name"),
        _("Criticality"),
        _("Analog line"),
        _("Samples"),
        _("Shielded room"),
        _("Voice verdict"),
        *[_("{operator}: verdict, pass rate, RSRP p10").format(operator=name) for _plmn, name in analysis.operators],
        _("Recommendation"),
    ]
    rows = [header]
    for room in analysis.rooms:
        rows.append(
            [
                room.level_name,
                room.ref,
                _truncated(room.name, 80),
                criticality_label(room.criticality),
                yes_no(room.analog_line),
                str(room.samples),
                _shielded_text(room),
                verdict_label(room.voice),
                *[_operator_cell(room, plmn) for plmn, _name in analysis.operators],
                action_label(room.recommendation.action),
            ]
        )
    operator_widths = (2.0,) * len(analysis.operators)
    widths = (1.5, 1.0, 2.5, 1.1, 1.0, 1.0, 1.2, 1.3, *operator_widths, 1.8)
    align = ("LEFT",) * 5 + ("RIGHT",) + ("LEFT",) * (len(widths) - 6)
    _table(pdf, rows, widths, size=7.5, align=align)


def _truncated(text: str, length: int) -> str:
    """Return ``text`` cut to ``length`` characters with an ellipsis."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"


def _shielded_text(room: RoomResult) -> str:
    if not room.shielded:
        return yes_no(False)
    if room.attenuation_db is None:
        return yes_no(True)
    return f"{yes_no(True)} ({format_number(room.attenuation_db)} dB)"


def _operator_cell(room: RoomResult, plmn: str) -> str:
    """Return "verdict, pass rate, p10" of one operator in one room."""
    verdict = room.verdict_for(plmn)
    if verdict is None:
        return "\u2013"
    if not verdict.samples:
        no_samples = _("no samples")
        return f"{verdict_label(verdict.verdict)}\n{no_samples}"
    p10 = "\u2013" if verdict.rsrp_p10_dbm is None else f"{format_number(verdict.rsrp_p10_dbm)} dBm"
    return f"{verdict_label(verdict.verdict)}\n{format_percent(verdict.pass_rate)} \u00b7 {p10}"


def _recommendations(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write each room's recommendation with its reasons, vital and high rooms first."""
    pdf.add_page(orientation="portrait")
    _heading(pdf, _("Recommendations"))
    rooms = [room for room in analysis.rooms if room.recommendation.action != "none"]
    rooms.sort(
        key=lambda room: (
            CRITICALITY_ORDER.get(room.criticality, 9),
            ACTION_ORDER.get(room.recommendation.action, 9),
            room.level_name,
            room.ref,
        )
    )
    if not rooms:
        _paragraph(pdf, _("No room needs an action."))
        return

    current = None
    for room in rooms:
        heading = _("Criticality: {criticality}").format(criticality=criticality_label(room.criticality))
        if room.criticality != current:
            current = room.criticality
            _subheading(pdf, heading)
        _recommendation_entry(pdf, room, continued=heading)


def _recommendation_entry(pdf: ReportPDF, room: RoomResult, *, continued: str) -> None:
    """Write one room's action in bold, then its reasons as a bulleted list, on one page.

    When the entry starts a new page, the ``continued`` heading is repeated above it.
    """
    recommendation = room.recommendation
    title = _("{room} ({level}): {action}").format(
        room=_room_title(room), level=room.level_name, action=action_label(recommendation.action)
    )
    details = [
        _("voice verdict: {verdict}").format(verdict=verdict_label(room.voice)),
        _("category: {category}").format(category=category_label(room.category)),
    ]
    if recommendation.line_room_ref:
        nearest = _("nearest line in {room}").format(room=recommendation.line_room_ref)
        if recommendation.distance_m is not None:
            nearest += f", {format_number(recommendation.distance_m)} m"
        details.append(nearest)
    blocks = [("B", 9.5, 5.0, 0, title), ("", 9, 4.5, 0, " \u00b7 ".join(details))]
    blocks.extend(("", 9, 4.5, 4, f"\u2022 {reason}") for reason in recommendation.reasons)

    # Measured with dry runs, which is cheaper than _keep_together for many small entries.
    height = 1.5
    for style, size, line_height, indent, text in blocks:
        pdf.set_font(FONT_FAMILY, style, size)
        height += pdf.multi_cell(pdf.epw - indent, line_height, text, dry_run=True, output="HEIGHT")
    if pdf.will_page_break(height):
        pdf.add_page(orientation=pdf.cur_orientation)
        _subheading(pdf, continued)

    for style, size, line_height, indent, text in blocks:
        pdf.set_font(FONT_FAMILY, style, size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, line_height, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def _method(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write how verdicts and recommendations were made, with every threshold of the policy."""
    pdf.add_page(orientation="portrait")
    _heading(pdf, _("Method and thresholds"))
    _voice_method(pdf, analysis)
    _lines_method(pdf, analysis)
    _titled_paragraph(
        pdf,
        _("Heatmaps"),
        _(
            "Each cell takes the inverse-distance weighted average, in milliwatts, of the nearest samples "
            "of the room it lies in. Nothing is interpolated across walls, and rooms without samples are "
            "shown as unmeasured."
        ),
    )
    _display_classes(pdf)


def _voice_method(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write the voice criterion, the room verdict rule and the pass rates by criticality."""
    policy = analysis.policy
    technologies = ", ".join(TECHNOLOGY_NAMES.get(name, name) for name in policy.voice_technologies)
    criterion = _(
        "A sample is usable for voice when the phone is in service on {technologies} with an RSRP "
        "of at least {rsrp} dBm and an SINR of at least {sinr} dB (SINR is ignored where the phone "
        "does not report it). Samples without service count as failures."
    )
    _titled_paragraph(
        pdf,
        _("Voice criterion"),
        criterion.format(
            technologies=technologies,
            rsrp=format_number(policy.min_rsrp_dbm),
            sinr=format_number(policy.min_sinr_db),
        ),
    )

    verdict_rule = _(
        "A room is reliable for an operator when the share of usable samples reaches the pass rate "
        "of its criticality and it has at least {min_samples} samples and one per {area} m²; with "
        "fewer samples its data are insufficient; otherwise it is unreliable. The report gives the "
        "{percentile}th percentile of RSRP as the room's low level."
    )
    rows = [[_("Criticality"), _("Required pass rate")]]
    for criticality in CRITICALITIES:
        rows.append([criticality_label(criticality), format_percent(policy.pass_rate(criticality))])
    text = verdict_rule.format(
        min_samples=policy.min_samples,
        area=format_number(policy.area_per_sample_m2),
        percentile=format_number(policy.low_percentile, 0),
    )

    def write(target: ReportPDF) -> None:
        _subheading(target, _("Room verdict"))
        _paragraph(target, text)
        _table(target, rows, (2, 1), align=("LEFT", "RIGHT"), width=SMALL_TABLE_MM)
        _paragraph(target, _required_operators_text(analysis))

    _keep_together(pdf, write)


def _lines_method(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write the shielding and line-distance rules and what each recommendation means."""
    policy = analysis.policy
    rule = _(
        "A room is shielded when its median signal is at least {margin} dB below that of the "
        "spaces touching it, or when it has no service where they have service. A normal room "
        "without reliable voice is served by an analog line at most {distance} m away."
    )
    _titled_paragraph(
        pdf,
        _("Shielded rooms and analog lines"),
        rule.format(margin=format_number(policy.shield_margin_db), distance=format_number(policy.max_line_distance_m)),
    )
    _action_glossary(pdf)


def _required_operators_text(analysis: SiteAnalysis) -> str:
    """Return which operators must be reliable for a room to count as covered."""
    required = analysis.policy.required_operators
    if "any" in required:
        return _("Required operators: any one, since emergency numbers work on any network.")
    names = dict(analysis.operators)
    listed = ", ".join(f"{names.get(plmn, plmn)} ({plmn})" for plmn in required)
    return _("Required operators: {operators}.").format(operators=listed)


def _action_glossary(pdf: ReportPDF) -> None:
    """List what each recommendation action means."""
    meanings = {
        "keep_analog_line": _("the room has a line and mobile voice is not reliable"),
        "install_analog_line": _("a vital or high room without a line where mobile voice is not reliable"),
        "nearest_line": _("a normal room without reliable voice, served by a nearby line"),
        "analog_line_optional": _("the room has a line but mobile voice is reliable"),
        "resurvey": _("too few samples to decide"),
    }
    rows = [[_("Recommendation"), _("Meaning")]]
    rows.extend([action_label(action), meanings[action]] for action in ACTIONS if action in meanings)
    _keep_together(pdf, lambda target: _table(target, rows, (1.3, 3), size=8.5))


def _display_classes(pdf: ReportPDF) -> None:
    """List the display cut-points of every technology and metric."""
    header = [_("Technology"), _("Metric"), *[coverage_label(level) for level in COVERAGE_LEVELS[1:]]]
    rows = [header]
    for (technology, metric), cuts in DISPLAY_THRESHOLDS.items():
        unit = METRIC_UNITS.get(metric, "")
        label = _(METRIC_LABELS.get(metric, metric))
        rows.append(
            [
                TECHNOLOGY_NAMES.get(technology, technology),
                f"{label} ({unit})",
                *[_("from {value}").format(value=format_number(cut)) for cut in cuts],
            ]
        )
    explanation = _(
        "Maps use the cut-points of Android's signal bars, so that they agree with the bars staff "
        "see on their phones."
    )
    align = ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")

    def write(target: ReportPDF) -> None:
        _subheading(target, _("Display classes"))
        _paragraph(target, explanation, size=9)
        _table(target, rows, (1.3, 1.3, 1, 1, 1, 1), size=8.5, align=align)

    _keep_together(pdf, write)
