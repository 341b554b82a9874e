"""Request bodies of the JSON routes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Metrics a heatmap can show; ``signal_dbm`` is each technology's primary level (RSRP for LTE).
HeatmapMetric = Literal["signal_dbm", "rsrp_dbm", "rsrq_db", "sinr_db", "rscp_dbm", "ecno_db", "rssi_dbm"]
CsvDialect = Literal["fr", "en"]


class SiteCreate(BaseModel):
    """A new site (hospital)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The hospital's name, unique among sites.")
    timezone: str = Field(
        "Europe/Paris", description="IANA time zone in which log times written without a zone are read."
    )


class SurveyCreate(BaseModel):
    """A new survey (measurement campaign) of a site."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="The survey's name, unique within the site.")
    technician: str = Field("", max_length=200, description="Who carries out the measurements.")


class SampleBatch(BaseModel):
    """A JSON batch of samples, each with a client-generated ``id`` so that a retry stores nothing twice."""

    model_config = ConfigDict(extra="forbid")

    samples: list[dict[str, Any]] = Field(
        description="Samples with the sample table's field names: id, time, x_m, y_m, plmn, technology, "
        "rsrp_dbm…"
    )
    level: str | None = Field(None, description="Level of the x_m, y_m positions: its name, ordinal or id.")
    building: str | None = Field(None, description="Building of the level, when its name is not unique.")
    timezone: str | None = Field(
        None, description="Time zone of times written without one; default: the site's."
    )
    dry_run: bool = Field(False, description="Check the batch and report, without storing anything.")
