"""Every real third-party file under ``realdata/logs`` goes through ingest and is accounted for.

A measurement log is stored with every row either accepted or rejected, and the samples in the
database match the report. A file without measurements is rejected with a message saying so.
A new file in the folder fails ``test_every_file_accounted_for`` until it is listed here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey.errors import FormatError
from survey.i18n import reset_language, set_language
from survey.ingest import IngestOptions, ingest_upload
from survey.models import Sample, Site, Upload
from survey.sites import create_site
from survey.store import Store, find_survey

# path under realdata/logs: (format, rows, accepted, rejected, without service).
# The G-NetTrack TXT, Nemo, KML and Network Survey CSV and JSON Lines counts are those that
# tests/survey/test_parsers.py and test_parsers_formats.py assert. The parser test of the Network
# Survey MQTT example checks the values of its one sample, and its report counts were found once
# by ingesting it.
LOGS = {
    "gnettrack/Open5GS_2026.05.21_16.26.40_csirsrp.kml": ("gnettrack_kml", 35, 35, 0, 0),
    "gnettrack/Orange_log.txt": ("gnettrack_txt", 2625, 2625, 0, 2),
    "gnettrack/Yas_log.txt": ("gnettrack_txt", 2719, 2719, 0, 0),
    "gnettrack/expresso_log.txt": ("gnettrack_txt", 2955, 2955, 0, 253),
    "nemo/PSUL_LTE-TDD_UE_sample.1.nmf": ("nemo_nmf", 35, 35, 0, 1),
    # A scanner log: its records measure no cell for a phone, so it has no sample.
    "nemo/Scanner_LTE-TDD_sample.5.nmf": ("nemo_nmf", 0, 0, 0, 0),
    "networksurvey/spec-examples/SYNTHETIC_networksurvey.app_lte_csv_example.csv": ("networksurvey_csv", 1, 1, 0, 0),
    "networksurvey/spec-examples/SYNTHETIC_networksurvey.app_mqtt_lte_example.json": ("networksurvey_json", 1, 1, 0, 0),
    # 10 messages, of which 6 are cell records; CdmaRecord, PhoneState and DeviceStatus are noted.
    "networksurvey/spec-examples/SYNTHETIC_nsm-1.6.0_json-test-fixtures.jsonl": ("networksurvey_json", 6, 6, 0, 0),
}
# Companion files and cell lists: rejected with what they are.
WITHOUT_MEASUREMENTS = {
    "gnettrack/Orange_log_datatest.txt": "data test summary",
    "gnettrack/Orange_log_stats.txt": "call statistics",
    "gnettrack/Yas_log_events.txt": "event log",
    "gnettrack/expresso_log_events.txt": "event log",
    "netmonster/NetMonster-PT_268-01_cells.ntm": "NetMonster cell list",
    "netmonster/NetMonster-PT_268-06_cells.ntm": "NetMonster cell list",
    "opencellid/OCID-diff-cell-export-2022-09-10_excerpt.csv": "OpenCelliD cell export",
}
# termux-telephony-cellinfo output as posted, which cannot be read as a log: a bare array has
# no time, and the excerpt has a "..." line that is not JSON.
UNREADABLE = {
    "termux/termux-api_pr775_lte_neighbour.json": "has no time",
    "termux/termux-api_pr775_comment_excerpt.txt": "not valid JSON",
}
DOCUMENTATION = {"README.md", "PROVENANCE.md"}


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that assertions on their wording hold."""
    token = set_language("en")
    yield
    reset_language(token)


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'realdata.db'}")
    with store.session() as session:
        create_site(session, "CH Test")
    yield store
    store.dispose()


def ingest(store: Store, path: Path) -> dict:
    """Ingest one file into its own survey, in one transaction; return its one report."""
    with store.session() as session:
        site = session.scalars(select(Site)).one()
        survey = find_survey(session, site, path.name, create=True)
        [report] = ingest_upload(session, survey, path.read_bytes(), path.name, IngestOptions())
    return report


def count(store: Store, model, *conditions) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_every_file_accounted_for(realdata):
    logs = realdata / "logs"
    found = {
        path.relative_to(logs).as_posix()
        for path in logs.rglob("*")
        if path.is_file() and path.name not in DOCUMENTATION
    }

    assert found == set(LOGS) | set(WITHOUT_MEASUREMENTS) | set(UNREADABLE)


@pytest.mark.parametrize("name", sorted(LOGS))
def test_real_log_ingested(realdata, store, name):
    format_name, rows, accepted, rejected, no_service = LOGS[name]

    report = ingest(store, realdata / "logs" / name)

    assert report["format"] == format_name
    assert report["rows"] == rows
    assert report["accepted"] == accepted
    assert report["rejected"] == rejected
    assert report["rows"] == report["accepted"] + report["rejected"]
    assert len({error["line"] for error in report["errors"]}) == report["rejected"]
    assert report["no_service"] == no_service
    assert count(store, Sample, Sample.upload_id == report["upload_id"]) == accepted
    assert count(store, Sample) == accepted


def test_all_real_logs_in_one_database(realdata, store):
    reports = [ingest(store, realdata / "logs" / name) for name in sorted(LOGS)]

    assert count(store, Upload) == len(LOGS)
    assert count(store, Sample) == sum(report["accepted"] for report in reports)
    assert sum(report["accepted"] for report in reports) == sum(expected[2] for expected in LOGS.values())


@pytest.mark.parametrize("name", sorted(WITHOUT_MEASUREMENTS))
def test_file_without_measurements_rejected(realdata, store, name):
    path = realdata / "logs" / name

    with pytest.raises(FormatError) as caught:
        ingest(store, path)

    assert "holds no measurements" in caught.value.message
    assert WITHOUT_MEASUREMENTS[name] in caught.value.message
    assert path.name in caught.value.message
    assert caught.value.fix
    assert count(store, Upload) == 0


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_termux_output_rejected(realdata, store, name):
    with pytest.raises(FormatError) as caught:
        ingest(store, realdata / "logs" / name)

    assert UNREADABLE[name] in caught.value.message
    assert count(store, Upload) == 0
