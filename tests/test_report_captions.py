"""Every chart of the self-reliance page says what its numbers are, on economies the report has
never seen: synthetic open economies of 3-5 branches and two partners, drawn from a seed. The
values are read back from the charts themselves (each bar and point carries its value as an
SVG ``<title>``) and checked against numbers computed here with numpy from the scenario's own
tables: the Leontief balance with competitive import shares,

    x = (I - (I - S) A)^-1 ((I - S) f + e),   S = diag(sum over partners of s_p),

self-sufficiency ``x / (A x + f)``, the direct import share ``s`` as written, and the import
content ``m' (I - A_d)^-1`` split by partner. The cost-of-autarky curve starts at the optimal
plan's fulfilment (named in the cut-off text) and cannot rise as imports are capped harder.
"""

from __future__ import annotations

import html
import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from autarky.cli.app import main

PARTNERS = ("Alphaland", "Betaland")
#: Half a unit of the last digit the charts print (a share as 11.3 % or 6.507 %).
HALF = 5.1e-4


def synthetic_yaml(seed: int) -> tuple[str, dict[str, np.ndarray]]:
    """A scenario (YAML text) and the arrays it was written from."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 6))
    ids = [f"sector-{chr(97 + i)}" for i in range(n)]
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.7)
    A = np.round(A * (rng.uniform(0.2, 0.6, n) / np.maximum(A.sum(axis=0), 1e-9)), 3)
    f = np.round(rng.uniform(50, 500, n))
    s = np.round(rng.uniform(0, 0.25, (2, n)) * (rng.uniform(0, 1, (2, n)) < 0.8), 3)
    e = np.round(rng.uniform(0, 80, (2, n)) * (rng.uniform(0, 1, (2, n)) < 0.6))
    labour = np.round(rng.uniform(0.005, 0.03, n), 4)

    def row(values: np.ndarray) -> str:
        return "{" + ", ".join(f"{b}: {v:g}" for b, v in zip(ids, values, strict=True)) + "}"

    lines = [
        f"name: Synthetic economy {seed}",
        "source: 'Drawn by the test suite from a seed'",
        "year: 2030",
        "currency: CHF million",
        "branches:",
        *[f"  - {{id: {b}, unit: CHF million, group: other}}" for b in ids],
        "technology:",
        *[f"  {b}: {row(A[i])}" for i, b in enumerate(ids)],
        f"final_demand: {row(f)}",
        f"prices: {row(np.ones(n))}",
        "factors:",
        "  - {id: labour, unit: thousand workers, availability: %g," % (2.0 * labour @ f * 3),
        f"     coefficients: {row(labour)}}}",
        "partners:",
        *[f"  - {{id: {p.lower()}, name: {p}}}" for p in PARTNERS],
        "import_shares:",
        *[f"  {p.lower()}: {row(s[k])}" for k, p in enumerate(PARTNERS)],
        "exports:",
        *[f"  {p.lower()}: {row(e[k])}" for k, p in enumerate(PARTNERS)],
        "import_prices:",
        *[f"  {p.lower()}: {row(np.ones(n))}" for p in PARTNERS],
        "export_prices:",
        *[f"  {p.lower()}: {row(np.ones(n))}" for p in PARTNERS],
    ]
    return "\n".join(lines) + "\n", {"A": A, "f": f, "s": s, "e": e, "ids": np.array(ids)}


def chart_values(svg: str, *, paths: bool = False) -> dict[str, dict[str, float]]:
    """``{series: {label: value}}`` from the SVG's hover titles: ``label — series: value`` on a
    bar chart, ``series — label: value`` on a chart of paths."""
    out: dict[str, dict[str, float]] = {}
    for t in re.findall(r"<title>(.*?)</title>", svg):
        head, value = html.unescape(t).rsplit(": ", 1)
        label, series = head.split(" — ", 1)
        if paths:
            label, series = series, label
        number = float(value.replace("%", "").replace("\u2212", "-"))
        out.setdefault(series, {})[label] = number / 100 if value.endswith("%") else number
    return out


def figure(page: str, title: str) -> str:
    i = page.index(title)
    return page[page.rindex("<svg", 0, i):page.index("</svg>", i)]


@pytest.fixture(scope="module", params=[11, 12, 13])
def synthetic(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[str, dict[str, np.ndarray]]:
    text, arrays = synthetic_yaml(request.param)
    folder = tmp_path_factory.mktemp(f"synthetic{request.param}")
    (folder / "economy.yaml").write_text(text, encoding="utf-8")
    assert main(["report", str(folder / "economy.yaml"), "--out", str(folder / "r")]) == 0
    return (folder / "r" / "reliance.html").read_text(encoding="utf-8"), arrays


def balance(a: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gross output, the domestic technology and the import coefficients per partner."""
    A, f, s, e = a["A"], a["f"], a["s"], a["e"]
    keep = np.diag(1.0 - s.sum(axis=0))
    Ad = keep @ A
    x = np.linalg.solve(np.eye(len(f)) - Ad, keep @ f + e.sum(axis=0))
    return x, Ad, s[:, :, np.newaxis] * A[np.newaxis, :, :]


