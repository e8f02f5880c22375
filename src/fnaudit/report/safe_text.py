"""Untrusted text made safe for the HTML report: control characters out, a small Markdown subset in.

Finding messages, evidence, code excerpts, resource names and advisory text come from the scanned
repository or from advisory databases, so they may hold terminal escapes, NULs or Unicode bidi
overrides ("Trojan Source": code that reads differently from how it runs), or lone surrogates that
would make writing the page fail. Jinja's autoescape stops markup, not these; `clean` (the one
every reporter uses, `fnaudit.textsafe`) turns each into a visible escape such as `\\u202e`.

Rules write their remediation in Markdown (code spans, emphasis, lists, links). `markdown()` renders
that subset with markdown-it-py, raw HTML disabled (so `<script>` comes out as text), images and
headings off, and links kept only for http(s) targets (anything else — `javascript:`, `data:`,
relative paths — stays as its escaped source text). Links get `rel="noopener noreferrer"`; the
page's Content-Security-Policy still forbids every fetch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from fnaudit.textsafe import clean

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["clean", "markdown"]


def markdown(text: str) -> Markup:
    """The safe Markdown subset of `text` as HTML (block level: paragraphs, lists, code)."""
    if not text.strip():
        return Markup("")
    return Markup(_renderer().render(clean(text)).strip())


def _allowed_link(url: str) -> bool:
    return url.strip().lower().startswith(("http://", "https://"))


def _link_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    tokens[idx].attrSet("rel", "noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["backticks", "emphasis", "escape", "newline", "entity", "list", "fence", "code", "link", "autolink"])
    md.validateLink = _allowed_link  # type: ignore[method-assign]
    md.add_render_rule("link_open", _link_open)
    return md
