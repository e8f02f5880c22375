"""CODE015: a JSON Web Token decoded without verifying its signature, or with `none` / unpinned algorithms."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import unclaimed_hits
from fnaudit.rules.code._weakness import by_exposure, weakness_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "CODE015",
    "jwt-not-verified",
    title="JWT decoded without verifying its signature",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(347, 345),
    owasp=("SAS-2",),
    references=(
        "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
        "https://pyjwt.readthedocs.io/en/stable/usage.html",
    ),
    needs=(Fact.CODE,),
)
def jwt_not_verified(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Code that reads a JSON Web Token's claims without checking who signed it, and uses them:

    - PyJWT `jwt.decode(token, options={"verify_signature": False})`, `verify=False` (PyJWT 1.x),
      `algorithms=[..., "none"]`, or no `algorithms=` at all (the token's own header then picks the
      algorithm; medium confidence, since PyJWT 2 refuses that call);
    - python-jose `jwt.get_unverified_claims(token)`, `jwt.decode` without `algorithms`;
    - JavaScript/TypeScript: `jsonwebtoken`'s `jwt.decode(token)` whose result is used (decode does no
      verification; `verify` belongs there), `jwt.verify(token, key, { algorithms: ['none'] })`, `jose`'s
      `decodeJwt(token)` and `jwt-decode`'s `jwtDecode(token)` used as the caller's identity.

    A function that reads the unverified claims only to pick the key, and then verifies the token with
    a pinned algorithm, is not reported. Severity follows the route: high on a public route with no
    authorizer, lower behind an authorizer (which has already verified the token) or for internal triggers.

    ## When it speaks

    - **Speaks when**: the code engine finds a token decode whose claims are then used and which no verifying
      decode follows: `get_unverified_claims` (python-jose), PyJWT / jose `jwt.decode` with
      `options={'verify_signature': False}` (also through a variable) or `verify=False`, with `'none'` among its
      `algorithms`, or with no `algorithms=[...]` at all (the token's header picks the algorithm: medium
      confidence); `jwt.decode` of jsonwebtoken and hand-made base64 payload decoding in JavaScript. Severity by
      exposure: high from a public route with no authorizer, lower behind an authorizer or from an internal
      trigger; reported for any trigger.
    - **Evidence**: the message names the function, the line of the decode, what is wrong (claims read
      unverified, signature check off, `none` accepted, algorithms unpinned) and how callers reach the function.
    - **Stays quiet**: `jwt.decode(token, key, algorithms=["RS256"])`, `jwt.verify`, jose `jwtVerify`; an
      unverified read whose result is thrown away or only picks the key of a decode that then verifies; routes
      behind an API Gateway JWT or Cognito authorizer that read `requestContext.authorizer` instead.

    ## Why it matters

    Anyone can write a token: base64 of `{"sub": "admin"}` with no signature, or one signed with `alg: none`.
    Code that trusts decoded claims without the signature check lets any caller be any user.

    ## How to fix

    Verify the token with the issuer's key and pin the algorithms: `jwt.decode(token, key,
    algorithms=["RS256"], audience=...)`; in Node, `jwt.verify(token, key, { algorithms: ['RS256'] })` or
    `jose`'s `jwtVerify`. Better still, let an API Gateway JWT / Cognito authorizer verify it and read
    `requestContext.authorizer` claims.

    ## Example

    Bad:

    ```python
    claims = jwt.decode(token, options={"verify_signature": False})
    ```

    Good:

    ```python
    claims = jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"], audience="orders")
    ```

    ## References

    - CWE-347: Improper Verification of Cryptographic Signature
    - OWASP Serverless Top 10, SAS-2 Broken Authentication
    """
    yield from weakness_hits(
        app,
        "jwt",
        by_exposure(Severity.HIGH),
        'verify the token: jwt.decode(token, key, algorithms=["RS256"], audience=...), or use an API Gateway '
        "JWT/Cognito authorizer and read requestContext.authorizer",
        "verify the token: jwt.verify(token, key, { algorithms: ['RS256'] }) or jose's jwtVerify, or use an "
        "API Gateway JWT/Cognito authorizer and read requestContext.authorizer",
        http_only=False,
        say_reach=True,
    )
    yield from unclaimed_hits(app, ctx, jwt_not_verified, Severity.HIGH)  # code no function claims
