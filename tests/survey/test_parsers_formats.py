"""Log parsers beyond G-NetTrack TXT and the native formats: Nemo, KML, termux, Network Survey,
Tower Collector, mapped CSV, archives and files without measurements."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from survey import parsers
from survey.errors import FormatError, InputError
from survey.i18n import reset_language, set_language


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that assertions on their wording hold."""
    token = set_language("en")
    yield
    reset_language(token)


def read(realdata, folder: str, name: str) -> bytes:
    return (realdata / "logs" / folder / name).read_bytes()


# --- Nemo ---------------------------------------------------------------------------------------

NEMO_UE = "PSUL_LTE-TDD_UE_sample.1.nmf"


def test_nemo_cellmeas_counts(realdata):
    data = read(realdata, "nemo", NEMO_UE)

    result = parsers.parse(data, "drive.txt")

    samples = result.samples
    assert result.format == "nemo_nmf"
    assert result.rows == 35
    assert len(samples) == 35
    assert result.errors == []
    # 7 LTE CELLMEAS records: 6 with a serving cell and 28 neighbours, 1 with zero cells.
    assert int(samples["serving"].sum()) == 7
    assert int((samples["service"] == "no_service").sum()) == 1
    assert samples["technology"].value_counts()["lte"] == 34
    assert int((samples["row_number"] == 65).sum()) == 8
    assert set(samples["plmn"]) == {"001-01"}
    assert set(samples["device_model"]) == {"SONY G8142"}


def test_nemo_first_sample(realdata):
    result = parsers.parse(read(realdata, "nemo", NEMO_UE), NEMO_UE)
    first = result.samples.iloc[0]

    # 09:56:28.408 on 11.10.2018 with #UT 420 minutes (UTC+7).
    assert first["time"] == pd.Timestamp("2018-10-11T02:56:28.408Z")
    assert first["row_number"] == 38
    assert first["rsrp_dbm"] == -111.7
    assert first["rsrq_db"] == -20.4
    assert first["rssi_dbm"] == -71.1
    assert first["sinr_db"] == -2.4
    assert first["pci"] == 242
    assert first["arfcn"] == 39050
    assert any("#UT" in note for note in result.notes)
    assert any("Wi-Fi" in note for note in result.notes)


def test_nemo_no_service_record(realdata):
    samples = parsers.parse(read(realdata, "nemo", NEMO_UE), NEMO_UE).samples
    last = samples.iloc[-1]

    assert last["row_number"] == 212
    assert last["service"] == "no_service"
    assert np.isnan(last["rsrp_dbm"])


def test_nemo_gps_aligned(realdata):
    result = parsers.parse(read(realdata, "nemo", NEMO_UE), NEMO_UE)
    gps = result.extra["gps"]

    assert len(gps) == len(result.samples)
    assert np.isnan(gps.iloc[0]["lon"])  # before the first fix
    assert gps.iloc[-1].tolist() == [100.501228, 13.637980]  # the last fix, longitude first


def test_nemo_scanner_has_no_samples(realdata):
    result = parsers.parse(read(realdata, "nemo", "Scanner_LTE-TDD_sample.5.nmf"), "scan.nmf")

    assert result.rows == 0
    assert result.samples.empty
    assert any("scanner" in note for note in result.notes)


def test_nemo_blank_identifiers(realdata):
    data = read(realdata, "nemo", NEMO_UE)

    blanked = parsers.blank_identifiers(data, "nemo_nmf")

    lines = blanked.decode().split("\n")
    assert blanked.count(b"\n") == data.count(b"\n")
    assert '#EI,,,""' in lines
    assert '#SI,,,""' in lines
    assert b"ap-one" not in blanked
    assert b"02:00:00:00:00:01" not in blanked
    assert parsers.parse(blanked, NEMO_UE).rows == 35


# --- G-NetTrack KML -------------------------------------------------------------------------------

KML = "Open5GS_2026.05.21_16.26.40_csirsrp.kml"


