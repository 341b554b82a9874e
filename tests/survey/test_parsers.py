"""Log parsers: detection, G-NetTrack TXT on real files, native CSV and JSON, times, privacy."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from survey import parsers
from survey.errors import FormatError, InputError
from survey.i18n import reset_language, set_language
from survey.samples import SAMPLE_COLUMNS, SAMPLE_DTYPES

GNETTRACK_HEADER = (
    "Timestamp\tLongitude\tLatitude\tOperatorname\tOperator\tCellname\tNode\tCellID\tLAC\t"
    "NetworkTech\tLevel\tQual\tSNR\tCQI\tLTERSSI\tARFCN\tPSC\tAltitude\tDistance\tTA\tBAND"
)


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that assertions on their wording hold."""
    token = set_language("en")
    yield
    reset_language(token)


def gnettrack_log(*rows: str, header: str = GNETTRACK_HEADER) -> bytes:
    """Build a G-NetTrack TXT log as the app writes it: CRLF, a trailing tab on data rows."""
    lines = [header] + [row + "\t" for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def lte_row(
    time: str = "2026.06.01_10.00.00", level: str = "-95", qual: str = "-10", snr: str = "5.0"
) -> str:
    return (
        f"{time}\t2.35\t48.85\tOrange F\t20801\t\t12345\t7\t1000\t4G\t{level}\t{qual}\t{snr}\t9\t-70\t"
        "1300\t101\t35\t-1\t\tL3"
    )


def read_real(realdata, name: str) -> parsers.ParseResult:
    return parsers.parse((realdata / "logs" / "gnettrack" / name).read_bytes(), name)


def assert_accounted(result: parsers.ParseResult) -> None:
    assert result.rows == len(result.samples) + result.rejected


# --- G-NetTrack TXT on the real files ---------------------------------------------------------


REAL_LOGS = {
    # file: (rows, no-service rows, rows per technology, plmn, operator)
    "Orange_log.txt": (2625, 2, {"lte": 1224, "umts": 1401, "gsm": 0, "nr": 0}, "608-01", "Orange"),
    "Yas_log.txt": (2719, 0, {"lte": 1861, "umts": 702, "gsm": 156, "nr": 0}, "608-02", "Yas"),
    "expresso_log.txt": (2955, 253, {"lte": 953, "umts": 1749, "gsm": 0, "nr": 0}, "608-03", "expresso"),
}


@pytest.mark.parametrize("name", sorted(REAL_LOGS))
def test_gnettrack_real_counts(realdata, name):
    rows, no_service, technologies, plmn, operator = REAL_LOGS[name]
    data = (realdata / "logs" / "gnettrack" / name).read_bytes()

    result = parsers.parse(data, name)

    assert result.format == "gnettrack_txt"
    assert result.rows == rows
    assert len(result.samples) == rows
    assert result.errors == []
    assert int((result.samples["service"] == "no_service").sum()) == no_service
    assert result.samples["technology"].value_counts().to_dict() == technologies
    assert set(result.samples["plmn"]) == {plmn}
    assert set(result.samples["operator"]) == {operator}
    assert result.samples["row_number"].tolist() == list(range(2, rows + 2))
    assert result.samples["serving"].all()
    assert list(result.samples.columns) == SAMPLE_COLUMNS
    assert len(result.extra["gps"]) == rows


def test_gnettrack_sentinels_orange(realdata):
    result = read_real(realdata, "Orange_log.txt")
    samples = result.samples
    umts = samples[samples["technology"] == "umts"]
    lte = samples[samples["technology"] == "lte"]
    metrics = ["rsrp_dbm", "rsrq_db", "sinr_db", "rscp_dbm", "ecno_db", "rssi_dbm", "signal_dbm"]

    # Every 3G row has Level -24, Android's RSCP clamp: no valid RSCP in the file.
    assert len(umts) == 1401
    assert umts["rscp_dbm"].isna().all()
    for sentinel in (-164, -200, -340, -24):
        assert not samples[metrics].isin([sentinel]).any().any(), sentinel
    # 121 (-164) + 1 (-340) + 32 (-24 on 4G without Qual) readings are invalid; 2 rows at -200 are no service.
    assert int(lte["rsrp_dbm"].isna().sum()) == 121 + 1 + 32 + 2
    assert int((samples["service"] == "no_service").sum()) == 2
    # SNR is 0.0 on every 4G row: not reported by the phone.
    assert samples["sinr_db"].isna().all()
    assert any("SNR" in note for note in result.notes)


def test_gnettrack_first_row_values(realdata):
    result = read_real(realdata, "Orange_log.txt")
    first = result.samples.iloc[0]

    # 2025.07.18_22.11.08 in Europe/Paris (UTC+2 in summer).
    assert first["time"] == pd.Timestamp("2025-07-18T20:11:08Z")
    assert first["technology"] == "lte"
    assert first["rsrp_dbm"] == -81
    assert first["rsrq_db"] == -8
    assert first["rssi_dbm"] == -73
    assert first["signal_dbm"] == -81
    assert first["cell_id"] == 21 * 256 + 11
    assert first["tac"] == 7000
    assert first["pci"] == 325
    assert first["arfcn"] == 2850
    assert first["band"] == "L7"
    assert result.extra["gps"].iloc[0].tolist() == [-17.447858, 14.677638]


def test_gnettrack_gsm_empty_cell(realdata):
    result = parsers.parse((realdata / "logs" / "gnettrack" / "Yas_log.txt").read_bytes(), "Yas_log.txt")
    gsm = result.samples[result.samples["technology"] == "gsm"]

    # 118 2G rows have Level -113 with CellID 0: no cell measured.
    assert int(gsm["rssi_dbm"].isna().sum()) == 118
    assert int(gsm["cell_id"].isna().sum()) == 118
    assert not (gsm["rssi_dbm"] == -113).any()
    assert (gsm["service"] == "in_service").all()


def test_gnettrack_no_coverage_rows(realdata):
    result = read_real(realdata, "expresso_log.txt")
    samples = result.samples
    no_service = samples[samples["service"] == "no_service"]

    assert len(no_service) == 253
    assert no_service["technology"].isna().all()
    assert no_service[["rsrp_dbm", "rscp_dbm", "rssi_dbm", "signal_dbm"]].isna().all().all()
    assert no_service["cell_id"].isna().all()
    # The no-service rows have no Operator code; the log has one operator, so they get its PLMN.
    assert (no_service["plmn"] == "608-03").all()
    assert any("608-03" in note for note in result.notes)
    # This phone reports a real SINR.
    assert int(samples["sinr_db"].notna().sum()) == 945


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Yas_log_events.txt", "event log"),
        ("expresso_log_events.txt", "event log"),
        ("Orange_log_datatest.txt", "data test"),
        ("Orange_log_stats.txt", "statistics"),
    ],
)
def test_gnettrack_companion_rejected(realdata, name, kind):
    data = (realdata / "logs" / "gnettrack" / name).read_bytes()

    with pytest.raises(FormatError) as caught:
        parsers.parse(data, name)

    assert "holds no measurements" in caught.value.message
    assert kind in caught.value.message
    assert name in caught.value.message
    assert caught.value.fix


