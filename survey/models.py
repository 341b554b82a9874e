"""Database models (SQLAlchemy 2). The schema itself is created by the Alembic migrations.

Geometries are stored as WKB in plan metres. Sample times are stored as integer nanoseconds
since the Unix epoch in UTC, which keeps bulk inserts fast and exact on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    operator_names: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    buildings: Mapped[list[Building]] = relationship(back_populates="site", cascade="all, delete-orphan")
    surveys: Mapped[list[Survey]] = relationship(back_populates="site", cascade="all, delete-orphan")


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))

    site: Mapped[Site] = relationship(back_populates="buildings")
    levels: Mapped[list[Level]] = relationship(back_populates="building", cascade="all, delete-orphan")


class Level(Base):
    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("building_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    ordinal: Mapped[int] = mapped_column(Integer, default=0)
    # Floor elevation in metres when the plan gives one (IFC storeys).
    elevation_m: Mapped[float | None] = mapped_column(Float)
    # Plan metres → WGS84 transform; see survey.plans.georeference for its keys.
    georeference: Mapped[dict | None] = mapped_column(JSON)
    # Doors drawn on the plan, as GeoJSON geometries in plan metres; walking distances go
    # through them (survey.recommend.walking_distances).
    doors: Mapped[list | None] = mapped_column(JSON)

    building: Mapped[Building] = relationship(back_populates="levels")
    rooms: Mapped[list[Room]] = relationship(back_populates="level", cascade="all, delete-orphan")


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("site_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(50), default="other")
    criticality: Mapped[str] = mapped_column(String(20), default="normal")
    analog_line: Mapped[bool] = mapped_column(Boolean, default=False)
    line_number: Mapped[str] = mapped_column(String(50), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    geometry: Mapped[bytes] = mapped_column(LargeBinary)
    area_m2: Mapped[float] = mapped_column(Float)

    level: Mapped[Level] = relationship(back_populates="rooms")


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("site_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    technician: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    site: Mapped[Site] = relationship(back_populates="surveys")
    uploads: Mapped[list[Upload]] = relationship(back_populates="survey", cascade="all, delete-orphan")


class Upload(Base):
    """One received file, kept as received except for blanked device identifiers."""

    __tablename__ = "uploads"
    __table_args__ = (UniqueConstraint("survey_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="log")  # log, track, visits
    format: Mapped[str] = mapped_column(String(50))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    report: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    survey: Mapped[Survey] = relationship(back_populates="uploads")


class Sample(Base):
    """One row of the sample table; see ``survey.samples`` for the meaning of each column."""

    __tablename__ = "samples"
    __table_args__ = (
        Index("ix_samples_level_room", "level_id", "room_id"),
        Index("ix_samples_survey_client", "survey_id", "client_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[str | None] = mapped_column(String(100))
    time_ns: Mapped[int] = mapped_column(BigInteger)
    level_id: Mapped[int | None] = mapped_column(ForeignKey("levels.id", ondelete="SET NULL"))
    x_m: Mapped[float | None] = mapped_column(Float)
    y_m: Mapped[float | None] = mapped_column(Float)
    position_source: Mapped[str] = mapped_column(String(12))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"))
    plmn: Mapped[str | None] = mapped_column(String(7))
    operator: Mapped[str | None] = mapped_column(String(100))
    technology: Mapped[str | None] = mapped_column(String(4))
    serving: Mapped[bool] = mapped_column(Boolean)
    service: Mapped[str] = mapped_column(String(16))
    rsrp_dbm: Mapped[float | None] = mapped_column(Float)
    rsrq_db: Mapped[float | None] = mapped_column(Float)
    sinr_db: Mapped[float | None] = mapped_column(Float)
    rscp_dbm: Mapped[float | None] = mapped_column(Float)
    ecno_db: Mapped[float | None] = mapped_column(Float)
    rssi_dbm: Mapped[float | None] = mapped_column(Float)
    signal_dbm: Mapped[float | None] = mapped_column(Float)
    cell_id: Mapped[int | None] = mapped_column(BigInteger)
    pci: Mapped[int | None] = mapped_column(Integer)
    tac: Mapped[int | None] = mapped_column(Integer)
    arfcn: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(20))
    call_test: Mapped[str | None] = mapped_column(String(8))
    device_model: Mapped[str | None] = mapped_column(String(100))


class LevelBackground(Base):
    """A scanned or exported plan (PDF page or image) shown under a level's rooms.

    ``png`` is the rendered image. ``metres_per_pixel`` comes from a two-point calibration
    (``calibration`` holds the two pixel points and the real distance between them); until then
    the background cannot be placed in plan metres. The image's bottom-left corner lies at
    (``origin_x_m``, ``origin_y_m``) in plan metres, since image rows grow downwards.
    """

    __tablename__ = "level_backgrounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("levels.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(50))
    sha256: Mapped[str] = mapped_column(String(64))
    page: Mapped[int] = mapped_column(Integer, default=1)
    dpi: Mapped[int | None] = mapped_column(Integer)
    width_px: Mapped[int] = mapped_column(Integer)
    height_px: Mapped[int] = mapped_column(Integer)
    png: Mapped[bytes] = mapped_column(LargeBinary)
    metres_per_pixel: Mapped[float | None] = mapped_column(Float)
    calibration: Mapped[dict | None] = mapped_column(JSON)
    origin_x_m: Mapped[float] = mapped_column(Float, default=0.0)
    origin_y_m: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
