"""Known secret formats: one entry per format (name, regex, confidence).

A value matching one of these is a credential whatever the variable is called. The table is
meant to grow to the 100+ formats of the common secret scanners: add an entry, add a line to
the parametrized test. Patterns are anchored on the format's fixed prefix so that a scan of a
long value stays linear, and each entry has a `hint` substring checked first (cheap filter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Confidence(StrEnum):
    HIGH = "high"  # the format is unambiguous (fixed prefix + length)
    MEDIUM = "medium"  # the format can occur in non-secret text


@dataclass(frozen=True, slots=True)
class Detector:
    id: str  # stable kebab-case identity (used in fingerprints and, later, in per-detector config)
    name: str  # what the message calls it
    pattern: re.Pattern[str]
    confidence: Confidence
    hints: tuple[str, ...]  # at least one must occur in the value (case-sensitive) before the regex runs

    def search(self, value: str) -> re.Match[str] | None:
        if self.hints and not any(h in value for h in self.hints):
            return None
        return self.pattern.search(value)


def _d(id_: str, name: str, regex: str, confidence: Confidence, *hints: str) -> Detector:
    return Detector(id_, name, re.compile(regex), confidence, hints)


H, M = Confidence.HIGH, Confidence.MEDIUM

DETECTORS: tuple[Detector, ...] = (
    _d("aws-access-key-id", "AWS access key ID", r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b", H, "AKIA", "ASIA", "ABIA", "ACCA"),
    _d("private-key", "private key (PEM)", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----", H, "PRIVATE KEY"),
    _d("github-token", "GitHub token", r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b", H, "gh"),
    _d("github-fine-grained-pat", "GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{60,}\b", H, "github_pat_"),
    _d("gitlab-token", "GitLab personal access token", r"\bglpat-[A-Za-z0-9_-]{20,}\b", H, "glpat-"),
    _d("slack-token", "Slack token", r"\bxox[baprs]-[A-Za-z0-9-]{10,}\b", H, "xox"),
    _d("slack-webhook", "Slack webhook URL", r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,}", H, "hooks.slack.com"),
    _d("stripe-secret-key", "Stripe secret key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}\b", H, "_live_"),
    _d("google-api-key", "Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b", H, "AIza"),
    _d("sendgrid-api-key", "SendGrid API key", r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}\b", H, "SG."),
    _d("npm-token", "npm access token", r"\bnpm_[A-Za-z0-9]{36}\b", H, "npm_"),
    _d("openai-api-key", "OpenAI API key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b", H, "T3BlbkFJ"),
    _d("anthropic-api-key", "Anthropic API key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}\b", H, "sk-ant-"),
    _d("twilio-api-key", "Twilio API key", r"\bSK[0-9a-f]{32}\b", M, "SK"),
    _d("jwt", "JSON Web Token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", M, "eyJ"),
    # user:password@ in a URL; the password group is checked against placeholders by the caller
    _d(
        "url-with-password",
        "connection string with a password",
        r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@[^\s/]+",
        H,
        "://",
    ),
)

# An AWS secret access key has no prefix: 40 base64 characters, recognisable only beside its key id.
AWS_SECRET_ACCESS_KEY = re.compile(r"^[A-Za-z0-9/+]{40}$")


def detect(value: str) -> tuple[Detector, re.Match[str]] | None:
    """The first detector that matches the value, with its match."""
    for det in DETECTORS:
        m = det.search(value)
        if m:
            return det, m
    return None
