"""The facts engines add to the App after loading, named so that rules can say which ones they read.

A rule declares `needs=(Fact.CODE, …)`; an engine declares which facts it provides and which it
reads from an earlier engine. The scan runs only the engines that some rule it runs needs, so
`--select AUTH` pays nothing for code analysis. The enum lives in the model, below engines and rules
alike: neither has to import the other to agree on a name.
"""

from __future__ import annotations

import enum


class Fact(enum.Enum):
    CODE = "code"  # Function.code_facts and sdk_calls (flows, imports, runtime state): the code engine
    SECRETS = "secrets"  # App.secret_candidates in code, bundled files and parameter defaults: the secrets engine
    PACKAGES = "packages"  # Function.packages from the lockfiles it ships: the dependency engine
    ADVISORIES = "advisories"  # Package.advisories matched in the advisory store: the dependency engine
    PERMISSIONS = "permissions"  # Function.permissions, blast_radius and access: the IAM engine


ALL_FACTS: frozenset[Fact] = frozenset(Fact)
