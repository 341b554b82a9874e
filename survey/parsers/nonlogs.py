"""Files that technicians upload by mistake: companions of a log and cell lists, without measurements.

Each recognizer returns a translated description of the file and a hint to the right file,
so that the rejection message names what the file is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from survey.i18n import _
from survey.parsers.base import Head
from survey.parsers.common import split_header


@dataclass(frozen=True)
class NonLog:
    """Description of a recognized file and the file to upload instead (both translated)."""

    description: str
    fix: str


def _gnettrack_companion(head: Head) -> NonLog | None:
    """G-NetTrack writes ``<log>_events.txt``, ``<log>_datatest.txt`` and ``<log>_stats.txt``."""
    names = split_header(head.first_line, "\t")
    fix = _(
        "Upload the main G-NetTrack log, the .txt file whose name has no _events, _datatest "
        "or _stats suffix."
    )
    if names[:1] == ["Timestamp"] and "EventType" in names:
        return NonLog(_("a G-NetTrack event log (handovers, calls, coverage changes)"), fix)
    if names[:1] == ["Timestamp"] and "PINGAVG" in names:
        return NonLog(_("a G-NetTrack data test summary (ping and throughput tests)"), fix)
    if names == ["Event", "Stats"]:
        return NonLog(_("a G-NetTrack call statistics table"), fix)
    return None


def _netmonster_cells(head: Head) -> NonLog | None:
    """NetMonster ``.ntm``: ``4G;MCC;MNC;CI;TAC;eNB;PCI;Lat;Lon;Location;EARFCN``, no header."""
    fields = head.first_line.split(";")
    if len(fields) == 11 and fields[0] in ("2G", "3G", "4G", "5G", "CD2") and fields[1].isdigit():
        return NonLog(
            _("a NetMonster cell list (.ntm): cell sites and their positions"),
            _(
                "Export the measurements from the logger app instead; a cell list names cells "
                "but holds no signal."
            ),
        )
    return None


def _opencellid_export(head: Head) -> NonLog | None:
    """OpenCelliD / Mozilla Location Service cell exports (``cell_towers.csv`` and diff files)."""
    names = split_header(head.first_line, ",")
    if names[:5] in (["radio", "mcc", "net", "area", "cell"], ["radio", "mcc", "mnc", "lac", "cid"]):
        return NonLog(
            _("an OpenCelliD cell export: estimated cell positions, not measurements"),
            _("Upload the logs recorded by the technicians' phones."),
        )
    return None


RECOGNIZERS: list[Callable[[Head], NonLog | None]] = [
    _gnettrack_companion,
    _netmonster_cells,
    _opencellid_export,
]


def recognize(head: Head) -> NonLog | None:
    """Return what the file is when it is a known file without measurements, else None."""
    for recognizer in RECOGNIZERS:
        found = recognizer(head)
        if found is not None:
            return found
    return None
