"""The ``zoneblanche`` command line: a thin layer over the functions the HTTP API calls."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from survey.errors import InputError, ZoneblancheError
from survey.i18n import _, gettext, lazy, ngettext, normalize_language, set_language
from survey.settings import Settings
from survey.store import Store

logger = logging.getLogger(__name__)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="zoneblanche: indoor mobile coverage per room, and the fixed lines to keep.")
site_app = typer.Typer(no_args_is_help=True, help="Sites (hospitals).")
plan_app = typer.Typer(no_args_is_help=True, help="Floor plans.")
rooms_app = typer.Typer(no_args_is_help=True, help="The room registry (CSV or XLSX).")
app.add_typer(site_app, name="site")
app.add_typer(plan_app, name="plan")
app.add_typer(rooms_app, name="rooms")

# Limits an analysis to some surveys, such as the one after an indoor antenna system.
SurveyOption = Annotated[
    Optional[list[str]],
    typer.Option(help="Analyze only this survey (name or id); repeat for several. Default: every survey of the site."),
]

# Markup is off: messages carry user text such as "[column=value]" that rich would read as tags.
out = Console(markup=False, highlight=False, soft_wrap=True)
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


class Context:
    """Options shared by every command."""

    def __init__(self, database_url: str | None) -> None:
        self.settings = Settings(**({"database_url": database_url} if database_url else {}))
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.database_url)
        return self._store


_state: dict[str, Context] = {}


def context() -> Context:
    return _state["context"]


@app.callback()
def main_options(
    db: Annotated[Optional[str], typer.Option("--db", envvar="ZONEBLANCHE_DATABASE_URL", help="Database URL, such as sqlite:///zoneblanche.db.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", envvar="ZONEBLANCHE_LANG", help="Language of messages and reports: fr or en.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to standard error.")] = False,
) -> None:
    set_language(lang)
    if lang and normalize_language(lang) is None:
        raise InputError(
            _("unknown language {language!r}").format(language=lang),
            column="--lang",
            value=lang,
            fix=_("use fr or en (or set ZONEBLANCHE_LANG to one of them)"),
        )
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    _state["context"] = Context(db)


def emit(result: object, as_json: bool, human: callable) -> None:
    """Print ``result`` as JSON on standard output, or the human form."""
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        human(result)


# --- sites -------------------------------------------------------------------------------


@site_app.command("create")
def site_create(
    name: str,
    timezone: Annotated[str, typer.Option(help="Time zone of local times in the site's logs.")] = "Europe/Paris",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Create a site."""
    from survey.sites import create_site, site_summary

    with context().store.session() as session:
        summary = site_summary(create_site(session, name, timezone))
    emit(summary, as_json, lambda s: out.print(_("Site {name!r} created (id {id}).").format(name=s["name"], id=s["id"])))


@site_app.command("list")
def site_list(as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False) -> None:
    """List the sites."""
    from sqlalchemy import select

    from survey.models import Site
    from survey.sites import site_summary

    with context().store.session() as session:
        sites = [site_summary(site) for site in session.scalars(select(Site).order_by(Site.name))]
    emit(sites, as_json, lambda rows: [out.print(f"{row['id']}  {row['name']}  ({row['timezone']})") for row in rows])


