"""Uncertain inputs and their draws (autarky.sweep.uncertain): each distribution against its
closed-form moments, draws independent of their batching, broken draws counted, not dropped."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autarky import Economy, Scenario, data
from autarky.errors import BadValueError, UnknownIdError
from autarky.sweep import Uncertain, draw_values, sample

N = 20_000


def values(e: Uncertain, n: int = N, seed: int = 7) -> np.ndarray:
    return draw_values(data.load("textbook"), [e], range(n), seed)[:, 0]


KEY = ("agriculture", "manufacturing")  # textbook: a_12 = 0.25


def test_uniform_and_triangular_moments() -> None:
    u = values(Uncertain("technology", KEY, "uniform", low=0.2, high=0.3))
    assert u.min() >= 0.2 and u.max() <= 0.3
    se = 0.1 / math.sqrt(12 * N)
    assert abs(u.mean() - 0.25) < 4 * se
    assert abs(u.var() - 0.01 / 12) < 0.05 * 0.01 / 12
    t = values(Uncertain("technology", KEY, "triangular", low=0.1, high=0.3))
    mean = (0.1 + 0.25 + 0.3) / 3  # the mode is the stated value
    var = (0.1**2 + 0.25**2 + 0.3**2 - 0.1 * 0.25 - 0.1 * 0.3 - 0.25 * 0.3) / 18
    assert abs(t.mean() - mean) < 4 * math.sqrt(var / N)


def test_lognormal_median_is_the_stated_value() -> None:
    g = values(Uncertain("technology", KEY, "lognormal", sd=0.2))
    logs = np.log(g / 0.25)
    assert abs(logs.mean()) < 4 * 0.2 / math.sqrt(N)
    assert abs(logs.std() - 0.2) < 0.01


def test_discrete_frequencies_follow_the_weights() -> None:
    d = values(Uncertain("technology", KEY, "discrete", values=(0.2, 0.25, 0.3),
                         weights=(1.0, 2.0, 1.0)))
    for v, p in ((0.2, 0.25), (0.25, 0.5), (0.3, 0.25)):
        share = float(np.mean(d == v))
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / N)


def test_draws_do_not_depend_on_their_batching() -> None:
    scn = data.load("textbook")
    es = [Uncertain("technology", KEY, "uniform", low=0.2, high=0.3),
          Uncertain("technology", ("manufacturing", "agriculture"), "lognormal", sd=0.1)]
    whole = draw_values(scn, es, range(10), 3)
    parts = np.vstack([draw_values(scn, es, range(0, 4), 3), draw_values(scn, es, [4, 5], 3),
                       draw_values(scn, es, range(6, 10), 3)])
    assert np.array_equal(whole, parts)
    assert not np.array_equal(whole, draw_values(scn, es, range(10), 4))


def test_broken_draws_are_counted_not_dropped() -> None:
    """One branch, a = 0.5 drawn uniform on [0.5, 1.5]: a draw is productive exactly when
    a < 1."""
    eco = Economy.from_coefficients([[0.5]], [10.0], branches=["a"])
    d = sample(eco, [Uncertain("technology", ("a", "a"), "uniform", low=0.5, high=1.5)], 200,
               seed=11)
    broken = d.values[:, 0] >= 1.0
    assert d.failed == int(broken.sum()) > 0
    assert [s != "ok" for s in d.status] == broken.tolist()
    assert all("not productive" in r for r, b in zip(d.reasons, broken, strict=True) if b)
    got = dict(d.scenarios())
    assert len(got) == 200 and sum(v is None for v in got.values()) == d.failed
    k = int(np.flatnonzero(~broken)[0])
    assert float(d.scenario(k).array("technology")[0, 0]) == pytest.approx(d.values[k, 0])
    ds = d.to_dataset()
    assert ds.attrs["failed"] == d.failed and ds["value"].shape == (200, 1)


def test_errors() -> None:
    scn = Scenario(Economy.from_coefficients([[0.5]], [10.0], branches=["a"]))
    with pytest.raises(BadValueError, match="distribution"):
        Uncertain("technology", ("a", "a"), "normal")
    with pytest.raises(BadValueError, match="low <= high"):
        Uncertain("technology", ("a", "a"), "uniform", low=2, high=1)
    with pytest.raises(BadValueError, match="one label per dimension"):
        Uncertain("technology", ("a",), "uniform", low=0, high=1)
    with pytest.raises(BadValueError, match="sd"):
        Uncertain("technology", ("a", "a"), "lognormal")
    with pytest.raises(BadValueError, match="weight"):
        Uncertain("technology", ("a", "a"), "discrete", values=(1.0,), weights=(1.0, 2.0))
    with pytest.raises(UnknownIdError, match="no table"):
        Uncertain("norms", ("a", "a"))
    with pytest.raises(UnknownIdError, match="no branch 'b'"):
        sample(scn, [Uncertain("technology", ("a", "b"), "uniform", low=0, high=1)], 2)
    with pytest.raises(BadValueError, match="n >= 1"):
        sample(scn, [Uncertain("technology", ("a", "a"), "uniform", low=0, high=0.5)], 0)
    with pytest.raises(BadValueError, match="no uncertain entry"):
        sample(scn, [], 2)


def test_an_entry_draws_the_same_whatever_the_other_entries_and_branch_order() -> None:
    # each entry has its own stream: adding entries or reordering the branches (which reorders
    # the entries) leaves every entry's draws as they were
    eco = data.load("textbook").economy
    a = Uncertain("technology", ("agriculture", "manufacturing"), "uniform", low=0.2, high=0.3)
    b = Uncertain("technology", ("manufacturing", "agriculture"), "triangular", low=0.1,
                  high=0.3)
    alone = draw_values(eco, [a], range(50), seed=4)[:, 0]
    both = draw_values(eco, [b, a], range(50), seed=4)
    np.testing.assert_array_equal(both[:, 1], alone)
    flipped = eco.reorder(["manufacturing", "agriculture"])
    again = draw_values(flipped, [a, b], range(50), seed=4)
    np.testing.assert_array_equal(again[:, 0], alone)
    np.testing.assert_array_equal(again[:, 1], both[:, 0])



def test_a_claims_ocr_readings_become_a_discrete_distribution() -> None:
    from autarky.economy.claims import Claim, Reading
    from autarky.sweep.uncertain import from_claim

    # a garbled 1963 figure: read 1.2, possibly 12 (a dropped point), or 1.02 (a reading with
    # half the prior); drawn as the textbook's a_12 with those three values, weights 1:1:0.5
    c = Claim("x", "level", "coefficient", 0.25, "1", alternatives=(0.025,),
              readings=(Reading("typo", prior=0.5, value=0.205),))
    e = from_claim(c, "technology", KEY)
    got = values(e, 20_000)
    assert set(np.round(got, 12)) == {0.25, 0.025, 0.205}
    # frequencies 0.4, 0.4, 0.2 (sd of each about 0.0035 at n = 20,000)
    for v, p in ((0.25, 0.4), (0.025, 0.4), (0.205, 0.2)):
        assert abs(float(np.mean(np.isclose(got, v))) - p) < 0.015
    with pytest.raises(BadValueError, match="nothing to draw"):
        from_claim(Claim("y", "level", "q", 1.0, "1"), "technology", KEY)
