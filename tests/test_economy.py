"""The :class:`Economy` model and its :class:`Plan`: construction, validation, productiveness,
immutability, transformations, and property tests (hypothesis).

Hand-solved textbook economy (Miller & Blair 2009, section 2.3), see also ``test_solve.py``::

    det(I - A) = 0.85 * 0.95 - 0.25 * 0.20 = 0.7575
    L = 1 / 0.7575 * [[0.95, 0.25], [0.20, 0.85]]
    x = L [600, 1500] = [945 / 0.7575, 1395 / 0.7575] = [1247.5247..., 1841.5841...]
    A x = x - y = [647.5247..., 341.5841...]         (resources = uses)
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import autarky
from autarky import Economy, NotProductiveError
from autarky.errors import AutarkyError
from autarky.io.results import to_json_dict
from autarky.solve import calc_L
from autarky.testing import assert_economy_equal, random_technology

DET = 0.85 * 0.95 - 0.25 * 0.20
X_CLOSED = np.array([945.0, 1395.0]) / DET
L_CLOSED = np.array([[0.95, 0.25], [0.20, 0.85]]) / DET
L_TEXTBOOK = np.array([[1.2541, 0.3300], [0.2640, 1.1221]])
IDS = ["agriculture", "manufacturing"]

# Flows of the textbook technology at x = [1000, 2000] (hand arithmetic):
#   Z = A diag(x) = [[0.15 * 1000, 0.25 * 2000], [0.20 * 1000, 0.05 * 2000]]
#     = [[150, 500], [200, 100]]
#   y = x - Z 1 = [1000 - (150 + 500), 2000 - (200 + 100)] = [350, 1700]
Z_HAND = [[150.0, 500.0], [200.0, 100.0]]
X_HAND = [1000.0, 2000.0]
Y_HAND = [350.0, 1700.0]


# ---------------------------------------------------------------------------- textbook
def test_textbook_balance(textbook):
    x = textbook.plan.balance().gross_output
    assert list(x.index) == IDS
    np.testing.assert_allclose(x.to_numpy(), [1247.52, 1841.58], atol=0.01)
    np.testing.assert_allclose(x.to_numpy(), X_CLOSED, rtol=1e-12)


def test_textbook_leontief_inverse(textbook, textbook_A):
    L = textbook.leontief_inverse()
    assert list(L.index) == IDS and list(L.columns) == IDS
    np.testing.assert_allclose(L.to_numpy(), L_TEXTBOOK, atol=1e-4)
    np.testing.assert_allclose(calc_L(textbook_A), L_TEXTBOOK, atol=1e-4)
    # 2x2 inverse in closed form: [[a, b], [c, d]]^-1 = 1/(ad - bc) [[d, -b], [-c, a]].
    # For I - A = [[0.85, -0.25], [-0.20, 0.95]]: 1/0.7575 * [[0.95, 0.25], [0.20, 0.85]].
    np.testing.assert_allclose(L.to_numpy(), L_CLOSED, rtol=1e-12)


def test_unit_final_demand_gives_a_column_of_L(textbook):
    # One unit of manufacturing for final use needs the second column of L.
    x = textbook.plan.balance({"manufacturing": 1.0}).gross_output
    np.testing.assert_allclose(x.to_numpy(), L_CLOSED[:, 1], rtol=1e-12)


def test_balance_of_an_explicit_vector(textbook):
    # Linearity: twice the final demand needs twice the output.
    x = textbook.plan.balance([1200.0, 3000.0]).gross_output
    np.testing.assert_allclose(x.to_numpy(), 2 * X_CLOSED, rtol=1e-12)


def test_balance_refuses_unknown_branches(textbook):
    with pytest.raises(AutarkyError, match="mining"):
        textbook.plan.balance({"mining": 1.0})
    with pytest.raises(AutarkyError, match="rows"):
        textbook.plan.balance([1.0, 2.0, 3.0])


def test_package_example():
    eco = autarky.Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600, 1500])
    assert eco.ids == ["b0", "b1"]
    np.testing.assert_allclose(eco.plan.balance().gross_output, X_CLOSED, rtol=1e-12)


# ---------------------------------------------------------------------------- flows
def test_from_flows_with_gross_output(textbook_A):
    eco = Economy.from_flows(Z_HAND, x=X_HAND, branches=IDS, units="USD million")
    np.testing.assert_allclose(eco.A, textbook_A, rtol=1e-15)
    np.testing.assert_allclose(eco.final_demand["total"], Y_HAND, rtol=1e-15)
    np.testing.assert_allclose(eco.reported_output, X_HAND, rtol=1e-15)
    same = Economy.from_coefficients(textbook_A, Y_HAND, branches=IDS, units="USD million",
                                     reported_output=X_HAND)
    assert_economy_equal(eco, same)
    # ... and the balance of y = [350, 1700] returns x = [1000, 2000].
    np.testing.assert_allclose(eco.plan.balance().gross_output, X_HAND, rtol=1e-12)


def test_from_flows_with_final_demand(textbook_A):
    # x = Z 1 + y = [650 + 350, 300 + 1700] = [1000, 2000]
    by_y = Economy.from_flows(Z_HAND, y=Y_HAND, branches=IDS, units="USD million")
    by_x = Economy.from_flows(Z_HAND, x=X_HAND, branches=IDS, units="USD million")
    assert_economy_equal(by_y, by_x)
    np.testing.assert_allclose(by_y.A, textbook_A, rtol=1e-15)


def test_from_flows_with_a_labelled_frame():
    Z = pd.DataFrame(Z_HAND, index=IDS, columns=IDS)
    eco = Economy.from_flows(Z, x=X_HAND)
    assert eco.ids == IDS


def test_from_flows_needs_x_or_y():
    with pytest.raises(AutarkyError, match="gross output x or final demand y"):
        Economy.from_flows(Z_HAND)


def test_from_flows_refuses_inputs_without_output():
    # Branch 1 uses 5 units of branch 0 but produces nothing: its coefficients are undefined.
    with pytest.raises(AutarkyError, match="zero gross output"):
        Economy.from_flows([[0.0, 5.0], [0.0, 0.0]], x=[10.0, 0.0])


# ---------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("technology", "message"),
    [
        ([[0.1, -0.2], [0.3, 0.1]], "negative"),
        ([[0.1, np.nan], [0.3, 0.1]], "non-finite"),
        ([[0.1, np.inf], [0.3, 0.1]], "non-finite"),
    ],
)
def test_bad_coefficients_are_refused(technology, message):
    with pytest.raises(AutarkyError, match=message):
        Economy.from_coefficients(technology, [1.0, 1.0])


def test_wrong_shapes_are_refused():
    branches = pd.DataFrame({"unit": ["t", "t"]}, index=["a", "b"])
    with pytest.raises(AutarkyError, match="final demand has 3 rows"):
        Economy(branches, np.zeros((2, 2)), [1.0, 2.0, 3.0])
    with pytest.raises(AutarkyError, match="factor coefficients"):
        Economy(branches, np.zeros((2, 2)), factors=pd.DataFrame({"unit": ["h"]}, index=["l"]),
                factor_coefficients=np.ones((1, 3)))
    with pytest.raises(AutarkyError, match="capacity"):
        Economy(branches, np.zeros((2, 2)), capacity=[1.0])


def test_duplicate_branch_ids_are_refused():
    with pytest.raises(AutarkyError, match="duplicate branch id"):
        Economy.from_coefficients(np.zeros((2, 2)), branches=["coal", "coal"])


def test_every_branch_needs_a_unit():
    branches = pd.DataFrame({"unit": ["t", None]}, index=["coal", "power"])
    with pytest.raises(AutarkyError, match="power"):
        Economy(branches, np.zeros((2, 2)))
    with pytest.raises(AutarkyError, match="unit"):
        Economy(pd.DataFrame(index=["coal"]), np.zeros((1, 1)))


def test_mixed_physical_units_are_carried(textbook):
    eco = Economy.from_coefficients([[0.0, 0.22], [0.025, 0.03]], [100.0, 50.0],
                                    branches=["electricity", "coal"],
                                    units=["million kWh", "thousand t"])
    assert eco.units.to_dict() == {"electricity": "million kWh", "coal": "thousand t"}
    assert eco.plan.balance().units.to_dict() == eco.units.to_dict()
    assert eco.plan.balance().table()["unit"].tolist() == ["million kWh", "thousand t"]


# ---------------------------------------------------------------------------- productiveness
# Three branches: agriculture (feeds only itself, 0.2, and uses a little coal) is fine; coal and
# power feed each other. For the 2x2 block B = [[a_cc, a_cp], [a_pc, a_pp]] the Hawkins-Simon
# conditions are that the leading principal minors of I - B are positive:
#     1 - a_cc > 0   and   (1 - a_cc)(1 - a_pp) - a_cp a_pc > 0,
# so the block fails exactly when a_cp a_pc >= (1 - a_cc)(1 - a_pp). With a_cc = 0.1 and
# a_pp = 0.2 the border is a_cp a_pc = 0.9 * 0.8 = 0.72.
BRANCHES_3 = ["agriculture", "coal", "power"]
UNITS_3 = ["thousand t", "thousand t", "million kWh"]


def three_branch(a_cp: float, a_pc: float) -> np.ndarray:
    A = np.zeros((3, 3))
    A[0, 0] = 0.2  # agriculture uses its own seed
    A[1, 0] = 0.1  # agriculture uses coal (coal feeds agriculture, not the other way)
    A[1, 1], A[2, 2] = 0.1, 0.2  # a_cc, a_pp
    A[1, 2] = a_cp  # coal per unit of power
    A[2, 1] = a_pc  # power per unit of coal
    return A


def test_not_productive_names_the_cycle():
    # a_cp a_pc = 0.9 * 0.9 = 0.81 > 0.72
    with pytest.raises(NotProductiveError) as info:
        Economy.from_coefficients(three_branch(0.9, 0.9), [1.0, 1.0, 1.0], branches=BRANCHES_3,
                                  units=UNITS_3)
    exc = info.value
    assert exc.branches == ["coal", "power"]
    message = str(exc)
    assert "coal" in message and "power" in message
    assert "agriculture" not in message
    # Perron root of the block [[0.1, 0.9], [0.9, 0.2]]: (tr + sqrt(tr^2 - 4 det)) / 2 with
    # tr = 0.3 and det = 0.02 - 0.81 = -0.79, i.e. (0.3 + sqrt(3.25)) / 2 = 1.0514; the whole
    # economy's radius is the larger of it and agriculture's 0.2.
    assert exc.spectral_radius == pytest.approx((0.3 + np.sqrt(3.25)) / 2, rel=1e-9)


def test_hawkins_simon_border():
    # Just inside the border: a_cp a_pc = 0.8 * 0.875 = 0.70 < 0.72: productive.
    eco = Economy.from_coefficients(three_branch(0.8, 0.875), [1.0, 1.0, 1.0],
                                    branches=BRANCHES_3, units=UNITS_3)
    assert np.all(eco.plan.balance().gross_output.to_numpy() > 0)
    # Just outside: 0.9 * 0.81 = 0.729 > 0.72: refused, with the same two branches named.
    with pytest.raises(NotProductiveError) as info:
        Economy.from_coefficients(three_branch(0.9, 0.81), [1.0, 1.0, 1.0],
                                  branches=BRANCHES_3, units=UNITS_3)
    assert info.value.branches == ["coal", "power"]


@pytest.mark.parametrize("a_ii", [1.0, 1.5])
def test_single_branch_that_uses_up_its_output(a_ii):
    with pytest.raises(NotProductiveError) as info:
        Economy.from_coefficients([[a_ii]], [1.0], branches=["steel"], units="t")
    assert info.value.branches == ["steel"]
    assert "steel" in str(info.value)
    # A 1x1 technology's spectral radius is its only entry.
    assert info.value.spectral_radius == pytest.approx(a_ii, rel=1e-12)


def test_one_bad_branch_among_good_ones():
    # Column sums in one unit: steel's column sums to 0.7 + 0.5 = 1.2 >= 1; steel alone uses
    # 0.7 of its own output, but with coal's 0.5 per unit of steel (and coal using 0.8 steel)
    # the cycle steel <-> coal fails: 0.5 * 0.8 = 0.4 > (1 - 0.7)(1 - 0.1) = 0.27.
    A = [[0.1, 0.8, 0.0], [0.5, 0.7, 0.0], [0.1, 0.1, 0.3]]
    with pytest.raises(NotProductiveError) as info:
        Economy.from_coefficients(A, [1.0, 1.0, 1.0], branches=["coal", "steel", "grain"],
                                  units="t")
    assert sorted(info.value.branches) == ["coal", "steel"]
    message = str(info.value)
    # The column whose coefficients sum to one or more is named.
    assert "Columns whose coefficients sum to one or more: steel" in message


def test_refusal_is_an_error_not_a_warning():
    # A user who turns warnings into errors must still get the NotProductiveError (with the
    # branch named), not a LinAlgWarning from the factorization that found I - A singular.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(NotProductiveError) as info:
            Economy.from_coefficients([[1.0]], [1.0], branches=["steel"], units="t")
    assert info.value.branches == ["steel"]


def test_check_productive_can_be_switched_off():
    eco = Economy.from_coefficients([[1.5]], [1.0], check_productive=False)
    assert eco.n == 1


# ---------------------------------------------------------------------------- immutability
def test_A_is_read_only(textbook):
    with pytest.raises(ValueError):
        textbook.A[0, 0] = 0.9
    assert textbook.A[0, 0] == 0.15


def test_sparse_A_is_read_only():
    eco = Economy.from_coefficients(sp.csr_array(np.array([[0.1, 0.2], [0.3, 0.1]])), [1, 1])
    assert eco.is_sparse
    with pytest.raises(ValueError):
        eco.A.data[0] = 0.9


def test_copy_false_keeps_the_callers_arrays_and_seals_them():
    """``copy=False`` stores the technology given without a copy, and the caller's arrays
    become read-only, so the economy's technology still cannot change under it."""
    A = sp.csr_array(np.array([[0.1, 0.2, 0.0], [0.3, 0.1, 0.0], [0.0, 0.2, 0.4]]))
    y = [1.0, 2.0, 3.0]
    eco = Economy.from_coefficients(A, y, copy=False)
    assert np.shares_memory(eco.A.data, A.data)
    for arr in (A.data, A.indices, A.indptr):
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = arr[0]
    dense = np.array([[0.1, 0.2], [0.3, 0.1]])
    e2 = Economy.from_coefficients(dense, [1.0, 1.0], copy=False)
    assert np.shares_memory(e2.A, dense)
    with pytest.raises(ValueError, match="read-only"):
        dense[0, 0] = 0.5
    # the answer is that of a copied economy: x = (I - A)^-1 y by hand for the dense one
    x = np.linalg.solve(np.eye(2) - np.array([[0.1, 0.2], [0.3, 0.1]]), [1.0, 1.0])
    assert e2.plan.balance().gross_output.to_numpy() == pytest.approx(x, rel=1e-12)
    # a view is copied: sealing it would seal the memory around it, and its base could
    # still be written
    base = np.array([[0.1, 0.2, 9.0], [0.3, 0.1, 9.0]])
    e3 = Economy.from_coefficients(base[:, :2], [1.0, 1.0], copy=False)
    base[0, 0] = 0.5
    assert e3.A.tolist() == [[0.1, 0.2], [0.3, 0.1]]


