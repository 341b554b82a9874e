"""The closing sections of the PDF report: data quality, then method and thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from babel.dates import format_date

from maps.images import level_title
from maps.pdf_document import (
    ReportPDF,
    TableStyle,
    ensure_space,
    heading,
    paragraph,
    paragraph_height,
    subheading,
    table,
    titled_paragraph,
)
from maps.pdf_rooms import room_title
from maps.style import CRITICALITY_ORDER, action_label, coverage_label, format_number, format_percent, site_zone
from survey.categories import CRITICALITIES, category_label, criticality_label
from survey.i18n import _, current_language
from survey.metrics import COVERAGE_LEVELS, DISPLAY_THRESHOLDS, METRIC_LABELS, METRIC_UNITS
from survey.results import ACTIONS, SiteAnalysis

TECHNOLOGY_NAMES = {"gsm": "2G (GSM)", "umts": "3G (UMTS)", "lte": "4G (LTE)", "nr": "5G (NR)"}
SMALL_TABLE_MM = 110


def data_quality(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write what the verdicts rest on: phones, samples per level and room, unmeasured rooms."""
    pdf.add_page(orientation="portrait")
    heading(pdf, _("Data quality"))
    samples = pd.concat([level.samples for level in analysis.levels], ignore_index=True) if analysis.levels else None

    subheading(pdf, _("Surveys and phones"))
    paragraph(pdf, _("Surveys: {surveys}.").format(surveys=", ".join(analysis.surveys) or "\u2013"))
    _phones(pdf, analysis, samples)
    _samples_per_level(pdf, analysis)
    _unmeasured_rooms(pdf, analysis)

    subheading(pdf, _("Unplaced samples"))
    paragraph(
        pdf,
        _(
            "{count} samples could not be placed in a room (no position, or a position outside every "
            "room) and count in no verdict. A large number calls for checking the tracks and room visits."
        ).format(count=format_number(analysis.unplaced_samples, 0)),
    )


def _phones(pdf: ReportPDF, analysis: SiteAnalysis, samples: pd.DataFrame | None) -> None:
    """Write one row per operator: phone models, samples and the dates of the first and last."""
    if samples is None or samples.empty:
        paragraph(pdf, _("No samples."))
        return
    zone = site_zone(analysis.timezone)
    names = dict(analysis.operators)
    rows = []
    for plmn, group in samples.groupby("plmn", observed=True):
        models = sorted(str(model) for model in group["device_model"].dropna().unique()) or ["\u2013"]
        first, last = group["time"].min(), group["time"].max()
        rows.append(
            [
                f"{names.get(plmn, plmn)} ({plmn})",
                ", ".join(models),
                format_number(len(group), 0),
                _local_date(first, zone),
                _local_date(last, zone),
            ]
        )
    header = [_("Operator"), _("Phones"), _("Samples"), _("First sample"), _("Last sample")]
    table(pdf, header, rows, TableStyle((1.6, 2.4, 0.9, 1.2, 1.2), size=8.5, align=("L", "L", "R", "L", "L")))


def _local_date(moment: pd.Timestamp, zone) -> str:
    if pd.isna(moment):
        return "\u2013"
    return format_date(moment.to_pydatetime().astimezone(zone).date(), format="medium", locale=current_language())


