"""Reduce CMS HTML to article text: paragraphs kept, page furniture dropped."""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.element import Tag

# Elements that never hold article prose: code, navigation, media captions.
DROPPED_TAGS = (
    "script", "style", "noscript", "template", "iframe", "svg", "canvas",
    "nav", "header", "footer", "aside", "form", "button", "figure",
    "figcaption", "picture", "video", "audio", "object", "embed", "head",
)  # fmt: skip
BLOCK_TAGS = (
    "p", "div", "section", "article", "main", "blockquote", "pre", "table",
    "tr", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
)  # fmt: skip
BULLET = "\u2022 "


def html_to_text(html: str) -> str:
    """Return the article text of an HTML fragment or page.

    Block elements become paragraphs separated by a blank line, list items
    become ``• item`` lines (so an embedded "What You Need To Know" box can be
    recognised and removed later), and ``<br>`` becomes a line break.
    """
    soup = BeautifulSoup(html, "lxml")
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for item in soup.find_all("li"):
        item.insert_before("\n\n" + BULLET)
        item.insert_after("\n\n")
        item.unwrap()
    for block in soup.find_all(BLOCK_TAGS):
        if isinstance(block, Tag):
            block.insert_before("\n\n")
            block.insert_after("\n\n")
    return soup.get_text()
