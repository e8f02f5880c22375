"""`fnaudit fix`: every fixable finding becomes a reviewable patch to the user's own files.

Facts flow as everywhere else: the scan's result (findings, with the apps they were made on) → fixers (one
per rule family, pure: a finding and the files' text in, a `Fix` or a `NoFix` out) → a `Plan` → a unified diff,
written only with `--write`, then verified by a second scan (the fixed findings gone, none new) or rolled back.

Edits are line edits on the files as they are (`model.Edit`): only the lines that must change, change, so
comments, key order, quoting, indentation and anchors elsewhere in the file stay exactly as written.
"""
