"""``autarky products``: the HS6 products an importer depends on, from BACI or UN Comtrade
trade files (:mod:`autarky.products`)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from autarky.cli.app import Format, FormatOpt, app, examples, out, working
from autarky.errors import BadValueError

if TYPE_CHECKING:
    import pandas as pd


class Criteria(StrEnum):
    eu2021 = "eu2021"
    geodep = "geodep"


#: The columns shown (table) and their headings, by criteria.
SHOWN = {
    "eu2021": [("importer", "importer"), ("product", "product"),
               ("extra_imports", "extra-bloc imports"), ("hhi", "HHI"),
               ("extra_share", "extra / total imports"),
               ("imports_over_exports", "extra imports / exports"),
               ("top_supplier", "top supplier"), ("top_supplier_share", "its share")],
    "geodep": [("importer", "importer"), ("product", "product"), ("imports", "imports"),
               ("hhi_imports", "HHI imports"), ("hhi_world", "HHI world exports"),
               ("imports_over_exports", "imports / exports"), ("years_met", "years met"),
               ("top_supplier", "top supplier"), ("top_supplier_share", "its share")],
}


def parse_blocs(bloc: list[str] | None) -> dict[str, frozenset[str]]:
    """``--bloc NAME=CODE,CODE`` (or ``--bloc EU27``, the 27 member states) options."""
    from autarky.products import EU27

    blocs: dict[str, frozenset[str]] = {}
    for b in bloc or []:
        name, eq, codes = b.partition("=")
        name = name.strip()
        if not eq and name.upper() == "EU27":
            members = EU27
        elif not eq or not name or not codes.strip():
            raise typer.BadParameter(f"{b!r}: write NAME=CODE,CODE (or EU27 for the 27 member "
                                     "states)", param_hint="'--bloc'")
        else:
            members = frozenset(c.strip() for c in codes.split(",") if c.strip())
        if name in blocs:
            raise typer.BadParameter(f"bloc {name!r} given twice", param_hint="'--bloc'")
        blocs[name] = members
    return blocs


def _source_line(prov: dict[str, Any]) -> str:
    """Where the trade figures come from, for a caption."""
    parts = prov.get("parts") or [prov]
    files = ", ".join(Path(str(p.get("file", "?"))).name for p in parts)
    what = " ".join(str(prov[k]) for k in ("source", "release", "hs") if prov.get(k))
    lic = f"; licence: {prov['licence']}" if prov.get("licence") else ""
    return f"Source: {what or 'trade data'} ({files}){lic}"


def _criteria_line(attrs: dict[str, Any]) -> str:
    th = attrs["thresholds"]
    if attrs["criteria"] == "eu2021":
        rule = (f"EU 2021 (SWD(2021) 352): dependent when the HHI of extra-bloc imports > "
                f"{th['concentration']:g}, extra-bloc / total imports > {th['extra_demand']:g} and "
                f"extra-bloc imports / the importer's exports > {th['substitutability']:g}")
    else:
        lo, hi = attrs["window"]
        rule = (f"GeoDep (CEPII): dependent when the HHI of imports > "
                f"{th['import_concentration']:g}, the HHI of world exports > "
                f"{th['world_concentration']:g} and imports / exports > "
                f"{th['substitutability']:g} (9999 where exports are null) in at least "
                f"{attrs['min_years']} of the years {lo}-{hi} (data for "
                f"{', '.join(map(str, attrs['years_observed']))})")
    return rule


def _area_name(name: str, attrs: dict[str, Any], blocs: dict[str, frozenset[str]]) -> str:
    """How a caption names the area whose outside is "extra-bloc" for the importer ``name``."""
    area, members = set(attrs["extra_to"][name]), set(attrs["importers"][name])
    if area == members:
        return name
    return next((b for b, codes in blocs.items() if set(codes) | members == area),
                f"{len(area)} countries")


def _doc(m: pd.DataFrame, shown: pd.DataFrame) -> dict[str, Any]:
    a = m.attrs
    return {"criteria": a["criteria"], "year": a["year"], "reference": a["reference"],
            "thresholds": a["thresholds"], "units": a["units"], "importers": a["importers"],
            "extra_to": a["extra_to"], "source": a["source"],
            **({"window": a["window"], "min_years": a["min_years"],
                "years_observed": a["years_observed"]} if a["criteria"] == "geodep" else {}),
            "measured": len(m), "dependent": int(m["dependent"].sum()),
            "products": shown.to_dict("records")}


@app.command("products", epilog=examples(
    'autarky products BACI_HS17_Y2021_V202301.csv --countries country_codes_V202301.csv '
    '--importer DEU --bloc EU27',
    'autarky products BACI_HS17_Y2019_V202301.csv BACI_HS17_Y2020_V202301.csv '
    'BACI_HS17_Y2021_V202301.csv --countries country_codes_V202301.csv --importer EU27 '
    '--bloc EU27 --criteria geodep --format csv'))
def products_cmd(
    files: Annotated[list[Path], typer.Argument(
        metavar="TRADE_FILE", help="BACI trade files (t,i,j,k,v,q; one a year) or UN "
                                      "Comtrade Plus CSVs, told apart by their header.")],
    importer: Annotated[list[str], typer.Option(
        "--importer", help="A country code (ISO3 with --countries) or the NAME of a --bloc; "
                           "repeat it. A country inside a --bloc is measured on its imports "
                           "from outside the bloc.")],
    bloc: Annotated[list[str] | None, typer.Option(
        "--bloc", help="A bloc NAME=CODE,CODE (or EU27, the 27 member states); repeat it.")] =
        None,
    countries: Annotated[Path | None, typer.Option(
        "--countries", help="BACI's country_codes_V<release>.csv: exporters and importers as "
                            "ISO3 codes instead of BACI's numbers.")] = None,
    year: Annotated[int | None, typer.Option(
        "--year", help="The year measured (GeoDep: the last of its three-year window); "
                       "default the latest in the files.")] = None,
    criteria: Annotated[Criteria, typer.Option(
        "--criteria", help="eu2021: the European Commission's 2021 criteria (SWD(2021) 352); "
                           "geodep: CEPII's GeoDep criteria (needs the years of the window).")]
        = Criteria.eu2021,
    all_products: Annotated[bool, typer.Option(
        "--all", help="Every product the importer imports, dependent or not.")] = False,
    top: Annotated[int | None, typer.Option(
        "--top", min=1, help="Only the N products with the largest imports of each importer.")]
        = None,
    format: FormatOpt = Format.table,
) -> None:
    """The HS6 products an importer (a country or a bloc) depends on, with the measures of the
    criteria (import concentration, importance of extra-bloc demand, substitutability; GeoDep
    adds the concentration of world exports and a three-year window), their units and the
    source of the trade data."""
    from autarky.cli.render import fmt, print_json
    from autarky.products import CRITERIA, concat_trade, read_trade

    blocs = parse_blocs(bloc)
    names = list(dict.fromkeys(i.strip() for i in importer if i.strip()))
    if not names:
        raise BadValueError("--importer: give a country code or the name of a --bloc")
    chosen: dict[str, frozenset[str]] = {n: blocs.get(n, frozenset({n})) for n in names}
    frames = []
    for f in files:
        with working(f"reading {f}"):
            frames.append(read_trade(f, countries))
    trade = concat_trade(frames)
    with working(f"measuring the {criteria.value} criteria"):
        m = CRITERIA[criteria.value](trade, chosen, bloc=blocs or None, year=year)
    value = "extra_imports" if criteria is Criteria.eu2021 else "imports"
    m_sorted = (m if all_products else m[m["dependent"].to_numpy(bool)]).sort_values(
        ["importer", value], ascending=[True, False], ignore_index=True,
        kind="stable")
    if top is not None:
        m_sorted = m_sorted.groupby("importer", sort=False).head(top).reset_index(drop=True)
    unit = m.attrs["units"][value]
    if format is Format.json:
        print_json(_doc(m, m_sorted))
        return
    if format is Format.csv:
        sys.stdout.write(m_sorted.assign(value_unit=unit).to_csv(index=False))
        return
    cols = SHOWN[criteria.value]
    areas = "; ".join(f"{n}: outside {_area_name(n, m.attrs, blocs)}" for n in m.attrs["extra_to"])
    pairs = "products" if len(m.attrs["importers"]) == 1 else "importer-product pairs"
    title = (f"{'Products measured' if all_products else 'Dependent products'} "
             f"({criteria.value}, {m.attrs['year']}): {int(m['dependent'].sum())} dependent of "
             f"the {len(m)} imported {pairs}")
    t = Table(title=title, caption=(f"{_criteria_line(m.attrs)}. Imports in {unit}; HHI and "
                                    f"ratios without unit. Extra-bloc = {areas}. "
                                    f"{_source_line(m.attrs['source'])}."),
              caption_justify="left")
    for key, head in cols:
        t.add_column(head, justify="left" if key in ("importer", "product", "top_supplier")
                     else "right")
    for _, r in m_sorted.iterrows():
        cells = []
        for key, _head in cols:
            v = r[key]
            cells.append(str(v) if key in ("importer", "product", "top_supplier", "years_met")
                         else fmt(float(v)))
        t.add_row(*cells)
    out.print(t)
    if m_sorted.empty:
        out.print("No product meets the criteria." if not all_products
                  else "The importer imports nothing in these files.")
