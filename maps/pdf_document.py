"""The A4 document of the PDF report: fonts, footer, headings, paragraphs, images and tables.

Text uses DejaVu Sans from matplotlib's data folder, so French accents and « » render on every
system without a system font. Tables are drawn cell by cell with a cache of word widths:
fpdf2's own ``table()`` lays out a 2,000-row table in about 40 seconds, this in about one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FAMILY = "DejaVuSans"
MARGIN_MM = 15
FOOTER_HEIGHT_MM = 12
HEADING_FILL = (225, 225, 225)
STRIPE_FILL = (244, 244, 244)
RULE_GREY = 150
CELL_PADDING_MM = 1.2


class ReportPDF(FPDF):
    """An A4 document with a footer on every page: site, survey dates and page number."""

    def __init__(self, footer_text: str, page_label: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        # Holds "{page}" and "{total}"; fpdf2 replaces its page-count alias ("{nb}") on output.
        self.page_label = page_label
        self.add_font(FONT_FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT_FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=MARGIN_MM + FOOTER_HEIGHT_MM / 2)
        self.set_font(FONT_FAMILY, size=10)
        self._widths: dict[tuple[str, float, str], float] = {}

    def footer(self) -> None:
        self.set_y(-MARGIN_MM)
        self.set_font(FONT_FAMILY, size=7.5)
        self.set_text_color(60)
        self.cell(self.epw * 0.75, 5, self.footer_text, align="L")
        page = self.page_label.format(page=self.page_no(), total=self.str_alias_nb_pages)
        self.cell(self.epw * 0.25, 5, page, align="R")
        self.set_text_color(0)

    def text_width(self, text: str, style: str, size: float) -> float:
        """Return the width of ``text`` in mm in the report font, cached by word."""
        key = (style, size, text)
        width = self._widths.get(key)
        if width is None:
            self.set_font(FONT_FAMILY, style, size)
            width = self.get_string_width(text)
            self._widths[key] = width
        return width

    @property
    def bottom_limit(self) -> float:
        """Return the lowest y, in mm, that content may reach on the current page."""
        return self.page_break_trigger


def heading(pdf: ReportPDF, text: str, *, size: float = 15, section: bool = True) -> None:
    """Write a bold heading, which ``section`` also adds to the PDF outline."""
    if section:
        pdf.start_section(text)
    pdf.set_font(FONT_FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "", 10)


def subheading(pdf: ReportPDF, text: str) -> None:
    """Write a bold subheading, on a new page when fewer than three lines would follow it."""
    if pdf.get_y() + 20 > pdf.bottom_limit:
        pdf.add_page(orientation=pdf.cur_orientation)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 10)


def paragraph(pdf: ReportPDF, text: str, *, size: float = 10) -> None:
    """Write a paragraph across the text block."""
    pdf.set_font(FONT_FAMILY, "", size)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)


def ensure_space(pdf: ReportPDF, height_mm: float) -> None:
    """Start a new page when less than ``height_mm`` is left on this one."""
    if pdf.get_y() + height_mm > pdf.bottom_limit:
        pdf.add_page(orientation=pdf.cur_orientation)


def paragraph_height(pdf: ReportPDF, text: str, *, size: float = 10) -> float:
    """Return the height in mm that :func:`paragraph` takes for ``text``."""
    pdf.set_font(FONT_FAMILY, "", size)
    return pdf.multi_cell(0, size * 0.5, text, dry_run=True, output="HEIGHT") + 1.5


def titled_paragraph(pdf: ReportPDF, title: str, text: str, *, size: float = 10) -> None:
    """Write a subheading and its paragraph on the same page."""
    ensure_space(pdf, 10 + paragraph_height(pdf, text, size=size))
    subheading(pdf, title)
    paragraph(pdf, text, size=size)


def new_page_for(pdf: ReportPDF, image: bytes | None) -> None:
    """Add a page, landscape for a PNG image wider than tall."""
    width, height = png_size(image) if image is not None else (0, 0)
    pdf.add_page(orientation="landscape" if width > height else "portrait")


def space_left(pdf: ReportPDF, gap_mm: float = 0.0) -> float:
    """Return the height in mm left on the page above the footer, less ``gap_mm``."""
    return pdf.h - pdf.get_y() - MARGIN_MM - FOOTER_HEIGHT_MM / 2 - gap_mm


def png_size(png: bytes) -> tuple[int, int]:
    """Return the (width, height) of a PNG image in pixels."""
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def image_fitted(pdf: ReportPDF, png: bytes, *, max_height: float) -> None:
    """Place a PNG at the current position, as wide as the text block allows within ``max_height`` mm."""
    width_px, height_px = png_size(png)
    width = min(pdf.epw, max_height * width_px / height_px)
    height = width * height_px / width_px
    x = pdf.l_margin + (pdf.epw - width) / 2
    top = pdf.get_y()
    pdf.image(io.BytesIO(png), x=x, y=top, w=width, h=height)
    pdf.set_y(top + height + 2)


@dataclass(frozen=True)
class TableStyle:
    """Font size in points, relative column widths, alignment ("L" or "R") and table width in mm."""

    widths: tuple[float, ...]
    size: float = 8.5
    align: tuple[str, ...] | None = None
    width: float | None = None
    stripes: bool = True


def table(pdf: ReportPDF, header: Sequence[str], rows: Sequence[Sequence[str]], style: TableStyle) -> None:
    """Write a table with its header repeated on every page it spans.

    Cells wrap on words, and on characters for a word wider than its column. Rows alternate
    a light grey stripe, which keeps rows apart in black-and-white print.
    """
    total_width = style.width or pdf.epw
    align = style.align or ("L",) * len(header)
    widths = fitted_widths(pdf, [list(header), *map(list, rows)], style.widths, style.size, total_width)
    line_height = style.size * 0.45
    _table_header(pdf, header, widths, style.size, line_height)
    for index, row in enumerate(rows):
        cells = [wrap(pdf, str(text), width - 2 * CELL_PADDING_MM, "", style.size) for text, width in zip(row, widths)]
        height = max(len(lines) for lines in cells) * line_height + 2 * CELL_PADDING_MM * 0.7
        if pdf.get_y() + height > pdf.bottom_limit:
            pdf.add_page(orientation=pdf.cur_orientation)
            _table_header(pdf, header, widths, style.size, line_height)
        stripe = style.stripes and index % 2 == 1
        _table_row(pdf, cells, widths, align, "", style.size, line_height, height, stripe)
    pdf.ln(2)


def _table_header(pdf: ReportPDF, header: Sequence[str], widths: Sequence[float], size: float, line_height: float) -> None:
    cells = [wrap(pdf, str(text), width - 2 * CELL_PADDING_MM, "B", size) for text, width in zip(header, widths)]
    height = max(len(lines) for lines in cells) * line_height + 2 * CELL_PADDING_MM * 0.7
    if pdf.get_y() + height + 3 * line_height > pdf.bottom_limit:
        pdf.add_page(orientation=pdf.cur_orientation)
    pdf.set_fill_color(*HEADING_FILL)
    pdf.rect(pdf.l_margin, pdf.get_y(), sum(widths), height, style="F")
    _table_row(pdf, cells, widths, ("L",) * len(widths), "B", size, line_height, height, False)
    pdf.set_draw_color(0)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + sum(widths), pdf.get_y())


def _table_row(
    pdf: ReportPDF,
    cells: Sequence[list[str]],
    widths: Sequence[float],
    align: Sequence[str],
    style: str,
    size: float,
    line_height: float,
    height: float,
    stripe: bool,
) -> None:
    """Draw one row at the current y and move below it."""
    top = pdf.get_y()
    if stripe:
        pdf.set_fill_color(*STRIPE_FILL)
        pdf.rect(pdf.l_margin, top, sum(widths), height, style="F")
    pdf.set_font(FONT_FAMILY, style, size)
    x = pdf.l_margin
    for lines, width, side in zip(cells, widths, align):
        for number, line in enumerate(lines):
            baseline = top + CELL_PADDING_MM * 0.7 + (number + 0.78) * line_height
            if side == "R":
                left = x + width - CELL_PADDING_MM - pdf.text_width(line, style, size)
            else:
                left = x + CELL_PADDING_MM
            pdf.text(left, baseline, line)
        x += width
    pdf.set_draw_color(RULE_GREY)
    pdf.set_line_width(0.1)
    pdf.line(pdf.l_margin, top + height, pdf.l_margin + sum(widths), top + height)
    pdf.set_draw_color(0)
    pdf.set_y(top + height)


def wrap(pdf: ReportPDF, text: str, width: float, style: str, size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` mm, keeping its own line breaks."""
    lines: list[str] = []
    space = pdf.text_width(" ", style, size)
    for paragraph_text in text.split("\n"):
        current, current_width = "", 0.0
        for word in paragraph_text.split():
            for piece in _split_long_word(pdf, word, width, style, size):
                piece_width = pdf.text_width(piece, style, size)
                if current and current_width + space + piece_width > width:
                    lines.append(current)
                    current, current_width = piece, piece_width
                elif current:
                    current, current_width = f"{current} {piece}", current_width + space + piece_width
                else:
                    current, current_width = piece, piece_width
        lines.append(current)
    return lines or [""]


