import gzip
import io
import zipfile

import pandas as pd
import pytest
from sqlalchemy import event, func, select

from api.demo import SAMPLES
from survey import ingest as ingest_module
from survey import parsers
from survey.errors import InputError
from survey.ingest import Attachment, IngestOptions, ingest_upload, reparse_upload
from survey.models import Sample, Upload
from survey.parsers.chunks import shift_lines, split_lines
from survey.plans import import_plan
from survey.sites import create_site
from survey.store import Store, find_site, find_survey

LOG = "Orange_2026.11.03_09.00.00.txt"
LEVEL = "Rez-de-chaussée"


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'ingest.db'}")
    with store.session() as session:
        site = create_site(session, "CH Test")
        for ordinal in (0, 2):
            path = SAMPLES / "plans" / f"level_{ordinal}.geojson"
            import_plan(session, site, path.read_bytes(), path.name)
    yield store
    store.dispose()


def ingest(store, data, filename, **options):
    with store.session() as session:
        survey = find_survey(session, find_site(session, "CH Test"), "S1", create=True)
        return ingest_upload(session, survey, data, filename, IngestOptions(**options))


def track():
    return Attachment((SAMPLES / "track_level_0.csv").read_bytes(), "track_level_0.csv")


def counts(store):
    with store.session() as session:
        return session.scalar(select(func.count(Sample.id))), session.scalar(select(func.count(Upload.id)))


def test_zip_of_several_logs_gives_report_each(store):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("Orange_2026.11.04_09.45.00.txt", "SFR_2026.11.04_09.45.00.txt"):
            archive.writestr(name, (SAMPLES / name).read_bytes())
        archive.writestr("notes_events.txt", "Timestamp\tEventType\tEventDetails\r\n2026.11.04_09.45.00\tCALL_START\t\r\n")
    visits = Attachment((SAMPLES / "visits_level_2.csv").read_bytes(), "visits_level_2.csv")
    reports = ingest(store, buffer.getvalue(), "level2.zip", visits=visits)
    assert [report["path"] for report in reports] == [
        "level2.zip/Orange_2026.11.04_09.45.00.txt",
        "level2.zip/SFR_2026.11.04_09.45.00.txt",
        "level2.zip/notes_events.txt",
    ]
    assert reports[0]["accepted"] == reports[0]["rows"] > 1000
    assert reports[2]["error"]["code"] == "unsupported_format"
    samples, uploads = counts(store)
    assert samples == reports[0]["accepted"] + reports[1]["accepted"]
    assert uploads == 3  # two logs and the visits file


def test_gzip_log_is_read(store):
    data = gzip.compress((SAMPLES / LOG).read_bytes())
    [report] = ingest(store, data, LOG + ".gz", level=LEVEL, track=track())
    assert report["path"] == LOG
    assert report["format"] == "gnettrack_txt"
    assert report["accepted"] == report["rows"]
    assert report["unplaced"] == 0


def test_chunks_give_same_samples_as_whole_file():
    data = (SAMPLES / LOG).read_bytes()
    whole = parsers.parse(data, LOG)
    parts = [shift_lines(parsers.parse(chunk, LOG), offset) for chunk, offset in split_lines(data, chunk_lines=400)]
    assert len(parts) == 4
    joined = pd.concat([part.samples for part in parts], ignore_index=True)
    assert joined["row_number"].tolist() == whole.samples["row_number"].tolist()
    assert joined["time"].equals(whole.samples["time"])
    assert joined["rsrp_dbm"].equals(whole.samples["rsrp_dbm"])
    assert sum(part.rows for part in parts) == whole.rows


def test_chunk_error_lines_are_file_lines():
    lines = (SAMPLES / LOG).read_bytes().split(b"\r\n")
    fields = lines[900].split(b"\t")
    fields[10] = b"-999"
    lines[900] = b"\t".join(fields)
    data = b"\r\n".join(lines)
    whole = parsers.parse(data, LOG)
    parts = [shift_lines(parsers.parse(chunk, LOG), offset) for chunk, offset in split_lines(data, chunk_lines=400)]
    assert [error.line for error in whole.errors] == [901]
    assert [error.line for part in parts for error in part.errors] == [901]


def test_large_log_ingested_in_chunks(store, monkeypatch):
    monkeypatch.setattr(ingest_module, "CHUNKED_ABOVE_BYTES", 10_000)
    monkeypatch.setattr("survey.parsers.chunks.CHUNK_LINES", 300)
    [report] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL, track=track())
    assert report["accepted"] == report["rows"] == 1582
    assert report["no_service"] == 79
    samples, _uploads = counts(store)
    assert samples == 1582


