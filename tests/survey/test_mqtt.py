"""The MQTT listener against the real Mosquitto broker on 127.0.0.1:1883.

Each test publishes on its own topic under ``zoneblanche-test/<random>/`` so that tests and
other clients of the broker do not see each other's messages. Without a broker the tests are
skipped, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from survey.errors import InputError
from survey.i18n import reset_language, set_language
from survey.ingest import IngestOptions
from survey.models import Sample, Upload
from survey.mqtt import Broker, Listener, ListenOptions, check_message, parse_broker_url, survey_ingester
from survey.sites import create_site
from survey.store import Store

BROKER_HOST, BROKER_PORT = "127.0.0.1", 1883
REPOSITORY = Path(__file__).resolve().parents[2]
NS = "networksurvey/spec-examples"
SITE = "CH Test"


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that assertions on their wording hold."""
    token = set_language("en")
    yield
    reset_language(token)


@pytest.fixture
def broker() -> Broker:
    """Return the local broker; skip (fail under CI=true) when no broker accepts a connection on 127.0.0.1:1883."""
    try:
        with socket.create_connection((BROKER_HOST, BROKER_PORT), timeout=2):
            pass
    except OSError as error:
        message = f"no MQTT broker answers on {BROKER_HOST}:{BROKER_PORT} ({error}); start mosquitto"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Broker(BROKER_HOST, BROKER_PORT)


@pytest.fixture
def topic_root() -> str:
    return f"zoneblanche-test/{uuid.uuid4().hex[:12]}"


@pytest.fixture
def store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'mqtt.db'}")
    with store.session() as session:
        create_site(session, SITE)
    yield store
    store.dispose()


def real_messages(realdata) -> list[bytes]:
    """Return the manual's MQTT LteRecord and the ten protobuf-JSON fixture messages, one payload each."""
    folder = realdata / "logs" / NS
    single = (folder / "SYNTHETIC_networksurvey.app_mqtt_lte_example.json").read_bytes().strip()
    lines = (folder / "SYNTHETIC_nsm-1.6.0_json-test-fixtures.jsonl").read_bytes().splitlines()
    return [single, *(line for line in lines if line.strip())]


def topic_of(payload: bytes, root: str) -> str:
    """Return the topic the app would use for a message: ``<root>/<type>_message``."""
    kind = json.loads(payload)["messageType"].removesuffix("Record").lower()
    return f"{root}/{kind}_message"


