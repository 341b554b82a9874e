"""Colours, hatch patterns and translated labels shared by every rendering.

The coverage scale samples matplotlib's *viridis* map at five points: the hues stay apart for
the common colour-vision deficiencies and the lightness rises from ``none`` to ``excellent``,
so the classes remain distinct when printed in grey. The two weakest classes also carry a
hatch pattern, which keeps dead zones visible on any printer.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.numbers import format_percent as babel_format_percent

from survey.i18n import current_language, gettext, lazy
from survey.metrics import COVERAGE_LABELS, COVERAGE_LEVELS
from survey.results import SiteAnalysis

logger = logging.getLogger(__name__)

# Display class -> fill colour (viridis at 0, 0.25, 0.5, 0.75 and 1).
COVERAGE_COLORS: dict[str, str] = {
    "none": "#440154",
    "poor": "#3b528b",
    "fair": "#21918c",
    "good": "#5ec962",
    "excellent": "#fde725",
}

# Display class -> matplotlib hatch pattern drawn over the fill ("" for none).
COVERAGE_HATCHES: dict[str, str] = {
    "none": "xx",
    "poor": "//",
    "fair": "",
    "good": "",
    "excellent": "",
}

# Colour of the hatch lines over each class: light on the dark classes.
COVERAGE_HATCH_COLORS: dict[str, str] = {
    "none": "#ffffff",
    "poor": "#ffffff",
    "fair": "#000000",
    "good": "#000000",
    "excellent": "#000000",
}

# Rooms inside the plan that have no estimate: near white with a grey hatch, which stays
# distinct from the light "excellent" class in grey print.
UNMEASURED_COLOR = "#f7f7f7"
UNMEASURED_HATCH = "\\\\\\"
UNMEASURED_HATCH_COLOR = "#7f7f7f"
ROOM_OUTLINE_COLOR = "#303030"

# Voice verdict -> fill colour (Okabe-Ito vermillion and sky blue, and a light grey): the
# unreliable rooms are the darkest, so they stand out in grey print too.
VERDICT_COLORS: dict[str, str] = {
    "reliable": "#56b4e9",
    "unreliable": "#d55e00",
    "insufficient_data": "#e5e5e5",
}

# Voice verdict -> matplotlib hatch on printed plans, so verdicts differ in grey print too.
VERDICT_HATCHES: dict[str, str] = {
    "reliable": "",
    "unreliable": "xx",
    "insufficient_data": "..",
}
VERDICT_HATCH_COLORS: dict[str, str] = {
    "reliable": "#000000",
    "unreliable": "#ffffff",
    "insufficient_data": "#555555",
}

# Voice verdict -> SVG dash pattern of the room outline on the web map ("" for solid).
VERDICT_DASHES: dict[str, str] = {
    "reliable": "",
    "unreliable": "",
    "insufficient_data": "4 3",
}

VERDICT_LABELS: dict[str, str] = {
    "reliable": lazy("reliable"),
    "unreliable": lazy("unreliable"),
    "insufficient_data": lazy("insufficient data"),
}

ACTION_LABELS: dict[str, str] = {
    "keep_analog_line": lazy("keep the analog line"),
    "install_analog_line": lazy("install an analog line"),
    "nearest_line": lazy("use the nearest analog line"),
    "analog_line_optional": lazy("analog line optional"),
    "resurvey": lazy("survey again"),
    "none": lazy("no action"),
}

# Poster zones: a light tint of the operator's brand colour with its own hatch, so that zones
# differ in grey print too. Operators not listed take the fallback styles in turn.
OPERATOR_ZONE_STYLES: dict[str, tuple[str, str]] = {
    "Orange": ("#ffc48a", "//"),
    "SFR": ("#f4a6aa", "\\\\"),
    "Free": ("#d4d4d4", "--"),
    "Bouygues Telecom": ("#a6cbe8", "||"),
}
FALLBACK_ZONE_STYLES: list[tuple[str, str]] = [("#d9c8ea", "++"), ("#fbe79a", "oo"), ("#c7e9c0", "xx")]
ALL_OPERATORS_ZONE_STYLE = ("#bfe3a8", "")
LINE_ZONE_STYLE = ("#5a5a5a", "xx")
UNKNOWN_ZONE_STYLE = (UNMEASURED_COLOR, UNMEASURED_HATCH)

# Existing analog lines and proposed ones on maps.
LINE_EXISTING_COLOR = "#000000"
LINE_PROPOSED_COLOR = "#ffffff"

CRITICALITY_ORDER = {"vital": 0, "high": 1, "normal": 2, "low": 3}


def coverage_label(level: str) -> str:
    """Return the translated name of a display class such as ``poor``."""
    return gettext(COVERAGE_LABELS.get(level, level))


def coverage_colors() -> list[str]:
    """Return the class colours in the order of ``COVERAGE_LEVELS``."""
    return [COVERAGE_COLORS[level] for level in COVERAGE_LEVELS]


def verdict_label(verdict: str) -> str:
    """Return the translated name of a voice verdict such as ``insufficient_data``."""
    return gettext(VERDICT_LABELS.get(verdict, verdict))


def action_label(action: str) -> str:
    """Return the translated name of a recommendation action such as ``keep_analog_line``."""
    return gettext(ACTION_LABELS.get(action, action))


def labelled(name: str, value: str) -> str:
    """Return "name: value" with the current language's punctuation ("nom : valeur" in French)."""
    return gettext("{name}: {value}").format(name=name, value=value)


