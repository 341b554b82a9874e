"""The images of a level that the report, the kit and the API share: heatmaps and verdict plans.

Titles are built here once, so a heatmap reads the same whether it comes from the API, the
``report`` command or the crisis kit.
"""

from __future__ import annotations

from maps.grids import LevelGrids, display_technology, operator_label
from maps.heatmap import TECHNOLOGY_NAMES, figure_bytes, heatmap_figure
from maps.lines import FixedLine, level_lines
from maps.verdict_plan import verdict_plan_figure
from survey.i18n import _
from survey.metrics import METRIC_LABELS
from survey.results import LevelResult, SiteAnalysis


def level_title(level: LevelResult) -> str:
    """Return "building – level", or the level's name alone when it has no building."""
    return " \u2013 ".join(part for part in (level.building, level.name) if part)


def heatmap_title(analysis: SiteAnalysis, level: LevelResult, plmn: str | None, metric: str) -> str:
    """Return the title of a heatmap image, such as "Bâtiment A – RDC – Orange, 4G signal"."""
    technology = display_technology(metric)
    what = _("{operator}, {technology} {metric}").format(
        operator=operator_label(analysis, plmn),
        technology=TECHNOLOGY_NAMES.get(technology, technology),
        metric=_(METRIC_LABELS.get(metric, metric)),
    )
    return f"{level_title(level)} \u2013 {what}"


def heatmap_image(
    analysis: SiteAnalysis, grids: LevelGrids, plmn: str | None, metric: str = "signal_dbm", fmt: str = "png"
) -> bytes | None:
    """Render the heatmap of one operator (None: the best one) and metric, or None without rooms."""
    grid = grids.grid(plmn, metric)
    if grid is None:
        return None
    title = heatmap_title(analysis, grids.level, plmn, metric)
    figure = heatmap_figure(grids.level, grid, technology=display_technology(metric), metric=metric, title=title)
    return figure_bytes(figure, fmt)


def verdict_plan_image(level: LevelResult, lines: list[FixedLine] | None = None, fmt: str = "png") -> bytes | None:
    """Render the verdict plan of a level with its numbered lines, or None without rooms."""
    if not level.rooms:
        return None
    lines = level_lines(level) if lines is None else lines
    title = _("{level} \u2013 mobile voice by room").format(level=level_title(level))
    return figure_bytes(verdict_plan_figure(level, lines, title), fmt)
