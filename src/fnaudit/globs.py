"""Path patterns a user writes, matched with gitignore semantics (`pathspec`), in one place.

Every user-facing glob goes through here: `--exclude` / `exclude = [...]`, the `path` of a configured
ignore, and a Serverless function's `package.patterns`. gitignore's rules, as git documents them:

- a pattern without a slash (`*.log`, `build`) matches a name at any depth; a slash at the start or in
  the middle (`/build`, `doc/frotz`) anchors it to the root the paths are relative to;
- a trailing slash (`build/`) matches only a directory (and so everything under it), never a file;
- `*` and `?` stop at `/`; `**/x` is `x` at any depth, `a/**` everything inside `a`, `a/**/b` any
  number of folders (none too) between `a` and `b`;
- a pattern that matches a directory matches every path under it;
- in a list, `!pattern` re-includes what an earlier pattern matched, and the last match wins.

Paths are relative and use `/`. Compiled lists are memoised by their patterns: a pure function of its
input, so sharing it between scans and threads is safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pathspec import GitIgnoreSpec


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    return GitIgnoreSpec.from_lines(patterns)


def matches_any(rel: str, patterns: Iterable[str], *, is_dir: bool = False) -> bool:
    """Whether a gitignore-style list (negation allowed, last match wins) matches the path.

    `is_dir` says the path is a folder, so that dir-only patterns (`build/`) match it.
    """
    key = tuple(patterns)
    if not key:
        return False
    path = rel.strip("/")
    if not path:
        return False  # the root itself is never excluded: it is what the patterns are relative to
    return _spec(key).match_file(path + "/" if is_dir else path)


def matches(rel: str, pattern: str) -> bool:
    """Whether one gitignore pattern matches the path (a file, or anything under a matching folder).

    A single pattern has nothing to re-include, so `!pattern` matches nothing, as a lone negation in a
    .gitignore does.
    """
    return matches_any(rel, (pattern,))


def serverless_included(rel: str, patterns: Iterable[str]) -> bool:
    """Whether Serverless packages the file, given `package.patterns` in order (relative to the service).

    Serverless's patterns are globs relative to the service folder, `!` excludes, and the last match
    wins; a file no pattern names is included. That is gitignore with the meaning of `!` inverted and
    every pattern anchored (`*.txt` is the service's top level only, `**/*.txt` any depth), so each is
    translated into that and matched here.
    """
    lines = []
    for raw in patterns:
        negated = raw.startswith("!")
        body = (raw[1:] if negated else raw).strip().removeprefix("./").lstrip("/")
        if not body:
            continue
        lines.append("/" + body if negated else "!/" + body)  # excluded = "ignored"; included = re-included
    return not matches_any(rel, lines)