def test_kml_units_stripped(realdata):
    result = parsers.parse(read(realdata, "gnettrack", KML), KML)
    samples = result.samples

    assert result.format == "gnettrack_kml"
    assert result.rows == 35
    assert len(samples) == 35
    assert set(samples["technology"]) == {"nr"}
    assert samples["rsrp_dbm"].max() == -72
    assert samples["rsrp_dbm"].min() == -95
    assert samples.iloc[0]["time"] == pd.Timestamp("2026-05-21T14:26:40Z")
    assert samples.iloc[0]["cell_id"] == 6733824
    assert samples.iloc[0]["band"] == "N77"
    assert set(samples["plmn"]) == {"001-01"}
    assert result.extra["gps"].iloc[0]["lon"] == pytest.approx(29.458765145391226)


def test_kml_blank_identifiers(realdata):
    data = read(realdata, "gnettrack", KML)

    blanked = parsers.blank_identifiers(data, "gnettrack_kml")

    assert b"10.45.0." in data
    assert b"10.45.0." not in blanked
    assert blanked.count(b'<Data name="IP"><value></value>') == 35
    assert len(parsers.parse(blanked, KML).samples) == 35


# --- termux ---------------------------------------------------------------------------------------


def test_termux_array_without_time(realdata):
    with pytest.raises(FormatError) as caught:
        parsers.parse(read(realdata, "termux", "termux-api_pr775_lte_neighbour.json"), "cells.json")

    assert "no time" in caught.value.message
    assert '"cells"' in caught.value.fix


def test_termux_invalid_json_line(realdata):
    with pytest.raises(FormatError) as caught:
        parsers.parse(read(realdata, "termux", "termux-api_pr775_comment_excerpt.txt"), "excerpt.txt")

    assert caught.value.line == 2