def test_database_failure_stores_nothing(store):
    def fail_on_samples(_connection, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO samples"):
            raise RuntimeError("disk full")

    event.listen(store.engine, "before_cursor_execute", fail_on_samples)
    with pytest.raises(RuntimeError):
        ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL, track=track())
    event.remove(store.engine, "before_cursor_execute", fail_on_samples)
    assert counts(store) == (0, 0)


def test_dry_run_stores_nothing(store):
    [report] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL, track=track(), dry_run=True)
    assert report["dry_run"] is True
    assert report["accepted"] == 1582
    assert counts(store) == (0, 0)


def test_strict_rejects_file_with_bad_row(store):
    data = (SAMPLES / LOG).read_bytes().replace(b"\t-95\t", b"\t-999\t", 1)
    with pytest.raises(InputError) as caught:
        ingest(store, data, LOG, level=LEVEL, track=track(), strict=True)
    assert caught.value.errors[0].column == "Level"
    assert counts(store) == (0, 0)


def test_reparse_rebuilds_same_samples(store):
    [first] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL, track=track())
    with store.session() as session:
        before = session.execute(select(Sample.row_number, Sample.x_m, Sample.room_id).order_by(Sample.row_number)).all()
        report = reparse_upload(session, first["upload_id"])
    with store.session() as session:
        after = session.execute(select(Sample.row_number, Sample.x_m, Sample.room_id).order_by(Sample.row_number)).all()
    assert report["accepted"] == first["accepted"]
    assert after == before


def test_raw_copy_has_identifiers_blanked(store):
    csv = (
        "time,x_m,y_m,plmn,technology,service,rsrp_dbm,imei,ip\n"
        "2026-11-03T09:00:00Z,10,7,208-01,lte,in_service,-90,356938035643809,10.1.2.3\n"
    ).encode()
    [report] = ingest(store, csv, "phone.csv", level=LEVEL)
    with store.session() as session:
        raw = session.get(Upload, report["upload_id"]).raw
    assert b"356938035643809" not in raw
    assert b"10.1.2.3" not in raw
    assert raw.count(b"\n") == csv.count(b"\n")


def test_gps_fixes_placed_on_georeferenced_level(store):
    from survey.plans.georeference import anchor_georeference, plan_to_wgs84, wgs84_to_plan
    from survey.store import find_level

    # Put the plan's origin 20 m west and 8 m south of the log's first GPS fix.
    anchor = anchor_georeference(2.372196, 48.827481)
    lon, lat = plan_to_wgs84(anchor, -20.0, -8.0)
    georeference = anchor_georeference(float(lon.item()), float(lat.item()))
    with store.session() as session:
        find_level(session, find_site(session, "CH Test"), LEVEL).georeference = georeference

    [report] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL)
    with store.session() as session:
        first = session.execute(select(Sample.x_m, Sample.y_m, Sample.position_source).order_by(Sample.row_number)).first()
    expected_x, expected_y = wgs84_to_plan(georeference, 2.372196, 48.827481)
    assert first.position_source == "gps"
    assert first.x_m == pytest.approx(float(expected_x.item()), abs=0.01)
    assert first.x_m == pytest.approx(20.0, abs=0.05)
    assert first.y_m == pytest.approx(8.0, abs=0.05)
    assert report["unplaced"] < report["accepted"]


def test_gps_ignored_on_level_without_georeference(store):
    [report] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL)
    assert report["unplaced"] == report["accepted"]


def test_unplaced_upload_says_how_to_place_it(store):
    [report] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL)
    assert report["unplaced"] == report["accepted"]
    assert any(f"reparse {report['upload_id']}" in note for note in report["notes"])


def test_reparse_with_track_places_stored_samples(store):
    [first] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG)
    with store.session() as session:
        report = reparse_upload(session, first["upload_id"], IngestOptions(level=LEVEL, track=track()))
    assert first["unplaced"] == 1582
    assert report["unplaced"] == 0
    assert report["accepted"] == 1582
    # Placed for good: a plain reparse keeps the track it was given.
    with store.session() as session:
        again = reparse_upload(session, first["upload_id"])
    assert again["unplaced"] == 0


def test_track_of_another_day_is_explained(store):
    other_day = (SAMPLES / "track_level_0.csv").read_bytes().replace(b"2026-11-03", b"2026-11-05")
    [report] = ingest(store, (SAMPLES / LOG).read_bytes(), LOG, level=LEVEL, track=Attachment(other_day, "track.csv"))
    assert report["unplaced"] == 1582
    assert any("2026-11-05" in note and "2026-11-03" in note for note in report["notes"])
