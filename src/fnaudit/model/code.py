"""Facts the code engine finds in a function's code (owned by the code engine; rules read them)."""

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


@dataclass(frozen=True, slots=True)
class CodeFacts:
    """What the code engine learnt about one function. Filled by `fnaudit.engines.code`."""

    imports: tuple[str, ...] = ()  # top-level modules/packages the handler's module graph imports
    files: tuple[str, ...] = ()  # files of the function's module graph, relative to the scan root
