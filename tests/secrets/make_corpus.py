"""Regenerate tests/secrets/corpus.txt: one fake per detector format in a rotating file syntax,
hand-written generic secrets, and hand-written false-positive traps. Run it when the detector table
changes, then review the diff (the corpus is the labelled truth; this only drafts it).

    .venv/bin/python tests/secrets/make_corpus.py > tests/secrets/corpus.txt
"""

from __future__ import annotations

import re
from pathlib import Path

from fnaudit.engines.secrets.detectors import DETECTORS, fake

CORPUS = Path(__file__).with_name("corpus.txt")
MARKER = "## --- hand-written below"
SYNTAXES = ("env", "py", "js", "yml", "json")
FILES = {
    "env": ".env",
    "py": "app/config.py",
    "js": "app/client.js",
    "yml": "config/app.yml",
    "json": "config/settings.json",
}
FILES = {k: "functions/payments/" + v for k, v in FILES.items()}


def key_for(det_id: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", det_id.upper())


def camel(key: str) -> str:
    parts = key.lower().split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def line(syntax: str, key: str, value: str) -> str:
    if syntax == "env":
        return f"{key}={value}"
    if syntax == "py":
        return f'{key} = "{value}"'
    if syntax == "js":
        return f'const {camel(key)} = "{value}";'
    if syntax == "yml":
        return f'{key.lower()}: "{value}"' if re.search(r"[:#{}\[\],&*!|>'\"%@`]", value) else f"{key.lower()}: {value}"
    return f'"{camel(key)}": "{value}",'


def main() -> None:
    by_file: dict[str, list[str]] = {f: [] for f in FILES.values()}
    for i, det in enumerate(DETECTORS):
        syntax = SYNTAXES[i % len(SYNTAXES)]
        value = fake(det.template, "corpus/" + det.id)
        key = (
            det.example_key.replace("/", "_").replace(":", "_").replace(".", "_").upper()
            if det.example_key
            else key_for(det.id)
        )
        if det.example_key.startswith("//"):
            syntax, key = "env", det.example_key
        by_file[FILES[syntax]].append(f"{line(syntax, key, value)}  # expect: {det.id}")
    for name, lines in by_file.items():
        print(f"## file: {name}")
        for ln in lines:
            print(ln)
        print()
    if CORPUS.exists():  # keep the hand-written part as it is
        text = CORPUS.read_text(encoding="utf-8")
        if MARKER in text:
            print(text[text.index(MARKER) :], end="")


if __name__ == "__main__":
    main()
