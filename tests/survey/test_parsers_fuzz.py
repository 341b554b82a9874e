"""Property-based tests: no parser raises anything but a user error, whatever the bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import parsers
from survey.errors import ZoneblancheError

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples" / "hospital"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def parse_or_user_error(data: bytes, format_name: str) -> None:
    """Parse ``data``; a user error (FormatError, InputError, LimitError) is a correct outcome."""
    try:
        result = parsers.parse(data, "fuzz.log", format=format_name)
    except ZoneblancheError:
        return
    assert result.rows == len(result.samples) + result.rejected


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_detection(data):
    try:
        parsers.detect_format(data, "fuzz.log")
    except ZoneblancheError:
        pass


@pytest.mark.parametrize("format_name", sorted(parsers.FORMATS))
@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_every_parser(format_name, data):
    parse_or_user_error(data, format_name)


def real_logs(realdata: Path) -> list[Path]:
    logs = sorted(path for path in (realdata / "logs").rglob("*") if path.is_file() and path.suffix != ".md")
    return logs + sorted(SAMPLES.glob("*.txt"))[:1] + sorted(SAMPLES.glob("native_*.csv"))[:1]


@st.composite
def mutations(draw, original: bytes) -> bytes:
    """Return ``original`` with a few random edits: flipped bytes, cuts, insertions, repeats."""
    data = bytearray(original[:20_000])
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[position : position + draw(st.integers(1, 200))]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=40))
        elif kind == "repeat":
            data[position:position] = data[position : position + draw(st.integers(1, 300))]
        else:
            del data[position:]
    return bytes(data)


def test_mutated_real_files(realdata):
    for path in real_logs(realdata):
        original = path.read_bytes()

        @FUZZ
        @given(data=mutations(original))
        def check(data):
            parse_or_user_error(data, "auto")

        check()
