"""Live ingest of Network Survey messages from an MQTT broker.

The Network Survey app publishes one JSON message per record (``{"version", "messageType",
"data"}``) on topics such as ``networksurvey/<device>/lte_message``. :class:`Listener`
subscribes to a topic filter, checks each message, buffers the good ones and ingests every
batch as a JSON Lines upload through :func:`survey.ingest.ingest_upload`, with the same parser
(``networksurvey_json``) as an uploaded file. A batch is idempotent by its content hash, and by
each record's envelope ``id`` when the publisher sends one (the app itself does not).

A malformed message (not UTF-8, not JSON, not a message object) is logged with its topic,
counted as rejected and kept out of the batch. It never stops the listener. A batch whose
database write fails stays buffered and is tried again at the next flush.

The paho network thread only puts messages on a queue; checking, batching and ingest run in
the thread that called :meth:`Listener.run`, which is the only one that touches the database.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy.exc import SQLAlchemyError

from survey.errors import InputError, ZoneblancheError
from survey.i18n import _
from survey.ingest import IngestOptions, ingest_upload
from survey.parsers.networksurvey import JSON_NAME, MESSAGE_TECHNOLOGIES
from survey.store import Store, find_site, find_survey

logger = logging.getLogger(__name__)

SCHEMES = {"mqtt": (False, 1883), "tcp": (False, 1883), "mqtts": (True, 8883), "ssl": (True, 8883)}
# Malformed messages logged one by one; after that, one line per LOG_EVERY_MALFORMED.
LOGGED_MALFORMED = 20
LOG_EVERY_MALFORMED = 100
# Examples of malformed messages kept in the final report.
REPORTED_MALFORMED = 20
# A batch is ingested early when it reaches this many messages, which bounds memory.
MAX_BATCH_MESSAGES = 10_000
# Maximum wait on the message queue, so that stop conditions are checked at least this often.
POLL_SECONDS = 0.5

IngestBatch = Callable[[bytes, str], list[dict]]


# --- broker address -------------------------------------------------------------------------


@dataclass(frozen=True)
class Broker:
    """Address of an MQTT broker; ``password`` is never shown by ``display`` or ``repr``."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """Return the URL without the password, for logs and messages."""
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_broker_url(url: str) -> Broker:
    """Read ``mqtt://[user[:password]@]host[:port]`` or ``mqtts://…`` (TLS, port 8883 by default).

    Raises
    ------
    InputError
        An unknown scheme, a missing host or an invalid port. The message never contains
        the password.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise InputError(
            _("Unknown broker URL scheme: {scheme}.").format(scheme=scheme or "-"),
            column="--broker",
            fix=_("Write the broker as mqtt://host:1883 or mqtts://host:8883."),
        )
    tls, default_port = SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError:
        raise InputError(
            _("The broker URL has an invalid port."), column="--broker", fix=_("Give a port from 1 to 65535.")
        ) from None
    if not parts.hostname:
        raise InputError(_("The broker URL has no host."), column="--broker", fix=_("Write the broker as mqtt://host:1883."))
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return Broker(parts.hostname, port, tls, username, password)


# --- messages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedMessage:
    """A message that passed the checks: its JSON object, or the reason it was rejected."""

    topic: str
    message: dict | None = None
    reason: str | None = None

    @property
    def is_cell_record(self) -> bool:
        return self.message is not None and self.message.get("messageType") in MESSAGE_TECHNOLOGIES


