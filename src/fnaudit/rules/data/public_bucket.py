"""DATA001: an S3 bucket of the app that anyone on the internet can read, write or take over."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity, TraceStep
from fnaudit.model.app import App, Function, TriggerKind
from fnaudit.model.code import SdkCall
from fnaudit.model.facts import Fact
from fnaudit.rules.data._buckets import VERBS, Bucket, Grant, buckets, names_bucket, triggered, writes
from fnaudit.rules.registry import Context, rule

_WRITE_LIKE = frozenset({"write", "delete", "permissions"})


@rule(
    "DATA001",
    "public-bucket",
    title="S3 bucket open to the public",
    # `config`: the finding is a resource's configuration; `permissions` is kept for what a function's role may do.
    category=Category.CONFIG,
    severity=Severity.HIGH,
    cwe=(284, 732),
    owasp=("SAS-3",),
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-condition-keys.html",
    ),
    needs=(Fact.CODE,),
)
def public_bucket(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    S3 buckets declared by the app (CloudFormation, SAM, or a serverless.yml `resources:` block)
    that strangers can use: a public canned ACL (`AccessControl: PublicRead`, `PublicReadWrite`,
    `AuthenticatedRead`), or a bucket policy statement that allows `Principal: "*"` (or
    `{AWS: "*"}`) to read, write, delete or change the ACL / policy, with no Condition that
    restricts it to a network, organisation, account or source (`aws:SourceVpce`, `aws:SourceIp`,
    `aws:PrincipalOrgID`, `aws:SourceArn`, `aws:SourceAccount`, …). A `Deny` statement, or a
    condition such as `aws:SecureTransport` or `aws:Referer` (the caller sets it), grants nothing /
    restricts nothing. A grant that the bucket's `PublicAccessBlockConfiguration` neutralises
    (`BlockPublicAcls` / `IgnorePublicAcls` for ACLs, `BlockPublicPolicy` / `RestrictPublicBuckets`
    for policies) is not reported; when the block is written with those flags switched off, the
    finding names the flag's line too.

    The finding points at the line to change (the `AccessControl` line, the statement's `Principal`
    line) and is more severe when a function of the app is involved: **critical** when anyone can
    write to a bucket whose notifications trigger a function (the attacker chooses the objects,
    their keys and content, which become the function's event data), or can read a bucket a
    function writes to (whatever it stores is public). A website bucket (`WebsiteConfiguration`)
    that is only publicly readable is reported with severity low (medium when a function writes to
    it): it is probably meant to be public.

    ## When it speaks

    - **Speaks when**: an `AWS::S3::Bucket` of the app is opened by a canned ACL (`PublicRead`,
      `PublicReadWrite`, `AuthenticatedRead`) or by a bucket policy `Allow` statement for any principal (`*`,
      `{"AWS": "*"}`) granting read, write, delete or permission changes (by the actions or patterns it covers),
      that no restricting Condition (`aws:SourceVpce`, `aws:PrincipalOrgID`, `aws:SourceArn`, `aws:SourceIp`…)
      and no public access block flag set to `true` neutralises (`BlockPublicAcls`/`IgnorePublicAcls` for ACLs,
      `BlockPublicPolicy`/`RestrictPublicBuckets` for policies). Critical when the public can write to a bucket
      whose notifications trigger a function, or read a non-website bucket a function writes to; a website
      bucket that is only readable is low (medium when a function writes to it); high otherwise.
    - **Evidence**: the message names the bucket, the grant (`AccessControl: PublicRead`, `statement 2 of
      BucketPolicy`), what anyone can do, the flags set to `false`, the functions it triggers and the functions
      that write to it (with the SDK call and line); the finding sits on the ACL line or the statement's
      `Principal`; the trace points at each of those lines.
    - **Stays quiet**: private buckets; statements for named principals; conditions that narrow the principal or
      network (`aws:SecureTransport`, `aws:Referer`, negated or `…IfExists` operators do not count); grants
      neutralised by the public access block; buckets of other stacks.

    ## Why it matters

    Public buckets are one of the most common causes of data breaches: backups, uploads, exports and
    logs left readable by anyone who guesses the name. Public write is worse: anyone can fill the
    bucket (you pay), replace files your users download, or feed crafted objects to the functions
    the bucket triggers (path traversal and injection through object keys, decompression bombs,
    malicious documents). Public ACL or policy changes hand the whole bucket over.

    ## How to fix

    Keep buckets private and say so explicitly: remove the public ACL or the `Principal: "*"`
    statement, and add `PublicAccessBlockConfiguration` with all four flags `true`. Serve public
    files through CloudFront with an origin access control (the bucket policy then names the
    distribution with `aws:SourceArn`), and give callers time-limited presigned URLs for uploads and
    downloads. If a statement must stay, restrict it with a Condition (`aws:SourceVpce`,
    `aws:PrincipalOrgID`, `aws:SourceArn`).

    ## Example

    Bad (CloudFormation, also in a serverless.yml `resources:` block):

    ```yaml
    Uploads:
      Type: AWS::S3::Bucket
      Properties:
        PublicAccessBlockConfiguration:
          BlockPublicPolicy: false
          RestrictPublicBuckets: false
    UploadsPolicy:
      Type: AWS::S3::BucketPolicy
      Properties:
        Bucket: !Ref Uploads
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: s3:PutObject
              Resource: !Sub "${Uploads.Arn}/*"
    ```

    Good:

    ```yaml
    Uploads:
      Type: AWS::S3::Bucket
      Properties:
        PublicAccessBlockConfiguration:
          BlockPublicAcls: true
          BlockPublicPolicy: true
          IgnorePublicAcls: true
          RestrictPublicBuckets: true
    ```

    and hand out presigned `PutObject` URLs from a function behind an authorizer.

    ## References

    - CWE-284: Improper Access Control
    - CWE-732: Incorrect Permission Assignment for Critical Resource
    - OWASP Serverless Top 10, SAS-3 Insecure Serverless Deployment Configuration
    """
    for bucket in buckets(app):
        if not bucket.grants:
            continue
        fed = triggered(app, bucket)
        written = writes(app, bucket)
        for grant in bucket.grants:
            yield _hit(app, bucket, grant, fed, written)


