"""The analysis policy: every threshold the verdicts depend on, in one place.

The defaults below are the rules a site gets without a policy file; a TOML file overrides any
of them. Each default names its source.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from survey.categories import CRITICALITIES
from survey.errors import PolicyError
from survey.i18n import _
from survey.samples import TECHNOLOGIES


@dataclass(frozen=True)
class Policy:
    """Thresholds for voice verdicts, shielded rooms and the fixed-line plan.

    Attributes
    ----------
    voice_technologies
        Technologies that count for voice. 2G and 3G are left out because French operators
        switch them off between 2026 and 2029.
    min_rsrp_dbm
        Minimum RSRP (LTE) or SS-RSRP (NR) of a usable sample, in dBm. −110 dBm is where field
        guides put significant degradation of LTE service.
    min_sinr_db
        Minimum SINR of a usable sample, in dB; ignored where the phone reports none.
    pass_rates
        Share of usable samples a room needs for a ``reliable`` verdict, per criticality. 95 %
        follows the IFC 510 area rule; 99 % for vital rooms follows its critical-area rule.
    min_samples, area_per_sample_m2
        A verdict needs at least ``min_samples`` samples and one per ``area_per_sample_m2``.
    required_operators
        PLMNs that must be reliable, or ``["any"]``: one reliable network is enough, since
        emergency numbers work on any network.
    shield_margin_db
        A room is shielded when its median signal is this far below the spaces touching it.
    max_line_distance_m
        The walking distance a ``normal`` room may be from an analog line.
    low_percentile
        The percentile of RSRP each verdict reports as its low level.
    """

    voice_technologies: tuple[str, ...] = ("lte", "nr")
    min_rsrp_dbm: float = -110.0
    min_sinr_db: float = 0.0
    pass_rates: dict[str, float] = field(
        default_factory=lambda: {"vital": 0.99, "high": 0.95, "normal": 0.95, "low": 0.95}
    )
    min_samples: int = 10
    area_per_sample_m2: float = 4.0
    required_operators: tuple[str, ...] = ("any",)
    shield_margin_db: float = 15.0
    max_line_distance_m: float = 30.0
    low_percentile: float = 10.0

    def required_samples(self, area_m2: float) -> int:
        """Return the number of samples a room of ``area_m2`` needs for a verdict."""
        by_area = int(-(-area_m2 // self.area_per_sample_m2)) if area_m2 > 0 else 0
        return max(self.min_samples, by_area)

    def pass_rate(self, criticality: str) -> float:
        return self.pass_rates.get(criticality, self.pass_rates["normal"])

    def as_dict(self) -> dict:
        return {item.name: getattr(self, item.name) for item in fields(self)}


DEFAULT_POLICY = Policy()

# TOML table and key -> Policy attribute.
_TOML_KEYS = {
    ("voice", "technologies"): "voice_technologies",
    ("voice", "min_rsrp_dbm"): "min_rsrp_dbm",
    ("voice", "min_sinr_db"): "min_sinr_db",
    ("verdict", "pass_rate"): "pass_rates",
    ("verdict", "min_samples"): "min_samples",
    ("verdict", "area_per_sample_m2"): "area_per_sample_m2",
    ("verdict", "low_percentile"): "low_percentile",
    ("operators", "required"): "required_operators",
    ("shielding", "margin_db"): "shield_margin_db",
    ("lines", "max_distance_m"): "max_line_distance_m",
}


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
            attribute = _TOML_KEYS.get((table, key))
            if attribute is None:
                raise _unknown_key(source, f"{table}.{key}")
            changes[attribute] = _validated(attribute, value, source, f"{table}.{key}")
    return replace(DEFAULT_POLICY, **changes)


def _unknown_key(source: str, key: str) -> PolicyError:
    known = ", ".join(f"{table}.{name}" for table, name in _TOML_KEYS)
    return PolicyError(
        _("unknown policy key"), file=source, column=key, fix=_("use one of: {keys}").format(keys=known)
    )


def _validated(attribute: str, value: object, source: str, key: str) -> object:
    def invalid(rule: str) -> PolicyError:
        return PolicyError(_("invalid policy value"), file=source, column=key, value=value, fix=rule)

    if attribute == "voice_technologies":
        if not isinstance(value, list) or not value or not set(value) <= set(TECHNOLOGIES):
            raise invalid(_("a list of: {choices}").format(choices=", ".join(TECHNOLOGIES)))
        return tuple(value)
    if attribute == "required_operators":
        if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
            raise invalid(_('a list of PLMN codes such as "208-01", or ["any"]'))
        return tuple(value)
    if attribute == "pass_rates":
        if not isinstance(value, dict) or not set(value) <= set(CRITICALITIES):
            raise invalid(_("a table with keys among: {choices}").format(choices=", ".join(CRITICALITIES)))
        if not all(isinstance(rate, (int, float)) and 0 < rate <= 1 for rate in value.values()):
            raise invalid(_("rates between 0 and 1, such as 0.95"))
        return {**DEFAULT_POLICY.pass_rates, **{name: float(rate) for name, rate in value.items()}}
    if attribute == "min_samples":
        if not isinstance(value, int) or value < 1:
            raise invalid(_("a whole number of at least 1"))
        return value
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise invalid(_("a number"))
    bounds = {
        "min_rsrp_dbm": (-156, -31),
        "min_sinr_db": (-23, 40),
        "area_per_sample_m2": (0.1, 1000),
        "low_percentile": (0, 50),
        "shield_margin_db": (1, 100),
        "max_line_distance_m": (1, 1000),
    }[attribute]
    if not bounds[0] <= value <= bounds[1]:
        raise invalid(_("a number from {low} to {high}").format(low=bounds[0], high=bounds[1]))
    return float(value)
