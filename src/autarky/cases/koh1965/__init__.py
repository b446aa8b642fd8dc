"""The first case study: North Korea's "independent national economy" as B. C. Koh describes
it (Pacific Affairs 38, 1965-66). This package holds all that only this case needs: its data
(``data/``: the source text, its claims, the ``dprk-1963``, ``seven-year-plan`` and
``three-year-plan`` scenarios, the plan's targets and reports; listed by
:func:`autarky.data.list_datasets`), the claim links and
assumptions of the audit, the report's sections on the source's table and the plan arithmetic,
the Seven Year Plan examined, the loss of aid, and the monitoring page.

>>> from autarky.cases import koh1965
>>> targets, reports = koh1965.seven_year_plan()
>>> targets.end("industrial-output"), len(reports)
((1967, 320.0), 6)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"

#: The source document, bundled in ``data/source``.
SOURCE_FILE = "000_e798753c0d44f9c1.txt"
SOURCE_CITATION = ('B. C. Koh, "North Korea and Its Quest for Autonomy", '
                   "Pacific Affairs 38 (3/4), 1965-66 (OCR scan)")


def datasets() -> list[Any]:
    """The case's bundled datasets."""
    from autarky.data import Dataset

    return [
        Dataset("claims", "claims",
                "Every quantitative statement of the source document, with line, OCR text, "
                "reading, unit and confidence.", DATA / "claims.yaml", "koh1965"),
        Dataset("research-claims", "claims",
                "Claims of other sources (Soviet-bloc archives, DPRK statements, Western "
                "reproductions and estimates) on industrial output 1944-63, each with its "
                "source, type and quote; ambiguous ones with their readings.",
                DATA / "research-claims.yaml", "koh1965"),
        Dataset("dprk-1963", "scenario",
                "Material balance of North Korea around 1963 in physical units: the source's "
                "eight products plus grain, machinery, consumer goods and a catch-all branch.",
                DATA / "scenarios" / "dprk-1963", "koh1965"),
        Dataset("seven-year-plan", "scenario",
                "North Korea's Seven Year Plan 1961-67 on the dprk-1963 norms: 1960 base, "
                "capital coefficients, depreciation, gestation, labour growth, 18 % target.",
                DATA / "scenarios" / "seven-year-plan", "koh1965"),
        Dataset("three-year-plan", "scenario",
                "North Korea's reconstruction 1954-60 (Three Year and Five Year Plans) from the "
                "1953 war damage: repair of damaged capacity, Soviet, Chinese and East European "
                "aid, the 41.7 % claim; figures from the research file, each with its kind.",
                DATA / "scenarios" / "three-year-plan", "koh1965"),
    ]


def claims() -> Any:
    """The source's claims (the bundled ``claims`` dataset)."""
    from autarky.io.claims import read_claims

    return read_claims(DATA / "claims.yaml")


def source_lines() -> list[str]:
    """Lines of the bundled source document (OCR text), without line ends; line ``k`` is
    ``[k-1]``."""
    return (DATA / "source" / SOURCE_FILE).read_text(encoding="utf-8").split("\n")


def seven_year_plan() -> tuple[Any, Any]:
    """The Seven Year Plan (1961-67): its targets and the reported industrial output
    (1960 = 100), as :class:`~autarky.monitor.Targets` and :class:`~autarky.monitor.Reports`."""
    from autarky.io.reports import read_actuals, read_targets

    folder = DATA / "monitoring"
    return (read_targets(folder / "seven-year-plan-targets.csv"),
            read_actuals(folder / "seven-year-plan-actuals.csv"))


