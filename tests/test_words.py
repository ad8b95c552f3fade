"""One table of words for every face: each key in English and in French, with the same blanks;
numbers, percentages and durations written each language's way; the language chosen from the
system's locale."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from convscope.errors import ConvscopeError
from convscope.words import LANGUAGES, TABLE, Words, check_language, default_language

SOURCE = Path(__file__).resolve().parents[1] / "src" / "convscope"


def blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TABLE))
def test_every_key_has_both_languages_with_the_same_blanks(key):
    english, french = TABLE[key]
    assert english.strip() and french.strip(), key
    assert blanks(english) == blanks(french), key


def test_no_face_keeps_a_table_of_its_own():
    """The words live in convscope.words only: no module elsewhere holds a dictionary keyed by
    language ("en"/"fr") or pairs of English and French words."""
    for path in SOURCE.rglob("*.py"):
        if path.parent.name == "words":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                assert not {"en", "fr"} <= keys, f"{path}: a table of words by language"


def test_numbers_and_percentages_each_language_s_way():
    en, fr = Words("en"), Words("fr")
    assert en.number(12544) == "12,544" and fr.number(12544) == "12\u202f544"
    assert en.percent(0.9876) == "98.76%" and fr.percent(0.9876) == "98,76\u202f%"
    assert en.duration(75) == "1 min 15 s" == fr.duration(75)
    assert en.counted("train_epochs", 1) == "1 epoch" and en.counted("train_epochs", 5) == \
        "5 epochs"
    assert fr.counted("train_epochs", 1) == "1 époque"


def test_an_unknown_language_is_one_clear_error():
    assert check_language("fr") == "fr" and set(LANGUAGES) == {"en", "fr"}
    with pytest.raises(ConvscopeError, match="The lang parameter must be one of en, fr"):
        check_language("de")


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "fr_FR.UTF-8"}, "fr"), ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"), ({"LANG": "C"}, "en"),
    ({"LANGUAGE": "fr:en", "LANG": "en_US.UTF-8"}, "fr")])
def test_default_language_follows_the_locale(monkeypatch, environ, expected):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert default_language() == expected
