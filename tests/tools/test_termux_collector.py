"""The Termux collector script, run with POSIX sh and fake termux-telephony-* commands.

The fake ``termux-telephony-cellinfo`` prints the real termux-api sample output (one LTE
neighbour cell); the fake ``termux-telephony-deviceinfo`` prints identifiers that must never
reach the recording. Uploads go to a uvicorn server of the app on 127.0.0.1, on a free port,
with its own SQLite database.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pandas as pd
import pytest

from survey import parsers

REPOSITORY = Path(__file__).resolve().parents[2]
COLLECTOR = REPOSITORY / "tools" / "termux" / "zoneblanche-collect"
IMEI = "356938035643809"
IMSI = "208011234567890"
PHONE_NUMBER = "+33612345678"
DEVICE_INFO = {
    "device_id": IMEI,
    "sim_operator": "20801",
    "sim_operator_name": "Orange F",
    "sim_serial_number": "89330123456789012345",
    "subscriber_id": IMSI,
    "line1_number": PHONE_NUMBER,
}

pytestmark = pytest.mark.skipif(shutil.which("sh") is None or shutil.which("curl") is None, reason="needs sh and curl")


def write_command(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def phone(tmp_path, realdata) -> dict:
    """Return the environment of a fake phone: termux-telephony-* and getprop first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cells = realdata / "logs" / "termux" / "termux-api_pr775_lte_neighbour.json"
    write_command(bin_dir, "termux-telephony-cellinfo", f"cat '{cells}'")
    write_command(bin_dir, "termux-telephony-deviceinfo", f"cat <<'EOF'\n{json.dumps(DEVICE_INFO, indent=2)}\nEOF")
    write_command(bin_dir, "getprop", 'echo "Pixel 7 \\"Pro\\""')
    home = tmp_path / "home"
    home.mkdir()
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(home)}
    for name in list(environment):
        if name.startswith("ZB_"):
            del environment[name]
    return {"env": environment, "bin": bin_dir, "dir": tmp_path / "recordings"}


def collect(phone: dict, *options: str, timeout: float = 60) -> subprocess.CompletedProcess:
    command = ["sh", str(COLLECTOR), "--dir", str(phone["dir"]), *options]
    return subprocess.run(command, env=phone["env"], capture_output=True, text=True, timeout=timeout)


