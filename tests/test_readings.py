"""Readings of ambiguous claims weighed by the other claims (autarky.monitor.readings), against
hand-worked evidence; the bundled claims of other sources with their provenance.

Value reading, same design: levels 100 (1949) and 60 (1953), 1956 three times 1953, and "1956
is 1.8 times 1949" (or 1.3, an OCR alternative), all with sigma 0.05. Read as 1.8 the four agree
(chi2 = 0). Read as 1.3 the loop ``a, b, c - b, c - a`` misses by ``e = log(1.8/1.3)``; with
equal deviations each of the four claims takes ``e/4``: ``chi2 = 4 (e/4)^2 / sigma^2 =
e^2 / (4 sigma^2)``. The design and deviations are the same, so the Bayes factor of 1.3 against
1.8 is ``exp(-chi2/2) = exp(-e^2 / (8 sigma^2))``.

Structural reading, a new level: x(1949) = 100 and x(1956) = 180 (sigma 0.05) and "1956 is
1.8 times pre-war", pre-war 1949 as read or 1939. Both fit exactly (chi2 = 0). As read: 3
claims, 2 levels, ``J'WJ = [[2, -1], [-1, 2]] / sigma^2``, ``|C| = sigma^4 / 3``. Read as 1939: 3
claims, 3 levels, ``J`` square with determinant 1, ``|C| = sigma^6``. With the evidence of the
module, ``log Z = -sum log sigma - (n - r) log(2 pi)/2 + log|C|/2 - r log w``, the Bayes factor
of 1939 against 1949 is ``sqrt(2 pi) sqrt(sigma^6 / (sigma^4 / 3)) / w = sigma sqrt(6 pi) / w``:
the reading nothing can check pays for its free level.
"""

from __future__ import annotations

import json
import math

import pytest

from autarky import data
from autarky.cli.app import main
from autarky.economy.claims import SOURCE_TYPES, Claim, Reading
from autarky.errors import BadValueError, ScenarioError
from autarky.io.claims import claims_yaml_items, read_claims
from autarky.monitor.audit import SOURCE_WEIGHTS, audit
from autarky.monitor.readings import AS_READ, audit_readings

S = 0.05


def loop(value: float, *alternatives: float) -> list[Claim]:
    return [Claim("a", "level", "x", 100.0, "t", year=1949, sigma=S),
            Claim("b", "level", "x", 60.0, "t", year=1953, sigma=S),
            Claim("c", "ratio", "x", 3.0, "times", year=1956, base_year=1953, sigma=S),
            Claim("d", "ratio", "x", value, "times", year=1956, base_year=1949, sigma=S,
                  readings=tuple(Reading(f"OCR {a:g}", value=a) for a in alternatives))]


def test_value_reading_bayes_factor_by_hand() -> None:
    r = audit_readings(loop(1.8, 1.3))
    e = math.log(1.8 / 1.3)
    t = r.readings.set_index("reading")
    assert t.loc["OCR 1.3", "bayes_factor"] == pytest.approx(math.exp(-e**2 / (8 * S**2)),
                                                             rel=1e-9)
    assert t.loc[AS_READ, "bayes_factor"] == pytest.approx(1.0)
    # equal priors: the posterior odds are the Bayes factor
    bf = math.exp(-e**2 / (8 * S**2))
    assert t.loc["OCR 1.3", "posterior"] == pytest.approx(bf / (1 + bf), rel=1e-9)
    assert r.chosen() == {"d": AS_READ}
    assert r.best.chi2 == pytest.approx(0.0, abs=1e-18)
    # read the other way round, the same evidence picks 1.8
    back = audit_readings(loop(1.3, 1.8)).readings.set_index("reading")
    assert back.loc["OCR 1.8", "bayes_factor"] == pytest.approx(1 / bf, rel=1e-9)
    # the chi-square of the wrong reading is e^2 / (4 sigma^2)
    combos = audit_readings(loop(1.8, 1.3)).combinations.set_index("d")
    assert combos.loc["OCR 1.3", "chi2"] == pytest.approx(e**2 / (4 * S**2), rel=1e-9)


