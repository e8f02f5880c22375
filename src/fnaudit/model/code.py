"""Facts the code engine finds in a function's code (owned by the code engine; rules read them).

The data-flow facts (`Source`, `Sink`, `Flow`, `StateWrite`, `VerboseError`, `LogLeak`) are
language-neutral: the Python analyser and the JavaScript one produce the same shapes, and the
CODE rules only read these. They live here, in the model, so that the model never imports the
engines; `fnaudit.engines.code.ir` re-exports them for the analysers.
"""

from __future__ import annotations

from dataclasses import dataclass

from fnaudit.model.loc import Loc


@dataclass(frozen=True, slots=True)
class SdkCall:
    """One AWS SDK call the function's code can make."""

    service: str  # botocore service name: "s3", "dynamodb", "lambda"…
    operation: str  # API operation as in botocore's model: "GetObject", "PutItem"…
    loc: Loc
    resource: str | None = None  # the resource it names, when known (literal, or env var → app resource)
    confidence: str = "high"  # high | medium | low (dynamic service names, unknown clients)
    reachable: bool = True  # False: in a function of the module graph that the handler never reaches


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a data flow: where, and what happens there."""

    loc: Loc
    note: str


@dataclass(frozen=True, slots=True)
class Source:
    """Attacker-controlled (or at least event-derived) data entering the code.

    `path` is the event path as written in the event documents (`body`, `pathParameters.id`,
    `Records[].s3.object.key`, `` for the whole event); `triggers` the trigger kinds (TriggerKind
    values) whose events make that path attacker controlled.
    """

    path: str
    loc: Loc
    triggers: tuple[str, ...] = ()
    confidence: str = "high"


@dataclass(frozen=True, slots=True)
class Sink:
    """A dangerous operation: `kind` is the sink family (sql, command, code, deserialization, path,
    ssrf, nosql, template, xxe, xss, redirect); `call` the callee as written (`cursor.execute`)."""

    kind: str
    call: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Route:
    """One entry a framework dispatches the function's events to: a web route of a Flask / FastAPI /
    Django / Express app behind an adapter, a Chalice or Powertools route.

    `method` is upper case ("ANY" for every method), `path` as the framework writes it
    (`/orders/<int:id>`, `/orders/{id}`, `/orders/:id`), `loc` the line that declares the route (the
    decorator, the `app.get(...)` call, the urlconf entry), `view` the function that runs. `auth` names
    the authentication the code itself declares for the route (a `login_required`-style decorator, an
    auth middleware, a Chalice authorizer), None when it declares none."""

    method: str
    path: str
    loc: Loc
    view: str
    framework: str
    auth: str | None = None

    @property
    def describe(self) -> str:
        return f"{self.method} {self.path or '/'}"


@dataclass(frozen=True, slots=True)
class Flow:
    """Event data reaching a sink without a sanitiser on the way. `steps` run source → sink.

    `route`: the framework route the data came in by, when the function serves several."""

    source: Source
    sink: Sink
    steps: tuple[Step, ...] = ()
    confidence: str = "high"
    route: Route | None = None


@dataclass(frozen=True, slots=True)
class StateWrite:
    """Event-derived data kept in the execution environment across invocations.

    `kind`: `global` (a module-level mutable object written from the handler) or `tmp` (a file
    under /tmp). `target` names the object or the path."""

    kind: str
    target: str
    loc: Loc
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class VerboseError:
    """Exception text or a stack trace returned to the caller. `what`: `str(e)`, `traceback.format_exc()`…"""

    what: str
    loc: Loc
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class LogLeak:
    """Sensitive data written to the logs. `kind`: `event` (the whole event) or `secret` (an
    environment variable that holds a secret); `name` the variable name for secrets."""

    kind: str
    loc: Loc
    name: str = ""
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """What the code engine learnt about one function. Filled by `fnaudit.engines.code`."""

    imports: tuple[str, ...] = ()  # top-level modules/packages the handler's module graph imports
    files: tuple[str, ...] = ()  # files of the function's module graph, relative to the scan root
    flows: tuple[Flow, ...] = ()
    state_writes: tuple[StateWrite, ...] = ()
    verbose_errors: tuple[VerboseError, ...] = ()
    log_leaks: tuple[LogLeak, ...] = ()
    handler_found: bool = True  # False: the handler symbol was not found in its file
    routes: tuple[Route, ...] = ()  # the framework routes the function serves (empty for a plain handler)
    weaknesses: tuple[Weakness, ...] = ()  # unsafe call patterns (unverified JWT, TLS off…), see Weakness
    # authentication the handler's own code performs (signature check, verified JWT), see AuthCheck
    auth_checks: tuple[AuthCheck, ...] = ()


@dataclass(frozen=True, slots=True)
class Weakness:
    """A security-relevant code *pattern* (not a data flow): a call made with an unsafe option, a check
    written so that it can be bypassed. Produced by the per-language `weaknesses` modules.

    `kind` is the family the rules read: `jwt` (token decoded without verifying it), `transport` (TLS
    verification or encryption switched off), `password` (weak hash or plaintext comparison), `authz`
    (authorization decided by a request value, or a token checked only when present), `cors` (the
    request's Origin reflected), `reverse-shell` (a network socket wired to a shell's standard streams). `detail` says what was found, in words for the finding's message;
    `confidence` is high | medium | low (how sure the pattern means what it looks like)."""

    kind: str
    loc: Loc
    detail: str
    confidence: str = "high"
    steps: tuple[Step, ...] = ()
    credentials: bool = False  # cors: Access-Control-Allow-Credentials: true sent with the reflected origin


@dataclass(frozen=True, slots=True)
class AuthCheck:
    """Authentication the function's code performs itself, on a path the handler reaches, where a failed
    check stops the request (a raise, a 401/403 return, a verifier library that throws). Produced by the
    per-language `authcheck` modules; the missing-authorizer rules read it to lower their severity.

    `kind`: `hmac` (a request signature header compared with an HMAC the code computes), `jwt` (a token
    from the request verified with a key), `webhook` (a provider SDK's signature verifier: Stripe,
    Slack, GitHub). `detail` says what was found, in words for the finding's message. `confidence` is
    medium for a check that authenticates but is written weakly (a non-constant-time `==` compare)."""

    kind: str
    loc: Loc
    detail: str
    confidence: str = "high"
