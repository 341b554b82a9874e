"""Bulk transfer of the sample table to and from the ``samples`` table."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Sample, Survey
from survey.samples import SAMPLE_COLUMNS, conform

_STORED_COLUMNS = [column for column in SAMPLE_COLUMNS if column != "time"]
_INSERT_BATCH = 50_000


def insert_samples(session: Session, samples: pd.DataFrame, *, survey_id: int, upload_id: int, client_ids: list | None = None) -> int:
    """Insert the rows of a sample table; returns how many were inserted.

    Rows go straight to the driver's ``executemany`` as tuples, in batches: building a dict
    per row and letting the ORM bind them costs several times more than the insert itself.
    """
    if samples.empty:
        return 0
    columns = ["survey_id", "upload_id", "client_id", "time_ns", *_STORED_COLUMNS]
    connection = session.connection()
    statement = _insert_statement(connection.dialect.paramstyle, columns)
    for start in range(0, len(samples), _INSERT_BATCH):
        batch = samples.iloc[start : start + _INSERT_BATCH]
        values = [
            [survey_id] * len(batch),
            [upload_id] * len(batch),
            client_ids[start : start + _INSERT_BATCH] if client_ids is not None else [None] * len(batch),
            batch["time"].astype("int64").tolist(),
            *(_python_values(batch[column]) for column in _STORED_COLUMNS),
        ]
        connection.exec_driver_sql(statement, list(zip(*values)))
    return len(samples)


def _insert_statement(paramstyle: str, columns: list[str]) -> str:
    marker = "?" if paramstyle == "qmark" else "%s"
    return f"INSERT INTO samples ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})"


def _python_values(column: pd.Series) -> list:
    """Return a column as Python values the database driver binds, with None for missing."""
    if column.dtype == "bool":
        return column.tolist()
    if isinstance(column.dtype, pd.CategoricalDtype) or column.dtype == "string":
        values = column.astype(object)
    else:
        values = column.astype(object)
    return values.where(column.notna(), None).tolist()


def existing_client_ids(session: Session, survey_id: int, client_ids: list[str]) -> set[str]:
    """Return which of ``client_ids`` the survey already holds."""
    found: set[str] = set()
    for start in range(0, len(client_ids), 500):
        chunk = client_ids[start : start + 500]
        query = select(Sample.client_id).where(Sample.survey_id == survey_id, Sample.client_id.in_(chunk))
        found.update(session.scalars(query))
    return found


def load_samples(session: Session, site_id: int, survey_ids: list[int] | None = None) -> pd.DataFrame:
    """Return every sample of a site (or of some of its surveys) as a sample table, plus ``survey_id``."""
    query = select(Sample).join(Survey, Survey.id == Sample.survey_id).where(Survey.site_id == site_id)
    if survey_ids:
        query = query.where(Sample.survey_id.in_(survey_ids))
    columns = [Sample.__table__.c[name] for name in ["survey_id", "time_ns", *_STORED_COLUMNS]]
    statement = query.with_only_columns(*columns)
    rows = session.execute(statement).all()
    frame = pd.DataFrame(rows, columns=["survey_id", "time_ns", *_STORED_COLUMNS])
    frame["time"] = pd.to_datetime(frame["time_ns"].to_numpy(dtype=np.int64), utc=True)
    survey_column = frame["survey_id"].astype("Int64")
    table = conform(frame)
    table["survey_id"] = survey_column.to_numpy()
    return table
