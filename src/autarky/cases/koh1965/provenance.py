"""Where each bundled figure of the case comes from: a claim of the source document, a figure
of another source (cited, with its quote), or a model estimate (with its reasoning).

Every provenance row of a bundled scenario is one of the three (the tests walk them all):

* ``estimate``: the row says so (``estimate: true``) and gives its reasoning in ``note``;
* ``claim``: a figure of Koh's article, its source naming the article and line;
* ``cited``: a figure of another source, its source naming the work (and, for the figures of
  the research file, the type and the quote in ``note``).

A row that is neither an estimate nor gives a source is ``unknown`` (the tests allow none).

>>> kind_of("Koh 1965-66, line 195", False), kind_of("Tugarinov memo ...", False)
('claim', 'cited')
>>> kind_of("anything", True)
'estimate'
"""

from __future__ import annotations

import re

import pandas as pd

from autarky.report.html import _table, esc

#: The three kinds, in the order reports list them.
KINDS = ("claim", "cited", "estimate")

#: A source naming the source document: Koh's article (or its seed text) and a line.
_DOCUMENT = re.compile(r"\bKoh\b|seed text", re.IGNORECASE)

LABEL = {"claim": "a claim of the source document", "cited": "a figure of another source",
         "unknown": "no provenance given",
         "estimate": "a model estimate"}


def kind_of(source: str, estimate: bool) -> str:
    """The kind of a bundled figure from its provenance row."""
    if estimate:
        return "estimate"
    if not (source or "").strip():
        return "unknown"
    return "claim" if _DOCUMENT.search(source) else "cited"


def provenance_kinds(provenance: pd.DataFrame) -> pd.DataFrame:
    """The provenance table with a ``kind`` column."""
    out = provenance.copy()
    out["kind"] = [kind_of(str(s or ""), bool(e)) for s, e in
                   zip(out["source"], out["estimate"], strict=True)]
    return out


def section_provenance(provenance: pd.DataFrame) -> str:
    """The report's account of every figure of the scenario: how many of each kind by table,
    and every figure with its kind, source and reasoning (folded)."""
    p = provenance_kinds(provenance)
    counts = p.groupby(["table", "kind"]).size().unstack("kind").reindex(columns=list(KINDS))
    counts = counts.fillna(0).astype(int)
    rows = [[esc(t), *[str(int(r[k])) for k in KINDS]] for t, r in counts.iterrows()]
    total = [str(int(counts[k].sum())) for k in KINDS]
    full = [[esc(r["table"]), esc(r["row"]), esc(r.get("column") or ""), esc(LABEL[r["kind"]]),
             esc(r["source"] or ""), esc(r["note"] or "")] for _, r in p.iterrows()]
    return (
        "<h2>Where every figure comes from</h2>"
        f"<p>Each figure of the scenario is one of three kinds: {LABEL['claim']} (with its "
        f"line), {LABEL['cited']} (with its citation and the text it was read in) or "
        f"{LABEL['estimate']} (with its reasoning). In all: <b>{total[0]}</b> claims, "
        f"<b>{total[1]}</b> cited figures, <b>{total[2]}</b> estimates.</p>"
        + _table(["table", "claims of the document", "cited", "estimates"], rows,
                 numeric={1, 2, 3})
        + "<details><summary>Every figure, with its kind, source and reasoning</summary>"
        + _table(["table", "row", "column", "kind", "source", "note"], full)
        + "</details>"
    )
