"""Writing the renderings of a site analysis to files: heatmaps, maps, tables and the report.

It is the only module of the package that writes files, and it calls the same byte-returning
renderers as the HTTP API. :func:`write_outputs` writes everything into one folder, and
:func:`render_report` writes the one format that the ``report`` command requests.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from maps.heatmap import render_heatmap
from maps.pdf import render_pdf
from maps.tables import rooms_csv, rooms_geojson, rooms_xlsx
from maps.webmap import render_level_map
from survey.gridding import Grid, grid_level
from survey.errors import InputError
from survey.i18n import _, current_language
from survey.results import LevelResult, SiteAnalysis

logger = logging.getLogger(__name__)

BEST_OPERATOR_SLUG = "best"
REPORT_FORMATS = ("pdf", "csv", "xlsx", "geojson", "html", "kit")

# Letters that Unicode decomposition does not turn into ASCII ("Œ" has no decomposition).
LIGATURES = str.maketrans({"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss"})


def slugify(text: str, fallback: str) -> str:
    """Return ``text`` as lowercase ASCII words joined by hyphens, or ``fallback`` if none is left.

    >>> slugify("Bâtiment A – Rez-de-chaussée", "level-1")
    'batiment-a-rez-de-chaussee'
    """
    spelled = text.translate(LIGATURES)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or fallback


def level_slugs(analysis: SiteAnalysis) -> dict[int, str]:
    """Return a unique file-name slug per level id.

    The slug is the level's name, prefixed with its building's name when the site has several
    buildings, and suffixed with the level id when two levels would still share it.
    """
    several_buildings = len({level.building for level in analysis.levels}) > 1
    slugs = {}
    for level in analysis.levels:
        name = f"{level.building} {level.name}" if several_buildings else level.name
        slugs[level.level_id] = slugify(name, f"level-{level.level_id}")
    counts: dict[str, int] = {}
    for slug in slugs.values():
        counts[slug] = counts.get(slug, 0) + 1
    return {level_id: f"{slug}-{level_id}" if counts[slug] > 1 else slug for level_id, slug in slugs.items()}


def operator_slugs(analysis: SiteAnalysis) -> dict[str, str]:
    """Return a unique file-name slug per PLMN, from the operator's name."""
    slugs: dict[str, str] = {}
    for plmn, name in analysis.operators:
        slug = slugify(name, slugify(plmn, "operator"))
        if slug in slugs.values() or slug == BEST_OPERATOR_SLUG:
            slug = f"{slug}-{slugify(plmn, 'operator')}"
        slugs[plmn] = slug
    return slugs


def level_grids(analysis: SiteAnalysis, level: LevelResult, resolution_m: float) -> dict[str, tuple[str, Grid]]:
    """Return the level's grids keyed by display name: one per operator, then the best operator.

    Each value is (file-name slug, grid).
    """
    slugs = operator_slugs(analysis)
    grids = {
        name: (slugs[plmn], grid_level(level, plmn, resolution_m=resolution_m)) for plmn, name in analysis.operators
    }
    grids[_("best operator")] = (BEST_OPERATOR_SLUG, grid_level(level, None, resolution_m=resolution_m))
    return grids