def test_gnettrack_columns_by_name():
    names = GNETTRACK_HEADER.split("\t")
    order = [0, *reversed(range(1, len(names)))]
    fields = lte_row().split("\t")
    data = gnettrack_log("\t".join(fields[i] for i in order), header="\t".join(names[i] for i in order))

    sample = parsers.parse(data, "reordered.txt").samples.iloc[0]

    assert sample["rsrp_dbm"] == -95
    assert sample["rsrq_db"] == -10
    assert sample["sinr_db"] == 5
    assert sample["plmn"] == "208-01"
    assert sample["operator"] == "Orange"
    assert sample["cell_id"] == 12345 * 256 + 7


def test_gnettrack_row_errors_accounted():
    data = gnettrack_log(
        lte_row(),
        lte_row(time="2026-06-01 10:00:01"),
        lte_row(level="-20"),
        lte_row(level="abc"),
        lte_row(),
    )
    data += b"2026.06.01_10.00.09\t2.35\t48.85\r\n"  # a last line cut short when the app stopped

    result = parsers.parse(data, "bad.txt")

    assert result.rows == 6
    assert len(result.samples) == 2
    assert result.samples["row_number"].tolist() == [2, 6]
    lines = {error.line: error for error in result.errors}
    assert sorted(lines) == [3, 4, 5, 7]
    assert lines[3].column == "Timestamp"
    assert lines[4].column == "Level"
    assert lines[4].value == "-20"
    assert "-156 to -31 dBm" in lines[4].reason
    assert lines[5].value == "abc"
    assert "fields" in lines[7].reason
    assert_accounted(result)


