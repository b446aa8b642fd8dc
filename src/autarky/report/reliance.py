"""Report page on self-reliance: self-sufficiency, import content, the two patrons, cut-offs,
aid, the cost of autarky and the most critical branches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autarky.economy import Economy, Scenario
from autarky.reliance.stress import BASELINE_WORDS
from autarky.report import figures, topk
from autarky.report.format import format_percent, format_recovery
from autarky.report.html import _table, esc, num
from autarky.report.plans import write_page

#: The cut-offs the page simulates: weeks simulated, weeks cut, days of inventories held.
CUT_WEEKS, CUT_DURATION, CUT_INVENTORY_DAYS = 52, 13, 14.0



def partner_labels(eco: Any) -> dict[str, str]:
    """Each partner's display name, with its id where two partners share a name (display names
    need not be unique; nothing is keyed on them)."""
    names = {str(p): str(eco.partners.loc[p, "name"]) for p in eco.partners.index}
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {p: n if counts[n] == 1 else f"{n} ({p})" for p, n in names.items()}

def _pct(v: float) -> str:
    return format_percent(v, missing="–")


def _weekly_index(res: Any) -> pd.Series:
    pr = res.propagation
    base = float(res.prices @ pr.baseline)
    return pd.Series(pr.output @ res.prices / base, index=np.arange(1, pr.weeks + 1))


#: Progress steps of the page besides one per partner cut off: the indicators, the cost of
#: autarky and the criticality of every branch.
FIXED_STEPS = 3


def steps(eco: Economy | Scenario) -> int:
    """How many times :func:`reliance_section` calls its ``step``."""
    return FIXED_STEPS + len(eco.coords.partner)


def reliance_section(eco: Economy | Scenario, *, partners_heading: str | None = None,
                     scale_note: str = "", sections: Sequence[str] = (),
                     baseline: str = "optimal", step: Callable[[str], None] | None = None,
                     downloads: topk.Downloads | None = None) -> str:
    """The self-reliance page's body.

    The optimal plan the cut-offs re-plan from is solved once for all of them and for the cost
    of autarky.

    Parameters
    ----------
    baseline
        What a cut-off's re-planned loss is measured against (see
        :func:`autarky.reliance.stress.stress`): ``"optimal"`` or ``"target"``.
    partners_heading
        Heading of the section on each partner (default: "Dependence on each partner").
    scale_note
        A sentence (HTML) on why economies of scale are tested, for the cost-of-autarky section.
    sections
        Further sections (HTML) after the cut-offs: what a case study adds.
    step
        Called with a label after each part (:func:`steps` times): a progress bar.
    downloads
        Where the full tables of shortened tables go (above
        :data:`~autarky.report.topk.MAX_ROWS` branches); default: inline in their links.
    """
    from autarky.reliance.criticality import accuracy_note, branch_criticality
    from autarky.reliance.stress import baseline_plan

    def done(label: str) -> None:
        if step is not None:
            step(label)

    sink = downloads or topk.Downloads(None, "reliance.html")
    ind = eco.reliance.indicators()
    t = ind.table
    unit = ind.totals["valuation_unit"]
    order = topk.ranked(t["import_content"])
    shown = topk.shorten(order, len(t))
    full = None if shown is None else sink.add(
        "self-reliance", t, "the largest total import content first")
    rows_t = t if shown is None else t.loc[shown]
    bars = topk.top_and_rest(t[["self_sufficiency", "import_share", "import_content"]], order)
    parts = [
        "<h2>Self-sufficiency and import content</h2>",
        "<p>Self-sufficiency: output over apparent consumption (output + imports − exports). "
        "Import content: imported inputs embodied, directly and at every earlier stage, in one "
        "unit of each product made at home, as a share of its value at constant prices "
        f"({esc(unit)}); every indicator from one transposed block solve. Measured at the "
        f"{esc(ind.basis)}; import shares by partner are the scenario's estimates.</p>",
        f'<div class="figure">{figures.grouped_bars(bars.rename(columns={"self_sufficiency": "self-sufficiency", "import_share": "direct import share", "import_content": "total import content"}), "Self-sufficiency and import dependence by product" + ("" if len(bars) == len(t) else f" (the {len(bars) - 1} largest total import contents)"), "share")}</div>',  # noqa: E501
        _table(["branch", "unit", "self-sufficiency", "direct import share",
                "total import content", "domestic value added", "concentration (HHI)",
                "EU-2021 flags"],
               [[esc(b), esc(r["unit"]), _pct(r["self_sufficiency"]), _pct(r["import_share"]),
                 _pct(r["import_content"]), _pct(r["domestic_value_added"]),
                 "–" if not np.isfinite(r["concentration"]) else f"{r['concentration']:.2f}",
                 ", ".join(n for n, f in (("concentration", r["flag_concentration"]),
                                          ("import share", r["flag_import_share"]),
                                          ("imports > exports", r["flag_imports_over_exports"]))
                           if f) + (" — dependent" if r["dependent"] else "") or "–"]
                for b, r in rows_t.iterrows()], numeric={2, 3, 4, 5, 6}, full=full),
        f"<p>Import content of the whole final demand: <b>{_pct(ind.totals['import_content_final_demand'])}</b>; "  # noqa: E501
        f"of exports (vertical specialisation): <b>{_pct(ind.totals['import_content_exports'])}</b>.</p>",
    ]
    dep = _dependence(eco, ind)
    done("indicators")
    pc = ind.partner_content.T
    label = partner_labels(eco)
    pc.columns = [label[p] for p in pc.columns]
    pc_bars = topk.top_and_rest(pc, topk.ranked(pc.sum(axis=1)))
    pc_title = "Import content by partner, per unit of each final product" + (
        "" if len(pc_bars) == len(pc) else f" (the {len(pc_bars) - 1} largest)")
    parts += [
        f"<h2>{esc(partners_heading or 'Dependence on each partner')}</h2>",
        f'<div class="figure">{figures.grouped_bars(pc_bars, pc_title, "share of value", stacked=True)}</div>',  # noqa: E501
        _table(["partner", "share of imports", "import content of final demand"],
               [[esc(r["name"]), _pct(r["share_of_imports"]),
                 _pct(r["import_content_of_final_demand"])] for _, r in dep.iterrows()],
               numeric={1, 2}),
    ]
    cuts = {}
    rows = []
    base_fulfilment = float("nan")
    plan = (baseline_plan(eco, f"the stress test partner:{eco.partners.index[0]}")
            if len(eco.partners) else None)
    for p in eco.partners.index:
        res = eco.reliance.stress(f"partner:{p}", weeks=CUT_WEEKS, duration=CUT_DURATION,
                                  inventory_days=CUT_INVENTORY_DAYS, baseline=baseline,
                                  baseline_plan=plan)
        cuts[label[p]] = _weekly_index(res)
        pr = res.propagation
        unmet = float((pr.unmet_final_demand.sum(axis=0) * res.prices).sum())
        base_fulfilment = res.replanned["fulfilment_base"]
        rows.append([esc(eco.partners.loc[p, "name"]), _pct(res.replanned["fulfilment"]),
                     _pct(res.replanned["loss"]),
                     num(pr.aggregate_loss(res.prices)), num(unmet),
                     format_recovery(pr.recovery_week, pr.served_week(), pr.weeks, pr.tol)])
        done(f"cut-off {p}")
    parts += [
        "<h2>What a cut-off would cost</h2>",
        "<p>Each partner is cut off: it sells nothing, buys nothing and lends nothing. "
        "<i>Re-planned</i>: the best plan under the cut, from the optimal plan, substituting at "
        "home and with the other partners as far as capacity, labour, their import shares and "
        "foreign exchange allow. Its fulfilment is the largest share of the target that every "
        "home final use reaches together (above 100 %: more than the target); "
        f"<b>the loss is measured against {esc(BASELINE_WORDS[baseline])}</b>"
        + (f" (fulfilment {_pct(base_fulfilment)}): the share of that fulfilment lost; a "
           "negative loss is a gain, trade on that partner's terms cost more than it brought"
           if baseline == "optimal" else
           ": the share of the target not met, 0 while the target is still met")
        + " (<code>--baseline optimal|target</code> chooses). "
        "<i>Propagated</i>: no re-planning; the shortage spreads week by week through the "
        f"input network with {CUT_INVENTORY_DAYS:g} days of inventories and proportional "
        "rationing (after Pichler &amp; Farmer 2022); "
        f"output lost over {CUT_WEEKS} weeks, in {esc(unit)} at constant prices.</p>",
        _table(["partner cut off", "re-planned fulfilment (share of target)",
                f"re-planned loss against the {'optimal plan' if baseline == 'optimal' else 'target'}",
                f"propagated: output lost ({esc(unit)})",
                f"propagated: final demand unmet ({esc(unit)})", "recovery"], rows,
               numeric={1, 2, 3, 4}),
        '<div class="figure">' + figures.paths_chart(
            cuts, f"Total output, a {CUT_DURATION}-week cut-off (baseline = 1), no re-planning",
            "output / baseline", xlabel="week",
            shade=(0.5, CUT_DURATION + 0.5, f"cut-off (weeks 1-{CUT_DURATION})")) + "</div>",
        "<p class='muted'>The two answers measure different things. Re-planned: a whole year "
        "without the partner, the plan re-made to do without it. "
        f"Propagated: a {CUT_DURATION}-week cut, "
        "its supply and its purchases stopping, "
        f"with no re-planning, cushioned by {CUT_INVENTORY_DAYS:g} days of inventories; imports "
        "are competitive, "
        "pooled with home output of the same product, and every input is critical (fixed "
        "input norms), so a shortage that outlasts the inventories holds back every user.</p>",
    ]
    parts += list(sections)
    cost = eco.reliance.cost_of_autarky(scale_elasticity=0.1, baseline_plan=plan)
    done("cost of autarky")
    c = cost.curve
    curves = {"without economies of scale": c["fulfilment"],
              "with scale elasticity 0.1": c["fulfilment_scale"]}
    a = cost.acr
    cost_svg = figures.paths_chart(curves, "Fulfilment of the target as imports are capped",
                                   "fulfilment",
                                   xlabel="cap (share of today's import shares allowed)")
    parts += [
        "<h2>The cost of autarky</h2>",
        "<p>Every import share capped at a fraction of today's (1 = today, 0 = autarky), the plan "
        "re-solved for the largest common fulfilment of the target. Economies of scale are "
        f"tested{(' (' + scale_note + ')') if scale_note else ''} with a scale elasticity of 0.1 "
        "in every branch (labour per unit falls as output grows), solved by successive linear "
        "plans to a fixed point.</p>",
        f'<div class="figure">{cost_svg}</div>',
        f"<p>Autarky (cap 0) leaves <b>{a['model_ratio']:.3f}</b> of today's fulfilment in the model. "
        f"The Arkolakis-Costinot-Rodríguez-Clare formula, with a trade elasticity of {a['theta']:g}, "
        f"a domestic expenditure share of {a['domestic_share']:.3f} and intermediate inputs "
        f"{100 * a['alpha']:.0f} % of gross output, gives real income in autarky of "
        f"<b>{a['autarky_ratio']:.3f}</b> times that with trade "
        f"({a['autarky_ratio_no_intermediates']:.3f} without the intermediate-input correction). "
        f"{_compare_losses(1 - a['model_ratio'], 1 - a['autarky_ratio'])}</p>",
    ]
    crit = branch_criticality(eco)  # the partners' re-planned cut-offs are above already
    done("criticality")
    crit_shown = topk.shorten(crit.index, len(crit))
    crit_full = None if crit_shown is None else sink.add(
        "criticality", crit, "the most critical first (largest output lost)")
    crit_rows = crit if crit_shown is None else crit.loc[crit_shown]
    parts += [
        "<h2>The most critical branches</h2>",
        "<p>Output lost if a branch were removed from the economy (hypothetical extraction), "
        f"valued at constant prices ({esc(unit)}); all branches at once by a rank-one update."
        + (f" {esc(accuracy_note(crit))}" if accuracy_note(crit) else "") + "</p>",
        _table(["rank", "branch", "output lost", "of which in other branches", "share of output"],
               [[str(int(r["rank"])), esc(b), num(r["total"]), num(r["others"]), _pct(r["share"])]
                for b, r in crit_rows.iterrows()], numeric={0, 2, 3, 4}, full=crit_full),
    ]
    return "".join(parts)


def _dependence(eco: Economy | Scenario, ind: Any) -> pd.DataFrame:
    """Each partner's share of imports and of the import content of final demand, from the
    indicators already computed (:func:`autarky.reliance.criticality.partner_dependence`
    computes them again)."""
    df = ind.partners.copy()
    df.insert(0, "name", [eco.partners.loc[p, "name"] for p in df.index])
    total = df["imports_value"].sum()
    df["share_of_imports"] = df["imports_value"] / total if total > 0 else 0.0
    return df


def write_reliance(eco: Economy | Scenario, out_dir: str | Path, **options: Any) -> Path:
    """``out_dir/reliance.html``: the self-reliance page (``options``: see
    :func:`reliance_section`), with the full tables of shortened tables beside it as CSV
    files."""
    options.setdefault("downloads", topk.Downloads(out_dir, "reliance.html"))
    body = (f"<h1>Self-reliance — {esc(eco.name)}</h1>"
            "<p class='muted'><a href='index.html'>← the balance</a></p>"
            f"<div class='note'><b>Source.</b> {esc(eco.source)} Import shares, exports by "
            "destination, partners' prices, aid and credit: estimates documented row by row in "
            "the scenario's tables (import_shares, exports, import_prices, export_prices).</div>"
            + reliance_section(eco, **options))
    return write_page(out_dir, "reliance.html", f"Self-reliance — {eco.name}", body)


def _compare_losses(model_loss: float, formula_loss: float) -> str:
    """One sentence on why the model's loss of autarky differs from the ACR formula's."""
    if abs(model_loss - formula_loss) <= 0.001:
        return "The two losses agree to a tenth of a percentage point."
    if model_loss > formula_loss:
        return ("The model's loss is larger: with fixed input norms an import is replaced only by "
                "the domestic inputs and labour it takes to make it, not by substitution across "
                "goods.")
    return ("The model's loss is smaller: it counts only the labour and capacity it takes to make "
            "at home what was bought abroad, while the formula, for the trade elasticity given, "
            "also counts the gain from foreign varieties that are imperfect substitutes for home "
            "goods; a larger elasticity shrinks the formula's loss.")