def test_copy_false_gives_the_arrays_back_when_construction_fails():
    """Not productive (column sums 1.4): refused, and the caller may fix A in place."""
    from autarky.errors import NotProductiveError

    A = np.array([[0.9, 0.5], [0.5, 0.9]])
    with pytest.raises(NotProductiveError):
        Economy.from_coefficients(A, [1.0, 1.0], copy=False)
    assert A.flags.writeable
    A[0, 0] = 0.1
    S = sp.csr_array(A)
    with pytest.raises(NotProductiveError):
        Economy.from_coefficients(S, [1.0, 1.0], copy=False)
    assert S.data.flags.writeable and S.indices.flags.writeable
    with pytest.raises(NotProductiveError):     # the diagnosis of a sparse technology
        Economy.from_coefficients(sp.csr_array(A), [1.0, 1.0])


def test_a_non_canonical_sparse_technology_is_not_rewritten_under_the_caller():
    """Duplicates and unsorted indices: the economy sums and sorts its own copy (default
    copy=True); the caller's matrix keeps its six stored entries in their order."""
    data = np.array([0.1, 0.05, 0.05, 0.2, 0.3, 0.1])
    indices = np.array([1, 0, 0, 1, 0, 1], dtype=np.int32)   # row 0: cols 1, 0, 0
    indptr = np.array([0, 3, 6], dtype=np.int32)             # row 1: cols 1, 0, 1
    M = sp.csr_array((data.copy(), indices.copy(), indptr.copy()), shape=(2, 2))
    eco = Economy.from_coefficients(M, [1.0, 1.0])
    np.testing.assert_allclose(eco.A.toarray(), [[0.1, 0.1], [0.3, 0.3]], rtol=1e-15)
    assert M.nnz == 6 and M.indices.tolist() == indices.tolist()
    assert M.data.tolist() == data.tolist()