def test_gnettrack_blank_lines_keep_numbers():
    data = gnettrack_log(lte_row()) + b"\r\n" + gnettrack_log(lte_row()).split(b"\r\n", 1)[1]

    result = parsers.parse(data, "blank.txt")

    assert result.samples["row_number"].tolist() == [2, 4]
    assert result.rows == 2


def test_gnettrack_structural_error():
    rows = [lte_row().replace("\t", ";") for _ in range(5)]
    data = gnettrack_log(*rows)

    with pytest.raises(FormatError) as caught:
        parsers.parse(data, "semicolons.txt", format="gnettrack_txt")

    assert caught.value.line == 2
    assert "21 fields" in caught.value.message
    assert caught.value.fix


def test_gnettrack_constant_snr_only_when_constant():
    varied = parsers.parse(gnettrack_log(lte_row(snr="0.0"), lte_row(snr="7.0")), "a.txt")
    constant = parsers.parse(gnettrack_log(lte_row(snr="0.0"), lte_row(snr="0.0")), "b.txt")

    assert varied.samples["sinr_db"].tolist() == [0.0, 7.0]
    assert constant.samples["sinr_db"].isna().all()
    assert len(constant.notes) == 1


def test_gnettrack_dst_fold_and_gap():
    data = gnettrack_log(
        lte_row(time="2026.10.25_02.30.00"),
        lte_row(time="2026.03.29_02.30.00"),
        lte_row(time="2026.03.29_02.45.00"),
    )

    result = parsers.parse(data, "dst.txt", timezone="Europe/Paris")

    times = result.samples["time"].tolist()
    assert times[0] == pd.Timestamp("2026-10-25T00:30:00Z")  # first occurrence, UTC+2
    assert times[1] == pd.Timestamp("2026-03-29T01:30:00Z")  # read at UTC+1, i.e. 03:30 local
    assert times[2] == pd.Timestamp("2026-03-29T01:45:00Z")
    assert len(result.notes) == 2
    assert result.notes[0].startswith("1 row ")
    assert "first occurrence" in result.notes[0]
    assert result.notes[1].startswith("2 rows ")
    assert "shifted forward" in result.notes[1]
    assert result.errors == []


# --- detection --------------------------------------------------------------------------------


def test_detect_unknown_content():
    with pytest.raises(FormatError) as caught:
        parsers.detect_format(b"hello,world\n1,2\n", "notes.csv")

    message = caught.value.message
    assert "notes.csv" in message
    assert "hello,world" in message
    assert "G-NetTrack TXT" in caught.value.fix


def test_detect_cuts_long_first_line():
    with pytest.raises(FormatError) as caught:
        parsers.detect_format(("x" * 500 + "\n").encode(), "long.txt")

    assert "x" * 100 + "…" in caught.value.message
    assert "x" * 101 not in caught.value.message


def test_detect_empty_file():
    with pytest.raises(FormatError):
        parsers.detect_format(b"\r\n  \r\n", "empty.txt")


def test_detect_ignores_extension():
    assert parsers.detect_format(gnettrack_log(lte_row()), "log.csv") == "gnettrack_txt"
    assert parsers.detect_format(b"time;rsrp_dbm\n2026-01-01T10:00:00Z;-90\n", "x.txt") == "native_csv"
    batch = b'{"samples": [{"id": "a", "time": "2026-01-01T10:00:00Z"}]}'
    assert parsers.detect_format(batch, "x.csv") == "native_json"


def test_parse_unknown_format_name():
    with pytest.raises(InputError) as caught:
        parsers.parse(b"", "x", format="excel")

    assert "gnettrack_txt" in caught.value.fix


def test_parse_unknown_timezone():
    with pytest.raises(InputError) as caught:
        parsers.parse(gnettrack_log(lte_row()), "x.txt", timezone="Europe/Pariss")

    assert "Europe/Pariss" in caught.value.message


# --- native CSV -------------------------------------------------------------------------------


