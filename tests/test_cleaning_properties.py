"""Properties of the whole cleaning chain (pipelines 100-500, learning off), by hypothesis.

* idempotent: cleaning a cleaned record changes nothing;
* order-preserving: what is kept comes out in the order it went in;
* conservative: a paragraph that occurs once and matches no boilerplate rule survives;
* complete: no repeat and no known chrome is left.
"""

from __future__ import annotations

import copy
import functools

from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Spider
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.cleaning.fold import fold
from newscrawl.cleaning.phrases import PhraseRules
from newscrawl.items import join_paragraphs
from newscrawl.pipelines.boilerplate import BoilerplatePipeline
from newscrawl.pipelines.dedup import ParagraphDedupPipeline
from newscrawl.pipelines.dropcap import DropCapPipeline
from newscrawl.pipelines.normalize import TextNormalizationPipeline
from newscrawl.pipelines.validation import InvalidArticle, ValidationPipeline
from newscrawl.text import clean_text, comparison_key
from tests.test_pipelines_normalize import make_article

WORDS = str.split(
    "the junta Myanmar Russia ASEAN minister said on Wednesday talks with top generals "
    "according to state media elections will be held next year in August opponents of coup "
    "have free nor fair Jakarta police arrested two suspects Monday over attack spokesman "
    "Lavrov Naypyidaw capital crisis 2,100 people killed crackdown dissent monitor \u201cwe\u201d "
    "don't can't prime-minister \u2014 1.5 percent Indonesia's"
)
RULES = PhraseRules.load()
CHROME = [
    *RULES.phrases,
    "Read also: ASEAN bars Myanmar junta from top meeting again",
    "(AFP/John Doe)",
    "Photo: Reuters",
]
# Spacing variants the CMS produces between two words (zero-width characters come on top
# of a space, not instead of one).
NOISE = ["\u00a0", " \u200b", "\u200b ", "  ", "\t", "\u2009", " \ufeff", "\u00a0\u200d"]


@functools.cache
def _pipes():
    crawler = get_crawler(Spider, {"NEWSCRAWL_BOILERPLATE_PATH": ""})
    return [
        build_from_crawler(cls, crawler)
        for cls in (
            TextNormalizationPipeline,
            DropCapPipeline,
            BoilerplatePipeline,
            ParagraphDedupPipeline,
            ValidationPipeline,
        )
    ]


def clean(item):
    for pipe in _pipes():
        try:
            item = pipe.process_item(item)
        except InvalidArticle:
            return None
    return item


def record(paragraphs, summary=None):
    body = join_paragraphs(paragraphs)
    return make_article(body=body, summary=summary, raw_body_chars=len(body))


sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=25).map(
    lambda words: " ".join(words).capitalize() + "."
)


@st.composite
def noisy(draw, text):
    """`text` with whitespace and invisible characters sprinkled in, maybe case-changed."""
    words = text.split(" ")
    out = words[0]
    for word in words[1:]:
        out += draw(st.sampled_from([" ", " ", " ", *NOISE])) + word
    return draw(st.sampled_from([out, out.upper(), out.replace("'", "\u2019")]))


@st.composite
def raw_bodies(draw):
    """Unique story paragraphs mixed with chrome, repeats and near-repeats of them."""
    story = draw(st.lists(sentences, min_size=1, max_size=8, unique_by=comparison_key))
    blocks = []
    for paragraph in story:
        blocks.append(paragraph)
        extra = draw(st.sampled_from(["none", "none", "chrome", "repeat", "glued"]))
        if extra == "chrome":
            blocks.append(draw(st.sampled_from(CHROME)))
        elif extra == "repeat":
            blocks.append(draw(noisy(draw(st.sampled_from(blocks)))))
        elif extra == "glued":
            blocks[-1] = paragraph + draw(
                st.sampled_from([p for p in RULES.phrases if len(p.split()) >= 3])
            )
    return story, blocks


def _not_contained(story):
    """Story paragraphs that do not occur inside another one (dedup may fold those)."""
    folded = [fold(clean_text(p)) for p in story]
    return [
        p for p, f in zip(story, folded, strict=True) if not any(f != g and f in g for g in folded)
    ]


@settings(max_examples=300, deadline=None)
@given(raw_bodies())
def test_cleaning_is_idempotent(case):
    _, blocks = case
    once = clean(record(blocks))
    if once is None:
        return
    twice = clean(copy.deepcopy(once))
    assert twice == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=8))
def test_cleaning_arbitrary_text_is_idempotent(blocks):
    once = clean(record(blocks))
    if once is None:
        return
    assert clean(copy.deepcopy(once)) == once


@settings(max_examples=300, deadline=None)
@given(raw_bodies())
def test_cleaning_never_reorders(case):
    _, blocks = case
    cleaned = clean(record(blocks))
    if cleaned is None:
        return
    sources = [fold(clean_text(b)) for b in blocks]
    position = -1
    for paragraph in cleaned.paragraphs:
        found = next(
            (i for i in range(position + 1, len(sources)) if fold(paragraph) in sources[i]), None
        )
        assert found is not None, f"{paragraph!r} is out of order or invented"
        position = found


@settings(max_examples=300, deadline=None)
@given(raw_bodies())
def test_unique_story_paragraphs_always_survive(case):
    story, blocks = case
    cleaned = clean(record(blocks))
    assert cleaned is not None
    kept = {comparison_key(p) for p in cleaned.paragraphs}
    for paragraph in _not_contained(story):
        assert comparison_key(paragraph) in kept


@settings(max_examples=300, deadline=None)
@given(raw_bodies())
def test_output_has_no_repeat_and_no_known_chrome(case):
    _, blocks = case
    cleaned = clean(record(blocks))
    assert cleaned is not None
    keys = [comparison_key(p) for p in cleaned.paragraphs]
    assert len(keys) == len(set(keys))
    assert [p for p in cleaned.paragraphs if RULES.match(p).rule is not None] == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.sampled_from(list('aeAI R.\u200b\u00a0\u0301\u0308\u2014\u2019"')),
            min_size=1,
            max_size=12,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_cleaning_combining_marks_and_invisibles_is_idempotent(blocks):
    once = clean(record(blocks))
    if once is None:
        return
    assert clean(copy.deepcopy(once)) == once
