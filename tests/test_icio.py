"""The OECD ICIO reader (issue 11): small files written in each edition's exact layout (labels
with underscores, the TLS/VA/OUT rows, per-region TAXSUB rows, CN1/CN2 and MX1/MX2 after ROW),
each read back to the numbers the fixture wrote; and the messages for malformed files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autarky.cli.app import main
from autarky.errors import TableError
from autarky.mrio import MRIO
from autarky.mrio import embodied as E
from autarky.mrio.home import home_view
from autarky.mrio.icio import FINAL_DEMAND, read_icio, write_icio

REGIONS = ("ARG", "CHN", "DEU", "MEX", "ROW")
SECTORS_2023 = ("A01_02", "C17_18", "J62_63", "T")
SECTORS_2021 = ("01T02", "17T18", "62T63", "97T98")


def balanced(sectors: tuple[str, ...], seed: int = 7) -> MRIO:
    """A table whose rows and columns close: output = intermediate + final use = inputs +
    taxes less subsidies + value added. Inventories may be negative."""
    rng = np.random.default_rng(seed)
    R, S, C = len(REGIONS), len(sectors), len(FINAL_DEMAND)
    Z = np.round(rng.uniform(0, 50, (R * S, R * S)) * (rng.uniform(0, 1, (R * S, R * S)) < 0.7),
                 3)
    Y = np.round(rng.uniform(0, 200, (R * S, R * C)), 3)
    Y[:, FINAL_DEMAND.index("INVNT")::C] -= 5.0  # changes in inventories: negative entries
    x = Z.sum(axis=1) + Y.sum(axis=1)
    tls = np.round(0.02 * x, 3)
    va = x - Z.sum(axis=0) - tls
    assert (va > 0).all()
    return MRIO(REGIONS, sectors, FINAL_DEMAND, Z, Y, np.vstack([tls, va]), ("TLS", "VA"),
                unit="USD million")


def assert_same(a: MRIO, b: MRIO) -> None:
    assert a.regions == b.regions and a.sectors == b.sectors
    np.testing.assert_allclose(a.Z, b.Z, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(a.Y, b.Y, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(a.value_added, b.value_added, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12)


def test_the_2023_layout_reads_back(tmp_path: Path) -> None:
    t = balanced(SECTORS_2023)
    p = write_icio(t, tmp_path / "2020_SML.csv")
    text = p.read_text().splitlines()
    assert text[0].startswith("V1,ARG_A01_02,ARG_C17_18,ARG_J62_63,ARG_T,CHN_A01_02")
    assert text[0].endswith("ROW_INVNT,ROW_DPABR,OUT")
    assert [line.split(",", 1)[0] for line in text[-3:]] == ["TLS", "VA", "OUT"]
    back = read_icio(p)
    assert_same(back, t)
    assert back.value_added_rows == ("TLS", "VA")
    assert back.provenance["year"] == 2020 and back.provenance["format"] == "OECD ICIO"
    assert back.provenance["release"].startswith("2023")
    assert back.unit == "USD million"


def test_the_2021_layout_reads_back(tmp_path: Path) -> None:
    t = balanced(SECTORS_2021)
    p = write_icio(t, tmp_path / "ICIO2021_2018.csv", edition="2021")
    text = p.read_text().splitlines()
    assert text[0].startswith(",ARG_01T02,") and text[0].endswith(",ROW_DPABR,TOTAL")
    labels = [line.split(",", 1)[0] for line in text]
    assert labels[-7:] == [f"{r}_TAXSUB" for r in REGIONS] + ["VALU", "OUTPUT"]
    back = read_icio(p)
    assert_same(back, t)  # the per-region TAXSUB rows add up to the one TLS row written
    assert back.provenance["year"] == 2018 and back.provenance["release"].startswith("2021")


def test_china_and_mexico_splits_merge_exactly_or_stay_apart(tmp_path: Path) -> None:
    t = balanced(SECTORS_2023)
    p = write_icio(t, tmp_path / "2019.csv", split={"CHN": (0.3, 0.7), "MEX": (0.5, 0.5)})
    header = p.read_text().split("\n", 1)[0].split(",")
    # the parts come after ROW, and have no final-demand columns
    assert header.index("CN1_A01_02") > header.index("ROW_T")
    assert "CN1_HFCE" not in header and "CHN_HFCE" in header
    assert_same(read_icio(p), t)  # merged back into CHN and MEX
    kept = read_icio(p, splits="keep")
    assert kept.regions == (*REGIONS, "CN1", "CN2", "MX1", "MX2")
    chn, cn1 = kept.region_slice("CHN"), kept.region_slice("CN1")
    assert not kept.Z[chn].any() and not kept.Z[:, chn].any()
    np.testing.assert_allclose(kept.x[cn1], 0.3 * t.x[t.region_slice("CHN")], rtol=1e-12)


def test_a_zip_holding_the_year(tmp_path: Path) -> None:
    t = balanced(SECTORS_2023)
    csv = write_icio(t, tmp_path / "2018_SML.csv")
    z = tmp_path / "2016-2020_SML.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(csv, "2018_SML.csv")
    back = read_icio(z)
    assert_same(back, t)
    assert back.provenance["file"].endswith("2016-2020_SML.zip::2018_SML.csv")
    assert back.provenance["year"] == 2018


def test_the_home_view_of_an_icio_table(tmp_path: Path) -> None:
    t = read_icio(write_icio(balanced(SECTORS_2023), tmp_path / "2020_SML.csv"))
    eco = home_view(t, "DEU", {"China": ["CHN"], "Americas": ["ARG", "MEX"], "rest": "*"})
    np.testing.assert_allclose(eco.plan.balance().gross_output.to_numpy(),
                               t.x[t.region_slice("DEU")], rtol=1e-12)
    # every unit of DEU's final demand is value added (TLS included) somewhere
    va = E.value_added_in_final_demand(t, "DEU")
    assert va.sum() == pytest.approx(E.final_demand_of(t, "DEU").sum(), rel=1e-10)
    # price identity of the view: inputs plus value added per unit of output is one
    A = eco.technology.to_numpy()
    v = np.asarray(eco.array("value_added"))
    np.testing.assert_allclose(A.sum(axis=0) + v, 1.0, rtol=1e-10)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _bad(tmp_path: Path) -> Path:
    return write_icio(balanced(SECTORS_2023), tmp_path / "2020_SML.csv")


@pytest.mark.parametrize(("change", "message", "where"), [
    (lambda p: _edit(p, "\nDEU_C17_18,", "\nDEUC17x18,"),
     "does not split into REGION_CODE", "row DEUC17x18"),
    (lambda p: _edit(p, ",DEU_J62_63,", ",DEU_X99,"),
     "neither a code of the rows nor a final-demand code", "column DEU_X99"),
    (lambda p: _edit(p, ",ROW_HFCE,", ",ROW_HFCX,"),
     "neither a code of the rows nor a final-demand code", "column ROW_HFCX"),
])
def test_malformed_labels_are_named(tmp_path: Path, change, message: str, where: str) -> None:
    p = _bad(tmp_path)
    change(p)
    with pytest.raises(TableError, match=message) as err:
        read_icio(p)
    assert str(p) in str(err.value) and where in str(err.value)


def test_totals_that_do_not_match_are_named(tmp_path: Path) -> None:
    t = balanced(SECTORS_2023)
    p = write_icio(t, tmp_path / "2020_SML.csv")
    lines = p.read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("MEX_C17_18,"))
    cells = lines[k].split(",")
    cells[1] = str(float(cells[1]) + 10.0)  # a flow 10 USD million more than its row's OUT
    lines[k] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(TableError, match=r"row MEX/C17_18: totals do not match") as err:
        read_icio(p)
    assert "tolerance 0.01 % + 1 USD million" in str(err.value)
    assert read_icio(p, atol=11.0).regions == REGIONS  # a looser tolerance, stated
    # the output row and the output column must agree
    q = write_icio(t, tmp_path / "2021_SML.csv")
    lines = q.read_text().splitlines()
    cells = lines[-1].split(",")
    cells[2] = str(float(cells[2]) + 10.0)
    lines[-1] = ",".join(cells)
    q.write_text("\n".join(lines) + "\n")
    with pytest.raises(TableError, match=r"row OUT, column ARG_C17_18: totals do not match: "
                                         r"the output row says"):
        read_icio(q)


def test_a_negative_flow_and_a_missing_block(tmp_path: Path) -> None:
    p = _bad(tmp_path)
    lines = p.read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("ARG_T,"))
    cells = lines[k].split(",")
    cells[3] = "-" + cells[3] if not cells[3].startswith("-") else cells[3]
    cells[3] = cells[3] if float(cells[3]) != 0 else "-1.5"
    lines[k] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(TableError, match=r"negative intermediate flow .* from ARG/T to "
                                         r"ARG/J62_63"):
        read_icio(p, atol=1e9)
    (tmp_path / "b").mkdir()
    q = _bad(tmp_path / "b")
    lines = q.read_text().splitlines()
    drop = lines[0].split(",").index("DEU_T")
    q.write_text("\n".join(",".join(c for j, c in enumerate(line.split(",")) if j != drop)
                           for line in lines) + "\n")
    with pytest.raises(TableError, match=r"not square: no column for the row.* DEU_T"):
        read_icio(q)


def test_the_command_line_reads_icio_and_names_bad_input(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    p = write_icio(balanced(SECTORS_2023), tmp_path / "2020_SML.csv")
    assert main(["reliance", f"icio:{p}", "--home", "DEU", "--group", "China=CHN",
                 "--group", "rest=*", "--format", "json"]) == 0
    capsys.readouterr()
    _edit(p, "\nDEU_C17_18,", "\nDEUC17x18,")
    assert main(["import", "icio", str(p), "--home", "DEU", "--out", str(tmp_path / "s")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "does not split into REGION_CODE" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_the_dependence_command_side_by_side(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The command prints the two views of each partner; its CSV reads back with pandas into
    the numbers of :func:`autarky.mrio.dependence.partner_dependence`."""
    import pandas as pd

    from autarky.mrio.dependence import partner_dependence

    p = write_icio(balanced(SECTORS_2023), tmp_path / "2020_SML.csv")
    groups = ["--group", "China=CHN", "--group", "rest=*"]
    capsys.readouterr()
    assert main(["dependence", f"icio:{p}", "--home", "DEU", *groups, "--format", "csv"]) == 0
    got = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("partner")
    want = partner_dependence(read_icio(p), "DEU", {"China": ["CHN"], "rest": "*"})
    np.testing.assert_allclose(got[["imports", "value_added"]].to_numpy(),
                               want[["imports", "value_added"]].to_numpy(), rtol=1e-12)
    assert main(["dependence", f"icio:{p}", "--home", "DEU", *groups]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Dependence of DEU on each partner, two ways" in text and "China" in text


def test_the_dependence_command_cuts_a_partner_off(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from autarky.mrio.cutoff import cutoff_two_ways

    p = write_icio(balanced(SECTORS_2023), tmp_path / "2020_SML.csv")
    capsys.readouterr()
    assert main(["dependence", f"icio:{p}", "--home", "DEU", "--group", "China=CHN",
                 "--group", "rest=*", "--cutoff", "China", "--weeks", "12", "--duration", "4",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    want = cutoff_two_ways(read_icio(p), "DEU", ["CHN"], weeks=12, duration=4)
    got = {r["measure"]: r for r in doc["cutoff"]["losses"]}
    for m in want.index:
        assert got[m]["through the whole system"] == pytest.approx(
            want.loc[m, "through the whole system"], rel=1e-12)
    assert want.loc["home output lost", "through the whole system"] > 0
    assert main(["dependence", f"icio:{p}", "--home", "DEU", "--cutoff", "Mars"]) == 2


def test_the_command_line_keeps_the_splits_and_stresses_a_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``icio:FILE@keep`` keeps CN1/CN2 apart; a table seen from a region runs a stress test
    (its branches' capacity is their output in the table)."""
    import json

    p = write_icio(balanced(SECTORS_2023), tmp_path / "2019.csv", split={"CHN": (0.3, 0.7)})
    capsys.readouterr()
    assert main(["reliance", f"icio:{p}@keep", "--home", "DEU", "--group", "China=CN1,CN2",
                 "--group", "rest=*", "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["stress", f"icio:{p}", "--home", "DEU", "--group", "China=CHN",
                 "--group", "rest=*", "--shock", "partner:China", "--weeks", "8",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["fulfilment"] <= doc["fulfilment_base"] + 1e-9
    assert doc["fulfilment_base"] == pytest.approx(1.0, rel=1e-6)  # today's output, no more
