"""Project configuration (briefing.toml), theme (styles/theme.toml) and style-file lookup.

A project folder may carry its own ``styles/``; any file it lacks comes from the default style set
shipped inside the package (``briefing.styles``), so an installed wheel works on its own.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration problem; the message names the file, the key and (when known) the line."""


def default_styles_dir() -> Path:
    return Path(str(resources.files("briefing.styles")))


def style_file(project_dir: Path | None, name: str) -> Path:
    """Path of a style file: the project's own styles/NAME if present, else the default one."""
    if project_dir is not None:
        p = Path(project_dir) / "styles" / name
        if p.exists():
            return p
    return default_styles_dir() / name


@dataclass
class Theme:
    fonts: dict[str, str]
    sizes: dict[str, float]
    colors: dict[str, Any]
    page: dict[str, Any]
    marking: dict[str, Any]
    path: Path | None = None

    @property
    def palette(self) -> list[str]:
        return list(self.colors.get("palette", []))

    def font_file(self, family: str, bold: bool = False, italic: bool = False) -> Path:
        """A TrueType file for the family; DejaVu from matplotlib's data as the fallback."""
        suffix = {(False, False): "", (True, False): "-Bold", (False, True): "-Oblique", (True, True): "-BoldOblique"}
        stem = family.replace(" ", "") + suffix[(bold, italic)]
        for d in ([self.path.parent / "fonts"] if self.path else []) + [default_styles_dir() / "fonts"]:
            for cand in (d / f"{stem}.ttf", d / f"{stem.replace('Oblique', 'Italic')}.ttf"):
                if cand.exists():
                    return cand
        mpl = _mpl_font_dir()
        base = "DejaVuSansMono" if "Mono" in family else "DejaVuSans"
        cand = mpl / f"{base}{suffix[(bold, italic)]}.ttf"
        return cand if cand.exists() else mpl / "DejaVuSans.ttf"


@functools.lru_cache(maxsize=1)
def _mpl_font_dir() -> Path:
    """matplotlib's bundled TrueType folder, found without importing matplotlib (0.4 s)."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        d = Path(loc) / "mpl-data" / "fonts" / "ttf"
        if d.is_dir():
            return d
    import matplotlib  # unusual layout: ask matplotlib itself

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def load_theme(path: Path) -> Theme:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None
    return Theme(
        fonts=data.get("fonts", {}),
        sizes=data.get("sizes", {}),
        colors=data.get("colors", {}),
        page=data.get("page", {}),
        marking=data.get("marking", {}),
        path=Path(path),
    )


@dataclass
class Config:
    """Settings from the project's briefing.toml (all optional)."""

    title: str = ""  # default: built from the subject
    subject: str = ""  # default: inferred from the sources (most-mentioned country)
    as_of: str = ""  # ISO date; default: newest source date
    marking: str = ""  # default: theme's marking
    author: str = ""
    organisation: str = ""
    template: str = "brief.md.j2"  # file in styles/templates/ (project or default), or a path
    theme: str = "theme.toml"
    reference_docx: str = "reference.docx"
    build_time: str = ""  # ISO datetime stamped into document properties; default SOURCE_DATE_EPOCH or as_of
    sources_dir: str = "seeds"
    out_dir: str = "out"
    review: str = "review.yaml"
    path: Path | None = None


def load_config(project_dir: Path) -> Config:
    path = Path(project_dir) / "briefing.toml"
    if not path.exists():
        return Config()
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None
    data = data.get("brief", data)  # allow a [brief] table or top-level keys
    known = {f.name for f in fields(Config)} - {"path"}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            line = _line_of(text, key)
            raise ConfigError(f"{path}:{line}: unknown key '{key}' (known: {', '.join(sorted(known))})")
        if not isinstance(value, str):
            raise ConfigError(f"{path}:{_line_of(text, key)}: '{key}' must be a string, not {type(value).__name__}")
        kwargs[key] = value
    return Config(**kwargs, path=path)


def _line_of(text: str, key: str) -> int:
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(key):
            return i
    return 0


@dataclass
class Styles:
    """Resolved style set for one build."""

    project_dir: Path | None
    theme: Theme
    template: Path
    reference_docx: Path
    templates_dir: Path
    extra: dict[str, Path] = field(default_factory=dict)


def resolve_styles(project_dir: Path | None, config: Config) -> Styles:
    theme = load_theme(style_file(project_dir, config.theme))
    tpl = Path(config.template)
    if not tpl.is_absolute():
        cand = (Path(project_dir) / tpl) if project_dir else tpl
        tpl = cand if cand.exists() and cand.is_file() else style_file(project_dir, f"templates/{config.template}")
    if not tpl.exists():
        raise ConfigError(f"template not found: {config.template}")
    return Styles(
        project_dir=project_dir,
        theme=theme,
        template=tpl,
        reference_docx=style_file(project_dir, config.reference_docx),
        templates_dir=tpl.parent,
    )
