"""The first case study: North Korea's "independent national economy" as B. C. Koh describes
it (Pacific Affairs 38, 1965-66). Its datasets (``dprk-1963``, ``seven-year-plan``, ``claims``)
are bundled in :mod:`autarky.data`; this package holds what only this case needs: the claim
links and assumptions of the audit, the report's sections on the source's table and the plan
arithmetic, the Seven Year Plan examined, the loss of aid, and the monitoring page."""

from __future__ import annotations

from typing import Any


def claims() -> Any:
    """The source's claims."""
    from autarky.data import load_claims

    return load_claims()


def audit() -> Any:
    """The audit of the source's claims (see :func:`autarky.cases.koh1965.links.source_audit`)."""
    from autarky.cases.koh1965.links import source_audit

    return source_audit(claims())


def additions(scenario: str) -> Any:
    """What the case adds to the report of ``dprk-1963`` (the source's table, the plan
    arithmetic, the Seven Year Plan, the loss of aid, monitoring) or of ``seven-year-plan``."""
    from autarky import data
    from autarky.cases.koh1965.monitoring import write_monitoring
    from autarky.cases.koh1965.report import (
        aid_section,
        section_arithmetic,
        section_source_table,
        write_seven_year_plan,
    )
    from autarky.report.site import Additions, Page

    c = claims()
    sources = [f"Claims: {c.citation}; file {c.source_file}, cited by line."]
    if scenario != "dprk-1963":
        return Additions(sources=sources)
    syp = data.load("seven-year-plan")
    reliance = {
        "partners_heading": "The two patrons: the Soviet Union against China",
        "scale_note": "Joan Robinson's point that economies of scale may matter less than "
                      "assumed, source lines 281-285",
        "sections": [aid_section(syp, c)] if syp.state_revenue else [],
    }
    pages = [
        Page("plans.html", "the Seven Year Plan examined: can industrial output grow 18 % a "
             "year, what each development strategy yields by 1967",
             lambda d: write_seven_year_plan(syp, c, d)),
        Page("monitoring.html", "the plan against its reports, and whether the claimed "
             "statistics can all be true", lambda d: write_monitoring(d, c)),
    ]
    return Additions(pages=pages, index_sections=[section_source_table(c), section_arithmetic(c)],
                     sources=sources, reliance=reliance)
