"""Reading of times into UTC with the time rules of the sample table.

A time with an offset or ``Z`` is used as is. A time without a zone is local wall-clock time in
the given zone: in the autumn fold it is read as the first (summer-time) occurrence, in the
spring gap it is shifted forward; both are counted so that the caller can report them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.errors import RowError
from survey.i18n import _


def parse_times(
    values: pd.Series, timezone: str, *, column: str, first_line: int, format: str | None = None
) -> tuple[pd.Series, list[RowError]]:
    """Return the times in UTC and a RowError for each unreadable one.

    ``first_line`` is the file line of ``values.iloc[0]``, for the error messages.
    """
    text = values.astype("string").str.strip()
    has_zone = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")

    if has_zone.any():
        zoned = pd.to_datetime(text[has_zone], utc=True, errors="coerce", format=format or "ISO8601")
        result[has_zone] = zoned
    local = ~has_zone & text.notna()
    if local.any():
        naive = pd.to_datetime(text[local], errors="coerce", format=format or "ISO8601")
        localized = naive.dt.tz_localize(timezone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward")
        result[local] = localized.dt.tz_convert("UTC")

    errors = [
        RowError(first_line + int(position), column, None if pd.isna(values.iloc[position]) else str(values.iloc[position]), _("unreadable time; write ISO 8601, such as 2026-11-03T09:15:00+01:00"))
        for position in np.nonzero(result.isna().to_numpy())[0]
    ]
    return result, errors


def dst_counts(values: pd.Series, timezone: str) -> tuple[int, int]:
    """Return how many naive local times fall in a DST fold and in a DST gap of ``timezone``."""
    naive = pd.to_datetime(values, errors="coerce")
    naive = naive[naive.notna()]
    if naive.empty:
        return 0, 0
    as_summer = naive.dt.tz_localize(timezone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
    as_winter = naive.dt.tz_localize(timezone, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="NaT")
    folds = int((as_summer.notna() & (as_summer != as_winter)).sum())
    gaps = int(as_summer.isna().sum())
    return folds, gaps
