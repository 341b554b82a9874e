"""How far the verdicts can be trusted: the code grid test per level, and the comparison of surveys."""

from __future__ import annotations

import logging

from maps.images import level_title
from maps.gridtest_plan import cell_number, gridtest_image
from maps.pdf_document import ReportPDF, TableStyle, heading, image_fitted, new_page_for, paragraph, paragraph_height, space_left, subheading, table
from maps.style import format_number, format_percent, signed_number, signed_percent, verdict_label
from survey.compare import SurveyComparison
from survey.gridtest import GridDivision, GridTestResult, run_gridtest, status_label
from survey.i18n import _
from survey.policy import Policy
from survey.results import LevelResult, SiteAnalysis

logger = logging.getLogger(__name__)


def grid_tests(pdf: ReportPDF, analysis: SiteAnalysis) -> None:
    """Write the grid test of every level with rooms, for the best operator per cell and each operator."""
    pdf.add_page(orientation="portrait")
    heading(pdf, _("Grid test of the public-safety codes"))
    _grid_test_method(pdf, analysis.policy)

    testable = [level for level in analysis.levels if level.rooms and _has_positions(level)]
    untestable = [level for level in analysis.levels if level.rooms and not _has_positions(level)]
    if untestable:
        paragraph(
            pdf,
            _("Levels whose samples have no position (room visits) cannot be divided into cells: {levels}.").format(
                levels=", ".join(level_title(level) for level in untestable)
            ),
            size=9,
        )

    results = _grid_test_results(analysis, testable)
    rows = [_grid_test_row(result) for result in results]
    if not rows:
        paragraph(pdf, _("No level has rooms to test."))
        return
    header = [
        _("Level"),
        _("Operator"),
        _("First division: failed of tested (allowed)"),
        _("Second division: failed of tested (allowed)"),
        _("Critical areas passed"),
        _("Result"),
    ]
    table(pdf, header, rows, TableStyle((1.8, 1.3, 1.4, 1.4, 1.1, 0.8), size=8, align=("L", "L", "R", "R", "R", "L")))

    # Each level's grid for the best operator per cell, cell by cell, as the codes report it.
    by_level = {level.level_id: level for level in testable}
    for result in results:
        if result.operator is None:
            for division in (result.first, result.regrid):
                if division is not None:
                    _grid_page(pdf, by_level[result.level_id], result, division)


def _grid_page(pdf: ReportPDF, level: LevelResult, result: GridTestResult, division: GridDivision) -> None:
    """Write one division of a level's grid test: its plan, then the rooms below the threshold in each cell."""
    image = gridtest_image(level, result, division)
    new_page_for(pdf, image)
    heading(pdf, _("Grid test: {level}").format(level=_level_title(result)), size=12, section=False)
    hidden = [cell for cell in division.cells if cell.rooms_below]
    note = _(
        "Cells are numbered row.column from the south-west corner. An exclamation mark counts the rooms of a cell "
        "whose own samples average below the threshold; the room verdicts decide about them."
    )
    listing = "; ".join(f"{cell_number(cell)} ({status_label(cell.status)}): {', '.join(cell.rooms_below)}" for cell in hidden)
    reserved = paragraph_height(pdf, note, size=8) + (paragraph_height(pdf, listing, size=8) if hidden else 0)
    image_fitted(pdf, image, max_height=space_left(pdf) - reserved)
    paragraph(pdf, note, size=8)
    if hidden:
        paragraph(pdf, _("Rooms below the threshold, by cell: {cells}").format(cells=listing), size=8)


def _grid_test_method(pdf: ReportPDF, policy: Policy) -> None:
    """Write how the grid test judges a floor, with the policy's numbers."""
    paragraph(
        pdf,
        _(
            "The US in-building public-safety codes (IFC 510, NFPA 1225) judge a floor rather than its rooms: "
            "the floor is divided into about {cells} cells, each judged by the average of its samples against "
            "{threshold} dBm; the floor passes when at most {failures} cells fail and no two failed cells touch. "
            "When it fails, a division into {regrid_cells} cells with at most {regrid_failures} failures is tried. "
            "Vital rooms are critical areas and need {critical} of their samples at the threshold. This test "
            "complements the room verdicts; it does not replace them."
        ).format(
            cells=policy.gridtest_cells,
            threshold=format_number(policy.gridtest_threshold_dbm),
            failures=policy.gridtest_max_failures,
            regrid_cells=policy.gridtest_regrid_cells,
            regrid_failures=policy.gridtest_regrid_max_failures,
            critical=format_percent(policy.gridtest_critical_pass_rate),
        ),
        size=9,
    )


