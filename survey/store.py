"""The store: database connection, schema migrations and look-ups by name or id.

SQLite is the default (the file is created on first use); any SQLAlchemy URL works, such as
``postgresql+psycopg://...``. The schema is brought up to date with Alembic on connection.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from survey.errors import ConflictError, InputError, NotFoundError
from survey.i18n import _
from survey.models import Building, Level, Room, Site, Survey

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


class Store:
    """A database with an up-to-date schema and a session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        _upgrade_schema(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session whose work is committed on success and rolled back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _upgrade_schema(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# --- look-ups ----------------------------------------------------------------------------


def find_site(session: Session, name_or_id: str | int) -> Site:
    """Return the site named ``name_or_id``, or with that id."""
    site = session.scalar(select(Site).where(Site.name == str(name_or_id)))
    if site is None and str(name_or_id).isdigit():
        site = session.get(Site, int(name_or_id))
    if site is None:
        known = ", ".join(session.scalars(select(Site.name).order_by(Site.name))) or _("none")
        raise NotFoundError(
            _("site {site!r} not found; known sites: {known}. A new site is created with `zoneblanche site create`").format(
                site=name_or_id, known=known
            )
        )
    return site


def find_building(session: Session, site: Site, name: str | None, *, create: bool = False) -> Building:
    """Return the site's building ``name``; without a name, the site's only building."""
    buildings = session.scalars(select(Building).where(Building.site_id == site.id)).all()
    if name is None:
        if len(buildings) == 1:
            return buildings[0]
        if not buildings and create:
            name = site.name
        else:
            raise InputError(
                _("the site has several buildings; name one with --building"),
                fix=", ".join(sorted(building.name for building in buildings)) or None,
            )
    for building in buildings:
        if building.name == name:
            return building
    if not create:
        raise NotFoundError(_("building {building!r} not found in site {site!r}").format(building=name, site=site.name))
    building = Building(site=site, name=name)
    session.add(building)
    session.flush()
    return building


def find_level(
    session: Session, site: Site, name_or_id: str | int, building: str | None = None
) -> Level:
    """Return the level named ``name_or_id`` (or with that id or ordinal) in the site.

    The building may be left out when the level name is unique in the site.
    """
    query = select(Level).join(Building).where(Building.site_id == site.id)
    if building is not None:
        query = query.where(Building.name == building)
    levels = session.scalars(query).all()
    text = str(name_or_id)
    matches = [level for level in levels if level.name == text]
    if not matches and text.lstrip("-").isdigit():
        matches = [level for level in levels if level.ordinal == int(text)]
    if not matches and text.isdigit():
        matches = [level for level in levels if level.id == int(text)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1 and len({level.building_id for level in matches}) > 1:
        raise InputError(_("level {level!r} exists in several buildings; name one with --building").format(level=text))
    if len(matches) > 1:
        # Two levels of one building share an ordinal: only their names tell them apart.
        names = ", ".join(repr(level.name) for level in matches)
        raise InputError(
            _("several levels have the number {level}: {names}").format(level=text, names=names),
            fix=_("give the level by name; zoneblanche plan delete-level removes a level left empty"),
        )
    known = ", ".join(f"{level.name} ({level.ordinal})" for level in levels) or _("none")
    raise NotFoundError(_("level {level!r} not found; known levels: {known}").format(level=text, known=known))


def get_level(session: Session, level_id: int) -> Level:
    level = session.get(Level, level_id)
    if level is None:
        raise NotFoundError(_("level {level} not found").format(level=level_id))
    return level


def site_levels(session: Session, site: Site) -> list[Level]:
    """Return the site's levels, by building name then ordinal."""
    query = (
        select(Level).join(Building).where(Building.site_id == site.id).order_by(Building.name, Level.ordinal)
    )
    return list(session.scalars(query))


def site_rooms(session: Session, site: Site) -> list[Room]:
    return list(session.scalars(select(Room).where(Room.site_id == site.id).order_by(Room.ref)))


def find_survey(session: Session, site: Site, name: str, *, create: bool = False) -> Survey:
    """Return the site's survey ``name``, created on first use when ``create`` is set."""
    survey = session.scalar(select(Survey).where(Survey.site_id == site.id, Survey.name == name))
    if survey is None and create:
        survey = Survey(site=site, name=name)
        session.add(survey)
        session.flush()
    if survey is None:
        raise NotFoundError(_("survey {survey!r} not found in site {site!r}").format(survey=name, site=site.name))
    return survey


def get_survey(session: Session, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFoundError(_("survey {survey} not found").format(survey=survey_id))
    return survey


def delete_empty_level(session: Session, level: Level) -> dict:
    """Delete a level that holds no room, such as one created by a mistyped level name.

    A level with rooms is kept: deleting it would delete its rooms and leave their samples
    unplaced, which an import of the right plan does without losing anything.
    """
    if level.rooms:
        raise ConflictError(
            _("level {level!r} still has {count} rooms; it is not deleted").format(level=level.name, count=len(level.rooms)),
            detail={"level_id": level.id, "rooms": len(level.rooms)},
        )
    summary = {"id": level.id, "building": level.building.name, "name": level.name, "ordinal": level.ordinal}
    session.delete(level)
    session.flush()
    return summary
