"""The table registry and the generic operations on it: every table declared once, read-only
storage, replace without needless re-checks, reorder and rescale driven by the unit rules,
pickling after a solve, the scenario split (economy + plan settings)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import autarky
from autarky import Economy, Scenario, data
from autarky.economy import TABLES, json_schema
from autarky.economy.registry import resolve_unit, unit_exponents
from autarky.errors import AutarkyError
from autarky.testing import assert_economy_equal, random_economy


def test_every_table_has_dims_unit_rule_and_description() -> None:
    for spec in TABLES.values():
        assert spec.description and spec.unit
        assert set(spec.dims) <= {"branch", "input", "partner", "factor", "category", "year"}
        unit_exponents(spec.unit)  # parses


def test_unit_rules_resolve() -> None:
    units = {"input": "t", "branch": "kWh", "factor": "workers", "currency": "won"}
    assert resolve_unit(TABLES["technology"].unit, units) == "t/kWh"
    assert resolve_unit(TABLES["import_prices"].unit, units) == "won/kWh"
    assert resolve_unit(TABLES["factor_coefficients"].unit, units) == "workers/kWh"
    assert resolve_unit(TABLES["import_shares"].unit, units) == "1"


def test_every_table_key_is_in_the_json_schema() -> None:
    props = json_schema()["properties"]
    for spec in TABLES.values():
        if spec.scenario_key is not None:
            assert spec.scenario_key in props, spec.name


def test_storage_is_read_only() -> None:
    eco = data.load("dprk-1963").economy
    for name in ("technology", "final_demand", "import_shares", "exports", "capacity"):
        arr = eco.array(name)
        with pytest.raises(ValueError, match="read-only"):
            np.asarray(arr).flat[0] = 1.0
    big = random_economy(50, seed=3, density=0.1, sparse=True)
    with pytest.raises(ValueError, match="read-only"):
        big.A.data[0] = 1.0


def test_rescale_follows_every_unit_rule() -> None:
    """Steel in kt instead of t: quantities of steel / 1000, coefficients per unit of steel x 1000,
    prices per unit of steel x 1000; its own coefficient and other branches' unchanged."""
    eco = Economy.from_coefficients(
        [[0.1, 0.2], [0.3, 0.4]], [10.0, 20.0], branches=["steel", "coal"], units="t",
        partners=pd.DataFrame(index=["p"]), exports={"p": {"steel": 4.0}},
        import_prices={"p": {"steel": 2.0}}, import_limits={"p": {"steel": 8.0}},
        capacity=[100.0, 50.0], prices=[3.0, 1.0],
        factors=pd.DataFrame({"unit": ["w"], "availability": [9.0]}, index=["l"]),
        factor_coefficients=[[0.5, 0.25]])
    kt = eco.rescale("steel", 1000.0, "kt")
    assert kt.units["steel"] == "kt"
    np.testing.assert_allclose(kt.A, [[0.1, 0.0002], [300.0, 0.4]])
    assert kt.final_demand.loc["steel", "total"] == pytest.approx(0.01)
    assert kt.exports.loc["p", "steel"] == pytest.approx(0.004)
    assert kt.table("import_prices").loc["p", "steel"] == pytest.approx(2000.0)
    assert kt.table("import_limits").loc["p", "steel"] == pytest.approx(0.008)
    assert kt.capacity.tolist() == pytest.approx([0.1, 50.0])
    assert kt.prices.tolist() == pytest.approx([3000.0, 1.0])
    np.testing.assert_allclose(kt.factor_coefficients.to_numpy(), [[500.0, 0.25]])
    # and back again, exactly (powers of ten are not exact in binary, so to 1e-12)
    assert_economy_equal(kt.rescale("steel", 1e-3, "t"), eco, rtol=1e-12)
    money = eco.rescale_currency(1000.0, "thousand won")
    assert money.prices.tolist() == pytest.approx([0.003, 0.001])
    assert money.table("import_prices").loc["p", "steel"] == pytest.approx(0.002)