def _hit(app: App, bucket: Bucket, grant: Grant, fed: list[Function], written: list[tuple[Function, SdkCall]]) -> Hit:
    write_like = bool(grant.access & _WRITE_LIKE)
    who = "anyone with an AWS account" if grant.what.endswith("AuthenticatedRead") else "anyone on the internet"
    # a bucket ACL's READ is the object listing (objects carry ACLs of their own); a policy's read is the objects
    can = _join([_CAN[k] for k in VERBS if k in grant.access]).replace(
        "read its objects", "list its objects" if grant.kind == "acl" else "read its objects"
    )
    website_only = bucket.website and not write_like
    if website_only:
        message = (
            f"bucket {bucket.id} is a website bucket and {grant.what} lets {who} read it: "
            "intended for a website? make sure nothing private is written there"
        )
    else:
        message = f"bucket {bucket.id}: {grant.what} lets {who} {can}"
    kinds = [k for k in VERBS if k in grant.access]
    trace = [TraceStep(grant.loc, f"{grant.what}: {who} can {_join([VERBS[k] for k in kinds])}")]
    off = [f for f in grant.flags if f.on is False]
    if off:
        flags = _join([f"{f.name}: false (line {f.loc.line})" for f in off])
        message += f"; its PublicAccessBlockConfiguration sets {flags}, so nothing blocks it"
        trace.extend(
            TraceStep(f.loc, f"PublicAccessBlockConfiguration {f.name}: false lets the grant apply") for f in off
        )
    if write_like and fed:
        message += (
            f"; it triggers function{'s' if len(fed) > 1 else ''} {', '.join(fn.name for fn in fed)}, "
            "so attacker-chosen objects become event data"
        )
        for fn in fed:
            t = next(
                t for t in fn.triggers if t.kind is TriggerKind.S3 and t.source and names_bucket(t.source, bucket, app)
            )
            trace.append(TraceStep(t.loc, f"its notifications invoke function {fn.name}"))
    if written:
        said = "; ".join(
            f"{fn.name} writes to it ({call.service} {call.operation} at {call.loc})" for fn, call in written
        )
        consequence = (
            "anyone can replace what it stores"
            if write_like and "read" not in grant.access
            else "what it stores is public"
        )
        message += f"; function {said}: {consequence}"
        trace.extend(TraceStep(call.loc, f"function {fn.name} writes objects to it") for fn, call in written)
    return Hit(
        grant.loc,
        message,
        evidence=f"{bucket.id}: {grant.what} grants {', '.join(sorted(grant.access))} to {who}",
        remediation=_remediation(bucket, grant),
        severity=_severity(bucket, grant, fed, written),
        key=f"{bucket.id}|{grant.what}",
        functions=tuple(dict.fromkeys([fn.id for fn in fed] + [fn.id for fn, _ in written])),
        trace=tuple(trace) if len(trace) > 1 else (),
    )


_CAN = {
    "read": "read its objects",
    "write": "write objects to it",
    "delete": "delete its objects",
    "permissions": "change its ACL or policy (take the bucket over)",
}


def _severity(bucket: Bucket, grant: Grant, fed: list[Function], written: list[tuple[Function, SdkCall]]) -> Severity:
    """Critical when a function makes the grant worse (attacker-chosen event data, or its data made public);
    a website bucket that is only readable is probably meant to be: low, medium when a function writes there."""
    write_like = bool(grant.access & _WRITE_LIKE)
    if write_like and fed:
        return Severity.CRITICAL
    if bucket.website and not write_like:
        return Severity.MEDIUM if written else Severity.LOW
    if "read" in grant.access and written and not bucket.website:
        return Severity.CRITICAL
    return Severity.HIGH


def _remediation(bucket: Bucket, grant: Grant) -> str:
    block = (
        "add `PublicAccessBlockConfiguration` with `BlockPublicAcls`, `BlockPublicPolicy`, `IgnorePublicAcls` and "
        "`RestrictPublicBuckets` all `true`"
    )
    if grant.kind == "acl":
        first = f"Remove `{grant.what}` from {bucket.id} (buckets are private by default)"
    else:
        first = (
            f'Remove the `Principal: "*"` {grant.what}, or restrict it with a Condition (`aws:SourceVpce`, '
            "`aws:PrincipalOrgID`, or `aws:SourceArn` of your CloudFront distribution)"
        )
    tail = "; serve public files through CloudFront with an origin access control, and use presigned URLs for uploads."
    if bucket.website and not grant.access & _WRITE_LIKE:
        tail = "; if the site must stay public, write only public files there (nothing a function stores for users)."
    return f"{first}, and {block}{tail}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