def test_copy_false_still_copies_what_must_be_converted():
    """Integers, a list, a matrix in another format: converted, so a copy (the caller's
    object stays writeable)."""
    ints = np.array([[0, 0], [0, 0]])
    e = Economy.from_coefficients(ints, [1.0, 1.0], copy=False)
    ints[0, 0] = 1                      # not the economy's
    assert e.A.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    coo = sp.coo_array(np.array([[0.1, 0.0], [0.0, 0.2]]))
    e2 = Economy.from_coefficients(coo, [1.0, 1.0], copy=False)
    coo.data[0] = 0.5
    assert e2.A.toarray().tolist() == [[0.1, 0.0], [0.0, 0.2]]


def test_returned_frames_are_copies(textbook):
    # Each returned object is modified through a local name, as a user would.
    fd = textbook.final_demand
    fd.iloc[0, 0] = -1.0
    br = textbook.branches
    br.iloc[0, 0] = "changed"
    tech = textbook.technology
    tech.iloc[0, 0] = 0.9
    units = textbook.units
    units.iloc[0] = "changed"
    cap = textbook.capacity
    cap.iloc[0] = 1.0
    prov = textbook.provenance
    prov.loc[0] = ["x", "y", "z", "s", "n", True] + [None] * (prov.shape[1] - 6)
    assert textbook.final_demand.iloc[0, 0] == 600.0
    assert textbook.branches.iloc[0, 0] == "agriculture"
    assert textbook.technology.iloc[0, 0] == 0.15
    assert textbook.units.iloc[0] == "USD million"
    assert textbook.capacity.iloc[0] == np.inf
    assert len(textbook.provenance) == 0
    np.testing.assert_allclose(textbook.plan.balance().gross_output, X_CLOSED, rtol=1e-12)