def _has_positions(level: LevelResult) -> bool:
    """Return whether any sample of the level has a position in the plan."""
    return bool(len(level.samples)) and bool(level.samples["x_m"].notna().any())


def _grid_test_results(analysis: SiteAnalysis, levels: list[LevelResult]) -> list[GridTestResult]:
    """Return the grid tests of ``levels``: the best operator first, then each operator."""
    results = []
    for level in levels:
        results.append(run_gridtest(level, analysis.policy))
        results.extend(run_gridtest(level, analysis.policy, plmn, name) for plmn, name in analysis.operators)
    return results


def _grid_test_row(result: GridTestResult) -> list[str]:
    level = _level_title(result)
    passed = sum(area.status == "pass" for area in result.critical_areas)
    critical = f"{passed} / {len(result.critical_areas)}" if result.critical_areas else "\u2013"
    return [
        level,
        result.operator_name,
        _division_text(result.first),
        _division_text(result.regrid) if result.regrid else "\u2013",
        critical,
        status_label("pass" if result.passed else "fail"),
    ]


def _level_title(result: GridTestResult) -> str:
    """Return "building – level" of a grid test result."""
    return " \u2013 ".join(part for part in (result.building, result.level) if part)


def _division_text(division: GridDivision) -> str:
    return _("{failed} of {tested} ({allowed})").format(
        failed=division.failures, tested=len(division.cells), allowed=division.max_failures
    )


def survey_comparison(pdf: ReportPDF, comparison: SurveyComparison) -> None:
    """Write the comparison of two surveys: the counts of changes and the rooms whose verdict changed."""
    pdf.add_page(orientation="portrait")
    heading(pdf, _("Comparison of surveys"))
    summary = comparison.summary()
    counts = summary["verdicts"]
    paragraph(
        pdf,
        _(
            "Before: {before}. After: {after}. Verdicts by room and operator: {improved} improved, "
            "{worsened} worsened, {changed} changed to or from too few samples, {same} unchanged, and "
            "{unmeasured} without samples in one of the two surveys, which are not compared."
        ).format(
            before=", ".join(comparison.before) or "\u2013",
            after=", ".join(comparison.after) or "\u2013",
            improved=counts["improved"],
            worsened=counts["worsened"],
            changed=counts["changed"],
            same=counts["same"],
            unmeasured=counts["unmeasured"],
        ),
    )
    for key, title in (
        ("newly_shielded", _("Rooms shielded after, not before: {rooms}")),
        ("no_longer_shielded", _("Rooms shielded before, not after: {rooms}")),
    ):
        if summary[key]:
            paragraph(pdf, title.format(rooms=", ".join(summary[key])))

    rows = []
    for room in comparison.rooms:
        for change in room.operators:
            if change.change in ("same", "unmeasured"):
                continue
            rows.append(
                [
                    f"{room.ref} \u2013 {room.name}" if room.name else room.ref,
                    room.level,
                    change.operator,
                    f"{verdict_label(change.verdict_before)} \u2192 {verdict_label(change.verdict_after)}",
                    signed_percent(change.pass_rate_change),
                    signed_number(change.median_change_db, " dB"),
                ]
            )
    subheading(pdf, _("Verdicts that changed ({count})").format(count=len(rows)))
    if not rows:
        paragraph(pdf, _("No verdict changed."))
        return
    header = [_("Room"), _("Level"), _("Operator"), _("Verdict"), _("Pass rate"), _("Median signal")]
    table(pdf, header, rows, TableStyle((2.4, 1.2, 1, 2, 0.9, 0.9), size=8, align=("L", "L", "L", "L", "R", "R")))

