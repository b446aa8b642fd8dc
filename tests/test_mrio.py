"""Multi-regional tables (issue 11): the pymrio round trip, the home-region view and the
accounts of the whole system, each checked against pymrio's own results or against numpy on
the same blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pymrio
import pytest

from autarky.errors import BadValueError, TableError, UnknownIdError
from autarky.mrio import MRIO
from autarky.mrio import embodied as E
from autarky.mrio.home import home_view, partner_groups
from autarky.mrio.interop import from_pymrio, to_pymrio


@pytest.fixture(scope="module")
def io() -> pymrio.IOSystem:
    system = pymrio.load_test()
    system.calc_all()
    return system


@pytest.fixture(scope="module")
def table(io: pymrio.IOSystem) -> MRIO:
    return from_pymrio(pymrio.load_test())


def consistent(seed: int, regions: int = 4, sectors: int = 3, categories: int = 2) -> MRIO:
    """A random table whose columns balance: value added is output minus inputs, so every
    unit of final demand is somebody's value added."""
    rng = np.random.default_rng(seed)
    n = regions * sectors
    Z = rng.uniform(0, 10, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.6)
    Y = rng.uniform(20, 60, (n, regions * categories))
    x = Z.sum(axis=1) + Y.sum(axis=1)
    va = x - Z.sum(axis=0)
    assert (va > 0).all()
    wages = rng.uniform(0.3, 0.7, n) * va
    return MRIO(tuple(f"R{k}" for k in range(regions)), tuple(f"s_{k}" for k in range(sectors)),
                tuple(f"c{k}" for k in range(categories)), Z, Y,
                np.vstack([wages, va - wages]), ("wages", "surplus"), unit="EUR million")


# ---------------------------------------------------------------------------- pymrio
def test_pymrio_round_trip_keeps_every_number(io: pymrio.IOSystem, table: MRIO) -> None:
    back = to_pymrio(table)
    original = pymrio.load_test()
    pd.testing.assert_frame_equal(back.Z, original.Z, check_names=False, check_dtype=False,
                                  rtol=1e-12, atol=0)
    pd.testing.assert_frame_equal(back.Y, original.Y, check_names=False, check_dtype=False,
                                  rtol=1e-12, atol=0)
    np.testing.assert_allclose(back.x.to_numpy().ravel(), io.x.to_numpy().ravel(), rtol=1e-12)
    for name in ("emissions", "factor_inputs"):
        mine, theirs = getattr(back, name), getattr(original, name)
        pd.testing.assert_frame_equal(mine.F, theirs.F, check_names=False, check_dtype=False,
                                  rtol=1e-12, atol=0)
        assert list(mine.unit["unit"]) == list(theirs.unit["unit"])
    pd.testing.assert_frame_equal(back.emissions.F_Y, original.emissions.F_Y, check_names=False,
                                  check_dtype=False, rtol=1e-12, atol=0)
    assert back.emissions.F.index.equals(original.emissions.F.index)  # (stressor, compartment)


def test_pymrio_calc_all_agrees(io: pymrio.IOSystem, table: MRIO) -> None:
    np.testing.assert_allclose(table.x, io.x.to_numpy().ravel(), rtol=1e-10)
    np.testing.assert_allclose(table.A, io.A.to_numpy(), rtol=1e-10, atol=1e-15)
    lu = E.solver(table)
    M = E.multipliers(table, "emissions", lu)
    np.testing.assert_allclose(M.to_numpy(), io.emissions.M.to_numpy(), rtol=1e-10, atol=0)
    # value-added content per unit of final demand: pymrio's M of the factor inputs
    v = E.value_added_coefficients(table)
    content = lu.solve_transposed(v)
    np.testing.assert_allclose(content, io.factor_inputs.M.to_numpy().ravel(), rtol=1e-10)
    # value added embodied in reg2's final demand, by source: pymrio's S and L on the same y;
    # in all, reg2's consumption-based account (pymrio's D_cba)
    va = E.value_added_in_final_demand(table, "reg2", lu)
    y = io.Y.xs("reg2", axis=1, level=0).sum(axis=1).to_numpy()
    by_source = io.factor_inputs.S.to_numpy().ravel() * (io.L.to_numpy() @ y)
    np.testing.assert_allclose(va.to_numpy(), by_source.reshape(6, 8).sum(axis=1), rtol=1e-10)
    assert va.sum() == pytest.approx(
        float(io.factor_inputs.D_cba.xs("reg2", axis=1, level=0).to_numpy().sum()), rel=1e-10)


