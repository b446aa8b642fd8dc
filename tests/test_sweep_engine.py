"""Sweeps (issue 14, parts 2 and 3): the same numbers on every scheduler, a killed worker and an
interrupted sweep lose and repeat nothing, and the sensitivity indices match known ones."""

from __future__ import annotations

import json
import math
import os
import signal

import numpy as np
import pytest
import xarray as xr

from autarky import data
from autarky.sweep.design import saltelli_values
from autarky.sweep.engine import sweep
from autarky.sweep.summary import probability, quantiles, sensitivity
from autarky.sweep.uncertain import Uncertain

distributed = pytest.importorskip("dask.distributed")

RUNS = ["optimize", "stress partner:ussr"]
VARY = ["technology", "import_shares"]


def _same(a: xr.Dataset, b: xr.Dataset) -> None:
    assert sorted(a.data_vars) == sorted(b.data_vars)
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=str(v))


@pytest.fixture(scope="module")
def dprk():
    return data.load("dprk-1963")


@pytest.fixture(scope="module")
def serial(dprk):
    return sweep(dprk, RUNS, draws=8, seed=5, vary=VARY, scheduler="serial", batch=3)


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=":0")
    yield c
    c.close()


def test_serial_synchronous_and_a_local_cluster_agree_bit_for_bit(dprk, serial, cluster):
    sync = sweep(dprk, RUNS, draws=8, seed=5, vary=VARY, scheduler="synchronous", batch=3)
    on_cluster = sweep(dprk, RUNS, draws=8, seed=5, vary=VARY, scheduler=cluster.scheduler_address,
                       batch=2)  # another batching too: draws do not depend on it
    _same(serial, sync)
    _same(serial, on_cluster)
    assert int(serial["draw_status"].sum()) == 0
    # the drawn inputs are inside their declared ranges, and they vary
    e = json.loads(serial.attrs["autarky_sweep"])["entries"]
    lo = np.array([x["low"] for x in e])
    hi = np.array([x["high"] for x in e])
    x = serial["input"].values
    assert np.all(x >= lo) and np.all(x <= hi) and np.all(x.std(axis=0)[hi > lo] > 0)


def test_a_killed_worker_loses_no_draw_and_counts_none_twice(dprk, serial, tmp_path):
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    pids = list(client.run(os.getpid).values())
    killed: list[int] = []

    def progress(done: int, total: int) -> None:
        if done > 0 and not killed:  # the first batch is in: end a worker process for real
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    try:
        ds = sweep(dprk, RUNS, draws=8, seed=5, vary=VARY, scheduler=cluster.scheduler_address,
                   batch=1, store=tmp_path / "s.zarr", progress=progress)
    finally:
        client.close()
        cluster.close()
    assert killed
    assert ds.attrs["batches_computed"] == 8  # each of the 8 tasks written once
    assert (ds["draw_status"].values == 0).all()
    _same(serial.drop_attrs(), ds.drop_attrs())


def test_an_interrupted_sweep_resumes_to_the_same_store(dprk, tmp_path):
    kw = dict(draws=6, seed=9, vary=["technology"], scheduler="serial", batch=2)
    straight = sweep(dprk, ["indicators"], store=tmp_path / "a.zarr", **kw)

    class Stop(Exception):
        pass

    def stop_after_one(done: int, total: int) -> None:
        if done >= 2:
            raise Stop

    with pytest.raises(Stop):
        sweep(dprk, ["indicators"], store=tmp_path / "b.zarr", progress=stop_after_one, **kw)
    part = xr.open_zarr(tmp_path / "b.zarr", consolidated=False)
    assert (part["draw_status"].values >= 0).sum() == 2  # one batch written, the rest not
    resumed = sweep(dprk, ["indicators"], store=tmp_path / "b.zarr", **kw)
    assert resumed.attrs["batches_computed"] == 2  # only what was missing
    _same(straight, resumed)
    again = xr.open_zarr(tmp_path / "b.zarr", consolidated=False).load()
    _same(xr.open_zarr(tmp_path / "a.zarr", consolidated=False).load(), again)
    # a store of another sweep is refused, not mixed
    with pytest.raises(Exception, match="holds another sweep"):
        sweep(dprk, ["indicators"], store=tmp_path / "b.zarr", **{**kw, "seed": 10})


