"""CODE017: passwords hashed with a fast or broken hash, or compared in plaintext."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import unclaimed_hits
from fnaudit.rules.code._weakness import weakness_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "CODE017",
    "weak-password-storage",
    title="Password hashed with a fast hash or compared in plaintext",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(916, 256),
    owasp=("SAS-2",),
    references=("https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html",),
    needs=(Fact.CODE,),
)
def weak_password_storage(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A value named like a password (a variable, attribute, parameter or key such as `password`,
    `passwd`, `pwd`, `user_pass`) that is:

    - hashed with MD5 or SHA-1 (`hashlib.md5(password.encode())`, `crypto.createHash('md5').update(password)`),
      salted or not;
    - hashed with an unsalted fast hash (SHA-256, SHA-512, SHA-3 of the password alone);
    - compared with `==` / `===` to another password-named value of a different object (the input against
      the stored record: `user["password"] == body["password"]`), which means it is stored as it was typed
      (medium confidence).

    bcrypt, argon2, scrypt and `hashlib.pbkdf2_hmac` / `crypto.scrypt` with a salt are not reported.

    ## When it speaks

    - **Speaks when**: the code engine finds a value whose name says password (`password`, `passwd`,
      `passphrase`, `pwd`, `pw`, `pass`) hashed with a fast hash
      (`hashlib.md5`/`sha1`/`sha256`/`sha512`/`sha3_*`/`blake2*`, `hashlib.new(...)`, `.update()` of such a
      hasher; `crypto.createHash` in JavaScript) — a broken hash (MD5, SHA-1) always, a fast one when it is
      unsalted — or compared in plaintext with `==` / `!=` where one side is a stored record's field (medium
      confidence). Always high.
    - **Evidence**: the message names the function, the line, the password variable and the hash used, or the
      plaintext comparison as written.
    - **Stays quiet**: argon2, bcrypt, scrypt or `hashlib.pbkdf2_hmac`; a salted SHA-2 (still weak, but not
      claimed); hashes of values not named like a password; comparisons with a constant or a call result
      (`verify(...)`); two form inputs compared with each other (`password == confirm_password`).

    ## Why it matters

    A leaked table of MD5 or SHA hashes is cracked at billions of guesses a second; plaintext passwords
    need no cracking at all. Users reuse passwords, so one leak opens their other accounts.

    ## How to fix

    Hash passwords with a slow, salted password hash: argon2id (`argon2-cffi`), bcrypt, or scrypt; compare
    with the library's verify function, which is also constant-time. Better still, leave passwords to
    Cognito or another identity provider.

    ## Example

    Bad:

    ```python
    record["password"] = hashlib.md5(body["password"].encode()).hexdigest()
    ```

    Good:

    ```python
    record["password"] = argon2.PasswordHasher().hash(body["password"])
    ```

    ## References

    - CWE-916: Use of Password Hash With Insufficient Computational Effort
    - CWE-256: Plaintext Storage of a Password
    """
    yield from weakness_hits(
        app,
        "password",
        lambda _fn, _w: Severity.HIGH,
        "hash passwords with argon2id or bcrypt (argon2.PasswordHasher().hash / .verify), never md5/sha, and never "
        "store or compare them in plaintext",
        "hash passwords with argon2id or bcrypt (argon2.hash / bcrypt.hash, then .verify / .compare), never "
        "createHash, and never store or compare them in plaintext",
    )
    yield from unclaimed_hits(app, ctx, weak_password_storage, Severity.HIGH)  # code no function claims