def test_from_pymrio_refuses_what_is_not_a_system() -> None:
    from autarky.errors import BadTypeError

    with pytest.raises(BadTypeError, match="expected a pymrio IOSystem"):
        from_pymrio(pd.DataFrame())


# ---------------------------------------------------------------------------- home view
def test_home_view_balances_to_the_regions_output(table: MRIO) -> None:
    eco = home_view(table, "reg3", {"near": ["reg2", "reg4"], "rest": "*"})
    x = eco.plan.balance().gross_output.to_numpy()
    np.testing.assert_allclose(x, table.x[table.region_slice("reg3")], rtol=1e-12)
    assert list(eco.partners.index) == ["near", "rest"]
    assert eco.partners.loc["rest", "note"] == "reg1, reg5, reg6"


def test_home_import_content_is_u_am_ld(table: MRIO) -> None:
    """Total import content per unit of each final product, by partner: ``1' A_m[G] L_d``
    with ``L_d = (I - Z_hh diag(x_h)^-1)^-1``, here by numpy on the table's own blocks."""
    groups = {"near": ["reg2", "reg4"], "rest": "*"}
    eco = home_view(table, "reg3", groups)
    ind = eco.reliance.indicators()
    h = table.region_slice("reg3")
    x = table.Z.sum(axis=1) + table.Y.sum(axis=1)
    xh = x[h]
    Ad = table.Z[h, h] / xh
    Ld = np.linalg.inv(np.eye(len(xh)) - Ad)
    for name, members in partner_groups(table, "reg3", groups).items():
        Zg = sum(table.Z[table.region_slice(r), h] for r in members)
        want = np.ones(len(xh)) @ (Zg / xh) @ Ld
        np.testing.assert_allclose(ind.partner_content.loc[name].to_numpy(), want, rtol=1e-9,
                                   atol=1e-15)
    np.testing.assert_allclose(ind.table["import_content"].to_numpy(),
                               ind.partner_content.sum(axis=0).to_numpy(), rtol=1e-12)


def test_home_view_exports_by_destination(table: MRIO) -> None:
    eco = home_view(table, "reg1")
    ex = np.asarray(eco.array("exports"))
    h = table.region_slice("reg1")
    C = len(table.categories)
    for g, r in enumerate(eco.partners.index):
        s = table.region_slice(r)
        k = table.regions.index(r)
        want = table.Z[h, s].sum(axis=1) + table.Y[h, k * C:(k + 1) * C].sum(axis=1)
        np.testing.assert_allclose(ex[g], want, rtol=1e-12)


def test_every_analysis_runs_on_the_home_view(table: MRIO) -> None:
    eco = home_view(table, "reg2", {"near": ["reg1"], "rest": "*"}, capacity=2.0)
    plan = eco.plan.optimize()
    assert plan.ok and plan.fulfilment >= 1.0
    res = eco.reliance.stress("partner:near", weeks=8)
    assert res.replanned["fulfilment"] <= res.replanned["fulfilment_base"] + 1e-9
    assert eco.reliance.criticality()["branches"].shape[0] == len(table.sectors)
    curve = eco.reliance.cost_of_autarky(caps=[1.0, 0.5, 0.0]).curve["fulfilment"]
    assert curve[1.0] == pytest.approx(plan.fulfilment, rel=1e-9)
    assert curve[0.0] < curve[0.5] < curve[1.0]  # each cap of imports costs fulfilment


@pytest.mark.parametrize(("groups", "error", "message"), [
    ({"a": ["reg1"]}, BadValueError, "holds the home region"),
    ({"a": ["nowhere"], "rest": "*"}, UnknownIdError, "no region 'nowhere'"),
    ({"a": ["reg2"], "b": ["reg2"], "rest": "*"}, BadValueError, "in two groups"),
    ({"a": ["reg2"]}, BadValueError, r"regions in no group: reg3, reg4, reg5, reg6"),
    ({"a": "*", "b": "*"}, BadValueError, "both take the rest"),
])
def test_partner_groups_are_checked(table: MRIO, groups: dict, error: type,
                                    message: str) -> None:
    with pytest.raises(error, match=message):
        partner_groups(table, "reg1", groups)


