"""A scenario's whole report: the balance page, and beside it every page its data support (the
self-reliance page where it has partners, the strategies compared where it has a horizon and
capital coefficients) and the pages a case study adds. Written as a whole into one folder
(:func:`autarky.io.output.output_folder`); the balance page, written last, links exactly the
pages that were written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autarky.economy import Economy, Scenario
from autarky.errors import AutarkyError

#: Strategies the report compares when a scenario has a horizon.
STRATEGIES = ("free", "heavy-first", "light-first", "balanced", "great-leap")


@dataclass(frozen=True)
class Page:
    """A page beside the balance: its file, the sentence the balance page links it with, and
    the function that writes it into a folder (returning the path written)."""

    file: str
    sentence: str
    write: Callable[[Path], Path]
    steps: int = 1


@dataclass(frozen=True)
class Additions:
    """What a case study adds to a scenario's report."""

    pages: Sequence[Page] = ()
    index_sections: Sequence[str] = ()
    sources: Sequence[str] = ()
    reliance: dict[str, Any] = field(default_factory=dict)
    uncertainty: dict[str, Any] = field(default_factory=dict)


def scenario_pages(eco: Economy | Scenario, reliance: dict[str, Any] | None = None,
                   step: Callable[[str], None] | None = None,
                   uncertainty: dict[str, Any] | None = None) -> list[Page]:
    """The pages a scenario's own data support (``uncertainty``: the options of
    :func:`autarky.report.uncertainty.uncertainty_section`, ``draws`` and ``seed``)."""
    from autarky.report.plans import write_compare
    from autarky.report.reliance import steps, write_reliance
    from autarky.report.uncertainty import has_uncertainty, write_uncertainty

    pages = []
    if len(eco.coords.partner):
        pages.append(Page("reliance.html", "import content, dependence on each partner, what "
                          "a cut-off would cost, the cost of autarky",
                          lambda d: write_reliance(eco, d, step=step, **(reliance or {})),
                          steps=1 + steps(eco)))
    settings = getattr(eco, "settings", None)
    if settings is not None and settings.horizon is not None and eco.capital is not None:
        def compare(d: Path) -> Path:
            from autarky.plan.strategies import check_groups, resolve_strategy

            plans, left_out = [], {}
            groups = set(eco.branches["group"].astype(str))
            for s in STRATEGIES:
                try:
                    check_groups(resolve_strategy(settings, s), groups)
                except AutarkyError as exc:
                    left_out[s] = str(exc)
                else:
                    plans.append(eco.plan.multiyear(s))
                if step is not None:
                    step(f"strategy {s}")
            return write_compare(eco, plans, d, left_out=left_out)

        pages.append(Page("compare.html", "the development strategies compared over the plan's "
                          "horizon", compare, steps=1 + len(STRATEGIES)))
    if has_uncertainty(eco):
        opts = dict(uncertainty or {})
        pages.append(Page("uncertainty.html", "the key figures with the range the estimates "
                          "leave open, and which estimates drive a cut-off's cost",
                          lambda d: write_uncertainty(eco, d, step=step, **opts),
                          steps=1 + len(eco.coords.partner)))
    return pages


def write_site(eco: Economy | Scenario, out_dir: str | Path, *,
               additions: Additions | None = None, force: bool = False,
               step: Callable[[str], None] | None = None, meta: dict[str, Any] | None = None,
               protect: Sequence[str | Path] = (),
               skipped: Callable[[str, Exception], None] | None = None,
               baseline: str | None = None) -> list[str]:
    """Write the report of ``eco`` into ``out_dir`` as a whole; return the files written.

    ``baseline`` is what the self-reliance page measures a cut-off's re-planned loss against
    (``"optimal"``, the default, or ``"target"``; see :func:`autarky.reliance.stress.stress`).

    A page the scenario's data cannot support (a self-reliance page without prices to add
    products of different units) is skipped, reported to ``skipped(file, error)``, and not
    linked.
    """
    from autarky.io.output import output_folder
    from autarky.report.html import write_report

    add = additions or Additions()
    reliance = {**add.reliance, **({"baseline": baseline} if baseline is not None else {})}
    pages = [*scenario_pages(eco, reliance, step, add.uncertainty), *add.pages]
    written: list[Page] = []
    with output_folder(out_dir, force=force, meta=meta, protect=protect) as tmp:
        for page in pages:
            try:
                page.write(tmp)
            except AutarkyError as exc:
                if skipped is None:
                    raise
                skipped(page.file, exc)
            else:
                written.append(page)
            if step is not None:
                step(page.file)
        write_report(eco, tmp, pages=[(p.file, p.sentence) for p in written],
                     sections=add.index_sections, sources=add.sources)
        if step is not None:
            step("index.html")
    return ["index.html", *(p.file for p in written)]


def steps_of(eco: Economy | Scenario, additions: Additions | None = None) -> int:
    """How many progress steps :func:`write_site` reports."""
    pages = [*scenario_pages(eco), *((additions or Additions()).pages)]
    return 1 + sum(p.steps for p in pages)