def check_message(topic: str, payload: bytes) -> CheckedMessage:
    """Check that a payload is a Network Survey message: a JSON object with ``messageType`` and ``data``."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return CheckedMessage(topic, reason=_("The message is not UTF-8 text."))
    try:
        message = json.loads(text)
    except ValueError as error:
        return CheckedMessage(topic, reason=_("The message is not valid JSON: {error}.").format(error=error))
    if not isinstance(message, dict):
        return CheckedMessage(topic, reason=_("The message is not a JSON object."))
    if not isinstance(message.get("messageType"), str) or not isinstance(message.get("data"), dict):
        return CheckedMessage(
            topic, reason=_("The message is not a Network Survey message: it needs messageType and data.")
        )
    return CheckedMessage(topic, message=message)


def batch_lines(messages: list[dict]) -> bytes:
    """Return messages as JSON Lines, one compact object per line, in the order received."""
    lines = [json.dumps(message, ensure_ascii=False, separators=(",", ":")) for message in messages]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- reports --------------------------------------------------------------------------------


@dataclass
class BatchReport:
    """One ingested batch: its messages and the ingest reports, or the error that kept it out."""

    number: int
    filename: str
    messages: int
    reports: list[dict] = field(default_factory=list)
    error: str | None = None

    def total(self, key: str) -> int:
        return sum(int(report.get(key, 0)) for report in self.reports)


@dataclass
class ListenReport:
    """Counts of the messages a listener received and stored.

    ``rejected`` counts the malformed messages plus the records the parser rejected, so that
    ``messages == accepted + rejected + ignored + duplicates + unstored + unread`` when every
    batch is new. ``ignored`` counts well-formed messages without a cell measurement
    (PhoneState, DeviceStatus, CdmaRecord…): they are stored in the raw batch, not as samples.
    """

    broker: str
    topic: str
    messages: int = 0
    malformed: int = 0
    ignored: int = 0
    batches: int = 0
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    unstored: int = 0
    unread: int = 0
    reconnects: int = 0
    stopped_by: str = ""
    uploads: list[int] = field(default_factory=list)
    malformed_messages: list[dict] = field(default_factory=list)

    def add_batch(self, batch: BatchReport) -> None:
        """Add the counts of an ingested batch."""
        self.batches += 1
        for key in ("rows", "accepted", "rejected", "duplicates"):
            setattr(self, key, getattr(self, key) + batch.total(key))
        self.uploads.extend(report["upload_id"] for report in batch.reports if "upload_id" in report)

    def as_dict(self) -> dict:
        return asdict(self)


# --- listener -------------------------------------------------------------------------------


@dataclass
class ListenOptions:
    """Topic filter, batch period and stop conditions of a listener; ``count`` and ``duration`` are optional."""

    topic: str
    batch_seconds: float = 10.0
    count: int | None = None
    duration: float | None = None
    qos: int = 1
    client_id: str = ""
    reconnect_min_seconds: int = 1
    reconnect_max_seconds: int = 60


class Listener:
    """Subscribe to Network Survey messages and ingest them in batches.

    Parameters
    ----------
    broker : Broker
        Where to connect.
    options : ListenOptions
        Topic filter, batch period and stop conditions.
    ingest_batch : callable
        ``ingest_batch(data, filename) -> list of ingest reports``; see :func:`survey_ingester`.
    """

    def __init__(self, broker: Broker, options: ListenOptions, ingest_batch: IngestBatch) -> None:
        self.broker = broker
        self.options = options
        self.ingest_batch = ingest_batch
        self.report = ListenReport(broker.display, options.topic)
        self.subscribed = threading.Event()
        self._queue: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._buffer: list[dict] = []
        self._connected_once = False
        self._started = datetime.now(timezone.utc)
        self._client = self._make_client()

    # --- paho callbacks, run in the network thread ---------------------------------------

    def _make_client(self) -> mqtt.Client:
        client_id = self.options.client_id or f"zoneblanche-{uuid.uuid4().hex[:12]}"
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
        if self.broker.username is not None:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set()
        client.reconnect_delay_set(self.options.reconnect_min_seconds, self.options.reconnect_max_seconds)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def _on_connect(self, client: mqtt.Client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            logger.error("broker %s refused the connection: %s", self.broker.display, reason_code)
            return
        if self._connected_once:
            self.report.reconnects += 1
            logger.warning("reconnected to broker %s (reconnection %d)", self.broker.display, self.report.reconnects)
        else:
            logger.info("connected to broker %s", self.broker.display)
        self._connected_once = True
        # Subscribing here renews the subscription after every reconnection.
        client.subscribe(self.options.topic, qos=self.options.qos)

    def _on_connect_fail(self, _client: mqtt.Client, _userdata) -> None:
        logger.warning(
            "cannot connect to broker %s; retrying with a back-off of %d to %d s",
            self.broker.display,
            self.options.reconnect_min_seconds,
            self.options.reconnect_max_seconds,
        )

    def _on_disconnect(self, _client: mqtt.Client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            logger.warning(
                "lost the connection to broker %s (%s); reconnecting with a back-off of %d to %d s",
                self.broker.display,
                reason_code,
                self.options.reconnect_min_seconds,
                self.options.reconnect_max_seconds,
            )
        else:
            logger.info("disconnected from broker %s", self.broker.display)

    def _on_subscribe(self, _client: mqtt.Client, _userdata, _mid, reason_codes, _properties) -> None:
        if any(code.is_failure for code in reason_codes):
            logger.error("broker %s refused the subscription to %s: %s", self.broker.display, self.options.topic, reason_codes)
            return
        logger.info("subscribed to %s on broker %s", self.options.topic, self.broker.display)
        self.subscribed.set()

    def _on_message(self, _client: mqtt.Client, _userdata, message: mqtt.MQTTMessage) -> None:
        self._queue.put((message.topic, bytes(message.payload)))

    # --- main loop -----------------------------------------------------------------------

    def run(self, on_batch: Callable[[BatchReport], None] | None = None) -> ListenReport:
        """Listen until ``count`` messages, ``duration`` seconds or Ctrl-C; flush the last batch.

        ``on_batch`` is called after each batch, for progress output.
        """
        logger.info("listening to %s on broker %s", self.options.topic, self.broker.display)
        self._client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        self._client.loop_start()

        try:
            self.report.stopped_by = self._receive(on_batch)
        except KeyboardInterrupt:
            self.report.stopped_by = "interrupt"
        finally:
            self._client.disconnect()
            self._client.loop_stop()
            self._count_unread()
            self._flush(on_batch, final=True)

        logger.info(
            "stopped listening to %s (%s): %d messages, %d accepted, %d rejected",
            self.options.topic,
            self.report.stopped_by,
            self.report.messages,
            self.report.accepted,
            self.report.rejected,
        )
        return self.report

    def stop(self) -> None:
        """Ask :meth:`run` to stop, from another thread; the last batch is still ingested."""
        self._queue.put(("", b""))

    def _receive(self, on_batch: Callable[[BatchReport], None] | None) -> str:
        """Take messages from the queue and flush batches until a stop condition; return it."""
        start = time.monotonic()
        deadline = start + self.options.duration if self.options.duration is not None else None
        next_flush = start + self.options.batch_seconds
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                return "duration"
            if now >= next_flush or len(self._buffer) >= MAX_BATCH_MESSAGES:
                self._flush(on_batch)
                next_flush = now + self.options.batch_seconds
            wait = min(POLL_SECONDS, max(0.0, next_flush - now))
            try:
                topic, payload = self._queue.get(timeout=wait)
            except queue.Empty:
                continue
            if not topic and not payload:
                return "stop"
            self._accept(topic, payload)
            if self.options.count is not None and self.report.messages >= self.options.count:
                return "count"

    def _accept(self, topic: str, payload: bytes) -> None:
        """Check one message; buffer it, or count and log it as malformed."""
        self.report.messages += 1
        checked = check_message(topic, payload)
        if checked.message is None:
            self._reject(checked)
            return
        if not checked.is_cell_record:
            self.report.ignored += 1
        self._buffer.append(checked.message)

    def _reject(self, checked: CheckedMessage) -> None:
        self.report.malformed += 1
        self.report.rejected += 1
        count = self.report.malformed
        if len(self.report.malformed_messages) < REPORTED_MALFORMED:
            self.report.malformed_messages.append({"topic": checked.topic, "reason": checked.reason})
        if count <= LOGGED_MALFORMED:
            logger.warning("rejected a malformed message on topic %s: %s", checked.topic, checked.reason)
        elif count % LOG_EVERY_MALFORMED == 0:
            logger.warning("%d malformed messages rejected so far; the latest on topic %s", count, checked.topic)

    def _count_unread(self) -> None:
        """Count the messages received after the stop condition, which are not ingested."""
        unread = 0
        while True:
            try:
                topic, payload = self._queue.get_nowait()
            except queue.Empty:
                break
            unread += bool(topic or payload)
        if unread:
            self.report.unread += unread
            logger.warning("%d messages arrived after the listener stopped and were not ingested", unread)

    def _flush(self, on_batch: Callable[[BatchReport], None] | None, *, final: bool = False) -> None:
        """Ingest the buffered messages as one batch; keep them buffered when the database fails."""
        if not self._buffer:
            return
        number = self.report.batches + 1
        filename = f"mqtt-{self._started:%Y%m%dT%H%M%SZ}-{number:04d}.jsonl"
        batch = BatchReport(number, filename, len(self._buffer))
        try:
            batch.reports = self.ingest_batch(batch_lines(self._buffer), filename)
        except SQLAlchemyError as error:
            logger.error("storing batch %s failed (%d messages): %s", filename, batch.messages, error)
            if not final:
                return
            batch.error = str(error)
            self.report.unstored += batch.messages
        except ZoneblancheError as error:
            logger.error("batch %s was rejected (%d messages): %s", filename, batch.messages, error.message)
            batch.error = error.message
            self.report.unstored += batch.messages
        else:
            self.report.add_batch(batch)
        self._buffer = []
        if on_batch is not None:
            on_batch(batch)


def survey_ingester(store: Store, site: str, survey: str, options: IngestOptions) -> IngestBatch:
    """Return a batch ingester into ``survey`` of ``site`` (created on first use), one transaction per batch."""
    batch_options = replace(options, format=JSON_NAME)

    def ingest_batch(data: bytes, filename: str) -> list[dict]:
        with store.session() as session:
            record = find_survey(session, find_site(session, site), survey, create=True)
            return ingest_upload(session, record, data, filename, batch_options)

    return ingest_batch
