"""The printable A4 report of a site, in the current language, readable in black and white.

The sections are the cover and the summary: rooms by verdict, analog lines to keep, to install
and optional, shielded rooms and rooms to survey again. Then come two pages per level (its
verdict plan with its numbered lines, and its best-operator heatmap), the room table and the
recommendations with their reasons. The report ends with the data quality, the grid test of
the public-safety codes, the comparison of two surveys when one is given, and the method with
every threshold used. Every page carries the
site, the survey dates and its page number. Verdicts are always written out in words, never
shown by colour alone.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone

from babel.dates import format_date, format_time
from fpdf.enums import XPos, YPos

from maps.images import level_title
from maps.lines import FixedLine, level_lines
from maps.pdf_document import (
    FONT_FAMILY,
    ReportPDF,
    TableStyle,
    heading,
    image_fitted,
    paragraph,
    paragraph_height,
    new_page_for,
    space_left,
    subheading,
    table,
)
from maps.pdf_quality import data_quality, method
from maps.pdf_rooms import recommendations, room_table, room_title
from maps.pdf_trust import grid_tests, survey_comparison
from maps.style import (
    CRITICALITY_ORDER,
    action_label,
    format_number,
    site_zone,
    survey_dates_text,
    verdict_label,
)
from survey.categories import criticality_label
from survey.compare import SurveyComparison
from survey.i18n import _, current_language
from survey.results import VERDICTS, LevelResult, RoomResult, SiteAnalysis

logger = logging.getLogger(__name__)

SMALL_TABLE_MM = 110
LEVEL_GAP_MM = 3
# A level's table of lines stays on its page up to this many lines, each row about this tall.
SHORT_LINE_TABLE = 12
LINE_ROW_MM = 4.6


def render_pdf(
    analysis: SiteAnalysis,
    level_images: Mapping[int, Sequence[bytes] | bytes] | None = None,
    *,
    generated_at: datetime | None = None,
    comparison: SurveyComparison | None = None,
) -> bytes:
    """Render the site report as PDF bytes.

    Parameters
    ----------
    analysis
        The site analysis to report.
    level_images
        PNG images per level id, printed on each level's page in order: the verdict plan and
        the best-operator heatmap (see :class:`maps.outputs.SiteRenderer`). When None, they
        are rendered here; a level missing from the mapping gets a note instead.
    generated_at
        Generation time printed on the cover (default: now).
    comparison
        A comparison of two surveys of the site, printed in its own section when given.
    """
    generated_at = generated_at or datetime.now(timezone.utc)
    if level_images is None:
        from maps.outputs import SiteRenderer  # maps.outputs imports this module

        level_images = SiteRenderer(analysis, generated_at=generated_at).level_images()
    zone = site_zone(analysis.timezone)
    dates = survey_dates_text(analysis, zone)
    pdf = ReportPDF(
        _("{site} \u2013 survey {dates}").format(site=analysis.site_name, dates=dates),
        _("Page {page} of {total}"),
    )
    pdf.set_title(_("Mobile voice coverage report: {site}").format(site=analysis.site_name))
    pdf.set_creator("zoneblanche")
    pdf.set_lang(current_language())
    pdf.set_creation_date(generated_at)

    lines = {level.level_id: level_lines(level) for level in analysis.levels}
    _cover(pdf, analysis, dates, generated_at.astimezone(zone))
    _summary(pdf, analysis, lines)
    for level in analysis.levels:
        images = level_images.get(level.level_id, [])
        _level_page(pdf, level, [images] if isinstance(images, bytes) else list(images), lines[level.level_id])
    room_table(pdf, analysis)
    recommendations(pdf, analysis)
    data_quality(pdf, analysis)
    grid_tests(pdf, analysis)
    if comparison is not None:
        survey_comparison(pdf, comparison)
    method(pdf, analysis)
    return bytes(pdf.output())


def _cover(pdf: ReportPDF, analysis: SiteAnalysis, dates: str, generated_at: datetime) -> None:
    """Write the cover: site, purpose, survey dates, operators, size and generation date."""
    pdf.add_page()
    pdf.ln(40)
    pdf.set_font(FONT_FAMILY, "B", 24)
    pdf.multi_cell(0, 11, analysis.site_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(FONT_FAMILY, "", 15)
    pdf.multi_cell(0, 8, _("Mobile voice coverage, room by room"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(10)
    paragraph(
        pdf,
        _(
            "This report tells, for each room, whether staff can rely on a mobile phone for voice "
            "calls when the hospital's information system and IP telephony are down, and where an "
            "independent analog line must stay or be installed."
        ),
        size=11,
    )
    pdf.ln(8)

    operators = ", ".join(name for _plmn, name in analysis.operators) or "\u2013"
    samples = sum(len(level.samples) for level in analysis.levels)
    facts = [
        (_("Survey dates"), dates),
        (_("Surveys"), ", ".join(analysis.surveys) or "\u2013"),
        (_("Operators"), operators),
        (_("Levels"), _levels_text(analysis.levels)),
        (_("Rooms"), format_number(len(analysis.rooms), 0)),
        (_("Samples"), format_number(samples, 0)),
        (_("Report generated on"), _generation_text(generated_at)),
    ]
    for name, value in facts:
        pdf.set_font(FONT_FAMILY, "B", 11)
        pdf.cell(55, 7, name)
        pdf.set_font(FONT_FAMILY, "", 11)
        pdf.multi_cell(0, 7, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    paragraph(
        pdf,
        _(
            "Internal document: it lists the rooms without mobile coverage and the analog lines of "
            "the hospital. Keep it with the crisis plan and do not publish it."
        ),
        size=9,
    )


def _levels_text(levels: list[LevelResult]) -> str:
    """Return the level names, or their count when there are too many to list."""
    if len(levels) > 8:
        return _("{count} levels").format(count=len(levels))
    return ", ".join(level_title(level) for level in levels) or "\u2013"


def _generation_text(generated_at: datetime) -> str:
    """Return the generation date and time, to the minute, in the current language."""
    language = current_language()
    return _("{date} at {time}").format(
        date=format_date(generated_at.date(), format="long", locale=language),
        time=format_time(generated_at.time(), format="short", locale=language),
    )


def _summary(pdf: ReportPDF, analysis: SiteAnalysis, lines: dict[int, list[FixedLine]]) -> None:
    """Write the counts of verdicts and actions, the lines, shielded rooms and rooms to resurvey."""
    pdf.add_page(orientation="portrait")
    heading(pdf, _("Summary"))
    rooms = analysis.rooms

    subheading(pdf, _("Rooms by voice verdict"))
    header = [_("Level"), *[verdict_label(verdict) for verdict in VERDICTS], _("Total")]
    rows = []
    for level in analysis.levels:
        counts = Counter(room.voice for room in level.rooms)
        rows.append([level_title(level), *[str(counts[verdict]) for verdict in VERDICTS], str(len(level.rooms))])
    totals = Counter(room.voice for room in rooms)
    rows.append([_("All levels"), *[str(totals[verdict]) for verdict in VERDICTS], str(len(rooms))])
    table(pdf, header, rows, TableStyle((3, 1.3, 1.3, 1.3, 1), size=9, align=("L", "R", "R", "R", "R")))

    subheading(pdf, _("Analog lines"))
    actions = Counter(room.recommendation.action for room in rooms)
    rows = [
        [action_label(action), str(actions[action])]
        for action in ("keep_analog_line", "install_analog_line", "analog_line_optional", "nearest_line", "resurvey")
    ]
    table(pdf, [_("Action"), _("Rooms")], rows, TableStyle((4, 1), size=9, align=("L", "R"), width=SMALL_TABLE_MM))
    _line_lists(pdf, analysis, lines)

    _shielded_rooms(pdf, rooms)
    _resurvey_rooms(pdf, rooms)
    if analysis.unplaced_samples:
        paragraph(
            pdf,
            _("Samples not placed in any room, not counted: {count}.").format(count=analysis.unplaced_samples),
        )


def _line_lists(pdf: ReportPDF, analysis: SiteAnalysis, lines: dict[int, list[FixedLine]]) -> None:
    """List the lines to keep, to install and optional, with their number on the level's plan."""
    numbers = {(level_id, line.room.ref): line.number for level_id, level_lines_ in lines.items() for line in level_lines_}
    for action, title in (
        ("keep_analog_line", _("Analog lines to keep")),
        ("install_analog_line", _("Analog lines to install")),
        ("analog_line_optional", _("Optional analog lines (mobile voice is reliable)")),
    ):
        rooms = sorted(
            (room for room in analysis.rooms if room.recommendation.action == action),
            key=lambda room: (CRITICALITY_ORDER.get(room.criticality, 9), room.level_name, room.ref),
        )
        if not rooms:
            continue
        subheading(pdf, f"{title} ({len(rooms)})")
        header = [_("Level"), _("Line"), _("Room"), _("Criticality"), _("Line number")]
        rows = [
            [
                room.level_name,
                str(numbers.get((room.level_id, room.ref), "\u2013")),
                room_title(room),
                criticality_label(room.criticality),
                room.line_number or "\u2013",
            ]
            for room in rooms
        ]
        table(pdf, header, rows, TableStyle((1.4, 0.6, 3.4, 1.1, 1.4), size=8.5, align=("L", "R", "L", "L", "L")))


