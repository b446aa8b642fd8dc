"""Export offers without a limit: the structured max-min plan gives them the limit labour and
capacity imply (the same feasible set), answers, and is checked in the program as posed."""

from __future__ import annotations

import numpy as np

from autarky.plan.optimize import build_model
from autarky.plan.structured import solve_structured, with_implied_export_limits
from autarky.testing import random_open_economy as open_economy


def test_unlimited_export_offers_no_longer_turn_the_structured_plan_away() -> None:
    eco = open_economy(60, 5)
    model = build_model(eco)
    declined = solve_structured(model)
    assert declined.result is None and "export" in declined.reason
    work = with_implied_export_limits(model)
    assert work is not model
    block = model.builder.blocks["export"]
    assert np.isinf(model.lp.col_upper[block]).any() and np.isfinite(work.lp.col_upper[block]).all()
    plan = eco.plan.optimize(method="structured")
    lp = eco.plan.optimize(method="lp")
    assert plan.certificate["method"] == "structured"
    assert plan.certificate["max_violation"] <= 1e-7
    assert abs(plan.fulfilment - lp.fulfilment) <= 1e-8 * lp.fulfilment