def _split_long_word(pdf: ReportPDF, word: str, width: float, style: str, size: float) -> list[str]:
    """Return ``word`` cut into pieces no wider than ``width`` mm (itself when it fits)."""
    if pdf.text_width(word, style, size) <= width:
        return [word]
    pieces, current = [], ""
    for character in word:
        if current and pdf.text_width(current + character, style, size) > width:
            pieces.append(current)
            current = character
        else:
            current += character
    pieces.append(current)
    return pieces


def fitted_widths(
    pdf: ReportPDF, rows: list[list[str]], weights: tuple[float, ...], size: float, total_width: float
) -> tuple[float, ...]:
    """Return column widths in mm that keep each column's longest word on one line.

    Every column first gets the width of its longest word, in bold for the header row. The
    rest of ``total_width`` is shared in proportion to ``weights``. When the words alone are too
    wide, the plain proportional widths are returned and long words are cut.
    """
    minimums = []
    for column in range(len(weights)):
        longest = 0.0
        for index, row in enumerate(rows):
            style = "B" if index == 0 else ""
            for word in str(row[column]).split():
                longest = max(longest, pdf.text_width(word, style, size))
        minimums.append(longest + 2 * CELL_PADDING_MM + 0.5)

    proportional = [total_width * weight / sum(weights) for weight in weights]
    if sum(minimums) > total_width:
        return tuple(proportional)
    widths = [max(minimum, share) for minimum, share in zip(minimums, proportional)]
    # Take the excess back from the columns that are wider than their minimum.
    excess = sum(widths) - total_width
    slack = [width - minimum for width, minimum in zip(widths, minimums)]
    return tuple(width - excess * room / sum(slack) if sum(slack) else width for width, room in zip(widths, slack))
