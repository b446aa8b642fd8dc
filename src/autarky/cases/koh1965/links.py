"""The audit of the source's claims, with the links and the assumption the case adds."""

from __future__ import annotations

from typing import Any

from autarky.economy.claims import Claim, Claims
from autarky.monitor.audit import AuditResult, audit

#: The links are identities, not claims: (almost) no error, so they never absorb a residual.
LINK_SIGMA = 1e-6

#: The plan's path and the reported output are different quantities (a target is not a report),
#: but they share their base: the plan's 1960 level is the reported 1960 level, and its
#: "pre-war level" is the reported 1944 level. Each link is a share claim of exactly one.
PLAN_LINKS = tuple(
    Claim(id=f"link-plan-to-reported-{year}", kind="share", quantity="industrial-output-plan",
          of="industrial-output", value=1.0, unit="fraction", year=year, confidence=1.0,
          reading=f"The plan starts from the reported {year} level (its base).",
          note="A link added by autarky: the plan's base is the reported level.",
          added="link", sigma=LINK_SIGMA)
    for year in (1944, 1960))

#: The source gives no growth for 1961-63; without an assumption the plan's "20 times pre-war"
#: and the "28 days" of 1963 never meet. Stated with low confidence, and flagged as such.
ASSUMPTION_ON_PLAN = Claim(
    id="assumption-plan-fulfilled-1961-1963", kind="growth", quantity="industrial-output",
    value=0.18, unit="fraction per year", year=1963, base_year=1960, confidence=0.3,
    reading="Assumption (not in the source): industrial output grew on plan, 18 % a year, "
            "in 1961-63 (the regime claimed mid-plan success, lines 166-168).",
    note="An assumption added by autarky to connect the pre-war and 1963 claims with the plan.",
    added="assumption")


def additions(*, assume_on_plan: bool = True) -> tuple[Claim, ...]:
    """The claims autarky adds to the source's: the links, then (by default) the assumption;
    each is marked by its ``added`` field and carries its own ``sigma`` where it has one."""
    return (*PLAN_LINKS, *((ASSUMPTION_ON_PLAN,) if assume_on_plan else ()))


#: For the readings audit: the plan's base is the reported level whichever year "pre-war" is
#: (1944 as read; 1949, the Soviet memos' "prewar year", as a reading).
READING_LINKS = tuple(
    Claim(id=f"link-plan-to-reported-{year}", kind="share", quantity="industrial-output-plan",
          of="industrial-output", value=1.0, unit="fraction", year=year, confidence=1.0,
          reading=f"The plan's pre-war base, if it is {year}, is the reported {year} level.",
          note="A link added by autarky for a reading of 'pre-war'.", added="link",
          sigma=LINK_SIGMA)
    for year in (1949,))


def readings_audit(claims: Claims, research: Claims, *, assume_on_plan: bool = True) -> Any:
    """Which readings of the ambiguous claims the other claims support: the source's claims
    and the research file's, with the links (one more for the reading 'pre-war = 1949') and
    the assumption of :func:`additions` (:func:`autarky.monitor.readings.audit_readings`)."""
    from autarky.monitor.readings import audit_readings

    return audit_readings([*claims.claims, *research.claims],
                          extra=[*additions(assume_on_plan=assume_on_plan), *READING_LINKS])


def source_audit(claims: Claims, *, assume_on_plan: bool = True) -> AuditResult:
    """Audit the source's claims: the plan's path linked to reported output at its bases (1960
    and the pre-war 1944), with the assumption that 1961-63 went to plan (low confidence).

    The same audit comes from the exported claims file (``autarky data export claims``), which
    holds these additions marked as such: ``audit(read_claims(exported))``."""
    return audit(claims, extra=additions(assume_on_plan=assume_on_plan))