def test_input_arrays_are_copied():
    A = np.array([[0.15, 0.25], [0.20, 0.05]])
    y = np.array([600.0, 1500.0])
    eco = Economy.from_coefficients(A, y)
    A[0, 0] = 0.9
    y[0] = 0.0
    assert eco.A[0, 0] == 0.15
    assert eco.final_demand.iloc[0, 0] == 600.0


def test_plan_is_immutable(textbook):
    plan = textbook.plan.balance()
    x = plan.gross_output
    x.iloc[0] = 0.0
    table = plan.table()
    table.iloc[0, 1] = 0.0
    used = plan.intermediate_use
    used.iloc[0] = 0.0
    fr = plan.factor_requirements
    fr.loc["x"] = ["u", 1.0, 1.0, 1.0]
    np.testing.assert_allclose(plan.intermediate_use, X_CLOSED - [600.0, 1500.0], rtol=1e-12)
    np.testing.assert_allclose(plan.table()["gross_output"], X_CLOSED, rtol=1e-12)
    np.testing.assert_allclose(plan.gross_output, X_CLOSED, rtol=1e-12)
    assert len(plan.factor_requirements) == 0
    with pytest.raises(AttributeError):
        plan.method = "other"  # type: ignore[misc]


def test_operations_return_new_economies(textbook):
    other = textbook.with_final_demand([1.0, 1.0])
    assert other is not textbook
    assert textbook.final_demand["total"].tolist() == [600.0, 1500.0]
    assert other.final_demand["total"].tolist() == [1.0, 1.0]
    swapped = textbook.reorder(IDS[::-1])
    assert textbook.ids == IDS and swapped.ids == IDS[::-1]
    kt = textbook.rescale("agriculture", 1000.0, "USD billion")
    assert textbook.units["agriculture"] == "USD million"
    assert kt.units["agriculture"] == "USD billion"


