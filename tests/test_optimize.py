"""The optimal one-year plan (Kantorovich's LP, solved by HiGHS) against hand-solved programs.

Notation: ``A`` input coefficients, ``L = (I - A)^-1``, ``d`` the target, ``lam`` the common
fulfilment (objective ``max-min``), ``F`` factor coefficients with availabilities ``f_bar``,
``K`` capacities. The max-min program and its dual are::

    primal  max lam   s.t.  lam d - (I - A) x - m + e <= 0     (dual p >= 0, shadow prices)
                            F x <= f_bar                       (dual w >= 0, factor prices)
                            x <= K                             (dual r >= 0, capacity prices)
                            price_m' m - price_e' e <= money   (dual v >= 0, exchange price)

    dual    min w' f_bar + r' K + v money
            s.t.  p' d >= 1                        (column lam; = 1 when lam > 0)
                  p' (I - A) <= w' F + r'          (columns x; equality where x > 0)
                  p_i <= v price_m                 (import columns; equality where used)
                  p_i >= v price_e                 (export columns; equality where used)

The textbook economy (Miller & Blair 2009, section 2.3) by hand::

    I - A = [[0.85, -0.25], [-0.20, 0.95]],  det = 0.85 * 0.95 - 0.25 * 0.20 = 0.7575
    L = 1 / 0.7575 * [[0.95, 0.25], [0.20, 0.85]]
    L d = [0.95 * 600 + 0.25 * 1500, 0.20 * 600 + 0.85 * 1500] / 0.7575
        = [945, 1395] / 0.7575 = [1247.5247..., 1841.5841...]

With labour ``l = (0.5, 0.2)``::

    l' L   = [0.5 * 0.95 + 0.2 * 0.20, 0.5 * 0.25 + 0.2 * 0.85] / 0.7575 = [0.515, 0.295] / 0.7575
    l' L d = (0.5 * 945 + 0.2 * 1395) / 0.7575 = (472.5 + 279) / 0.7575 = 751.5 / 0.7575 = 992.0792...
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autarky import Economy
from autarky import data as bundled
from autarky.cli.app import main
from autarky.io import read_scenario
from autarky.io.results import to_json_dict
from autarky.plan.optimize import HARMONY_POINTS, optimize
from autarky.testing import random_technology

TEXTBOOK_A = [[0.15, 0.25], [0.20, 0.05]]
TEXTBOOK_Y = [600.0, 1500.0]
TEXTBOOK_IDS = ["agriculture", "manufacturing"]
DET = 0.7575
LD = np.array([945.0, 1395.0]) / DET            # L d of the textbook economy
LABOUR = np.array([0.5, 0.2])
LABOUR_VALUES = np.array([0.515, 0.295]) / DET  # l' L
LABOUR_NEED = 751.5 / DET                       # l' L d = 992.0792...


def labour_table(availability: float) -> pd.DataFrame:
    return pd.DataFrame({"unit": ["workers"], "availability": [availability]}, index=["labour"])


def textbook_with_labour(availability: float = 800.0, **kwargs: object) -> Economy:
    return Economy.from_coefficients(TEXTBOOK_A, TEXTBOOK_Y, branches=TEXTBOOK_IDS,
                                     units="USD million", factors=labour_table(availability),
                                     factor_coefficients=[LABOUR], **kwargs)


# ---------------------------------------------------------------------------------------------
# 1. Hand-solved programs


@pytest.mark.parametrize("method", ["lp", "closed-form"])
def test_labour_bound_textbook(method: str) -> None:
    """Labour the only constraint: ``lam = 800 / (l' L d)``.

    Every product is wanted (d > 0) and costs labour, so the plan makes exactly ``x = lam L d``
    (a surplus would waste labour) and uses all the labour: ``l' x = lam l' L d = 800``::

        lam = 800 / 992.0792... = 800 * 0.7575 / 751.5 = 606 / 751.5 = 0.806387...
        x   = lam * [1247.5247..., 1841.5841...] = [1005.988..., 1485.029...]

    Duals: ``p' (I - A) = w l'`` (both x > 0), so ``p' = w l' L``; ``p' d = 1`` gives
    ``w = 1 / (l' L d) = 0.7575 / 751.5`` and ``p = (0.515, 0.295) / 751.5``.
    """
    plan = optimize(textbook_with_labour(800.0), method=method)
    lam = 606.0 / 751.5
    assert plan.ok and plan.status == "optimal"
    assert plan.fulfilment == pytest.approx(lam, rel=1e-9)
    assert plan.objective_value == pytest.approx(lam, rel=1e-9)
    np.testing.assert_allclose(plan.fulfilment_by_branch.to_numpy(), [lam, lam], rtol=1e-9)
    np.testing.assert_allclose(plan.gross_output.to_numpy(), lam * LD, rtol=1e-9)
    fac = plan.factor_requirements
    assert fac.loc["labour", "required"] == pytest.approx(800.0, rel=1e-9)
    assert fac.loc["labour", "utilisation"] == pytest.approx(1.0, rel=1e-9)
    assert "factor:labour" in plan.binding
    assert plan.factor_prices["labour"] == pytest.approx(DET / 751.5, rel=1e-9)
    np.testing.assert_allclose(plan.shadow_prices.to_numpy(), np.array([0.515, 0.295]) / 751.5,
                               rtol=1e-9)


@pytest.mark.parametrize("method", ["lp", "closed-form"])
def test_capacity_bound_textbook(method: str) -> None:
    """No factor, agriculture capacity ``K = 1000``: ``lam = 1000 / (L d)_a``.

    Output proportional to ``L d`` is the cheapest way to deliver ``lam d``, and agriculture is
    the first branch to hit its bound: ``lam = 1000 / 1247.5247... = 757.5 / 945 = 0.801587...``,
    manufacturing at ``lam * 1841.58... = 1476.19...`` (no bound).

    Duals: ``p' (I - A) = r e_a'`` (both x > 0) gives ``p' = r e_a' L = r (0.95, 0.25) / 0.7575``;
    ``p' d = r (L d)_a = 1`` gives ``r = 1 / (L d)_a = 0.7575 / 945`` and
    ``p = (0.95, 0.25) / 945``. Strong duality: ``r K = 1000 * 0.7575 / 945 = lam``.
    """
    eco = Economy.from_coefficients(TEXTBOOK_A, TEXTBOOK_Y, branches=TEXTBOOK_IDS,
                                    capacity=[1000.0, np.inf])
    plan = optimize(eco, method=method)
    lam = 757.5 / 945.0
    assert plan.ok
    assert plan.fulfilment == pytest.approx(lam, rel=1e-9)
    np.testing.assert_allclose(plan.gross_output.to_numpy(), lam * LD, rtol=1e-9)
    assert plan.gross_output["agriculture"] == pytest.approx(1000.0, rel=1e-9)
    assert "capacity:agriculture" in plan.binding
    assert "capacity:manufacturing" not in plan.binding
    assert plan.capacity_prices["agriculture"] > 0
    assert plan.capacity_prices["agriculture"] == pytest.approx(DET / 945.0, rel=1e-9)
    assert plan.capacity_prices["manufacturing"] == 0.0
    np.testing.assert_allclose(plan.shadow_prices.to_numpy(), np.array([0.95, 0.25]) / 945.0,
                               rtol=1e-9)


GC_IDS = ["grain", "cloth"]


def grain_cloth(trade: pd.DataFrame | None = None, aid: float = 0.0, credit: float = 0.0) -> Economy:
    """``A = 0``, target ``(10, 10)``, labour ``l = (1, 4)`` with 100 available, one partner."""
    partners = pd.DataFrame({"name": ["Partner"], "aid": [aid], "credit": [credit]}, index=["p"])
    return Economy.from_coefficients(np.zeros((2, 2)), [10.0, 10.0], branches=GC_IDS, units="t",
                                     factors=labour_table(100.0), factor_coefficients=[[1.0, 4.0]],
                                     partners=partners, trade=trade)


def offers(*rows: tuple[str, str, float]) -> pd.DataFrame:
    """Offers of partner ``p``: ``(branch, direction, price)``, no quantity limit."""
    return pd.DataFrame({"partner": ["p"] * len(rows), "branch": [r[0] for r in rows],
                         "direction": [r[1] for r in rows], "price": [r[2] for r in rows],
                         "max": [np.nan] * len(rows)})


def test_import_paid_by_exports_beats_domestic_production() -> None:
    """Cloth costs 4 workers at home; bought at 3 and paid with grain sold at 1.5, it costs
    2 units of grain, i.e. 2 workers.

    No trade: ``x = lam (10, 10)``, labour ``10 lam + 40 lam = 100``, ``lam = 2``.

    Trade: cloth is only imported (``x_c = 0``), ``m = 10 lam``; foreign exchange
    ``3 m <= 1.5 e`` binds, so ``e = 2 m = 20 lam``; grain ``x_g = 10 lam + e = 30 lam = 100``::

        lam = 10 / 3,  m = 100 / 3 = 33.33...,  e = 200 / 3 = 66.66...,  x = (100, 0)

    Duals (check of optimality): grain produced and exported, ``p_g = w = 1.5 v``; cloth
    imported, ``p_c = 3 v = 2 w`` (< 4 w, so making cloth does not pay); ``p' d = 30 w = 1``,
    ``w = 1 / 30``, ``v = 1 / 45``; dual objective ``100 w = 10 / 3 = lam``.
    """
    autarkic = optimize(grain_cloth())
    assert autarkic.fulfilment == pytest.approx(2.0, rel=1e-9)

    plan = optimize(grain_cloth(offers(("cloth", "import", 3.0), ("grain", "export", 1.5))))
    assert plan.ok
    assert plan.fulfilment == pytest.approx(10.0 / 3.0, rel=1e-9)
    assert plan.fulfilment > autarkic.fulfilment
    assert plan.imports.loc["p", "cloth"] == pytest.approx(100.0 / 3.0, rel=1e-9)
    assert plan.imports.loc["p", "grain"] == 0.0
    assert plan.exports.loc["p", "grain"] == pytest.approx(200.0 / 3.0, rel=1e-9)
    np.testing.assert_allclose(plan.gross_output.to_numpy(), [100.0, 0.0], atol=1e-7)
    assert {"factor:labour", "foreign-exchange"} <= set(plan.binding)
    assert plan.factor_prices["labour"] == pytest.approx(1.0 / 30.0, rel=1e-9)
    assert plan.exchange_price == pytest.approx(1.0 / 45.0, rel=1e-9)
    np.testing.assert_allclose(plan.shadow_prices.to_numpy(), [1.0 / 30.0, 2.0 / 30.0], rtol=1e-9)


@pytest.mark.parametrize("money", ["aid", "credit"])
def test_aid_alone_pays_for_imports(money: str) -> None:
    """No exports offered; 60 of aid (or credit) buys ``60 / 3 = 20`` of cloth.

    Grain ``x_g = 10 lam``; cloth ``x_c = 10 lam - 20``; labour ``10 lam + 4 (10 lam - 20) = 100``
    gives ``50 lam = 180``, ``lam = 3.6`` (> 2 without trade), ``x = (36, 16)``.

    Duals: both produced, ``p = w (1, 4)``, ``p' d = 50 w = 1``, ``w = 1 / 50``; cloth imported,
    ``v = p_c / 3 = 2 / 75``. Dual objective ``100 w + 60 v = 2 + 1.6 = 3.6 = lam``.
    """
    plan = optimize(grain_cloth(offers(("cloth", "import", 3.0)), **{money: 60.0}))
    assert plan.ok
    assert plan.fulfilment == pytest.approx(3.6, rel=1e-9)
    assert plan.fulfilment > 2.0
    assert plan.imports.loc["p", "cloth"] == pytest.approx(20.0, rel=1e-9)
    assert not plan.exports.to_numpy().any()
    np.testing.assert_allclose(plan.gross_output.to_numpy(), [36.0, 16.0], rtol=1e-9)
    assert plan.exchange_price == pytest.approx(2.0 / 75.0, rel=1e-9)
    assert "foreign-exchange" in plan.binding


# ---------------------------------------------------------------------------------------------
# 2. Properties of the duals


@st.composite
def random_plans(draw: st.DrawFn) -> tuple[Economy, np.ndarray]:
    n = draw(st.integers(2, 6))
    k = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**32 - 1))
    with_capacity = draw(st.booleans())
    rng = np.random.default_rng(seed)
    A = random_technology(n, density=0.6, spectral=0.8, seed=rng)
    d = rng.uniform(1.0, 100.0, n)
    F = rng.uniform(0.1, 1.0, (k, n))
    avail = rng.uniform(50.0, 500.0, k)
    cap = np.full(n, np.inf)
    if with_capacity:
        full = np.linalg.solve(np.eye(n) - A, d)   # output for the whole target
        some = rng.uniform(0, 1, n) < 0.6
        cap[some] = full[some] * rng.uniform(0.2, 1.5, some.sum())
    eco = Economy.from_coefficients(A, d, branches=[f"b{i}" for i in range(n)],
                                    factors=pd.DataFrame({"unit": ["u"] * k, "availability": avail},
                                                         index=[f"f{j}" for j in range(k)]),
                                    factor_coefficients=F, capacity=cap)
    return eco, A


@pytest.mark.parametrize("method", ["lp", "closed-form"])
@settings(max_examples=30, deadline=None)
@given(case=random_plans())
def test_duality_and_complementary_slackness(
    case: tuple[Economy, np.ndarray], method: str
) -> None:
    """Strong duality, dual feasibility and complementary slackness of max-min plans.

    From the dual in the module docstring (no trade, so no ``v``): column ``lam`` gives
    ``p' d = 1`` (lam > 0 since x = 0 is feasible and every availability is positive), columns
    ``x`` give ``p' (I - A) <= w' F + r'`` with equality where ``x > 0``, and the dual objective
    is ``w' f_bar + r' K``; strong duality makes it equal ``lam``. Complementary slackness: a
    factor with a positive price is fully used, a factor with slack has price zero.
    """
    eco, A = case
    plan = optimize(eco, method=method)
    assert plan.ok
    lam = plan.fulfilment
    assert lam > 0
    w = plan.factor_prices.to_numpy()
    r = plan.capacity_prices.to_numpy()
    p = plan.shadow_prices.to_numpy()
    x = plan.gross_output.to_numpy()
    F = eco.factor_coefficients.to_numpy()
    avail = eco.factors["availability"].to_numpy()
    cap = eco.capacity.to_numpy()
    d = eco.final_demand.sum(axis=1).to_numpy()
    n = eco.n

    # primal feasibility
    assert np.all((np.eye(n) - A) @ x >= lam * d - 1e-7 * np.maximum(1.0, d))
    assert np.all(F @ x <= avail * (1 + 1e-9))
    assert np.all(x <= cap * (1 + 1e-9))

    # strong duality
    finite = np.isfinite(cap)
    assert lam == pytest.approx(w @ avail + r[finite] @ cap[finite], rel=1e-7)
    assert plan.objective_value == pytest.approx(lam, rel=1e-9)

    # signs and normalisation of the duals
    assert np.all(w >= 0)
    assert np.all(p >= -1e-9)
    assert p @ d == pytest.approx(1.0, abs=1e-7)
    assert np.all(r[~finite] == 0)

    # complementary slackness of the factors
    req = F @ x
    for j in range(len(w)):
        if w[j] > 1e-9:
            assert req[j] == pytest.approx(avail[j], rel=1e-6), f"factor f{j} priced but slack"
        if req[j] < avail[j] * (1 - 1e-6):
            assert abs(w[j]) <= 1e-9, f"factor f{j} slack but priced"

    # dual feasibility of the output columns, with equality where the branch produces
    reduced = p @ (np.eye(n) - A) - (w @ F + r)
    scale = max(1.0, float(np.abs(w @ F + r).max()))
    assert np.all(reduced <= 1e-7 * scale)
    active = x > 1e-9 * max(1.0, float(x.max()))
    np.testing.assert_allclose(reduced[active], 0.0, atol=1e-7 * scale)


# ---------------------------------------------------------------------------------------------
# 3. Labour values


@pytest.mark.parametrize("method", ["lp", "closed-form"])
def test_labour_values_textbook(method: str) -> None:
    """Labour the only binding constraint: ``p' = w l' L``, so ``p / w = l' L``
    ``= (0.515, 0.295) / 0.7575 = (0.679867..., 0.389438...)`` (closed form above), the same as
    ``solve((I - A)', l)``."""
    plan = optimize(textbook_with_labour(800.0), method=method)
    val = plan.valuations("labour")
    np.testing.assert_allclose(val["shadow_price"].to_numpy(), LABOUR_VALUES, rtol=1e-8)
    IA = np.eye(2) - np.array(TEXTBOOK_A)
    np.testing.assert_allclose(val["shadow_price"].to_numpy(), np.linalg.solve(IA.T, LABOUR),
                               rtol=1e-8)
    assert list(val["unit"]) == ["USD million", "USD million"]


@pytest.mark.parametrize("seed", [3, 17, 2024])
@pytest.mark.parametrize("method", ["lp", "closed-form"])
def test_labour_values_random(seed: int, method: str) -> None:
    """Random productive ``A``, positive target and labour coefficients: the optimum is
    ``x = lam L d`` with every branch producing, so ``p' (I - A) = w l'`` holds in every column
    and ``p / w = l' (I - A)^-1``."""
    rng = np.random.default_rng(seed)
    n = 6
    A = random_technology(n, density=0.5, spectral=0.85, seed=rng)
    d = rng.uniform(1.0, 50.0, n)
    lab = rng.uniform(0.1, 2.0, n)
    eco = Economy.from_coefficients(A, d, factors=labour_table(321.0), factor_coefficients=[lab])
    plan = optimize(eco, method=method)
    assert plan.ok and "factor:labour" in plan.binding
    expected = np.linalg.solve((np.eye(n) - A).T, lab)
    np.testing.assert_allclose(plan.valuations("labour")["shadow_price"].to_numpy(), expected,
                               rtol=1e-8)
    assert plan.fulfilment == pytest.approx(321.0 / (expected @ d), rel=1e-9)


def test_valuations_need_a_scarce_factor() -> None:
    """With only a capacity binding (no factor rows) labour has no rent: no labour prices."""
    eco = Economy.from_coefficients(TEXTBOOK_A, TEXTBOOK_Y, branches=TEXTBOOK_IDS,
                                    factors=labour_table(np.nan), factor_coefficients=[LABOUR],
                                    capacity=[1000.0, np.inf])
    plan = optimize(eco)
    assert plan.factor_prices["labour"] == 0.0
    with pytest.raises(ValueError, match="not scarce"):
        plan.valuations("labour")
    with pytest.raises(KeyError):
        plan.valuations("land")


# ---------------------------------------------------------------------------------------------
# 4. Infeasible and unbounded plans, the command line


def test_infeasible_minimum_fulfilment_is_explained() -> None:
    """800 workers allow ``lam* = 606 / 751.5 = 0.806387...``; asking for 1 is infeasible.

    Alone, the minimum fulfilment would have to fall to ``lam*``; alone, labour would have to
    rise to ``l' L d = 992.0792...``. The smallest relaxation weighs each slack by one over its
    bound: ``(1 - 0.806387) / 1 = 0.1936`` for the fulfilment against
    ``(992.079 - 800) / 800 = 0.2401`` for labour, so it moves the fulfilment only.
    """
    plan = optimize(textbook_with_labour(800.0), min_fulfilment=1.0)
    lam = 606.0 / 751.5
    assert plan.status == "infeasible"
    assert not plan.ok
    conf = plan.conflicts
    mins = [c for c in conf if c["constraint"] == "minimum-fulfilment"]
    assert mins and all(c["needed"] == pytest.approx(lam, rel=1e-7) for c in mins)
    alone_labour = [c for c in conf if c["kind"] == "alone" and c["constraint"] == "factor:labour"]
    assert len(alone_labour) == 1
    assert alone_labour[0]["needed"] == pytest.approx(LABOUR_NEED, rel=1e-7)
    assert alone_labour[0]["bound"] == pytest.approx(800.0)
    smallest = [c["constraint"] for c in conf if c["kind"] == "smallest"]
    assert smallest == ["minimum-fulfilment"]
    doc = to_json_dict(plan)
    assert doc["status"] == "infeasible" and doc["conflicts"]


def test_feasible_minimum_fulfilment_is_kept() -> None:
    """A minimum below ``lam* = 0.806387...`` changes nothing."""
    plan = optimize(textbook_with_labour(800.0), min_fulfilment=0.5)
    assert plan.ok
    assert plan.fulfilment == pytest.approx(606.0 / 751.5, rel=1e-9)


def test_free_unlimited_imports_are_unbounded() -> None:
    """Partner ``a`` gives agriculture and manufacturing away (price 0, no quantity limit): the
    imports cost no foreign exchange, so ``lam`` grows without bound, and the ray of unlimited
    improvement is made of the two imports."""
    trade = pd.DataFrame({"partner": ["a", "a"], "branch": ["agriculture", "manufacturing"],
                          "direction": ["import", "import"], "price": [0.0, 0.0],
                          "max": [np.nan, np.nan]})
    partners = pd.DataFrame({"name": ["A"]}, index=["a"])
    plan = optimize(textbook_with_labour(800.0, partners=partners, trade=trade))
    assert plan.status == "unbounded"
    assert not plan.ok
    assert {"import:a:agriculture", "import:a:manufacturing"} <= set(plan.unbounded_by)


def test_exports_are_home_output_so_arbitrage_is_bounded() -> None:
    """Partner ``a`` sells agriculture at 1, partner ``b`` buys it at 2, no quantity limits.
    Re-exporting a's agriculture to b would earn foreign exchange without limit; but exports are
    home output (``e <= x``), so each unit sold to b takes 0.5 of labour and the plan is bounded,
    with the exports-from-output row binding."""
    trade = pd.DataFrame({"partner": ["a", "b", "a"],
                          "branch": ["agriculture", "agriculture", "manufacturing"],
                          "direction": ["import", "export", "import"], "price": [1.0, 2.0, 1.0],
                          "max": [np.nan, np.nan, np.nan]})
    partners = pd.DataFrame({"name": ["A", "B"], "aid": [0.0, 0.0], "credit": [0.0, 0.0]},
                            index=["a", "b"])
    plan = optimize(textbook_with_labour(800.0, partners=partners, trade=trade))
    assert plan.status == "optimal"
    e = float(plan.exports.loc["b", "agriculture"])
    assert e <= float(plan.gross_output["agriculture"]) * (1 + 1e-9)
    assert "exports-from-output:agriculture" in plan.binding


GRAIN_CLOTH_YAML = """\
name: grain and cloth
branches:
  - {id: grain, unit: t}
  - {id: cloth, unit: m}
technology:
  grain: {grain: 0, cloth: 0}
  cloth: {grain: 0, cloth: 0}
final_demand: {grain: 10, cloth: 10}
factors:
  - {id: labour, unit: workers, availability: 100, coefficients: {grain: 1, cloth: 4}}
capacity: {grain: 200}
partners:
  - id: p
    name: Partner
    aid: 30
    imports:
      cloth: {price: 3, max: 1000}
    exports:
      grain: {price: 1.5}
"""


def test_reader_accepts_trade_offers_aid_and_capacity(tmp_path: Path) -> None:
    path = tmp_path / "gc.yaml"
    path.write_text(GRAIN_CLOTH_YAML, encoding="utf-8")
    eco = read_scenario(path)
    assert eco.partners.loc["p", "aid"] == 30.0
    assert eco.partners.loc["p", "credit"] == 0.0
    assert eco.capacity.tolist() == [200.0, np.inf]
    trade = eco.trade.set_index(["branch", "direction"])
    assert trade.loc[("cloth", "import"), "price"] == 3.0
    assert trade.loc[("cloth", "import"), "max"] == 1000.0
    assert trade.loc[("grain", "export"), "price"] == 1.5
    assert trade.loc[("grain", "export"), "max"] == np.inf
    assert len(trade) == 2


def test_cli_optimize_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The grain/cloth economy with 30 of aid (capacity 200 on grain does not bind).

    Cloth only imported (2 workers through trade against 4 at home), ``m = 10 lam``; foreign
    exchange ``3 m <= 1.5 e + 30`` binds: ``e = 20 lam - 20``; grain
    ``x_g = 10 lam + e = 30 lam - 20 = 100``, so ``lam = 4``, ``m = 40``, ``e = 60``,
    ``x = (100, 0)``. Duals: ``w = 1 / 30``, ``v = w / 1.5 = 1 / 45``, ``p = (1/30, 2/30)``;
    dual objective ``100 / 30 + 30 / 45 = 4``.
    """
    path = tmp_path / "gc.yaml"
    path.write_text(GRAIN_CLOTH_YAML, encoding="utf-8")
    rc = main(["optimize", str(path), "--format", "json"])
    out = capsys.readouterr().out
    assert rc == 0
    doc = json.loads(out)
    for key in ("fulfilment", "gross_output", "imports", "exports", "shadow_prices",
                "factor_prices", "binding"):
        assert key in doc, key
    assert doc["status"] == "optimal"
    assert doc["fulfilment"] == pytest.approx(4.0, rel=1e-9)
    assert doc["imports"]["p"]["cloth"] == pytest.approx(40.0, rel=1e-9)
    assert doc["exports"]["p"]["grain"] == pytest.approx(60.0, rel=1e-9)
    assert doc["gross_output"]["grain"] == pytest.approx(100.0, rel=1e-9)
    assert doc["gross_output"]["cloth"] == pytest.approx(0.0, abs=1e-7)
    assert doc["factor_prices"]["labour"] == pytest.approx(1.0 / 30.0, rel=1e-9)
    assert doc["shadow_prices"]["cloth"] == pytest.approx(2.0 / 30.0, rel=1e-9)
    assert doc["exchange_price"] == pytest.approx(1.0 / 45.0, rel=1e-9)
    assert "foreign-exchange" in doc["binding"] and "factor:labour" in doc["binding"]
    assert "capacity:grain" not in doc["binding"]


def test_cli_optimize_infeasible_exits_1(tmp_path: Path, textbook_yaml: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The textbook scenario with 800 workers: the whole target needs 992.08 (see the module
    docstring), so ``--min-fulfilment 1.0`` is infeasible."""
    text = textbook_yaml + (
        "factors:\n"
        "  - {id: labour, unit: workers, availability: 800,\n"
        "     coefficients: {agriculture: 0.5, manufacturing: 0.2}}\n")
    path = tmp_path / "tb.yaml"
    path.write_text(text, encoding="utf-8")
    rc = main(["optimize", str(path), "--format", "json", "--min-fulfilment", "1.0"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert doc["status"] == "infeasible"
    assert doc["conflicts"]
    labour = [c for c in doc["conflicts"] if c["kind"] == "alone"
              and c["constraint"] == "factor:labour"]
    assert labour and labour[0]["needed"] == pytest.approx(LABOUR_NEED, rel=1e-7)
    # without the minimum the same scenario is feasible, at lam* = 606 / 751.5
    rc = main(["optimize", str(path), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0 and doc["fulfilment"] == pytest.approx(606.0 / 751.5, rel=1e-9)


# ---------------------------------------------------------------------------------------------
# 5. Objectives

#: Labour per unit of fulfilment of each product: ``c_i = d_i (l' L)_i``.
C_AGR = 600 * 0.515 / DET   # 309 / 0.7575 = 407.92...
C_MAN = 1500 * 0.295 / DET  # 442.5 / 0.7575 = 584.16...


def test_weighted_favours_the_heavier_product() -> None:
    """``max 10 f_a + f_m`` s.t. ``407.92 f_a + 584.16 f_m <= 800`` (any non-negative net
    output ``f * d`` costs ``l' L (f * d)`` labour). Agriculture yields ``10 / 407.92`` per worker
    against ``1 / 584.16``, so all labour goes to it: ``f_a = 800 / 407.92 = 606 / 309
    = 1.961165...``, ``f_m = 0``, objective ``6060 / 309``; far above max-min's 0.806."""
    eco = textbook_with_labour(800.0)
    plan = optimize(eco, objective="weighted", weights={"agriculture": 10.0, "manufacturing": 1.0})
    maxmin = optimize(eco)
    assert plan.ok and plan.objective == "weighted"
    ful = plan.fulfilment_by_branch
    assert ful["agriculture"] == pytest.approx(606.0 / 309.0, rel=1e-9)
    assert ful["manufacturing"] == pytest.approx(0.0, abs=1e-9)
    assert ful["agriculture"] > maxmin.fulfilment
    assert plan.fulfilment == pytest.approx(0.0, abs=1e-9)  # the smallest fulfilment
    assert plan.objective_value == pytest.approx(6060.0 / 309.0, rel=1e-9)


def test_harmony_feeds_every_product() -> None:
    """Harmony with the same weights (10, 1) starves nothing.

    Suppose ``f_m = 0``: then ``f_a = 606 / 309 = 1.96``. Moving ``delta`` workers to
    manufacturing gains at least ``delta / 584.16 * h'(0+) = delta * 10 / 584.16 = 0.01712 delta``
    (the first tangent, at 0.1, has slope 10) and loses at most
    ``10 * delta / 407.92 * (1 / 1.5) = 0.01634 delta`` (left slope of ``h`` at 1.96 is at most
    that of the tangent at 1.5). So ``f_m = 0`` is not optimal, and likewise ``f_a > 0``.
    """
    plan = optimize(textbook_with_labour(800.0), objective="harmony",
                    weights={"agriculture": 10.0, "manufacturing": 1.0})
    assert plan.ok and plan.objective == "harmony"
    ful = plan.fulfilment_by_branch
    assert (ful > 1e-6).all()
    # the labour is all used: c_a f_a + c_m f_m = 800
    assert C_AGR * ful["agriculture"] + C_MAN * ful["manufacturing"] == pytest.approx(800.0, rel=1e-7)


def symmetric(availability: float) -> Economy:
    """Identical branches: ``A = [[0.2, 0.3], [0.3, 0.2]]``, ``d = (100, 100)``, ``l = (1, 1)``.

    Column sums of ``A`` are 0.5, so ``(1, 1)(I - A) = (0.5, 0.5)`` and ``l' L = (2, 2)``: the
    whole target needs ``l' L d = 400`` workers, fulfilments ``f`` need ``200 (f_1 + f_2)``.
    """
    return Economy.from_coefficients([[0.2, 0.3], [0.3, 0.2]], [100.0, 100.0], branches=["a", "b"],
                                     factors=labour_table(availability),
                                     factor_coefficients=[[1.0, 1.0]])


def harmony_h(f: float) -> float:
    """The envelope of tangents to ``log`` at :data:`HARMONY_POINTS`."""
    return min(np.log(t) + (f - t) / t for t in HARMONY_POINTS)


def test_harmony_symmetric_economy_equal_fulfilment_at_a_kink() -> None:
    """Symmetric economy, labour ``400 k`` with ``k`` the kink of ``h`` between its tangents at
    0.9 and 1.0: ``log 0.9 + (k - 0.9) / 0.9 = (k - 1)`` gives ``k = 9 ln(10 / 9) = 0.948245...``.

    Max-min: ``lam = 400 k / 400 = k``. Harmony maximises ``h(f_1) + h(f_2)`` on
    ``f_1 + f_2 <= 2 k``; by symmetry and concavity ``f_1 = f_2 = k`` is optimal, and since ``h``
    bends at ``k`` (slope 1 / 0.9 left, 1 right), moving ``e`` from one product to the other
    loses ``e (1 / 0.9 - 1) > 0``: the equal split is the only optimum.
    """
    k = 9.0 * np.log(10.0 / 9.0)
    assert harmony_h(k) == pytest.approx(k - 1.0, rel=1e-12)  # both tangents meet there
    eco = symmetric(400.0 * k)
    maxmin = optimize(eco)
    assert maxmin.fulfilment == pytest.approx(k, rel=1e-9)
    plan = optimize(eco, objective="harmony")
    assert plan.ok
    np.testing.assert_allclose(plan.fulfilment_by_branch.to_numpy(), [k, k], rtol=1e-7)
    assert plan.fulfilment == pytest.approx(maxmin.fulfilment, rel=1e-7)
    assert plan.objective_value == pytest.approx(2.0 * (k - 1.0), rel=1e-7)


def test_harmony_symmetric_economy_value_between_kinks() -> None:
    """300 workers: max-min ``lam = 0.75``, a tangent point, so ``h(0.75) = log 0.75``.

    By symmetry and concavity the equal split is optimal, so the harmony optimum is
    ``2 log 0.75``; the fulfilments use all the labour (``f_1 + f_2 = 1.5``) and neither falls
    leaves the piece of ``h`` on the tangent at 0.75, between the kinks
    ``t1 t2 ln(t2 / t1) / (t2 - t1)`` with 0.5 (``1.5 ln 1.5 = 0.608``) and with 0.9
    (``4.5 ln 1.2 = 0.820``): off that piece ``h`` lies strictly below the tangent, and the sum
    would fall below ``2 log 0.75``. Inside the piece the harmony optimum is a whole face; the
    tie-break on the smallest fulfilment then picks the most even point of it, the equal split
    ``(0.75, 0.75)``.
    """
    plan = optimize(symmetric(300.0), objective="harmony")
    assert plan.ok
    assert plan.objective_value == pytest.approx(2.0 * np.log(0.75), rel=1e-9)
    ful = plan.fulfilment_by_branch.to_numpy()
    assert ful.sum() == pytest.approx(1.5, rel=1e-9)
    assert ful.min() >= 1.5 * np.log(1.5) - 1e-9
    assert ful.max() <= 4.5 * np.log(1.2) + 1e-9  # the kink between the tangents at 0.75 and 0.9
    np.testing.assert_allclose(ful, [0.75, 0.75], rtol=1e-7)


# ---------------------------------------------------------------------------------------------
# 6. The bundled 1963 scenario


def test_dprk_1963_optimizes_with_labour_binding() -> None:
    """The scenario's final demand closes ``x - A x = y`` for the 1963 outputs, which need
    ``l' x = 0.002 * 11766 + 0.009 * 14043 + 0.01 * 1159 + 0.008 * 1022 + 0.01 * 762
    + 0.02 * 853 + 0.004 * 2526 + 0.28 * 227 + 0.32 * 5000 + 0.25 * 900 + 0.27 * 1300
    + 0.79 * 2600 = 4498.029`` thousand workers; 4650 are available. Without the partners'
    prices nothing else limits the plan: imports come at the recorded shares and the recorded
    exports ``e`` are delivered, so ``x = lam L_d d_d + L_d e`` and labour
    ``lam (4498.029 - l' L_d e) + l' L_d e = 4650``, with ``l' L_d e`` (the labour in the
    exports) solved here with numpy on ``A_d = (1 - s) A``."""
    eco = bundled.load("dprk-1963").replace(trade=None)
    A_d = (1.0 - eco.import_shares.to_numpy().sum(axis=0))[:, None] * np.asarray(eco.A)
    e = eco.exports.to_numpy().sum(axis=0)
    labour = eco.factor_coefficients.loc["labour"].to_numpy()
    in_exports = float(labour @ np.linalg.solve(np.eye(eco.n) - A_d, e))
    plan = optimize(eco)
    assert plan.status == "optimal"
    assert plan.fulfilment >= 1.0
    assert plan.fulfilment == pytest.approx(
        (4650.0 - in_exports) / (4498.029 - in_exports), rel=1e-6)
    assert "factor:labour" in plan.binding
    assert plan.factor_requirements.loc["labour", "required"] == pytest.approx(4650.0, rel=1e-9)
