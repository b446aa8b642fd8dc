"""Exported claims audit as the bundled ones: the case's links and assumption travel with the
claims, marked by their ``added`` field, and a claim's own ``sigma`` is honoured."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from autarky import data
from autarky.cli.app import main
from autarky.economy.claims import Claim
from autarky.errors import ScenarioError
from autarky.io.claims import claims_yaml_items, read_claims, read_claims_csv
from autarky.monitor.audit import audit


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    assert main(["audit", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_exported_claims_audit_as_the_bundled(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "export", "claims", str(tmp_path / "out")]) == 0
    exported = tmp_path / "out" / "claims.yaml"
    by_name = _cli_json(capsys, "claims")
    from_file = _cli_json(capsys, str(exported))
    assert from_file.pop("claims_file") == str(exported)
    assert by_name.pop("claims_file") == "claims"
    assert from_file == by_name

    claims = read_claims(exported)
    added = {c.id: c.added for c in claims.claims if c.added}
    # the two links (plan base = reported base, 1944 and 1960) and the one assumption
    assert sorted(added.values()) == ["assumption", "link", "link"]
    source_only = [c for c in claims.claims if not c.added]
    assert len(source_only) == len(data.load_claims())
    # and they matter: without them the pre-war loop is not joined to the plan
    alone = audit(source_only)
    whole = audit(claims)
    assert set(whole.claims["id"]) - set(alone.claims["id"]) == set(added)
    assert whole.chi2 != pytest.approx(alone.chi2)
    marked = whole.claims.set_index("id")["added"]
    assert (marked[list(added)] == pd.Series(added)).all()
    assert (marked.drop(list(added)) == "").all()


def test_the_export_keeps_the_source_file_and_its_comments(tmp_path: Path) -> None:
    path = data.export("claims", tmp_path)
    text = path.read_text(encoding="utf-8")
    original = data.dataset("claims").path.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert "Added by autarky, not in the source" in text[len(original):]


def test_a_claims_own_sigma_is_the_sigma_mapping() -> None:
    """Two routes to one weight: the ``sigma`` field and the ``sigma=`` mapping give the same fit;
    the mapping wins over the field."""
    base = [Claim("l", "level", "x", 100.0, "t", year=1960),
            Claim("r", "ratio", "x", 3.2, "times", year=1967, base_year=1960),
            Claim("g", "growth", "x", 0.18, "fraction per year", year=1967, base_year=1960)]
    field = [base[0], base[1], Claim("g", "growth", "x", 0.18, "fraction per year", year=1967,
                                     base_year=1960, sigma=0.05)]
    by_map = audit(base, sigma={"g": 0.05})
    by_field = audit(field)
    assert by_field.chi2 == pytest.approx(by_map.chi2, rel=1e-12)
    np.testing.assert_allclose(by_field.claims["sigma"], by_map.claims["sigma"])
    # the ratio 3.2 over 7 years is 18.1 % a year against 18 % stated: a closed form
    fitted = by_field.series.set_index("year")["value"]
    assert fitted[1967] / fitted[1960] == pytest.approx(
        np.exp(np.average([np.log(3.2), 7 * np.log(1.18)],
                          weights=[1 / by_field.claims.sigma[1] ** 2, 1 / 0.05 ** 2])), rel=1e-9)
    overridden = audit(field, sigma={"g": 0.5})
    assert overridden.claims.set_index("id").loc["g", "sigma"] == 0.5


def test_claims_yaml_items_read_back(tmp_path: Path) -> None:
    claims = [Claim("a", "level", "x", 1.5, "t", year=1960, line=3, ocr="1.5 t",
                    alternatives=(1.6, 1.7), added="link", sigma=1e-6),
              Claim("b", "share", "y", 0.25, "fraction", year=1960, of="x", confidence=0.4,
                    unclear=True, added="assumption")]
    p = tmp_path / "c.yaml"
    p.write_text("source: {citation: test}\nclaims:\n" + claims_yaml_items(claims))
    back = read_claims(p)
    assert back.claims == tuple(claims)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("added", "guess", "added must be 'link' or 'assumption'"),
    ("sigma", "0", "sigma must be a positive number"),
    ("sigma", "-0.1", "sigma must be a positive number"),
])
def test_bad_added_or_sigma_names_the_field(tmp_path: Path, field: str, value: str,
                                            message: str) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("claims:\n  - {id: a, kind: level, quantity: x, value: 1, unit: t, year: 1960,\n"
                 f"     {field}: {value}}}\n")
    with pytest.raises(ScenarioError, match=message) as err:
        read_claims(p)
    assert err.value.field == f"claims.0.{field}" and err.value.line == 2
    q = tmp_path / "c.csv"
    q.write_text(f"id,kind,quantity,value,unit,year,{field}\na,level,x,1,t,1960,{value}\n")
    with pytest.raises(ScenarioError) as err2:
        read_claims_csv(q)
    assert err2.value.line == 2 and field in str(err2.value)