# ---------------------------------------------------------------------------- the Plan
def test_plan_table_resources_equal_uses(textbook):
    table = textbook.plan.balance().table()
    assert list(table.columns) == ["unit", "gross_output", "intermediate_use", "final_demand"]
    assert list(table.index) == IDS
    np.testing.assert_allclose(table["gross_output"],
                               table["intermediate_use"] + table["final_demand"], rtol=1e-12)
    # A x = x - y = [945 / 0.7575 - 600, 1395 / 0.7575 - 1500]
    np.testing.assert_allclose(table["intermediate_use"], X_CLOSED - [600.0, 1500.0],
                               rtol=1e-12)
    np.testing.assert_allclose(table["final_demand"], [600.0, 1500.0], rtol=1e-15)


def test_plan_table_with_reported_output():
    eco = Economy.from_flows(Z_HAND, x=X_HAND, branches=IDS)
    table = eco.plan.balance().table()
    assert list(table.columns) == ["unit", "gross_output", "intermediate_use", "final_demand",
                                   "reported", "deviation"]
    np.testing.assert_allclose(table["reported"], X_HAND, rtol=1e-15)
    # The balance reproduces the reported output, so the deviations are zero.
    np.testing.assert_allclose(table["deviation"], [0.0, 0.0], atol=1e-12)


