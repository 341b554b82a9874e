"""A site's own operator names: PLMN ``MCC-MNC`` → display name, stored in ``Site.operator_names``.

The analysis shows a PLMN under the site's name for it first, then under the shipped name of
:data:`survey.operators.FRENCH_OPERATORS`, then under the name found in the log.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from sqlalchemy.orm import Session

from survey.errors import InputError
from survey.i18n import _
from survey.models import Site
from survey.operators import FRENCH_OPERATORS

logger = logging.getLogger(__name__)

PLMN_PATTERN = re.compile(r"^\d{3}-\d{2,3}$")
# Maximum name length, the width of the sample table's operator column.
MAX_NAME_LENGTH = 100


def check_plmn(plmn: str) -> str:
    """Return ``plmn`` stripped; raise InputError unless it is ``MCC-MNC`` (``208-01``)."""
    text = plmn.strip()
    if not PLMN_PATTERN.fullmatch(text):
        raise InputError(
            _("Invalid PLMN: {plmn}.").format(plmn=plmn),
            column="plmn",
            value=plmn,
            fix=_("Write the PLMN as MCC-MNC, three digits, a hyphen and two or three digits, such as 208-01."),
        )
    return text


def check_name(plmn: str, name: str) -> str:
    """Return ``name`` stripped; raise InputError when it is empty, too long or has control characters."""
    text = name.strip()
    if not text or len(text) > MAX_NAME_LENGTH or any(unicodedata.category(char) == "Cc" for char in text):
        raise InputError(
            _("Invalid operator name for {plmn}: {name!r}.").format(plmn=plmn, name=name),
            column="name",
            value=name,
            fix=_("Give a name of 1 to {limit} characters on one line.").format(limit=MAX_NAME_LENGTH),
        )
    return text


def check_names(names: dict[str, str]) -> dict[str, str]:
    """Return a checked copy of a PLMN → name mapping; raise InputError on the first invalid entry."""
    return {check_plmn(plmn): check_name(plmn, name) for plmn, name in names.items()}


def parse_assignment(text: str) -> tuple[str, str]:
    """Read ``208-01=Orange Pro`` into a checked ``(plmn, name)``."""
    plmn, separator, name = text.partition("=")
    if not separator:
        raise InputError(
            _("Invalid operator assignment: {text}.").format(text=text),
            value=text,
            fix=_('Write PLMN=name, such as 208-01="Orange Pro".'),
        )
    plmn = check_plmn(plmn)
    return plmn, check_name(plmn, name)


def update_operator_names(
    session: Session, site: Site, *, set_names: dict[str, str] | None = None, unset: list[str] | None = None
) -> dict[str, str]:
    """Add or change names, then remove the PLMNs of ``unset``; return the site's new mapping.

    Every value is checked before anything changes. Removing a PLMN that has no name is not
    an error, so the call can be repeated.
    """
    additions = check_names(set_names or {})
    removals = [check_plmn(plmn) for plmn in unset or []]
    names = {**(site.operator_names or {}), **additions}
    for plmn in removals:
        names.pop(plmn, None)
    return _store(session, site, names)


def replace_operator_names(session: Session, site: Site, names: dict[str, str]) -> dict[str, str]:
    """Replace the site's whole mapping with ``names``, after checking them; return it."""
    return _store(session, site, check_names(names))


def _store(session: Session, site: Site, names: dict[str, str]) -> dict[str, str]:
    # A new dict object, since SQLAlchemy does not see changes made inside a JSON value.
    site.operator_names = dict(sorted(names.items()))
    session.flush()
    logger.info("operator names of site %s set to %s", site.id, site.operator_names)
    return site.operator_names


def operator_names_summary(site: Site) -> dict:
    """Return the site's names and the name shown for each known PLMN, with where it comes from."""
    names = site.operator_names or {}
    operators = [
        {
            "plmn": plmn,
            "name": names.get(plmn, FRENCH_OPERATORS.get(plmn)),
            "default": FRENCH_OPERATORS.get(plmn),
            "source": "site" if plmn in names else "default",
        }
        for plmn in sorted({*FRENCH_OPERATORS, *names})
    ]
    return {"site": site.name, "operator_names": dict(names), "operators": operators}
