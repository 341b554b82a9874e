"""The analysis policy: every threshold the verdicts depend on, in one place.

The defaults below are the rules a site gets without a policy file; a TOML file overrides any
of them (``docs/policy.md`` lists every key with an example). Each default names its source,
or says that it is an engineering choice.
"""

from __future__ import annotations

import re
import json
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from survey.categories import CRITICALITIES
from survey.errors import PolicyError
from survey.i18n import _
from survey.samples import TECHNOLOGIES


@dataclass(frozen=True)
class Policy:
    """Thresholds for voice verdicts, shielded rooms, the fixed-line plan and the grid test.

    Attributes
    ----------
    voice_technologies
        Technologies that count for voice. 2G and 3G are left out because French operators
        switch them off between 2026 and 2029 (2G during 2026, 3G by the end of 2028 or 2029).
    min_rsrp_dbm
        Minimum RSRP (LTE) or SS-RSRP (NR) of a usable sample, in dBm. −110 dBm is where field
        guides put significant degradation of LTE service. No 3GPP or regulator document gives
        a threshold for a VoLTE call, so this is an engineering choice.
    min_sinr_db
        Minimum SINR of a usable sample, in dB; ignored where the phone reports none. 0 dB is
        where the same field guides put significant degradation.
    legacy_min_signal_dbm
        For the "all technologies" verdict only: minimum UMTS RSCP and GSM RSSI of a usable
        2G/3G sample, in dBm. The defaults (−105 and −103 dBm) are the entry of Android's
        "moderate" signal bar (AOSP ``CarrierConfigManager`` defaults); no source gives a
        voice threshold for 2G/3G, so they are estimates.
    pass_rates
        Share of usable samples a room needs for a ``reliable`` verdict, per criticality. 95 %
        follows the IFC 510 rule of 95 % of the floor area (NFPA 72 asks only 90 %, and the
        stricter is kept); 99 % for vital rooms follows the critical-area rule of both codes.
    min_samples, area_per_sample_m2
        A verdict needs at least ``min_samples`` samples and one per ``area_per_sample_m2``.
        Ten samples at one a second is a walk of about 10 m, a few Lee averaging windows at
        cellular wavelengths; one per 4 m² keeps a large room from being judged on one corner.
        Both are engineering choices.
    required_operators
        PLMNs that must be reliable, or ``["any"]``: one reliable network is enough, since
        emergency numbers work on any network. A hospital whose professional phones use one
        operator names that operator.
    shield_margin_db
        A room is shielded when its median signal is this far below the spaces touching it.
        15 dB is above the loss of ordinary partitions (2–8 dB for concrete walls and blocks
        in a hospital measurement study) and below that of steel doors and panels (19–37 dB).
    max_line_distance_m
        The walking distance a ``normal`` room may be from an analog line. 30 m is under half a
        minute's walk; an engineering choice.
    low_percentile
        The percentile of RSRP each verdict reports as its low level (10th by default, the level
        exceeded by 90 % of the samples).
    gridtest_cells, gridtest_max_failures
        The US in-building public-safety grid test: the floor is divided into about 20 equal
        cells, of which at most 2, not adjacent to each other, may fail (IFC-derived wording of
        a local ordinance; NFPA 1221 annex guidance also uses 20 cells per floor).
    gridtest_regrid_cells, gridtest_regrid_max_failures
        When the first grid fails, the same ordinance lets the floor be divided again into 40
        cells with at most 4 non-adjacent failures.
    gridtest_critical_pass_rate
        Share of samples at or above the grid-test threshold that each vital room needs: the
        99 % of critical areas in IFC 510 and NFPA 72.
    gridtest_min_signal_dbm
        The grid test's threshold in dBm of RSRP; ``None`` uses ``min_rsrp_dbm``. The codes'
        −95 dBm is a narrowband land-mobile-radio level, not an LTE RSRP (which is 25–31 dB
        lower than the wideband level of the same carrier), so it is not the default.
    gridtest_min_samples
        Samples a grid cell needs to be tested. The NFPA 1 annex method takes at least 5
        samples per leg of an X walked across each cell.
    """

    voice_technologies: tuple[str, ...] = ("lte", "nr")
    min_rsrp_dbm: float = -110.0
    min_sinr_db: float = 0.0
    legacy_min_signal_dbm: dict[str, float] = field(default_factory=lambda: {"umts": -105.0, "gsm": -103.0})
    pass_rates: dict[str, float] = field(
        default_factory=lambda: {"vital": 0.99, "high": 0.95, "normal": 0.95, "low": 0.95}
    )
    min_samples: int = 10
    area_per_sample_m2: float = 4.0
    required_operators: tuple[str, ...] = ("any",)
    shield_margin_db: float = 15.0
    max_line_distance_m: float = 30.0
    low_percentile: float = 10.0
    gridtest_cells: int = 20
    gridtest_max_failures: int = 2
    gridtest_regrid_cells: int = 40
    gridtest_regrid_max_failures: int = 4
    gridtest_critical_pass_rate: float = 0.99
    gridtest_min_signal_dbm: float | None = None
    gridtest_min_samples: int = 5

    def required_samples(self, area_m2: float) -> int:
        """Return the number of samples a room of ``area_m2`` needs for a verdict."""
        by_area = int(-(-area_m2 // self.area_per_sample_m2)) if area_m2 > 0 else 0
        return max(self.min_samples, by_area)

    def pass_rate(self, criticality: str) -> float:
        """Return the pass rate a room of ``criticality`` needs (that of ``normal`` when unknown)."""
        return self.pass_rates.get(criticality, self.pass_rates["normal"])

    @property
    def gridtest_threshold_dbm(self) -> float:
        """Return the grid test's RSRP threshold: its own, or the voice threshold."""
        return self.min_rsrp_dbm if self.gridtest_min_signal_dbm is None else self.gridtest_min_signal_dbm

    def as_dict(self) -> dict:
        return {item.name: getattr(self, item.name) for item in fields(self)}


DEFAULT_POLICY = Policy()

# TOML table and key -> Policy attribute.
TOML_KEYS = {
    ("voice", "technologies"): "voice_technologies",
    ("voice", "min_rsrp_dbm"): "min_rsrp_dbm",
    ("voice", "min_sinr_db"): "min_sinr_db",
    ("voice", "legacy_min_signal_dbm"): "legacy_min_signal_dbm",
    ("verdict", "pass_rate"): "pass_rates",
    ("verdict", "min_samples"): "min_samples",
    ("verdict", "area_per_sample_m2"): "area_per_sample_m2",
    ("verdict", "low_percentile"): "low_percentile",
    ("operators", "required"): "required_operators",
    ("shielding", "margin_db"): "shield_margin_db",
    ("lines", "max_distance_m"): "max_line_distance_m",
    ("gridtest", "cells"): "gridtest_cells",
    ("gridtest", "max_failures"): "gridtest_max_failures",
    ("gridtest", "regrid_cells"): "gridtest_regrid_cells",
    ("gridtest", "regrid_max_failures"): "gridtest_regrid_max_failures",
    ("gridtest", "critical_pass_rate"): "gridtest_critical_pass_rate",
    ("gridtest", "min_signal_dbm"): "gridtest_min_signal_dbm",
    ("gridtest", "min_samples"): "gridtest_min_samples",
}

# Allowed ranges of the numeric settings, inclusive. Signal levels span the reporting
# ranges of 3GPP TS 36.133 (RSRP −156 to −31 dBm, SINR −23 to 40 dB).
_NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "min_rsrp_dbm": (-156, -31),
    "min_sinr_db": (-23, 40),
    "area_per_sample_m2": (0.1, 1000),
    "low_percentile": (0, 50),
    "shield_margin_db": (1, 100),
    "max_line_distance_m": (1, 1000),
    "gridtest_critical_pass_rate": (0.5, 1),
    "gridtest_min_signal_dbm": (-156, -31),
}
_WHOLE_NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "min_samples": (1, 10_000),
    "gridtest_cells": (4, 400),
    "gridtest_max_failures": (0, 100),
    "gridtest_regrid_cells": (4, 1600),
    "gridtest_regrid_max_failures": (0, 400),
    "gridtest_min_samples": (1, 1000),
}
# Reporting ranges of the 2G/3G primary levels, dBm (3GPP TS 25.133 and Android's getters).
_LEGACY_RANGES = {"umts": (-120, -24), "gsm": (-120, -25)}
_PLMN = re.compile(r"^\d{3}-\d{2,3}$")


