"""Translations of user-facing text through gettext catalogs managed with Babel.

Message ids are English. ``survey/locales/<lang>/LC_MESSAGES/zoneblanche.po`` holds each
language; the ``.po`` files are compiled in memory on first use, so no build step is needed.
The language of the current command or request lives in a context variable: French unless
``--lang``, ``Accept-Language`` or ``ZONEBLANCHE_LANG`` says otherwise.
"""

from __future__ import annotations

import contextvars
import functools
import io
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
DOMAIN = "zoneblanche"
LOCALE_DIR = Path(__file__).parent / "locales"

_current = contextvars.ContextVar("zoneblanche_language", default=None)


def default_language() -> str:
    """Return the language from ``ZONEBLANCHE_LANG``, or French."""
    return normalize_language(os.environ.get("ZONEBLANCHE_LANG")) or DEFAULT_LANGUAGE


def normalize_language(value: str | None) -> str | None:
    """Return ``fr`` or ``en`` for a tag such as ``en-GB`` or ``fr_FR.UTF-8``, else None."""
    if not value:
        return None
    tag = value.strip().lower().replace("_", "-").split("-")[0].split(".")[0]
    return tag if tag in LANGUAGES else None


def language_from_header(header: str | None) -> str | None:
    """Return the supported language an ``Accept-Language`` header prefers most, or None."""
    if not header:
        return None
    weighted = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag))
    for _quality, _position, tag in sorted(weighted):
        language = normalize_language(tag)
        if language:
            return language
    return None


def current_language() -> str:
    return _current.get() or default_language()


def set_language(language: str | None) -> contextvars.Token:
    """Set the language of the current context; returns the token to reset it."""
    return _current.set(normalize_language(language) or default_language())


def reset_language(token: contextvars.Token) -> None:
    _current.reset(token)


@functools.cache
def translations(language: str) -> NullTranslations:
    """Return the compiled catalog of ``language`` (the message ids when there is none)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def gettext(message: str) -> str:
    """Translate ``message`` into the current language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """Translate a message whose form depends on ``count``."""
    return translations(current_language()).ngettext(singular, plural, count)


def lazy(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (module-level tables)."""
    return message


_ = gettext
