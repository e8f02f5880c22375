"""Facts the secrets engine finds in files: candidates already judged, with the value redacted.

The raw value never reaches the model: the engine decides (detector, key name, shape, entropy,
place, references, placeholders) and stores the verdict with a redacted preview and the length.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fnaudit.model.loc import Loc


class SecretPlace(StrEnum):
    CODE = "code"  # a string literal in the function's source code (SECRET002)
    CONFIG = "config"  # a bundled configuration file: .env, config.json, settings.py… (SECRET003)
    PARAMETER = "parameter"  # a template parameter default without NoEcho (SECRET004)
    TMP_WRITE = "tmp-write"  # a secret the code writes to /tmp (SECRET005)
    RESPONSE = "response"  # a secret the code returns to its caller (SECRET005)
    LOG = "log"  # a secret the code logs (SECRET005)


@dataclass(frozen=True, slots=True)
class SecretCandidate:
    """One secret found in a file (or one flow of a secret to a bad place), judged and redacted."""

    place: SecretPlace
    detector: str  # detector id (`github-pat`, `generic-password`, `secret-flow`…)
    what: str  # how a message names it: "a GitHub personal access token"
    loc: Loc
    key: str | None = None  # the variable / key / parameter name it is assigned to, when known
    preview: str = ""  # redacted: at most the first 4 characters and the length
    length: int = 0
    confidence: str = "high"  # high | medium | low
    severity: str = "high"  # suggested severity: critical | high | medium | low
    flags: tuple[str, ...] = ()  # context: test-path, sample-file, jwt-no-expiry, jwt-symmetric-alg…
    functions: tuple[str, ...] = ()  # ids of the functions whose package holds the file
    detail: str = ""  # for flows: where the secret comes from and goes ("os.environ['DB_PASSWORD'] → /tmp")