def test_plan_categories_sum_to_final_demand():
    fd = pd.DataFrame({"consumption": [400.0, 1000.0], "investment": [200.0, 500.0]},
                      index=IDS)
    eco = Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], fd, branches=IDS)
    plan = eco.plan.balance()
    assert list(plan.final_demand.columns) == ["consumption", "investment"]
    np.testing.assert_allclose(plan.table()["final_demand"], [600.0, 1500.0], rtol=1e-15)
    np.testing.assert_allclose(plan.gross_output, X_CLOSED, rtol=1e-12)


def test_plan_to_json(textbook):
    d = to_json_dict(textbook.plan.balance())
    assert set(d["gross_output"]) == set(IDS)
    assert all(type(v) is float for v in d["gross_output"].values())
    np.testing.assert_allclose([d["gross_output"][b] for b in IDS], X_CLOSED, rtol=1e-12)
    assert d["units"] == {"agriculture": "USD million", "manufacturing": "USD million"}
    assert json.loads(json.dumps(d))["gross_output"] == d["gross_output"]


def test_factor_requirements_by_hand():
    # Labour 0.2 and 0.1 per unit: F x = (0.2 * 945 + 0.1 * 1395) / 0.7575 = 328.5 / 0.7575.
    factors = pd.DataFrame({"unit": ["thousand workers"], "availability": [1200.0]},
                           index=["labour"])
    eco = Economy.from_coefficients([[0.15, 0.25], [0.20, 0.05]], [600.0, 1500.0],
                                    branches=IDS, factors=factors,
                                    factor_coefficients=[[0.2, 0.1]])
    req = eco.plan.balance().factor_requirements
    assert req.loc["labour", "unit"] == "thousand workers"
    assert req.loc["labour", "required"] == pytest.approx(328.5 / DET, rel=1e-12)
    assert req.loc["labour", "available"] == 1200.0
    assert req.loc["labour", "utilisation"] == pytest.approx(328.5 / DET / 1200.0, rel=1e-12)
    d = to_json_dict(eco.plan.balance())
    assert d["factor_available"]["labour"] == 1200.0
    assert d["factor_required"]["labour"] == pytest.approx(328.5 / DET, rel=1e-12)
    assert d["variable_units"]["factor_required"] == "unit[factor]"


