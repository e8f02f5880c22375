"""The Markdown report for pull-request comments: summary, counts, findings by function, escaping, size cap."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from fnaudit.errors import ScanError
from fnaudit.pipeline import ScanResult
from fnaudit.report import Format, render
from fnaudit.report.markdown import document, md
from tests.report.builders import finding, make_result


def text(result: ScanResult) -> str:
    out = io.StringIO()
    render(result, Format.MARKDOWN, out)
    return out.getvalue()


def test_layout() -> None:
    lines = text(make_result()).splitlines()
    assert lines[0] == (
        "### fnaudit: 4 findings \\(1 critical, 1 high, 1 low, 1 info\\) in 2 functions across 1 app; 1 suppressed"
    )
    assert lines[2:10] == [
        "| severity | findings |",
        "|---|---:|",
        "| critical | 1 |",
        "| high | 1 |",
        "| medium | 0 |",
        "| low | 1 |",
        "| info | 1 |",
        "| suppressed | 1 |",
    ]
    # info findings: one line per app under the counts, not listed (issue 22)
    assert lines[11] == "1 info finding\\: `--show info`  "
    assert lines[13] == "#### api \\(serverless\\.yml\\)"
    assert lines[15] == (
        "<details><summary><b>critical</b> <code>IAM001</code> iam-admin-access · "
        "<code>serverless.yml:8</code> — the role of api allows every action on every resource"
        "</summary>"
    )
    assert lines[16:24] == [
        "",
        "<b>Evidence</b>",
        "",
        "<pre>Action: &quot;*&quot;</pre>",
        "",
        "<b>How to fix</b>",
        "",
        "Fix the iam\\-admin\\-access problem\\.",
    ]
    headings = [line for line in lines if line.startswith("#### ")]
    assert headings == ["#### api \\(serverless\\.yml\\)"]  # the app-level group held only an info finding
    assert "worker" not in "\n".join(lines)  # suppressed findings are counted, not listed
    assert lines.count("</details>") == 3


def test_untrusted_text_cannot_inject_markdown_or_html() -> None:
    evil = "<img src=x onerror=alert(1)> [click](https://evil.example) ![i](x) **b** | # h `c`\n\n# heading"
    f = finding("AUTH001", "api", 18, evil, "f1", evidence=f"</pre>{evil}")
    out = text(make_result(findings=(replace(f, remediation=f"use `safe()` not {evil}"),)))
    assert not re.search(r"(?<!\\)<img", out) and "</pre><" not in out  # only as &lt;img or \<img
    assert "&lt;img src=x onerror=alert(1)&gt; [click](https://evil.example)" in out  # in <summary>: HTML-escaped
    assert "<pre>&lt;/pre&gt;&lt;img" in out
    assert (
        "use `safe()` not \\<img src\\=x onerror\\=alert\\(1\\)\\> \\[click\\]\\(https\\:\\/\\/evil\\.example\\)" in out
    )
    # in the fix text (Markdown) the heading is escaped; in the evidence it stays inside <pre> (literal)
    assert "\n\\# heading\n" in out
    assert "\n# heading</pre>" in out
    assert md("a|b *c* [d](e) <f> & `g` @h $x$, ok; 'q'") == (
        "a\\|b \\*c\\* \\[d\\]\\(e\\) \\<f\\> \\& \\`g\\` \\@h \\$x\\$, ok; 'q'"
    )


def test_errors_are_listed_collapsed() -> None:
    out = text(make_result(errors=(ScanError("broken.yml", "not valid YAML (line 3)", "load"),)))
    assert out.endswith(
        "<details><summary>1 scan error</summary>\n\n- broken\\.yml: not valid YAML \\(line 3\\) "
        "\\(load\\)\n\n</details>\n"
    )


def test_a_large_report_is_cut_under_the_comment_limit_with_a_count() -> None:
    many = tuple(finding("AUTH001", "api", i, "x" * 500, f"f{i:05}") for i in range(1, 400))
    out = text(make_result(findings=many))
    assert len(out) <= 61_000  # GitHub's comment limit is 65,536 characters
    shown = out.count("<details><summary><b>high</b>")
    assert 50 < shown < 399
    assert f"**{399 - shown} more findings not shown** (the comment size limit)" in out
    assert out.splitlines()[0].startswith(
        "### fnaudit: 399 findings (399 high)".replace("(", "\\(").replace(")", "\\)")
    )
    # the count is exact at any limit
    small = document(make_result(findings=many), limit=5_000)
    assert f"**{399 - small.count('<details><summary><b>high')} more findings not shown**" in small
    assert len(small) < 5_500