def publish(payloads: list[tuple[str, bytes]]) -> None:
    """Publish each (topic, payload) with QoS 1 and wait until the broker has them all."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.connect(BROKER_HOST, BROKER_PORT)
    client.loop_start()
    try:
        for topic, payload in payloads:
            client.publish(topic, payload, qos=1).wait_for_publish(timeout=10)
    finally:
        client.disconnect()
        client.loop_stop()


def start(listener: Listener) -> tuple[threading.Thread, dict]:
    """Run a listener in a thread; return the thread and a dict that receives its report."""
    result: dict = {}

    def target() -> None:
        result["report"] = listener.run()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    assert listener.subscribed.wait(timeout=15), "the listener did not subscribe"
    return thread, result


def stored_samples(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(Sample))


# --- broker URL and message checks ----------------------------------------------------------


def test_broker_url_defaults():
    assert parse_broker_url("mqtt://127.0.0.1") == Broker("127.0.0.1", 1883, False)
    assert parse_broker_url("mqtts://broker.example") == Broker("broker.example", 8883, True)
    assert parse_broker_url("mqtt://localhost:1884").port == 1884


def test_broker_url_password_hidden():
    broker = parse_broker_url("mqtt://tech%40ch:s3cr%3At@127.0.0.1:1883")

    assert broker.username == "tech@ch"
    assert broker.password == "s3cr:t"
    assert broker.display == "mqtt://tech@ch@127.0.0.1:1883"
    assert "s3cr" not in repr(broker)
    assert "s3cr" not in broker.display


@pytest.mark.parametrize("url", ["http://user:hunter2@host", "mqtt://user:hunter2@host:99999", "mqtt://"])
def test_broker_url_invalid(url):
    with pytest.raises(InputError) as caught:
        parse_broker_url(url)

    assert "hunter2" not in caught.value.message


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe", "UTF-8"),
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"messageType": "LteRecord"}', "messageType and data"),
    ],
)
def test_check_message_rejects(payload, reason):
    checked = check_message("t/lte_message", payload)

    assert checked.message is None
    assert reason in checked.reason
    assert checked.topic == "t/lte_message"


def test_check_message_kinds():
    cell = check_message("t", b'{"messageType": "LteRecord", "data": {}}')
    other = check_message("t", b'{"messageType": "DeviceStatus", "data": {}}')

    assert cell.is_cell_record
    assert not other.is_cell_record
    assert other.message is not None


# --- the command line against the real broker -----------------------------------------------


def start_cli_listener(store: Store, topic_root: str, *options: str) -> tuple[subprocess.Popen, list[str]]:
    """Start ``zoneblanche listen`` on ``<topic_root>/#``; return it once subscribed, with its log lines.

    A thread reads the log from standard error into the list until the process closes it.
    """
    command = [
        sys.executable, "-c", "from api.cli import main; main()",
        "--db", store.url, "--lang", "en", "--verbose",
        "listen", "--broker", "mqtt://127.0.0.1:1883", "--topic", f"{topic_root}/#",
        "--site", SITE, "--survey", "Live", "--json", *options,
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log_lines: list[str] = []

    def read_log() -> None:
        with process.stderr:
            log_lines.extend(process.stderr)

    process.log_reader = threading.Thread(target=read_log, daemon=True)
    process.log_reader.start()
    deadline = time.monotonic() + 30
    while not any("subscribed to" in line for line in log_lines):
        assert process.poll() is None, "".join(log_lines)
        assert time.monotonic() < deadline, "".join(log_lines)
        time.sleep(0.1)
    return process, log_lines


def finish(process: subprocess.Popen) -> str:
    """Wait for the listener to exit and for its log thread; return its standard output."""
    process.wait(timeout=60)
    process.log_reader.join(timeout=10)
    with process.stdout:
        return process.stdout.read()


def test_cli_listen_real_messages(broker, realdata, topic_root, store, tmp_path):
    messages = [(topic_of(payload, topic_root), payload) for payload in real_messages(realdata)]
    malformed = [(f"{topic_root}/lte_message", b"{truncated"), (f"{topic_root}/nr_message", b'"a string"')]
    payloads = messages + malformed
    process, log_lines = start_cli_listener(store, topic_root, "--count", str(len(payloads)), "--batch-seconds", "1", "--duration", "60")

    publish(payloads)
    output = finish(process)

    assert process.returncode == 0, "".join(log_lines)
    report = json.loads(output)
    assert report["messages"] == 13
    assert report["stopped_by"] == "count"
    assert report["malformed"] == 2
    # CdmaRecord, two PhoneState and DeviceStatus hold no cell measurement.
    assert report["ignored"] == 4
    assert report["accepted"] == 7
    assert report["rejected"] == 2
    assert report["messages"] == report["accepted"] + report["rejected"] + report["ignored"]
    assert {example["topic"] for example in report["malformed_messages"]} == {topic for topic, _ in malformed}
    assert any("rejected a malformed message on topic" in line and topic_root in line for line in log_lines)
    assert stored_samples(store) == 7
    with store.session() as session:
        raw = b"".join(upload.raw for upload in session.scalars(select(Upload)))
    assert b"0123456789abcdef" not in raw  # deviceSerialNumber blanked in the kept copy


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_cli_listen_signal_flushes_batch(broker, realdata, topic_root, store, stop_signal):
    process, log_lines = start_cli_listener(store, topic_root, "--batch-seconds", "600")
    publish([(f"{topic_root}/lte_message", real_messages(realdata)[0])] * 2)
    time.sleep(1.5)

    process.send_signal(stop_signal)
    output = finish(process)

    assert process.returncode == 0, "".join(log_lines)
    report = json.loads(output)
    assert report["stopped_by"] == "interrupt"
    assert report["messages"] == 2
    assert report["accepted"] == 2
    assert stored_samples(store) == 2


# --- the listener in-process ----------------------------------------------------------------


def test_listener_batches_and_ids(broker, realdata, topic_root, store):
    payload = json.loads(real_messages(realdata)[0])
    first = [(f"{topic_root}/lte_message", json.dumps({**payload, "id": f"rec-{n}"}).encode()) for n in range(3)]
    flushed = threading.Event()
    batches = []

    def on_batch(batch) -> None:
        batches.append(batch)
        flushed.set()

    ingester = survey_ingester(store, SITE, "Live", IngestOptions())
    listener = Listener(broker, ListenOptions(topic=f"{topic_root}/#", batch_seconds=0.5, count=6), ingester)
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(report=listener.run(on_batch)), daemon=True)
    thread.start()
    assert listener.subscribed.wait(timeout=15)

    publish(first)
    assert flushed.wait(timeout=15)
    # The broker redelivers the same records: the ids make them duplicates.
    publish(first)
    thread.join(timeout=30)

    report = result["report"]
    assert report.messages == 6
    assert report.accepted == 3
    assert report.duplicates == 3
    assert report.batches == 2
    assert stored_samples(store) == 3
    assert batches[0].total("accepted") == 3


def test_listener_stop_flushes_last_batch(broker, realdata, topic_root, store):
    payload = real_messages(realdata)[0]
    ingester = survey_ingester(store, SITE, "Live", IngestOptions())
    listener = Listener(broker, ListenOptions(topic=f"{topic_root}/#", batch_seconds=600), ingester)
    thread, result = start(listener)

    publish([(f"{topic_root}/lte_message", payload)] * 2)
    deadline = time.monotonic() + 10
    while listener.report.messages < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    listener.stop()
    thread.join(timeout=15)

    assert result["report"].stopped_by == "stop"
    # Both messages are in one batch, which is ingested when the listener stops.
    assert result["report"].accepted == 2
    assert stored_samples(store) == 2


def test_listener_duration_without_messages(broker, topic_root, store):
    ingester = survey_ingester(store, SITE, "Live", IngestOptions())
    listener = Listener(broker, ListenOptions(topic=f"{topic_root}/#", duration=1.0), ingester)

    report = listener.run()

    assert report.stopped_by == "duration"
    assert report.messages == 0
    assert report.batches == 0


def test_listener_reconnects_after_takeover(broker, realdata, topic_root, store, caplog):
    caplog.set_level(logging.INFO, logger="survey.mqtt")
    client_id = f"zoneblanche-test-{uuid.uuid4().hex[:8]}"
    options = ListenOptions(topic=f"{topic_root}/#", count=1, client_id=client_id, batch_seconds=0.5)
    listener = Listener(broker, options, survey_ingester(store, SITE, "Live", IngestOptions()))
    thread, result = start(listener)

    # A second client with the same id makes the broker close the listener's connection.
    listener.subscribed.clear()
    intruder = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, reconnect_on_failure=False)
    intruder.connect(BROKER_HOST, BROKER_PORT)
    intruder.loop_start()
    try:
        assert listener.subscribed.wait(timeout=20), "the listener did not subscribe again"
    finally:
        intruder.loop_stop()
    publish([(f"{topic_root}/lte_message", real_messages(realdata)[0])])
    thread.join(timeout=20)

    report = result["report"]
    assert report.reconnects >= 1
    assert report.accepted == 1
    assert any("lost the connection" in record.getMessage() for record in caplog.records)
    assert any("reconnected to broker" in record.getMessage() for record in caplog.records)


def test_listener_retries_failed_batch(broker, realdata, topic_root, store):
    ingester = survey_ingester(store, SITE, "Live", IngestOptions())
    calls = []

    def flaky(data: bytes, filename: str) -> list[dict]:
        calls.append(filename)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return ingester(data, filename)

    listener = Listener(broker, ListenOptions(topic=f"{topic_root}/#", batch_seconds=0.5, duration=4), flaky)
    thread, result = start(listener)
    publish([(f"{topic_root}/lte_message", real_messages(realdata)[0])])
    thread.join(timeout=20)

    report = result["report"]
    assert len(calls) == 2
    assert report.accepted == 1
    assert report.unstored == 0
    assert stored_samples(store) == 1


def test_listener_unreachable_broker(store, caplog):
    caplog.set_level(logging.WARNING, logger="survey.mqtt")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    address = parse_broker_url(f"mqtt://technicien:hunter2@127.0.0.1:{free_port}")
    listener = Listener(address, ListenOptions(topic="x/#", duration=2.5), survey_ingester(store, SITE, "Live", IngestOptions()))

    report = listener.run()

    assert report.stopped_by == "duration"
    assert report.messages == 0
    assert report.broker == f"mqtt://technicien@127.0.0.1:{free_port}"
    assert any("cannot connect to broker" in record.getMessage() for record in caplog.records)
    assert not any("hunter2" in record.getMessage() for record in caplog.records)
