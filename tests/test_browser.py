"""The report in a real browser (issue 10): Playwright for Python drives Debian's ``chromium``
(installed by ``make test``; never ``playwright install``). Every page of the bundled case's
report and of the synthetic Island economy's is loaded at 1400 px and at 390 px (a phone); a
page fails on a console error, a broken image or link, content wider than the screen, ``NaN``
or ``inf`` in its text, and, for the Island economy, any name of the bundled case."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from autarky.cli.app import main

WIDTHS = (1400, 390)
CASE_WORDS = re.compile(r"\b(Soviet|USSR|China|Chinese|won|Koh|Robinson|source lines?|Seven Year "
                        r"Plan|DPRK|North Korea|Pyongyang|1963|patrons?)\b")
NOT_A_NUMBER = re.compile(r"\b(NaN|nan|inf|Infinity)\b")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("reports")
    assert main(["demo", "--out", str(root / "case")]) == 0
    assert main(["report", "island", "--out", str(root / "island")]) == 0
    assert main(["report", "three-year-plan", "--out", str(root / "reconstruction")]) == 0
    return {"case": root / "case", "island": root / "island",
            "reconstruction": root / "reconstruction"}



def cases() -> list[tuple[str, str, int]]:
    pages = {"case": ["index.html", "plans.html", "reliance.html", "monitoring.html",
                      "uncertainty.html"],
             "island": ["index.html", "reliance.html", "uncertainty.html"],
             "reconstruction": ["reconstruction.html", "mobilisation.html"]}
    return [(r, p, w) for r, ps in pages.items() for p in ps for w in WIDTHS]


@pytest.mark.parametrize(("report", "page", "width"), cases(),
                         ids=[f"{r}-{p}-{w}px" for r, p, w in cases()])
def test_page_in_chromium(report: str, page: str, width: int, reports: dict[str, Path],
                          browser: Any) -> None:
    folder = reports[report]
    assert (folder / page).is_file()
    tab = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    failed: list[str] = []
    tab.on("requestfailed", lambda r: failed.append(r.url))
    tab.goto((folder / page).as_uri())
    tab.wait_for_load_state("load")
    assert errors == [], errors
    assert failed == [], failed
    broken = tab.evaluate("[...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                          ".map(i => i.src)")
    assert broken == [], broken
    # every link leads to a page of the same folder that exists (no network: self-contained)
    hrefs = tab.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute"
                         "('href'))")
    for href in hrefs:
        assert not href.startswith(("http:", "https:", "//")), href
        if not href.startswith("data:"):
            assert (folder / href.split("#")[0]).is_file(), href
    # each table's CSV link holds that table: its header, and as many rows
    tables = tab.evaluate(
        "[...document.querySelectorAll('div.table')].map(d => ({"
        "head: [...d.querySelectorAll('thead th')].map(t => t.textContent.trim()),"
        "rows: d.querySelectorAll('tbody tr').length,"
        "csv: d.nextElementSibling.querySelector('a.csv').getAttribute('href')}))")
    for t in tables:
        text = urllib.parse.unquote(t["csv"].split(",", 1)[1])
        rows = list(csv.reader(io.StringIO(text)))
        assert [h.removesuffix(" (%)") for h in rows[0]] == t["head"]
        assert len(rows) - 1 == t["rows"]
    # nothing wider than the screen: wide tables and figures scroll inside their own box
    scroll, client = tab.evaluate("[document.documentElement.scrollWidth, "
                                  "document.documentElement.clientWidth]")
    assert scroll <= client + 1, f"{page} is {scroll} px wide on a {client} px screen"
    text = tab.evaluate("document.body.innerText")
    assert not NOT_A_NUMBER.search(text), NOT_A_NUMBER.search(text)
    if report == "island":
        hit = CASE_WORDS.search(text)
        assert hit is None, hit
    tab.close()


def test_the_overflow_and_number_checks_can_fail(tmp_path: Path, browser: Any) -> None:
    """Control: a page wider than a phone and a NaN in the text are caught by the same
    measurements the page tests use."""
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><head><meta name='viewport' content='width=device-width'>"
                   "</head><body><div style='width:2000px'>wide</div><p>value NaN</p></body></html>")
    tab = browser.new_page(viewport={"width": 390, "height": 900})
    tab.goto(bad.as_uri())
    scroll, client = tab.evaluate("[document.documentElement.scrollWidth, "
                                  "document.documentElement.clientWidth]")
    assert scroll > client + 1
    assert NOT_A_NUMBER.search(tab.evaluate("document.body.innerText"))
    tab.close()
