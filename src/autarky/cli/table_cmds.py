"""``autarky import``: a real table (OECD ICIO, a table pymrio saved, ...) seen from one region,
written as a scenario folder with its provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from autarky.cli.app import (
    ForceOpt,
    Format,
    FormatOpt,
    GroupOpt,
    app,
    examples,
    finite,
    out,
    parse_groups,
    working,
)

PROVENANCE_FILE = "table-provenance.json"


@app.command("import", epilog=examples(
    'autarky import icio ICIO2023_2020.csv --home DEU --group China=CHN,CN1,CN2 '
    '--group EU=FRA,ITA,ESP,NLD,POL --group rest=* --out deu-2020',
    'autarky import pymrio exiobase-2022/ --home DE --out de-2022'))
def import_table(
    format: Annotated[str, typer.Argument(help="The table's format: icio, pymrio, ...")],
    path: Annotated[Path, typer.Argument(help="The table's file or folder.")],
    home: Annotated[str, typer.Option("--home", help="The region seen as the home economy.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the scenario (written as a "
                                                        "whole; see --force).")],
    group: GroupOpt = None,
    capacity: Annotated[float | None, typer.Option(
        help="Capacity of every branch as a multiple of its output in the table (1.05: 5 % "
             "headroom); default none. Plans and stress tests need capacities or a factor "
             "availability.", callback=finite(0.0, 1e6, "--capacity", open_low=True))] = None,
    force: ForceOpt = False,
) -> None:
    """Read a real table and write one region of it as a scenario folder: domestic technology,
    imported inputs and final imports by partner group, exports by destination, value added,
    extensions as factors, and the table's provenance (table-provenance.json)."""
    from autarky.io.output import output_folder
    from autarky.io.writer import write_scenario
    from autarky.mrio.home import home_view, partner_groups
    from autarky.mrio.readers import read_table

    groups = parse_groups(group)
    with working(f"reading {format}:{path}"):
        table = read_table(format.lower(), path)
    with working(f"building the view from {home}"):
        eco = home_view(table, home, groups, capacity=capacity)
    prov = {k: v for k, v in table.provenance.items() if not k.startswith("pymrio_")}
    prov.update({"home": home, "groups": partner_groups(table, home, groups)})
    with output_folder(out_dir, force=force, protect=[path],
                       meta={"command": "import", "format": format, "table": str(path)}) as tmp:
        write_scenario(eco, tmp)
        (tmp / PROVENANCE_FILE).write_text(json.dumps(prov, indent=2, default=str) + "\n",
                                           encoding="utf-8")
    out.print(f"Wrote {out_dir} ({eco.n} branches, {len(eco.partners)} partners, "
              f"{len(eco.factors)} factors; {table.unit}) from {format}:{path}", highlight=False)


@app.command("dependence", epilog=examples(
    'autarky dependence icio:ICIO2023_2020.csv --home DEU --group China=CHN '
    '--group USA=USA --group rest=*',
    'autarky dependence figaro:matrix_eu-ic-io_ind-by-ind_25ed_2021.csv --home AT --format csv'))
def dependence_cmd(
    table_spec: Annotated[str, typer.Argument(metavar="TABLE",
                                              help="A multi-regional table, FORMAT:PATH.")],
    home: Annotated[str, typer.Option("--home", help="The region seen as the home economy.")],
    group: GroupOpt = None,
    cutoff: Annotated[str | None, typer.Option(
        help="Also cut this partner group off (its supply to every other region stops) and "
             "propagate it week by week through the whole system and through the home "
             "region alone, side by side.")] = None,
    weeks: Annotated[int, typer.Option(help="With --cutoff: weeks simulated.", min=1,
                                       max=520)] = 52,
    duration: Annotated[int, typer.Option(help="With --cutoff: weeks the cut lasts.", min=0,
                                          max=520)] = 13,
    format: FormatOpt = Format.table,
) -> None:
    """Dependence on each partner two ways, side by side: the imports from it embodied in the
    home final demand (what a single-country table shows) and its value added there, reaching
    home directly or through third countries (what only the whole system shows)."""
    import sys

    from rich.table import Table

    from autarky.cli.render import fmt, print_json
    from autarky.errors import BadValueError
    from autarky.mrio.dependence import partner_dependence
    from autarky.mrio.readers import parse_spec, read_table

    spec = parse_spec(table_spec)
    if spec is None:
        raise BadValueError(f"{table_spec}: dependence needs a multi-regional table, "
                            "FORMAT:PATH (icio:..., figaro:..., pymrio:...)")
    with working(f"reading {table_spec}"):
        table = read_table(*spec)
    groups = parse_groups(group)
    with working("solving the whole system"):
        d = partner_dependence(table, home, groups)
    cut = None
    if cutoff is not None:
        from autarky.mrio.cutoff import cutoff_two_ways
        from autarky.mrio.home import partner_groups

        parts = partner_groups(table, home, groups)
        if cutoff not in parts:
            raise BadValueError(f"--cutoff {cutoff!r}: no such partner group; groups: "
                                f"{', '.join(parts)}")
        if duration > weeks:
            raise BadValueError(f"--duration {duration} is longer than --weeks {weeks}")
        with working(f"propagating a cut-off of {cutoff}"):
            cut = cutoff_two_ways(table, home, parts[cutoff], weeks=weeks, duration=duration)
    if format is Format.json:
        print_json({"table": table_spec, "home": home, "unit": d.attrs["unit"],
                    "final_demand": d.attrs["final_demand"],
                    "final_demand_unit": d.attrs["final_demand_unit"],
                    "domestic_value_added": d.attrs["domestic_value_added"],
                    "partners": d.reset_index().to_dict("records"),
                    **({"cutoff": {"partner": cutoff, "unit": table.unit, "weeks": weeks,
                                   "duration": duration, "note": cut.attrs["note"],
                                   "losses": cut.reset_index().to_dict("records")}}
                       if cut is not None else {})})
        return
    if format is Format.csv:
        sys.stdout.write(d.reset_index().assign(unit=d.attrs["unit"]).to_csv(index=False))
        return
    prov = table.provenance
    t = Table(title=f"Dependence of {home} on each partner, two ways",
              caption=f"Source: {prov.get('format', '')} {prov.get('year') or ''}, "
                      f"{prov.get('file', '')}. Shares of the home final demand "
                      f"({fmt(d.attrs['final_demand'])} {table.unit}). Imports: from the "
                      "partner, embodied in home final demand (gross, as a single-country "
                      "table shows them). Value added: the partner's own, reaching home "
                      "directly or through third countries. Domestic value added: "
                      f"{100 * d.attrs['domestic_value_added']:.1f} %.",
              caption_justify="left")
    for col in ("partner", "imports", "value added", "through third countries"):
        t.add_column(col, justify="left" if col == "partner" else "right")
    for p, r in d.iterrows():
        t.add_row(str(p), f"{100 * r['imports']:.2f} %", f"{100 * r['value_added']:.2f} %",
                  f"{100 * r['through_third_countries']:+.2f} pts")
    out.print(t)
    if cut is not None:
        t2 = Table(title=f"A cut-off of {cutoff} for {duration} weeks, felt in {home}",
                   caption=f"Over {weeks} weeks, in {table.unit}: {cut.attrs['note']}. The "
                           "single-country view sees only what the home region buys from "
                           "the partner itself.", caption_justify="left")
        for col in ("", "through the whole system", "single-country view"):
            t2.add_column(col, justify="left" if not col else "right")
        for m, r in cut.iterrows():
            t2.add_row(str(m), fmt(r["through the whole system"]),
                       fmt(r["single-country view"]))
        out.print(t2)