def _shielded_rooms(pdf: ReportPDF, rooms: list[RoomResult]) -> None:
    shielded = [room for room in rooms if room.shielded]
    subheading(pdf, _("Shielded rooms ({count})").format(count=len(shielded)))
    if not shielded:
        paragraph(pdf, _("No shielded room was found."))
        return
    header = [_("Room"), _("Level"), _("Attenuation (dB)"), _("Voice verdict")]
    rows = [
        [room_title(room), room.level_name, format_number(room.attenuation_db), verdict_label(room.voice)]
        for room in shielded
    ]
    table(pdf, header, rows, TableStyle((3.2, 1.6, 1.1, 1.4), size=9, align=("L", "L", "R", "L")))


def _resurvey_rooms(pdf: ReportPDF, rooms: list[RoomResult]) -> None:
    resurvey = sorted(
        (room for room in rooms if room.recommendation.action == "resurvey"),
        key=lambda room: (CRITICALITY_ORDER.get(room.criticality, 9), room.level_name, room.ref),
    )
    subheading(pdf, _("Rooms to survey again ({count})").format(count=len(resurvey)))
    if not resurvey:
        paragraph(pdf, _("Every room has enough samples."))
        return
    header = [_("Room"), _("Level"), _("Criticality"), _("Samples")]
    rows = [[room_title(room), room.level_name, criticality_label(room.criticality), str(room.samples)] for room in resurvey]
    table(pdf, header, rows, TableStyle((3.2, 1.6, 1.1, 0.9), size=9, align=("L", "L", "L", "R")))