def test_priors_move_the_posterior_not_the_bayes_factor() -> None:
    claims = loop(1.8)
    claims[-1] = Claim(**{**claims[-1].__dict__,
                          "readings": (Reading("OCR 1.3", value=1.3, prior=9.0),)})
    t = audit_readings(claims).readings.set_index("reading")
    e = math.log(1.8 / 1.3)
    bf = math.exp(-e**2 / (8 * S**2))
    assert t.loc["OCR 1.3", "prior"] == pytest.approx(0.9)
    assert t.loc["OCR 1.3", "bayes_factor"] == pytest.approx(bf, rel=1e-9)
    assert t.loc["OCR 1.3", "posterior"] == pytest.approx(9 * bf / (1 + 9 * bf), rel=1e-9)


@pytest.mark.parametrize("width", [math.log(1000.0), 2.0])
def test_a_reading_nothing_checks_pays_for_its_level(width: float) -> None:
    claims = [Claim("a", "level", "x", 100.0, "t", year=1949, sigma=S),
              Claim("b", "level", "x", 180.0, "t", year=1956, sigma=S),
              Claim("d", "ratio", "x", 1.8, "times", year=1956, base_year=1949, sigma=S,
                    readings=(Reading("pre-war = 1939", base_year=1939),))]
    t = audit_readings(claims, width=width).readings.set_index("reading")
    assert t.loc["pre-war = 1939", "bayes_factor"] == pytest.approx(
        S * math.sqrt(6 * math.pi) / width, rel=1e-9)
    assert t.loc["pre-war = 1939", "changes"] == "base_year 1949 -> 1939"


def test_one_claim_at_a_time_beyond_the_limit() -> None:
    claims = loop(1.8, 1.3)
    claims[0] = Claim(**{**claims[0].__dict__, "readings": (Reading("120", value=120.0),)})
    r = audit_readings(claims, max_combinations=3)
    assert r.method.startswith("one claim at a time")
    assert len(r.combinations) == 3
    full = audit_readings(claims)
    assert len(full.combinations) == 4
    with pytest.raises(BadValueError, match="no claim has other readings"):
        audit_readings(loop(1.8))
    with pytest.raises(BadValueError, match="width"):
        audit_readings(loop(1.8, 1.3), width=0)


def test_source_weights_widen_the_deviation() -> None:
    base = Claim("g", "growth", "x", 0.18, "fraction per year", 1967, 1960)
    plain = audit([base, Claim("l", "level", "x", 1.0, "t", year=1960)]).claims
    for t in SOURCE_TYPES:
        typed = Claim(**{**base.__dict__, "source_type": t})
        got = audit([typed, Claim("l", "level", "x", 1.0, "t", year=1960)]).claims
        assert got.loc[0, "sigma"] == pytest.approx(plain.loc[0, "sigma"] * SOURCE_WEIGHTS[t])
    given = Claim(**{**base.__dict__, "source_type": "WEAK", "sigma": 0.1})
    assert audit([given]).claims.loc[0, "sigma"] == pytest.approx(0.1)


def test_readings_file_round_trip_and_errors(tmp_path) -> None:
    c = Claim("p", "ratio", "x", 20.0, "times", 1967, 1944, source_type="archive",
              source="a memo", quote="20 times",
              readings=(Reading("1949", prior=2.0, base_year=1949, note="n"),))
    p = tmp_path / "c.yaml"
    p.write_text("claims:\n" + claims_yaml_items([c]))
    back = read_claims(p)["p"]
    assert back.readings == c.readings and back.source_type == "archive"
    assert back.quote == "20 times"
    text = p.read_text()
    for old, new, words in [("source_type: archive", "source_type: RUMOUR", "source_type"),
                            ("prior: 2.0", "prior: -1", "prior"),
                            ("base_year: 1949", "base_yr: 1949", "unknown field"),
                            ("- name: '1949'", "- nom: '1949'", "unknown field")]:
        assert old in text, old
        bad = tmp_path / "bad.yaml"
        bad.write_text(text.replace(old, new))
        with pytest.raises(ScenarioError, match=words) as err:
            read_claims(bad)
        assert err.value.line is not None


def test_research_claims_carry_their_provenance() -> None:
    """Every claim of other sources names its source, its type and the text it was read in,
    and the text is in the research file (where that file is at hand)."""
    from pathlib import Path

    claims = read_claims(data.dataset("research-claims").path)
    research = Path(__file__).resolve().parents[2] / "shared" / "research" / "dprk-sources.md"
    text = research.read_text(encoding="utf-8") if research.exists() else None
    assert len(claims) >= 15
    for c in claims.claims:
        assert c.source_type in SOURCE_TYPES, c.id
        assert c.source and c.quote, c.id
        if text is not None:
            assert c.quote in text, c.id