# ---------------------------------------------------------------------------- the system
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_value_added_of_all_sources_is_the_final_demand(seed: int) -> None:
    t = consistent(seed)
    for region in t.regions:
        va = E.value_added_in_final_demand(t, region)
        assert va.sum() == pytest.approx(E.final_demand_of(t, region).sum(), rel=1e-10)
        assert (va > 0).all()


def test_tiva_identities_and_a_hand_solved_case() -> None:
    """Two regions, one sector: home makes 100 (10 for itself, 5 to abroad's industry, 85 for
    its own final use); abroad makes 100 (2 to home's industry, 20 for itself, 3 to home final
    use, 75 for its own). Value added: 88 and 75 (output minus inputs). Home exports are 5,
    all intermediate; their value added, by ``diag(v) L e``, is computed here by hand-solved
    numpy with the inverse."""
    t = MRIO(("home", "abroad"), ("goods",), ("final",),
             Z=np.array([[10.0, 5.0], [2.0, 20.0]]), Y=np.array([[85.0, 0.0], [3.0, 75.0]]),
             value_added=np.array([[88.0, 75.0]]), value_added_rows=("VA",), unit="USD million")
    res = E.tiva(t, "home")
    A = np.array([[0.10, 0.05], [0.02, 0.20]])
    L = np.linalg.inv(np.eye(2) - A)
    v = np.array([0.88, 0.75])
    in_exports = v * (L @ np.array([5.0, 0.0]))
    assert res.gross_exports == 5.0
    np.testing.assert_allclose(res.exports_va.to_numpy(), in_exports, rtol=1e-12)
    assert res.exports_va.sum() == pytest.approx(5.0, rel=1e-12)  # every unit is value added
    assert res.import_content_of_exports == pytest.approx(in_exports[1] / 5.0, rel=1e-12)
    in_fd = v * (L @ np.array([85.0, 3.0]))
    np.testing.assert_allclose(res.final_demand_va.to_numpy(), in_fd, rtol=1e-12)
    # home value added in abroad's exports (2 units to home's industry, 3 to its final use)
    assert res.forward_participation == pytest.approx(
        (v * (L @ np.array([0.0, 5.0])))[0] / 5.0, rel=1e-12)


def test_stated_output_that_does_not_match_is_refused() -> None:
    with pytest.raises(TableError, match=r"row a/x: totals do not match: the row sums to 15 "
                                         r".* stated output is 16"):
        MRIO(("a",), ("x",), ("f",), [[5.0]], [[10.0]], stated_output=[16.0],
             provenance={"file": "t.csv"})


def test_negative_flows_are_refused_naming_the_labels() -> None:
    with pytest.raises(TableError, match="negative intermediate flow -1 from b/x to a/x"):
        MRIO(("a", "b"), ("x",), ("f",), [[5.0, 0.0], [-1.0, 2.0]], [[1.0, 0.0], [0.0, 1.0]])


def test_a_national_table_with_an_imports_column() -> None:
    """One region, two products; total use (domestic and imported) in Z and Y, exports as a
    final-demand column, imports 30 of product a. Output is use less imports: a 100, b 120.
    The home view imports a share 30 / (home use of a, exports excluded) from outside and
    balances to that output."""
    Z = np.array([[20.0, 30.0], [10.0, 20.0]])
    Y = np.array([[60.0, 20.0], [70.0, 20.0]])  # categories: consumption, exports
    t = MRIO(("home",), ("a", "b"), ("consumption", "Exports"), Z, Y,
             imports_out=np.array([30.0, 0.0]), unit="USD million")
    np.testing.assert_allclose(t.x, [100.0, 120.0])
    eco = home_view(t, "home")
    assert list(eco.partners.index) == ["outside"]
    share = np.asarray(eco.array("import_shares"))[0]
    np.testing.assert_allclose(share, [30.0 / (20 + 30 + 60), 0.0])
    np.testing.assert_allclose(np.asarray(eco.array("exports"))[0], [20.0, 20.0])
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), [100.0, 120.0],
                               rtol=1e-12)