def export_bytes(dataset: str) -> bytes:
    """What ``autarky data export`` writes for the file dataset ``dataset``: for ``claims``,
    the source's claims file followed by the links and the assumption the case's audit adds,
    each marked by its ``added`` field, so that auditing the exported file gives the audit of
    ``autarky audit claims``; for ``research-claims``, the file as bundled."""
    from autarky.cases.koh1965.links import additions
    from autarky.io.claims import claims_yaml_items

    if dataset == "research-claims":
        return (DATA / "research-claims.yaml").read_bytes()
    if dataset != "claims":
        raise ValueError(f"no file dataset {dataset!r} in this case")
    text = (DATA / "claims.yaml").read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    block = ("\n  # ------------------------------------------------------------------\n"
             "  # Added by autarky, not in the source (field `added`): the links that join\n"
             "  # the plan's path to the reported series at its bases, and the assumption\n"
             "  # that 1961-63 went to plan. Delete them to audit the source's claims alone.\n"
             "  # ------------------------------------------------------------------\n\n")
    return (text + block + claims_yaml_items(additions())).encode("utf-8")


def audit() -> Any:
    """The audit of the source's claims (see :func:`autarky.cases.koh1965.links.source_audit`)."""
    from autarky.cases.koh1965.links import source_audit

    return source_audit(claims())


def audit_additions(readings: bool = False) -> tuple[Any, ...]:
    """The links and the assumption the case's audit adds to the source's claims; with
    ``readings``, also the link the reading 'pre-war = 1949' needs."""
    from autarky.cases.koh1965.links import READING_LINKS
    from autarky.cases.koh1965.links import additions as added

    return (*added(), *(READING_LINKS if readings else ()))


def research_claims() -> Any:
    """The claims of other sources (the bundled ``research-claims`` dataset)."""
    from autarky.io.claims import read_claims

    return read_claims(DATA / "research-claims.yaml")


def readings_audit() -> Any:
    """Which readings of the ambiguous claims (the base of "pre-war", the first year of a
    growth period) the source's and the other sources' claims support
    (:func:`autarky.cases.koh1965.links.readings_audit`)."""
    from autarky.cases.koh1965.links import readings_audit as run

    return run(claims(), research_claims())


def additions(scenario: str) -> Any:
    """What the case adds to the report of ``dprk-1963`` (the source's table, the plan
    arithmetic, the Seven Year Plan, the loss of aid, monitoring), of ``seven-year-plan``, or
    of ``three-year-plan`` (the reconstruction and the mobilisation)."""
    from autarky import data
    from autarky.cases.koh1965.monitoring import write_monitoring
    from autarky.cases.koh1965.provenance import section_provenance
    from autarky.cases.koh1965.report import (
        aid_section,
        section_arithmetic,
        section_source_table,
        write_seven_year_plan,
    )
    from autarky.report.site import Additions, Page

    c = claims()
    sources = [f"Claims: {c.citation}; file {c.source_file}, cited by line."]
    if scenario not in ("dprk-1963", "seven-year-plan", "three-year-plan"):
        return Additions(sources=sources)
    scn = data.load(scenario)
    where = section_provenance(scn.provenance)
    if scenario == "seven-year-plan":
        return Additions(sources=sources, index_sections=[where])
    if scenario == "three-year-plan":
        from autarky.cases.koh1965.reconstruction import write_mobilisation, write_reconstruction

        research = research_claims()
        sources.append(f"Other sources' claims: {research.citation}, each with its quote.")
        return Additions(sources=sources, index_sections=[where], pages=[
            Page("reconstruction.html", "the reconstruction of 1954-60: the model's best path "
                 "against the claimed growth, the paths with and without the Soviet, Chinese "
                 "and East European aid, the value of aid by year, repair before new "
                 "construction, and the audit of the plans' growth claims",
                 lambda d: write_reconstruction(scn, research, readings_audit(), d), steps=3),
            Page("mobilisation.html", "mobilisation and its human cost: the frontier of the "
                 "working day, the Ch'ollima campaign against a balanced path, technicians "
                 "trained with a lag", lambda d: write_mobilisation(scn, d), steps=2)])
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
    return Additions(pages=pages, index_sections=[section_source_table(c), section_arithmetic(c),
                                                  where], sources=sources, reliance=reliance)