# ---------------------------------------------------------------------------- transformations
def test_reorder_by_hand(textbook):
    swapped = textbook.reorder(["manufacturing", "agriculture"])
    # P A P' with P the swap: [[a_22, a_21], [a_12, a_11]].
    np.testing.assert_array_equal(swapped.A, [[0.05, 0.20], [0.25, 0.15]])
    np.testing.assert_allclose(swapped.plan.balance().gross_output.to_numpy(), X_CLOSED[::-1],
                               rtol=1e-12)
    with pytest.raises(AutarkyError, match="permutation"):
        textbook.reorder(["agriculture", "agriculture"])


def test_rescale_by_hand():
    # Steel from t to thousand t (factor 1000): steel's row of A divides by 1000, its column
    # multiplies by 1000, its own coefficient stays.
    eco = Economy.from_coefficients([[0.1, 0.2], [0.3, 0.4]], [10.0, 20.0],
                                    branches=["steel", "coal"], units="t")
    kt = eco.rescale("steel", 1000.0, "thousand t")
    np.testing.assert_allclose(kt.A, [[0.1, 0.2 / 1000], [0.3 * 1000, 0.4]], rtol=1e-15)
    assert kt.final_demand.loc["steel", "total"] == pytest.approx(0.01, rel=1e-15)
    assert kt.units.to_dict() == {"steel": "thousand t", "coal": "t"}
    with pytest.raises(AutarkyError, match="positive"):
        eco.rescale("steel", 0.0, "none")


# ---------------------------------------------------------------------------- properties
@st.composite
def economies(draw, max_n: int = 12):
    """A random productive economy: non-negative A with column sums below one, positive y."""
    n = draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    sparse = draw(st.booleans())
    spectral = draw(st.floats(0.05, 0.95))
    density = draw(st.floats(0.1, 1.0))
    rng = np.random.default_rng(seed)
    A = random_technology(n, density=density, spectral=spectral, seed=rng, sparse=sparse)
    y = rng.uniform(0.5, 1000.0, n)
    k = draw(st.integers(0, 2))
    factors = pd.DataFrame({"unit": ["u"] * k, "availability": [np.nan] * k},
                           index=[f"f{i}" for i in range(k)])
    F = rng.uniform(0.0, 2.0, (k, n))
    ids = [f"branch-{i}" for i in range(n)]
    branches = pd.DataFrame({"unit": [f"unit-{i}" for i in range(n)]}, index=ids)
    return Economy(branches, A, y, factors=factors, factor_coefficients=F)


def _dense(A):
    return A.toarray() if sp.issparse(A) else np.asarray(A)