def yes_no(value: bool) -> str:
    """Return the translated "yes" or "no"."""
    return gettext("yes") if value else gettext("no")


def format_dbm(value: float) -> str:
    """Format a level in dB or dBm with a true minus sign and no needless decimals."""
    text = f"{value:g}"
    return text.replace("-", "\u2212")


def class_ranges(thresholds: tuple[float, float, float, float], unit: str) -> list[tuple[str, str]]:
    """Return (display class, translated range text) pairs, from ``none`` to ``excellent``.

    A value equal to a cut-point belongs to the class above it, as in
    :func:`survey.metrics.display_class_index`.
    """
    cuts = [format_dbm(value) for value in thresholds]
    ranges = [gettext("below {value} {unit}").format(value=cuts[0], unit=unit)]
    for low, high in zip(cuts[:-1], cuts[1:]):
        ranges.append(gettext("{low} to {high} {unit}").format(low=low, high=high, unit=unit))
    ranges.append(gettext("{value} {unit} or more").format(value=cuts[-1], unit=unit))
    return list(zip(COVERAGE_LEVELS, ranges))


def format_number(value: float | None, digits: int = 1) -> str:
    """Format a number in the current language, or an en dash when it is missing."""
    if value is None or value != value:
        return "\u2013"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=current_language())


def format_percent(fraction: float | None, digits: int = 1) -> str:
    """Format a fraction such as 0.964 as a percentage in the current language ("96,4 %")."""
    if fraction is None or fraction != fraction:
        return "\u2013"
    language = current_language()
    pattern = Locale.parse(language).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("0", "0." + "0" * digits, 1)
    return babel_format_percent(fraction, format=pattern, locale=language)


def signed_percent(change: float | None) -> str:
    """Format a change of a share with its sign (+1,5 %), or an en dash when it is missing."""
    if change is None:
        return "\u2013"
    sign = "+" if change > 0 else ""
    return sign + format_percent(change)


def signed_number(change: float | None, unit: str = "") -> str:
    """Format a change with its sign and ``unit`` (+3,5 dB), or an en dash when it is missing."""
    if change is None:
        return "\u2013"
    sign = "+" if change > 0 else ""
    return sign + format_number(change) + unit


def site_zone(name: str) -> ZoneInfo:
    """Return the site's time zone, or UTC when its name is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r: dates are printed in UTC", name)
        return ZoneInfo("UTC")


def survey_dates_text(analysis: SiteAnalysis, zone: ZoneInfo | None = None) -> str:
    """Return the dates of the first and last samples in words, in ``zone`` (default: the site's)."""
    if analysis.first_sample is None or analysis.last_sample is None:
        return gettext("no samples")
    zone = zone or site_zone(analysis.timezone)
    language = current_language()
    first = format_date(analysis.first_sample.astimezone(zone).date(), format="long", locale=language)
    last = format_date(analysis.last_sample.astimezone(zone).date(), format="long", locale=language)
    if first == last:
        return first
    return gettext("{first} to {last}").format(first=first, last=last)