def _samples_per_level(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write per level: rooms, measured rooms, samples, median samples per room, rooms with too few."""
    subheading(pdf, _("Samples per level and per room"))
    rows = []
    for level in analysis.levels:
        counts = np.array([room.samples for room in level.rooms])
        measured = counts[counts > 0]
        too_few = sum(1 for room in level.rooms if room.samples and room.voice == "insufficient_data")
        rows.append(
            [
                level_title(level),
                str(len(level.rooms)),
                str(len(measured)),
                format_number(int(counts.sum()) if len(counts) else 0, 0),
                format_number(float(np.median(measured)) if len(measured) else None, 0),
                format_number(int(measured.min()) if len(measured) else None, 0),
                str(too_few),
            ]
        )
    header = [
        _("Level"),
        _("Rooms"),
        _("Measured rooms"),
        _("Samples"),
        _("Median samples per measured room"),
        _("Fewest samples in a measured room"),
        _("Measured rooms with too few samples"),
    ]
    table(pdf, header, rows, TableStyle((2.2, 0.8, 1, 1, 1.2, 1.2, 1.2), size=8, align=("L",) + ("R",) * 6))


def _unmeasured_rooms(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """List the rooms without any sample, vital and high rooms first."""
    rooms = sorted(
        (room for room in analysis.rooms if room.samples == 0),
        key=lambda room: (CRITICALITY_ORDER.get(room.criticality, 9), room.level_name, room.ref),
    )
    subheading(pdf, _("Unmeasured rooms ({count})").format(count=len(rooms)))
    if not rooms:
        paragraph(pdf, _("Every room has samples."))
        return
    header = [_("Room"), _("Level"), _("Category"), _("Criticality"), _("Recommendation")]
    rows = [
        [
            room_title(room),
            room.level_name,
            category_label(room.category),
            criticality_label(room.criticality),
            action_label(room.recommendation.action),
        ]
        for room in rooms
    ]
    table(pdf, header, rows, TableStyle((3, 1.4, 1.4, 1, 1.6), size=8))


def method(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write how verdicts and recommendations were made, with every threshold of the policy."""
    pdf.add_page(orientation="portrait")
    heading(pdf, _("Method and thresholds"))
    _voice_method(pdf, analysis)
    _lines_method(pdf, analysis)
    titled_paragraph(
        pdf,
        _("Heatmaps"),
        _(
            "Each cell takes the inverse-distance weighted average, in milliwatts, of the nearest samples "
            "of the room it lies in. Nothing is interpolated across walls, and rooms without samples are "
            "shown as unmeasured. A room measured by room visits, whose samples have no position, takes "
            "the average in milliwatts of its samples in every cell."
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
    titled_paragraph(
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
    ).format(
        min_samples=policy.min_samples,
        area=format_number(policy.area_per_sample_m2),
        percentile=format_number(policy.low_percentile, 0),
    )
    rows = [[criticality_label(criticality), format_percent(policy.pass_rate(criticality))] for criticality in CRITICALITIES]
    ensure_space(pdf, 12 + paragraph_height(pdf, verdict_rule) + 6 * (len(rows) + 1))
    subheading(pdf, _("Room verdict"))
    paragraph(pdf, verdict_rule)
    table(
        pdf,
        [_("Criticality"), _("Required pass rate")],
        rows,
        TableStyle((2, 1), size=9, align=("L", "R"), width=SMALL_TABLE_MM),
    )
    paragraph(pdf, _required_operators_text(analysis))


def _lines_method(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write the shielding and line-distance rules and what each recommendation means."""
    policy = analysis.policy
    rule = _(
        "A room is shielded when its median signal is at least {margin} dB below that of the "
        "spaces touching it, or when it has no service where they have service. A normal room "
        "without reliable voice is served by an analog line at most {distance} m away."
    )
    titled_paragraph(
        pdf,
        _("Shielded rooms and analog lines"),
        rule.format(margin=format_number(policy.shield_margin_db), distance=format_number(policy.max_line_distance_m)),
    )
    meanings = {
        "keep_analog_line": _("the room has a line and mobile voice is not reliable"),
        "install_analog_line": _("a vital or high room without a line where mobile voice is not reliable"),
        "nearest_line": _("a normal room without reliable voice, served by a nearby line"),
        "analog_line_optional": _("the room has a line but mobile voice is reliable"),
        "resurvey": _("too few samples to decide"),
    }
    rows = [[action_label(action), meanings[action]] for action in ACTIONS if action in meanings]
    ensure_space(pdf, 8 * (len(rows) + 1))
    table(pdf, [_("Recommendation"), _("Meaning")], rows, TableStyle((1.3, 3), size=8.5, stripes=False))


def _required_operators_text(analysis: SiteAnalysis) -> str:
    """Return which operators must be reliable for a room to count as covered."""
    required = analysis.policy.required_operators
    if "any" in required:
        return _("Required operators: any one, since emergency numbers work on any network.")
    names = dict(analysis.operators)
    listed = ", ".join(f"{names.get(plmn, plmn)} ({plmn})" for plmn in required)
    return _("Required operators: {operators}.").format(operators=listed)


def _display_classes(pdf: ReportPDF) -> None:
    """List the display cut-points of every technology and metric."""
    header = [_("Technology"), _("Metric"), *[coverage_label(level) for level in COVERAGE_LEVELS[1:]]]
    rows = []
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
    ensure_space(pdf, 12 + paragraph_height(pdf, explanation, size=9) + 6 * (len(rows) + 1))
    subheading(pdf, _("Display classes"))
    paragraph(pdf, explanation, size=9)
    align = ("L", "L", "R", "R", "R", "R")
    table(pdf, header, rows, TableStyle((1.3, 1.3, 1, 1, 1, 1), size=8.5, align=align))
