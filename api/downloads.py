"""Headers of downloaded files."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote


def attachment_headers(site_name: str, stem: str, extension: str) -> dict[str, str]:
    """Return the ``Content-Disposition`` header of a download named after the site.

    The plain ``filename`` is ASCII for old clients; ``filename*`` keeps the accents (RFC 6266).
    """
    name = f"zoneblanche-{site_name}-{stem}.{extension}"
    ascii_name = _ascii_filename(name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return {"Content-Disposition": disposition}


def _ascii_filename(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", decomposed).strip("-") or "zoneblanche"