FRENCH_CSV = (
    "time;x_m;y_m;level;plmn;operator;technology;serving;rsrp_dbm;rsrq_db;sinr_db;band;device_model\r\n"
    "15/06/2026 10:15:00;12,5;3,25;Rez-de-chaussée;208-20;Bouygues;4G;oui;-97,5;-11,5;3,5;B20;Pixel 7\r\n"
    "2026-12-15 10:16:00;13;4;R+1;20810;;lte;non;-101;-12;;;Pixel 7\r\n"
)


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")])
def test_native_csv_french_dialect(encoding, bom):
    data = bom + FRENCH_CSV.encode(encoding)

    result = parsers.parse(data, "releve.csv")

    assert result.format == "native_csv"
    assert result.errors == []
    samples = result.samples
    first, second = samples.iloc[0], samples.iloc[1]
    assert first["time"] == pd.Timestamp("2026-06-15T08:15:00Z")  # 10:15 in summer time, UTC+2
    assert second["time"] == pd.Timestamp("2026-12-15T09:16:00Z")  # 10:16 in winter time, UTC+1
    assert first["x_m"] == 12.5
    assert first["y_m"] == 3.25
    assert first["rsrp_dbm"] == -97.5
    assert first["rsrq_db"] == -11.5
    assert first["sinr_db"] == 3.5
    assert first["operator"] == "Bouygues Telecom"  # the shipped name of 208-20 wins over the file's
    assert second["operator"] == "SFR"
    assert second["plmn"] == "208-10"
    assert samples["technology"].tolist() == ["lte", "lte"]
    assert samples["serving"].tolist() == [True, False]
    assert samples["position_source"].tolist() == ["xy", "xy"]
    assert samples["service"].tolist() == ["in_service", "in_service"]
    assert samples["row_number"].tolist() == [2, 3]
    assert result.extra["level"].tolist() == ["Rez-de-chaussée", "R+1"]


def test_native_csv_comma_dialect():
    data = b"time,rsrp_dbm,technology,service,plmn\n2026-01-05T09:00:00+01:00,-88.5,lte,in_service,208-01\n"

    result = parsers.parse(data, "native.csv")

    sample = result.samples.iloc[0]
    assert sample["time"] == pd.Timestamp("2026-01-05T08:00:00Z")
    assert sample["rsrp_dbm"] == -88.5
    assert sample["position_source"] == "none"
    assert sample["operator"] == "Orange"
    assert "level" not in result.extra


def test_native_csv_dtypes_match_contract():
    samples = parsers.parse(FRENCH_CSV.encode("utf-8"), "releve.csv").samples

    for column, dtype in SAMPLE_DTYPES.items():
        assert samples[column].dtype == dtype, column


def test_native_csv_out_of_range_rejected():
    data = (
        b"time;rsrp_dbm;technology\n"
        b"2026-01-05T09:00:00Z;-90;lte\n"
        b"2026-01-05T09:00:01Z;-20;lte\n"
        b"2026-01-05T09:00:02Z;-95;lte\n"
    )

    result = parsers.parse(data, "range.csv")

    assert len(result.samples) == 2
    assert result.rows == 3
    [error] = result.errors
    assert error.line == 3
    assert error.column == "rsrp_dbm"
    assert error.value == "-20"
    assert "-156 to -31 dBm" in error.reason
    assert_accounted(result)


def test_native_csv_invalid_values_rejected():
    data = (
        b"time,rsrp_dbm,technology,serving,service,call_test,cell_id\n"
        b"yesterday,-90,lte,true,in_service,ok,1\n"
        b"2026-01-05T09:00:01Z,-90,6g,true,in_service,ok,1\n"
        b"2026-01-05T09:00:02Z,-90,lte,maybe,in_service,ok,1\n"
        b"2026-01-05T09:00:03Z,-90,lte,true,roaming,ok,1\n"
        b"2026-01-05T09:00:04Z,-90,lte,true,in_service,busy,1.5\n"
        b"2026-01-05T09:00:05Z,2147483647,lte,true,no_service,,\n"
    )

    result = parsers.parse(data, "bad.csv")

    columns = sorted((error.line, error.column) for error in result.errors)
    assert columns == [
        (2, "time"),
        (3, "technology"),
        (4, "serving"),
        (5, "service"),
        (6, "call_test"),
        (6, "cell_id"),
    ]
    assert result.rows == 6
    assert result.rejected == 5
    # Android's "unavailable" value is read as missing, not as a signal of +2 GW.
    [kept] = result.samples.itertuples()
    assert np.isnan(kept.rsrp_dbm)
    assert kept.service == "no_service"


def test_native_csv_missing_service_inferred():
    data = b"time,rsrp_dbm,plmn\n2026-01-05T09:00:00Z,-90,208-01\n2026-01-05T09:00:01Z,,208-01\n"

    result = parsers.parse(data, "x.csv")

    assert result.samples["service"].tolist() == ["in_service", "unknown"]
    assert any("in service" in note for note in result.notes)


def test_native_csv_half_position_rejected():
    data = b"time,x_m,y_m,rsrp_dbm\n2026-01-05T09:00:00Z,3.5,,-90\n"

    result = parsers.parse(data, "x.csv")

    assert result.samples.empty
    assert result.errors[0].column == "x_m"