def test_replace_keeps_the_factorization_when_the_technology_is_unchanged(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The productiveness check (its proof) builds the solver of I - A_d once and hands it on;
    replacing a table that does not touch A_d neither checks again nor solves again."""
    from autarky.economy import productive

    calls = []
    real = productive.certify
    monkeypatch.setattr(productive, "certify", lambda s: calls.append(1) or real(s))
    eco = Economy.from_coefficients([[0.15, 0.25], [0.2, 0.05]], [600.0, 1500.0])
    assert len(calls) == 1
    solver = eco.solver
    eco2 = eco.replace(capacity=[1e4, 1e4], prices=[1.0, 2.0])
    assert len(calls) == 1 and eco2.solver is solver
    eco3 = eco.replace(technology=[[0.1, 0.25], [0.2, 0.05]])
    assert len(calls) == 2 and eco3.solver is not solver


def test_a_sparse_economy_pickles_after_a_solve() -> None:
    eco = random_economy(800, seed=5, density=0.005, sparse=True)
    x = eco.plan.balance().gross_output.to_numpy()  # factorizes (GMRES or SuperLU)
    back = pickle.loads(pickle.dumps(eco))
    assert back.token == eco.token and back == eco
    np.testing.assert_allclose(back.plan.balance().gross_output.to_numpy(), x, rtol=1e-9)
    scn = data.load("seven-year-plan")
    scn.plan.balance()
    assert pickle.loads(pickle.dumps(scn)).settings == scn.settings


def test_reorder_is_a_permutation_of_every_table() -> None:
    eco = data.load("dprk-1963")
    order = eco.ids[::-1]
    back = eco.reorder(order).reorder(eco.ids)
    assert_economy_equal(back, eco, rtol=0.0)
    with pytest.raises(AutarkyError, match="permutation"):
        eco.reorder(eco.ids[:-1])


def test_large_sparse_reorder_keeps_nonzeros() -> None:
    eco = random_economy(3000, seed=2, density=0.002, sparse=True)
    rng = np.random.default_rng(0)
    order = list(rng.permutation(eco.ids))
    r = eco.reorder(order)
    assert sp.issparse(r.A) and r.A.nnz == eco.A.nnz
    pos = eco.positions(order)
    assert (abs(r.A - eco.A[pos][:, pos]) > 0).nnz == 0


def test_content_token_tells_economies_apart() -> None:
    a = Economy.from_coefficients([[0.1]], [1.0])
    b = Economy.from_coefficients([[0.1]], [1.0])
    c = Economy.from_coefficients([[0.2]], [1.0])
    assert a.token == b.token and a == b and hash(a) == hash(b)
    assert a.token != c.token and a != c


def test_scenario_splits_the_economy_from_the_settings() -> None:
    syp = data.load("seven-year-plan")
    assert isinstance(syp, Scenario) and isinstance(syp.economy, Economy)
    assert syp.settings.horizon == (1961, 1967)
    assert not hasattr(syp.economy, "settings")
    with pytest.raises(AutarkyError, match="belong to a scenario"):
        Economy.from_coefficients([[0.1]], [1.0], settings=autarky.PlanSettings())
    with pytest.raises(AutarkyError, match="table of the economy"):
        Scenario(syp.economy, capacity=np.ones(syp.n))


def test_old_exports_category_is_refused_with_how_to_write_it() -> None:
    with pytest.raises(AutarkyError, match=r"exports=\{'partner-id'"):
        Economy.from_coefficients([[0.1]], pd.DataFrame({"exports": [1.0]}, index=["b0"]))


@pytest.mark.parametrize("name", ["textbook", "island", "dprk-1963", "seven-year-plan",
                                  "three-year-plan"])
def test_bundled_scenarios_validate_against_the_json_schema(name: str) -> None:
    """What `autarky schema` prints accepts every bundled scenario file (as editors and CI
    checks of users would apply it)."""
    import jsonschema
    import yaml

    from autarky import data

    path = data.dataset(name).path
    path = path / "scenario.yaml" if path.is_dir() else path
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), json_schema())
