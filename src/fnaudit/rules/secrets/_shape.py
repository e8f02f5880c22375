"""Moved: key-name and value-shape judgement lives in `fnaudit.engines.secrets.context` (shared by
SECRET001 and the file scanner). Re-exported here for existing imports."""

from fnaudit.engines.secrets.context import (  # noqa: F401
    is_identifier,
    is_placeholder,
    is_reference,
    looks_random,
    secret_word,
    token_is_placeholder,
    tokens,
)
