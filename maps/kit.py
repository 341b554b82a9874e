"""The crisis kit: one ZIP archive that the crisis cell keeps on a laptop off the hospital network.

It contains the PDF report, the posters, the offline maps (the whole site and one per level), the
room table as CSV (French dialect by default), XLSX and GeoJSON, the heatmaps, and a read-me in
French (``LISEZMOI.txt``) and in English (``README.txt``) that says what each file is, how to
open it without a network, when the survey was made and that the data is sensitive.
"""

from __future__ import annotations

import io
import logging
import textwrap
import zipfile
from collections.abc import Callable
from datetime import datetime

from babel.dates import format_date

from maps.outputs import SiteRenderer, slugify
from maps.style import site_zone, survey_dates_text
from survey.i18n import _, current_language, reset_language, set_language
from survey.results import SiteAnalysis

logger = logging.getLogger(__name__)

# Files already compressed are stored as they are.
STORED_SUFFIXES = (".png", ".zip", ".xlsx")
README_FILES = (("LISEZMOI.txt", "fr"), ("README.txt", "en"))


def render_kit(analysis: SiteAnalysis, *, csv_dialect: str = "fr", generated_at: datetime | None = None) -> bytes:
    """Return the crisis kit of a site as ZIP bytes (see :func:`build_kit`)."""
    return build_kit(SiteRenderer(analysis, generated_at=generated_at), csv_dialect=csv_dialect)


def build_kit(renderer: SiteRenderer, *, csv_dialect: str = "fr") -> bytes:
    """Return the crisis kit of the renderer's site as ZIP bytes, every file under one folder.

    Parameters
    ----------
    renderer
        The renderer of the site analysis, whose grids and images the kit reuses.
    csv_dialect
        Dialect of ``rooms.csv``: ``"fr"`` (semicolons, decimal commas, UTF-8 with BOM) or ``"en"``.
    """
    members = kit_members(renderer, csv_dialect)
    root = f"zoneblanche-{slugify(renderer.analysis.site_name, 'site')}"
    for name, language in README_FILES:
        text = _in_language(language, lambda: readme_text(renderer, members, csv_dialect))
        members.insert(0, (name, text.encode("utf-8-sig")))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            compression = zipfile.ZIP_STORED if name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=_zip_time(renderer.generated_at))
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    logger.info("crisis kit of site %s: %d files, %d bytes", renderer.analysis.site_name, len(members), buffer.tell())
    return buffer.getvalue()


def kit_members(renderer: SiteRenderer, csv_dialect: str = "fr") -> list[tuple[str, bytes]]:
    """Return (path in the kit, bytes) of every file of the kit but the read-mes."""
    members = [
        ("report.pdf", renderer.pdf()),
        ("posters.pdf", renderer.posters()),
        ("map_site.html", renderer.site_map().encode("utf-8")),
    ]
    members.extend((f"maps/{name}", page.encode("utf-8")) for name, page in renderer.level_map_files())
    members.extend(
        [
            ("rooms.csv", renderer.csv(csv_dialect)),
            ("rooms.xlsx", renderer.xlsx()),
            ("rooms.geojson", renderer.geojson()),
        ]
    )
    members.extend((f"heatmaps/{name}", image) for name, image in renderer.heatmap_files())
    return members


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """Return a ZIP member time; ZIP times start in 1980 and have no time zone."""
    local = moment.astimezone()
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second - local.second % 2)


def _in_language(language: str, render: Callable[[], str]) -> str:
    """Return ``render()`` run with ``language`` as the current language."""
    token = set_language(language)
    try:
        return render()
    finally:
        reset_language(token)


def readme_text(renderer: SiteRenderer, members: list[tuple[str, bytes]], csv_dialect: str = "fr") -> str:
    """Return the kit's read-me in the current language, with Windows line ends for Notepad."""
    analysis = renderer.analysis
    zone = site_zone(analysis.timezone)
    generated = format_date(renderer.generated_at.astimezone(zone).date(), format="long", locale=current_language())
    names = [name for name, _data in members]
    lines = [
        _("zoneblanche crisis kit: {site}").format(site=analysis.site_name),
        "",
        _("Survey dates: {dates}").format(dates=survey_dates_text(analysis, zone)),
        _("Generated on {date}.").format(date=generated),
        "",
        _("SENSITIVE DATA: these files show which rooms of the hospital have no mobile coverage and where its "
          "analog lines are. Keep them with the crisis plan, on a computer or a USB stick off the network, "
          "and do not publish them."),
        "",
        _("Everything opens without a network or internet access:"),
        "",
        *_file_lines(names, csv_dialect),
        "",
        _("The maps are single files: Leaflet is built in and they load nothing from the internet. If a "
          "browser shows a blank page, allow scripts for local files or try another browser."),
        _("Plan coordinates are metres in the site's own frame (x to the east, y to the north), not GPS "
          "positions."),
    ]
    wrapped = []
    for line in lines:
        indent = "  " if line.startswith("- ") else ""
        wrapped.extend(textwrap.wrap(line, width=78, subsequent_indent=indent) or [""])
    return "\r\n".join(wrapped) + "\r\n"


def _csv_text(csv_dialect: str) -> str:
    """Return the description of ``rooms.csv`` in its dialect."""
    if csv_dialect == "fr":
        return _("the room table for a spreadsheet: semicolons and decimal commas, as French spreadsheet "
                 "programs expect, in UTF-8.")
    return _("the room table for a spreadsheet: commas and decimal points, in UTF-8.")


def _file_lines(names: list[str], csv_dialect: str) -> list[str]:
    """Return one bulleted line per file or group of files of the kit."""
    described = [
        ("report.pdf", _("the full report: summary, one page per level, every room, recommendations, data "
                         "quality and method. Open it with any PDF reader; it prints in black and white.")),
        ("posters.pdf", _("one poster per level for the walls and the crisis binder: which operator works in "
                          "each zone and where the fixed lines are. Print in A3 landscape, or A4 fit to page.")),
        ("map_site.html", _("the map of every level, with a level switcher. Double-click it to open it in a web "
                            "browser (Firefox, Chrome, Edge or Safari); click a room for its evidence.")),
        ("maps/", _("the same map, one file per level.")),
        ("rooms.csv", _csv_text(csv_dialect)),
        ("rooms.xlsx", _("the room table as an Excel workbook (Excel or LibreOffice Calc).")),
        ("rooms.geojson", _("the rooms with their verdicts, for GIS software such as QGIS.")),
        ("heatmaps/", _("signal heatmap images per level: the best operator and each operator.")),
    ]
    lines = []
    for name, text in described:
        present = any(member == name or (name.endswith("/") and member.startswith(name)) for member in names)
        if present:
            lines.append(f"- {name}: {text}")
    return lines
