"""Moved: the detector table lives in `fnaudit.engines.secrets.detectors` (one home, shared by the
environment rule and the file scanner). Re-exported here for existing imports.

`DETECTORS` here holds only the formats recognisable on their own (a fixed prefix or shape), which
is what a caller redacting free text needs; the key-bound formats (a Datadog key is 32 hex
characters, like any MD5) would match ordinary text. The full table is `ALL_DETECTORS`.
"""

from fnaudit.engines.secrets.detectors import (  # noqa: F401
    AWS_SECRET_ACCESS_KEY,
    BY_ID,
    GENERIC_PASSWORD,
    GENERIC_SECRET,
    Confidence,
    Detector,
    detect,
    detect_all,
)
from fnaudit.engines.secrets.detectors import DETECTORS as ALL_DETECTORS

DETECTORS = tuple(d for d in ALL_DETECTORS if d.key_pattern is None)
