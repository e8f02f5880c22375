"""`expect:` annotations in fixture files: which rule should fire on which line.

- `... # expect: rule-name` (or `// expect: a, b`) at the end of a line: that line.
- A line holding only the comment (`# expect: rule-name`): the next line that is not a comment.
- `expect.txt` beside JSON files (which have no comments): lines `path:line rule-name`.
"""

from __future__ import annotations

import re
from pathlib import Path

ANNOTATION = re.compile(r"(?:#|//|/\*)\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)")
_COMMENT_ONLY = re.compile(r"^\s*(#|//|/\*)")
_TEXT_SUFFIXES = {".yml", ".yaml", ".json", ".py", ".js", ".mjs", ".cjs", ".ts", ".java", ".txt", ".env", ".toml", ".cfg", ".template"}

Expectation = tuple[str, str, int]  # (rule name, path relative to the fixture folder, line)


def expectations(folder: Path) -> set[Expectation]:
    out: set[Expectation] = set()
    for path in sorted(folder.rglob("*")):
        # `.env` has no suffix (Path(".env").suffix == ""), so dotfiles are matched by name.
        if not path.is_file() or not (path.suffix in _TEXT_SUFFIXES or path.name.startswith(".env")):
            continue
        rel = path.relative_to(folder).as_posix()
        if path.name == "expect.txt":
            for raw in path.read_text(encoding="utf-8").splitlines():
                raw = raw.strip()
                if raw and not raw.startswith("#"):
                    where, name = raw.split()
                    file, line = where.rsplit(":", 1)
                    out.add((name, (path.parent.relative_to(folder) / file).as_posix(), int(line)))
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines, start=1):
            m = ANNOTATION.search(line)
            if not m:
                continue
            names = [n.strip() for n in m.group(1).split(",")]
            target = i
            if _COMMENT_ONLY.match(line):
                target = next((j for j in range(i + 1, len(lines) + 1) if not _COMMENT_ONLY.match(lines[j - 1])), i)
            out.update((n, rel, target) for n in names)
    return out
