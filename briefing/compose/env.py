"""The sandboxed Jinja2 environment the brief templates run in, and template error reporting.

* ``SandboxedEnvironment``: templates may read attributes and call the helpers given to them, but
  cannot reach Python internals (``__class__``, ``__globals__`` ...).
* ``StrictUndefined``: a misspelt variable is an error, not an empty string.
* autoescape is off; instead ``finalize`` escapes every printed value that is not already dialect text
  (``fmt.MD``, or ``markupsafe.Markup`` from ``|safe`` / macros the template author vouches for), so a
  fact-sheet value can only ever print as literal text. ``|md`` does the same explicitly.
* Errors (syntax, undefined variable, sandbox violation, a helper failing) are raised as
  :class:`TemplateError` whose message names the template file and line.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .fmt import MD, escape


class TemplateError(Exception):
    """A template could not be rendered; the message starts with 'file:line:'."""

    def __init__(self, message: str, filename: str | None = None, lineno: int | None = None):
        super().__init__(message)
        self.filename = filename
        self.lineno = lineno


def _finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, MD):
        return value
    if isinstance(value, Markup):
        return MD(str(value))
    return escape(value)


def _md_filter(value: Any) -> MD:
    if isinstance(value, Markup):
        value = str(value)
    return escape(value)


def _bytecode_cache(directory: str):
    """Compiled templates kept as files between processes (compiling the brief template costs about
    0.1 s, loading it a few milliseconds). Jinja2 checks each entry against the template's source
    checksum and its own version, so an edited template is recompiled; entries are written atomically
    and a failure to write only costs time."""
    from jinja2 import BytecodeCache

    class Cache(BytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                with open(Path(directory) / f"{bucket.key}.jinja", "rb") as f:
                    bucket.load_bytecode(f)
            except (OSError, EOFError, ValueError):
                pass

        def dump_bytecode(self, bucket) -> None:
            import io

            from ..util import atomic_write_bytes

            buf = io.BytesIO()
            bucket.write_bytecode(buf)
            try:
                Path(directory).mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(Path(directory) / f"{bucket.key}.jinja", buf.getvalue(), durable=False)
            except OSError:
                pass

    return Cache()


def make_env(search_path: list[Path], cache_dir: str | None = None):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader([str(p) for p in search_path]),
        bytecode_cache=_bytecode_cache(cache_dir) if cache_dir else None,
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.loopcontrols"],
    )
    env.filters["md"] = _md_filter
    env.filters["e"] = _md_filter
    env.filters["escape"] = _md_filter
    return env


_ENVS: dict[tuple, Any] = {}
_CACHE_DIR: list[str | None] = [None]


def use_cache_dir(directory: Path | None) -> None:
    """Keep compiled templates in ``directory`` (the build's out/.cache/templates) from now on."""
    _CACHE_DIR[0] = str(directory) if directory is not None else None


def _cached_env(path: tuple[str, ...]):
    """One environment per search path, so a template is compiled once per process (Jinja2 reloads
    it when the file changes: ``auto_reload`` compares modification times)."""
    key = (path, _CACHE_DIR[0])
    env = _ENVS.get(key)
    if env is None:
        if len(_ENVS) > 16:
            _ENVS.clear()
        env = _ENVS[key] = make_env([Path(x) for x in path], _CACHE_DIR[0])
    return env


def _location(exc: BaseException, files: set[str]) -> tuple[str | None, int | None]:
    """The innermost template frame of a rendering error."""
    fname = lineno = None
    for fr in traceback.extract_tb(exc.__traceback__):
        if fr.filename in files or fr.filename.endswith((".j2", ".jinja", ".jinja2", ".md")):
            fname, lineno = fr.filename, fr.lineno
    return fname, lineno


def render(template_path: Path, search_path: list[Path], context: dict[str, Any]) -> str:
    """Render ``template_path`` (looked up by name along ``search_path``)."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    template_path = Path(template_path)
    path = [template_path.parent] + [p for p in search_path if Path(p) != template_path.parent]
    env = _cached_env(tuple(str(x) for x in path))
    name = template_path.name
    try:
        tpl = env.get_template(name)
    except TemplateSyntaxError as e:
        fn = e.filename or str(template_path)
        raise TemplateError(f"{fn}:{e.lineno}: template syntax error: {e.message}", fn, e.lineno) from None
    except TemplateNotFound:
        raise TemplateError(f"{template_path}:0: template not found", str(template_path), 0) from None
    files = {str(template_path), tpl.filename or ""}
    try:
        return tpl.render(context)
    except TemplateSyntaxError as e:  # in an included template
        fn = e.filename or str(template_path)
        raise TemplateError(f"{fn}:{e.lineno}: template syntax error: {e.message}", fn, e.lineno) from None
    except TemplateNotFound as e:
        fn, ln = _location(e, files)
        raise TemplateError(f"{fn or template_path}:{ln or 0}: included template not found: {e.name}", fn, ln) from None
    except UndefinedError as e:
        fn, ln = _location(e, files)
        raise TemplateError(f"{fn or template_path}:{ln or 0}: undefined: {e.message}", fn, ln) from None
    except SecurityError as e:
        fn, ln = _location(e, files)
        raise TemplateError(f"{fn or template_path}:{ln or 0}: not allowed in a template: {e}", fn, ln) from None
    except Exception as e:  # a helper or filter failed on the data it was given
        fn, ln = _location(e, files)
        raise TemplateError(f"{fn or template_path}:{ln or 0}: {type(e).__name__}: {e}", fn, ln) from None