def test_termux_json_lines(realdata):
    [neighbour] = json.loads(read(realdata, "termux", "termux-api_pr775_lte_neighbour.json"))
    serving = {"type": "lte", "registered": True, "dbm": -95, "rsrp": -95, "rsrq": -9, "ci": 1234567,
               "pci": 12, "tac": 7000, "mcc": 208, "mnc": 1, "rssi": 2147483647}
    lines = [
        {"time": "2026-11-03T09:15:00+01:00", "cells": [serving, neighbour]},
        {"time": "2026-11-03T09:15:05+01:00", "cells": []},
        {"time": "2026-11-03T09:15:10+01:00", "cells": [{"type": "cdma", "registered": True}]},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()

    result = parsers.parse(data, "walk.jsonl")

    samples = result.samples
    assert result.format == "termux_cellinfo"
    assert len(samples) == 3
    assert samples["row_number"].tolist() == [1, 1, 2]
    assert samples["serving"].tolist() == [True, False, True]
    assert samples["service"].tolist() == ["in_service", "in_service", "unknown"]
    assert samples.iloc[0]["plmn"] == "208-01"
    assert samples.iloc[0]["operator"] == "Orange"
    assert samples.iloc[0]["cell_id"] == 1234567
    assert np.isnan(samples.iloc[0]["rssi_dbm"])  # 2147483647: unavailable
    assert samples.iloc[1]["rsrp_dbm"] == -107
    assert samples.iloc[1]["rssi_dbm"] == -77
    assert samples.iloc[1]["band"] == "B1"
    assert samples.iloc[1]["arfcn"] == 500
    assert pd.isna(samples.iloc[1]["plmn"])
    assert samples.iloc[0]["time"] == pd.Timestamp("2026-11-03T08:15:00Z")
    assert any("CDMA" in note for note in result.notes)


# --- Network Survey -------------------------------------------------------------------------------

NS = "networksurvey/spec-examples"


def test_networksurvey_csv(realdata):
    data = read(realdata, NS, "SYNTHETIC_networksurvey.app_lte_csv_example.csv")

    result = parsers.parse(data, "craxiom-lte.csv")

    assert result.format == "networksurvey_csv"
    [sample] = result.samples.itertuples()
    assert sample.row_number == 4
    assert sample.time == pd.Timestamp("2025-10-10T17:58:27.603261Z")
    assert sample.plmn == "310-260"
    assert sample.operator == "T-Mobile"
    assert sample.technology == "lte"
    assert sample.rsrp_dbm == -112
    assert sample.rsrq_db == -9
    assert sample.sinr_db == -1
    assert sample.cell_id == 12345678
    assert sample.serving
    assert result.extra["gps"].iloc[0].tolist() == [-122.4194, 37.7749]


def test_networksurvey_json_lines(realdata):
    data = read(realdata, NS, "SYNTHETIC_nsm-1.6.0_json-test-fixtures.jsonl")

    result = parsers.parse(data, "stream.json")

    samples = result.samples
    assert result.format == "networksurvey_json"
    assert result.rows == 6
    assert samples["technology"].value_counts().to_dict() == {"gsm": 1, "umts": 2, "lte": 2, "nr": 1}
    nr = samples[samples["technology"] == "nr"].iloc[0]
    assert nr["rsrp_dbm"] == -107.1
    assert nr["sinr_db"] == 14.5
    assert nr["cell_id"] == 52824577  # written as a JSON string
    assert len(result.notes) == 3  # CdmaRecord, DeviceStatus, PhoneState


def test_networksurvey_single_message(realdata):
    result = parsers.parse(read(realdata, NS, "SYNTHETIC_networksurvey.app_mqtt_lte_example.json"), "m.json")

    assert result.samples["plmn"].tolist() == ["311-480"]
    assert result.samples["time"].tolist() == [pd.Timestamp("1996-12-20T00:39:57Z")]


def test_networksurvey_blank_serial(realdata):
    csv_data = read(realdata, NS, "SYNTHETIC_networksurvey.app_lte_csv_example.csv")
    json_data = read(realdata, NS, "SYNTHETIC_nsm-1.6.0_json-test-fixtures.jsonl")

    blanked_csv = parsers.blank_identifiers(csv_data, "networksurvey_csv")
    blanked_json = parsers.blank_identifiers(json_data, "networksurvey_json")

    assert b"1234abc12e56789f" not in blanked_csv
    assert blanked_csv.count(b"\n") == csv_data.count(b"\n")
    assert b"0123456789abcdef" not in blanked_json
    assert blanked_json.count(b"\n") == json_data.count(b"\n")
    assert parsers.parse(blanked_json, "stream.json").rows == 6


# --- Tower Collector ------------------------------------------------------------------------------

TC_V5 = (
    "mcc,mnc,lac,cell_id,short_cell_id,rnc,psc,asu,dbm,ta,lat,lon,accuracy,speed,bearing,altitude,"
    "measured_at,net_type,neighboring,discovered_at,device,rsrp,rsrq,rssi,rssnr,cqi,rscp,csi_rsrp,"
    "csi_rsrq,csi_sinr,ss_rsrp,ss_rsrq,ss_sinr,cdma_dbm,cdma_ecio,evdo_dbm,evdo_ecio,evdo_snr,ec_no,arfcn\r\n"
    '208,15,12345,123456789,21,482253,301,40,-100,,48.85,2.35,5,0,,35,"2026-03-02T10:00:00.000Z",LTE,false,'
    '"2026-03-02T09:59:00.000Z","Fairphone FP4",-100,-12,-70,5,,,,,,,,,,,,,,,1300\r\n'
    '208,15,2147483647,2147483647,,,12,40,-110,,48.85,2.35,5,0,,35,"2026-03-02T10:00:00.000Z",LTE,true,'
    '"2026-03-02T09:59:00.000Z","Fairphone FP4",-110,-15,,,,,,,,,,,,,,,,,1300\r\n'
    '208,15,100,200,,,,20,-90,,48.85,2.35,5,0,,35,"2026-03-02T10:00:01.000Z",CDMA,false,'
    '"2026-03-02T09:59:00.000Z","Fairphone FP4",,,,,,,,,,,,,,,,,,,\r\n'
)
TC_V1 = (
    "mcc,mnc,lac,cell_id,psc,asu,dbm,ta,lat,lon,accuracy,speed,bearing,altitude,measured_at,net_type,"
    "neighboring,device\r\n"
    '208,10,3000,10222,145,20,-73,,48.85,2.35,5,0,,35,"2019-05-01T12:00:00.000Z",UMTS,false,"Nexus 5"\r\n'
)


def test_towercollector_v5():
    result = parsers.parse(TC_V5.encode(), "export.csv")

    samples = result.samples
    assert result.format == "towercollector_csv"
    assert result.rows == 3
    assert len(samples) == 2
    assert samples["serving"].tolist() == [True, False]
    assert samples["plmn"].tolist() == ["208-15", "208-15"]
    assert samples["operator"].tolist() == ["Free", "Free"]
    assert samples["time"].tolist()[0] == pd.Timestamp("2026-03-02T10:00:00Z")
    assert samples.iloc[0]["rsrp_dbm"] == -100
    assert samples.iloc[0]["sinr_db"] == 5
    assert samples.iloc[0]["pci"] == 301
    assert samples.iloc[0]["device_model"] == "Fairphone FP4"
    # mnc, lac and cell_id are always written: 2147483647 means unknown.
    assert pd.isna(samples.iloc[1]["cell_id"])
    assert pd.isna(samples.iloc[1]["tac"])
    [error] = result.errors
    assert error.line == 4
    assert error.column == "technology"
    assert error.value == "CDMA"


def test_towercollector_v1_dbm():
    samples = parsers.parse(TC_V1.encode(), "old.csv").samples

    assert samples["technology"].tolist() == ["umts"]
    assert samples["rscp_dbm"].tolist() == [-73]
    assert samples["signal_dbm"].tolist() == [-73]
    assert pd.isna(samples.iloc[0]["pci"])


# --- CSV with a column mapping --------------------------------------------------------------------

MAPPING = """
[columns]
time = "Horodatage"
x_m = "X"
y_m = "Y"
rsrp_dbm = "RSRP"
technology = "Techno"
plmn = "Opérateur"

[units]
x_m = "cm"
y_m = "cm"

[format]
time = "%d.%m.%Y %Hh%M"

[values.technology]
"4G+" = "lte"
"""


def test_generic_csv_with_mapping():
    mapping = parsers.load_mapping(MAPPING.encode())
    data = (
        "Horodatage;X;Y;RSRP;Techno;Opérateur;Commentaire\n"
        "03.11.2026 09h15;250;1200,5;-97,5;4G+;20820;porte\n"
    )

    result = parsers.parse(data.encode("cp1252"), "export.csv", columns=mapping)

    sample = result.samples.iloc[0]
    assert result.format == "generic_csv"
    assert sample["time"] == pd.Timestamp("2026-11-03T08:15:00Z")
    assert sample["x_m"] == 2.5
    assert sample["y_m"] == pytest.approx(12.005)
    assert sample["rsrp_dbm"] == -97.5
    assert sample["technology"] == "lte"
    assert sample["operator"] == "Bouygues Telecom"
    assert sample["position_source"] == "xy"


def test_generic_csv_missing_column():
    mapping = parsers.load_mapping(MAPPING)

    with pytest.raises(FormatError) as caught:
        parsers.parse(b"Horodatage;RSRP\n03.11.2026 09h15;-90\n", "x.csv", columns=mapping)

    assert "Techno" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "[columns]\nrsrp_dbm = 'RSRP'\n",
        "[columns]\ntime = 'T'\nrsrp = 'RSRP'\n",
        "[columns]\ntime = 'T'\n[units]\nx_m = 'inch'\n",
        "[columns\n",
    ],
)
def test_generic_mapping_invalid(text):
    with pytest.raises(InputError):
        parsers.load_mapping(text)


