"""Configuration files: `[tool.fnaudit]` in pyproject.toml, or the top level of `.fnaudit.toml`.

`load(folder, explicit)` turns the file into a `Config`; `with_flags(config, ...)` lays command-line
flags over it (flags win). Everything a user can mistype — a key, a rule code, a severity, an
ignore without a reason — is a `ConfigError` that names the file and says what was expected,
because a silently ignored setting is worse than a failed run.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fnaudit.config import Config, IgnoreEntry
from fnaudit.errors import ConfigError
from fnaudit.findings import Severity
from fnaudit.rules.registry import all_rules, find_rule, matches, retired

DOT_FILE = ".fnaudit.toml"
PYPROJECT = "pyproject.toml"

KNOWN_KEYS = (
    "advisories",
    "baseline",
    "exclude",
    "ignore",
    "ignores",
    "params",
    "select",
    "severity",
    "show",
    "stage",
)
# `show`: what the table and the Markdown report list in full rather than count in a summary line.
SHOW_CHOICES = ("info",)
IGNORE_KEYS = ("function", "path", "reason", "rule", "until")
# A bare family prefix (`IAM`, `CODE`) is a valid selector even before any rule of the family exists.
_FAMILY = re.compile(r"^(IAM|CODE|SECRET|DEP|AUTH|DOS|DATA|API|RUNTIME|OBS|PATH|DRIFT)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ConfigSource:
    """Where settings were read from: the file, how to name it in messages, and its text."""

    path: Path
    display: str  # as shown to users and recorded in IgnoreEntry.source
    text: str
    table: str  # "tool.fnaudit" for pyproject.toml, "" for .fnaudit.toml


def find(folder: Path) -> Path | None:
    """The config file of a scanned folder: `.fnaudit.toml` first (it exists only for us), then a
    pyproject.toml that has a `[tool.fnaudit]` table."""
    dot = folder / DOT_FILE
    if dot.is_file():
        return dot
    py = folder / PYPROJECT
    if py.is_file():
        try:
            data = tomllib.loads(py.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            # A broken pyproject.toml that may not even mention us is the build tool's problem;
            # only report it when the user points at it with --config.
            return None
        if isinstance(data.get("tool"), dict) and "fnaudit" in data["tool"]:
            return py
    return None


def load(folder: Path, explicit: Path | None = None) -> Config:
    """The Config from `explicit` (from --config) or the file found in `folder`; defaults when none."""
    path = explicit if explicit is not None else find(folder)
    if path is None:
        return Config()
    source, settings = _read(path, folder)
    return parse(settings, source)


def _read(path: Path, folder: Path) -> tuple[ConfigSource, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    display = _display(path, folder)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{display} is not valid TOML: {exc}") from None
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        settings = tool.get("fnaudit", {}) if isinstance(tool, dict) else {}
        table = "tool.fnaudit"
    else:
        settings, table = data, ""
    if not isinstance(settings, dict):
        raise ConfigError(f"{display}: `{table or 'fnaudit'}` must be a table")
    return ConfigSource(path, display, text, table), settings


def _display(path: Path, folder: Path) -> str:
    """The file relative to the scanned folder when inside it, else as given (matches finding paths)."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return str(path)


def parse(settings: Mapping[str, Any], source: ConfigSource) -> Config:
    """A Config from the settings table of `source`. Raises ConfigError on anything unexpected."""
    where = source.display
    _check_keys(settings.keys(), KNOWN_KEYS, where, source.table or "the top level")
    select = _selectors(settings.get("select", []), "select", where)
    ignore = _selectors(settings.get("ignore", []), "ignore", where)
    baseline = settings.get("baseline")
    if baseline is not None:
        baseline = str(source.path.parent / _string(baseline, "baseline", where))  # relative to the file
    stage = settings.get("stage")
    advisories = settings.get("advisories")
    return Config(
        select=select,
        ignore=ignore,
        severity_overrides=_severities(settings.get("severity", {}), where),
        ignores=_ignores(settings.get("ignores", []), source),
        stage=None if stage is None else _string(stage, "stage", where),
        params=_params(settings.get("params", {}), where),
        exclude=tuple(_strings(settings.get("exclude", []), "exclude", where)),
        baseline=baseline,
        db=None if advisories is None else _advisories(advisories, source),
        show=show_choices(settings.get("show", []), "show", where),
    )


