"""Citations of the project's sources document, ``docs/sources.md``, written ``facts §N``.

The document numbers its sections ``## §N. Title`` (and ``### §2a. Title``), each after an
anchor ``<a id="facts-N">``. ``cited_sections`` finds every ``facts §N`` in a source text;
``citation_problems`` lists the figures whose citation names a section the document does not
have. The document is looked for as ``docs/sources.md`` in the folder of the file being
checked and each folder above it, then above the working folder — so it is found from the
repository whichever way the package was installed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .errors import Problem
from .sources import citations

DOCUMENT = Path("docs") / "sources.md"
_CITED = re.compile(r"facts\s*§\s*(\d+[a-z]?)")
_HEADING = re.compile(r"^#{2,3}\s*§(\d+[a-z]?)\.?\s+(.*)$", re.MULTILINE)


def find_document(*starts: Path) -> Path | None:
    """``docs/sources.md`` in a start folder or one of its parents (first found), else None."""
    for start in list(starts) + [Path.cwd()]:
        start = Path(start).resolve()
        for folder in [start] + list(start.parents):
            if (folder / DOCUMENT).is_file():
                return folder / DOCUMENT
    return None


@lru_cache(maxsize=8)
def sections(document: Path) -> dict[str, str]:
    """Section number → title, e.g. ``{"1": "Meråkerbanen (…)", "2a": "Mittbanan (…)"}``."""
    return {m.group(1): m.group(2).strip() for m in _HEADING.finditer(document.read_text(encoding="utf-8"))}


def section_text(document: Path, number: str) -> str:
    """The markdown of one section, from its heading to the next heading of any level ≤ 3."""
    text = document.read_text(encoding="utf-8")
    heads = list(_HEADING.finditer(text))
    for i, m in enumerate(heads):
        if m.group(1) == number:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            return re.sub(r"<a id=\"[^\"]*\"></a>\s*$", "", text[m.start():end]).strip()
    return ""


def cited_sections(source: str) -> list[str]:
    """The section numbers a source text cites, in order, e.g. ``["1", "11"]``."""
    return _CITED.findall(source)


def citation_problems(model, defaults: dict[str, str], file: str, document: Path) -> list[Problem]:
    """A problem for every figure citing a ``facts §N`` that ``document`` does not have."""
    known = sections(document)
    cited, _ = citations(model, defaults)
    out = []
    for c in cited:
        missing = [n for n in cited_sections(c.source) if n not in known]
        if missing:
            out.append(Problem(file, f"sources of {c.path}",
                               f"cites facts §{', §'.join(missing)}, which {document} does not have",
                               f"a section of {DOCUMENT}: §{', §'.join(known)}"))
    return out
