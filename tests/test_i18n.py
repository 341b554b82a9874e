"""The French catalog covers every user-facing message, and both READMEs say the same things."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from survey.i18n import LOCALE_DIR, gettext, language_from_header, normalize_language, set_language, reset_language

ROOT = Path(__file__).resolve().parents[1]


def extracted_ids() -> set[str]:
    ids = set()
    for package in ("survey", "maps", "api"):
        method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
        for _filename, _line, message, _comments, _context in extract_from_dir(ROOT / package, method_map):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def french_catalog():
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "zoneblanche.po").open("rb") as po_file:
        return read_po(po_file, locale="fr")


def test_every_message_has_a_french_translation():
    catalog = french_catalog()
    missing = sorted(message for message in extracted_ids() if not (catalog.get(message) and catalog.get(message).string))
    assert missing == []


def test_french_translations_keep_placeholders():
    for message in french_catalog():
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        assert set(re.findall(r"\{(\w+)", message.id)) == set(re.findall(r"\{(\w+)", message.string)), message.id


def test_language_defaults_to_french(monkeypatch):
    monkeypatch.delenv("ZONEBLANCHE_LANG", raising=False)
    token = set_language(None)
    try:
        assert gettext("intensive care") == "soins intensifs"
    finally:
        reset_language(token)


def test_english_on_request():
    token = set_language("en-GB")
    try:
        assert gettext("intensive care") == "intensive care"
    finally:
        reset_language(token)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("en-US,en;q=0.9,fr;q=0.8", "en"), ("de-DE, fr;q=0.5", "fr"), ("fr-FR", "fr"), ("de, it", None), (None, None)],
)
def test_accept_language(header, expected):
    assert language_from_header(header) == expected


def test_normalize_language():
    assert normalize_language("fr_FR.UTF-8") == "fr"
    assert normalize_language("EN") == "en"
    assert normalize_language("es") is None


def test_readmes_have_the_same_structure():
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    french = (ROOT / "README.fr.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^#+ ", english, re.M)) == len(re.findall(r"^#+ ", french, re.M))
    # The commands in code blocks are the same in both languages.
    assert commands(english) == commands(french)
    assert commands(english)


def commands(markdown: str) -> list[str]:
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", markdown, re.M | re.S)
    return [line for block in blocks for line in block.splitlines() if line.startswith(("make ", "zoneblanche "))]


def test_command_line_help_has_french_translations():
    import typer

    from api.cli import app

    catalog = french_catalog()
    texts = []

    def collect(command):
        texts.extend(text for text in (command.help, command.short_help) if text)
        texts.extend(parameter.help for parameter in command.params if getattr(parameter, "help", None))
        for subcommand in getattr(command, "commands", {}).values():
            collect(subcommand)

    collect(typer.main.get_command(app))
    assert len(texts) > 80
    missing = sorted(text for text in set(texts) if not (catalog.get(text) and catalog.get(text).string))
    assert missing == []
