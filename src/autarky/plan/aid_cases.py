"""What if the aid had not come: the multi-year plan without a donor's aid, cut early, or scaled.

The counterfactuals of a reconstruction financed from abroad (one patron's grant, another's,
both): each *case* rewrites the scenario's aid by year and the plan
is solved afresh, and the cases are compared as :func:`~autarky.plan.aid_timing.aid_timing`
compares timings (same summary, same caveats: :data:`~autarky.plan.aid_timing.LIMITS`).
Unlike a timing, a counterfactual changes the total: it says what the aid bought, not when it
was worth most.

Cases (strings):

* ``as given``: the scenario's aid;
* ``without aid``: none from anyone;
* ``without P`` or ``without P+Q``: none from the partners named (ids of the scenario);
* ``until Y``: the aid stops after year ``Y`` ("cut earlier");
* ``times F``: every partner's aid times ``F >= 0`` (``times 0.5``: half of it).

Default: ``as given``, ``without P`` for each donor, ``without P+Q`` for the two largest donors
where there are more than two, and ``without aid``.

Examples
--------
The one-good economy of :mod:`autarky.plan.aid_timing`, where a unit of aid is worth 3 in the
first year and 1 in the second: the optimum is ``400 + 3 m_1 + m_2`` for aid ``m_1, m_2``. With
20 a year from one donor it is ``480``; without the aid ``400``; cut after 1954 ``460``; at half
``440``.

>>> import numpy as np, pandas as pd, autarky
>>> from autarky.plan.aid_cases import aid_counterfactuals
>>> eco = autarky.Economy(
...     pd.DataFrame({"unit": ["t"], "group": ["heavy"]}, index=["goods"]), np.zeros((1, 1)),
...     pd.DataFrame({"consumption": [1.0]}, index=["goods"]), year=1953, prices=[1.0],
...     capital=[[0.25]], reported_output=[100.0], initial_capacity=[100.0],
...     depreciation=[0.0], gestation=[1], partners=pd.DataFrame(index=["p"]),
...     trade=pd.DataFrame({"partner": ["p"], "branch": ["goods"], "direction": ["import"],
...                         "price": [1.0], "max": [np.nan]}))
>>> scn = autarky.Scenario(eco).replace(
...     horizon=[1954, 1955], aid_by_year=pd.DataFrame({"p": [20.0, 20.0]}, index=[1954, 1955]))
>>> c = aid_counterfactuals(scn, cases=["as given", "without aid", "until 1954", "times 0.5"])
>>> c.summary["objective"].round(6).tolist()
[480.0, 400.0, 460.0, 440.0]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autarky import checks
from autarky.economy import Economy, Scenario
from autarky.errors import BadValueError
from autarky.plan.aid_timing import AidTiming, _prepare, compare_aid

__all__ = ["aid_counterfactuals", "case_aid", "default_cases"]


def default_cases(partners: Sequence[str], given: np.ndarray) -> list[str]:
    """``as given``, each donor left out, the two largest together (with more than two donors),
    and no aid at all."""
    total = given.sum(axis=0)
    donors = [partners[i] for i in np.argsort(-total, kind="stable") if total[i] > 0]
    cases = ["as given", *[f"without {d}" for d in donors]]
    if len(donors) > 2:
        cases.append(f"without {donors[0]}+{donors[1]}")
    if len(donors) > 1:
        cases.append("without aid")
    return cases


def case_aid(case: str, given: np.ndarray, years: Sequence[int],
             partners: Sequence[str]) -> np.ndarray:
    """The aid (``years x partners``) of one case, from the scenario's ``given``.

    >>> case_aid("without b", np.array([[1.0, 2.0], [3.0, 4.0]]), [1954, 1955], ["a", "b"])
    array([[1., 0.],
           [3., 0.]])
    >>> case_aid("until 1954", np.array([[1.0, 2.0], [3.0, 4.0]]), [1954, 1955], ["a", "b"])
    array([[1., 2.],
           [0., 0.]])
    """
    text = case.strip()
    aid = np.array(given, dtype=float)
    if text == "as given":
        return aid
    if text == "without aid":
        return np.zeros_like(aid)
    word, _, rest = text.partition(" ")
    rest = rest.strip()
    if word == "without" and rest:
        names = [q.strip() for q in rest.split("+")]
        unknown = [q for q in names if q not in partners]
        if unknown:
            raise BadValueError(f"aid case {case!r}: no partner {unknown[0]!r}; the partners "
                                f"are {', '.join(partners)}")
        for q in names:
            aid[:, list(partners).index(q)] = 0.0
        return aid
    if word == "until" and rest:
        try:
            last = int(rest)
        except ValueError:
            last = None
        if last is None or not years[0] <= last <= years[-1]:
            raise BadValueError(f"aid case {case!r}: 'until' takes a year of the horizon "
                                f"{years[0]}-{years[-1]}")
        aid[np.asarray(years) > last, :] = 0.0
        return aid
    if word == "times" and rest:
        try:
            f = float(rest)
        except ValueError:
            f = float("nan")
        if not np.isfinite(f) or f < 0:
            raise BadValueError(f"aid case {case!r}: 'times' takes a number >= 0")
        return aid * f
    raise BadValueError(f"unknown aid case {case!r}; cases are 'as given', 'without aid', "
                        "'without PARTNER[+PARTNER...]', 'until YEAR' and 'times FACTOR'")


def aid_counterfactuals(obj: Economy | Scenario, strategy: str | None = None, *,
                        cases: Sequence[str] | None = None, targets: str | None = None,
                        solver: str = "auto") -> AidTiming:
    """Solve the multi-year plan under each counterfactual of the aid and compare.

    Parameters
    ----------
    obj
        A scenario with a horizon, trade prices and aid (as for
        :func:`~autarky.plan.aid_timing.aid_timing`).
    strategy, targets, solver
        As for :func:`~autarky.plan.multiyear.multiyear`.
    cases
        Case strings (see the module); default :func:`default_cases`.

    Returns
    -------
    AidTiming
        Indexed by ``case`` where a timing is indexed by ``profile``.

    Raises
    ------
    BadValueError
        Without trade prices or aid, for an unknown case or partner, or for none at all.
    """
    scn, h, given = _prepare(obj, strategy, targets)
    partners = [str(p) for p in scn.economy.coords.partner]
    years = list(h.years)
    names = (list(dict.fromkeys(checks.id_list("cases", cases))) if cases is not None
             else default_cases(partners, given))
    if not names:
        raise BadValueError("cases: give at least one aid case")
    aid = {name: case_aid(name, given, years, partners) for name in names}
    return compare_aid(scn, h, aid, strategy, targets, solver, "case",
                       "multi-year plans solved for each counterfactual of the aid")
