"""The command line as a user runs it: a real process, a real SQLite file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.demo import SAMPLES

ROOT = Path(__file__).resolve().parents[2]


def zoneblanche(*arguments: str, database: Path, language: str = "en") -> subprocess.CompletedProcess:
    environment = {**os.environ, "ZONEBLANCHE_DATABASE_URL": f"sqlite:///{database}", "ZONEBLANCHE_LANG": language}
    command = [sys.executable, "-c", "from api.cli import main; main()", *arguments]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


@pytest.fixture
def site(tmp_path):
    database = tmp_path / "cli.db"
    assert zoneblanche("site", "create", "CH CLI", database=database).returncode == 0
    plan = zoneblanche("plan", "import", str(SAMPLES / "plans" / "level_0.geojson"), "--site", "CH CLI", database=database)
    assert plan.returncode == 0, plan.stderr
    return database


def test_ingest_json_report(site):
    result = zoneblanche(
        "ingest", str(SAMPLES / "Orange_2026.11.03_09.00.00.txt"), "--site", "CH CLI", "--survey", "S1",
        "--level", "Rez-de-chaussée", "--track", str(SAMPLES / "track_level_0.csv"), "--json", database=site,
    )
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)["files"]
    for key in ("path", "format", "rows", "accepted", "rejected", "no_service", "duplicates", "unplaced", "errors"):
        assert key in report
    assert report["format"] == "gnettrack_txt"
    assert report["accepted"] == report["rows"] == 1582
    assert report["no_service"] == 79


def test_analyze_json_gives_evidence(site):
    zoneblanche(
        "ingest", str(SAMPLES / "Orange_2026.11.03_09.00.00.txt"), "--site", "CH CLI", "--survey", "S1",
        "--level", "Rez-de-chaussée", "--track", str(SAMPLES / "track_level_0.csv"), database=site,
    )
    result = zoneblanche("analyze", "--site", "CH CLI", "--json", database=site)
    assert result.returncode == 0, result.stderr
    rooms = json.loads(result.stdout)["rooms"]
    assert len(rooms) == 55
    room = next(room for room in rooms if room["samples"] > 0)
    for key in ("level", "ref", "name", "category", "criticality", "analog_line", "shielded", "attenuation_db", "verdicts", "recommendation"):
        assert key in room
    verdict = room["verdicts"][0]
    for key in ("plmn", "operator", "verdict", "samples", "pass_rate", "rsrp_p10_dbm"):
        assert key in verdict
    assert set(room["recommendation"]) >= {"action", "reasons"}


def test_bad_row_error_names_line_column_value(site, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,x_m,y_m,plmn,technology,service,rsrp_dbm\n2026-11-03T09:00:00Z,10,7,208-01,lte,in_service,-999\n")
    result = zoneblanche("ingest", str(bad), "--site", "CH CLI", "--survey", "S1", "--level", "Rez-de-chaussée", "--strict", database=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "rsrp_dbm" in result.stderr
    assert "-999" in result.stderr
    assert "line 2" in result.stderr


def test_unknown_site_message_in_french(tmp_path):
    result = zoneblanche("analyze", "--site", "Nulle part", database=tmp_path / "empty.db", language="fr")
    assert result.returncode == 1
    assert "introuvable" in result.stderr
    assert "Traceback" not in result.stderr


def test_long_error_lines_are_not_wrapped(site, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("time,x_m,y_m,plmn,technology,service,rsrp_dbm\n2026-11-03T09:00:00Z,10,7,208-01,lte,in_service,-999\n")
    result = zoneblanche("ingest", str(bad), "--site", "CH CLI", "--survey", "S1", "--level", "Rez-de-chaussée", "--strict", database=site)
    row_lines = [line for line in result.stderr.splitlines() if "rsrp_dbm" in line and "-999" in line]
    assert row_lines
    assert "dBm" in row_lines[-1]


def test_mistyped_level_can_be_deleted(site):
    created = zoneblanche("plan", "import", str(SAMPLES / "plans" / "level_1.geojson"), "--site", "CH CLI", "--level", "1er etage", database=site)
    assert created.returncode == 0, created.stderr
    kept = zoneblanche("plan", "delete-level", "--site", "CH CLI", "--level", "1er etage", database=site)
    assert kept.returncode == 1
    assert "54 rooms" in kept.stderr
    moved = zoneblanche("plan", "import", str(SAMPLES / "plans" / "level_1.geojson"), "--site", "CH CLI", database=site)
    assert moved.returncode == 0, moved.stderr
    deleted = zoneblanche("plan", "delete-level", "--site", "CH CLI", "--level", "1er etage", "--json", database=site)
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["name"] == "1er etage"


def test_analyze_table_ends_with_summary(site):
    result = zoneblanche("analyze", "--site", "CH CLI", database=site)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("55 rooms: 0 reliable, 0 unreliable, 55 with too few samples")


def test_analyze_and_gridtest_of_one_survey(site):
    for survey, operator in (("S1", "Orange"), ("S2", "SFR")):
        ingested = zoneblanche(
            "ingest", str(SAMPLES / f"{operator}_2026.11.03_09.00.00.txt"), "--site", "CH CLI", "--survey", survey,
            "--level", "Rez-de-chaussée", "--track", str(SAMPLES / "track_level_0.csv"), database=site,
        )
        assert ingested.returncode == 0, ingested.stderr

    only_s2 = json.loads(zoneblanche("analyze", "--site", "CH CLI", "--survey", "S2", "--json", database=site).stdout)
    both = json.loads(zoneblanche("analyze", "--site", "CH CLI", "--survey", "S1", "--survey", "S2", "--json", database=site).stdout)
    assert only_s2["surveys"] == ["S2"]
    assert {verdict["operator"] for room in only_s2["rooms"] for verdict in room["verdicts"]} == {"SFR"}
    assert sorted(both["surveys"]) == ["S1", "S2"]
    gridtest = zoneblanche("gridtest", "--site", "CH CLI", "--level", "0", "--survey", "S2", "--json", database=site)
    assert gridtest.returncode == 0, gridtest.stderr
    assert {cell["operator"] for cell in json.loads(gridtest.stdout)["first"]["cells"]} <= {"208-10", None}


def test_unknown_language_rejected(tmp_path):
    result = zoneblanche("--lang", "de", "site", "list", database=tmp_path / "cli.db")
    assert result.returncode == 1
    assert "unknown language 'de'" in result.stderr
    assert "Traceback" not in result.stderr
    assert zoneblanche("--lang", "fr-FR", "site", "list", database=tmp_path / "cli.db").returncode == 0


def test_help_in_the_chosen_language(tmp_path):
    french = zoneblanche("ingest", "--help", database=tmp_path / "cli.db", language="fr")
    english = zoneblanche("ingest", "--help", database=tmp_path / "cli.db", language="en")
    assert french.returncode == english.returncode == 0
    assert "Charger des journaux de téléphones dans une campagne." in french.stdout
    assert "Ingest phone logs into a survey." in english.stdout
    assert "Ingest phone logs" not in french.stdout
