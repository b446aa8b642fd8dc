"""``propagate`` against Pichler, Pangallo, del Rio-Chanona, Lafond & Farmer (2022), JEDC 144.

:func:`pichler` below re-implements their model in its own notation, in plain numpy and without
autarky's code: ``A[j, i]`` input ``j`` per unit of industry ``i``, ``S[j, i]`` the stock of ``j``
held by ``i``, one step of any length (here a week; ``tau`` in steps, so our ``gamma = 1 / tau``):

    O_ji(t)   = A_ji d_i(t-1) + (n_i Z_ji(0) - S_ji(t)) / tau          orders (their eq. 4)
    d_j(t)    = sum_i O_ji(t) + c^d_j(t) + f^d_j(t)                     demand (eq. 3)
    x_i(t)    = min(xcap_i(t), xinp_i(t), d_i(t))                       output
    xinp_i(t) = production function, see ``xinp``                       (eqs. 8-14)
    Z_ji(t)   = O_ji(t) x_j(t) / d_j(t), c_j = c^d_j x_j / d_j, ...     proportional rationing (15-17)
    S_ji(t+1) = max(S_ji(t) + Z_ji(t) - A_ji x_i(t), 0)                 stocks (eq. 18)
    c~(t)     = exp(rho log c~(t-1) + (1-rho)/2 log(m l~(t)) + (1-rho)/2 log(m l~p(t)))   (eq. 5)

(equation numbers as the MacroStat implementation of the paper cites them). Households'
labour income is ``l~(t) = b l~(0) + (1 - b) sum_i l_i(0) x_i(t-1) / x_i(0)`` (employment follows
output, no hiring lag), ``l~p = xi l~(0)``, ``m = c~(0) / l~(0)``, and ``c^d_j(t) = theta_j c~(t)``
with ``theta_j = c_j(0) / c~(0)``. The reference asserts that no order is negative, so the cases
stay where our floor of orders at zero makes no difference.

Hand-solved cases (``gamma = 0.5``, i.e. ``tau = 2`` weeks; 7 days of stock = one week of use)
------------------------------------------------------------------------------------------------

C2, the cycle: ``a_01 = 0.5``, ``a_10 = 0.4``, ``x0 = (10, 10)``, ``f0 = x0 - A x0 = (5, 6)``,
``S*_01 = 5``, ``S*_10 = 4``. Branch 0's capacity is halved in week 0.

* Week 0: orders 5 and 4, ``d = (10, 10)``; ``x = (5, 10)``. Product 0 is shared 1/2: branch 1
  gets 2.5, final demand 2.5. ``S_01(1) = 5 + 2.5 - 5 = 2.5``, ``S_10(1) = 4 + 4 - 2 = 6``.
* Week 1: ``O_01 = 5 + (5 - 2.5)/2 = 6.25``, ``O_10 = 4 + (4 - 6)/2 = 3``; ``d = (11.25, 9)``.
  ``x_0 = min(10, 6/0.4, 11.25) = 10``; ``x_1 = min(10, 2.5/0.5, 9) = 5`` (input-bound).
  Shares 8/9 and 5/9: ``Z_01 = 50/9``, ``Z_10 = 5/3``, final demand served ``(40/9, 10/3)``.
  ``S_01(2) = 2.5 + 50/9 - 2.5 = 50/9``, ``S_10(2) = 6 + 5/3 - 4 = 11/3``.
* Week 2: ``O_01 = 4.5 + (5 - 50/9)/2 = 38/9``, ``O_10 = 4.5 + (4 - 11/3)/2 = 14/3``,
  ``d = (83/9, 32/3)``; ``x_0 = min(10, (11/3)/0.4, 83/9) = 55/6`` -- the shortfall comes back
  round the cycle to the branch first hit -- and ``x_1 = min(10, (50/9)/0.5, 32/3) = 10``.

N2, a chain: ``a_01 = 0.5``, ``x0 = (10, 10)``, ``f0 = (5, 10)``, ``S*_01 = 5``. Branch 0 makes
nothing in weeks 0 and 1.

* Leontief: ``x_1 = (10, 0, ...)``: week 0 uses the whole stock, week 1 has none.
* ``weakly-critical`` with the input rated 0 (not critical): ``x_1 = 10`` every week; the stock,
  floored at zero, is 0 after week 0. Week 2: ``O_01 = 5 + 5/2 = 7.5``, ``d_0 = 12.5``,
  ``x_0 = 10`` shared 0.8: branch 1 gets 6, final demand 4; ``S_01(3) = 0 + 6 - 5 = 1``. Week 3:
  ``O_01 = 5 + 2 = 7``, ``d_0 = 12``, branch 1 gets 35/6, final demand 25/6.
* ``half-critical`` with the input rated 0.5 (important): week 1 ``x_1 = (0 + 10)/2 = 5``;
  week 2 still ``S_01 = 0``, ``x_1 = 5``; branch 0 delivers ``7.5 * 0.8 = 6`` so
  ``S_01(3) = 6 - 2.5 = 3.5`` and week 3 ``x_1 = (3.5/0.5 + 10)/2 = 8.5``.

L3, linear production: branch 2 uses ``0.25`` of products 0 and 1; ``x0 = (10, 10, 20)``,
``f0 = (5, 5, 20)``, ``S*_02 = S*_12 = 5``; branch 0 makes nothing in weeks 0 and 1.
``xinp_2 = (S_02 + S_12) / 0.5``. Week 0: ``x_2 = 20``; ``S_02(1) = 0``, ``S_12(1) = 5``.
Week 1: ``xinp_2 = 5/0.5 = 10`` (Leontief: 0); ``S_12(2) = 5 + 5 - 2.5 = 7.5``; week 2:
``xinp_2 = 7.5/0.5 = 15``.

H1, households' expectations: one branch without inputs, ``x0 = f0 = c0 = 10``, ``rho = 0.5``,
no benefits, expected permanent income ``xi = 0.9^4`` from week 0 on. ``h(0) = 1^0.5 * 1^0.25 *
(0.9^4)^0.25 = 0.9``: final demand and output 9. ``h(1) = 0.9^0.5 * 0.9^0.25 * 0.9 = 0.9^1.75``
(income is 9/10 of the baseline), ``h(2) = 0.9^0.875 * 0.9^0.4375 * 0.9 = 0.9^2.3125``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from autarky import Economy
from autarky.reliance.stress import stress
from autarky.solve.production import Households, reorder_gamma
from autarky.solve.propagation import Shock, propagate


def xinp(S: np.ndarray, A: np.ndarray, C: np.ndarray, rule: str, xcap0: np.ndarray) -> np.ndarray:
    """Input-constrained output of each industry (their production functions)."""
    n = A.shape[1]
    out = np.full(n, np.inf)
    for i in range(n):
        used = A[:, i] > 0
        r = np.full(A.shape[0], np.inf)
        r[used] = S[used, i] / A[used, i]
        crit, imp = used & (C[:, i] == 1), used & (C[:, i] == 0.5)
        if rule == "leontief":
            out[i] = r[used].min(initial=np.inf)
        elif rule == "linear":
            out[i] = S[:, i].sum() / A[:, i].sum() if used.any() else np.inf
        elif rule == "strongly-critical":
            out[i] = r[crit | imp].min(initial=np.inf)
        elif rule == "weakly-critical":
            out[i] = r[crit].min(initial=np.inf)
        else:  # half-critical
            out[i] = min(r[crit].min(initial=np.inf), 0.5 * (r[imp].min(initial=np.inf) + xcap0[i]))
    return out


def pichler(A: Any, x0: Any, f0: Any, weeks: int, *, n_days: float = 7.0, tau: float = 2.0,
            cap_factor: Any = None, rule: str = "leontief", C: Any = None, c0: Any = None,
            labour: Any = None, rho: float = 1.0, b: float = 0.0, xi: Any = 1.0
            ) -> dict[str, np.ndarray]:
    """Their model, step by step (see the module docstring); ``n_days`` of stock, 7 = one step."""
    A, x0, f0 = (np.asarray(v, dtype=float) for v in (A, x0, f0))
    n = len(x0)
    C = np.ones((n, n)) if C is None else np.asarray(C, dtype=float)
    cap = np.ones((weeks, n)) if cap_factor is None else np.asarray(cap_factor, dtype=float)
    c0 = np.zeros(n) if c0 is None else np.asarray(c0, dtype=float)
    fd = f0 - c0                                # other final demand f^d
    l0 = x0 if labour is None else np.asarray(labour, dtype=float)
    xi = np.broadcast_to(np.asarray(xi, dtype=float), (weeks,))
    Z0 = A * x0[None, :]
    S = n_days / 7.0 * Z0
    S_star = S.copy()
    d_prev, x_prev = x0.copy(), x0.copy()
    ct_prev = c0.sum()                          # c~(t-1)
    m = c0.sum() / l0.sum() if c0.sum() > 0 else 0.0
    out: dict[str, list[np.ndarray]] = {"x": [], "d": [], "asked": [], "final": [], "S": []}
    for t in range(weeks):
        if c0.sum() > 0:
            l_t = b * l0.sum() + (1 - b) * (l0 * x_prev / x0).sum()
            ct = np.exp(rho * np.log(ct_prev) + (1 - rho) / 2 * np.log(m * l_t)
                        + (1 - rho) / 2 * np.log(m * xi[t] * l0.sum()))
            cd, ct_prev = c0 / c0.sum() * ct, ct
        else:
            cd = np.zeros(n)
        O = A * d_prev[None, :] + (S_star - S) / tau  # noqa: E741 (their notation)
        assert np.all(O >= -1e-12), "a negative order: the floor at zero would matter"
        d = O.sum(axis=1) + cd + fd
        x = np.minimum(np.minimum(x0 * cap[t], xinp(S, A, C, rule, x0)), d)
        r = np.where(d > 0, x / np.where(d > 0, d, 1.0), 0.0)
        Z = O * r[:, None]
        S = np.maximum(S + Z - A * x[None, :], 0.0)
        out["x"].append(x)
        out["d"].append(d)
        out["asked"].append(cd + fd)
        out["final"].append((cd + fd) * r)
        out["S"].append(S.copy())
        d_prev, x_prev = d, x
    return {k: np.array(v) for k, v in out.items()}


def close(actual: Any, expected: Any, atol: float = 1e-12) -> None:
    np.testing.assert_allclose(actual, expected, rtol=0, atol=atol)


def cut(n: int, weeks: int, branch: int, factor: float, end: int) -> np.ndarray:
    """Capacity multipliers: ``factor`` on ``branch`` in weeks 0 to end - 1."""
    f = np.ones((weeks, n))
    f[:end, branch] = factor
    return f


C2 = (np.array([[0.0, 0.5], [0.4, 0.0]]), np.array([10.0, 10.0]), np.array([5.0, 6.0]))
N2 = (np.array([[0.0, 0.5], [0.0, 0.0]]), np.array([10.0, 10.0]), np.array([5.0, 10.0]))
L3A = np.zeros((3, 3))
L3A[0, 2] = L3A[1, 2] = 0.25
L3 = (L3A, np.array([10.0, 10.0, 20.0]), np.array([5.0, 5.0, 20.0]))


def run(net: tuple[np.ndarray, np.ndarray, np.ndarray], weeks: int, cap: np.ndarray,
        **kwargs: Any) -> Any:
    A, x0, f0 = net
    return propagate(A, x0, f0, shock=Shock(capacity=cap), weeks=weeks, inventory_days=7, **kwargs)


# -- (a) acyclic chain hit at the supplier: today's defaults are their model with tau = 2 ---------


@pytest.mark.parametrize("days", [7.0, 14.0, 21.0])
def test_chain_hit_at_supplier_matches_reference(days: float) -> None:
    A, x0, f0 = np.zeros((3, 3)), np.array([10.0, 8.0, 8.0]), np.array([6.0, 8.0, 8.0])
    A[0, 1], A[0, 2] = 0.375, 0.125
    cap = cut(3, 30, 0, 0.5, 3)
    ref = pichler(A, x0, f0, 30, n_days=days, tau=2.0, cap_factor=cap)
    res = propagate(A, x0, f0, shock=Shock(capacity=cap), weeks=30, inventory_days=days)
    close(res.output, ref["x"])
    close(res.demand, ref["d"])
    close(res.final_delivered, ref["final"])
    close(res.inventory, ref["S"][-1])


@pytest.mark.parametrize("gamma", [0.25, 1.0])
def test_other_reorder_speeds_match_tau_one_over_gamma(gamma: float) -> None:
    cap = cut(2, 25, 0, 0.3, 4)
    ref = pichler(*N2, 25, tau=1.0 / gamma, n_days=14.0, cap_factor=cap)
    res = propagate(*N2, shock=Shock(capacity=cap), weeks=25, inventory_days=14, gamma=gamma)
    close(res.output, ref["x"])
    close(res.final_delivered, ref["final"])


def test_reorder_gamma_from_their_daily_tau() -> None:
    """Gap after a week: (1 - 1/tau)^7 of it, so gamma = 1 - (1 - 1/tau)^7."""
    assert reorder_gamma(10.0) == pytest.approx(1 - 0.9**7, rel=1e-15)
    assert reorder_gamma(2.0, step_days=1.0) == pytest.approx(0.5, rel=1e-15)
    with pytest.raises(ValueError, match="tau_days"):
        reorder_gamma(0.5)


# -- (b) a cycle, hit at one of its branches -------------------------------------------------------


def test_cycle_hand_solved() -> None:
    res = run(C2, 3, cut(2, 3, 0, 0.5, 1))
    close(res.output, [[5, 10], [10, 5], [55 / 6, 10]])
    close(res.demand, [[10, 10], [11.25, 9], [83 / 9, 32 / 3]])
    close(res.final_delivered[:2], [[2.5, 6], [40 / 9, 10 / 3]])


def test_cycle_matches_reference_over_a_year() -> None:
    cap = cut(2, 52, 0, 0.5, 2)
    ref = pichler(*C2, 52, cap_factor=cap)
    res = run(C2, 52, cap)
    close(res.output, ref["x"])
    close(res.final_delivered, ref["final"])
    close(res.inventory, ref["S"][-1])


def test_cycle_with_more_stock_matches_reference() -> None:
    cap = cut(2, 40, 1, 0.4, 3)
    A, x0, f0 = C2
    ref = pichler(A, x0, f0, 40, n_days=10.5, cap_factor=cap)
    res = propagate(A, x0, f0, shock=Shock(capacity=cap), weeks=40, inventory_days=10.5)
    close(res.output, ref["x"])


# -- (c) inputs that are not critical, or important ------------------------------------------------


def test_non_critical_input_does_not_limit_output() -> None:
    cap = cut(2, 6, 0, 0.0, 2)
    leontief = run(N2, 6, cap)
    close(leontief.output[:2, 1], [10, 0])
    weak = run(N2, 6, cap, production="weakly-critical", criticality=[[1, 0], [1, 1]])
    close(weak.output[:, 1], 10)
    close(weak.output[:, 0], [0, 0, 10, 10, 10, 10])
    close(weak.final_delivered[2:4, 0], [4, 25 / 6])
    half = run(N2, 6, cap, production="half-critical", criticality=[[1, 0.5], [1, 1]])
    close(half.output[:4, 1], [10, 5, 5, 8.5])


@pytest.mark.parametrize("rule", ["weakly-critical", "half-critical", "strongly-critical"])
def test_rated_inputs_match_reference(rule: str) -> None:
    """Three branches, each rating of each input, cycles included; the shock hits branch 1."""
    A = np.array([[0.1, 0.2, 0.1], [0.3, 0.0, 0.2], [0.1, 0.1, 0.0]])
    x0 = np.array([10.0, 12.0, 9.0])
    f0 = x0 - A @ x0
    C = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 1.0], [0.0, 1.0, 0.5]])
    cap = cut(3, 40, 1, 0.2, 4)
    ref = pichler(A, x0, f0, 40, n_days=10.0, cap_factor=cap, rule=rule, C=C)
    res = propagate(A, x0, f0, shock=Shock(capacity=cap), weeks=40, inventory_days=10.0,
                    production=rule, criticality=C)
    close(res.output, ref["x"], atol=1e-10)
    close(res.final_delivered, ref["final"], atol=1e-10)


def test_all_critical_ratings_are_leontief() -> None:
    cap = cut(2, 20, 0, 0.5, 2)
    base = run(C2, 20, cap)
    for rule in ("weakly-critical", "half-critical", "strongly-critical"):
        close(run(C2, 20, cap, production=rule).output, base.output)


# -- (d) linear production -------------------------------------------------------------------------


def test_linear_hand_solved_and_reference() -> None:
    cap = cut(3, 30, 0, 0.0, 2)
    lin = run(L3, 30, cap, production="linear")
    close(lin.output[:3, 2], [20, 10, 15])
    close(run(L3, 30, cap).output[:2, 2], [20, 0])
    ref = pichler(*L3, 30, cap_factor=cap, rule="linear")
    close(lin.output, ref["x"])
    close(lin.final_delivered, ref["final"])


# -- (e) household demand scales down with income and expectations ---------------------------------


def test_expected_income_lowers_final_demand_hand_solved() -> None:
    hh = Households(consumption=[10.0], labour=[1.0], rho=0.5, permanent_income=0.9**4)
    res = propagate(np.zeros((1, 1)), [10.0], [10.0], weeks=3, households=hh)
    close(res.final_demand[:, 0], [9, 10 * 0.9**1.75, 10 * 0.9**2.3125])
    close(res.output[:, 0], res.final_demand[:, 0])
    ref = pichler(np.zeros((1, 1)), [10.0], [10.0], 3, c0=[10.0], rho=0.5, xi=0.9**4)
    close(res.final_demand[:, 0], ref["d"][:, 0])


def test_households_follow_lost_income_against_reference() -> None:
    """Branch 1 (most of the labour income) loses 60 % of capacity for 4 weeks; households cut
    consumption, part of the final demand is exports that do not follow income."""
    A, x0, f0 = N2
    c0, lab = np.array([3.0, 8.0]), np.array([1.0, 3.0])
    cap = cut(2, 40, 1, 0.4, 4)
    xi = np.r_[np.full(6, 0.95), np.ones(34)]
    hh = Households(consumption=c0, labour=lab, rho=0.8, benefits=0.3, permanent_income=xi[:6])
    res = run(N2, 40, cap, households=hh)
    ref = pichler(A, x0, f0, 40, cap_factor=cap, c0=c0, labour=lab, rho=0.8, b=0.3, xi=xi)
    close(res.output, ref["x"], atol=1e-10)
    close(res.final_demand, ref["asked"], atol=1e-10)
    close(res.final_delivered, ref["final"], atol=1e-10)
    assert res.final_demand[4, 1] < f0[1] and res.final_demand[4, 0] < f0[0]
    fixed = run(N2, 40, cap)
    close(fixed.final_demand, np.tile(f0, (40, 1)))


def test_households_at_baseline_stay_put() -> None:
    hh = Households(consumption=[2.0, 10.0], labour=[1.0, 1.0])
    res = propagate(*N2, weeks=10, inventory_days=7, households=hh)
    close(res.output, np.tile(N2[1], (10, 1)))
    close(res.final_demand, np.tile(N2[2], (10, 1)))


# -- stress() passes the options through ----------------------------------------------------------


def test_stress_passes_options_through() -> None:
    """One branch (a = 0.5, capacity 100): the plan makes x = 100 and delivers 50, so weekly
    x0 = 100/52, f0 = 50/52 (all home final use); 14 days of stock; capacity -30 % for 4 weeks.
    Labour income follows the value of output (one unit, so x0)."""
    eco = Economy.from_coefficients([[0.5]], [100.0], branches=["b"], units="t", capacity=[100.0])
    kw: dict[str, Any] = {"gamma": 0.25, "production": "half-critical", "criticality": [[0.5]]}
    r = stress(eco, "capacity:b:0.3", weeks=20, duration=4, households=Households(rho=0.6), **kw)
    assert r.propagation is not None
    x0, f0 = np.array([100 / 52]), np.array([50 / 52])
    cap = cut(1, 20, 0, 0.7, 4)
    ref = pichler([[0.5]], x0, f0, 20, n_days=14.0, tau=4.0, cap_factor=cap, rule="half-critical",
                  C=[[0.5]], c0=f0, rho=0.6)
    close(r.propagation.output, ref["x"], atol=1e-12)
    default = stress(eco, "capacity:b:0.3", weeks=20, duration=4).propagation
    assert default is not None
    close(default.output, pichler([[0.5]], x0, f0, 20, n_days=14.0, cap_factor=cap)["x"])


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "match"), [
    ({"production": "cobb-douglas"}, r"^production must be one of"),
    ({"criticality": [[1, 0], [1, 1]]}, r"^criticality is used only with production"),
    ({"production": "half-critical", "criticality": [[1, 0.3], [1, 1]]}, r"must hold 1 \(critical\)"),
    ({"production": "half-critical", "criticality": np.ones(3)}, r"^criticality must be a scalar"),
    ({"production": "half-critical", "import_criticality": 1.0}, r"import_criticality needs Am"),
    ({"households": Households(labour=[1.0, 1.0])}, r"consumption is needed"),
    ({"households": Households(consumption=[6.0, 1.0])}, r"must not exceed f0"),
    ({"households": Households(consumption=[1.0, 1.0], rho=2.0)}, r"rho must lie in"),
    ({"households": Households(consumption=[1.0, 1.0], permanent_income=-1.0)}, r"non-negative"),
    ({"households": "yes"}, r"must be a Households"),
])
def test_bad_options(change: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        propagate(*N2, weeks=3, **change)