def test_bundled_readings_audit() -> None:
    """The source's '20 times pre-war' read against the other sources: pre-war = 1949 (the
    Soviet memos' 'prewar year'), with which the plan's 1967 target is 20.5 times 1949
    (3.2 x 6.4), is preferred to 1944; the 34.8 % of 1954-63 is not a rate from 1953."""
    from autarky.cases import case_for

    r = case_for("claims").readings_audit()
    t = r.readings.set_index(["claim", "reading"])
    assert t.loc[("seven-year-plan-output-vs-prewar", "pre-war = 1949"), "bayes_factor"] > 150
    assert t.loc[("industrial-growth-1954-1963", "from 1953"), "bayes_factor"] < 1 / 150
    assert abs(t["posterior"].groupby(level="claim").sum() - 1).max() < 1e-12


def test_cli_audit_readings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "claims", "research-claims", "--readings", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["chosen"]["seven-year-plan-output-vs-prewar"] == "pre-war = 1949"
    assert main(["audit", "claims", "research-claims", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["result"] == "claims audit"
    assert main(["audit", "claims", "--readings"]) == 0
    assert "Bayes factor" in capsys.readouterr().out
    assert main(["audit", "dprk-1963"]) == 2
    assert "not a claims file" in capsys.readouterr().err


def test_one_at_a_time_compares_with_the_others_as_read() -> None:
    """Beyond the limit each claim's readings are weighed with the other claims as read: the
    Bayes factor is the evidence of (this reading, the others as read) over (all as read)."""
    claims = [Claim("a", "level", "x", 100.0, "t", year=1949, sigma=S),
              Claim("b", "level", "x", 60.0, "t", year=1953, sigma=S),
              Claim("c", "ratio", "x", 3.0, "times", year=1956, base_year=1953, sigma=S,
                    readings=(Reading("2.2", value=2.2),)),
              Claim("d", "ratio", "x", 1.3, "times", year=1956, base_year=1949, sigma=S,
                    readings=(Reading("1.8", value=1.8),))]
    r = audit_readings(claims, max_combinations=3)
    comb = r.combinations.set_index(["c", "d"])["log_evidence"]
    t = r.readings.set_index(["claim", "reading"])
    assert t.loc[("c", "2.2"), "bayes_factor"] == pytest.approx(
        math.exp(comb[("2.2", AS_READ)] - comb[(AS_READ, AS_READ)]), rel=1e-9)
    assert t.loc[("d", "1.8"), "bayes_factor"] == pytest.approx(
        math.exp(comb[(AS_READ, "1.8")] - comb[(AS_READ, AS_READ)]), rel=1e-9)
    # the conditional posterior of a claim's readings sums to one
    assert t.loc["c", "posterior"].sum() == pytest.approx(1.0)


def test_a_reading_must_be_auditable_like_the_claim() -> None:
    bad = [Claim("a", "level", "x", 100.0, "t", year=1949, sigma=S),
           Claim("d", "ratio", "x", 1.8, "times", year=1956, base_year=1949, sigma=S,
                 readings=(Reading("same year", year=1949),))]
    with pytest.raises(BadValueError, match="other data"):
        audit_readings(bad)
    neg = [bad[0], Claim("d", "ratio", "x", 1.8, "times", year=1956, base_year=1949,
                         sigma=S, readings=(Reading("negative", value=-1.3),))]
    with pytest.raises(BadValueError, match=r"claim 'd'.*ratio of -1\.3 is impossible"):
        audit_readings(neg)


def test_a_value_reading_drops_the_alternatives_it_tests() -> None:
    c = Claim("d", "ratio", "x", 1.8, "times", year=1956, base_year=1949, unclear=True,
              alternatives=(1.3,), readings=(Reading("1.3", value=1.3),))
    read = c.readings[0].apply(c)
    assert read.alternatives == () and not read.unclear
    assert Reading("b", base_year=1950).apply(c).alternatives == (1.3,)


def test_reading_of_a_field_the_kind_lacks_is_refused(tmp_path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("claims:\n  - {id: l, kind: level, quantity: x, value: 1, unit: t, year: 1960,\n"
                 "     readings: [{name: b, base_year: 1949}]}\n")
    with pytest.raises(ScenarioError, match="no base_year"):
        read_claims(p)
