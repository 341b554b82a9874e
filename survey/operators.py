"""Mobile operators, identified by their PLMN (``MCC-MNC``).

The table lists the French mobile network operators with their own radio network; MVNOs use
their host's PLMN on the air. A site may rename an operator (``Site.operator_names``).
"""

from __future__ import annotations

import re

FRENCH_OPERATORS = {
    "208-01": "Orange",
    "208-02": "Orange",
    "208-10": "SFR",
    "208-11": "SFR",
    "208-13": "SFR",
    "208-15": "Free",
    "208-16": "Free",
    "208-20": "Bouygues Telecom",
    "208-21": "Bouygues Telecom",
    "208-88": "Bouygues Telecom",
}

_PLMN = re.compile(r"^\s*(\d{3})[-\s/]?(\d{2,3})\s*$")


def normalize_plmn(value: object) -> str | None:
    """Return ``MCC-MNC`` for ``20801``, ``208-01`` or ``208 01``; None when unreadable.

    A five-digit code is read as a three-digit MCC and a two-digit MNC, which is right for
    every European network; six digits give a three-digit MNC.
    """
    if value is None:
        return None
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    match = _PLMN.match(text)
    if not match:
        return None
    return f"{match.group(1)}-{match.group(2)}"


def operator_name(plmn: str | None, fallback: str | None = None, names: dict | None = None) -> str | None:
    """Return the display name of ``plmn``: the site's own name, the shipped table, the log's name."""
    if plmn and names and plmn in names:
        return names[plmn]
    if plmn and plmn in FRENCH_OPERATORS:
        return FRENCH_OPERATORS[plmn]
    if fallback and fallback.strip():
        return fallback.strip()
    return plmn