def test_self_sufficiency_chart_is_output_over_home_use(synthetic) -> None:
    page, a = synthetic
    x, _, _ = balance(a)
    values = chart_values(figure(page, "Self-sufficiency and import dependence by product"))
    home_use = a["A"] @ x + a["f"]
    for i, b in enumerate(a["ids"]):
        assert values["self-sufficiency"][b] == pytest.approx(x[i] / home_use[i], abs=HALF)
        assert values["direct import share"][b] == pytest.approx(a["s"][:, i].sum(), abs=HALF)


def test_import_content_by_partner_stacks_to_the_total(synthetic) -> None:
    """Per unit of each final product, partner p's import content is ``1' M_p (I - A_d)^-1``
    (its inputs bought abroad, direct and indirect); the stacked bars add to the total import
    content drawn beside self-sufficiency."""
    page, a = synthetic
    _, Ad, Mp = balance(a)
    L = np.linalg.inv(np.eye(len(a["f"])) - Ad)
    stacked = chart_values(figure(page, "Import content by partner, per unit of each final"))
    total = chart_values(figure(page, "Self-sufficiency and import dependence by product"))
    for k, p in enumerate(PARTNERS):
        content = Mp[k].sum(axis=0) @ L
        for i, b in enumerate(a["ids"]):
            assert stacked[p].get(b, 0.0) == pytest.approx(content[i], abs=HALF)
    for b in a["ids"]:
        assert sum(stacked[p].get(b, 0.0) for p in PARTNERS) == pytest.approx(
            total["total import content"][b], abs=3 * HALF)


def test_cost_curve_starts_at_the_optimal_plan_and_never_rises(synthetic) -> None:
    page, _ = synthetic
    text = re.sub(r"<[^>]+>", "", page)
    m = re.search(r"against the optimal plan before the shock \(fulfilment ([\d.]+) %\)", text)
    assert m
    curve = chart_values(figure(page, "Fulfilment of the target as imports are capped"),
                         paths=True)
    plain = curve["without economies of scale"]
    caps = sorted(plain, key=lambda c: -float(c.rsplit(" ", 1)[1]))  # 1.0 (today) first
    assert plain[caps[0]] == pytest.approx(float(m.group(1)) / 100, abs=6e-4)
    path = [plain[c] for c in caps]
    assert all(b <= a * (1 + 1e-3) for a, b in itertools.pairwise(path))


def test_cut_off_chart_is_shaded_over_the_weeks_the_text_names(synthetic) -> None:
    page, _ = synthetic
    svg = figure(page, "a 13-week cut-off")
    assert "cut-off (weeks 1-13)" in svg
    values = chart_values(svg, paths=True)
    assert set(values) == set(PARTNERS)
    for series in values.values():
        weeks = sorted(int(w.split()[1]) for w in series)
        assert weeks == list(range(1, 53))  # the year simulated, every week drawn


def test_synthetic_pages_have_no_nan_or_inf(synthetic) -> None:
    page, _ = synthetic
    text = re.sub(r"<svg.*?</svg>|data:[^']*", "", page, flags=re.S)
    assert not re.search(r"\b(nan|inf)\b", text, flags=re.I)
    assert "CHF million" in text and "Alphaland" in text


def test_the_generator_writes_what_it_says(tmp_path: Path) -> None:
    """The arrays the checks use are the scenario's (read back by autarky)."""
    from autarky import read_scenario

    text, a = synthetic_yaml(11)
    (tmp_path / "e.yaml").write_text(text, encoding="utf-8")
    eco = read_scenario(tmp_path / "e.yaml").economy
    np.testing.assert_allclose(eco.technology.to_numpy(), a["A"])
    np.testing.assert_allclose(np.asarray(eco.array("import_shares")), a["s"])
    x, _, _ = balance(a)
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(), x, rtol=1e-9)
