"""Taint propagation for JavaScript / TypeScript over tree-sitter trees, with one summary per function.

The value model is the language-neutral core's (`Ref`, `Val`, `Event`, `Summary` from
`engines/code/taint/`: a value is a set of references to a parameter read at an event path, with
the trace steps that brought it there), so every language produces the same facts.

Layout (composition, no mixins): `engine` (the summary cache, and `JsFunction`, which builds one
function's `FunctionState` from `state` and its collaborators), `statements`, `bindings`,
`expressions`, `calls`, `checks` (sinks and effects), `summaries` (`Callees`: calls into the
package's own functions), `sdkvalues` (S3 object content, tagged with its bucket for
`engines/code/s3content.py`), `syntax` (tree helpers without state). Every field a walk uses is
declared once, on `FunctionState`; the collaborators keep no state of their own.

- Module-level functions (and those of other modules of the package, followed through `require`
  / `import` and re-exports) are analysed once into a summary; a call applies it.
- Functions written inline (callbacks of `.map/.forEach/.then`, `new Promise(...)`, a function
  declared inside the handler and called there) are analysed in place, so they see the handler's
  variables (closures) and their sinks are the handler's.
- Function values are followed wherever they are called: `f.bind(thisArg, a)` (the bound values
  first), `f.call` / `f.apply`, callbacks given by name or bound (`.then(repo.find.bind(repo, q))`),
  rest parameters and spread arguments; `new Promise((resolve) => …)` is what `resolve` gets.
- Callbacks of other APIs get data only where the API's semantics say so (`sinks.CALLBACK_DATA`:
  `zlib.gunzip(buf, (err, out))`, `setTimeout(f, ms, x)`, `async.each`, a stream's `data` listener);
  `fs.readFile(path, cb)` hands over the file's content, not the path's text.
- Flow-sensitive in straight-line code; `if` branches merge; loop bodies run twice.
"""

from fnaudit.engines.code.javascript.taint.engine import MAX_INLINE, JsFunction, JsTaintEngine
from fnaudit.engines.code.javascript.taint.syntax import param_name, param_pattern, params_of, schema_fields

__all__ = ["MAX_INLINE", "JsFunction", "JsTaintEngine", "param_name", "param_pattern", "params_of", "schema_fields"]