@settings(max_examples=50, deadline=None)
@given(economies())
def test_balance_holds(eco):
    # Column sums below one bound the spectral radius, so A is productive by construction.
    x = eco.plan.balance().gross_output.to_numpy()
    y = eco.final_demand.sum(axis=1).to_numpy()
    A = _dense(eco.A)
    np.testing.assert_allclose(x - A @ x, y, rtol=1e-9, atol=1e-9 * np.abs(y).max())
    assert np.all(x >= y * (1 - 1e-12))  # L >= I, so x = L y >= y for y >= 0


@settings(max_examples=50, deadline=None)
@given(economies(), st.data())
def test_reordering_reorders_the_answer_and_nothing_else(eco, data):
    order = data.draw(st.permutations(eco.ids))
    moved = eco.reorder(order)
    assert moved.ids == list(order)
    pos = [eco.ids.index(b) for b in order]
    np.testing.assert_array_equal(_dense(moved.A), _dense(eco.A)[np.ix_(pos, pos)])
    assert moved.units.to_dict() == eco.units.to_dict()
    p0, p1 = eco.plan.balance(), moved.plan.balance()
    for name in ("gross_output", "intermediate_use"):
        a, b = getattr(p0, name), getattr(p1, name)
        assert list(b.index) == list(order)
        np.testing.assert_allclose(b.loc[eco.ids].to_numpy(), a.to_numpy(), rtol=1e-9,
                                   atol=1e-12 * float(np.abs(a).max()))
    np.testing.assert_allclose(p1.factor_requirements["required"],
                               p0.factor_requirements["required"], rtol=1e-9)
    # Moving back gives the original economy exactly.
    assert_economy_equal(moved.reorder(eco.ids), eco, rtol=0.0)


@settings(max_examples=50, deadline=None)
@given(economies(), st.data())
def test_rescaling_a_unit_rescales_row_and_column(eco, data):
    k = data.draw(st.integers(0, eco.n - 1))
    s = data.draw(st.floats(1e-3, 1e3))
    branch = eco.ids[k]
    scaled = eco.rescale(branch, s, "new unit")
    assert scaled.units[branch] == "new unit"
    A0, A1 = _dense(eco.A), _dense(scaled.A)
    # a'_ij = a_ij * s_j / s_i with s_k = s and every other s_i = 1.
    S = np.ones(eco.n)
    S[k] = s
    np.testing.assert_allclose(A1, A0 / S[:, None] * S[None, :], rtol=1e-14)
    assert A1[k, k] == pytest.approx(A0[k, k], rel=1e-14)
    x0 = eco.plan.balance().gross_output.to_numpy()
    p1 = scaled.plan.balance()
    x1 = p1.gross_output.to_numpy()
    # The branch's output, in the new unit, is the old number divided by s; the rest is unchanged.
    np.testing.assert_allclose(x1 * S, x0, rtol=1e-8, atol=1e-12 * float(np.abs(x0).max()))
    np.testing.assert_allclose(p1.factor_requirements["required"].to_numpy(),
                               eco.plan.balance().factor_requirements["required"].to_numpy(),
                               rtol=1e-8)


@pytest.mark.parametrize("name", ["island", "dprk-1963", "three-year-plan"])
def test_a_new_final_demand_on_the_same_categories_keeps_the_factorization(name):
    # the same economy as a rebuild through the constructor, final imports following the new
    # final demand; and the domestic technology's factorization is the old one (not redone)
    from autarky import data

    eco = data.load(name).economy
    eco._domestic_solver()
    fd = eco.final_demand * 1.1
    fast = eco.replace(final_demand=fd)
    assert_economy_equal(fast, eco._rebuild({"final_demand": fd}))
    assert fast._cache["tech:solver"] is eco._cache["tech:solver"]
    np.testing.assert_allclose(fast.final_demand.to_numpy(), eco.final_demand.to_numpy() * 1.1)
