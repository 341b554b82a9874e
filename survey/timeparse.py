"""Reading of times into UTC with the time rules of the sample table.

A time with an offset or ``Z`` is used as is. A time without a zone is local wall-clock time in
the given zone, read as the log parsers read it (see ``survey.parsers.common.localize``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.errors import RowError
from survey.i18n import _
from survey.parsers.common import localize


def parse_times(
    values: pd.Series, timezone: str, *, column: str, first_line: int, format: str | None = None
) -> tuple[pd.Series, list[RowError], list[str]]:
    """Return the times in UTC, a RowError for each unreadable one, and notes on DST folds and gaps.

    ``first_line`` is the file line of ``values.iloc[0]``, for the error messages. Local times
    go through the parsers' ``localize``, so a track and a log read the same wall-clock time
    to the same instant, in the autumn fold and the spring gap alike.
    """
    text = values.astype("string").str.strip()
    has_zone = text.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True).fillna(False)
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")

    if has_zone.any():
        zoned = pd.to_datetime(text[has_zone], utc=True, errors="coerce", format=format or "ISO8601")
        result[has_zone] = zoned
    local = ~has_zone & text.notna()
    notes: list[str] = []
    if local.any():
        naive = pd.to_datetime(text[local], errors="coerce", format=format or "ISO8601")
        localized, notes = localize(naive, timezone)
        result[local] = localized

    errors = [
        RowError(first_line + int(position), column, None if pd.isna(values.iloc[position]) else str(values.iloc[position]), _("unreadable time; write ISO 8601, such as 2026-11-03T09:15:00+01:00"))
        for position in np.nonzero(result.isna().to_numpy())[0]
    ]
    return result, errors, notes