# --- archives -------------------------------------------------------------------------------------


def zip_of(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def test_gzip_log(realdata):
    data = gzip.compress(read(realdata, "gnettrack", "Yas_log.txt"))

    result = parsers.parse(data, "Yas_log.txt.gz")

    assert result.format == "gnettrack_txt"
    assert result.rows == 2719
    assert result.extra["member"] == "Yas_log.txt"


def test_zip_log_with_companion(realdata):
    data = zip_of(
        ("session/expresso_log.txt", read(realdata, "gnettrack", "expresso_log.txt")),
        ("session/expresso_log_events.txt", read(realdata, "gnettrack", "expresso_log_events.txt")),
        ("__MACOSX/session/._expresso_log.txt", b"\x00\x05"),
    )

    result = parsers.parse(data, "session.zip")
    members = parsers.parse_archive(data, "session.zip")

    assert result.rows == 2955
    assert any("expresso_log_events.txt" in note for note in result.notes)
    names = [member.name for member in members]
    assert names == ["session/expresso_log.txt", "session/expresso_log_events.txt"]
    assert members[0].result.rows == 2955
    assert "holds no measurements" in members[1].error.message


def test_zip_two_logs(realdata):
    data = zip_of(
        ("a.txt", read(realdata, "gnettrack", "Yas_log.txt")),
        ("b.txt", read(realdata, "gnettrack", "Orange_log.txt")),
    )

    with pytest.raises(FormatError):
        parsers.parse(data, "two.zip")
    members = parsers.parse_archive(data, "two.zip")

    assert [member.result.rows for member in members] == [2719, 2625]


def test_zip_blank_identifiers():
    log = b"time,imei,rsrp_dbm\n2026-01-05T09:00:00Z,356938035643809,-90\n"
    data = zip_of(("phone.csv", log))

    blanked = parsers.blank_identifiers(data, "native_csv")

    with zipfile.ZipFile(io.BytesIO(blanked)) as archive:
        content = archive.read("phone.csv")
    assert b"356938035643809" not in content
    assert content.count(b"\n") == 2


def test_damaged_archive():
    with pytest.raises(FormatError):
        parsers.parse(b"PK\x03\x04 not really a zip", "broken.zip")


# --- files without measurements -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "name", "kind"),
    [
        ("netmonster", "NetMonster-PT_268-01_cells.ntm", "NetMonster cell list"),
        ("netmonster", "NetMonster-PT_268-06_cells.ntm", "NetMonster cell list"),
        ("opencellid", "OCID-diff-cell-export-2022-09-10_excerpt.csv", "OpenCelliD cell export"),
    ],
)
def test_cell_lists_rejected(realdata, folder, name, kind):
    with pytest.raises(FormatError) as caught:
        parsers.detect_format(read(realdata, folder, name), name)

    assert kind in caught.value.message
    assert "holds no measurements" in caught.value.message