def files(folder: Path, suffix: str) -> list[Path]:
    return sorted(path for path in folder.iterdir() if path.name.endswith(suffix))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    """Start ``zoneblanche serve`` on 127.0.0.1 with a fresh SQLite database; yield its URL."""
    port = free_port()
    database = f"sqlite:///{tmp_path / 'server.db'}"
    command = [sys.executable, "-c", "from api.cli import main; main()", "--db", database, "--lang", "en",
               "serve", "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    log = tmp_path / "server.log"
    with log.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(command, cwd=REPOSITORY, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(encoding="utf-8")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def create_survey(url: str) -> int:
    site = httpx.post(f"{url}/api/v1/sites", json={"name": "CH Test", "timezone": "Europe/Paris"})
    assert site.status_code == 201, site.text
    survey = httpx.post(f"{url}/api/v1/sites/{site.json()['id']}/surveys", json={"name": "Termux", "technician": "Camille"})
    assert survey.status_code == 201, survey.text
    return survey.json()["id"]


def uploads(url: str, survey_id: int) -> list[dict]:
    return httpx.get(f"{url}/api/v1/surveys/{survey_id}").json()["uploads"]


# --- recording ------------------------------------------------------------------------------


def test_collector_records_json_lines(phone):
    started = time.monotonic()
    completed = collect(phone, "--count", "3", "--no-upload")
    elapsed = time.monotonic() - started

    assert completed.returncode == 0, completed.stderr
    # Three samples one second apart.
    assert 1.5 < elapsed < 10
    [recording] = files(phone["dir"], ".jsonl")
    lines = recording.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert all(record["cells"][0]["pci"] == 158 for record in records)
    assert all(record["sim_operator"] == "20801" for record in records)
    assert all(record["device_model"] == 'Pixel 7 "Pro"' for record in records)
    times = [pd.Timestamp(record["time"]) for record in records]
    assert all(time.tzinfo is not None for time in times)
    assert 0.5 <= (times[-1] - times[0]).total_seconds() <= 4
    assert not files(phone["dir"], ".part")


def test_collector_records_nothing_private(phone):
    collect(phone, "--once", "--no-upload")

    [recording] = files(phone["dir"], ".jsonl")
    text = recording.read_text(encoding="utf-8")
    for secret in (IMEI, IMSI, PHONE_NUMBER, DEVICE_INFO["sim_serial_number"]):
        assert secret not in text


def test_collector_lines_parse(phone):
    collect(phone, "--count", "3", "--no-upload")
    [recording] = files(phone["dir"], ".jsonl")

    result = parsers.parse(recording.read_bytes(), recording.name)

    assert result.format == "termux_cellinfo"
    assert result.rows == 3
    assert len(result.samples) == 3
    assert result.errors == []
    samples = result.samples
    assert samples["row_number"].tolist() == [1, 2, 3]
    assert samples["rsrp_dbm"].tolist() == [-107, -107, -107]
    assert samples["arfcn"].tolist() == [500, 500, 500]
    assert not samples["serving"].any()
    assert set(samples["device_model"]) == {'Pixel 7 "Pro"'}


def test_collector_without_cells_names_sim_operator(phone):
    write_command(phone["bin"], "termux-telephony-cellinfo", "echo '[]'")

    collect(phone, "--once", "--no-upload")

    [recording] = files(phone["dir"], ".jsonl")
    samples = parsers.parse(recording.read_bytes(), recording.name).samples
    assert samples["service"].tolist() == ["unknown"]
    assert samples["plmn"].tolist() == ["208-01"]
    assert samples["operator"].tolist() == ["Orange"]


def test_collector_skips_failed_calls(phone):
    write_command(phone["bin"], "termux-telephony-cellinfo", "echo 'Error: permission denied' >&2; exit 1")

    completed = collect(phone, "--count", "2", "--no-upload", timeout=20)

    assert completed.returncode == 0
    assert "gave no cell list" in completed.stderr
    assert not files(phone["dir"], ".jsonl")


def test_collector_rejects_bad_option(phone):
    completed = collect(phone, "--count", "many")

    assert completed.returncode == 2
    assert "--count must be a whole number" in completed.stderr


# --- upload ---------------------------------------------------------------------------------


def test_collector_uploads_to_server(phone, server):
    survey_id = create_survey(server)

    completed = collect(phone, "--count", "2", "--server", server, "--survey", str(survey_id))

    assert completed.returncode == 0, completed.stderr
    assert not files(phone["dir"], ".jsonl")
    [sent] = files(phone["dir"], ".jsonl.sent")
    [upload] = uploads(server, survey_id)
    assert upload["format"] == "termux_cellinfo"
    assert upload["filename"] == sent.name.removesuffix(".sent")
    assert upload["report"]["rows"] == 2
    assert upload["report"]["accepted"] == 2


def test_collector_upload_twice_harmless(phone, server):
    survey_id = create_survey(server)
    collect(phone, "--count", "2", "--server", server, "--survey", str(survey_id))
    [sent] = files(phone["dir"], ".jsonl.sent")
    shutil.copy(sent, sent.with_name(sent.name.removesuffix(".sent")))

    completed = collect(phone, "--upload", "--server", server, "--survey", str(survey_id))

    assert completed.returncode == 0, completed.stderr
    assert not files(phone["dir"], ".jsonl")
    assert len(uploads(server, survey_id)) == 1


def test_collector_keeps_files_until_network(phone, server):
    survey_id = create_survey(server)
    unreachable = f"http://127.0.0.1:{free_port()}"

    recorded = collect(phone, "--count", "2", "--server", unreachable, "--survey", str(survey_id), "--tries", "1")
    [pending] = files(phone["dir"], ".jsonl")
    retried = collect(phone, "--upload", "--server", unreachable, "--survey", str(survey_id), "--tries", "1")
    back = collect(phone, "--upload", "--server", server, "--survey", str(survey_id))

    assert recorded.returncode == 0
    assert "stays pending" in recorded.stderr
    assert retried.returncode == 1
    assert back.returncode == 0, back.stderr
    assert files(phone["dir"], ".jsonl.sent") == [pending.with_name(pending.name + ".sent")]
    assert uploads(server, survey_id)[0]["report"]["accepted"] == 2


def test_collector_rejected_file_kept_aside(phone, server):
    create_survey(server)

    completed = collect(phone, "--once", "--server", server, "--survey", "999")

    assert completed.returncode == 0
    [failed] = files(phone["dir"], ".jsonl.failed")
    answer = json.loads(failed.with_name(failed.name + ".json").read_text(encoding="utf-8"))
    assert answer["error"]["code"] == "not_found"
    assert not files(phone["dir"], ".jsonl")


def test_collector_uploads_with_track(phone, server, tmp_path):
    survey_id = create_survey(server)
    site_id = httpx.get(f"{server}/api/v1/surveys/{survey_id}").json()["site"]["id"]
    ring = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    plan = {"type": "FeatureCollection", "level": {"name": "RDC", "ordinal": 0}, "features": [
        {"type": "Feature", "properties": {"ref": "R-001", "name": "Accueil"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    ]}  # fmt: skip
    imported = httpx.post(f"{server}/api/v1/sites/{site_id}/plans", files={"file": ("rdc.geojson", json.dumps(plan).encode())})
    assert imported.status_code == 200, imported.text
    now = datetime.now(timezone.utc)
    track = tmp_path / "track.csv"
    track.write_text(f"time,x_m,y_m\n{(now - timedelta(minutes=2)).isoformat()},1,1\n{(now + timedelta(minutes=10)).isoformat()},9,9\n")

    completed = collect(phone, "--count", "2", "--server", server, "--survey", str(survey_id), "--track", str(track), "--level", "RDC")

    assert completed.returncode == 0, completed.stderr
    report = next(upload for upload in uploads(server, survey_id) if upload["kind"] == "log")["report"]
    assert report["accepted"] == 2
    assert report["unplaced"] == 0



def test_collector_rotates_and_uploads_while_recording(phone, server):
    survey_id = create_survey(server)

    completed = collect(phone, "--count", "4", "--rotate", "1", "--server", server, "--survey", str(survey_id))

    assert completed.returncode == 0, completed.stderr
    sent = files(phone["dir"], ".jsonl.sent")
    assert len(sent) >= 2
    assert not files(phone["dir"], ".jsonl")
    assert not files(phone["dir"], ".part")
    received = uploads(server, survey_id)
    assert len(received) == len(sent)
    assert sum(upload["report"]["accepted"] for upload in received) == 4
