"""The Jinja2 environment of the web pages: autoescaped, translated through ``_``, no network assets."""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi.templating import Jinja2Templates

from maps.style import action_label, verdict_label, yes_no
from survey.categories import category_label, criticality_label
from survey.i18n import current_language, gettext, ngettext

TEMPLATE_DIR = Path(__file__).parent / "templates"


def create_templates() -> Jinja2Templates:
    """Create the template renderer with the translation and label helpers as globals."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        _=gettext,
        ngettext=ngettext,
        current_language=current_language,
        verdict_label=verdict_label,
        action_label=action_label,
        category_label=category_label,
        criticality_label=criticality_label,
        yes_no=yes_no,
    )
    return Jinja2Templates(env=environment)