def test_detect_format_inside_gzip(realdata):
    data = gzip.compress(read(realdata, "gnettrack", "Orange_log.txt"))

    assert parsers.detect_format(data, "Orange_log.txt.gz") == "gnettrack_txt"


def test_zip_without_log_lists_reasons(realdata):
    data = zip_of(("Yas_log_events.txt", read(realdata, "gnettrack", "Yas_log_events.txt")))

    with pytest.raises(FormatError) as caught:
        parsers.parse(data, "events.zip")

    assert "Yas_log_events.txt" in caught.value.message
    assert "holds no measurements" in caught.value.message


def test_excel_workbook_rejected(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.append(["time", "rsrp_dbm"])
    workbook.save(tmp_path / "releve.xlsx")

    with pytest.raises(FormatError) as caught:
        parsers.parse((tmp_path / "releve.xlsx").read_bytes(), "releve.xlsx")

    assert "Excel" in caught.value.message
    assert "CSV" in caught.value.fix


def test_termux_line_without_cells():
    data = b'{"time": "2026-11-03T09:15:00+01:00", "cells": []}\n{"time": "2026-11-03T09:15:05+01:00"}\n'

    result = parsers.parse(data, "walk.jsonl", format="termux_cellinfo")

    assert result.rows == 2
    [error] = result.errors
    assert error.line == 2
    assert "cells" in error.reason


def test_nemo_cut_gps_record(realdata):
    original = read(realdata, "nemo", NEMO_UE)
    cut = original.replace(b"GPS,09:56:29.014,,100.501144,13.638184,2,8,1,9,27,1.80,0.90,1.60,1", b"GPS,09:56:29.014")

    before = parsers.parse(original, NEMO_UE).extra["gps"]
    after = parsers.parse(cut, NEMO_UE).extra["gps"]

    # The three samples whose last fix was the cut one have none before it; the others keep theirs.
    lost = before["lon"].notna() & after["lon"].isna()
    assert lost.sum() == 3
    assert after[~lost].equals(before[~lost])


def test_nemo_clock_read_as_duration_rejected(realdata):
    # pandas would read "1d" as a one-day duration; a Nemo clock is a time of day.
    data = read(realdata, "nemo", NEMO_UE).replace(b"CELLMEAS,09:56:28.408,", b"CELLMEAS,1d,", 1)

    result = parsers.parse(data, NEMO_UE)

    assert result.rows == 35
    assert len(result.samples) == 34
    assert [(error.line, error.column) for error in result.errors] == [(38, "time")]
