"""The `aws:` scan target: which account (profile), which regions, which functions, which endpoint.

Forms accepted on the command line:

- `aws:` — the profile's default region (boto3's chain: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's config);
- `aws:eu-west-1` or `aws:eu-west-1,us-east-1` — those regions;
- `aws:*` — every region enabled in the account (`ec2:DescribeRegions`);
- `aws://PROFILE/REGION` — the form DESIGN.md names, for scripts that already build it.

Credentials always come from boto3's standard chain for the profile; fnaudit stores none.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from fnaudit.errors import FnauditError

PREFIX = "aws:"
EVERY_REGION = "*"
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")


class TargetError(FnauditError):
    """An `aws:` target that cannot be understood."""


@dataclass(frozen=True, slots=True)
class AccountTarget:
    """What `fnaudit scan aws:…` was asked to read."""

    text: str  # as written, for the report's `target`
    regions: tuple[str, ...] = ()  # empty: the profile's default region; ("*",): every enabled region
    profile: str | None = None
    functions: tuple[str, ...] = ()  # names or globs (`--function`); empty: every function
    endpoint_url: str | None = None  # a local emulator (moto, LocalStack) instead of AWS
    with_s3: bool = False  # also read every bucket's notifications (slow on accounts with many buckets)

    @property
    def every_region(self) -> bool:
        return self.regions == (EVERY_REGION,)

    def wants(self, function_name: str) -> bool:
        """True when `--function` selects the function (or no `--function` was given)."""
        return not self.functions or any(fnmatch.fnmatchcase(function_name, p) for p in self.functions)


def is_account_target(text: str) -> bool:
    return text.startswith(PREFIX)


def parse(
    text: str,
    profile: str | None = None,
    functions: tuple[str, ...] = (),
    endpoint_url: str | None = None,
    with_s3: bool = False,
) -> AccountTarget:
    """The target `text` names, with the command line's options. Raises TargetError on a malformed one."""
    if not is_account_target(text):
        raise TargetError(f"{text!r} is not an aws: target")
    rest = text[len(PREFIX) :]
    if rest.startswith("//"):  # aws://profile/region
        named, _, region = rest[2:].partition("/")
        if named and profile and named != profile:
            raise TargetError(f"{text}: names profile {named!r} but --profile says {profile!r}")
        profile = profile or named or None
        rest = region
    regions = tuple(r.strip() for r in rest.split(",") if r.strip())
    if EVERY_REGION in regions and len(regions) > 1:
        raise TargetError(f"{text}: `*` means every enabled region; do not list others with it")
    for region in regions:
        if region != EVERY_REGION and not _REGION.match(region):
            raise TargetError(f"{text}: {region!r} is not an AWS region name (like eu-west-1)")
    return AccountTarget(text, regions, profile, tuple(functions), endpoint_url, with_s3)
