"""Caption and credit splitting checked rule by rule (issue 20, mutation testing of
parsers/captions.py).

The rules (module docstring): a credit is a bracketed or parenthesised suffix that names a photo
source (a photo/image/picture/credit word, "courtesy", an Arabic or Russian photo word, or a news
agency), or a plain "Photo: ..." suffix; the caption keeps the text before it, `credit_raw` the
suffix as printed and `credit` the source without its lead-in ("Photo courtesy of the").
"""

import pytest

from newsarchive.parsers.captions import normalise_credit, split_credit


@pytest.mark.parametrize("raw, expected", [
    # bracketed, with the longest English lead-in
    ("Troops at the border. [Photo courtesy of the Kurdish Peshmerga Ministry]",
     ("Troops at the border.", "Kurdish Peshmerga Ministry", "[Photo courtesy of the Kurdish Peshmerga Ministry]")),
    ("Troops  at\u00a0the border [File photo: AP.]", ("Troops at the border", "AP", "[File photo: AP.]")),
    ("Troops at the border [Archive image via Reuters]", ("Troops at the border", "Reuters", "[Archive image via Reuters]")),
    ("Troops at the border [Handout pictures provided by the army]",
     ("Troops at the border", "army", "[Handout pictures provided by the army]")),
    ("Troops at the border [Credit: Ana Ruiz]", ("Troops at the border", "Ana Ruiz", "[Credit: Ana Ruiz]")),
    ("Troops at the border [Courtesy of Ana Ruiz]", ("Troops at the border", "Ana Ruiz", "[Courtesy of Ana Ruiz]")),
    # parenthesised: an agency alone, or among others split at "/" or ","
    ("Flooded street (AFP)", ("Flooded street", "AFP", "(AFP)")),
    ("Flooded street (Reuters/AFP)", ("Flooded street", "Reuters/AFP", "(Reuters/AFP)")),
    ("Flooded street (Ana Ruiz, Associated Press)",
     ("Flooded street", "Ana Ruiz, Associated Press", "(Ana Ruiz, Associated Press)")),
    # a bracket that is an aside is no credit
    ("Flooded street (left) in May", ("Flooded street (left) in May", None, None)),
    ("Flooded street (left)", ("Flooded street (left)", None, None)),
    ("Flooded street [see map]", ("Flooded street [see map]", None, None)),
    # plain "Photo: ..." suffixes
    ("Flooded street. Photo: Jane Doe/Reuters", ("Flooded street.", "Jane Doe/Reuters", "Photo: Jane Doe/Reuters")),
    ("Flooded street PHOTOGRAPH : Jane Doe", ("Flooded street", "Jane Doe", "PHOTOGRAPH : Jane Doe")),
    ("Image: Jane Doe", (None, "Jane Doe", "Image: Jane Doe")),
    ("Flooded street.Picture: Jane Doe", ("Flooded street.", "Jane Doe", "Picture: Jane Doe")),
    # Arabic and Russian lead-ins
    ("جنود على الحدود [الصورة من رويترز]", ("جنود على الحدود", "رويترز", "[الصورة من رويترز]")),
    ("جنود على الحدود (صورة: رويترز)", ("جنود على الحدود", "رويترز", "(صورة: رويترز)")),
    ("Солдаты на границе (фото: ТАСС)", ("Солдаты на границе", "ТАСС", "(фото: ТАСС)")),
    ("Солдаты на границе [Фото предоставлено пресс-службой]",
     ("Солдаты на границе", "пресс-службой", "[Фото предоставлено пресс-службой]")),
    # nothing to split
    ("Flooded street in May", ("Flooded street in May", None, None)),
    ("   ", (None, None, None)),
    (None, (None, None, None)),
])
def test_split_credit(raw, expected):
    assert split_credit(raw) == expected


def test_a_bracketed_credit_is_preferred_to_a_parenthesised_one_inside_the_caption():
    assert split_credit("Mayor (centre) speaks [Photo: AP]") == ("Mayor (centre) speaks", "AP", "[Photo: AP]")


@pytest.mark.parametrize("suffix, credit", [
    ("[Photo by Ana Ruiz]", "Ana Ruiz"),
    ("(photos from the Ministry)", "Ministry"),
    ("Photo / Ana Ruiz", "Ana Ruiz"),
    ("  (Reuters)  ", "Reuters"),
    ("[Photo:]", None),
    ("Ana Ruiz (AP", "Ana Ruiz (AP"),
    ("фото/ТАСС", "ТАСС"),
    ("صورة لـ رويترز", "رويترز"),
    ("الصورة عن رويترز", "رويترز"),
    # "courtesy of", as English's "Photo courtesy of" goes: it was kept in the Arabic credit.
    ("[الصورة مقدمة من وزارة الداخلية]", "وزارة الداخلية"),
    ("الصورة مقدّمة من قوات البيشمركة", "قوات البيشمركة"),
    ("صورة بإذن من الشرطة", "الشرطة"),
    ("الصورة بعدسة أحمد علي", "أحمد علي"),
    # brackets go only when they wrap the whole credit
    ("(Ana Ruiz", "(Ana Ruiz"),
    ("Xinhua]", "Xinhua]"),
    ("(Photo: MAX", "(Photo: MAX"),
    ("Photo: MAX", "MAX"),
])
def test_normalise_credit(suffix, credit):
    assert normalise_credit(suffix) == credit