def _advisories(value: object, source: ConfigSource) -> str:
    """`advisories`: the project's own folder or zip of OSV records, relative to the config file, matched
    instead of the advisory store (`--db` still wins). It must stay inside the config file's folder: a
    scanned repository's config must not make fnaudit read files elsewhere on the machine."""
    where = source.display
    base = source.path.parent.resolve()
    path = (base / _string(value, "advisories", where)).resolve()
    if not path.is_relative_to(base):
        raise ConfigError(
            f"{where}: `advisories` must be a folder or zip inside {source.path.parent} "
            f"(after following links), not {value!r}"
        )
    if not path.exists():
        raise ConfigError(f"{where}: `advisories`: {value!r} does not exist (a folder or zip of OSV records)")
    return str(path)


def with_flags(
    config: Config,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    stage: str | None = None,
    params: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
    baseline: str | None = None,
    inline_ignores: bool = True,
    today: dt.date | None = None,
    show: Iterable[str] = (),
    tf_vars: Mapping[str, str] | None = None,
    tf_var_files: Iterable[str] = (),
) -> Config:
    """Flags over file values. `--select` replaces the file's list (you asked for exactly these);
    `--ignore`, `--exclude` and `--param` add to it (a CI job narrows, it does not reset policy)."""
    changes: dict[str, Any] = {}
    if select is not None:
        changes["select"] = _selectors(list(select), "--select", "command line")
    if ignore:
        changes["ignore"] = config.ignore + _selectors(list(ignore), "--ignore", "command line")
    if stage is not None:
        changes["stage"] = stage
    if params:
        changes["params"] = {**config.params, **params}
    if env:
        changes["env"] = {**config.env, **env}
    if exclude:
        changes["exclude"] = config.exclude + tuple(exclude)
    if tf_vars:
        changes["tf_vars"] = {**config.tf_vars, **tf_vars}
    if tf_var_files:
        changes["tf_var_files"] = config.tf_var_files + tuple(tf_var_files)
    if baseline is not None:
        changes["baseline"] = baseline
    if not inline_ignores:
        changes["inline_ignores"] = False
    if today is not None:
        changes["today"] = today
    if show:  # adds to the file's list, like --ignore: asking to see more never hides what the file shows
        changes["show"] = tuple(dict.fromkeys(config.show + show_choices(list(show), "--show", "command line")))
    return replace(config, **changes)


# --- validation helpers -------------------------------------------------------------------


def _check_keys(keys: Iterable[str], known: tuple[str, ...], where: str, table: str) -> None:
    for key in keys:
        if key not in known:
            import difflib  # only for the error message: not imported by every run

            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            raise ConfigError(f"{where}: unknown key `{key}` in {table}{hint} (known keys: {', '.join(known)})")


