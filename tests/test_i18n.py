"""Both catalogues are complete, not fuzzy, and compiled from the current .po."""
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _entries(po_path: Path):
    """Minimal .po reader: yields (msgid, [msgstr...], flags)."""
    text = po_path.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        if any(line.startswith("#~") for line in lines):
            continue
        key, strings, current = None, {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
                current = line.split(" ", 1)[0]
                strings[current] = line.split(" ", 1)[1].strip()[1:-1]
            elif line.startswith('"') and current:
                strings[current] += line.strip()[1:-1]
        if "msgid" in strings and strings["msgid"]:
            # gettext keys a message with a context as "context\x04msgid".
            key = f"{strings['msgctxt']}\x04{strings['msgid']}" if "msgctxt" in strings else strings["msgid"]
            yield key, [v for k, v in strings.items() if k.startswith("msgstr")], flags


@pytest.mark.parametrize("language", ["ru", "en"])
def test_catalogue_is_complete_and_not_fuzzy(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = list(_entries(po))
    assert len(entries) > 100
    untranslated = [msgid for msgid, strings, _ in entries if not all(strings)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, untranslated[:10]
    assert not fuzzy, fuzzy[:10]


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_compiled_catalogue_matches_its_source(language):
    import gettext

    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    stale = [
        msgid
        for msgid, strings, _ in _entries(folder / "django.po")
        if len(strings) == 1 and catalogue.gettext(_unescape(msgid)) != _unescape(strings[0])
    ]
    assert not stale, f"run `make messages`: {stale[:5]}"


def test_russian_plural_has_three_forms():
    with translation.override("ru"):
        from django.utils.translation import ngettext

        msg = "Logging in with this username from your address is paused. Try again in %(minutes)s minute, or reset your password."
        plural = msg.replace("minute,", "minutes,")
        forms = {n: ngettext(msg, plural, n) % {"minutes": n} for n in (1, 3, 15)}
    assert "1 минуту" in forms[1] and "3 минуты" in forms[3] and "15 минут" in forms[15]


def test_every_string_in_the_code_is_in_both_catalogues(tmp_path):
    """`makemessages` run on a copy of the code finds no string that the
    catalogues lack: a string wrapped in gettext but never translated fails
    here, not in front of a Russian reader."""
    import shutil
    import subprocess
    import sys

    root = LOCALE.parent
    skip = shutil.ignore_patterns(".venv", ".git", "vendor", "screenshots", "data", "media", "staticfiles", "*.sqlite3", "__pycache__")
    copy = tmp_path / "src"
    shutil.copytree(root, copy, ignore=skip)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "ru", "--no-obsolete", "--no-wrap"],
        cwd=copy, capture_output=True, text=True, env={**__import__("os").environ, "DJANGO_DEBUG": "1"},
    )
    assert result.returncode == 0, result.stderr
    extracted = {msgid for msgid, _, _ in _entries(copy / "locale" / "ru" / "LC_MESSAGES" / "django.po")}
    for language in ("ru", "en"):
        known = {msgid for msgid, _, _ in _entries(LOCALE / language / "LC_MESSAGES" / "django.po")}
        missing = sorted(extracted - known)
        assert not missing, f"{language}: run `make messages` and translate: {missing[:10]}"
