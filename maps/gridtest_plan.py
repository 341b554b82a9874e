"""The printed grid of a public-safety grid test: each cell over the level, with its result.

Cells take the verdict styles (pass like a reliable room, fail like an unreliable one, untested
like a room without enough samples), so the grid reads in grey print. Each cell shows its
number (row.column, counted from the south-west), its averaged level and, after an exclamation
mark, how many rooms inside it average below the threshold on their own.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from maps.heatmap import figure_bytes
from maps.images import level_title
from maps.plan import PlanFigure, decorate_axes, draw_column_legend, draw_room_outlines, draw_scale_and_north, new_plan_figure, plan_bounds
from maps.style import ROOM_OUTLINE_COLOR, VERDICT_COLORS, VERDICT_HATCH_COLORS, VERDICT_HATCHES, format_number
from survey.gridtest import GridCell, GridDivision, GridTestResult, status_label
from survey.i18n import _
from survey.results import LevelResult

# Cell result -> the verdict whose fill and hatch it takes.
CELL_STYLES = {"pass": "reliable", "fail": "unreliable", "untested": "insufficient_data"}


def cell_number(cell: GridCell) -> str:
    """Return a cell's number as printed: row.column, from 1, counted from the south-west."""
    return f"{cell.row + 1}.{cell.column + 1}"


def gridtest_figure(level: LevelResult, result: GridTestResult, division: GridDivision) -> Figure:
    """Build the plan of one division of a level's grid test, cell by cell."""
    plan = new_plan_figure(plan_bounds(level))
    for cell in division.cells:
        style = CELL_STYLES[cell.status]
        x_min, y_min, x_max, y_max = cell.bounds
        plan.axes.add_patch(
            Rectangle(
                (x_min, y_min), x_max - x_min, y_max - y_min,
                facecolor=VERDICT_COLORS[style], hatch=VERDICT_HATCHES[style], hatchcolor=VERDICT_HATCH_COLORS[style],
                edgecolor="black", linewidth=1.0, alpha=0.85, zorder=2,
            )
        )
        _cell_text(plan, cell)
    draw_room_outlines(plan.axes, level.rooms, linewidth=0.4)

    verdict = _("passes") if division.passed else _("fails")
    title = _("{level} \u2013 grid test, {operator}, {cells} cells: {verdict}").format(
        level=level_title(level), operator=result.operator_name, cells=division.requested_cells, verdict=verdict
    )
    decorate_axes(plan, title, ticks=False)
    _draw_legend(plan, result)
    draw_scale_and_north(plan)
    return plan.figure


def gridtest_image(level: LevelResult, result: GridTestResult, division: GridDivision, fmt: str = "png") -> bytes:
    """Render one division of a grid test as an image."""
    return figure_bytes(gridtest_figure(level, result, division), fmt)


def _cell_text(plan: PlanFigure, cell: GridCell) -> None:
    x_min, y_min, x_max, y_max = cell.bounds
    lines = [cell_number(cell), "\u2013" if cell.level_dbm is None else f"{format_number(cell.level_dbm, 0)} dBm"]
    if cell.rooms_below:
        lines.append(f"! {len(cell.rooms_below)}")
    dark = cell.status == "fail"
    plan.axes.text(
        (x_min + x_max) / 2, (y_min + y_max) / 2, "\n".join(lines),
        ha="center", va="center", fontsize=7, fontweight="bold", zorder=5, color="white" if dark else "black",
        bbox={"boxstyle": "round,pad=0.2", "facecolor": "#303030" if dark else "white", "edgecolor": "none", "alpha": 0.8},
    )


def _draw_legend(plan: PlanFigure, result: GridTestResult) -> None:
    handles = [
        Patch(
            facecolor=VERDICT_COLORS[style], edgecolor=ROOM_OUTLINE_COLOR, hatch=VERDICT_HATCHES[style],
            hatchcolor=VERDICT_HATCH_COLORS[style], linewidth=0.5, label=status_label(status),
        )
        for status, style in CELL_STYLES.items()
    ]
    handles.append(Patch(facecolor="white", edgecolor="none", label=_("! n: rooms below the threshold in the cell")))
    title = _("Cell average, threshold {threshold} dBm").format(threshold=format_number(result.threshold_dbm, 0))
    draw_column_legend(plan, handles, title, font_pt=8, handle_height=1.6, spacing=0.7)
