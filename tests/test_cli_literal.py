"""Names are text (issue 16): any printable string as a scenario's name or a branch id goes
through ``validate``, ``balance`` and ``reliance`` unchanged and appears verbatim in what they
print: terminal markup (``[/]``, ``[bold red]``), emoji codes (``:100:``), ``$``, ``%`` and
backslashes are text; control characters are shown escaped, never sent to the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autarky import Economy
from autarky.cli.app import literal, main
from autarky.io.writer import write_scenario

#: Printable characters, markup and the like included (no whitespace but the plain space).
printable = st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs",
                                              "Mn", "Me", "Mc"),
                          include_characters=" ")
names = st.text(printable, min_size=1, max_size=10).map(str.strip).filter(bool)
TRICKY = ["[/]", "[bold red]x", ":100:", "$\\x$", "%s %d", "a\\b", "[link=file:///etc]y[/link]",
          ":thumbs_up: [", "\\[escaped]"]


def _scenario(tmp: Path, name: str, branch: str) -> Path:
    eco = Economy.from_coefficients([[0.1, 0.2], [0.3, 0.1]], [10.0, 20.0],
                                    branches=[branch, "other" if branch != "other" else "b"],
                                    units="t", name=name)
    return write_scenario(eco, tmp / "s.yaml")


def _check(path: Path, name: str, branch: str, capsys: pytest.CaptureFixture[str]) -> None:
    for cmd in ("validate", "balance", "reliance"):
        assert main([cmd, str(path)]) == 0, capsys.readouterr().err
        text = capsys.readouterr().out
        assert name in text, (cmd, name, text[:600])
        if cmd != "validate":
            assert branch in text, (cmd, branch, text[:600])


@pytest.mark.parametrize("tricky", TRICKY)
def test_markup_and_emoji_codes_are_text(tricky, tmp_path, capsys):
    _check(_scenario(tmp_path, f"economy {tricky}", tricky), f"economy {tricky}", tricky,
           capsys)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=names, branch=names)
def test_any_printable_name_is_printed_verbatim(name, branch, tmp_path_factory, capsys):
    tmp = tmp_path_factory.mktemp("literal")
    if branch == "other":
        branch = "other2"
    _check(_scenario(tmp, name, branch), name, branch, capsys)


def test_control_characters_reach_the_terminal_escaped(tmp_path, capsys):
    path = _scenario(tmp_path, "red\x1b[31malert", "steel")
    assert main(["balance", str(path)]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "red\\x1b[31malert" in text
    assert literal("bell\x07") == "bell\\x07"


def test_a_report_takes_math_like_names_and_shared_display_names(tmp_path, capsys):
    """A branch id ``$\\x$ 50%`` is text in every chart (not mathtext), and two partners with
    the same display name are two partners (issue 16)."""
    import re

    assert main(["data", "export", "island", str(tmp_path / "s")]) == 0
    path = tmp_path / "s" / "island.yaml"
    head, sep, body = path.read_text().partition("branches:")  # the id, not the prose
    text = head + sep + re.sub(r"\bagriculture\b", lambda _: "'$\\x$ 50%'", body)
    path.write_text(text.replace("name: Southland", "name: Northland"))
    capsys.readouterr()
    assert main(["report", str(path), "--out", str(tmp_path / "r")]) == 0, \
        capsys.readouterr().err
    page = (tmp_path / "r" / "index.html").read_text()
    assert "$\\x$ 50%" in page
    reliance = (tmp_path / "r" / "reliance.html").read_text()
    assert reliance.count("<td>Northland</td>") >= 2  # both partners' rows


def _page_text(html: str) -> str:
    """The text a browser shows of ``html`` (tags dropped, entities decoded)."""
    from html.parser import HTMLParser

    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    Text(convert_charrefs=True).feed(html)
    return "".join(parts)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # drawn as a box, still text
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=names, branch=names)
def test_any_printable_name_is_shown_verbatim_in_the_report(name, branch, tmp_path_factory,
                                                            capsys):
    """The same property for ``report``: the page shows the scenario's name and the branch id
    as given (HTML-escaped in the file, so the browser's text is the name itself)."""
    tmp = tmp_path_factory.mktemp("literal-report")
    if branch == "other":
        branch = "other2"
    path = _scenario(tmp, name, branch)
    assert main(["report", str(path), "--out", str(tmp / "r")]) == 0, capsys.readouterr().err
    shown = _page_text((tmp / "r" / "index.html").read_text())
    assert name in shown, (name, shown[:400])
    assert branch in shown, (branch, shown[:400])


def test_markup_in_ids_and_the_path_for_every_table_command(tmp_path, capsys):
    """The issue's exact case: ``[/]`` (and an emoji code) in a partner id, a factor id and the
    folder's path ends no table command in a markup error; the ids print verbatim."""
    import re

    folder = tmp_path / "r[/]x :100:"
    assert main(["data", "export", "island", str(folder)]) == 0
    path = folder / "island.yaml"
    partner, factor = "n[/]x :100: [bold red]", "l[/]:thumbs_up:"
    text = re.sub(r"\bnorthland\b", lambda _: f"'{partner}'", path.read_text())
    path.write_text(re.sub(r"\blabour\b", lambda _: f"'{factor}'", text))
    capsys.readouterr()
    runs = {"validate": [], "balance": [], "optimize": [], "plan": [], "reliance": [],
            "stress": ["--shock", "capacity:agriculture:0.5", "--weeks", "8"],
            "criticality": []}
    for cmd, extra in runs.items():
        rc = main([cmd, str(path), *extra])
        out, err = capsys.readouterr()
        assert rc in (0, 1, 2), (cmd, rc, err)
        assert "Traceback" not in err and "MarkupError" not in err, (cmd, err)
        if rc == 2:  # a refusal names what it refuses, e.g. plan without a horizon
            assert "horizon" in err or "plan" in err, (cmd, err)
        shown = {"balance": [factor], "optimize": [partner, factor], "reliance": [partner],
                 "criticality": [partner]}.get(cmd, [])
        assert all(i in out for i in shown), (cmd, shown, out[:800])
