"""Scanned or exported plans (PDF pages, PNG and JPEG images) as level backgrounds.

A background is a picture under a level's rooms, for plans that only exist on paper or as a
PDF. Rooms are then drawn over it through the API. It is placed in plan metres by a two-point
calibration: the planner gives two pixel points and the real distance between them, which
gives metres per pixel (use the longest known dimension: the error shrinks with its length).
The image's bottom-left corner is the plan origin, and y grows upwards as in every plan.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math

import pypdfium2
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.errors import FormatError, InputError
from survey.i18n import _
from survey.models import Level, LevelBackground
from survey.store import get_level

logger = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
IMAGE_MAGICS = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
# Rendered images larger than this are rendered again at a lower resolution.
MAX_PIXELS = 40_000_000
MIN_DPI, MAX_DPI = 36, 600


def media_type(data: bytes) -> str | None:
    """Return ``application/pdf``, ``image/png`` or ``image/jpeg`` from the content, else None."""
    if data.startswith(PDF_MAGIC):
        return "application/pdf"
    for magic, kind in IMAGE_MAGICS.items():
        if data.startswith(magic):
            return kind
    return None


def render_background(data: bytes, filename: str, *, page: int = 1, dpi: int = 150) -> tuple[bytes, int, int, int | None]:
    """Render a PDF page or an image as PNG; return ``(png, width_px, height_px, dpi)``.

    PDF pages are rendered with pypdfium2 at ``dpi`` (lowered when the image would exceed
    40 megapixels); images are converted to PNG as they are and their ``dpi`` is None.

    Raises
    ------
    FormatError
        The file is neither a PDF nor a PNG or JPEG image, or cannot be decoded.
    InputError
        The page does not exist or the resolution is outside 36–600 dpi.
    """
    kind = media_type(data)
    if kind is None:
        raise FormatError(_("a plan background must be a PDF, PNG or JPEG file"), file=filename)
    if kind == "application/pdf":
        image, dpi_used = _render_pdf(data, filename, page, dpi)
    else:
        image, dpi_used = _open_image(data, filename), None
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue(), image.width, image.height, dpi_used


def _render_pdf(data: bytes, filename: str, page: int, dpi: int) -> tuple[Image.Image, int]:
    if not MIN_DPI <= dpi <= MAX_DPI:
        raise InputError(_("resolution out of range"), file=filename, column="dpi", value=dpi, fix=_("choose between {low} and {high} dpi").format(low=MIN_DPI, high=MAX_DPI))
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise FormatError(_("the PDF cannot be read: {error}").format(error=error), file=filename) from None
    try:
        if not 1 <= page <= len(document):
            raise InputError(_("the PDF has no page {page}").format(page=page), file=filename, column="page", value=page, fix=_("choose a page from 1 to {count}").format(count=len(document)))
        pdf_page = document[page - 1]
        width_pt, height_pt = pdf_page.get_size()
        pixels = (width_pt * dpi / 72) * (height_pt * dpi / 72)
        if pixels > MAX_PIXELS:
            dpi = int(dpi * math.sqrt(MAX_PIXELS / pixels))
            logger.info("%s: page %d rendered at %d dpi to stay under %d pixels", filename, page, dpi, MAX_PIXELS)
        image = pdf_page.render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()
    return image, dpi


def _open_image(data: bytes, filename: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise FormatError(_("the image cannot be read: {error}").format(error=error), file=filename) from None
    if image.width * image.height > MAX_PIXELS:
        raise InputError(
            _("the image has more than {limit:,} pixels").format(limit=MAX_PIXELS),
            file=filename,
            value=f"{image.width}×{image.height}",
            fix=_("scale the image down before importing it"),
        )
    return image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")


def store_background(session: Session, level: Level, data: bytes, filename: str, *, page: int = 1, dpi: int = 150) -> dict:
    """Render and store a level's background, replacing the previous one.

    A new image keeps the previous calibration only when it has the same pixel size;
    otherwise the level must be calibrated again.
    """
    png, width, height, dpi_used = render_background(data, filename, page=page, dpi=dpi)
    background = session.scalar(select(LevelBackground).where(LevelBackground.level_id == level.id))
    if background is None:
        background = LevelBackground(level_id=level.id, origin_x_m=0.0, origin_y_m=0.0)
        session.add(background)
    elif (background.width_px, background.height_px) != (width, height):
        background.metres_per_pixel = None
        background.calibration = None
    background.filename = filename
    background.media_type = media_type(data) or ""
    background.sha256 = hashlib.sha256(data).hexdigest()
    background.page = page
    background.dpi = dpi_used
    background.width_px = width
    background.height_px = height
    background.png = png
    session.flush()
    logger.info("background of level %s stored: %s, %dx%d px", level.id, filename, width, height)
    return background_summary(background)


def background_summary(background: LevelBackground) -> dict:
    """Return the JSON description of a background (without the image)."""
    return {
        "level_id": background.level_id,
        "filename": background.filename,
        "media_type": background.media_type,
        "page": background.page,
        "dpi": background.dpi,
        "width_px": background.width_px,
        "height_px": background.height_px,
        "metres_per_pixel": background.metres_per_pixel,
        "calibration": background.calibration,
        "bounds_m": list(background_bounds(background)) if background.metres_per_pixel else None,
    }


def calibrate(session: Session, level_id: int, first_px: tuple[float, float], second_px: tuple[float, float], distance_m: float) -> dict:
    """Set a background's scale from two pixel points and the real distance between them.

    Parameters
    ----------
    first_px, second_px
        Pixel coordinates (column, row from the top-left corner) of two points on the image.
    distance_m
        The real distance between them, in metres.

    Returns
    -------
    dict
        The background summary with ``metres_per_pixel`` and the bounds in metres.
    """
    background = _background_of(session, level_id)
    pixels = math.dist(first_px, second_px)
    if pixels < 1:
        raise InputError(_("the two calibration points are less than one pixel apart"), column="points", value=f"{first_px} {second_px}", fix=_("click two points far apart, at both ends of a known length"))
    if not (distance_m > 0 and math.isfinite(distance_m)):
        raise InputError(_("the calibration distance must be a positive number of metres"), column="distance_m", value=distance_m)
    background.metres_per_pixel = distance_m / pixels
    background.calibration = {"first_px": list(first_px), "second_px": list(second_px), "distance_m": distance_m, "pixels": pixels}
    session.flush()
    logger.info("background of level %s calibrated: %.5f m per pixel", level_id, background.metres_per_pixel)
    return background_summary(background)


def _background_of(session: Session, level_id: int) -> LevelBackground:
    get_level(session, level_id)
    background = session.scalar(select(LevelBackground).where(LevelBackground.level_id == level_id))
    if background is None:
        raise InputError(
            _("level {level} has no background plan").format(level=level_id),
            fix=_("import a PDF, PNG or JPEG plan for this level first"),
        )
    return background


def background_bounds(background: LevelBackground) -> tuple[float, float, float, float]:
    """Return the calibrated image's extent ``(x_min, y_min, x_max, y_max)`` in plan metres."""
    scale = background.metres_per_pixel or 0.0
    x_min, y_min = background.origin_x_m, background.origin_y_m
    return (x_min, y_min, x_min + background.width_px * scale, y_min + background.height_px * scale)


def pixel_to_plan(background: LevelBackground, column: float, row: float) -> tuple[float, float]:
    """Return the plan metres of a pixel of a calibrated background (rows grow downwards)."""
    scale = background.metres_per_pixel or 0.0
    return (background.origin_x_m + column * scale, background.origin_y_m + (background.height_px - row) * scale)


def level_background(session: Session, level_id: int) -> tuple[bytes, tuple[float, float, float, float]] | None:
    """Return a level's background PNG and its bounds ``(x_min, y_min, x_max, y_max)`` in metres.

    Returns None when the level has no background, or when it is not calibrated yet (it
    cannot be placed in metres then).
    """
    background = session.scalar(select(LevelBackground).where(LevelBackground.level_id == level_id))
    if background is None or not background.metres_per_pixel:
        return None
    return background.png, background_bounds(background)


def background_png(session: Session, level_id: int) -> bytes:
    """Return a level's background PNG, calibrated or not, for drawing rooms over it."""
    return _background_of(session, level_id).png
