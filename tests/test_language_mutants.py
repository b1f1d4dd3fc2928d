"""Language detection's own rules checked one by one (issue 20, mutation testing of parsers/language.py).

The documented rule: the first SAMPLE_CHARACTERS characters of the text, whitespace collapsed, are
read by the bundled ("lite") model in their own case and as a whole; no text gives None.
"""

from newsarchive.parsers.language import SAMPLE_CHARACTERS, _detector, detect_language

GERMAN = "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke bis zum Frühjahr zu schließen."


def test_only_the_first_sample_characters_are_read():
    # Whitespace counts towards the sample before it is collapsed: a text that starts with a
    # sample's worth of it has nothing to read.
    assert detect_language(" " * SAMPLE_CHARACTERS + GERMAN) is None
    assert detect_language("\n" * (SAMPLE_CHARACTERS - len(GERMAN)) + GERMAN) == "de"


def test_whitespace_of_any_kind_between_words_is_one_space():
    assert detect_language("\u00a0Der\tStadtrat  hat\n\nam Dienstag\u2003beschlossen, die alte Brücke zu schließen. ") == "de"


def test_the_detector_reads_the_whole_sample_in_its_own_case_with_the_bundled_model():
    config = _detector().config
    assert (config.max_input_length, config.normalize_input) == (SAMPLE_CHARACTERS, False)
    assert _detector() is _detector()  # loaded once per process