def test_native_csv_quoted_fields():
    data = b'time,operator,rsrp_dbm,band\n"2026-01-05T09:00:00Z","Free, mobile",-90,"n78"\n'

    sample = parsers.parse(data, "quoted.csv").samples.iloc[0]

    assert sample["operator"] == "Free, mobile"
    assert sample["band"] == "n78"


def test_native_csv_dst_notes():
    data = b"time;rsrp_dbm\n2026-10-25 02:30:00;-90\n2026-03-29 02:30:00;-91\n2026-03-29T04:00:00+02:00;-92\n"

    result = parsers.parse(data, "dst.csv", timezone="Europe/Paris")

    assert result.samples["time"].tolist() == [
        pd.Timestamp("2026-10-25T00:30:00Z"),
        pd.Timestamp("2026-03-29T01:30:00Z"),
        pd.Timestamp("2026-03-29T02:00:00Z"),
    ]
    fold_notes = [note for note in result.notes if "repeated hour" in note]
    gap_notes = [note for note in result.notes if "skipped" in note]
    assert len(fold_notes) == 1
    assert fold_notes[0].startswith("1 row ")
    assert len(gap_notes) == 1
    assert gap_notes[0].startswith("1 row ")


def test_times_beyond_range_or_malformed_rejected():
    # Years a timestamp cannot hold, and a zone after a one-digit minute, mixed with good rows.
    data = (
        b"time;rsrp_dbm\n2300-01-01 10:00:00;-90\n2026-03-01T10:00:00+01:00;-91\n"
        b"1996-12-19T16:9:57-08:00;-92\n1600-01-01 00:00:00;-93\n2300-01-01T10:00:00Z;-94\n2026-03-01 11:00:00;-95\n"
    )

    result = parsers.parse(data, "typos.csv", timezone="Europe/Paris")

    assert result.samples["time"].tolist() == [pd.Timestamp("2026-03-01T09:00:00Z"), pd.Timestamp("2026-03-01T10:00:00Z")]
    assert [(error.line, error.column) for error in result.errors] == [(2, "time"), (4, "time"), (5, "time"), (6, "time")]


def test_native_csv_notes_translated():
    data = b"time;rsrp_dbm\n2026-10-25 02:30:00;-90\n"
    token = set_language("fr")
    try:
        result = parsers.parse(data, "dst.csv")
    finally:
        reset_language(token)

    assert any("première occurrence" in note for note in result.notes)


# --- native JSON ------------------------------------------------------------------------------


def test_native_json_batch_with_ids():
    batch = {
        "samples": [
            {"id": "p1-0001", "time": "2026-01-05T09:00:00Z", "x_m": 1.5, "y_m": 2, "rsrp_dbm": -90},
            {"id": "p1-0002", "time": "2026-01-05T09:00:01Z", "rsrp_dbm": -200, "technology": "lte"},
            {"time": "2026-01-05T09:00:02Z", "rsrp_dbm": -91, "technology": "lte"},
            {"id": "p1-0001", "time": "2026-01-05T09:00:03Z", "rsrp_dbm": -92, "technology": "lte"},
            {"id": "p1-0005", "time": 1767603604000, "rsrp_dbm": -93.5, "serving": False},
            "not an object",
        ]
    }

    result = parsers.parse(json.dumps(batch).encode(), "batch.json")

    assert result.format == "native_json"
    assert result.extra["client_ids"] == ["p1-0001", "p1-0005"]
    assert result.samples["row_number"].tolist() == [1, 5]
    assert result.samples["rsrp_dbm"].tolist() == [-90, -93.5]
    assert result.samples["time"].tolist()[1] == pd.Timestamp("2026-01-05T09:00:04Z")
    assert result.samples["serving"].tolist() == [True, False]
    assert result.samples["position_source"].tolist() == ["xy", "none"]
    reasons = {error.line: error for error in result.errors}
    assert sorted(reasons) == [2, 3, 4, 6]
    assert reasons[2].column == "rsrp_dbm"
    assert reasons[3].column == "id"
    assert reasons[4].value == "p1-0001"
    assert result.rows == 6
    assert_accounted(result)


def test_native_json_bare_list():
    batch = [{"id": "a", "time": "2026-01-05T09:00:00Z", "rscp_dbm": -80, "technology": "umts", "level": "2"}]

    result = parsers.parse(json.dumps(batch).encode(), "list.json")

    assert result.samples["signal_dbm"].tolist() == [-80]
    assert result.extra["client_ids"] == ["a"]
    assert result.extra["level"].tolist() == ["2"]


