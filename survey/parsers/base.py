"""The result of a parser, the registry entry of a format, and the bookkeeping of rejected rows.

A parser reads every data row of its file. Each row ends either as a sample or as one or more
:class:`~survey.errors.RowError` on its line, so that ``ParseResult.rows`` always equals the
samples kept plus the distinct rejected lines.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from survey.errors import RowError
from survey.i18n import _
from survey.samples import SAMPLE_DTYPES, conform

if TYPE_CHECKING:
    from survey.parsers.tables import Table

# Bytes of the file decoded for format detection.
HEAD_BYTES = 65536


@dataclass
class ParseResult:
    """Samples, counts, errors and notes of one parsed file.

    Attributes
    ----------
    format : str
        Name of the format in :data:`survey.parsers.FORMATS`.
    samples : pandas.DataFrame
        The sample table (:data:`survey.samples.SAMPLE_COLUMNS`), one row per kept sample.
        ``row_number`` is the 1-based line of the source file, the header being line 1.
    rows : int
        Data rows read: ``len(samples)`` plus the number of distinct rejected lines.
    errors : list of RowError
        Rejected rows with line, column, value and a translated reason.
    notes : list of str
        Translated remarks on how values were read (time zone folds, constant columns…).
    extra : dict
        Side data aligned with ``samples`` where it is a sequence (``gps``, ``client_ids``,
        ``level``), or file-level facts.
    """

    format: str
    samples: pd.DataFrame
    rows: int
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def rejected(self) -> int:
        """Number of distinct rejected lines."""
        return len({error.line for error in self.errors})


@dataclass(frozen=True)
class Head:
    """The beginning of an uploaded file, given to each format's ``sniff`` function."""

    data: bytes
    filename: str
    text: str
    first_line: str

    @functools.cached_property
    def json(self) -> object:
        """The whole file parsed as JSON, or None when it is not one JSON document."""
        from survey.parsers.common import decode_text

        try:
            return json.loads(decode_text(self.data).text)
        except ValueError:
            return None


@dataclass(frozen=True)
class LogFormat:
    """A format that the parsers read: its name, a content test, a parser and a privacy filter.

    ``parse(data, filename, *, timezone, columns)`` returns a :class:`ParseResult`;
    ``blank_identifiers(data)`` returns the file with personal identifiers blanked.
    """

    name: str
    label: str
    sniff: Callable[[Head], bool]
    parse: Callable[..., ParseResult]
    blank_identifiers: Callable[[bytes], bytes]


class Rejections:
    """Collects the rejected rows of one file as RowErrors and a mask over its rows."""

    def __init__(self, lines: np.ndarray) -> None:
        self.lines = np.asarray(lines)
        self.mask = np.zeros(len(self.lines), dtype=bool)
        self.errors: list[RowError] = []

    def reject(self, where: np.ndarray, column: str | None, values: pd.Series | None, reason: str) -> None:
        """Reject the rows where ``where`` is True; ``values`` gives each row's raw value."""
        where = np.asarray(where, dtype=bool)
        if not where.any():
            return
        self.mask |= where
        raw = values.to_numpy(dtype=object)[where] if values is not None else [None] * int(where.sum())
        for line, value in zip(self.lines[where].tolist(), raw):
            self.errors.append(RowError(line, column, None if value is None else str(value), reason))

    def reject_line(self, line: int | None, column: str | None, value: object, reason: str) -> None:
        """Reject a line that is not one of the rows (a malformed line)."""
        self.errors.append(RowError(line, column, None if value is None else str(value), reason))

    def reject_malformed(self, table: Table) -> None:
        """Reject the lines whose field count does not match the header."""
        expected = len(table.header)
        for line, count in table.malformed:
            reason = _("This row has {count} fields, the header has {expected}.").format(
                count=count, expected=expected
            )
            self.reject_line(line, None, None, reason)

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda error: (error.line is None, error.line or 0))


def constant_category(column: str, value: str, rows: int) -> pd.Categorical:
    """Return ``rows`` times ``value`` with the categorical dtype of sample column ``column``."""
    dtype = SAMPLE_DTYPES[column]
    codes = np.full(rows, list(dtype.categories).index(value), dtype=np.int8)
    return pd.Categorical.from_codes(codes, dtype=dtype)


def finish(
    format_name: str,
    frame: pd.DataFrame,
    rejections: Rejections,
    *,
    notes: list[str] | None = None,
    extra: dict | None = None,
    aligned: Iterable[str] = (),
) -> ParseResult:
    """Drop rejected rows, conform the sample table and count rows.

    ``aligned`` names the entries of ``extra`` that have one item per row of ``frame``; they
    are filtered the same way as the samples.
    """
    keep = ~rejections.mask
    samples = conform(frame.loc[keep])
    extra = dict(extra or {})
    for key in aligned:
        extra[key] = _filter_aligned(extra[key], keep)
    # Each candidate row is kept or has an error, so this counts every data row read. A record
    # that gives several samples (one per cell) counts once per kept sample.
    rows = len(samples) + len({error.line for error in rejections.errors})
    return ParseResult(
        format=format_name,
        samples=samples,
        rows=rows,
        errors=rejections.sorted_errors(),
        notes=list(notes or []),
        extra=extra,
    )


def _filter_aligned(values: object, keep: np.ndarray) -> object:
    if isinstance(values, (pd.DataFrame, pd.Series)):
        return values.loc[keep].reset_index(drop=True)
    return [value for value, kept in zip(values, keep) if kept]
