"""The printed verdict plan of one level: rooms by voice verdict, shielded rooms and numbered lines.

This is the decision map of the PDF report. Verdicts differ by fill and by hatch, so the plan
reads in grey print; shielded rooms get a thick outline, and each fixed line is a numbered
disc, black when it exists and white with a dashed rim when it is to be installed. The doors
drawn on the plan, through which walks to the lines go, are white gaps in the walls.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from maps.lines import FixedLine
from maps.plan import (
    PlanFigure,
    decorate_axes,
    draw_column_legend,
    draw_line_markers,
    draw_room_labels,
    draw_room_outlines,
    draw_scale_and_north,
    fill_geometries,
    marker_discs,
    new_plan_figure,
    plan_bounds,
)
from maps.style import (
    LINE_EXISTING_COLOR,
    LINE_PROPOSED_COLOR,
    ROOM_OUTLINE_COLOR,
    VERDICT_COLORS,
    VERDICT_HATCH_COLORS,
    VERDICT_HATCHES,
    verdict_label,
)
from survey.i18n import _
from survey.results import VERDICTS, LevelResult

SHIELDED_OUTLINE_WIDTH = 2.4
# Width of a door's gap in the wall, in points: wider than the thick shielded outline.
DOOR_WIDTH_PT = 3.5


def verdict_plan_figure(level: LevelResult, lines: list[FixedLine], title: str) -> Figure:
    """Build the verdict plan of one level with its numbered fixed lines."""
    plan = new_plan_figure(plan_bounds(level))

    for verdict in VERDICTS:
        fill_geometries(
            plan.axes,
            [room.geometry for room in level.rooms if room.voice == verdict],
            facecolor=VERDICT_COLORS[verdict],
            edgecolor="none",
            hatch=VERDICT_HATCHES[verdict],
            hatchcolor=VERDICT_HATCH_COLORS[verdict],
            zorder=2,
        )
    draw_room_outlines(plan.axes, level.rooms)
    fill_geometries(
        plan.axes,
        [room.geometry for room in level.rooms if room.shielded],
        facecolor="none",
        edgecolor="black",
        linewidth=SHIELDED_OUTLINE_WIDTH,
        zorder=4,
    )
    _draw_doors(plan, level.doors)
    draw_line_markers(plan, lines)
    draw_room_labels(plan, level.rooms, avoid=marker_discs(plan, lines))

    decorate_axes(plan, title, ticks=False)
    _draw_legend(plan, doors=bool(level.doors))
    draw_scale_and_north(plan)
    return plan.figure


def _draw_doors(plan: PlanFigure, doors: list) -> None:
    """Draw each door as a white gap across the wall: lines as drawn, other shapes as a small square."""
    for door in doors:
        if door.geom_type == "LineString":
            x, y = door.xy
            plan.axes.plot(x, y, color="white", linewidth=DOOR_WIDTH_PT, solid_capstyle="butt", zorder=4.5)
        elif not door.is_empty:
            point = door.centroid
            plan.axes.plot(point.x, point.y, marker="s", markersize=DOOR_WIDTH_PT, color="white", markeredgecolor=ROOM_OUTLINE_COLOR,
                           markeredgewidth=0.5, linestyle="none", zorder=4.5)


def _draw_legend(plan: PlanFigure, doors: bool) -> None:
    """Draw the verdict fills, the shielded outline, the doors when drawn and the two line markers."""
    handles: list[object] = [
        Patch(
            facecolor=VERDICT_COLORS[verdict],
            edgecolor=ROOM_OUTLINE_COLOR,
            hatch=VERDICT_HATCHES[verdict],
            hatchcolor=VERDICT_HATCH_COLORS[verdict],
            linewidth=0.5,
            label=verdict_label(verdict),
        )
        for verdict in VERDICTS
    ]
    handles.append(
        Patch(facecolor="white", edgecolor="black", linewidth=SHIELDED_OUTLINE_WIDTH, label=_("shielded room"))
    )
    if doors:
        handles.append(
            Line2D([], [], marker="s", markersize=DOOR_WIDTH_PT, color="white", markeredgecolor=ROOM_OUTLINE_COLOR,
                   markeredgewidth=0.5, linestyle="none", label=_("door on the plan"))
        )
    handles.extend(
        [
            Line2D(
                [], [], marker="o", markersize=11, linestyle="none", markerfacecolor=LINE_EXISTING_COLOR,
                markeredgecolor="black", label=_("existing analog line (number)"),
            ),
            Line2D(
                [], [], marker="o", markersize=11, linestyle="none", markerfacecolor=LINE_PROPOSED_COLOR,
                markeredgecolor="black", markeredgewidth=1.5, label=_("analog line to install (number)"),
            ),
        ]
    )
    draw_column_legend(plan, handles, _("Mobile voice"), font_pt=8, handle_height=1.6, spacing=0.7)
