"""Sites: creation and validation of a hospital's record."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.errors import ConflictError, InputError
from survey.i18n import _
from survey.models import Site


def create_site(session: Session, name: str, timezone: str = "Europe/Paris") -> Site:
    """Create a site; its time zone reads the local times of logs that give no zone."""
    name = name.strip()
    if not name:
        raise InputError(_("a site needs a name"), column="name", fix=_("give the hospital's name"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            _("unknown time zone"), column="timezone", value=timezone, fix=_("use an IANA zone such as Europe/Paris")
        ) from None
    if session.scalar(select(Site).where(Site.name == name)) is not None:
        raise ConflictError(_("a site named {name!r} already exists").format(name=name))
    site = Site(name=name, timezone=timezone, operator_names={})
    session.add(site)
    session.flush()
    return site


def site_summary(site: Site) -> dict:
    return {
        "id": site.id,
        "name": site.name,
        "timezone": site.timezone,
        "buildings": [
            {"name": building.name, "levels": [{"id": level.id, "name": level.name, "ordinal": level.ordinal} for level in sorted(building.levels, key=lambda level: level.ordinal)]}
            for building in site.buildings
        ],
        "surveys": [{"id": survey.id, "name": survey.name} for survey in site.surveys],
    }