def _string(value: object, key: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: `{key}` must be a non-empty string, not {value!r}")
    return value


def _strings(value: object, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings, not {value!r}")
    return list(value)


def check_selector(selector: str, key: str, where: str) -> str:
    """A rule code, code prefix or name that designates at least one rule; else ConfigError."""
    sel = selector.strip()
    if _FAMILY.match(sel) or any(matches(r, sel) for r in all_rules()):
        return sel
    tomb = retired(sel)
    if tomb is not None:
        if key == "rule":
            return sel  # an ignore of a retired rule is harmless: the scan warns about it (fnaudit.suppress)
        raise ConfigError(
            f"{where}: `{key}` names rule `{selector}`, retired on {tomb.retired.isoformat()}: {tomb.reason}"
        )
    import difflib  # only for the error message: not imported by every run

    names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
    close = difflib.get_close_matches(sel, names, n=1) or difflib.get_close_matches(sel.upper(), names, n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    raise ConfigError(f"{where}: `{key}` names unknown rule `{selector}`{hint} (run `fnaudit rules` for the list)")


def show_choices(value: object, key: str, where: str) -> tuple[str, ...]:
    """`show`: a list of what to list in full (today only `info`); anything else is a ConfigError."""
    out = []
    for item in _strings(value, key, where):
        if item.strip().lower() not in SHOW_CHOICES:
            raise ConfigError(f"{where}: `{key}` lists `{item}`; expected one of {', '.join(SHOW_CHOICES)}")
        out.append(item.strip().lower())
    return tuple(out)


def _selectors(value: object, key: str, where: str) -> tuple[str, ...]:
    return tuple(check_selector(s, key, where) for s in _strings(value, key, where))


def _severities(value: object, where: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `severity` must be a table of rule = severity, not {value!r}")
    out: dict[str, Severity] = {}
    for key, sev in value.items():
        rule = find_rule(key)
        if rule is None:
            check_selector(key, "severity", where)  # raises with a suggestion
            raise ConfigError(f"{where}: `severity` keys must be one rule's code or name, not the prefix `{key}`")
        try:
            out[rule.code] = Severity.parse(str(sev))
        except ValueError as exc:
            raise ConfigError(f"{where}: `severity.{key}`: {exc}") from None
    return out


def _params(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `params` must be a table of name = value, not {value!r}")
    out: dict[str, str] = {}
    for key, v in value.items():
        if isinstance(v, bool):
            out[key] = "true" if v else "false"  # as serverless would print it, not Python's True
        elif isinstance(v, str | int | float):
            out[key] = str(v)
        else:
            raise ConfigError(f"{where}: `params.{key}` must be a string or number, not {v!r}")
    return out


def _ignores(value: object, source: ConfigSource) -> tuple[IgnoreEntry, ...]:
    where = source.display
    if not isinstance(value, list):
        raise ConfigError(f"{where}: `ignores` must be an array of tables ([[{_ignores_header(source)}]])")
    lines = _ignore_lines(source, len(value))
    out = []
    for i, raw in enumerate(value):
        at = f"{where}:{lines[i]}" if lines[i] else where
        if not isinstance(raw, dict):
            raise ConfigError(f"{at}: each ignore must be a table with `rule` and `reason`")
        _check_keys(raw.keys(), IGNORE_KEYS, at, f"[[{_ignores_header(source)}]]")
        if "rule" not in raw:
            raise ConfigError(f"{at}: ignore entry needs `rule` (a rule code, prefix or name)")
        if not str(raw.get("reason", "")).strip():
            raise ConfigError(
                f"{at}: ignore of `{raw['rule']}` needs a `reason` (say why the finding is acceptable; "
                "it is shown in every report)"
            )
        until = raw.get("until")
        if until is not None and (not isinstance(until, dt.date) or isinstance(until, dt.datetime)):
            raise ConfigError(f"{at}: `until` must be a TOML date such as 2026-12-31, not {until!r}")
        out.append(
            IgnoreEntry(
                rule=check_selector(_string(raw["rule"], "rule", at), "rule", at),
                reason=_string(raw["reason"], "reason", at).strip(),
                path=None if raw.get("path") is None else _string(raw["path"], "path", at),
                function=None if raw.get("function") is None else _string(raw["function"], "function", at),
                until=until,
                source=at,
            )
        )
    return tuple(out)


def _ignores_header(source: ConfigSource) -> str:
    return f"{source.table}.ignores" if source.table else "ignores"


def _ignore_lines(source: ConfigSource, count: int) -> list[int]:
    """1-based line of each `[[…ignores]]` header, in order (0 when written another way).

    tomllib keeps no positions; finding the headers in the text is good enough for a pointer."""
    header = re.compile(rf"^\s*\[\[\s*{re.escape(_ignores_header(source))}\s*\]\]")
    found = [n for n, line in enumerate(source.text.splitlines(), 1) if header.match(line)]
    return (found + [0] * count)[:count]
