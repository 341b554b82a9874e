"""Images, maps and reports of analysis results, rendered by ``maps`` for the routes."""

from __future__ import annotations

from api.analysis import operator_label
from maps.heatmap import TECHNOLOGY_NAMES, render_heatmap
from maps.pdf import render_pdf
from maps.webmap import render_level_map
from survey.gridding import Grid, grid_level
from survey.i18n import _
from survey.results import LevelResult, SiteAnalysis

# Heatmap metric -> (technology whose display classes colour it, technologies gridded).
METRIC_TECHNOLOGIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "signal_dbm": ("lte", ("lte", "nr")),
    "rsrp_dbm": ("lte", ("lte", "nr")),
    "rsrq_db": ("lte", ("lte", "nr")),
    "sinr_db": ("lte", ("lte", "nr")),
    "rscp_dbm": ("umts", ("umts",)),
    "ecno_db": ("umts", ("umts",)),
    "rssi_dbm": ("gsm", ("gsm",)),
}


def level_grid(level: LevelResult, plmn: str | None, metric: str = "signal_dbm") -> Grid:
    """Grid one operator's ``metric`` over a level; ``plmn=None`` takes the best operator per cell."""
    _technology, technologies = METRIC_TECHNOLOGIES[metric]
    return grid_level(level, plmn, metric, technologies=technologies)


def heatmap_png(
    analysis: SiteAnalysis, level: LevelResult, plmn: str | None, metric: str = "signal_dbm"
) -> bytes:
    """Render the PNG heatmap of one level for one operator (None: the best operator)."""
    technology, _technologies = METRIC_TECHNOLOGIES[metric]
    title = _("{level} ({building}) — {operator}, {technology}").format(
        level=level.name,
        building=level.building,
        operator=operator_label(analysis, plmn),
        technology=TECHNOLOGY_NAMES.get(technology, technology),
    )
    grid = level_grid(level, plmn, metric)

    return render_heatmap(level, grid, technology=technology, metric=metric, title=title, fmt="png")


def level_map_html(analysis: SiteAnalysis, level: LevelResult) -> str:
    """Render the self-contained offline HTML map of a level, one layer per operator and the best one."""
    grids = {operator_label(analysis, None): level_grid(level, None)}
    for plmn, _name in analysis.operators:
        grids[operator_label(analysis, plmn)] = level_grid(level, plmn)

    return render_level_map(analysis, level, grids)


def report_pdf(analysis: SiteAnalysis) -> bytes:
    """Render the PDF report, with the best-operator heatmap of every level that has rooms."""
    images = {level.level_id: heatmap_png(analysis, level, None) for level in analysis.levels if level.rooms}

    return render_pdf(analysis, images)