def load_policy(path: Path | str | None) -> Policy:
    """Read a TOML policy file over the defaults; ``None`` returns the defaults."""
    if path is None:
        return DEFAULT_POLICY
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(_("policy file not found"), file=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(
            _("the policy file is not valid TOML: {error}").format(error=error),
            file=str(path),
            fix=_("check the TOML syntax at the line given"),
        ) from None
    return policy_from_dict(document, source=str(path))


def policy_from_dict(document: dict, source: str = "policy") -> Policy:
    """Build a policy from a parsed TOML document, validating every value."""
    changes = {}
    for table, values in document.items():
        if not isinstance(values, dict):
            raise _unknown_key(source, table)
        for key, value in values.items():
            attribute = TOML_KEYS.get((table, key))
            if attribute is None:
                raise _unknown_key(source, f"{table}.{key}")
            changes[attribute] = _validated(attribute, value, source, f"{table}.{key}")
    return validate_policy(replace(DEFAULT_POLICY, **changes), source)


def _unknown_key(source: str, key: str) -> PolicyError:
    known = ", ".join(f"{table}.{name}" for table, name in TOML_KEYS)
    return PolicyError(
        _("unknown policy key"), file=source, column=key, fix=_("use one of: {keys}").format(keys=known)
    )


def _validated(attribute: str, value: object, source: str, key: str) -> object:
    """Return ``value`` converted for ``attribute``, or raise PolicyError naming key, value and rule."""
    def invalid(rule: str) -> PolicyError:
        # The value is shown as TOML-like JSON, so that "-105" (a string) differs from -105.
        shown = json.dumps(value, ensure_ascii=False, default=str)
        return PolicyError(_("invalid policy value"), file=source, column=key, value=shown, fix=rule)

    if attribute == "voice_technologies":
        if not isinstance(value, list) or not value or not set(value) <= set(TECHNOLOGIES):
            raise invalid(_("a list of: {choices}").format(choices=", ".join(TECHNOLOGIES)))
        return tuple(value)
    if attribute == "required_operators":
        if not isinstance(value, list) or not value or not all(isinstance(item, str) and (item == "any" or _PLMN.match(item)) for item in value):
            raise invalid(_('a list of PLMN codes such as "208-01", or ["any"]'))
        return tuple(value)
    if attribute == "pass_rates":
        if not isinstance(value, dict) or not set(value) <= set(CRITICALITIES):
            raise invalid(_("a table with keys among: {choices}").format(choices=", ".join(CRITICALITIES)))
        if not all(_is_number(rate) and 0 < rate <= 1 for rate in value.values()):
            raise invalid(_("rates between 0 and 1, such as 0.95"))
        return {**DEFAULT_POLICY.pass_rates, **{name: float(rate) for name, rate in value.items()}}
    if attribute == "legacy_min_signal_dbm":
        return _validated_legacy(value, invalid)
    if attribute in _WHOLE_NUMBER_RANGES:
        low, high = _WHOLE_NUMBER_RANGES[attribute]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise invalid(_("a whole number from {low} to {high}").format(low=low, high=high))
        return value
    low, high = _NUMBER_RANGES[attribute]
    if not _is_number(value) or not low <= value <= high:
        raise invalid(_("a number from {low} to {high}").format(low=low, high=high))
    return float(value)


def _validated_legacy(value: object, invalid) -> dict[str, float]:
    rule = _("a table such as {{ umts = -105, gsm = -103 }}, each from -120 to -24 dBm").format()
    if not isinstance(value, dict) or not set(value) <= set(_LEGACY_RANGES):
        raise invalid(rule)
    for technology, level in value.items():
        low, high = _LEGACY_RANGES[technology]
        if not _is_number(level) or not low <= level <= high:
            raise invalid(rule)
    return {**DEFAULT_POLICY.legacy_min_signal_dbm, **{name: float(level) for name, level in value.items()}}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate_policy(policy: Policy, source: str = "policy") -> Policy:
    """Check the rules that tie settings together; return ``policy`` or raise PolicyError."""
    if policy.gridtest_max_failures >= policy.gridtest_cells:
        raise PolicyError(
            _("invalid policy value"), file=source, column="gridtest.max_failures", value=policy.gridtest_max_failures,
            fix=_("fewer than gridtest.cells ({cells})").format(cells=policy.gridtest_cells),
        )
    if policy.gridtest_regrid_cells < policy.gridtest_cells or policy.gridtest_regrid_max_failures >= policy.gridtest_regrid_cells:
        raise PolicyError(
            _("invalid policy value"), file=source, column="gridtest.regrid_cells", value=policy.gridtest_regrid_cells,
            fix=_("at least gridtest.cells ({cells}), and more than gridtest.regrid_max_failures").format(cells=policy.gridtest_cells),
        )
    return policy