def test_dependence_through_third_countries_by_hand() -> None:
    """Home H buys 10 of inputs from China C, whose 10 of output holds 5 of inputs from Korea
    K; home final demand is 90. Imports: 10/90 from China, none from Korea. Value added: China
    adds 5, Korea 5 (it reaches home through China), home 80: shares 5/90, 5/90, 80/90."""
    from autarky.mrio.dependence import partner_dependence

    t = MRIO(("H", "C", "K"), ("g",), ("f",),
             Z=np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0], [0.0, 5.0, 0.0]]),
             Y=np.array([[90.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
             value_added=np.array([[80.0, 5.0, 5.0]]), value_added_rows=("VA",))
    d = partner_dependence(t, "H")
    np.testing.assert_allclose(d["imports"], [10 / 90, 0.0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(d["value_added"], [5 / 90, 5 / 90], rtol=1e-12)
    np.testing.assert_allclose(d["through_third_countries"], [-5 / 90, 5 / 90], rtol=1e-12)
    assert d.attrs["domestic_value_added"] == pytest.approx(80 / 90, rel=1e-12)


@pytest.mark.parametrize("seed", [4, 5])
def test_dependence_shares_add_up_and_match_the_home_view(seed: int) -> None:
    """On a balanced table: domestic plus foreign value added is all of the home final demand;
    the imports column equals the home view's import content weighted by the final demand
    (final imports plus ``1' A_m L_d y_d``, by the economy's own indicators)."""
    from autarky.mrio.dependence import partner_dependence

    t = consistent(seed)
    groups = {"near": ["R1"], "rest": "*"}
    d = partner_dependence(t, "R0", groups)
    assert d["value_added"].sum() + d.attrs["domestic_value_added"] == pytest.approx(1.0,
                                                                                     rel=1e-10)
    eco = home_view(t, "R0", groups)
    fm = np.asarray(eco.array("final_imports")).sum(axis=2)  # partner x product
    y = eco.final_demand.to_numpy().sum(axis=1)
    ind = eco.reliance.indicators()
    yd = y - fm.sum(axis=0)
    want = (fm.sum(axis=1) + ind.partner_content.to_numpy() @ yd) / y.sum()
    np.testing.assert_allclose(d["imports"].to_numpy(), want, rtol=1e-10)


def _chain(direct: bool) -> MRIO:
    """H buys 10 a year of Korea's good (K); K buys 5 of China's (C) when ``direct`` is False,
    else H buys China's good itself and Korea plays no part."""
    Z = np.zeros((3, 3))
    if direct:
        Z[1, 0] = 10.0  # C -> H
    else:
        Z[1, 2], Z[2, 0] = 5.0, 10.0  # C -> K -> H
    Y = np.diag([90.0, 45.0, 85.0])
    x = Z.sum(axis=1) + Y.sum(axis=1)
    return MRIO(("H", "C", "K"), ("g",), ("f",), Z, Y, (x - Z.sum(axis=0))[None, :], ("VA",))


def test_a_cut_off_through_third_countries_is_seen_only_by_the_whole_system() -> None:
    from autarky.mrio.cutoff import cutoff_two_ways

    # China supplies home directly and nobody else: the two views are one economy
    direct = cutoff_two_ways(_chain(True), "H", ["C"], weeks=10, duration=4)
    np.testing.assert_allclose(direct["through the whole system"],
                               direct["single-country view"], rtol=1e-9)
    assert direct.loc["home output lost", "single-country view"] > 0
    # through Korea: invisible to the single-country view, felt through the whole system
    third = cutoff_two_ways(_chain(False), "H", ["C"], weeks=10, duration=4)
    assert third.loc["home output lost", "single-country view"] == 0.0
    assert third.loc["home output lost", "through the whole system"] > 0
    # cutting Korea itself in the chain is again one economy seen two ways
    korea = cutoff_two_ways(_chain(False), "H", ["K"], weeks=10, duration=4)
    np.testing.assert_allclose(korea["through the whole system"], korea["single-country view"],
                               rtol=1e-9)
    # no cut, no loss; a longer cut, a larger one
    none = cutoff_two_ways(_chain(False), "H", ["C"], weeks=10, duration=0)
    assert (none.to_numpy() == 0).all()
    longer = cutoff_two_ways(_chain(False), "H", ["C"], weeks=10, duration=6)
    assert (longer.to_numpy() >= third.to_numpy()).all()
    assert longer.loc["home output lost", "through the whole system"] > \
        third.loc["home output lost", "through the whole system"]


def test_the_split_network_keeps_the_baseline() -> None:
    """With the cut lasting no week, the split global network runs at its baseline: every
    branch's output is the table's, a 52nd a week (the split halves add up)."""
    from autarky.mrio.cutoff import _split
    from autarky.solve.propagation import propagate

    t = consistent(8)
    A, x0, f0, _exporters, origin = _split(t, ["R1", "R2"])
    np.testing.assert_allclose(np.bincount(origin, weights=x0), t.x / 52.0, rtol=1e-12)
    np.testing.assert_allclose(A @ x0 + f0, x0, rtol=1e-9)  # the split network balances
    r = propagate(A, x0, f0, capacity=x0.copy(), weeks=6)
    assert np.abs(r.total_loss).max() < 1e-9 * x0.sum()


def test_stocks_run_down_at_home_while_imported_stocks_build_up() -> None:
    """A negative inventories category (home destocking of -10 beside +3 bought abroad): the
    view takes it (final imports are checked against the product's whole final use), and its
    balance gives back the home output."""
    Y = np.array([[80.0, -10.0, 5.0, 0.0], [3.0, 3.0, 60.0, 0.0]])
    t = MRIO(("H", "P"), ("g",), ("consumption", "inventories"), [[10.0, 5.0], [2.0, 20.0]], Y)
    eco = home_view(t, "H")
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), t.x[:1], rtol=1e-12)
    # 2 + 6 of the partner's good in home use (A x + y = 10 + 2 + 83 - 7 = 88)
    ind = eco.reliance.indicators()
    assert ind.table.loc["g", "import_share"] == pytest.approx(8 / 88, rel=1e-12)


def test_export_columns_are_exports_not_final_demand_in_the_system_accounts() -> None:
    """A table with an export column (out of the table): the home final demand leaves it out,
    the gross exports take it in, so the TiVA exports hold it and the dependence shares are of
    home final use."""
    from autarky.mrio.dependence import partner_dependence

    Z = np.array([[10.0, 5.0], [2.0, 20.0]])
    Y = np.array([[60.0, 25.0, 0.0, 0.0], [3.0, 0.0, 75.0, 0.0]])  # (final, exports) per region
    x = Z.sum(axis=1) + Y.sum(axis=1)
    t = MRIO(("H", "P"), ("g",), ("final", "exports"), Z, Y,
             value_added=(x - Z.sum(axis=0))[None, :], value_added_rows=("VA",))
    assert E.final_demand_of(t, "H").sum() == pytest.approx(63.0)
    tv = E.tiva(t, "H")
    assert tv.gross_exports == pytest.approx(5.0 + 25.0)
    d = partner_dependence(t, "H")
    # imports from P in home final use 63: 3 directly, 2/100 per unit of home output for the
    # 60 of home final use made at home (L_d = 1/(1 - 0.1))
    assert d.loc["P", "imports"] == pytest.approx((3 + 0.02 * 60 / 0.9) / 63, rel=1e-12)


def test_the_system_accounts_refuse_imports_from_outside_the_table() -> None:
    t = MRIO(("home",), ("a",), ("c",), [[20.0]], [[110.0]], imports_out=[30.0],
             value_added=[[80.0]], value_added_rows=("VA",))
    with pytest.raises(BadValueError, match="imports from outside it"):
        E.tiva(t, "home")


def test_a_cut_off_of_a_table_with_stocks_run_down_keeps_its_baseline() -> None:
    """A partner branch whose own final use is negative (destocking): with the cut lasting no
    week, nothing is lost (the baseline is recomputed from the technology with the negative
    final use at zero, and holds still)."""
    from autarky.mrio.cutoff import cutoff_two_ways

    t = consistent(9)
    Y = np.array(t.Y)
    Y[5, 4] = -(Y[5, :].sum() - Y[5, 4]) * 0.5 - 3.0  # a large negative use of one product
    x = t.Z.sum(axis=1) + Y.sum(axis=1)
    t2 = MRIO(t.regions, t.sectors, t.categories, t.Z, Y,
              (x - t.Z.sum(axis=0))[None, :], ("VA",))
    none = cutoff_two_ways(t2, "R0", ["R1"], weeks=6, duration=0)
    assert np.abs(none.to_numpy()).max() < 1e-9 * x.sum()
