"""What a data source's attribute evaluates to, for the data sources a Lambda configuration reads.

`aws_iam_policy_document` is built into the policy document it renders; the account, region and
partition become CloudFormation pseudo parameters; `archive_file` names the folder or file it zips (the
function's code); SSM parameters and Secrets Manager secrets become the dynamic references
CloudFormation writes for them, so a value read from a secret store is known not to be a plaintext
secret. Anything else is unknown until apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fnaudit.loaders.terraform.hcl import Block
from fnaudit.loaders.terraform.values import Archive, ArchiveHash, Cfn, Encoded, SrcDict, Unknown, as_text

if TYPE_CHECKING:
    from fnaudit.loaders.terraform.module import Instance


def data_value(inst: Instance, attr: str) -> Any:
    kind = inst.type
    if kind == "aws_iam_policy_document" and attr in ("json", "minified_json"):
        return Encoded(policy_document(inst))
    if kind == "aws_caller_identity" and attr == "account_id":
        return Cfn({"Ref": "AWS::AccountId"})
    if kind == "aws_region" and attr in ("name", "id", "region"):
        return Cfn({"Ref": "AWS::Region"})
    if kind == "aws_partition" and attr == "partition":
        return "aws"
    if kind == "archive_file" and attr == "output_path":
        return _archive(inst)
    if kind == "archive_file" and attr in _ARCHIVE_HASHES:
        archive = _archive(inst)
        return ArchiveHash(
            f"{inst.address}.{attr}",
            "read by a data source at apply",
            archive if isinstance(archive, Archive) else None,
        )
    if kind == "aws_ssm_parameter" and attr in ("value", "insecure_value"):
        name = as_text(inst.get("name"))
        return f"{{{{resolve:ssm:{name}}}}}" if name else Unknown(inst.address + ".value", "read from SSM at apply")
    if kind == "aws_secretsmanager_secret_version" and attr == "secret_string":
        sid = as_text(inst.get("secret_id"))
        return f"{{{{resolve:secretsmanager:{sid}}}}}" if sid else Unknown(inst.address, "read at apply")
    if kind == "aws_iam_policy" and attr == "arn":
        arn = as_text(inst.get("arn"))
        return arn if arn else Unknown(f"{inst.address}.arn", "looked up at apply")
    written = inst.block.attrs.get(attr)
    if written is not None:
        return inst.value(written)
    return Unknown(f"{inst.address}.{attr}", "read by a data source at apply")


_ARCHIVE_HASHES = frozenset(
    {"output_base64sha256", "output_base64sha512", "output_sha", "output_sha256", "output_sha512", "output_md5"}
)


def _archive(inst: Instance) -> Any:
    for key, is_dir in (("source_dir", True), ("source_file", False)):
        path = inst.scope.path_of(inst.get(key))
        if path is not None:
            return Archive(path, is_dir)
    return Unknown(f"{inst.address}.output_path", "archive source unknown")


def policy_document(inst: Instance) -> dict[str, Any]:
    """The JSON policy an `aws_iam_policy_document` renders (statements in order; source documents first)."""
    statements: list[Any] = []
    for key in ("source_policy_documents", "source_json"):
        statements.extend(_statements_of(inst.get(key)))
    for block, each in inst.nested("statement"):
        statements.append(_statement(each, block))
    for key in ("override_policy_documents", "override_json"):
        statements.extend(_statements_of(inst.get(key)))
    doc: dict[str, Any] = {"Version": as_text(inst.get("version")) or "2012-10-17", "Statement": statements}
    return doc


def _statements_of(value: Any) -> list[Any]:
    docs = value if isinstance(value, list) else [value] if value is not None else []
    out: list[Any] = []
    for d in docs:
        d = d.value if isinstance(d, Encoded) else d
        if isinstance(d, str):
            import json

            try:
                d = json.loads(d)
            except ValueError:
                continue
        if isinstance(d, dict):
            st = d.get("Statement", [])
            out.extend(st if isinstance(st, list) else [st])
    return out


_FIELDS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def _statement(inst: Instance, block: Block) -> dict[str, Any]:
    st = SrcDict(block.rel, block.line)
    st["Effect"] = "Allow"
    for tf, cfn in _FIELDS:
        if tf in block.attrs:
            st[cfn] = inst.get(tf, block)
            st.key_lines[cfn] = block.attrs[tf].line
    for tf, cfn in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = inst.nested(tf, block)
        if blocks:
            principal: dict[str, Any] = {}
            for p, each in blocks:
                ptype = as_text(each.get("type", p)) or "AWS"
                ids = each.get("identifiers", p)
                principal.setdefault(ptype, [])
                principal[ptype].extend(ids if isinstance(ids, list) else [ids])
            st[cfn] = "*" if principal == {"*": ["*"]} else principal
    conditions = inst.nested("condition", block)
    if conditions:
        cond: dict[str, Any] = {}
        for c, each in conditions:
            test = as_text(each.get("test", c)) or "StringEquals"
            variable = as_text(each.get("variable", c)) or ""
            cond.setdefault(test, {})[variable] = each.get("values", c)
        st["Condition"] = cond
    return st
