"""How results show themselves in a terminal and in a notebook.

Every result with a dataset form (``to_dataset()``: named dimensions, a unit per variable)
gets, from :class:`DatasetDisplay`, a one-line ``repr`` (its kind, status, headline figures
with their units, and its dimensions) and a ``_repr_html_`` for Jupyter (the headline figures,
then every variable with its dimensions, unit and description), instead of the dump of every
field a dataclass prints.

Examples
--------
>>> import autarky
>>> eco = autarky.Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600, 1500])
>>> eco.plan.balance()
<Plan balance: 3 variables over branch (2), category (1)>
>>> "gross_output" in eco.plan.balance()._repr_html_()
True
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

#: Headline figures in a repr, and variables listed in the HTML form.
MAX_HEADLINE = 4
MAX_VARIABLES = 60


def _fmt(v: Any) -> str:
    from autarky.report.format import format_number

    try:
        return format_number(float(v), digits=4)
    except (TypeError, ValueError):
        return str(v)


def _unit(unit: Any) -> str:
    return "" if unit in (None, "", "1") else f" {unit}"


class DatasetDisplay:
    """Mixin: a short ``repr`` and an HTML summary built from ``self.to_dataset()``, and the
    report's charts as ``self.plot`` (:class:`autarky.report.plot.Plotter`)."""

    if TYPE_CHECKING:
        def to_dataset(self) -> Any: ...

    @property
    def plot(self) -> Any:
        """The report's charts of this result (matplotlib): ``result.plot()`` draws the main
        one and returns its axes."""
        from autarky.report.plot import Plotter

        return Plotter(self)

    def _display_parts(self) -> tuple[str, list[tuple[str, str]], Any]:
        ds = self.to_dataset()
        kind = type(self).__name__
        words = [ds.attrs.get(k) for k in ("strategy", "status", "method")]
        title = " ".join([kind, *dict.fromkeys(w for w in words if isinstance(w, str) and w)])
        heads = [(str(name), _fmt(var.values) + _unit(var.attrs.get("unit")))
                 for name, var in ds.data_vars.items() if var.ndim == 0]
        return title, heads, ds

    def __repr__(self) -> str:
        try:
            title, heads, ds = self._display_parts()
        except Exception as exc:  # a result that cannot build its dataset still shows itself
            return f"<{type(self).__name__} (no dataset: {exc})>"
        dims = ", ".join(f"{d} ({n})" for d, n in ds.sizes.items())
        shown = "; ".join(f"{k} {v}" for k, v in heads[:MAX_HEADLINE])
        more = "" if len(heads) <= MAX_HEADLINE else "; ..."
        arrays = sum(1 for v in ds.data_vars.values() if v.ndim > 0)
        return (f"<{title}: " + (shown + more + "; " if shown else "")
                + f"{arrays} variables" + (f" over {dims}" if dims else "") + ">")

    def _repr_html_(self) -> str:
        title, heads, ds = self._display_parts()
        esc = html.escape
        rows = "".join(f"<tr><th>{esc(k)}</th><td style='text-align:right'>{esc(v)}</td></tr>"
                       for k, v in heads)
        variables = [(str(n), v) for n, v in ds.data_vars.items() if v.ndim > 0]
        vrows = "".join(
            f"<tr><td><code>{esc(n)}</code></td><td>{esc(', '.join(map(str, v.dims)))}</td>"
            f"<td>{esc(str(v.attrs.get('unit', '')))}</td>"
            f"<td>{esc(str(v.attrs.get('description', '')))}</td></tr>"
            for n, v in variables[:MAX_VARIABLES])
        more = (f"<p>... and {len(variables) - MAX_VARIABLES} more variables</p>"
                if len(variables) > MAX_VARIABLES else "")
        dims = ", ".join(f"{esc(str(d))} ({n})" for d, n in ds.sizes.items())
        return (f"<div><b>{esc(title)}</b>" + (f" <small>over {dims}</small>" if dims else "")
                + (f"<table>{rows}</table>" if rows else "")
                + ("<table><tr><th>variable</th><th>dimensions</th><th>unit</th>"
                   f"<th>description</th></tr>{vrows}</table>" if vrows else "")
                + more + "<small>Every array: <code>.to_dataset()</code> (xarray, with units)"
                "</small></div>")


__all__ = ["DatasetDisplay"]


def economy_html(eco: Any, settings: Any = None) -> str:
    """The notebook form of an :class:`~autarky.economy.Economy` (or a scenario's): its name,
    size and source, its branches with their units (the first 20), and every table it holds
    with its dimensions and unit rule."""
    import numpy as np
    import scipy.sparse as sp

    from autarky.economy.registry import TABLES

    esc = html.escape
    branches = "".join(f"<tr><td>{esc(str(b))}</td><td>{esc(str(u))}</td></tr>"
                       for b, u in list(eco.units.items())[:20])
    more = f"<tr><td colspan=2>... {eco.n - 20} more</td></tr>" if eco.n > 20 else ""
    rows = []
    for name, stored in eco._data.items():
        if stored is None:
            continue
        spec = TABLES[name]
        if isinstance(stored, tuple):
            given = sum(int(sp.csr_array(b).nnz) for b in stored)
        elif sp.issparse(stored):
            given = int(stored.nnz)
        else:
            arr = np.asarray(stored, dtype=float)
            given = int(np.count_nonzero(~np.isnan(arr) & (arr != spec.default)))
        rows.append(f"<tr><td><code>{esc(name)}</code></td><td>{esc(' x '.join(spec.dims))}"
                    f"</td><td>{esc(spec.unit)}</td><td style='text-align:right'>{given:,}</td>"
                    "</tr>")
    plan = ""
    if settings is not None and settings.horizon is not None:
        plan = f" · plan {settings.horizon[0]}-{settings.horizon[1]}"
    src = esc(eco.source[:300] + ("..." if len(eco.source) > 300 else ""))
    return (f"<div><b>{esc(eco.name)}</b> <small>{eco.n} branches · {len(eco.factors)} factors "
            f"· {len(eco.partners)} partners · currency {esc(eco.currency)}{plan}</small>"
            + (f"<p><small>Source: {src}</small></p>" if src else "")
            + "<details><summary>branches</summary><table><tr><th>branch</th><th>unit</th></tr>"
            f"{branches}{more}</table></details>"
            "<table><tr><th>table</th><th>dimensions</th><th>unit</th><th>entries given</th></tr>"
            + "".join(rows) + "</table></div>")
