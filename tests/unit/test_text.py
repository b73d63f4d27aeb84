import pytest

from service.text.article import prepare
from service.text.clean import clean_article
from service.text.clean import normalize
from service.text.clean import paragraphs
from service.text.clean import remove_box
from service.text.clean import strip_head
from service.text.html import html_to_text
from service.text.sentences import sentences_of
from service.text.sentences import split_sentences


def test_html_to_text_drops_scripts_styles_captions_and_nav() -> None:
    html = (
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<nav>Home | World</nav><script>alert(1)</script>"
        "<p>First paragraph.</p><figure><img src=x><figcaption>A caption.</figcaption></figure>"
        "<p>Second <b>bold</b> paragraph.</p><footer>Copyright</footer></body></html>"
    )
    paragraphs = clean_article(html_to_text(html).text)
    assert paragraphs == ["First paragraph.", "Second bold paragraph."]


def test_html_list_items_become_bullet_lines() -> None:
    text = html_to_text("<p>Intro.</p><ul><li>One fact here</li><li>Two</li></ul><p>Body.</p>").text
    assert "\u2022 One fact here" in text


def test_html_box_under_its_heading_is_dropped_with_the_heading() -> None:
    page = html_to_text(
        "<h2>Key points</h2><ul><li>One fact here</li><li>Two</li></ul><p>Body.</p>"
    )
    assert clean_article(page.text) == ["Body."]


def test_html_h1_is_the_title_and_never_body_text() -> None:
    page = html_to_text(
        "<article><h1>Storm knocks out power to 80,000 in Buffalo</h1>"
        "<p>BUFFALO, N.Y. \u2014 A line of storms knocked out power on Monday.</p></article>"
    )
    assert page.title == "Storm knocks out power to 80,000 in Buffalo"
    article = prepare(html="<h1>Storm knocks out power</h1><p>A line of storms hit the city.</p>")
    assert article.title == "Storm knocks out power"
    assert [s.text for s in article.sentences] == ["A line of storms hit the city."]


def test_html_given_title_wins_over_h1() -> None:
    article = prepare(
        html="<h1>Page headline</h1><p>A line of storms hit the city.</p>", title="Mine"
    )
    assert article.title == "Mine"


def test_html_subheadings_are_not_sentences_and_blocks_end_sentences() -> None:
    article = prepare(
        html="<p>The council met on Monday</p><h2>What happens next</h2><div>Work starts in May</div>"
    )
    assert [s.text for s in article.sentences] == [
        "The council met on Monday",
        "Work starts in May",
    ]


@pytest.mark.parametrize(
    "furniture",
    [
        "<figure><img src=x><figcaption>A caption here.</figcaption></figure>",
        "<aside>Sidebar text here.</aside>",
        "<nav><a href=/>Home</a></nav>",
        '<p class="byline">By Jane Smith, Staff Writer</p>',
        '<div class="article-dateline">Updated 7:05 a.m. ET, Mon March 2</div>',
        "<time>March 2, 2024</time>",
        '<span itemprop="author">Jane Smith</span>',
        "<h3>Related</h3><ul><li><a href=/a>Another story</a></li></ul>",
        "<p>Read more:</p><ul><li>Another story about storms</li></ul>",
        "<ul><li><a href=/a>Link one</a></li><li><a href=/b>Link two</a></li></ul>",
        '<div class="related-stories"><p>Other news today.</p></div>',
    ],
)
def test_html_page_furniture_is_dropped(furniture: str) -> None:
    article = prepare(
        html=f"<p>The council approved the flood barrier.</p>{furniture}<p>Work starts soon.</p>"
    )
    assert [s.text for s in article.sentences] == [
        "The council approved the flood barrier.",
        "Work starts soon.",
    ]


def test_html_empty_or_tagless_input_gives_no_text() -> None:
    assert html_to_text("").text.strip() == ""
    assert html_to_text("<p></p>" * 100).text.strip() == ""


def test_remove_box_drops_heading_and_bullets_of_seed(seed_text: str) -> None:
    cleaned = remove_box(seed_text)
    assert "What You Need To Know" not in cleaned
    assert "\u2022" not in cleaned
    assert "The war, which reached its 1,000-day milestone" in cleaned


def test_remove_box_keeps_a_heading_without_bullets() -> None:
    text = "What you need to know\n\nThe council met on Monday."
    assert remove_box(text) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KYIV, Ukraine -- The army moved.", "The army moved."),
        ("WASHINGTON (AP) \u2014 Congress voted.", "Congress voted."),
        ("(CNN) -- A storm hit.", "A storm hit."),
        ("Canberra, Australia (CNN) -- At first glance.", "At first glance."),
        (
            "By . Associated Press . PUBLISHED: . 14:11 EST, 25 October 2013 . | . UPDATED: . "
            "15:36 EST, 25 October 2013 . The bishop spoke.",
            "The bishop spoke.",
        ),
        ("By . Daily Mail Reporter . This is the moment.", "This is the moment."),
        ("Last updated at 3:31 PM on 19th July 2011 . Cheaper land.", "Cheaper land."),
        ("The Senate voted on Tuesday.", "The Senate voted on Tuesday."),
    ],
)
def test_strip_head_removes_datelines_and_bylines(raw: str, expected: str) -> None:
    assert strip_head(normalize(raw)) == expected


