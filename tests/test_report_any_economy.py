"""A report for any economy (issue 10, item 1): the general pages speak in the scenario's own
names, units and currency; a page appears only where its data exist and every link points to a
page that is written; ``report`` of the case's scenario and ``demo`` share one path."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest

from autarky.cli.app import main
from autarky.io.output import MANIFEST

#: Names of the bundled case study that no other economy's report may print.
CASE_WORDS = ["Soviet", "USSR", "China", "Chinese", "won", "Koh", "Robinson", "source line",
              "Seven Year Plan", "DPRK", "North Korea", "Pyongyang", "1963", "Ch'ollima",
              "patron"]


def pages(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


def write(capsys: pytest.CaptureFixture[str], *argv: str) -> None:
    assert main(list(argv)) == 0, capsys.readouterr().err
    capsys.readouterr()


@pytest.fixture(scope="module")
def island(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("island") / "rep"
    assert main(["report", "island", "--out", str(out)]) == 0
    return pages(out)


def test_island_pages_are_the_ones_its_data_support(island: dict[str, str]) -> None:
    # partners but no horizon: the balance and the self-reliance page, nothing else
    assert sorted(island) == ["index.html", "reliance.html", "uncertainty.html"]


@pytest.mark.parametrize("word", CASE_WORDS)
def test_island_report_names_nothing_of_the_bundled_case(word: str,
                                                         island: dict[str, str]) -> None:
    for name, text in island.items():
        # inline data (the tables' CSV downloads, the figures' images) is percent- or
        # base64-encoded: its digits are not words; the CSVs' text is checked decoded
        page = re.sub(r"(href|xlink:href)='data:[^']*'", "", text)
        svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
        page = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)  # coordinates are not words
        labels = [c for svg in svgs for c in re.findall(r"<!-- (.*?) -->", svg)]  # figure text
        csvs = [urllib.parse.unquote(h) for h in re.findall(r"href='data:text/csv[^,]*,([^']*)'",
                                                             text)]
        assert labels and csvs
        for part in (page, *labels, *csvs):
            assert not re.search(rf"\b{re.escape(word)}\b", part), (name, word)


def test_island_report_speaks_its_own_terms(island: dict[str, str]) -> None:
    index, rel = island["index.html"], island["reliance.html"]
    assert "Island economy (synthetic)" in index and "EUR million" in index
    for partner in ("Northland", "Southland"):
        assert partner in index and partner in rel
    assert "Dependence on each partner" in rel


def _links(text: str) -> set[str]:
    """Links to other files (inline ``data:`` images of the figures are part of the page)."""
    found = set(re.findall(r"href=['\"]([^'\"#]+)['\"]", text))
    assert not [f for f in found if f.startswith(("http:", "https:", "//"))]  # self-contained
    return {f for f in found if not f.startswith("data:")}  # inline figures and table CSVs


@pytest.mark.parametrize("argv", [["report", "island"], ["report", "seven-year-plan"],
                                  ["report", "textbook"], ["demo"]])
def test_every_link_points_to_a_written_page(argv: list[str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rep"
    write(capsys, *argv, "--out", str(out))
    written = pages(out)
    for name, text in written.items():
        assert "name='viewport'" in text, name
        for link in _links(text):
            assert link in written, (name, link)
    others = set(written) - {"index.html"}
    assert _links(written["index.html"]) == others  # the balance page links every other page


def test_report_of_the_case_scenario_and_demo_share_one_path(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    write(capsys, "demo", "--out", str(tmp_path / "demo"))
    write(capsys, "report", "dprk-1963", "--out", str(tmp_path / "report"))
    a, b = pages(tmp_path / "demo"), pages(tmp_path / "report")
    assert sorted(a) == ["index.html", "monitoring.html", "plans.html", "reliance.html",
                         "uncertainty.html"]
    assert a == b  # byte for byte (reports are reproducible)
    assert (tmp_path / "demo" / MANIFEST).is_file()


@pytest.mark.parametrize("name", ["island", "dprk-1963", "textbook"])
def test_heat_map_caption_is_true_of_its_rows(name: str) -> None:
    """'Each row sums to 100' is printed only where the uses of each product (inputs to every
    branch, final demand, exports) add up to its supply (output + imports), computed here from
    the plan's own tables."""
    import numpy as np

    from autarky import data
    from autarky.report.html import section_interlinkage

    eco = data.load(name)
    plan = eco.plan.balance()
    x = plan.gross_output.to_numpy()
    supply = x + plan.imports.sum(axis=0).reindex(eco.ids).fillna(0.0).to_numpy()
    uses = (eco.technology.to_numpy() * x[np.newaxis, :]).sum(axis=1) \
        + plan.final_demand.sum(axis=1).to_numpy() \
        + plan.exports.sum(axis=0).reindex(eco.ids).fillna(0.0).to_numpy()
    closes = bool(np.allclose(uses, supply, rtol=1e-9))
    html = section_interlinkage(eco, plan)
    assert ("Each row sums to 100" in html) == closes
    assert closes  # the bundled economies balance exactly
    assert "per cent of supply (output + imports)" in html  # the colour bar's scale


def test_chart_values_show_on_hover(island: dict[str, str]) -> None:
    """Every bar and point of the self-reliance charts carries its value as an SVG <title>
    (a browser's tooltip; no script), with unique ids across the page's figures."""
    from autarky import data

    page = island["reliance.html"]
    tips = re.findall(r'<g id="(tip\d+-[0-9a-f]{8})"><title>([^<]*)</title>', page)
    assert len(tips) > 20
    assert len({gid for gid, _ in tips}) == len(tips)
    ind = data.load("island").reliance.indicators().table
    want = f"manufacturing — direct import share: {100 * ind.loc['manufacturing', 'import_share']:.1f} %"
    assert want in [t for _, t in tips]


def _cut_off_rows(html: str) -> list[list[str]]:
    table = html[html.index("What a cut-off would cost"):]
    table = table[table.index("<table"):table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r,
                                                                    flags=re.S)] for r in rows]


def _pct(cell: str) -> float:
    return float(cell.replace("%", "").replace("\u2212", "-").strip()) / 100.0


@pytest.mark.parametrize("baseline", ["optimal", "target"])
def test_cut_off_losses_are_against_the_baseline_asked_for(baseline: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    """The page names the baseline, and each row's loss follows from its fulfilment: ``1 -
    after / before`` against the optimal plan (its fulfilment in the text), ``max(0, 1 -
    after)`` against the target."""
    write(capsys, "report", "island", "--out", str(tmp_path / "r"), "--baseline", baseline)
    html = (tmp_path / "r" / "reliance.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    rows = _cut_off_rows(html)
    assert [r[0] for r in rows] == ["Northland", "Southland"]
    if baseline == "optimal":
        m = re.search(r"the loss is measured against the optimal plan before the shock "
                      r"\(fulfilment ([\d.]+) %\)", text)
        assert m, text[text.index("What a cut-off"):][:900]
        before = float(m.group(1)) / 100.0
        for r in rows:
            assert _pct(r[2]) == pytest.approx(1 - _pct(r[1]) / before, abs=1.5e-3)
        assert "re-planned loss against the optimal plan" in html
    else:
        assert "the loss is measured against the target (every home final use met in full)" \
            in text
        for r in rows:
            assert _pct(r[2]) == pytest.approx(max(0.0, 1 - _pct(r[1])), abs=1e-3)
        assert "re-planned loss against the target" in html
