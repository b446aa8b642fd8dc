"""How uncertain each kind of estimate in the case's scenarios is: the spread rules.

Every figure marked ``estimate`` in the bundled scenarios carries a range (issue 14). The
range comes from the kind of figure, not from the figure: an input norm reconstructed from
engineering knowledge is uncertain by about a third, a share recalled from the general
literature by half, and so on. Each rule says why. ``tools/add_spreads.py`` writes these
ranges into the scenario files (a test checks that the files hold what the rules give), and
the sweep (:mod:`autarky.sweep`) draws from them.

The distribution is triangular with its mode at the stated figure: the figure is the best
guess, values far from it less likely. Whole-year lags (gestation) take one year less or more,
the stated lag twice as likely as either. Ranges stop at the table's own limits (a share at
one, a rate at zero).

Examples
--------
>>> spread_of("technology", 0.5)["low"], spread_of("technology", 0.5)["high"]
(0.35, 0.65)
>>> spread_of("import_shares", 0.8)["high"]
1.0
>>> spread_of("gestation", 2)["values"]
(1.0, 2.0, 3.0)
"""

from __future__ import annotations

from typing import Any

from autarky.economy.registry import TABLES

__all__ = ["FOLLOWS", "RULES", "spread_of"]

#: table -> (relative half-width, the reasoning). ``factors.labour`` stands for the factor
#: coefficients, ``factor_availability`` for a factor's availability.
RULES: dict[str, tuple[float, str]] = {
    "technology": (0.3, "Input norms reconstructed from Soviet-type engineering norms and "
                   "recalled figures, not from DPRK norm books: norms of the kind differed by "
                   "a quarter to a third between plants and years. +-30 %."),
    "capital": (0.4, "Capital per unit of new capacity from Soviet analogues of the 1950s-60s; "
                "construction costs in the DPRK are not documented. +-40 %."),
    "repair_capital": (0.4, "Repair as a share of the new-capacity norm, a judgement on how "
                       "much of each plant stood. +-40 %."),
    "factors.labour": (0.3, "Workers per unit of output from recalled productivity of the "
                       "period (output per worker-year); employment by branch is not "
                       "published. +-30 %."),
    "factors.technicians": (0.5, "Technicians per unit of output: an order of magnitude from "
                            "the share of specialists in the labour force. +-50 %."),
    "factor_availability": (0.1, "Labour force from Maddison's population and a participation "
                            "rate; the armed forces and farm labour make it uncertain by "
                            "about a tenth. +-10 %."),
    "factor_growth": (0.3, "Growth of the labour force and productivity in each branch, "
                      "inferred, not measured. +-30 % of the rate."),
    "gross_output": (0.15, "Outputs estimated from reported growth indices and physical "
                     "figures of neighbouring years; DPRK statistics are 'not wholly "
                     "reliable' (the source). +-15 %."),
    "final_demand": (0.2, "Final use split into categories by assumed shares, its total "
                     "closing the balance x - Ax; drawn alone, a draw does not keep that "
                     "identity. +-20 %."),
    "prices": (0.25, "Assumed 1963 wholesale prices (won per unit), from scattered price "
               "figures and Soviet relative prices. +-25 %."),
    "import_shares": (0.5, "Import shares recalled from the general literature on DPRK trade, "
                      "not from trade statistics by product. +-50 %, at most all of home use."),
    "import_prices": (0.3, "Prices in bilateral clearing trade were negotiated and are not "
                      "published; recalled world and bloc prices. +-30 %."),
    "export_prices": (0.3, "Prices in bilateral clearing trade were negotiated and are not "
                      "published; recalled world and bloc prices. +-30 %."),
    "exports": (0.3, "Exports by destination estimated from the partners' totals and the "
                "main products traded. +-30 %."),
    "export_limits": (0.3, "The recorded export quantities as the partners' limits (bilateral "
                      "protocols); as uncertain as the exports. +-30 %."),
    "other_financing": (0.3, "The balancing item that closes the recorded trade at the "
                        "partners' prices: it carries the error of every trade figure. "
                        "+-30 %."),
    "state_revenue": (0.2, "Budget revenue recalled from Western reproductions of DPRK "
                      "budgets, checked for order of magnitude only. +-20 %."),
    "aid_by_year": (0.3, "Aid by year spread from multi-year totals at an assumed exchange "
                    "rate (rubles and dollars to won). +-30 %."),
    "depreciation": (0.3, "Retirement rates of Soviet-type accounting, not DPRK data. "
                     "+-30 %."),
    "initial_capacity": (0.1, "Capacity at the start from output times a utilisation margin: "
                         "the margin is a judgement. +-10 %."),
    "damaged_capacity": (0.3, "War damage from pre-war capacity less what worked in 1953; "
                         "both are estimates. +-30 %."),
}

#: Whole-year lags: one year less or more (never below the table's lower limit).
LAG_NOTE = ("Lags of whole years from the construction times of comparable plants: one year "
            "less or more, the stated lag twice as likely as either.")


def _table(name: str) -> str:
    """The registry table of a rule name (``factors.x`` -> factor_coefficients)."""
    if name.startswith("factors."):
        return "factor_coefficients"
    by_key = {t.scenario_key: k for k, t in TABLES.items() if t.scenario_key}
    return by_key.get(name, name)


#: Tables whose figure is, by construction, another table's at the same labels: it moves with
#: that one in every draw (the same ratio to its stated value) where the two are equal.
FOLLOWS = {"export_limits": ("exports", "The partner takes the recorded quantity (bilateral "
                             "protocol): the limit moves with the export in every draw.")}


def spread_of(table: str, value: float, *, equal_to_leader: bool = False) -> dict[str, Any]:
    """The spread of an estimated ``value`` of ``table`` (a scenario key, ``factors.ID`` for
    factor coefficients, ``factor_availability``): ``distribution`` with ``low, high`` or
    ``values, weights``, and ``range_note``. With ``equal_to_leader`` (the figure equals the
    one it follows, :data:`FOLLOWS`): ``follows`` that table.

    Raises
    ------
    KeyError
        For a table with no rule (add one to :data:`RULES`, with its reasoning).
    """
    spec = TABLES[_table(table)]
    if equal_to_leader and table in FOLLOWS:
        lead, why = FOLLOWS[table]
        return {"distribution": "follows", "follows": lead, "range_note": why}
    if spec.dtype == "int":
        lower = 0.0 if spec.lower is None else spec.lower
        lags = [v for v in (value - 1, value, value + 1) if v >= lower]
        return {"distribution": "discrete", "values": tuple(float(v) for v in lags),
                "weights": tuple(2.0 if v == value else 1.0 for v in lags),
                "range_note": LAG_NOTE}
    half, note = RULES[table] if table in RULES else RULES[f"factors.{table.split('.')[-1]}"]
    lo, hi = sorted((value * (1 - half), value * (1 + half)))
    if spec.lower is not None:
        lo = max(lo, spec.lower)
    if spec.upper is not None:
        hi = min(hi, spec.upper)
    return {"distribution": "triangular", "low": float(round(lo, 12)),
            "high": float(round(hi, 12)), "range_note": note}