def _level_page(pdf: ReportPDF, level: LevelResult, images: list[bytes], lines: list[FixedLine]) -> None:
    """Write one level's pages: the verdict plan with its numbered lines, then each further image.

    The first image shares its page with a note, and with the table of lines when it is short.
    Every further image, such as the best-operator heatmap, gets a page of its own.
    """
    first, *others = images or [None]
    new_page_for(pdf, first)
    heading(pdf, _("Level: {level}").format(level=level_title(level)))
    measured = sum(1 for room in level.rooms if room.samples)
    note = _(
        "Each room is estimated from its own samples only; hatched grey rooms were not measured. "
        "{measured} of {total} rooms have samples."
    ).format(measured=measured, total=len(level.rooms))
    if first is None and not level.rooms:
        paragraph(pdf, _("No plan was rendered for this level: it has no rooms."))
    elif first is None:
        paragraph(pdf, _("No heatmap was rendered for this level."))
    else:
        reserved = paragraph_height(pdf, note, size=8)
        if len(lines) <= SHORT_LINE_TABLE:
            reserved += 14 + LINE_ROW_MM * (len(lines) + 1)
        image_fitted(pdf, first, max_height=space_left(pdf, LEVEL_GAP_MM) - reserved)
    paragraph(pdf, note, size=8)
    if lines:
        _level_lines_table(pdf, lines)

    for image in others:
        new_page_for(pdf, image)
        heading(pdf, _("Level: {level}").format(level=level_title(level)), size=12, section=False)
        note = _("On the heatmap, cross-hatching marks no coverage and diagonal hatching poor coverage.")
        image_fitted(pdf, image, max_height=space_left(pdf, LEVEL_GAP_MM) - paragraph_height(pdf, note, size=8))
        paragraph(pdf, note, size=8)


def _level_lines_table(pdf: ReportPDF, lines: list[FixedLine]) -> None:
    """List the numbered lines of a level, as on its plan."""
    subheading(pdf, _("Analog lines of this level"))
    header = [_("Line"), _("Room"), _("Status"), _("Line number"), _("Recommendation")]
    rows = [
        [
            str(line.number),
            room_title(line.room),
            _("to install") if line.proposed else _("existing"),
            line.room.line_number or "\u2013",
            action_label(line.room.recommendation.action),
        ]
        for line in lines
    ]
    table(pdf, header, rows, TableStyle((0.6, 3.2, 1.1, 1.4, 1.8), size=8.5, align=("R", "L", "L", "L", "L")))

