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
from survey.i18n import _, set_language
from survey.settings import Settings
from survey.store import Store

logger = logging.getLogger(__name__)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="zoneblanche: indoor mobile coverage per room, and the fixed lines to keep.")
site_app = typer.Typer(no_args_is_help=True, help="Sites (hospitals).")
plan_app = typer.Typer(no_args_is_help=True, help="Floor plans.")
rooms_app = typer.Typer(no_args_is_help=True, help="The room registry (CSV).")
app.add_typer(site_app, name="site")
app.add_typer(plan_app, name="plan")
app.add_typer(rooms_app, name="rooms")

out = Console()
err = Console(stderr=True)


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


# --- plans and rooms ---------------------------------------------------------------------


@plan_app.command("import")
def plan_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Plan file.")],
    site: Annotated[str, typer.Option(help="Site name or id.")],
    building: Annotated[Optional[str], typer.Option(help="Building name; the plan's own, or the site's only one, when left out.")] = None,
    level: Annotated[Optional[str], typer.Option(help="Level name; the plan's own when left out.")] = None,
    ordinal: Annotated[Optional[int], typer.Option(help="Level number: 0 for the ground floor, negative below.")] = None,
    format: Annotated[str, typer.Option(help="auto, geojson, imdf, osm, dxf or ifc.")] = "auto",
    units: Annotated[str, typer.Option(help="Units of the plan's coordinates: m, cm or mm.")] = "m",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import the rooms of a floor plan."""
    from survey.plans import import_plan
    from survey.store import find_site

    if units != "m":
        # TODO: scale plans drawn in cm or mm; GeoJSON plans are read in metres only.
        raise InputError(_("only plans in metres are read for now"), column="--units", value=units, fix=_("export the plan in metres"))
    with context().store.session() as session:
        report = import_plan(session, find_site(session, site), file.read_bytes(), file.name, building=building, level=level, ordinal=ordinal, format=format)
    emit(report, as_json, _print_plan_report)


def _print_plan_report(report: dict) -> None:
    for level in report["levels"]:
        out.print(
            _("{file}: level {level} ({building}): {created} rooms created, {updated} updated, {skipped} skipped").format(
                file=report["file"], level=level["level"], building=level["building"], created=level["rooms_created"], updated=level["rooms_updated"], skipped=len(level["skipped"])
            )
        )
        for skipped in level["skipped"]:
            out.print(f"  - {skipped.get('ref') or skipped['feature']}: {skipped['reason']}")


@rooms_app.command("import")
def rooms_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Room registry, CSV.")],
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
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write.")],
) -> None:
    """Write the room registry as CSV."""
    from survey.registry import export_registry
    from survey.store import find_site

    with context().store.session() as session:
        output.write_bytes(export_registry(session, find_site(session, site)))
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
            err.print(f"[red]{report['error']['message']}[/red]")
            _print_row_errors(report["error"]["detail"].get("errors", []))
            continue
        out.print(
            _("{path} ({format}): {rows} rows, {accepted} accepted, {rejected} rejected, {no_service} without service, {duplicates} duplicates, {unplaced} unplaced").format(**report)
        )
        for note in report["notes"]:
            out.print(f"  {note}")
        _print_row_errors(report["errors"])


@app.command()
def reparse(
    upload: Annotated[int, typer.Argument(help="Id of the upload, as printed by ingest --json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Rebuild an upload's samples from its stored raw copy, after a parser fix."""
    from survey.ingest import reparse_upload

    with context().store.session() as session:
        report = reparse_upload(session, upload)
    emit({"files": [report]}, as_json, _print_ingest_reports)


def _print_row_errors(errors: list[dict], limit: int = 20) -> None:
    for error in errors[:limit]:
        err.print(_("  line {line}, column {column}, value {value!r}: {reason}").format(**error))
    if len(errors) > limit:
        err.print(_("  … and {count} more").format(count=len(errors) - limit))


@app.command()
def analyze(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    policy: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Policy file (TOML) overriding the default thresholds.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rooms as JSON.")] = False,
) -> None:
    """Give every room its voice verdicts, shielding and recommendation."""
    analysis = _analysis(site, policy)
    emit(analysis.as_dict(), as_json, lambda _result: _print_analysis(analysis))


def _analysis(site: str, policy_path: Path | None):
    from survey.analysis import analyze_site
    from survey.policy import load_policy
    from survey.store import find_site

    policy = load_policy(policy_path or context().settings.policy_file)
    with context().store.session() as session:
        return analyze_site(session, find_site(session, site), policy)


def _print_analysis(analysis) -> None:
    from maps.style import action_label, verdict_label

    table = Table(title=analysis.site_name)
    for header in (_("level"), _("room"), _("name"), _("criticality"), _("samples"), _("shielded"), _("voice"), _("recommendation")):
        table.add_column(header)
    for room in analysis.rooms:
        shielded = f"{room.attenuation_db:.0f} dB" if room.shielded else ""
        table.add_row(room.level_name, room.ref, room.name, room.criticality, str(room.samples), shielded, verdict_label(room.voice), action_label(room.recommendation.action))
    out.print(table)


@app.command()
def report(
    site: Annotated[str, typer.Option(help="Site name or id.")],
    format: Annotated[str, typer.Option("--format", help="pdf, html, csv, xlsx, geojson or kit.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write, or folder for html.")],
    policy: Annotated[Optional[Path], typer.Option(exists=True, dir_okay=False, help="Policy file (TOML).")] = None,
    dialect: Annotated[Optional[str], typer.Option(help="CSV dialect: fr (; and decimal comma) or en.")] = None,
) -> None:
    """Write a report of the site."""
    from maps.outputs import render_report

    analysis = _analysis(site, policy)
    written = render_report(analysis, format, output, dialect=dialect)
    for path in written:
        err.print(_("Written: {path}").format(path=path))


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
        err.print(f"{kind}: " + ", ".join(str(path) for path in paths))
    if not no_serve:
        serve(host="127.0.0.1", port=port)


def main() -> None:
    """Run the command line; user errors print a message and exit with status 1, never a traceback."""
    try:
        app(standalone_mode=False)
    except ZoneblancheError as error:
        err.print(f"[red]{_('Error')}: {error.message}[/red]", highlight=False)
        if isinstance(error, InputError):
            _print_row_errors([row.as_dict() for row in error.errors])
        sys.exit(1)
    except typer.Exit as exit_:
        sys.exit(exit_.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last guard before a user's terminal
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(error.exit_code)
        logger.exception("unexpected error")
        err.print(f"[red]{_('Unexpected error')}: {error}[/red]")
        sys.exit(2)