def _ishigami_truth(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """Closed-form indices of the Ishigami function (Ishigami & Homma 1990; Sobol' &
    Levitan 1999): x_i uniform on [-pi, pi]."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a * a / 8
    v13 = b * b * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def test_sobol_indices_of_the_ishigami_function():
    k, n = 3, 4096
    entries = [Uncertain("technology", (f"x{i}", "y"), "uniform", low=-math.pi, high=math.pi)
               for i in range(1, k + 1)]  # each its own label: its own stream
    x = saltelli_values(entries, [0.0] * k, range(n * (k + 2)), seed=2)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    ds = xr.Dataset({"f.y": ("draw", y), "f.status": ("draw", np.zeros(len(y), dtype="int8")),
                     "input": (("draw", "entry"), x)}, coords={"entry": ["x1", "x2", "x3"]},
                    attrs={"autarky_sweep": json.dumps({"design": "saltelli"})})
    s = sensitivity(ds, "f.y")
    assert s.attrs["method"] == "sobol"
    s1, st = _ishigami_truth()  # S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    for i in range(k):
        # the method's accuracy: within four bootstrap standard errors (and those are small)
        assert abs(float(s["S1"][i]) - s1[i]) < 4 * float(s["S1_se"][i]) + 0.005
        assert abs(float(s["ST"][i]) - st[i]) < 4 * float(s["ST_se"][i]) + 0.005
        assert float(s["ST_se"][i]) < 0.03
    assert s["rank"].values.tolist() == [1, 2, 3]


def _two_branch_entries() -> list[Uncertain]:
    def fixed(i: str, j: str, v: float) -> Uncertain:
        return Uncertain("technology", (i, j), "uniform", low=v, high=v)

    return [fixed("agriculture", "manufacturing", 0.25),
            Uncertain("technology", ("manufacturing", "agriculture"), "uniform", low=0.1,
                      high=0.3),
            fixed("manufacturing", "manufacturing", 0.05),
            fixed("agriculture", "agriculture", 0.15)]


@pytest.mark.parametrize("design", ["monte-carlo", "saltelli"])
def test_the_one_uncertain_coefficient_ranks_first(design):
    scn = data.load("textbook")
    ds = sweep(scn, ["indicators"], draws=64, entries=_two_branch_entries(), seed=4,
               design=design, scheduler="serial")
    s = sensitivity(ds, "indicators.output_value")
    assert s["rank"].sel(entry="technology[manufacturing, agriculture]") == 1
    if design == "saltelli":
        assert float(s["ST"].sel(entry="technology[manufacturing, agriculture]")) > 0.9
        others = s["ST"].drop_sel(entry="technology[manufacturing, agriculture]")
        assert float(abs(others).max()) < 1e-12
    else:
        # x = L y rises with a21 in every draw: the rank correlation is one
        assert float(s["spearman"].sel(entry="technology[manufacturing, agriculture]")) == \
            pytest.approx(1.0)


def test_quantiles_and_probabilities_against_the_draws_by_hand():
    scn = data.load("textbook")
    ds = sweep(scn, ["indicators"], draws=50, entries=_two_branch_entries()[1:2], seed=1,
               scheduler="serial")
    a21 = ds["input"].values[:, 0]
    # output value 1'(I - A)^-1 y in closed form for each drawn a21
    det = 0.85 * 0.95 - 0.25 * a21
    x1 = (0.95 * 600 + 0.25 * 1500) / det
    x2 = (a21 * 600 + 0.85 * 1500) / det
    total = x1 + x2
    np.testing.assert_allclose(ds["indicators.output_value"].values, total, rtol=1e-10)
    q = quantiles(ds, "indicators.output_value", [0.5])
    assert float(q[0]) == pytest.approx(float(np.quantile(total, 0.5)), rel=1e-10)
    p = probability(ds, "indicators.output_value >= 3089.1")
    assert float(p["probability"]) == pytest.approx(float(np.mean(total >= 3089.1)))
    assert float(p["low"]) < float(p["probability"]) < float(p["high"])
    assert int(p["n"]) == 50


def test_a_sweep_does_not_depend_on_the_branch_order():
    scn = data.load("textbook")
    entries = [*_two_branch_entries()[1:2],
               Uncertain("final_demand", ("agriculture", "total"), "triangular", low=500,
                         high=700)]
    a = sweep(scn, ["indicators"], draws=20, entries=entries, seed=8, scheduler="serial")
    flipped = scn.economy.reorder(["manufacturing", "agriculture"])
    b = sweep(flipped, ["indicators"], draws=20, entries=entries[::-1], seed=8,
              scheduler="serial")
    np.testing.assert_allclose(b["indicators.output_value"], a["indicators.output_value"],
                               rtol=1e-12)
    np.testing.assert_array_equal(b["input"].sel(entry=a["entry"]), a["input"])


@pytest.mark.parametrize("vary", [["final_demand", "exports"], ["technology"]])
def test_balances_in_blocks_are_each_draws_balance(monkeypatch, vary):
    # draws that leave the technology alone share one factorization: their right-hand sides
    # are solved in one block; draws of the technology are balanced one by one. Either way each
    # draw's gross output is that draw's balance x = (I - A_d)^-1 (y_d + e).
    from autarky.solve.leontief import LeontiefSolver

    widths: list[int] = []
    solve = LeontiefSolver.solve

    def spy(self, y, **kw):
        widths.append(1 if np.ndim(y) == 1 else np.shape(y)[1])
        return solve(self, y, **kw)

    monkeypatch.setattr(LeontiefSolver, "solve", spy)
    scn = data.load("dprk-1963")
    ds = sweep(scn, ["balance"], draws=10, seed=2, vary=vary, scheduler="serial", batch=10)
    assert (max(widths) == 10) == (vary != ["technology"])
    from autarky.economy.trade import domestic_final_use
    from autarky.sweep.uncertain import _apply, choose_entries, entries_of, split_entries

    drawn, followers = split_entries(choose_entries(entries_of(scn), vary))
    for k in (0, 9):
        eco = _apply(scn, drawn, ds["input"].values[k], followers).economy
        assert not np.any(eco.array("imported_technology") or 0)  # A_d = (I - diag s) A here
        Ad = np.asarray(eco.A) * (1 - eco.import_share_total)[:, np.newaxis]
        rhs = domestic_final_use(eco).sum(axis=1) + eco.exports_total
        x = np.linalg.solve(np.eye(eco.n) - Ad, rhs)
        np.testing.assert_allclose(ds["balance.gross_output"].values[k], x, rtol=1e-9)
