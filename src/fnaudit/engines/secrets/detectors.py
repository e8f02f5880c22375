"""Known credential formats: one entry per format, written from each vendor's published token format.

Every entry carries its regex, what it is, how sure a match is, a keyword prefilter (at least one
keyword must occur in the value before the regex runs, so a scan stays cheap), and an example and a
counter-example that the tests check. Examples are *generated*: a template such as
`ghp_{a:36}` is filled with deterministic pseudo-random characters at import time, so this file
holds no credential-shaped literal and every example is format-valid (prefix, length, charset) but
fake. Checksums are not computed (GitHub's CRC32 suffix, for instance): a real-looking value is all
a detector needs, and a fake checksum keeps provider-side push protection from mistaking them.

Formats without a fixed prefix (a Datadog key is 32 hex characters, like an MD5) are only matched
when the key they are assigned to names the vendor: `key_pattern` says which key names qualify,
and the value must then match the whole pattern.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache


class Confidence(StrEnum):
    HIGH = "high"  # the format is unambiguous (fixed prefix + length + charset)
    MEDIUM = "medium"  # the format can occur in non-secret text, or the secret is of limited use
    LOW = "low"  # only worth a look (test fixture, test-mode key)

    @property
    def rank(self) -> int:
        return {"high": 2, "medium": 1, "low": 0}[self.value]

    def lowered(self) -> Confidence:
        return Confidence.MEDIUM if self is Confidence.HIGH else Confidence.LOW


H, M, L = Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW


@dataclass(frozen=True, slots=True)
class Detector:
    id: str  # stable kebab-case identity (corpus labels, fingerprints)
    name: str  # what a message calls it: "a GitHub personal access token"
    regex: str  # compiled on first use (`pattern`): compiling the whole table cost every process ~15 ms at import
    description: str
    confidence: Confidence
    keywords: tuple[str, ...] = ()  # prefilter: one must occur in the value (case-sensitive)
    key_regex: str | None = None  # formats without a prefix: the key name must match (case-insensitive)
    example_key: str = ""  # the key the tests put the example under (for key_pattern detectors)
    template: str = ""  # the example's template (`ghp_{a:36}`): the corpus generator draws more fakes from it
    counter_template: str = ""  # the counter-example's template

    # Examples are generated on demand: only the tests and the corpus need them, and generating all of
    # them at import would cost every scan tens of milliseconds.
    @property
    def example(self) -> str:
        """A fake value the pattern matches (generated from `template`)."""
        return fake(self.template, self.id)

    @property
    def counter_example(self) -> str:
        """A near miss the pattern must not match."""
        return fake(self.counter_template, self.id + "/counter")

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.regex, 0)

    @property
    def key_pattern(self) -> re.Pattern[str] | None:
        return _compiled(self.key_regex, re.I) if self.key_regex is not None else None

    @property
    def hints(self) -> tuple[str, ...]:
        """Older name of `keywords` (kept for callers of the first detector table)."""
        return self.keywords

    def search(self, value: str, key: str | None = None) -> re.Match[str] | None:
        if self.key_pattern is not None:
            if not key or not self.key_pattern.search(key):
                return None
            return self.pattern.fullmatch(value.strip())
        if self.keywords and not any(k in value for k in self.keywords):
            return None
        return self.pattern.search(value)


@cache  # one entry per detector: the table is fixed, and a pattern is immutable
def _compiled(regex: str, flags: int) -> re.Pattern[str]:
    return re.compile(regex, flags)


# ---------------------------------------------------------------------------------------------
# Example generation: `{a:36}` → 36 pseudo-random alphanumerics, seeded by the detector id.

_CHARSETS = {
    "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "l": "abcdefghijklmnopqrstuvwxyz0123456789",
    "u": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "b": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "w": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    "d": "0123456789",
    "L": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "3": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "z": "abcdefghijklmnopqrstuvwxyz234567",
    "B": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",  # bech32 (age keys)
}
_SPEC = re.compile(r"\{([a-zA-Z0-9]):(\d+)\}")


@lru_cache(maxsize=1024)  # pure (deterministic for its seed): safe to share between scans and threads
def fake(template: str, seed: str) -> str:
    """Fill `{cs:n}` slots with deterministic pseudo-random characters (never the same one 4 times
    in a row, so that a fake never reads as a placeholder such as `xxxx`)."""
    rng = random.Random(seed)

    def fill(m: re.Match[str]) -> str:
        alphabet, n = _CHARSETS[m.group(1)], int(m.group(2))
        out: list[str] = []
        while len(out) < n:
            c = rng.choice(alphabet)
            if len(out) >= 2 and out[-1] == c and out[-2] == c:
                continue
            out.append(c)
        return "".join(out)

    return _SPEC.sub(fill, template)


def _d(
    id_: str,
    name: str,
    regex: str,
    conf: Confidence,
    example: str,
    counter: str,
    *keywords: str,
    key: str | None = None,
    example_key: str = "",
    desc: str = "",
) -> Detector:
    return Detector(
        id=id_,
        name=name,
        regex=regex,
        description=desc or f"{name[0].upper()}{name[1:]}.",
        confidence=conf,
        keywords=keywords,
        key_regex=key or None,
        example_key=example_key,
        template=example,
        counter_template=counter,
    )


_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID_T = "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}"
_E = r"(?![A-Za-z0-9_-])"  # end of a token (\b would stop at '-')
_S = r"(?<![A-Za-z0-9_-])"  # start of a token

# Database and broker schemes for URLs with an embedded password.
_DB_SCHEMES = r"(?:postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|oracle|mongodb(?:\+srv)?|redis|rediss|cockroachdb|couchdb|neo4j(?:\+s)?|cassandra|clickhouse|jdbc:[a-z]+)"
_BROKER_SCHEMES = r"(?:amqps?|mqtts?|kafka|nats|stomp|sqs|rabbitmq)"
_USERINFO = r"(?P<user>[^:/@\s'\"]*):(?P<password>[^@/\s'\"]+)@[^\s/'\"@]+"

DETECTORS: tuple[Detector, ...] = (
    # --- AWS -----------------------------------------------------------------------------------
    _d(
        "aws-access-key-id",
        "an AWS access key ID",
        _S + r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}" + r"(?![A-Za-z0-9])",
        H,
        "AKIA{3:16}",
        "AKIA{3:12}",
        "AKIA",
        "ASIA",
        "ABIA",
        "ACCA",
        desc="AWS access key ID: AKIA (long-term) / ASIA (temporary) + 16 base32 characters.",
    ),
    _d(
        "aws-secret-access-key",
        "an AWS secret access key",
        r"[A-Za-z0-9/+]{40}",
        H,
        "{b:40}",
        "{b:32}",
        key=r"aws.*secret|secret.*access.*key|aws_?sak",
        example_key="aws_secret_access_key",
        desc="AWS secret access key: 40 base64 characters, recognisable by the key it is assigned to.",
    ),
    _d(
        "aws-session-token",
        "an AWS session token",
        _S + r"(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9/+=]{100,}",
        H,
        "IQoJb3JpZ2lu{b:300}",
        "IQoJb3JpZ2lu{b:40}",
        "IQoJb3JpZ2lu",
        "FwoGZXIvYXdz",
        desc="STS session token (base64, starts with the encoded `origin` / `er/aws` marker).",
    ),
    _d(
        "aws-mws-key",
        "an Amazon MWS auth token",
        r"amzn\.mws\." + _UUID,
        H,
        "amzn.mws." + _UUID_T,
        "amzn.mws.{h:8}",
        "amzn.mws.",
    ),
    # --- source hosting -----------------------------------------------------------------------------
    _d(
        "github-pat",
        "a GitHub personal access token (classic)",
        _S + r"ghp_[A-Za-z0-9]{36}" + _E,
        H,
        "ghp_{a:36}",
        "ghp_{a:20}",
        "ghp_",
    ),
    _d(
        "github-oauth-token",
        "a GitHub OAuth access token",
        _S + r"gho_[A-Za-z0-9]{36}" + _E,
        H,
        "gho_{a:36}",
        "gho_{a:12}",
        "gho_",
    ),
    _d(
        "github-app-user-token",
        "a GitHub App user-to-server token",
        _S + r"ghu_[A-Za-z0-9]{36}" + _E,
        H,
        "ghu_{a:36}",
        "ghu_{a:30}",
        "ghu_",
    ),
    _d(
        "github-app-installation-token",
        "a GitHub App installation token",
        _S + r"ghs_[A-Za-z0-9]{36}" + _E,
        H,
        "ghs_{a:36}",
        "ghs_{a:24}",
        "ghs_",
    ),
    _d(
        "github-refresh-token",
        "a GitHub refresh token",
        _S + r"ghr_[A-Za-z0-9]{36,76}" + _E,
        H,
        "ghr_{a:76}",
        "ghr_{a:16}",
        "ghr_",
    ),
    _d(
        "github-fine-grained-pat",
        "a GitHub fine-grained personal access token",
        _S + r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + _E,
        H,
        "github_pat_{a:22}_{a:59}",
        "github_pat_{a:22}",
        "github_pat_",
    ),
    _d(
        "gitlab-pat",
        "a GitLab personal access token",
        _S + r"glpat-[A-Za-z0-9_-]{20,}" + _E,
        H,
        "glpat-{a:20}",
        "glpat-{a:12}",
        "glpat-",
    ),
    _d(
        "gitlab-pipeline-trigger-token",
        "a GitLab pipeline trigger token",
        _S + r"glptt-[0-9a-f]{40}" + _E,
        H,
        "glptt-{h:40}",
        "glptt-{h:20}",
        "glptt-",
    ),
    _d(
        "gitlab-runner-token",
        "a GitLab runner authentication token",
        _S + r"glrt-[A-Za-z0-9_-]{20,}" + _E,
        H,
        "glrt-{a:20}",
        "glrt-{a:10}",
        "glrt-",
    ),
    _d(
        "gitlab-deploy-token",
        "a GitLab deploy token",
        _S + r"gldt-[A-Za-z0-9_-]{20,}" + _E,
        H,
        "gldt-{a:20}",
        "gldt-{a:8}",
        "gldt-",
    ),
    _d(
        "gitlab-feed-token",
        "a GitLab feed token",
        _S + r"glft-[A-Za-z0-9_-]{20,}" + _E,
        H,
        "glft-{a:20}",
        "glft-{a:6}",
        "glft-",
    ),
    _d(
        "gitlab-oauth-app-secret",
        "a GitLab OAuth application secret",
        _S + r"gloas-[A-Za-z0-9_-]{64}" + _E,
        H,
        "gloas-{a:64}",
        "gloas-{a:30}",
        "gloas-",
    ),
    _d(
        "bitbucket-app-password",
        "a Bitbucket / Atlassian app password",
        _S + r"ATBB[A-Za-z0-9_=.-]{32,}" + _E,
        H,
        "ATBB{a:32}",
        "ATBB{a:10}",
        "ATBB",
    ),
    _d(
        "bitbucket-client-secret",
        "a Bitbucket OAuth client secret",
        r"[A-Za-z0-9_-]{32}",
        M,
        "{w:32}",
        "{w:20}",
        key=r"bitbucket.*secret",
        example_key="BITBUCKET_CLIENT_SECRET",
    ),
    # --- chat ---------------------------------------------------------------------------------------
    _d(
        "slack-bot-token",
        "a Slack bot token",
        _S + r"xoxb-[0-9]{10,13}-[0-9]{10,13}-?[A-Za-z0-9]{24,34}" + _E,
        H,
        "xoxb-{d:12}-{d:13}-{a:24}",
        "xoxb-{d:5}-{a:8}",
        "xoxb-",
    ),
    _d(
        "slack-user-token",
        "a Slack user token",
        _S + r"xoxp-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32}" + _E,
        H,
        "xoxp-{d:12}-{d:12}-{d:13}-{h:32}",
        "xoxp-{d:12}-{h:32}",
        "xoxp-",
    ),
    _d(
        "slack-app-token",
        "a Slack app-level token",
        _S + r"xapp-\d-[A-Z0-9]{9,12}-\d{10,14}-[a-f0-9]{64}" + _E,
        H,
        "xapp-1-{u:11}-{d:13}-{h:64}",
        "xapp-1-{u:11}-{h:20}",
        "xapp-",
    ),
    _d(
        "slack-legacy-token",
        "a Slack legacy / workspace token",
        _S + r"xox[aors]-[0-9]{6,13}-[A-Za-z0-9-]{10,}" + _E,
        H,
        "xoxa-{d:12}-{a:32}",
        "xoxa-{a:32}",
        "xoxa-",
        "xoxo-",
        "xoxr-",
        "xoxs-",
    ),
    _d(
        "slack-config-token",
        "a Slack configuration token",
        _S + r"xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{140,}" + _E,
        H,
        "xoxe.xoxp-1-{a:160}",
        "xoxe.xoxp-1-{a:40}",
        "xoxe",
    ),
    _d(
        "slack-webhook-url",
        "a Slack incoming webhook URL",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_]{8,12}/[A-Za-z0-9_]{8,12}/[A-Za-z0-9_]{20,}",
        H,
        "https://hooks.slack.com/services/T{u:10}/B{u:10}/{a:24}",
        "https://hooks.slack.com/services/",
        "hooks.slack.com",
    ),
    _d(
        "discord-bot-token",
        "a Discord bot token",
        _S + r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}" + _E,
        H,
        "M{w:25}.{w:6}.{w:38}",
        "M{w:10}.{w:6}.{w:10}",
        ".",
    ),
    _d(
        "discord-webhook-url",
        "a Discord webhook URL",
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,}",
        H,
        "https://discord.com/api/webhooks/{d:18}/{w:68}",
        "https://discord.com/api/webhooks/{d:18}",
        "discord",
    ),
    _d(
        "telegram-bot-token",
        "a Telegram bot token",
        _S + r"\d{8,10}:AA[A-Za-z0-9_-]{33}" + _E,
        H,
        "{d:10}:AA{w:33}",
        "{d:10}:AA{w:10}",
        ":AA",
    ),
    _d(
        "microsoft-teams-webhook",
        "a Microsoft Teams incoming webhook URL",
        r"https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/"
        + _UUID
        + r"@"
        + _UUID
        + r"/IncomingWebhook/[a-f0-9]{32}/"
        + _UUID,
        H,
        "https://contoso.webhook.office.com/webhookb2/"
        + _UUID_T
        + "@"
        + _UUID_T
        + "/IncomingWebhook/{h:32}/"
        + _UUID_T,
        "https://contoso.webhook.office.com/webhookb2/",
        "webhook.office.com",
    ),
    # --- payments -----------------------------------------------------------------------------------
    _d(
        "stripe-secret-key",
        "a Stripe secret key",
        _S + r"sk_live_[A-Za-z0-9]{24,247}" + _E,
        H,
        "sk_live_{a:24}",
        "sk_live_{a:10}",
        "sk_live_",
    ),
    _d(
        "stripe-restricted-key",
        "a Stripe live restricted key",
        _S + r"rk_live_[A-Za-z0-9]{24,247}" + _E,
        H,
        "rk_live_{a:24}",
        "rk_live_{a:10}",
        "rk_live_",
    ),
    _d(
        "stripe-test-secret-key",
        "a Stripe test-mode secret key",
        _S + r"[sr]k_test_[A-Za-z0-9]{24,247}" + _E,
        L,
        "sk_test_{a:24}",
        "pk_test_{a:24}",
        "k_test_",
        desc="Stripe test-mode key: no money moves, but it reads test data and is often swapped for a live one.",
    ),
    _d(
        "stripe-webhook-secret",
        "a Stripe webhook signing secret",
        _S + r"whsec_[A-Za-z0-9]{32,}" + _E,
        H,
        "whsec_{a:32}",
        "whsec_{a:16}",
        "whsec_",
    ),
    _d(
        "square-access-token",
        "a Square access token",
        _S + r"(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22})" + _E,
        H,
        "EAAA{w:60}",
        "EAAA{w:20}",
        "EAAA",
        "sq0atp-",
    ),
    _d(
        "square-oauth-secret",
        "a Square OAuth application secret",
        _S + r"sq0csp-[A-Za-z0-9_-]{43}" + _E,
        H,
        "sq0csp-{w:43}",
        "sq0csp-{w:20}",
        "sq0csp-",
    ),
    _d(
        "braintree-access-token",
        "a Braintree / PayPal access token",
        r"access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32}",
        H,
        "access_token$production${l:16}${h:32}",
        "access_token$sandbox${l:16}${h:32}",
        "access_token$production$",
    ),
    _d(
        "paypal-client-secret",
        "a PayPal REST client secret",
        r"E[A-Za-z0-9_-]{79}",
        H,
        "E{w:79}",
        "E{w:40}",
        key=r"paypal.*secret",
        example_key="PAYPAL_CLIENT_SECRET",
    ),
    _d(
        "braintree-private-key",
        "a Braintree private key",
        r"[0-9a-f]{32}",
        H,
        "{h:32}",
        "{h:16}",
        key=r"braintree.*(private|key)",
        example_key="BRAINTREE_PRIVATE_KEY",
    ),
    _d(
        "adyen-api-key",
        "an Adyen API key",
        _S + r"AQE[A-Za-z0-9]{3}\w*\.[A-Za-z0-9+/=_-]{40,}" + _E,
        M,
        "AQE{a:20}.{w:60}",
        "AQE{a:5}",
        "AQE",
        key=None,
    ),
    _d(
        "shippo-live-token",
        "a Shippo live API token",
        _S + r"shippo_live_[a-f0-9]{40}" + _E,
        H,
        "shippo_live_{h:40}",
        "shippo_test_{h:40}",
        "shippo_live_",
    ),
    _d(
        "easypost-api-key",
        "an EasyPost production API key",
        _S + r"EZAK[a-f0-9]{54}" + _E,
        H,
        "EZAK{h:54}",
        "EZAK{h:20}",
        "EZAK",
    ),
    # --- messaging / email ----------------------------------------------------------------------------
    _d(
        "twilio-api-key",
        "a Twilio API key SID",
        _S + r"SK[0-9a-f]{32}" + r"(?![A-Za-z0-9])",
        M,
        "SK{h:32}",
        "SK{h:20}",
        "SK",
        desc="Twilio API key SID (SK + 32 hex): with its secret it authenticates; alone it identifies the key.",
    ),
    _d(
        "twilio-auth-token",
        "a Twilio auth token",
        r"[0-9a-f]{32}",
        H,
        "{h:32}",
        "{h:31}",
        key=r"twilio.*(auth|token|secret)",
        example_key="TWILIO_AUTH_TOKEN",
    ),
    _d(
        "sendgrid-api-key",
        "a SendGrid API key",
        _S + r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _E,
        H,
        "SG.{w:22}.{w:43}",
        "SG.{w:10}.{w:10}",
        "SG.",
    ),
    _d(
        "mailgun-api-key",
        "a Mailgun API key",
        _S + r"(?:key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})" + r"(?![A-Za-z0-9])",
        H,
        "key-{h:32}",
        "key-{h:16}",
        "key-",
        "-",
    ),
    _d(
        "mailchimp-api-key",
        "a Mailchimp API key",
        _S + r"[0-9a-f]{32}-us[0-9]{1,2}" + r"(?![A-Za-z0-9])",
        H,
        "{h:32}-us14",
        "{h:30}-us14",
        "-us",
    ),
    _d(
        "mandrill-api-key",
        "a Mandrill API key",
        r"md-[A-Za-z0-9_-]{22}|[A-Za-z0-9_-]{22}",
        M,
        "md-{w:22}",
        "{w:12}",
        key=r"mandrill",
        example_key="MANDRILL_API_KEY",
    ),
    _d(
        "postmark-server-token",
        "a Postmark server token",
        _UUID,
        H,
        _UUID_T,
        "{h:32}",
        key=r"postmark",
        example_key="POSTMARK_SERVER_TOKEN",
    ),
    _d(
        "brevo-api-key",
        "a Brevo (Sendinblue) API key",
        _S + r"xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}" + _E,
        H,
        "xkeysib-{h:64}-{a:16}",
        "xkeysib-{h:20}",
        "xkeysib-",
    ),
    _d(
        "mailjet-secret-key",
        "a Mailjet API secret",
        r"[0-9a-f]{32}",
        M,
        "{h:32}",
        "{h:12}",
        key=r"mailjet.*(secret|private)",
        example_key="MAILJET_SECRET_KEY",
    ),
    # --- Google / Firebase ------------------------------------------------------------------------------
    _d(
        "google-api-key",
        "a Google API key",
        _S + r"AIza[0-9A-Za-z_-]{35}" + _E,
        H,
        "AIza{w:35}",
        "AIza{w:20}",
        "AIza",
        desc="Google API key (AIza + 35). Also used by Firebase web config, where it is public by design.",
    ),
    _d(
        "google-oauth-client-secret",
        "a Google OAuth client secret",
        _S + r"GOCSPX-[A-Za-z0-9_-]{28}" + _E,
        H,
        "GOCSPX-{w:28}",
        "GOCSPX-{w:12}",
        "GOCSPX-",
    ),
    _d(
        "google-oauth-access-token",
        "a Google OAuth access token",
        _S + r"ya29\.[A-Za-z0-9_-]{30,}" + _E,
        H,
        "ya29.{w:120}",
        "ya29.{w:10}",
        "ya29.",
    ),
    _d(
        "google-oauth-refresh-token",
        "a Google OAuth refresh token",
        _S + r"1//0[A-Za-z0-9_-]{40,}" + _E,
        M,
        "1//0{w:96}",
        "1//0{w:10}",
        "1//0",
    ),
    _d(
        "gcp-service-account-key",
        "a Google service-account private key id",
        r"[0-9a-f]{40}",
        H,
        "{h:40}",
        "{h:39}",
        key=r"^private_key_id$",
        example_key="private_key_id",
        desc="The `private_key_id` of a service-account JSON key file: the file beside it holds the private key.",
    ),
    _d(
        "firebase-cloud-messaging-key",
        "a Firebase Cloud Messaging server key",
        _S + r"AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}" + _E,
        H,
        "AAAA{w:7}:APA91b{w:134}",
        "AAAA{w:7}:APA91b{w:20}",
        "APA91b",
    ),
    _d(
        "firebase-database-secret",
        "a Firebase database secret",
        r"[A-Za-z0-9]{40}",
        M,
        "{a:40}",
        "{a:20}",
        key=r"firebase.*(secret|token)",
        example_key="FIREBASE_DB_SECRET",
    ),
    # --- Azure ------------------------------------------------------------------------------------
    _d(
        "azure-storage-connection-string",
        "an Azure Storage connection string with its account key",
        r"DefaultEndpointsProtocol=https?;AccountName=[^;\s]+;AccountKey=[A-Za-z0-9+/]{86}==",
        H,
        "DefaultEndpointsProtocol=https;AccountName=stor{l:8};AccountKey={b:86}==",
        "DefaultEndpointsProtocol=https;AccountName=stor{l:8};AccountKey=",
        "AccountKey=",
    ),
    _d(
        "azure-storage-account-key",
        "an Azure Storage account key",
        r"[A-Za-z0-9+/]{86}==",
        H,
        "{b:86}==",
        "{b:40}==",
        key=r"(account|storage|azure).*key",
        example_key="AZURE_STORAGE_KEY",
    ),
    _d(
        "azure-sas-token",
        "an Azure shared access signature (SAS) token",
        r"(?:[?&]|^)sv=\d{4}-\d{2}-\d{2}&[^\s\"']*?sig=[A-Za-z0-9%/+]{30,}(?:%3D|=){0,2}",
        H,
        "https://stor.blob.core.windows.net/c?sv=2024-11-04&ss=b&srt=co&sp=rl&se=2027-01-01&sig={a:43}%3D",
        "https://stor.blob.core.windows.net/c?sv=2024-11-04&ss=b",
        "sig=",
    ),
    _d(
        "azure-service-bus-connection-string",
        "an Azure Service Bus / Event Hubs connection string",
        r"Endpoint=sb://[^;\s]+;SharedAccessKeyName=[^;\s]+;SharedAccessKey=[A-Za-z0-9+/=]{40,}",
        H,
        "Endpoint=sb://ns{l:6}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={b:43}=",
        "Endpoint=sb://ns{l:6}.servicebus.windows.net/;SharedAccessKeyName=Root",
        "SharedAccessKey=",
    ),
    _d(
        "azure-cosmosdb-connection-string",
        "an Azure Cosmos DB connection string",
        r"AccountEndpoint=https://[^;\s]+;AccountKey=[A-Za-z0-9+/]{86}==",
        H,
        "AccountEndpoint=https://db{l:6}.documents.azure.com:443/;AccountKey={b:86}==",
        "AccountEndpoint=https://db{l:6}.documents.azure.com:443/;",
        "AccountKey=",
    ),
    _d(
        "azure-ad-client-secret",
        "an Azure AD (Entra ID) client secret",
        _S + r"[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}" + r"(?![A-Za-z0-9_~.-])",
        H,
        "{a:3}8Q~{a:34}",
        "{a:3}8Q~{a:10}",
        "Q~",
    ),
    _d(
        "azure-devops-pat",
        "an Azure DevOps personal access token",
        r"[a-z2-7]{52}",
        M,
        "{z:52}",
        "{z:40}",
        key=r"(azure|ado|devops|vsts).*(pat|token)",
        example_key="AZURE_DEVOPS_PAT",
    ),
    _d(
        "azure-function-key",
        "an Azure Functions access key",
        r"[A-Za-z0-9_-]{54}==",
        M,
        "{w:54}==",
        "{w:20}==",
        key=r"function.*key|x-functions-key",
        example_key="X_FUNCTIONS_KEY",
    ),
    # --- private keys ----------------------------------------------------------------------------
    _d(
        "private-key",
        "a private key (PEM)",
        r"-----BEGIN (?:RSA |EC |DSA )?PRIVATE KEY-----",
        H,
        "-----BEGIN RSA PRIVATE KEY-----\\nMIIE{b:60}",
        "-----BEGIN RSA PUBLIC KEY-----",
        "PRIVATE KEY-----",
        desc="PEM private key: PKCS#1 (RSA / EC / DSA) or unencrypted PKCS#8.",
    ),
    _d(
        "openssh-private-key",
        "an OpenSSH private key",
        r"-----BEGIN OPENSSH PRIVATE KEY-----",
        H,
        "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjE{b:40}",
        "ssh-ed25519 AAAAC3{b:40}",
        "OPENSSH PRIVATE",
    ),
    _d(
        "pgp-private-key",
        "a PGP private key block",
        r"-----BEGIN PGP PRIVATE KEY BLOCK-----",
        H,
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\\nlQdGBF{b:40}",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----",
        "PGP PRIVATE",
    ),
    _d(
        "encrypted-private-key",
        "an encrypted private key (PKCS#8)",
        r"-----BEGIN ENCRYPTED PRIVATE KEY-----",
        M,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\\nMIIF{b:40}",
        "-----BEGIN CERTIFICATE-----",
        "ENCRYPTED PRIVATE",
        desc="Encrypted PKCS#8 key: useless without its passphrase, which usually sits next to it.",
    ),
    _d(
        "putty-private-key",
        "a PuTTY private key",
        r"PuTTY-User-Key-File-\d: ",
        H,
        "PuTTY-User-Key-File-3: ssh-ed25519",
        "PuTTY-Public-Key: ssh-ed25519",
        "PuTTY-User-Key-File",
    ),
    _d(
        "age-secret-key",
        "an age encryption secret key",
        _S + r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}" + _E,
        H,
        "AGE-SECRET-KEY-1{B:58}",
        "AGE-SECRET-KEY-1{B:20}",
        "AGE-SECRET-KEY-1",
    ),
    # --- tokens ------------------------------------------------------------------------------------
    _d(
        "jwt",
        "a JSON Web Token",
        _S + r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}" + _E,
        M,
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMtcmVwb3J0cyJ9.{w:43}",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        "eyJ",
        desc="JWT: decoded to judge it; a token that never expires or uses a shared-secret (HS*) or `none` alg is worse.",
    ),
    _d(
        "authorization-header",
        "an HTTP Authorization credential",
        r"^(?:Basic|Bearer|Token|Bot)\s+[A-Za-z0-9._~+/=-]{16,}$",
        M,
        "Bearer {w:40}",
        "Bearer {w:8}",
        "Basic ",
        "Bearer ",
        "Token ",
        "Bot ",
    ),
    # --- package registries -----------------------------------------------------------------------
    _d("npm-token", "an npm access token", _S + r"npm_[A-Za-z0-9]{36}" + _E, H, "npm_{a:36}", "npm_{a:20}", "npm_"),
    _d(
        "npmrc-auth-token",
        "an npm registry auth token (.npmrc)",
        r"[A-Za-z0-9_+/=-]{20,}|" + _UUID,
        H,
        _UUID_T,
        "{a:10}",
        key=r"_auth(Token)?$",
        example_key="//registry.npmjs.org/:_authToken",
    ),
    _d(
        "pypi-token",
        "a PyPI upload token",
        _S + r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}" + _E,
        H,
        "pypi-AgEIcHlwaS5vcmc{w:150}",
        "pypi-AgEIcHlwaS5vcmc{w:20}",
        "pypi-AgEIcHlwaS5vcmc",
    ),
    _d(
        "pypi-test-token",
        "a TestPyPI upload token",
        _S + r"pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9_-]{50,}" + _E,
        M,
        "pypi-AgENdGVzdC5weXBpLm9yZw{w:150}",
        "pypi-AgENdGVzdC5weXBpLm9yZw{w:20}",
        "pypi-AgENdGVzdC5weXBpLm9yZw",
    ),
    _d("nuget-api-key", "a NuGet API key", _S + r"oy2[a-z0-9]{43}" + _E, H, "oy2{l:43}", "oy2{l:20}", "oy2"),
    _d(
        "rubygems-api-key",
        "a RubyGems API key",
        _S + r"rubygems_[0-9a-f]{48}" + _E,
        H,
        "rubygems_{h:48}",
        "rubygems_{h:20}",
        "rubygems_",
    ),
    _d(
        "dockerhub-pat",
        "a Docker Hub personal access token",
        _S + r"dckr_pat_[A-Za-z0-9_-]{27}" + _E,
        H,
        "dckr_pat_{w:27}",
        "dckr_pat_{w:12}",
        "dckr_pat_",
    ),
    _d(
        "artifactory-api-key",
        "a JFrog Artifactory API key",
        _S + r"AKCp[A-Za-z0-9]{69}" + _E,
        H,
        "AKCp{a:69}",
        "AKCp{a:20}",
        "AKCp",
    ),
    _d(
        "clojars-token",
        "a Clojars deploy token",
        _S + r"CLOJARS_[a-z0-9]{60}" + _E,
        H,
        "CLOJARS_{l:60}",
        "CLOJARS_{l:20}",
        "CLOJARS_",
    ),
    # --- observability -------------------------------------------------------------------------------
    _d(
        "datadog-api-key",
        "a Datadog API key",
        r"[0-9a-f]{32}",
        H,
        "{h:32}",
        "{h:30}",
        key=r"datadog.*api|dd_?api|^dd.?key$",
        example_key="DD_API_KEY",
    ),
    _d(
        "datadog-app-key",
        "a Datadog application key",
        r"[0-9a-f]{40}",
        H,
        "{h:40}",
        "{h:32}",
        key=r"datadog.*app|dd_?app",
        example_key="DD_APP_KEY",
    ),
    _d(
        "newrelic-user-api-key",
        "a New Relic user API key",
        _S + r"NRAK-[A-Z0-9]{27}" + _E,
        H,
        "NRAK-{u:27}",
        "NRAK-{u:12}",
        "NRAK-",
    ),
    _d(
        "newrelic-license-key",
        "a New Relic ingest license key",
        _S + r"[0-9a-f]{36}NRAL" + _E,
        H,
        "{h:36}NRAL",
        "{h:20}NRAL",
        "NRAL",
    ),
    _d(
        "newrelic-insights-key",
        "a New Relic Insights insert key",
        _S + r"NRI[IQ]-[A-Za-z0-9_-]{32}" + _E,
        H,
        "NRII-{w:32}",
        "NRII-{w:12}",
        "NRII-",
        "NRIQ-",
    ),
    _d(
        "newrelic-browser-key",
        "a New Relic browser key",
        _S + r"NRJS-[a-f0-9]{19}" + _E,
        M,
        "NRJS-{h:19}",
        "NRJS-{h:8}",
        "NRJS-",
    ),
    _d(
        "sentry-dsn",
        "a Sentry DSN",
        r"https://[0-9a-f]{32}(?::[0-9a-f]{32})?@(?:o\d+\.)?(?:[a-z0-9-]+\.)*sentry\.io/\d+",
        M,
        "https://{h:32}@o{d:6}.ingest.sentry.io/{d:7}",
        "https://sentry.io/organizations/acme/",
        "sentry.io",
        desc="Sentry DSN: lets anyone send events to the project (noise, quota); an old DSN with a secret part is worse.",
    ),
    _d(
        "sentry-auth-token",
        "a Sentry auth token",
        _S + r"(?:sntrys_[A-Za-z0-9+/=_]{60,}|sntryu_[0-9a-f]{64})" + _E,
        H,
        "sntryu_{h:64}",
        "sntryu_{h:20}",
        "sntrys_",
        "sntryu_",
    ),
    _d(
        "grafana-service-account-token",
        "a Grafana service account token",
        _S + r"glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}" + _E,
        H,
        "glsa_{a:32}_{h:8}",
        "glsa_{a:12}_{h:8}",
        "glsa_",
    ),
    _d(
        "grafana-cloud-token",
        "a Grafana Cloud API token",
        _S + r"glc_[A-Za-z0-9+/]{32,400}={0,2}" + r"(?![A-Za-z0-9+/=])",
        H,
        "glc_{b:80}",
        "glc_{b:12}",
        "glc_",
    ),
    _d(
        "dynatrace-api-token",
        "a Dynatrace API token",
        _S + r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}" + _E,
        H,
        "dt0c01.{u:24}.{u:64}",
        "dt0c01.{u:24}",
        "dt0c01.",
    ),
    _d(
        "honeycomb-api-key",
        "a Honeycomb API key",
        _S + r"hc[a-z]{2,3}_[a-z0-9]{58}" + _E,
        M,
        "hcaik_{l:58}",
        "hcaik_{l:20}",
        "hc",
        key=None,
    ),
    _d(
        "logzio-token",
        "a Logz.io shipping token",
        r"[A-Za-z]{32}",
        M,
        "{L:32}",
        "{L:20}",
        key=r"logz",
        example_key="LOGZIO_TOKEN",
    ),
    # --- SaaS platforms --------------------------------------------------------------------------------
    _d(
        "shopify-access-token",
        "a Shopify Admin API access token",
        _S + r"shpat_[0-9a-fA-F]{32}" + _E,
        H,
        "shpat_{h:32}",
        "shpat_{h:16}",
        "shpat_",
    ),
    _d(
        "shopify-custom-app-token",
        "a Shopify custom app access token",
        _S + r"shpca_[0-9a-fA-F]{32}" + _E,
        H,
        "shpca_{h:32}",
        "shpca_{h:16}",
        "shpca_",
    ),
    _d(
        "shopify-private-app-token",
        "a Shopify private app password",
        _S + r"shppa_[0-9a-fA-F]{32}" + _E,
        H,
        "shppa_{h:32}",
        "shppa_{h:16}",
        "shppa_",
    ),
    _d(
        "shopify-shared-secret",
        "a Shopify app shared secret",
        _S + r"shpss_[0-9a-fA-F]{32}" + _E,
        H,
        "shpss_{h:32}",
        "shpss_{h:16}",
        "shpss_",
    ),
    _d("heroku-api-key", "a Heroku API key", _UUID, H, _UUID_T, "{h:32}", key=r"heroku", example_key="HEROKU_API_KEY"),
    _d(
        "heroku-api-key-v2",
        "a Heroku API key",
        _S + r"HRKU-[A-Za-z0-9_-]{60}" + _E,
        H,
        "HRKU-{w:60}",
        "HRKU-{w:20}",
        "HRKU-",
    ),
    _d(
        "digitalocean-pat",
        "a DigitalOcean personal access token",
        _S + r"dop_v1_[a-f0-9]{64}" + _E,
        H,
        "dop_v1_{h:64}",
        "dop_v1_{h:32}",
        "dop_v1_",
    ),
    _d(
        "digitalocean-oauth-token",
        "a DigitalOcean OAuth token",
        _S + r"do[or]_v1_[a-f0-9]{64}" + _E,
        H,
        "doo_v1_{h:64}",
        "doo_v1_{h:30}",
        "doo_v1_",
        "dor_v1_",
    ),
    _d(
        "okta-api-token",
        "an Okta API token",
        r"00[A-Za-z0-9_-]{40}",
        H,
        "00{w:40}",
        "00{w:20}",
        key=r"okta",
        example_key="OKTA_API_TOKEN",
    ),
    _d(
        "auth0-client-secret",
        "an Auth0 client secret",
        r"[A-Za-z0-9_-]{64}",
        H,
        "{w:64}",
        "{w:32}",
        key=r"auth0.*secret",
        example_key="AUTH0_CLIENT_SECRET",
    ),
    _d(
        "atlassian-api-token",
        "an Atlassian API token",
        _S + r"ATATT3[A-Za-z0-9_=-]{180,}" + _E,
        H,
        "ATATT3{w:186}",
        "ATATT3{w:30}",
        "ATATT3",
    ),
    _d(
        "atlassian-legacy-api-token",
        "an Atlassian (Jira / Confluence) API token",
        r"[A-Za-z0-9]{24}",
        M,
        "{a:24}",
        "{a:12}",
        key=r"(jira|confluence|atlassian).*(token|key|secret)",
        example_key="JIRA_API_TOKEN",
    ),
    _d(
        "databricks-token",
        "a Databricks personal access token",
        _S + r"dapi[0-9a-f]{32}(?:-\d)?" + _E,
        H,
        "dapi{h:32}",
        "dapi{h:16}",
        "dapi",
    ),
    _d(
        "vault-service-token",
        "a HashiCorp Vault service token",
        _S + r"hvs\.[A-Za-z0-9_-]{90,}" + _E,
        H,
        "hvs.{w:96}",
        "hvs.{w:20}",
        "hvs.",
    ),
    _d(
        "vault-batch-token",
        "a HashiCorp Vault batch token",
        _S + r"hvb\.[A-Za-z0-9_-]{90,}" + _E,
        H,
        "hvb.{w:130}",
        "hvb.{w:20}",
        "hvb.",
    ),
    _d(
        "vault-legacy-token",
        "a HashiCorp Vault token (legacy format)",
        r"[sb]\.[A-Za-z0-9]{24}",
        M,
        "s.{a:24}",
        "s.{a:10}",
        key=r"vault",
        example_key="VAULT_TOKEN",
    ),
    _d(
        "terraform-cloud-token",
        "a Terraform Cloud / Enterprise API token",
        _S + r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}" + _E,
        H,
        "{a:14}.atlasv1.{w:67}",
        "{a:14}.atlasv1.{w:10}",
        ".atlasv1.",
    ),
    _d(
        "doppler-token",
        "a Doppler token",
        _S + r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9_-]{40,44}" + _E,
        H,
        "dp.pt.{a:43}",
        "dp.pt.{a:10}",
        "dp.",
    ),
    _d(
        "pulumi-access-token",
        "a Pulumi access token",
        _S + r"pul-[a-f0-9]{40}" + _E,
        H,
        "pul-{h:40}",
        "pul-{h:20}",
        "pul-",
    ),
    _d(
        "flyio-token",
        "a Fly.io access token",
        _S + r"fm[12][ar]?_[A-Za-z0-9+/=_-]{100,}" + _E,
        H,
        "fm2_{w:140}",
        "fm2_{w:30}",
        "fm1",
        "fm2",
    ),
    _d(
        "cloudflare-api-token",
        "a Cloudflare API token",
        r"[A-Za-z0-9_-]{40}",
        M,
        "{w:40}",
        "{w:30}",
        key=r"(cloudflare|^cf_).*(token|key)",
        example_key="CLOUDFLARE_API_TOKEN",
    ),
    _d(
        "cloudflare-origin-ca-key",
        "a Cloudflare Origin CA key",
        _S + r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}" + _E,
        H,
        "v1.0-{h:24}-{h:146}",
        "v1.0-{h:24}-{h:20}",
        "v1.0-",
    ),
    _d(
        "alibaba-access-key-id",
        "an Alibaba Cloud AccessKey ID",
        _S + r"LTAI[A-Za-z0-9]{12,20}" + r"(?![A-Za-z0-9])",
        H,
        "LTAI{a:20}",
        "LTAI{a:6}",
        "LTAI",
    ),
    _d(
        "hubspot-private-app-token",
        "a HubSpot private app token",
        _S + r"pat-(?:na|eu)\d-" + _UUID + _E,
        H,
        "pat-na1-" + _UUID_T,
        "pat-na1-{h:8}",
        "pat-na",
        "pat-eu",
    ),
    _d(
        "notion-integration-token",
        "a Notion integration token",
        _S + r"(?:secret_[A-Za-z0-9]{43}|ntn_[0-9]{11}[A-Za-z0-9]{35})" + _E,
        H,
        "ntn_{d:11}{a:35}",
        "ntn_{d:11}{a:10}",
        "secret_",
        "ntn_",
    ),
    _d(
        "airtable-pat",
        "an Airtable personal access token",
        _S + r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}" + _E,
        H,
        "pat{a:14}.{h:64}",
        "pat{a:14}.{h:20}",
        "pat",
    ),
    _d(
        "linear-api-key",
        "a Linear API key",
        _S + r"lin_api_[A-Za-z0-9]{40}" + _E,
        H,
        "lin_api_{a:40}",
        "lin_api_{a:20}",
        "lin_api_",
    ),
    _d(
        "postman-api-key",
        "a Postman API key",
        _S + r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + _E,
        H,
        "PMAK-{h:24}-{h:34}",
        "PMAK-{h:24}",
        "PMAK-",
    ),
    _d(
        "mapbox-secret-token",
        "a Mapbox secret token",
        _S + r"sk\.eyJ[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,}" + _E,
        H,
        "sk.eyJ1{w:60}.{w:22}",
        "pk.eyJ1{w:60}.{w:22}",
        "sk.eyJ",
    ),
    _d(
        "planetscale-token",
        "a PlanetScale token or password",
        _S + r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}" + _E,
        H,
        "pscale_tkn_{w:43}",
        "pscale_tkn_{w:10}",
        "pscale_",
    ),
    _d(
        "frameio-token",
        "a Frame.io API token",
        _S + r"fio-u-[A-Za-z0-9_=-]{64}" + _E,
        H,
        "fio-u-{w:64}",
        "fio-u-{w:30}",
        "fio-u-",
    ),
    _d(
        "twitter-bearer-token",
        "a Twitter / X app bearer token",
        _S + r"A{20}[A-Za-z0-9%]{80,}" + _E,
        H,
        "AAAAAAAAAAAAAAAAAAAAA{a:1}{a:90}",
        "AAAAAAAAAAAAAAAAAAAAA{a:20}",
        "AAAAAAAAAAAAAAAAAAAA",
    ),
    _d(
        "facebook-access-token",
        "a Facebook / Meta access token",
        _S + r"EAA[BCDGIM][A-Za-z0-9]{90,}" + _E,
        M,
        "EAAB{a:150}",
        "EAAB{a:30}",
        "EAA",
    ),
    _d(
        "algolia-admin-key",
        "an Algolia admin API key",
        r"[a-f0-9]{32}",
        H,
        "{h:32}",
        "{h:24}",
        key=r"algolia.*(admin|write|secret)",
        example_key="ALGOLIA_ADMIN_KEY",
    ),
    _d(
        "contentful-management-token",
        "a Contentful management token",
        _S + r"CFPAT-[A-Za-z0-9_-]{43}" + _E,
        H,
        "CFPAT-{w:43}",
        "CFPAT-{w:20}",
        "CFPAT-",
    ),
    _d(
        "netlify-token",
        "a Netlify access token",
        _S + r"nfp_[A-Za-z0-9]{36}" + _E,
        H,
        "nfp_{a:36}",
        "nfp_{a:10}",
        "nfp_",
    ),
    _d(
        "vercel-token",
        "a Vercel access token",
        r"[A-Za-z0-9]{24}",
        M,
        "{a:24}",
        "{a:12}",
        key=r"vercel",
        example_key="VERCEL_TOKEN",
    ),
    _d(
        "circleci-token",
        "a CircleCI personal API token",
        _S + r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}" + _E,
        H,
        "CCIPAT_{a:22}_{h:40}",
        "CCIPAT_{a:22}",
        "CCIPAT_",
    ),
    _d(
        "buildkite-token",
        "a Buildkite agent / API token",
        _S + r"bk(?:ua)?_[A-Za-z0-9]{40}" + _E,
        M,
        "bkua_{a:40}",
        "bkua_{a:12}",
        "bk_",
        "bkua_",
    ),
    _d("snyk-token", "a Snyk API token", _UUID, H, _UUID_T, "{h:32}", key=r"snyk", example_key="SNYK_TOKEN"),
    _d(
        "sonarqube-token",
        "a SonarQube / SonarCloud token",
        _S + r"sq[apu]_[a-f0-9]{40}" + _E,
        H,
        "squ_{h:40}",
        "squ_{h:20}",
        "sqa_",
        "sqp_",
        "squ_",
    ),
    _d(
        "mongodb-atlas-private-key",
        "a MongoDB Atlas API private key",
        _UUID,
        H,
        _UUID_T,
        "{h:32}",
        key=r"atlas.*(private|secret)",
        example_key="ATLAS_PRIVATE_KEY",
    ),
    _d(
        "supabase-service-key",
        "a Supabase secret key",
        _S + r"sb_secret_[A-Za-z0-9_-]{30,}" + _E,
        H,
        "sb_secret_{w:32}",
        "sb_publishable_{w:32}",
        "sb_secret_",
    ),
    # --- AI APIs -----------------------------------------------------------------------------------
    _d(
        "openai-api-key",
        "an OpenAI API key",
        _S + r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}" + _E,
        H,
        "sk-proj-{w:40}T3BlbkFJ{w:40}",
        "sk-proj-{w:20}",
        "T3BlbkFJ",
    ),
    _d(
        "openai-project-key",
        "an OpenAI project / service-account key",
        _S + r"sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}" + _E,
        H,
        "sk-svcacct-{w:80}",
        "sk-svcacct-{w:20}",
        "sk-proj-",
        "sk-svcacct-",
        "sk-admin-",
    ),
    _d(
        "anthropic-api-key",
        "an Anthropic API key",
        _S + r"sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}" + _E,
        H,
        "sk-ant-api03-{w:93}AA",
        "sk-ant-api03-{w:20}",
        "sk-ant-",
    ),
    _d(
        "huggingface-token",
        "a Hugging Face access token",
        _S + r"hf_[A-Za-z]{34}" + _E,
        H,
        "hf_{L:34}",
        "hf_{L:20}",
        "hf_",
    ),
    _d("groq-api-key", "a Groq API key", _S + r"gsk_[A-Za-z0-9]{52}" + _E, H, "gsk_{a:52}", "gsk_{a:20}", "gsk_"),
    _d(
        "replicate-api-token",
        "a Replicate API token",
        _S + r"r8_[A-Za-z0-9]{37}" + _E,
        H,
        "r8_{a:37}",
        "r8_{a:20}",
        "r8_",
    ),
    _d(
        "perplexity-api-key",
        "a Perplexity API key",
        _S + r"pplx-[A-Za-z0-9]{48}" + _E,
        H,
        "pplx-{a:48}",
        "pplx-{a:20}",
        "pplx-",
    ),
    _d("xai-api-key", "an xAI API key", _S + r"xai-[A-Za-z0-9]{80}" + _E, H, "xai-{a:80}", "xai-{a:30}", "xai-"),
    _d(
        "cohere-api-key",
        "a Cohere API key",
        r"[A-Za-z0-9]{40}",
        M,
        "{a:40}",
        "{a:20}",
        key=r"cohere|^co_api",
        example_key="COHERE_API_KEY",
    ),
    _d(
        "mistral-api-key",
        "a Mistral AI API key",
        r"[A-Za-z0-9]{32}",
        M,
        "{a:32}",
        "{a:20}",
        key=r"mistral",
        example_key="MISTRAL_API_KEY",
    ),
    _d(
        "deepseek-api-key",
        "a DeepSeek API key",
        r"sk-[a-f0-9]{32}",
        H,
        "sk-{h:32}",
        "sk-{h:16}",
        key=r"deepseek",
        example_key="DEEPSEEK_API_KEY",
    ),
    _d(
        "pinecone-api-key",
        "a Pinecone API key",
        _S + r"pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{60,70}" + _E,
        H,
        "pcsk_{a:6}_{a:64}",
        "pcsk_{a:6}_{a:10}",
        "pcsk_",
    ),
    _d(
        "langsmith-api-key",
        "a LangSmith API key",
        _S + r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}" + _E,
        H,
        "lsv2_pt_{h:32}_{h:10}",
        "lsv2_pt_{h:32}",
        "lsv2_",
    ),
    # --- URLs with credentials -------------------------------------------------------------------------
    _d(
        "database-url-password",
        "a database URL with a password",
        r"\b" + _DB_SCHEMES + r"://" + _USERINFO,
        H,
        "postgres://app:{a:16}@db.internal:5432/app",
        "postgres://app@db.internal:5432/app",
        "://",
    ),
    _d(
        "broker-url-password",
        "a message-broker URL with a password",
        r"\b" + _BROKER_SCHEMES + r"://" + _USERINFO,
        H,
        "amqps://worker:{a:16}@mq.internal:5671/vhost",
        "amqps://mq.internal:5671/vhost",
        "://",
    ),
    _d(
        "basic-auth-url",
        "a URL with basic-auth credentials",
        r"\b(?:https?|ftps?|sftp|ssh|git|svn|ldaps?|smtps?|imaps?)://" + _USERINFO,
        H,
        "https://deploy:{a:16}@git.internal.acme.net/repo.git",
        "https://git.internal.acme.net/repo.git",
        "://",
    ),
    _d(
        "url-with-password",
        "a connection string with a password",
        r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://" + _USERINFO,
        H,
        "couchbase://svc:{a:16}@cb.internal/bucket",
        "couchbase://cb.internal/bucket",
        "://",
    ),
    _d(
        "odbc-connection-string-password",
        "a connection string with a password",
        r"(?i)(?:^|;)\s*(?:Server|Data Source|Host)=[^;]+;.*?\b(?:Password|Pwd)=(?P<password>[^;'\"]+)",
        H,
        "Server=sql.internal;Database=app;User Id=app;Password={a:16};",
        "Server=sql.internal;Database=app;Integrated Security=true;",
        "assword=",
        "wd=",
        "WD=",
    ),
)

# Generic detections (not format-based), reported under these ids.
GENERIC_SECRET = "generic-secret"  # a secret-named key holding a random-looking value
GENERIC_PASSWORD = "generic-password"  # a password-named key holding a non-placeholder value

BY_ID: dict[str, Detector] = {d.id: d for d in DETECTORS}
assert len(BY_ID) == len(DETECTORS), "duplicate detector id"

# The URL detectors whose `password` group is judged against placeholders by the caller.
URL_DETECTORS = frozenset(
    {
        "database-url-password",
        "broker-url-password",
        "basic-auth-url",
        "url-with-password",
        "odbc-connection-string-password",
    }
)

# An AWS secret access key has no prefix: 40 base64 characters, recognisable only beside its key id.
AWS_SECRET_ACCESS_KEY = re.compile(r"^[A-Za-z0-9/+]{40}$")


# The detectors worth running on a value: those whose keyword occurs in it. One substring test per keyword
# (a C-speed search each) finds them; a lookahead alternation of all the keywords tried at every position
# of the value cost three times as much. Values repeat a lot within a scan and across the files of an app
# (the same URL, the same header), so the answer is memoised: it depends on the value, the key and the
# immutable DETECTORS alone.
_KEYWORDS = sorted({k for d in DETECTORS for k in d.keywords}, key=len, reverse=True)
_BY_KEYWORD = tuple((k, tuple(i for i, d in enumerate(DETECTORS) if k in d.keywords)) for k in _KEYWORDS)
_ALWAYS = tuple(i for i, d in enumerate(DETECTORS) if not d.keywords and d.key_regex is None)


@lru_cache(maxsize=8192)  # a function of the key and the immutable DETECTORS: the same for every scan
def _for_key(key: str) -> tuple[int, ...]:
    return tuple(i for i, d in enumerate(DETECTORS) if d.key_pattern is not None and d.key_pattern.search(key))


def _candidates(value: str, key: str | None) -> tuple[int, ...]:
    """Indexes (in table order) of the detectors whose keyword occurs in `value`, or bound to `key`'s name."""
    if len(value) > 1024:  # a minified bundle's line: rarely repeated, and large to keep
        return _find_candidates(value, key)
    return _memo_candidates(value, key)


def _find_candidates(value: str, key: str | None) -> tuple[int, ...]:
    found: set[int] = set(_ALWAYS)
    for keyword, detectors in _BY_KEYWORD:
        if keyword in value:
            found.update(detectors)
    if key:
        found.update(_for_key(key))
    return tuple(sorted(found))


_memo_candidates = lru_cache(maxsize=4096)(_find_candidates)  # pure: the value, the key, the fixed DETECTORS


def detect(value: str, key: str | None = None) -> tuple[Detector, re.Match[str]] | None:
    """The first detector that matches the value (key-bound ones need `key`), with its match."""
    for i in _candidates(value, key):
        det = DETECTORS[i]
        m = det.search(value, key)
        if m:
            return det, m
    return None


def detect_all(value: str, key: str | None = None) -> list[tuple[Detector, re.Match[str]]]:
    """Every detector that matches somewhere in the value (one match each), in table order."""
    out = []
    for i in _candidates(value, key):
        det = DETECTORS[i]
        m = det.search(value, key)
        if m:
            out.append((det, m))
    return out
