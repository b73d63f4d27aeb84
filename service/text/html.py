"""Reduce CMS HTML to a title and article text in one pass over the tree.

The walk never changes the tree (each edit of a long sibling list would
cost its length, so a page of 28,000 empty paragraphs took minutes) and
stops after ``MAX_ELEMENTS`` elements; libxml2 caps nesting depth at 256.
The first ``<h1>`` is the headline, never body text; other headings are
dropped, and a list under a "What You Need To Know" or "Related" heading
goes with its heading. Page furniture (navigation, figures, asides,
bylines, datelines) is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from service.text.clean import BOX_HEADINGS

MAX_ELEMENTS = 50_000
DROPPED_TAGS = frozenset((
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "header",
    "footer", "aside", "form", "button", "figure", "figcaption", "picture", "video", "audio",
    "object", "embed", "head", "time", "address", "select", "input", "textarea",
))  # fmt: skip
BLOCK_TAGS = frozenset((
    "p", "div", "section", "article", "main", "blockquote", "pre", "table", "tr", "td", "th",
    "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "li", "hr",
))  # fmt: skip
HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
LISTS = frozenset(("ul", "ol", "dl"))
BULLET = "\u2022 "
# Class, id or itemprop of page furniture: bylines, datelines, related links.
FURNITURE = re.compile(
    r"byline|author|dateline|timestamp|publish|caption|related|read-?more|share|social|"
    r"newsletter|promo|advert|breadcrumb|tags",
    re.IGNORECASE,
)
RELATED = re.compile(
    r"^\s*(?:related(?: (?:stories|articles|coverage|content))?|read more|more on this(?: story)?|"
    r"see also|most read|recommended|you may also like|more from \w+)\s*:?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class HtmlText:
    """What an HTML article holds: its headline (first h1) and its body text."""

    title: str
    text: str


def html_to_text(markup: str) -> HtmlText:
    """Return the headline and article text of an HTML fragment or page.

    Block elements become paragraphs separated by a blank line, list items
    become ``• item`` lines, and ``<br>`` becomes a line break.
    """
    try:
        root = lxml_html.document_fromstring(markup, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return HtmlText("", "")
    out: list[str] = []
    title = ""
    drop_next_list = False
    walker = etree.iterwalk(root, events=("start", "end"))
    for count, (event, element) in enumerate(walker):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "end":
            if tag in BLOCK_TAGS:
                out.append("\n\n")
            out.append(element.tail or "")
            continue
        if count > 2 * MAX_ELEMENTS:
            break
        if tag in HEADINGS or tag == "h1":
            heading = " ".join(element.text_content().split())
            if tag == "h1" and not title:
                title = heading
            drop_next_list = bool(BOX_HEADINGS.match(heading) or RELATED.match(heading))
            _skip(walker, out)
            continue
        if tag in LISTS and (drop_next_list or _is_link_list(element)):
            drop_next_list = False
            _skip(walker, out)
            continue
        if not tag or tag in DROPPED_TAGS or _is_furniture(element):
            _skip(walker, out)
            continue
        if tag == "p" and RELATED.match(element.text_content()):
            drop_next_list = True
        out.append("\n\n" + BULLET if tag == "li" else "\n\n" if tag in BLOCK_TAGS else "")
        out.append("\n" if tag == "br" else element.text or "")
    return HtmlText(title, "".join(out))


_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True)


def _skip(walker: Any, out: list[str]) -> None:
    """Skip the current element's subtree; its end event still emits the tail."""
    walker.skip_subtree()
    out.append("\n\n")


def _is_furniture(element: Any) -> bool:
    marks = " ".join(element.get(a, "") for a in ("class", "id", "itemprop", "role"))
    return bool(marks.strip()) and bool(FURNITURE.search(marks))


def _is_link_list(element: Any) -> bool:
    """Tell a list of links ("Related stories") from a list of prose items."""
    items = [child for child in element if child.tag == "li"]
    if not items:
        return False
    return all(
        " ".join(item.text_content().split())
        == " ".join(" ".join(a.text_content().split()) for a in item.iter("a"))
        for item in items
    )
