"""How many grid-test plans the PDF report prints for a site analysis."""

from survey.gridtest import run_gridtest


def grid_test_plans(analysis) -> int:
    """Return the best-operator grid plans of the report: one per division of each level with positions."""
    count = 0
    for level in analysis.levels:
        if level.rooms and len(level.samples) and level.samples["x_m"].notna().any():
            result = run_gridtest(level, analysis.policy)
            count += 1 + (result.regrid is not None)
    return count
