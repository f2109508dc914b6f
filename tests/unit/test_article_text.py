"""Specification of articles' text: heading anchors and contents (shop.text), reading time and
local publication times (shop.services.articles)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shop.services.articles import (
    InvalidLocalTime,
    local_to_utc,
    reading_minutes,
    utc_to_local_input,
)
from shop.text import (
    count_words,
    render_article,
    render_markdown,
    sanitise_html,
    slugify,
    unique_anchors,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SAFE_ANCHOR = re.compile(r"sec-[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*)?")

heading_texts = st.text(min_size=0, max_size=40).map(lambda t: " ".join(t.split()))


# --- slugs and anchors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("What is neurogenesis?", "what-is-neurogenesis"),
        ("Wat zegt onderzoek bij mensen?", "wat-zegt-onderzoek-bij-mensen"),
        ("Pruikzwam & café", "pruikzwam-cafe"),
        ("  --Lion's   Mane--  ", "lion-s-mane"),
        ("???", ""),
        ("日本語", ""),
    ],
)
def test_a_slug_is_lower_case_ascii_words_joined_by_hyphens(title, slug):
    assert slugify(title) == slug


@given(st.text(max_size=200))
def test_any_text_slugs_to_a_safe_slug_of_at_most_60_characters(title):
    slug = slugify(title)

    assert SLUG.fullmatch(slug), slug
    assert len(slug) <= 60
    assert slugify(slug) == slug


def test_repeated_headings_get_numbered_anchors():
    assert unique_anchors(["Results", "Results", "Results"]) == [
        "sec-results",
        "sec-results-2",
        "sec-results-3",
    ]


def test_a_numbered_anchor_never_takes_the_place_of_a_heading_that_reads_like_it():
    anchors = unique_anchors(["Results 2", "Results", "Results"])

    assert anchors == ["sec-results-2", "sec-results", "sec-results-3"]


def test_a_heading_without_letters_or_digits_gets_a_generic_anchor():
    assert unique_anchors(["???", "!!!"]) == ["sec-section", "sec-section-2"]


@given(st.lists(heading_texts, max_size=30))
def test_anchors_are_unique_prefixed_safe_and_stable(titles):
    anchors = unique_anchors(titles)

    assert len(anchors) == len(titles)
    assert len(set(anchors)) == len(anchors)
    assert all(SAFE_ANCHOR.fullmatch(anchor) for anchor in anchors), anchors
    assert unique_anchors(titles) == anchors
    # Adding a heading at the end never renames the ones before it.
    assert unique_anchors([*titles, "Another heading"])[: len(titles)] == anchors


# --- contents ------------------------------------------------------------------------------


def test_the_contents_list_h2_and_h3_headings_with_their_anchors():
    rendered = render_article(
        "# Title in the body\n\nIntro.\n\n## First *part*\n\n### Detail\n\n#### Not listed\n\n"
        "## `Code` heading"
    )

    assert [(e.level, e.title, e.anchor) for e in rendered.toc] == [
        (2, "Title in the body", "sec-title-in-the-body"),
        (2, "First part", "sec-first-part"),
        (3, "Detail", "sec-detail"),
        (2, "Code heading", "sec-code-heading"),
    ]
    assert '<h2 id="sec-first-part">First <em>part</em></h2>' in rendered.html
    assert "<h4>Not listed</h4>" in rendered.html
    assert "<h1" not in rendered.html  # the page's title is its only h1


def test_the_sanitiser_lets_through_only_the_anchors_it_made_and_only_on_headings():
    html = (
        '<h2 id="sec-intro">Intro</h2><h2 id="main">Clobber</h2>'
        '<p id="sec-intro">Para</p><h3 id="sec-intro" onclick="x()">Again</h3>'
    )

    clean = sanitise_html(html, ["sec-intro"])

    assert (
        clean
        == '<h2 id="sec-intro">Intro</h2><h2>Clobber</h2><p>Para</p><h3 id="sec-intro">Again</h3>'
    )


def test_product_descriptions_keep_their_plain_headings():
    assert render_markdown("## Use\n\nText") == "<h2>Use</h2>\n<p>Text</p>\n"


@given(st.text(max_size=300))
def test_any_body_renders_without_scripts_handlers_or_foreign_ids(source):
    rendered = render_article(source)

    html = str(rendered.html)
    assert "<script" not in html.lower()
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", html, re.IGNORECASE)
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert ids == [entry.anchor for entry in rendered.toc]


@given(st.lists(st.sampled_from(["Intro", "Results", "Results", "Über", "?"]), max_size=12))
def test_every_heading_in_the_contents_has_its_own_id_in_the_body(titles):
    source = "\n\n".join(f"## {title}\n\nText." for title in titles)

    rendered = render_article(source)

    anchors = [entry.anchor for entry in rendered.toc]
    assert len(anchors) == len(titles) == len(set(anchors))
    for anchor in anchors:
        assert str(rendered.html).count(f'id="{anchor}"') == 1


# --- reading time -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (199, 1), (200, 1), (201, 2), (400, 2), (401, 3)]
)
def test_reading_time_is_words_over_200_rounded_up_and_at_least_one_minute(words, minutes):
    assert reading_minutes(" ".join(["word"] * words)) == minutes


@given(st.integers(min_value=0, max_value=5_000))
def test_reading_time_follows_the_rule_for_any_length(words):
    text = " ".join(["paddo"] * words)

    assert reading_minutes(text) == max(1, math.ceil(words / 200))


def test_words_are_counted_as_a_reader_sees_them():
    assert count_words("Don't use well-known **claims**: 2 studies, 30 people.") == 8


# --- publication times typed in Amsterdam -------------------------------------------------------


def test_a_summer_time_is_two_hours_ahead_of_utc():
    assert local_to_utc("2026-07-01T14:30", AMSTERDAM) == datetime(2026, 7, 1, 12, 30, tzinfo=UTC)


def test_a_winter_time_is_one_hour_ahead_of_utc():
    assert local_to_utc("2026-01-15T09:00", AMSTERDAM) == datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_in_spring_is_refused():
    with pytest.raises(InvalidLocalTime):
        local_to_utc("2026-03-29T02:30", AMSTERDAM)


def test_a_time_the_clocks_pass_twice_in_autumn_is_the_first_of_the_two():
    assert local_to_utc("2026-10-25T02:30", AMSTERDAM) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["tomorrow", "2026-13-01T10:00", "2026-01-01T10:00+02:00"])
def test_what_is_not_a_local_date_time_is_refused(typed):
    with pytest.raises(InvalidLocalTime):
        local_to_utc(typed, AMSTERDAM)


def test_an_empty_time_means_none():
    assert local_to_utc("  ", AMSTERDAM) is None


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_an_instant_shown_in_the_form_comes_back_as_the_same_minute(instant):
    local = instant.astimezone(AMSTERDAM)
    # The hour the autumn clocks pass twice is shown alike for both instants; skip it.
    assume(local.replace(fold=1).utcoffset() == local.replace(fold=0).utcoffset())

    typed = utc_to_local_input(instant, AMSTERDAM)

    assert local_to_utc(typed, AMSTERDAM) == instant.replace(second=0, microsecond=0)
    assert instant - local_to_utc(typed, AMSTERDAM) < timedelta(minutes=1)
