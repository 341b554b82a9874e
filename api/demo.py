"""The demo: the sample hospital loaded into a fresh database, analyzed and written out.

What to load is listed in ``data/samples/hospital/manifest.toml``, so that the demo runs the
same commands a technician and a planner would: create the site, import the plans and the
room registry, ingest each log with its track or room visits, analyze, write the reports.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from survey.i18n import _
from survey.ingest import Attachment, IngestOptions, ingest_upload
from survey.plans import import_plan
from survey.registry import import_registry
from survey.sites import create_site
from survey.store import Store, find_site, find_survey

logger = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "hospital"


def sample_hospital_dir(work_dir: Path) -> Path:
    """Return the sample hospital's folder, generating it with the simulator when it is missing."""
    if (SAMPLES / "manifest.toml").exists():
        return SAMPLES
    from survey.simulate import write_sample_hospital

    target = work_dir / "sample-hospital"
    if not (target / "manifest.toml").exists():
        write_sample_hospital(target)
    return target


def load_sample_hospital(store: Store, folder: Path, console: Console | None = None) -> dict:
    """Run the manifest of ``folder`` against ``store``; returns the ingest reports."""
    manifest = tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8"))
    with store.session() as session:
        site = create_site(session, manifest["site"], manifest.get("timezone", "Europe/Paris"))
        for plan in manifest["plans"]:
            path = folder / plan["file"]
            import_plan(session, site, path.read_bytes(), path.name, building=plan.get("building"), level=plan.get("level"), ordinal=plan.get("ordinal"))
        registry = folder / manifest["registry"]
        import_registry(session, site, registry.read_bytes(), registry.name)
        site_name = site.name

    reports = []
    uploads = [(entry, name) for entry in manifest["ingest"] for name in entry["files"]]
    with Progress(console=console, transient=True, disable=console is None) as progress:
        task = progress.add_task(_("Loading the sample hospital"), total=len(uploads))
        for entry, name in uploads:
            options = IngestOptions(
                level=entry.get("level"),
                track=_attachment(folder, entry.get("track")),
                visits=_attachment(folder, entry.get("visits")),
            )
            with store.session() as session:
                survey = find_survey(session, find_site(session, site_name), entry["survey"], create=True)
                reports.extend(ingest_upload(session, survey, (folder / name).read_bytes(), name, options))
            progress.advance(task)
    return {"site": site_name, "files": reports}


def run_demo(context, out_dir: Path, console: Console | None = None) -> dict:
    """Load the sample hospital into ``out_dir/zoneblanche.db`` (replaced), analyze it and write the outputs."""
    from maps.outputs import write_outputs
    from survey.analysis import analyze_site
    from survey.policy import load_policy

    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / "zoneblanche.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    context.settings.database_url = f"sqlite:///{database.resolve()}"
    context._store = None

    loaded = load_sample_hospital(context.store, sample_hospital_dir(out_dir), console)
    with context.store.session() as session:
        analysis = analyze_site(session, find_site(session, loaded["site"]), load_policy(context.settings.policy_file))
    outputs = write_outputs(analysis, out_dir)
    return {"site": loaded["site"], "files": loaded["files"], "outputs": outputs, "database": str(database)}


def _attachment(folder: Path, name: str | None) -> Attachment | None:
    if not name:
        return None
    return Attachment((folder / name).read_bytes(), name)