def write_outputs(
    analysis: SiteAnalysis,
    out_dir: Path,
    *,
    resolution_m: float = 0.5,
    csv_dialect: str | None = None,
) -> dict[str, list[Path]]:
    """Write heatmaps, one map per level, ``rooms.csv`` and ``report.pdf`` into ``out_dir``.

    Parameters
    ----------
    analysis
        The site analysis to render.
    out_dir
        Folder to write into. It is created when missing, and existing files are overwritten.
    resolution_m
        Grid cell size of the heatmaps, in metres.
    csv_dialect
        ``"fr"`` or ``"en"`` (see :func:`maps.tables.rooms_csv`); default: the current language.

    Returns
    -------
    dict
        The written paths under ``heatmaps``, ``maps``, ``tables`` and ``reports``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {"heatmaps": [], "maps": [], "tables": [], "reports": []}
    slugs = level_slugs(analysis)

    level_images: dict[int, bytes] = {}
    for level in analysis.levels:
        if not level.rooms:
            logger.warning("level %s (%s) has no rooms; no heatmap or map is written", level.level_id, level.name)
            continue
        grids = level_grids(analysis, level, resolution_m)
        heatmaps, best_png = _write_heatmaps(out_dir, slugs[level.level_id], level, grids)
        written["heatmaps"].extend(heatmaps)
        level_images[level.level_id] = best_png

        map_path = out_dir / f"map_{slugs[level.level_id]}.html"
        named_grids = {name: grid for name, (_slug, grid) in grids.items()}
        map_path.write_text(render_level_map(analysis, level, named_grids), encoding="utf-8")
        written["maps"].append(map_path)

    csv_path = out_dir / "rooms.csv"
    csv_path.write_bytes(rooms_csv(analysis, csv_dialect or _default_dialect()))
    written["tables"].append(csv_path)

    pdf_path = out_dir / "report.pdf"
    pdf_path.write_bytes(render_pdf(analysis, level_images))
    written["reports"].append(pdf_path)
    logger.info("wrote %d files for site %s into %s", sum(map(len, written.values())), analysis.site_name, out_dir)
    return written


def _write_heatmaps(
    out_dir: Path, level_slug: str, level: LevelResult, grids: dict[str, tuple[str, Grid]]
) -> tuple[list[Path], bytes]:
    """Write one PNG per grid of a level, and return the paths and the best operator's PNG."""
    paths = []
    best_png = b""
    for name, (operator_slug, grid) in grids.items():
        title = " \u2013 ".join(part for part in (level.building, level.name, name) if part)
        png = render_heatmap(level, grid, title=title, fmt="png")
        path = out_dir / f"heatmap_{level_slug}_{operator_slug}.png"
        path.write_bytes(png)
        paths.append(path)
        if operator_slug == BEST_OPERATOR_SLUG:
            best_png = png
    return paths, best_png


def _default_dialect() -> str:
    return "fr" if current_language() == "fr" else "en"


def render_report(
    analysis: SiteAnalysis,
    fmt: str,
    output: Path,
    *,
    dialect: str | None = None,
    resolution_m: float = 0.5,
) -> list[Path]:
    """Write one report format for the ``report`` command and return the written paths.

    Parameters
    ----------
    analysis
        The site analysis to report.
    fmt
        ``pdf``, ``csv``, ``xlsx`` or ``geojson``: one file at ``output``. ``html``: one offline
        map per level in the folder ``output``. ``kit``: every output of :func:`write_outputs`
        in the folder ``output``, the bundle the crisis cell keeps offline.
    output
        File or folder to write, as ``fmt`` requires.
    dialect
        CSV dialect, ``"fr"`` or ``"en"`` (default: the current language).
    resolution_m
        Grid cell size of the heatmaps, in metres.
    """
    if fmt not in REPORT_FORMATS:
        raise InputError(
            _("unknown report format"),
            column="--format",
            value=fmt,
            fix=_("use one of: {formats}").format(formats=", ".join(REPORT_FORMATS)),
        )
    output = Path(output)
    if fmt == "kit":
        written = write_outputs(analysis, output, resolution_m=resolution_m, csv_dialect=dialect)
        return [path for paths in written.values() for path in paths]
    if fmt == "html":
        return _write_level_maps(analysis, output, resolution_m)

    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        output.write_bytes(render_pdf(analysis, _best_heatmaps(analysis, resolution_m)))
    elif fmt == "csv":
        output.write_bytes(rooms_csv(analysis, dialect or _default_dialect()))
    elif fmt == "xlsx":
        output.write_bytes(rooms_xlsx(analysis))
    else:
        output.write_bytes(rooms_geojson(analysis))
    return [output]


def _write_level_maps(analysis: SiteAnalysis, out_dir: Path, resolution_m: float) -> list[Path]:
    """Write ``map_<level>.html`` for every level with rooms into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    slugs = level_slugs(analysis)
    paths = []
    for level in analysis.levels:
        if not level.rooms:
            logger.warning("level %s (%s) has no rooms; no map is written", level.level_id, level.name)
            continue
        grids = {name: grid for name, (_slug, grid) in level_grids(analysis, level, resolution_m).items()}
        path = out_dir / f"map_{slugs[level.level_id]}.html"
        path.write_text(render_level_map(analysis, level, grids), encoding="utf-8")
        paths.append(path)
    return paths


def _best_heatmaps(analysis: SiteAnalysis, resolution_m: float) -> dict[int, bytes]:
    """Return the best-operator heatmap PNG of every level with rooms, by level id."""
    images = {}
    for level in analysis.levels:
        if level.rooms:
            grid = grid_level(level, None, resolution_m=resolution_m)
            title = " \u2013 ".join(part for part in (level.building, level.name, _("best operator")) if part)
            images[level.level_id] = render_heatmap(level, grid, title=title, fmt="png")
    return images