@site_app.command("operators")
def site_operators(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    set_names: Annotated[Optional[list[str]], typer.Option("--set", help='Name an operator: PLMN=name, such as 208-01="Orange Pro". Repeatable.')] = None,
    unset: Annotated[Optional[list[str]], typer.Option("--unset", help="Remove the site's name of a PLMN, such as 208-01. Repeatable.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Show, or change, the names the site gives to operators (PLMN MCC-MNC)."""
    from survey.operator_names import operator_names_summary, parse_assignment, update_operator_names
    from survey.store import find_site

    assignments = dict(parse_assignment(text) for text in set_names or [])
    with context().store.session() as session:
        record = find_site(session, site)
        if assignments or unset:
            update_operator_names(session, record, set_names=assignments, unset=unset)
        summary = operator_names_summary(record)
    emit(summary, as_json, _print_operators)


def _print_operators(summary: dict) -> None:
    table = Table(title=_("Operators of {site}").format(site=summary["site"]))
    for header in (_("PLMN"), _("name"), _("default name"), _("source")):
        table.add_column(header)
    for operator in summary["operators"]:
        source = _("site") if operator["source"] == "site" else _("default")
        table.add_row(operator["plmn"], operator["name"] or "", operator["default"] or "", source)
    out.print(table)


# --- plans and rooms ---------------------------------------------------------------------


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(exists=True, help="Plan file, or an IMDF folder.")],
    site: Annotated[str, typer.Option(help="Site name or id.")],
    building: Annotated[Optional[str], typer.Option(help="Building name; the plan's own, or the site's only one, when left out.")] = None,
    level: Annotated[Optional[str], typer.Option(help="Level name; the plan's own when left out (the file name for DXF, PDF and images).")] = None,
    ordinal: Annotated[Optional[int], typer.Option(help="Level number: 0 for the ground floor, negative below.")] = None,
    format: Annotated[str, typer.Option(help="auto (detect from the content), geojson, imdf, osm, dxf, ifc, pdf or image.")] = "auto",
    units: Annotated[Optional[str], typer.Option(help="Units of a DXF drawing when $INSUNITS is wrong: m, cm or mm.")] = None,
    layer: Annotated[Optional[str], typer.Option(help="DXF layer holding one closed outline per room.")] = None,
    door_layer: Annotated[Optional[str], typer.Option(help="DXF layer of the doors; layers named like doors (DOORS, A-DOOR, PORTES) when left out.")] = None,
    rename_duplicates: Annotated[bool, typer.Option("--rename-duplicates", help="Import rooms that share a ref as ref-2, ref-3… instead of rejecting the file.")] = False,
    page: Annotated[int, typer.Option(help="Page of a PDF plan, from 1.")] = 1,
    dpi: Annotated[int, typer.Option(help="Resolution at which a PDF plan is rendered, in dots per inch.")] = 150,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import the rooms of a floor plan, or a PDF or image plan as a level background."""
    from survey.plans import import_plan
    from survey.store import find_site

    if units is not None and units not in ("m", "cm", "mm"):
        raise InputError(_("unknown units {units!r}").format(units=units), column="--units", value=units, fix=_("use m, cm or mm"))
    data = _zipped_folder(file) if file.is_dir() else file.read_bytes()
    with context().store.session() as session:
        report = import_plan(
            session, find_site(session, site), data, file.name, building=building, level=level, ordinal=ordinal, format=format,
            units=units, layer=layer, door_layer=door_layer, rename_duplicates=rename_duplicates, page=page, dpi=dpi,
        )
    emit(report, as_json, _print_plan_report)


def _zipped_folder(folder: Path) -> bytes:
    """Zip the files of a folder (an IMDF archive given unzipped) in memory."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _print_plan_report(report: dict, limit: int = 20) -> None:
    for level in report["levels"]:
        out.print(
            _("{file}: level {level} ({building}): {created} rooms created, {updated} updated, {skipped} skipped").format(
                file=report["file"], level=level["level"], building=level["building"], created=level["rooms_created"], updated=level["rooms_updated"], skipped=len(level["skipped"])
            )
        )
        if level.get("doors"):
            message = ngettext(
                "  {count} door on the plan: walking distances to fixed lines go through it",
                "  {count} doors on the plan: walking distances to fixed lines go through them",
                level["doors"],
            )
            out.print(message.format(count=level["doors"]))
        elif level.get("level_id") is not None and "doors" in level:
            out.print(_("  no door on the plan: a door is assumed in the middle of each shared wall"))
        for skipped in level["skipped"][:limit]:
            out.print(f"  - {skipped.get('ref') or skipped['feature']}: {skipped['reason']}")
        for warning in level.get("warnings", [])[:limit]:
            out.print(f"  ! {warning.get('ref') or ''} {warning['message']}".rstrip())
        hidden = max(len(level["skipped"]) - limit, 0) + max(len(level.get("warnings", [])) - limit, 0)
        if hidden:
            out.print(_("  … and {count} more; --json lists them all").format(count=hidden))


def _level_record(session, site: str, level: str, building: Optional[str]):
    from survey.store import find_level, find_site

    return find_level(session, find_site(session, site), level, building)


@plan_app.command("delete-level")
def plan_delete_level(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    level: Annotated[str, typer.Option(help="Level name, ordinal or id.")],
    building: Annotated[Optional[str], typer.Option(help="Building of the level, when its name is not unique.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Delete a level that has no room, such as one created by a mistyped --level."""
    from survey.store import delete_empty_level

    with context().store.session() as session:
        summary = delete_empty_level(session, _level_record(session, site, level, building))
    emit(summary, as_json, lambda s: out.print(_("Level {name!r} ({building}) deleted.").format(name=s["name"], building=s["building"])))


@plan_app.command("georeference")
def plan_georeference(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    level: Annotated[str, typer.Option(help="Level name, ordinal or id.")],
    point: Annotated[list[str], typer.Option(help="Control point x_m,y_m,lon,lat (plan metres, WGS84 degrees); two or more.")],
    building: Annotated[Optional[str], typer.Option(help="Building of the level, when its name is not unique.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Place a level on the Earth from control points: two give a similarity, three or more an affine fit."""
    from survey.plans.georeference import fit_georeference, parse_control_point

    georeference = fit_georeference([parse_control_point(text) for text in point])
    with context().store.session() as session:
        _level_record(session, site, level, building).georeference = georeference
    emit(georeference, as_json, _print_georeference)


def _print_georeference(georeference: dict) -> None:
    out.print(_("Georeference ({method}) fitted on {count} points, RMS {rms:.3f} m").format(method=georeference["method"], count=len(georeference["points"]), rms=georeference["rms_m"]))
    for point, residual in zip(georeference["points"], georeference["residuals_m"]):
        out.print(f"  ({point['x_m']}, {point['y_m']}) → ({point['lon']}, {point['lat']}): {residual:.3f} m")


@plan_app.command("calibrate")
def plan_calibrate(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    level: Annotated[str, typer.Option(help="Level name, ordinal or id.")],
    first: Annotated[str, typer.Option("--from", help="First pixel point of the background: column,row from the top-left corner.")],
    second: Annotated[str, typer.Option("--to", help="Second pixel point, as far from the first as possible.")],
    distance: Annotated[float, typer.Option(help="Real distance between the two points, in metres.")],
    building: Annotated[Optional[str], typer.Option(help="Building of the level, when its name is not unique.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Set the scale of a level's background plan from two points and the distance between them."""
    from survey.plans.background import calibrate

    with context().store.session() as session:
        summary = calibrate(session, _level_record(session, site, level, building).id, _pixel(first, "--from"), _pixel(second, "--to"), distance)
    emit(summary, as_json, lambda s: out.print(_("{mpp:.5f} m per pixel; the plan measures {width:.1f} m × {height:.1f} m").format(mpp=s["metres_per_pixel"], width=s["bounds_m"][2] - s["bounds_m"][0], height=s["bounds_m"][3] - s["bounds_m"][1])))


def _pixel(text: str, option: str) -> tuple[float, float]:
    try:
        column, row = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError(_("a pixel point must be two numbers column,row"), column=option, value=text, fix=_("write for example {option} 120,845").format(option=option)) from None
    return column, row


@rooms_app.command("import")
def rooms_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Room registry, CSV or XLSX.")],
    site: Annotated[str, typer.Option(help="Site name or id.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the changes without storing them.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Update rooms from the room registry, matched by ref."""
    from survey.registry import import_registry
    from survey.store import find_site

    with context().store.session() as session:
        report = import_registry(session, find_site(session, site), file.read_bytes(), file.name, dry_run=dry_run)
    emit(report, as_json, _print_registry_report)


def _print_registry_report(report: dict) -> None:
    verb = _("would change") if report["dry_run"] else _("changed")
    out.print(_("{file}: {rows} rows, {count} values {verb}").format(file=report["file"], rows=report["rows"], count=len(report["changes"]), verb=verb))
    for change in report["changes"]:
        out.print(f"  {change['ref']}.{change['column']}: {change['old']!r} → {change['new']!r}")
    if report["unknown_refs"]:
        out.print(_("refs that match no room: {refs}").format(refs=", ".join(report["unknown_refs"])))


@rooms_app.command("export")
def rooms_export(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write: .xlsx for a workbook, else CSV.")],
) -> None:
    """Write the room registry as CSV or XLSX, ready to edit and import again."""
    from survey.registry import export_registry
    from survey.store import find_site

    registry_format = "xlsx" if output.suffix.lower() == ".xlsx" else "csv"
    with context().store.session() as session:
        output.write_bytes(export_registry(session, find_site(session, site), registry_format))
    err.print(_("Room registry written to {path}").format(path=output))


# --- ingest, analyze, report -------------------------------------------------------------


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="Log files.")],
    site: Annotated[str, typer.Option(help="Site name or id.")],
    survey: Annotated[str, typer.Option(help="Survey name; created on first use.")],
    format: Annotated[str, typer.Option(help="Log format, or auto to detect it from the content.")] = "auto",
    track: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Waypoint track: CSV time,x_m,y_m[,level].")] = None,
    visits: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Room visits: CSV room,start,end.")] = None,
    building: Annotated[Optional[str], typer.Option(help="Building of --level.")] = None,
    level: Annotated[Optional[str], typer.Option(help="Level of x_m, y_m positions or of the track.")] = None,
    timezone: Annotated[Optional[str], typer.Option(help="Time zone of local times in the files; the site's by default.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and place, store nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Reject a file with any invalid row.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Ingest phone logs into a survey."""
    from survey.ingest import Attachment, IngestOptions, ingest_upload
    from survey.store import find_site, find_survey

    settings = context().settings
    options = IngestOptions(
        format=format,
        level=level,
        building=building,
        timezone=timezone,
        track=Attachment(track.read_bytes(), track.name) if track else None,
        visits=Attachment(visits.read_bytes(), visits.name) if visits else None,
        dry_run=dry_run,
        strict=strict,
        max_bytes=settings.max_upload_bytes,
    )
    reports = []
    failed = False
    with Progress(console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task(_("Ingesting"), total=len(files))
        for path in files:
            try:
                # One transaction per file: a file is stored whole or not at all. A dry run
                # rolls back, so even a survey created for it is not kept.
                with context().store.session() as session:
                    survey_record = find_survey(session, find_site(session, site), survey, create=True)
                    file_reports = ingest_upload(session, survey_record, path.read_bytes(), str(path), options)
                    if dry_run:
                        session.rollback()
            except ZoneblancheError as error:
                failed = True
                file_reports = [{"path": str(path), "error": error.as_dict()}]
            failed = failed or any("error" in report for report in file_reports)
            reports.extend(file_reports)
            progress.advance(task)
    emit({"files": reports}, as_json, _print_ingest_reports)
    if failed:
        raise typer.Exit(1)


def _print_ingest_reports(result: dict) -> None:
    for report in result["files"]:
        if "error" in report:
            err.print(report["error"]["message"], style="red")
            _print_row_errors(report["error"]["detail"].get("errors", []))
            continue
        out.print(
            _("{path} ({format}): {rows} rows, {accepted} accepted, {rejected} rejected, {no_service} without service, {duplicates} duplicates, {unplaced} unplaced").format(**report)
        )
        for note in report["notes"]:
            out.print(f"  {note}")
        _print_row_errors(report["errors"])
        if report.get("dry_run"):
            out.print(_("  dry run: nothing was stored"))
        elif report.get("upload_id") is not None:
            out.print(_("  stored as upload {id}").format(id=report["upload_id"]))


@app.command()
def reparse(
    upload: Annotated[int, typer.Argument(help="Id of the upload, as printed by ingest.")],
    level: Annotated[Optional[str], typer.Option(help="New level of the samples' positions or of the track.")] = None,
    building: Annotated[Optional[str], typer.Option(help="Building of --level.")] = None,
    track: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Waypoint track to place the samples on: CSV time,x_m,y_m[,level].")] = None,
    visits: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Room visits to place the samples by: CSV room,start,end.")] = None,
    timezone: Annotated[Optional[str], typer.Option(help="Time zone of local times in the file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Rebuild an upload's samples from its stored raw copy: after a parser fix, or to place them."""
    from survey.ingest import Attachment, IngestOptions, reparse_upload

    placement = None
    if any(value is not None for value in (level, building, track, visits, timezone)):
        placement = IngestOptions(
            level=level,
            building=building,
            timezone=timezone,
            track=Attachment(track.read_bytes(), track.name) if track else None,
            visits=Attachment(visits.read_bytes(), visits.name) if visits else None,
        )
    with context().store.session() as session:
        report = reparse_upload(session, upload, placement)
    emit({"files": [report]}, as_json, _print_ingest_reports)


@app.command()
def listen(
    topic: Annotated[str, typer.Option(help="MQTT topic filter, such as networksurvey/#.")],
    site: Annotated[str, typer.Option(help="Site name or id.")],
    survey: Annotated[str, typer.Option(help="Survey name; created on first use.")],
    broker: Annotated[str, typer.Option(envvar="ZONEBLANCHE_MQTT_BROKER", help="Broker URL: mqtt://[user:password@]host[:port], or mqtts:// for TLS.")] = "mqtt://127.0.0.1:1883",
    level: Annotated[Optional[str], typer.Option(help="Level of the track.")] = None,
    building: Annotated[Optional[str], typer.Option(help="Building of --level.")] = None,
    track: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Waypoint track: CSV time,x_m,y_m[,level].")] = None,
    batch_seconds: Annotated[float, typer.Option(min=0.1, help="Seconds between two ingested batches.")] = 10.0,
    count: Annotated[Optional[int], typer.Option(min=1, help="Stop after this many messages.")] = None,
    duration: Annotated[Optional[float], typer.Option(min=0.1, help="Stop after this many seconds.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the final report as JSON.")] = False,
) -> None:
    """Ingest Network Survey messages from an MQTT broker, batch by batch, until stopped."""
    import signal

    from survey.ingest import Attachment, IngestOptions
    from survey.mqtt import Listener, ListenOptions, parse_broker_url, survey_ingester

    address = parse_broker_url(broker)
    options = IngestOptions(
        level=level,
        building=building,
        track=Attachment(track.read_bytes(), track.name) if track else None,
        max_bytes=context().settings.max_upload_bytes,
    )
    listener = Listener(
        address,
        ListenOptions(topic=topic, batch_seconds=batch_seconds, count=count, duration=duration),
        survey_ingester(context().store, site, survey, options),
    )
    # A service manager stops the listener with SIGTERM: flush the last batch as for Ctrl-C.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    if not as_json:
        err.print(_("Listening to {topic} on {broker}; press Ctrl-C to stop.").format(topic=topic, broker=address.display))
    report = listener.run(on_batch=None if as_json else _print_batch)
    emit(report.as_dict(), as_json, _print_listen_report)
    if report.unstored:
        raise typer.Exit(1)


def _raise_interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _print_batch(batch) -> None:
    if batch.error is not None:
        message = _("Batch {number} was not stored (messages: {messages}): {error}").format(number=batch.number, messages=batch.messages, error=batch.error)
        err.print(message, style="red")
        return
    err.print(
        _("Batch {number}: messages: {messages}, accepted: {accepted}, rejected: {rejected}, duplicates: {duplicates}").format(
            number=batch.number, messages=batch.messages, accepted=batch.total("accepted"), rejected=batch.total("rejected"), duplicates=batch.total("duplicates")
        )
    )


def _print_listen_report(report: dict) -> None:
    out.print(
        _("Messages: {messages}, batches: {batches}, samples accepted: {accepted}, rejected: {rejected} (malformed messages: {malformed}), without a cell measurement: {ignored}, duplicates: {duplicates}").format(**report)
    )
    for example in report["malformed_messages"]:
        err.print(_("  topic {topic}: {reason}").format(**example), highlight=False)
    if report["unstored"]:
        message = ngettext("{count} message could not be stored.", "{count} messages could not be stored.", report["unstored"]).format(count=report["unstored"])
        err.print(message, style="red")
    if report["unread"]:
        err.print(ngettext("{count} message arrived after the stop and was not read.", "{count} messages arrived after the stop and were not read.", report["unread"]).format(count=report["unread"]))


def _print_row_errors(errors: list[dict], limit: int = 20) -> None:
    for error in errors[:limit]:
        err.print(_("  line {line}, column {column}, value {value!r}: {reason}").format(**error))
    if len(errors) > limit:
        err.print(_("  … and {count} more").format(count=len(errors) - limit))


@app.command()
def analyze(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    policy: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Policy file (TOML) overriding the default thresholds.")] = None,
    survey: SurveyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rooms as JSON.")] = False,
) -> None:
    """Give every room its voice verdicts, shielding and recommendation."""
    analysis = _analysis(site, policy, survey)
    emit(analysis.as_dict(), as_json, lambda _result: _print_analysis(analysis))


def _analysis(site: str, policy_path: Path | None, surveys: list[str] | None = None):
    from api.analysis import site_analysis
    from survey.policy import load_policy
    from survey.store import find_site

    policy = load_policy(policy_path or context().settings.policy_file)
    with context().store.session() as session:
        return site_analysis(session, find_site(session, site), policy, surveys)


def _print_analysis(analysis) -> None:
    from maps.style import action_label, verdict_label
    from survey.categories import criticality_label

    table = Table(title=analysis.site_name)
    for header in (_("level"), _("room"), _("name"), _("criticality"), _("samples"), _("shielded"), _("voice"), _("recommendation")):
        # Wrap long cells rather than cut them: a piped or narrow terminal is 80 columns wide.
        table.add_column(header, overflow="fold")
    for room in analysis.rooms:
        shielded = f"{room.attenuation_db:.0f} dB" if room.shielded else ""
        table.add_row(room.level_name, room.ref, room.name, criticality_label(room.criticality), str(room.samples), shielded, verdict_label(room.voice), action_label(room.recommendation.action))
    out.print(table)

    counts = {verdict: sum(room.voice == verdict for room in analysis.rooms) for verdict in ("reliable", "unreliable", "insufficient_data")}
    out.print(
        _("{rooms} rooms: {reliable} reliable, {unreliable} unreliable, {insufficient} with too few samples; {shielded} shielded").format(
            rooms=len(analysis.rooms),
            reliable=counts["reliable"],
            unreliable=counts["unreliable"],
            insufficient=counts["insufficient_data"],
            shielded=sum(room.shielded for room in analysis.rooms),
        )
    )


@app.command()
def report(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    format: Annotated[str, typer.Option("--format", help="pdf (report), posters (PDF), html (offline map of every level), csv, xlsx, geojson or kit (crisis kit, ZIP).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    policy: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Policy file (TOML).")] = None,
    dialect: Annotated[Optional[str], typer.Option(help="CSV dialect: fr (semicolons, decimal commas) or en. Default: by language for csv, fr in the kit.")] = None,
    before: Annotated[Optional[str], typer.Option(help="Survey before a change, compared with --after in the PDF report.")] = None,
    after: Annotated[Optional[str], typer.Option(help="Survey after a change, compared with --before in the PDF report.")] = None,
    survey: SurveyOption = None,
) -> None:
    """Write a report of the site: the same file as the HTTP API's download."""
    from api.analysis import site_analysis
    from api.rendering import comparison_pair, site_renderer
    from maps.outputs import render_report
    from survey.policy import load_policy
    from survey.store import find_site

    compare = comparison_pair(before, after)
    rules = load_policy(policy or context().settings.policy_file)
    with context().store.session() as session:
        record = find_site(session, site)
        analysis = site_analysis(session, record, rules, survey)
        renderer = site_renderer(session, analysis, site=record, policy=rules, compare=compare)
    written = render_report(analysis, format, output, dialect=dialect, renderer=renderer)
    for path in written:
        err.print(_("Written: {path}").format(path=path))


# Kinds of files the demo writes, as ``maps.outputs.write_outputs`` names them.
OUTPUT_KINDS = {
    "heatmaps": lazy("heatmaps"),
    "maps": lazy("maps"),
    "tables": lazy("tables"),
    "reports": lazy("reports"),
    "kit": lazy("crisis kit"),
}


# --- demo and server ---------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8000,
) -> None:
    """Serve the HTTP API and the web pages."""
    import uvicorn

    from api.app import create_app

    err.print(_("Serving on http://{host}:{port} (API documentation at /docs)").format(host=host, port=port))
    uvicorn.run(create_app(context().settings), host=host, port=port, log_level="info")


@app.command()
def demo(
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to serve on.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Write the outputs and stop.")] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the database and the outputs.")] = Path("out"),
) -> None:
    """Load the sample hospital into a fresh database, analyze it, write the outputs and serve them."""
    from api.demo import run_demo

    summary = run_demo(context(), out_dir, console=err)
    for kind, paths in summary["outputs"].items():
        err.print(f"{_(OUTPUT_KINDS.get(kind, kind))}: " + ", ".join(str(path) for path in paths))
    if not no_serve:
        serve(host="127.0.0.1", port=port)


# Options of the whole program, accepted anywhere on the line: "--lang en" after the command
# name is what people type, and click only reads them before it.
GLOBAL_OPTIONS = {"--db": True, "--lang": True, "--verbose": False, "-v": False}


def global_options_first(arguments: list[str]) -> list[str]:
    """Return ``arguments`` with the program's global options moved before the command."""
    moved, rest = [], []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        name = argument.split("=", 1)[0]
        if argument == "--":
            rest.extend(arguments[index:])
            break
        if name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name] and "=" not in argument
            moved.extend(arguments[index : index + 2] if takes_value else [argument])
            index += 2 if takes_value else 1
            continue
        rest.append(argument)
        index += 1
    return moved + rest


def _requested_language(arguments: list[str]) -> str | None:
    """Return the value of ``--lang`` so that even usage errors are in that language."""
    for index, argument in enumerate(arguments):
        if argument.startswith("--lang="):
            return argument.split("=", 1)[1]
        if argument == "--lang" and index + 1 < len(arguments):
            return arguments[index + 1]
    return None


# Titles of the help's panels, as typer names them in English.
HELP_PANEL_TITLES = {"OPTIONS_PANEL_TITLE": "Options", "COMMANDS_PANEL_TITLE": "Commands", "ARGUMENTS_PANEL_TITLE": "Arguments"}


def translated_command():
    """Return the program's click command with its help texts in the current language.

    Typer takes the help texts, in English, when the commands are defined. Each text is a
    message id of the catalog, so it is translated here, once the language is known.
    """
    import typer.rich_utils

    command = typer.main.get_command(app)
    _translate_help(command)
    for name, title in HELP_PANEL_TITLES.items():
        setattr(typer.rich_utils, name, gettext(title))
    return command


def _translate_help(command) -> None:
    """Translate the help of ``command``, of its parameters and of its subcommands, in place."""
    if command.help:
        command.help = gettext(command.help)
    if command.short_help:
        command.short_help = gettext(command.short_help)
    for parameter in command.params:
        if getattr(parameter, "help", None):
            parameter.help = gettext(parameter.help)
    for subcommand in getattr(command, "commands", {}).values():
        _translate_help(subcommand)


def main() -> None:
    """Run the command line; user errors print a message and exit with status 1, never a traceback."""
    arguments = global_options_first(sys.argv[1:])
    set_language(_requested_language(arguments))
    try:
        # Without standalone mode, click returns the exit code of typer.Exit instead of exiting.
        exit_code = translated_command().main(args=arguments, prog_name="zoneblanche", standalone_mode=False)
        if isinstance(exit_code, int) and exit_code:
            sys.exit(exit_code)
    except ZoneblancheError as error:
        err.print(f"{_('Error')}: {error.message}", style="red")
        if isinstance(error, InputError):
            _print_row_errors([row.as_dict() for row in error.errors])
        sys.exit(1)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last guard before a user's terminal
        # Typer ships its own copy of click, so its usage errors are recognised by shape.
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            err.print(f"{_('Invalid command line')}: {error.format_message()}", style="red")
            err.print(_("Run `zoneblanche --help`, or `zoneblanche COMMAND --help`, for the commands and their options."))
            sys.exit(error.exit_code)
        logger.exception("unexpected error")
        err.print(f"{_('Unexpected error')}: {error}", style="red")
        sys.exit(2)


# --- grid test and survey comparison -----------------------------------------------------


@app.command()
def gridtest(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    level: Annotated[str, typer.Option(help="Level name, ordinal or id.")],
    building: Annotated[Optional[str], typer.Option(help="Building of --level, when the level name is not unique.")] = None,
    operator: Annotated[Optional[str], typer.Option(help="PLMN such as 208-01 or operator name; by default the best operator per cell.")] = None,
    policy: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Policy file (TOML) overriding the default thresholds.")] = None,
    survey: SurveyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run the grid test of the US in-building public-safety codes on one level."""
    from api.analysis import resolve_operator, site_analysis
    from maps.grids import operator_label
    from survey.gridtest import run_gridtest
    from survey.policy import load_policy
    from survey.store import find_level, find_site

    rules = load_policy(policy or context().settings.policy_file)
    with context().store.session() as session:
        record = find_site(session, site)
        level_id = find_level(session, record, level, building).id
        analysis = site_analysis(session, record, rules, survey)
    level_result = next(item for item in analysis.levels if item.level_id == level_id)
    plmn = resolve_operator(analysis, operator)
    result = run_gridtest(level_result, rules, plmn, operator_label(analysis, plmn))
    emit(result.as_dict(), as_json, lambda _result: _print_gridtest(result))


def _print_gridtest(result) -> None:
    from survey.gridtest import status_label

    verdict = _("passes") if result.passed else _("fails")
    out.print(
        _("Grid test of level {level}, {operator}, threshold {threshold:.0f} dBm: {verdict}").format(
            level=result.level, operator=result.operator_name, threshold=result.threshold_dbm, verdict=verdict
        )
    )
    for division in (result.first, result.regrid):
        if division is None:
            continue
        table = Table(title=_("{cells} cells, at most {failures} non-adjacent failures").format(cells=division.requested_cells, failures=division.max_failures))
        for header in (_("row"), _("column"), _("samples"), _("level (dBm)"), _("operator"), _("result"), _("rooms below the threshold")):
            table.add_column(header)
        for cell in division.cells:
            level_text = "" if cell.level_dbm is None else f"{cell.level_dbm:.0f}"
            table.add_row(
                str(cell.row + 1), str(cell.column + 1), str(cell.samples), level_text, cell.operator or "", status_label(cell.status),
                ", ".join(cell.rooms_below),
            )
        out.print(table)
    for area in result.critical_areas:
        rate = "" if area.pass_rate is None else f"{area.pass_rate:.1%}"
        out.print(_("critical area {ref} ({name}): {rate} of {count} samples at or above the threshold, {result}").format(
            ref=area.ref, name=area.name, rate=rate, count=area.samples, result=status_label(area.status)
        ))
    for note in result.notes:
        out.print(f"  {note}")


@app.command()
def compare(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    before: Annotated[str, typer.Option(help="Survey before the change: name or id.")],
    after: Annotated[str, typer.Option(help="Survey after the change: name or id.")],
    policy: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Policy file (TOML) overriding the default thresholds.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Compare two surveys of a site room by room, such as before and after an indoor antenna system."""
    from survey.compare import compare_site_surveys
    from survey.policy import load_policy
    from survey.store import find_site

    rules = load_policy(policy or context().settings.policy_file)
    with context().store.session() as session:
        comparison = compare_site_surveys(session, find_site(session, site), before, after, rules)
    emit(comparison.as_dict(), as_json, lambda _result: _print_comparison(comparison))


def _print_comparison(comparison) -> None:
    from maps.style import signed_number, signed_percent, verdict_label

    summary = comparison.summary()
    out.print(
        _("{improved} verdicts improved, {worsened} worsened; newly shielded: {new}; no longer shielded: {gone}").format(
            improved=summary["verdicts"]["improved"],
            worsened=summary["verdicts"]["worsened"],
            new=", ".join(summary["newly_shielded"]) or "-",
            gone=", ".join(summary["no_longer_shielded"]) or "-",
        )
    )
    if summary["verdicts"]["unmeasured"]:
        out.print(
            _("{count} room and operator pairs have no samples in one of the two surveys and are not compared.").format(
                count=summary["verdicts"]["unmeasured"]
            )
        )
    table = Table(title=comparison.site)
    for header in (_("room"), _("operator"), _("before"), _("after"), _("pass rate change"), _("median change (dB)")):
        table.add_column(header)
    for room in comparison.rooms:
        for change in room.operators:
            if change.change == "unmeasured" or (change.change == "same" and not change.median_change_db):
                continue
            rate = signed_percent(change.pass_rate_change)
            median = signed_number(change.median_change_db)
            table.add_row(room.ref, change.operator, verdict_label(change.verdict_before), verdict_label(change.verdict_after), rate, median)
    out.print(table)
