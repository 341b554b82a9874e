"""Every rendering of a site analysis, computed once, for the ``report`` command, the API and the demo.

:class:`SiteRenderer` computes each grid and image on first use and keeps it, so the PDF, the
posters, the maps and the crisis kit of one analysis share their work. The HTTP API and the
command line call the same methods, so they produce the same files. :func:`write_outputs`
writes everything into one folder, and :func:`render_report` writes the one format that the
``report`` command requests.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from maps.grids import DEFAULT_RESOLUTION_M, LevelGrids, site_grids
from maps.images import heatmap_image, verdict_plan_image
from maps.pdf import render_pdf
from maps.posters import render_posters
from maps.tables import CSV_DIALECTS, rooms_csv, rooms_geojson, rooms_xlsx
from maps.webmap import PlanBackground, render_level_map, render_site_map
from maps.webmap_layers import LevelContent
from survey.compare import SurveyComparison
from survey.errors import InputError, NotFoundError
from survey.i18n import _, current_language
from survey.results import LevelResult, SiteAnalysis

logger = logging.getLogger(__name__)

BEST_OPERATOR_SLUG = "best"
REPORT_FORMATS = ("pdf", "csv", "xlsx", "geojson", "html", "posters", "kit")

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


def default_dialect() -> str:
    """Return the CSV dialect of the current language."""
    return "fr" if current_language() == "fr" else "en"


class SiteRenderer:
    """Renders the outputs of one site analysis, computing each grid and image once.

    Parameters
    ----------
    analysis
        The site analysis to render.
    resolution_m
        Grid cell size of the heatmaps, in metres.
    backgrounds
        Floor plan images per level id, drawn under the rooms of the web maps.
    generated_at
        Generation time printed in the documents (default: when the renderer is made).
    comparison
        A comparison of two surveys of the site, for the PDF report.
    """

    def __init__(
        self,
        analysis: SiteAnalysis,
        *,
        resolution_m: float = DEFAULT_RESOLUTION_M,
        backgrounds: dict[int, PlanBackground] | None = None,
        generated_at: datetime | None = None,
        comparison: SurveyComparison | None = None,
    ) -> None:
        self.analysis = analysis
        self.comparison = comparison
        self.grids: dict[int, LevelGrids] = site_grids(analysis, resolution_m)
        self.backgrounds = backgrounds or {}
        self.generated_at = generated_at or datetime.now(timezone.utc)
        self.level_slugs = level_slugs(analysis)
        self.operator_slugs = operator_slugs(analysis)
        self._images: dict[tuple, bytes | None] = {}
        self._map_contents: dict[int, LevelContent] = {}

    def level(self, level_id: int) -> LevelResult:
        """Return the level ``level_id`` of the analysis, or raise NotFoundError."""
        for level in self.analysis.levels:
            if level.level_id == level_id:
                return level
        raise NotFoundError(_("level {level} is not part of this site").format(level=level_id))

    def heatmap(self, level_id: int, plmn: str | None = None, metric: str = "signal_dbm", fmt: str = "png") -> bytes | None:
        """Return the heatmap of one level, operator (None: the best) and metric; None without rooms."""
        key = ("heatmap", level_id, plmn, metric, fmt)
        if key not in self._images:
            self._images[key] = heatmap_image(self.analysis, self.grids[level_id], plmn, metric, fmt)
        return self._images[key]

    def verdict_plan(self, level_id: int, fmt: str = "png") -> bytes | None:
        """Return the verdict plan of one level with its numbered lines; None without rooms."""
        key = ("verdict", level_id, fmt)
        if key not in self._images:
            self._images[key] = verdict_plan_image(self.level(level_id), fmt=fmt)
        return self._images[key]

    def level_images(self) -> dict[int, list[bytes]]:
        """Return the images of each level's report pages: the verdict plan and the best-operator heatmap."""
        images = {}
        for level in self.analysis.levels:
            pictures = [self.verdict_plan(level.level_id), self.heatmap(level.level_id)]
            images[level.level_id] = [picture for picture in pictures if picture is not None]
        return images

    def pdf(self) -> bytes:
        """Return the PDF report."""
        return render_pdf(
            self.analysis, self.level_images(), generated_at=self.generated_at, comparison=self.comparison
        )

    def posters(self, paper: str = "A3") -> bytes:
        """Return the outage posters, one page per level."""
        return render_posters(self.analysis, paper=paper, generated_at=self.generated_at)

    def site_map(self) -> str:
        """Return the offline map of every level, with a level switcher."""
        return render_site_map(self.analysis, self.grids, backgrounds=self.backgrounds, contents=self._map_contents)

    def level_map(self, level_id: int) -> str:
        """Return the offline map of one level."""
        level = self.level(level_id)
        if not level.rooms:
            raise InputError(
                _("level {level!r} has no rooms to draw").format(level=level.name),
                fix=_("import the level's floor plan first"),
            )
        return render_level_map(
            self.analysis,
            level,
            self.grids[level_id],
            background=self.backgrounds.get(level_id),
            contents=self._map_contents,
        )

    def csv(self, dialect: str | None = None) -> bytes:
        """Return the room table as CSV in ``dialect`` (default: the current language's)."""
        return rooms_csv(self.analysis, dialect or default_dialect())

    def xlsx(self) -> bytes:
        """Return the room table as an XLSX workbook."""
        return rooms_xlsx(self.analysis)

    def geojson(self) -> bytes:
        """Return the rooms with their verdicts as GeoJSON in plan metres."""
        return rooms_geojson(self.analysis)

    def heatmap_files(self) -> list[tuple[str, bytes]]:
        """Return (file name, PNG) of the signal heatmaps: the best operator and each operator, per level."""
        files = []
        for level in self.analysis.levels:
            if not level.rooms:
                logger.warning("level %s (%s) has no rooms; no heatmap is drawn", level.level_id, level.name)
                continue
            level_slug = self.level_slugs[level.level_id]
            for plmn in [None, *[code for code, _name in self.analysis.operators]]:
                operator = BEST_OPERATOR_SLUG if plmn is None else self.operator_slugs[plmn]
                image = self.heatmap(level.level_id, plmn)
                if image is not None:
                    files.append((f"heatmap_{level_slug}_{operator}.png", image))
        return files

    def level_map_files(self) -> list[tuple[str, str]]:
        """Return (file name, HTML) of the map of every level with rooms."""
        return [
            (f"map_{self.level_slugs[level.level_id]}.html", self.level_map(level.level_id))
            for level in self.analysis.levels
            if level.rooms
        ]

    def kit(self, csv_dialect: str = "fr") -> bytes:
        """Return the crisis kit: one ZIP archive of every output with read-me files."""
        from maps.kit import build_kit

        return build_kit(self, csv_dialect=csv_dialect)


