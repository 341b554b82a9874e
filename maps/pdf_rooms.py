"""The room pages of the PDF report: the room table and the recommendations with their reasons."""

from __future__ import annotations

from maps.pdf_document import ReportPDF, TableStyle, heading, paragraph, table
from maps.style import (
    CRITICALITY_ORDER,
    action_label,
    format_number,
    format_percent,
    verdict_label,
    yes_no,
)
from survey.categories import category_label, criticality_label
from survey.i18n import _
from survey.results import RoomResult, SiteAnalysis

# Order of the recommendations within one criticality: what needs work first.
ACTION_PRIORITY = ["install_analog_line", "keep_analog_line", "nearest_line", "resurvey", "analog_line_optional", "none"]
ACTION_ORDER = {action: index for index, action in enumerate(ACTION_PRIORITY)}
NAME_LENGTH = 80


def room_title(room: RoomResult) -> str:
    """Return "ref – name", or the ref alone."""
    return f"{room.ref} \u2013 {room.name}" if room.name else room.ref


def room_table(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write the room table on landscape pages, its header repeated on each page."""
    pdf.add_page(orientation="landscape")
    heading(pdf, _("Rooms"))
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
    rows = [
        [
            room.level_name,
            room.ref,
            _truncated(room.name, NAME_LENGTH),
            criticality_label(room.criticality),
            yes_no(room.analog_line),
            str(room.samples),
            _shielded_text(room),
            verdict_label(room.voice),
            *[_operator_cell(room, plmn) for plmn, _name in analysis.operators],
            action_label(room.recommendation.action),
        ]
        for room in analysis.rooms
    ]
    operator_widths = (2.0,) * len(analysis.operators)
    widths = (1.5, 1.0, 2.5, 1.1, 1.0, 1.0, 1.2, 1.3, *operator_widths, 1.8)
    align = ("L",) * 5 + ("R",) + ("L",) * (len(widths) - 6)
    table(pdf, header, rows, TableStyle(widths, size=7.5, align=align))


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


def recommendations(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write each room's recommendation with its reasons, vital and high rooms first."""
    pdf.add_page(orientation="portrait")
    heading(pdf, _("Recommendations"))
    rooms = sorted(
        (room for room in analysis.rooms if room.recommendation.action != "none"),
        key=lambda room: (
            CRITICALITY_ORDER.get(room.criticality, 9),
            ACTION_ORDER.get(room.recommendation.action, 9),
            room.level_name,
            room.ref,
        ),
    )
    if not rooms:
        paragraph(pdf, _("No room needs an action."))
        return

    header = [_("Criticality"), _("Room"), _("Level"), _("Recommendation"), _("Reasons")]
    rows = [
        [
            criticality_label(room.criticality),
            f"{room_title(room)}\n{category_label(room.category)}",
            room.level_name,
            _action_text(room),
            "\n".join(f"\u2022 {reason}" for reason in room.recommendation.reasons) or "\u2013",
        ]
        for room in rooms
    ]
    table(pdf, header, rows, TableStyle((0.9, 2.0, 1.1, 1.5, 3.6), size=8))


def _action_text(room: RoomResult) -> str:
    """Return the action, with the voice verdict and the nearest line when there is one."""
    recommendation = room.recommendation
    parts = [action_label(recommendation.action), _("voice verdict: {verdict}").format(verdict=verdict_label(room.voice))]
    if recommendation.line_room_ref:
        nearest = _("nearest line in {room}").format(room=recommendation.line_room_ref)
        if recommendation.distance_m is not None:
            nearest += f", {format_number(recommendation.distance_m)} m"
        parts.append(nearest)
    return "\n".join(parts)
