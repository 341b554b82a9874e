"""Network Survey GeoPackage logs, built here with sqlite3 and the app's table and column names.

The column names are those of the app's GeoPackage writer (android-network-survey,
``CellularSurveyRecordLogger`` and the ``*MessageConstants`` classes): GSM, UMTS and LTE tables
use ``Time`` in epoch milliseconds and display names (``Serving Cell``, ``Phys_Cell_ID``…), the
NR table uses the JSON message field names.
"""

from __future__ import annotations

import sqlite3
import struct
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey import parsers
from survey.errors import FormatError
from survey.i18n import reset_language, set_language
from survey.ingest import IngestOptions, ingest_upload, reparse_upload
from survey.models import Sample, Upload
from survey.parsers.networksurvey_gpkg import read_point
from survey.sites import create_site
from survey.store import Store, find_survey

SERIAL = "a1b2c3d4e5f60718"
MISSION = f"NS {SERIAL} 20261103-091500"
START = datetime(2026, 11, 3, 8, 15, tzinfo=timezone.utc)
LONGITUDE, LATITUDE = 4.3872, 45.4397

COMMON = [
    ("id", "INTEGER PRIMARY KEY AUTOINCREMENT"), ("geom", "POINT"), ("deviceSerialNumber", "TEXT"),
    ("Time", "INTEGER"), ("MissionId", "TEXT"), ("RecordNumber", "MEDIUMINT NOT NULL DEFAULT -1"),
    ("speed", "FLOAT"), ("accuracy", "MEDIUMINT"), ("locationAge", "MEDIUMINT"),
    ("GroupNumber", "MEDIUMINT NOT NULL DEFAULT -1"), ("Serving Cell", "BOOLEAN"), ("Provider", "TEXT"),
    ("slot", "SMALLINT"),
]  # fmt: skip
TABLES = {
    "GSM_MESSAGE": [*COMMON, ("MCC", "SMALLINT"), ("MNC", "SMALLINT"), ("LAC", "MEDIUMINT"), ("CID", "MEDIUMINT"),
                    ("ARFCN", "SMALLINT"), ("BSIC", "SMALLINT"), ("Signal Strength", "FLOAT"), ("TA", "SMALLINT")],
    "CDMA_MESSAGE": [*COMMON, ("SID", "MEDIUMINT"), ("NID", "MEDIUMINT"), ("BSID", "MEDIUMINT"),
                     ("Signal Strength", "FLOAT"), ("ECIO", "FLOAT")],
    "UMTS_MESSAGE": [*COMMON, ("MCC", "SMALLINT"), ("MNC", "SMALLINT"), ("LAC", "MEDIUMINT"),
                     ("Cell ID", "MEDIUMINT"), ("UARFCN", "SMALLINT"), ("PSC", "SMALLINT"),
                     ("Signal Strength", "FLOAT"), ("RSCP", "FLOAT")],
    "LTE_MESSAGE": [*COMMON, ("MCC", "SMALLINT"), ("MNC", "SMALLINT"), ("TAC", "MEDIUMINT"), ("ECI", "MEDIUMINT"),
                    ("DL_EARFCN", "MEDIUMINT"), ("Phys_Cell_ID", "SMALLINT"), ("RSRP", "FLOAT"), ("RSRQ", "FLOAT"),
                    ("TA", "SMALLINT"), ("DL_Bandwidth", "TEXT"), ("signalStrength", "FLOAT"), ("cqi", "SMALLINT"),
                    ("snr", "FLOAT")],
    "NR_MESSAGE": [("id", "INTEGER PRIMARY KEY AUTOINCREMENT"), ("geom", "POINT"), ("deviceSerialNumber", "TEXT"),
                   ("deviceTime", "INTEGER"), ("latitude", "DOUBLE"), ("longitude", "DOUBLE"), ("altitude", "FLOAT"),
                   ("missionId", "TEXT"), ("recordNumber", "MEDIUMINT NOT NULL DEFAULT -1"),
                   ("groupNumber", "MEDIUMINT NOT NULL DEFAULT -1"), ("speed", "FLOAT"), ("accuracy", "INT"),
                   ("locationAge", "MEDIUMINT"), ("mcc", "SMALLINT"), ("mnc", "SMALLINT"), ("tac", "MEDIUMINT"),
                   ("nci", "INT"), ("narfcn", "MEDIUMINT"), ("pci", "SMALLINT"), ("ssRsrp", "FLOAT"),
                   ("ssRsrq", "FLOAT"), ("ssSinr", "FLOAT"), ("csiRsrp", "FLOAT"), ("csiRsrq", "FLOAT"),
                   ("csiSinr", "FLOAT"), ("servingCell", "BOOLEAN"), ("provider", "TEXT"), ("slot", "SMALLINT")],
}  # fmt: skip


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that assertions on their wording hold."""
    token = set_language("en")
    yield
    reset_language(token)


def point(longitude: float, latitude: float, altitude: float = 12.0, *, envelope: bool = False) -> bytes:
    """Return a GeoPackage geometry blob: a little-endian header, then an ISO WKB point Z."""
    flags = 0x01 | (0x02 if envelope else 0)
    header = b"GP" + bytes([0, flags]) + struct.pack("<i", 4326)
    if envelope:
        header += struct.pack("<4d", longitude, longitude, latitude, latitude)
    return header + struct.pack("<BI3d", 1, 1001, longitude, latitude, altitude)


def millis(seconds: int) -> int:
    return int(START.timestamp() * 1000) + seconds * 1000


def create_tables(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA application_id = 1196444487")  # "GPKG"
    connection.execute(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
        "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)"
    )
    connection.execute(
        "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, "
        "description TEXT, last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER)"
    )
    connection.execute(
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
        "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL)"
    )
    connection.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS[...]', NULL)")
    for table, columns in TABLES.items():
        definition = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        connection.execute(f'CREATE TABLE "{table}" ({definition})')
        connection.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, 4326)", (table, table))
        connection.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', 4326, 0, 0)", (table,))


def insert(connection: sqlite3.Connection, table: str, values: dict) -> None:
    names = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join("?" for _ in values)
    connection.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values()))


def common(seconds: int, serving: int | None, provider: str = "Orange F") -> dict:
    return {"geom": point(LONGITUDE, LATITUDE), "deviceSerialNumber": SERIAL, "Time": millis(seconds),
            "MissionId": MISSION, "RecordNumber": seconds, "GroupNumber": seconds, "accuracy": 8,
            "Serving Cell": serving, "Provider": provider}  # fmt: skip


def fill(connection: sqlite3.Connection) -> None:
    """Write 2 GSM, 1 CDMA, 1 UMTS, 4 LTE and 1 NR rows; one LTE row has no time, one an RSRP out of range."""
    insert(connection, "GSM_MESSAGE", {**common(0, 1), "MCC": 208, "MNC": 1, "LAC": 3000, "CID": 47241,
                                       "ARFCN": 60, "BSIC": 25, "Signal Strength": -73.0, "TA": 4})
    insert(connection, "GSM_MESSAGE", {**common(1, 0), "MCC": 208, "MNC": 1, "ARFCN": 62, "Signal Strength": -95.0})
    insert(connection, "CDMA_MESSAGE", {**common(1, 1), "SID": 1, "NID": 2, "BSID": 3, "Signal Strength": -80.0})
    insert(connection, "UMTS_MESSAGE", {**common(2, 1, "SFR"), "MCC": 208, "MNC": 10, "LAC": 65535, "Cell ID": 61381,
                                        "UARFCN": 10712, "PSC": 141, "Signal Strength": -73.0, "RSCP": -88.0})
    insert(connection, "LTE_MESSAGE", {**common(3, 1), "MCC": 208, "MNC": 1, "TAC": 7000, "ECI": 52824577,
                                       "DL_EARFCN": 6300, "Phys_Cell_ID": 234, "RSRP": -107.0, "RSRQ": -11.0, "TA": 27,
                                       "DL_Bandwidth": "10", "signalStrength": -73.1, "cqi": 7, "snr": 19.0})
    insert(connection, "LTE_MESSAGE", {**common(3, 0), "DL_EARFCN": 6300, "Phys_Cell_ID": 12, "RSRP": -115.0,
                                       "RSRQ": -16.0})
    insert(connection, "LTE_MESSAGE", {**common(4, 1), "Time": None, "MCC": 208, "MNC": 1, "RSRP": -100.0})
    insert(connection, "LTE_MESSAGE", {**common(5, 1), "MCC": 208, "MNC": 1, "RSRP": -200.0})
    insert(connection, "NR_MESSAGE", {"geom": point(LONGITUDE, LATITUDE, envelope=True), "deviceSerialNumber": SERIAL,
                                      "deviceTime": millis(6), "latitude": LATITUDE, "longitude": LONGITUDE,
                                      "missionId": MISSION, "mcc": 208, "mnc": 15, "tac": 70100, "nci": 68719476735,
                                      "narfcn": 632628, "pci": 501, "ssRsrp": -96.5, "ssRsrq": -10.5, "ssSinr": 14.5,
                                      "servingCell": 1, "provider": "Free"})  # fmt: skip


def build_gpkg(path: Path, *, wal: bool = False) -> bytes:
    """Write the test GeoPackage to ``path`` and return its bytes."""
    connection = sqlite3.connect(path)
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
    create_tables(connection)
    fill(connection)
    connection.commit()
    if wal:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return path.read_bytes()


@pytest.fixture
def gpkg(tmp_path) -> bytes:
    return build_gpkg(tmp_path / "craxiom-cellular-20261103-091500.gpkg")


def test_gpkg_detected(gpkg):
    assert parsers.detect_format(gpkg, "log.gpkg") == "networksurvey_gpkg"


def test_gpkg_every_row_accounted(gpkg):
    result = parsers.parse(gpkg, "log.gpkg")

    assert result.format == "networksurvey_gpkg"
    assert result.rows == 8
    assert len(result.samples) == 6
    assert result.rejected == 2
    assert result.rows == len(result.samples) + result.rejected
    assert result.samples["technology"].value_counts().to_dict() == {"gsm": 2, "umts": 1, "lte": 2, "nr": 1}


def test_gpkg_row_numbers_by_table(gpkg):
    result = parsers.parse(gpkg, "log.gpkg")

    # GSM rows 1-2, UMTS row 3, LTE rows 4-7, NR row 8.
    assert result.samples["row_number"].tolist() == [1, 2, 3, 4, 5, 8]
    assert [error.line for error in result.errors] == [6, 7]
    assert result.errors[0].column == "time"
    assert result.errors[1].column == "rsrp_dbm"
    assert any("GSM_MESSAGE 1–2" in note and "LTE_MESSAGE 4–7" in note for note in result.notes)
    assert any("CDMA_MESSAGE" in note for note in result.notes)


def test_gpkg_lte_values(gpkg):
    samples = parsers.parse(gpkg, "log.gpkg").samples
    lte = samples[samples["technology"] == "lte"].iloc[0]

    assert lte["time"] == pd.Timestamp("2026-11-03T08:15:03Z")
    assert lte["plmn"] == "208-01"
    assert lte["operator"] == "Orange"
    assert bool(lte["serving"])
    assert lte["rsrp_dbm"] == -107
    assert lte["rsrq_db"] == -11
    assert lte["sinr_db"] == 19
    assert lte["rssi_dbm"] == -73.1
    assert lte["signal_dbm"] == -107
    assert lte["cell_id"] == 52824577
    assert lte["tac"] == 7000
    assert lte["pci"] == 234
    assert lte["arfcn"] == 6300
    assert lte["service"] == "in_service"


def test_gpkg_neighbour_without_plmn(gpkg):
    samples = parsers.parse(gpkg, "log.gpkg").samples
    neighbour = samples[samples["technology"] == "lte"].iloc[1]

    assert not bool(neighbour["serving"])
    assert pd.isna(neighbour["plmn"])
    assert neighbour["rsrp_dbm"] == -115


def test_gpkg_other_technologies(gpkg):
    samples = parsers.parse(gpkg, "log.gpkg").samples.set_index("technology")

    assert samples.loc["umts", "rscp_dbm"] == -88
    assert samples.loc["umts", "cell_id"] == 61381
    assert samples.loc["umts", "plmn"] == "208-10"
    assert samples.loc["nr", "rsrp_dbm"] == -96.5
    assert samples.loc["nr", "sinr_db"] == 14.5
    assert samples.loc["nr", "cell_id"] == 68719476735
    assert samples.loc["nr", "plmn"] == "208-15"
    gsm = samples.loc["gsm"]
    assert gsm["rssi_dbm"].tolist() == [-73, -95]
    assert gsm["serving"].tolist() == [True, False]


def test_gpkg_positions_from_geometry(gpkg):
    result = parsers.parse(gpkg, "log.gpkg")

    gps = result.extra["gps"]
    assert len(gps) == len(result.samples)
    assert np.allclose(gps["lon"], LONGITUDE)
    assert np.allclose(gps["lat"], LATITUDE)


def test_read_point_variants():
    assert read_point(point(2.5, 48.5)) == (2.5, 48.5)
    assert read_point(point(2.5, 48.5, envelope=True)) == (2.5, 48.5)
    big_endian = b"GP\x00\x00" + struct.pack(">i", 4326) + struct.pack(">BI2d", 0, 1, 2.5, 48.5)
    assert read_point(big_endian) == (2.5, 48.5)
    empty = b"GP\x00\x11" + struct.pack("<i", 4326)
    assert all(np.isnan(read_point(empty)))
    assert all(np.isnan(read_point(None)))


def test_gpkg_in_wal_mode(tmp_path):
    data = build_gpkg(tmp_path / "wal.gpkg", wal=True)
    assert data[18] == 2

    result = parsers.parse(data, "wal.gpkg")

    assert result.rows == 8


def test_gpkg_without_cell_tables(tmp_path):
    connection = sqlite3.connect(tmp_path / "wifi.gpkg")
    connection.execute("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT)")
    connection.execute("CREATE TABLE WIFI_BEACON_MESSAGE (id INTEGER PRIMARY KEY, ssid TEXT)")
    connection.commit()
    connection.close()
    data = (tmp_path / "wifi.gpkg").read_bytes()

    with pytest.raises(FormatError) as caught:
        parsers.parse(data, "wifi.gpkg")

    assert "WIFI_BEACON_MESSAGE" in caught.value.message
    assert "LTE_MESSAGE" in caught.value.fix


def test_gpkg_damaged_file(gpkg):
    damaged = gpkg[:100] + b"\x00" * 50

    with pytest.raises(FormatError):
        parsers.parse(damaged, "cut.gpkg", format="networksurvey_gpkg")


def test_gpkg_blank_identifiers(gpkg):
    blanked = parsers.blank_identifiers(gpkg, "networksurvey_gpkg")

    assert SERIAL.encode() in gpkg
    assert SERIAL.encode() not in blanked
    assert blanked.startswith(b"SQLite format 3\x00")
    result = parsers.parse(blanked, "log.gpkg")
    assert result.rows == 8
    assert len(result.samples) == 6


def test_gpkg_ingest_and_reparse(gpkg, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gpkg.db'}")
    try:
        with store.session() as session:
            survey = find_survey(session, create_site(session, "CH Test"), "S1", create=True)
            [report] = ingest_upload(session, survey, gpkg, "craxiom.gpkg", IngestOptions())
            [again] = ingest_upload(session, survey, gpkg, "craxiom.gpkg", IngestOptions())
            reparsed = reparse_upload(session, report["upload_id"])
            stored = session.query(Sample).count()
            raw = session.get(Upload, report["upload_id"]).raw
    finally:
        store.dispose()

    assert report["format"] == "networksurvey_gpkg"
    assert (report["rows"], report["accepted"], report["rejected"]) == (8, 6, 2)
    assert again["duplicate_of"] == report["upload_id"]
    assert reparsed["accepted"] == 6
    assert stored == 6
    assert SERIAL.encode() not in raw
