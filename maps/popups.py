"""The HTML shown when a room is clicked or hovered on a web map: its evidence and recommendation.

Every text that comes from a user or a file (room refs and names, line numbers, operator names,
reasons) is escaped here with :func:`escape`, so the fragments can be given to Leaflet as HTML.
"""

from __future__ import annotations

import html

from maps.lines import FixedLine
from maps.style import (
    action_label,
    format_number,
    format_percent,
    verdict_label,
    yes_no,
)
from survey.categories import category_label, criticality_label
from survey.i18n import _
from survey.results import RoomResult


def escape(text: str) -> str:
    """Escape ``text`` for HTML, braces included.

    folium compiles the script of every layer as a Jinja template after inserting its data. A
    name containing ``{{`` would be evaluated on the server, so braces become ``&#123;`` and
    ``&#125;``, which show as braces.
    """
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def room_title_html(room: RoomResult) -> str:
    """Return "ref – name" as escaped HTML."""
    if room.name:
        return f"{escape(room.ref)} \u2013 {escape(room.name)}"
    return escape(room.ref)


def room_tooltip_html(room: RoomResult) -> str:
    """Return the hover text of a room: its title and combined voice verdict."""
    verdict = _("Voice verdict: {verdict}").format(verdict=verdict_label(room.voice))
    return f"<b>{room_title_html(room)}</b><br>{escape(verdict)}"


def room_popup_html(room: RoomResult, line: FixedLine | None = None) -> str:
    """Return the evidence of one room as an escaped HTML fragment for a map popup.

    ``line`` is the room's own fixed line (existing or to install), whose number the popup gives.
    """
    return "".join(
        [
            '<div class="zb-popup">',
            f"<h3>{room_title_html(room)}</h3>",
            _room_facts_html(room, line),
            _operator_table_html(room),
            _recommendation_html(room),
            "</div>",
        ]
    )


def _line_text(room: RoomResult, line: FixedLine | None) -> str:
    """Return whether the room has a line, with its map number and phone number."""
    if line is not None and line.proposed:
        return _("no (line {number} to install)").format(number=line.number)
    text = yes_no(room.analog_line)
    details = []
    if line is not None:
        details.append(_("line {number}").format(number=line.number))
    if room.analog_line and room.line_number:
        details.append(room.line_number)
    return f"{text} ({', '.join(details)})" if details else text


def _room_facts_html(room: RoomResult, line: FixedLine | None) -> str:
    """Return the room's category, criticality, line and shielding as table rows."""
    shielded = yes_no(room.shielded)
    if room.shielded and room.attenuation_db is not None:
        shielded = _("yes, attenuation {value} dB").format(value=format_number(room.attenuation_db))
    facts = [
        (_("Category"), category_label(room.category)),
        (_("Criticality"), criticality_label(room.criticality)),
        (_("Area"), f"{format_number(room.area_m2)} m²"),
        (_("Analog line"), _line_text(room, line)),
        (_("Shielded room"), shielded),
        (_("Samples"), format_number(room.samples, 0)),
        (_("Voice verdict"), verdict_label(room.voice)),
    ]
    rows = "".join(f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in facts)
    return f"<table>{rows}</table>"


def _operator_table_html(room: RoomResult) -> str:
    """Return the per-operator verdicts as a small table."""
    if not room.verdicts:
        return ""
    headers = [_("Operator"), _("Verdict"), _("Samples"), _("Pass rate"), _("RSRP p10")]
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    rows = []
    for verdict in room.verdicts:
        p10 = "\u2013" if verdict.rsrp_p10_dbm is None else f"{format_number(verdict.rsrp_p10_dbm)} dBm"
        cells = [
            f"<td>{escape(verdict.operator or verdict.plmn)}</td>",
            f"<td>{escape(verdict_label(verdict.verdict))}</td>",
            f'<td class="zb-number">{escape(format_number(verdict.samples, 0))}</td>',
            f'<td class="zb-number">{escape(format_percent(verdict.pass_rate))}</td>',
            f'<td class="zb-number">{escape(p10)}</td>',
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    first = room.verdicts[0]
    requirement = _("Reliable needs a pass rate of at least {rate} and at least {samples} samples.").format(
        rate=format_percent(first.required_pass_rate), samples=first.required_samples
    )
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="zb-note">{escape(requirement)}</p>'
    )


def _recommendation_html(room: RoomResult) -> str:
    """Return the room's recommendation and its reasons."""
    recommendation = room.recommendation
    action = _("Recommendation: {action}").format(action=action_label(recommendation.action))
    text = f"<p><b>{escape(action)}</b>"
    if recommendation.line_room_ref:
        nearest = _("nearest line in {room}").format(room=recommendation.line_room_ref)
        if recommendation.distance_m is not None:
            nearest += f", {format_number(recommendation.distance_m)} m"
        text += f" ({escape(nearest)})"
    text += "</p>"
    if recommendation.reasons:
        items = "".join(f"<li>{escape(reason)}</li>" for reason in recommendation.reasons)
        text += f"<ul>{items}</ul>"
    return text
