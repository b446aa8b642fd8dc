"""``autarky import``: a real table (OECD ICIO, a table pymrio saved, ...) seen from one region,
written as a scenario folder with its provenance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from autarky.cli.app import (
    ForceOpt,
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