def test_normalize_folds_unicode_space_and_controls() -> None:
    assert normalize("A\u00a0b\u2003c\x07d\r\ne") == "A b cd\ne"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A woman who . claims to have had sex filed a suit.",
         "A woman who claims to have had sex filed a suit."),
        ("A calf was spotted off the coast of . Padstow, Cornwall, on Monday.",
         "A calf was spotted off the coast of Padstow, Cornwall, on Monday."),
        ("Shares in the . Bank of England's rival rose.", "Shares in the Bank of England's rival rose."),
        ("He said he saw them heading south towards . Newquay on Monday.",
         "He said he saw them heading south towards Newquay on Monday."),
        ("It drew criticism from the candidates, with . Rick Santorum calling it a disgrace.",
         "It drew criticism from the candidates, with Rick Santorum calling it a disgrace."),
        ("Mr Collins, from the 2nd Battalion, . Royal Regiment of Fusiliers, died.",
         "Mr Collins, from the 2nd Battalion, Royal Regiment of Fusiliers, died."),
        ("They are mainly found around Iceland, . Norway and northern Scotland.",
         "They are mainly found around Iceland, Norway and northern Scotland."),
        ("The vote went to Plan A . The council met.", "The vote went to Plan A . The council met."),
        ("He said he could move on . Berahino left.", "He said he could move on . Berahino left."),
    ],
)  # fmt: skip
def test_clean_article_joins_scraped_line_wraps(raw: str, expected: str) -> None:
    (paragraph,) = clean_article(raw)
    assert paragraph == expected


@pytest.mark.parametrize(
    "prompt",
    [
        "Scroll down for video",
        "CLICK HERE to read more",
        "Read more: the full story",
        "VIDEO Watch it",
        "More: Liam Neeson says he's quitting action movies",
        "See more: The faces of pilot season",
        "RELATED: Agents search the office of a doctor",
        "Opinion: Why are these players retiring early?",
        "Photo gallery: Superyachts of the future",
        "In pictures: The flood in Riverton",
        "Timeline: The council's troubles \u00bb",
        "Watch: The barrier goes up",
        "Let us know by leaving a comment below the story",
        "Let us know on this Facebook post",
    ],
)
def test_sentences_drop_social_and_video_prompts(prompt: str) -> None:
    sentences = sentences_of([f"The mayor resigned. {prompt}. The council met."])
    assert [s.text for s in sentences] == ["The mayor resigned.", "The council met."]


@pytest.mark.parametrize(
    "sentence",
    [
        "More than 40 people were hurt in the blast.",
        "Watch out for ice on the roads, police said.",
        "Opinion polls show the mayor ahead by five points.",
        "Related charges were dropped on Monday.",
        "Timeline for the barrier: work starts in March.",
    ],
)
def test_sentences_keep_reporting_that_opens_on_a_link_word(sentence: str) -> None:
    assert [s.text for s in sentences_of([sentence])] == [sentence]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Gen. John Smith of the U.S. Army arrived at 9 a.m. on Tuesday. He left.", 2),
        ("Dr. J. R. R. Tolkien wrote books. They sold well.", 2),
        ("The economy grew 2.5 per cent. Prices rose.", 2),
        ("He paused... Then he left.", 2),
        ('"Is this it?" she asked. Nobody answered.', 2),
        ('Mr. Obama said "We will win." The crowd cheered.', 2),
    ],
)
def test_split_sentences_survives_hard_cases(text: str, count: int) -> None:
    assert len(split_sentences(text)) == count


def test_seed_article_sentences(seed_text: str) -> None:
    article = prepare(seed_text)
    assert article.sentences[0].text.startswith("The Biden administration will allow Ukraine")
    assert len(article.sentences) == 15
    assert all("What You Need To Know" not in s.text for s in article.sentences)


def test_captions_are_flagged() -> None:
    sentences = sentences_of(["Bishop John Folda (pictured) was diagnosed. The diocese said so."])
    assert [s.is_caption for s in sentences] == [True, False]


def test_prepare_needs_exactly_one_input() -> None:
    with pytest.raises(ValueError):
        prepare("a", html="<p>b</p>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A calf was spotted off the coast of\nPadstow, Cornwall, on Monday.\nExperts warned.",
         ["A calf was spotted off the coast of Padstow, Cornwall, on Monday.", "Experts warned."]),
        ("Shares rose more than\n20 per cent.\nTraders cheered.",
         ["Shares rose more than 20 per cent.", "Traders cheered."]),
        ("The council approved the\n\nbarrier on Monday.\n\nIt will cost $40 million.",
         ["The council approved the barrier on Monday.", "It will cost $40 million."]),
        ("Officials and\nresidents met on Monday.", ["Officials and residents met on Monday."]),
    ],
)  # fmt: skip
def test_paragraphs_join_a_block_cut_on_a_word_no_sentence_ends_on(
    text: str, expected: list[str]
) -> None:
    assert paragraphs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The vote went to Plan A\nThe council met on Monday.",
        "What the money is for\nThe council met on Monday.",
        "Nobody knew who it belonged to\nThe council met on Monday.",
        "The book is his\nThe council met on Monday.",
    ],
)
def test_paragraphs_keep_blocks_that_may_end_there(text: str) -> None:
    assert len(paragraphs(text)) == 2
