"""newscrawl/cleaning/fold.py: the folded form keeps every offset of the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.cleaning.fold import _FOLD, fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Lavrov said", "lavrov said"),
        ("\u201cWe are in solidarity,\u201d Lavrov said", '"we are in solidarity," lavrov said'),
        ("the junta\u2019s \u2018efforts\u2019", "the junta's 'efforts'"),
        ("network\u2014keep", "network-keep"),
        ("2,100\u00a0people", "2,100 people"),
        ("it`s", "it's"),
        # Dotted capital I lower-cases to two characters: left as it is, offsets kept.
        ("\u0130stanbul", "\u0130stanbul"),
    ],
)
def test_examples(text, folded):
    assert fold(text) == folded


_SPECIAL = st.sampled_from([*(chr(code) for code in _FOLD), "\u0130", "A", " "])


@given(st.text(alphabet=st.one_of(_SPECIAL, st.characters())))
def test_same_as_lowercase_then_translate_and_same_length(text):
    # The obvious (slow) definition, as the oracle for the fast one.
    lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    assert fold(text) == lowered.translate(_FOLD)
    assert len(fold(text)) == len(text)
