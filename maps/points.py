"""The sample points of a level as one compact JSON object for the web map's canvas layer.

Columns are arrays (x, y, operator index, technology index, seconds since the first sample,
one value array per metric) and each metric's display class is a string of one digit per
point, "-" where the value is missing. The map draws all points on one canvas, so a level of
50,000 samples stays fluid; the object takes about 45 bytes per sample.

The points are those the heatmaps grid: placed serving samples on the voice technologies,
and samples without service, which count in the lowest class of the signal metric.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maps.grids import MAP_METRICS, SIGNAL_METRICS, display_technology
from survey.metrics import display_class_index
from survey.results import LevelResult

TECHNOLOGIES = ("gsm", "umts", "lte", "nr")
VOICE_LAYER = ("lte", "nr")


def mapped_samples(level: LevelResult) -> pd.DataFrame:
    """Return the samples of a level that the map shows, in time order."""
    samples = level.samples
    if samples.empty:
        return samples
    placed = samples["x_m"].notna() & samples["y_m"].notna() & samples["plmn"].notna()
    no_service = samples["service"] == "no_service"
    mapped = placed & (samples["technology"].isin(VOICE_LAYER) | no_service)
    return samples[mapped.fillna(False)].sort_values("time", kind="stable")


def level_points(level: LevelResult, plmns: list[str]) -> dict:
    """Return the level's sample points as a JSON-ready dict; ``plmns`` give the operator indices."""
    samples = mapped_samples(level)
    if samples.empty:
        return {"count": 0}

    times = samples["time"].astype("int64") // 1_000_000_000
    first = int(times.min())
    operator_index = {plmn: index for index, plmn in enumerate(plmns)}
    technology_index = {name: index for index, name in enumerate(TECHNOLOGIES)}
    no_service = (samples["service"] == "no_service").to_numpy()

    points = {
        "count": len(samples),
        "t0": first,
        "x": _rounded(samples["x_m"], 2),
        "y": _rounded(samples["y_m"], 2),
        "op": [operator_index.get(plmn, -1) for plmn in samples["plmn"]],
        "tech": [technology_index.get(name, -1) for name in samples["technology"].astype("string").fillna("")],
        "t": (times - first).astype(int).tolist(),
        "ns": "".join("1" if flag else "0" for flag in no_service),
        "values": {},
        "classes": {},
    }
    for metric in MAP_METRICS:
        values = samples[metric].to_numpy(dtype=float, na_value=np.nan)
        points["values"][metric] = _rounded(pd.Series(values), 1)
        points["classes"][metric] = metric_classes(values, no_service, metric)
    return points


def metric_classes(values: np.ndarray, no_service: np.ndarray, metric: str) -> str:
    """Return one display-class digit per value ("-" where missing); no service is class 0 for signal."""
    classes = display_class_index(values, display_technology(metric), metric)
    if metric in SIGNAL_METRICS:
        classes = np.where(no_service, 0, classes)
    return "".join("-" if value < 0 else str(value) for value in classes.tolist())


def _rounded(column: pd.Series, digits: int) -> list[float | int | None]:
    """Return the values rounded to ``digits``, None where missing; whole numbers as int, to save bytes."""
    values = np.round(column.to_numpy(dtype=float, na_value=np.nan), digits)
    rounded: list[float | int | None] = []
    for value in values.tolist():
        if value != value:
            rounded.append(None)
        elif value.is_integer():
            rounded.append(int(value))
        else:
            rounded.append(value)
    return rounded
