"""Reading of loosely typed values typed by people: booleans, criticalities."""

from __future__ import annotations

TRUE_WORDS = {"true", "yes", "y", "1", "oui", "o", "vrai", "x"}
FALSE_WORDS = {"false", "no", "n", "0", "non", "faux", ""}


def parse_bool(value: object) -> bool | None:
    """Return True/False for yes/no words in English or French, None when unreadable."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, (int, float)):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return None