def test_native_json_invalid_json():
    with pytest.raises(FormatError):
        parsers.parse(b'{"samples": [', "broken.json", format="native_json")


# --- privacy ----------------------------------------------------------------------------------


def test_blank_identifiers_native_csv():
    data = (
        b"time,imei,rsrp_dbm,IP,device_model\r\n"
        b"2026-01-05T09:00:00Z,356938035643809,-90,10.1.2.3,Pixel 7\r\n"
        b"\r\n"
        b'2026-01-05T09:00:01Z,"356938035643810",-91,"10.1.2.4","Pixel, 7"\r\n'
    )

    blanked = parsers.blank_identifiers(data, "native_csv")
    result = parsers.parse(data, "private.csv")

    assert blanked.count(b"\r\n") == data.count(b"\r\n")
    assert b"3569380356438" not in blanked
    assert b"10.1.2." not in blanked
    assert blanked.splitlines()[0] == b"time,imei,rsrp_dbm,IP,device_model"
    assert blanked.splitlines()[1] == b"2026-01-05T09:00:00Z,,-91,,Pixel 7".replace(b"-91", b"-90")
    assert parsers.parse(blanked, "private.csv").samples["rsrp_dbm"].tolist() == [-90, -91]
    text = result.samples.astype(str).to_string()
    assert "356938035643809" not in text
    assert "10.1.2.3" not in text
    assert not any("imei" in note.lower() for note in result.notes)


def test_blank_identifiers_native_json():
    data = (
        b'{"samples": [\n {"id": "a", "time": "2026-01-05T09:00:00Z", "imei": "356938035643809",\n'
        b'  "rsrp_dbm": -90, "ssid": "HOPITAL-WIFI"}\n]}\n'
    )

    blanked = parsers.blank_identifiers(data, "native_json")

    assert blanked.count(b"\n") == data.count(b"\n")
    assert b"356938035643809" not in blanked
    assert b"HOPITAL-WIFI" not in blanked
    assert json.loads(blanked)["samples"][0]["rsrp_dbm"] == -90


def test_blank_identifiers_gnettrack_unchanged_without_private_columns(realdata):
    data = (realdata / "logs" / "gnettrack" / "Yas_log.txt").read_bytes()

    assert parsers.blank_identifiers(data, "gnettrack_txt") == data


def test_blank_identifiers_gnettrack_columns():
    header = GNETTRACK_HEADER + "\tIMEI\tIP"
    data = gnettrack_log(lte_row() + "\t356938035643809\t10.0.0.7", header=header)

    blanked = parsers.blank_identifiers(data, "gnettrack_txt")

    assert b"356938035643809" not in blanked
    assert b"10.0.0.7" not in blanked
    assert blanked.count(b"\t") == data.count(b"\t")
    assert parsers.parse(blanked, "x.txt").samples["rsrp_dbm"].tolist() == [-95]


def test_binary_upload_is_unrecognized_not_a_crash():
    # A carriage return inside the first line made the header splitter raise csv.Error.
    data = b"GIF89a\x01\x00\rx\x00,\x80;\t\x00\r\x00\n" + bytes(range(256)) * 4
    with pytest.raises(FormatError):
        parsers.detect_format(data, "photo.png")


def test_huge_or_infinite_numbers_rejected():
    # An exponent past the float range, a whole number too large for any identifier, "inf".
    data = (
        b"time;rsrp_dbm;arfcn\n2026-03-01 10:00:00;-90;1E637\n2026-03-01 10:00:01;-91;1E300\n"
        b"2026-03-01 10:00:02;inf;6300\n2026-03-01 10:00:03;-93;6300\n"
    )

    result = parsers.parse(data, "huge.csv", timezone="Europe/Paris")

    assert result.samples["arfcn"].tolist() == [6300]
    assert [(error.line, error.column) for error in result.errors] == [(2, "arfcn"), (3, "arfcn"), (4, "rsrp_dbm")]


def test_unknown_content_lists_formats_in_french():
    token = set_language("fr")
    try:
        with pytest.raises(FormatError) as raised:
            parsers.parse(b"hello world\nfoo bar\n", "x.txt")
    finally:
        reset_language(token)
    assert "CSV avec une correspondance de colonnes" in str(raised.value)
    assert "column mapping" not in str(raised.value)