def write_outputs(
    analysis: SiteAnalysis,
    out_dir: Path,
    *,
    resolution_m: float = DEFAULT_RESOLUTION_M,
    csv_dialect: str | None = None,
) -> dict[str, list[Path]]:
    """Write heatmaps, maps, tables, the PDF report, the posters and the crisis kit into ``out_dir``.

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
        The written paths under ``heatmaps``, ``maps``, ``tables``, ``reports`` and ``kit``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    renderer = SiteRenderer(analysis, resolution_m=resolution_m)
    written: dict[str, list[Path]] = {"heatmaps": [], "maps": [], "tables": [], "reports": [], "kit": []}

    written["heatmaps"] = [_write(out_dir / name, data) for name, data in renderer.heatmap_files()]
    maps = [*renderer.level_map_files(), ("map_site.html", renderer.site_map())]
    written["maps"] = [_write(out_dir / name, page.encode("utf-8")) for name, page in maps]
    written["tables"] = [
        _write(out_dir / "rooms.csv", renderer.csv(csv_dialect)),
        _write(out_dir / "rooms.xlsx", renderer.xlsx()),
        _write(out_dir / "rooms.geojson", renderer.geojson()),
    ]
    written["reports"] = [
        _write(out_dir / "report.pdf", renderer.pdf()),
        _write(out_dir / "posters.pdf", renderer.posters()),
    ]
    written["kit"] = [_write(out_dir / "crisis_kit.zip", renderer.kit())]
    logger.info("wrote %d files for site %s into %s", sum(map(len, written.values())), analysis.site_name, out_dir)
    return written


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def render_report(
    analysis: SiteAnalysis,
    fmt: str,
    output: Path,
    *,
    dialect: str | None = None,
    resolution_m: float = DEFAULT_RESOLUTION_M,
    renderer: SiteRenderer | None = None,
) -> list[Path]:
    """Write one report format for the ``report`` command and return the written paths.

    Parameters
    ----------
    analysis
        The site analysis to report.
    fmt
        ``pdf``, ``csv``, ``xlsx``, ``geojson``, ``posters`` (PDF), ``html`` (the offline map
        of every level, with a level switcher) or ``kit`` (the crisis kit, a ZIP archive): one
        file at ``output``, the same file as the HTTP API serves.
    output
        File to write; its folder is created when missing.
    dialect
        CSV dialect, ``"fr"`` or ``"en"`` (default: the current language); the kit's CSV is
        French unless ``"en"`` is given.
    resolution_m
        Grid cell size of the heatmaps, in metres, when no ``renderer`` is given.
    renderer
        The renderer of ``analysis`` to use, such as one with floor plan images and a
        comparison of surveys (default: a plain one).
    """
    if fmt not in REPORT_FORMATS:
        raise InputError(
            _("unknown report format"),
            column="--format",
            value=fmt,
            fix=_("use one of: {formats}").format(formats=", ".join(REPORT_FORMATS)),
        )
    if dialect is not None and dialect not in CSV_DIALECTS:
        raise InputError(
            _("unknown CSV dialect"),
            column="--dialect",
            value=dialect,
            fix=_("use one of: {formats}").format(formats=", ".join(CSV_DIALECTS)),
        )
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    renderer = renderer or SiteRenderer(analysis, resolution_m=resolution_m)
    output.write_bytes(render_format(renderer, fmt, dialect))
    return [output]


def render_format(renderer: SiteRenderer, fmt: str, dialect: str | None = None) -> bytes:
    """Return the bytes of one report format (see :func:`render_report`)."""
    if fmt == "pdf":
        return renderer.pdf()
    if fmt == "posters":
        return renderer.posters()
    if fmt == "html":
        return renderer.site_map().encode("utf-8")
    if fmt == "csv":
        return renderer.csv(dialect)
    if fmt == "xlsx":
        return renderer.xlsx()
    if fmt == "geojson":
        return renderer.geojson()
    return renderer.kit(csv_dialect=dialect or "fr")
