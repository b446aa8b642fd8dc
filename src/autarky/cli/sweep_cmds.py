"""``autarky sweep``: analyses over draws of a scenario's uncertain numbers and a grid of
choices, serially or on Dask, with quantiles, probabilities of events and what drives them."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from autarky.cli.app import (
    AllowOutsideOpt,
    Format,
    FormatOpt,
    ScenarioArg,
    app,
    err,
    examples,
    load_economy,
    out,
)
from autarky.errors import BadValueError


def _floats(text: str, option: str) -> list[float]:
    try:
        got = [float(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise BadValueError(f"{option}: comma-separated numbers, got {text!r}") from None
    if not got or any(not 0 <= q <= 1 for q in got):
        raise BadValueError(f"{option}: numbers between 0 and 1, got {text!r}")
    return got


def _scalars(ds: Any) -> list[str]:
    """The outputs with no dims beyond the draws and the grid (one number per draw)."""
    spec = json.loads(ds.attrs["autarky_sweep"])
    grid = set(spec["grid"])
    return [str(v) for v, da in ds.data_vars.items()
            if "." in str(v) and not str(v).endswith(".status")
            and set(da.dims) - {"draw"} <= grid]


@app.command("sweep", epilog=examples(
    'autarky sweep island --draws 50 --run optimize --run "stress partner:northland" '
    '--event "optimize.fulfilment >= 1" --seed 1 --scheduler serial',
    'autarky sweep island --run cost --grid "cap=0:1:5" --scheduler serial',
    'autarky sweep seven-year-plan --draws 12 --vary technology,capital --run "max-growth free" '
    '--event "max-growth_free.max_growth >= 0.18" --store sweep.zarr --scheduler synchronous'))
def sweep_cmd(
    scenario: ScenarioArg,
    run: Annotated[list[str], typer.Option(
        "--run", help="An analysis: indicators, optimize, 'stress SHOCK', 'cost cap=K', "
                      "'max-growth STRATEGY', 'multiyear STRATEGY'; {NAME} takes a --grid "
                      "value, and a --grid named as a parameter (cap) sets it. Repeat it.")],
    draws: Annotated[int | None, typer.Option(
        help="Draws of the uncertain numbers (with --design saltelli: base points, each "
             "k + 2 runs). Default: none, the stated scenario over the grid.")] = None,
    grid: Annotated[list[str] | None, typer.Option(
        "--grid", help="A grid dimension NAME=LO:HI:N or NAME=A,B,C. Repeat it.")] = None,
    seed: Annotated[int, typer.Option(help="Seed: draw i uses the stream (seed, i).")] = 0,
    vary: Annotated[str | None, typer.Option(
        help="Draw only the uncertain numbers of these tables, comma-separated (default: "
             "all the scenario declares).")] = None,
    design: Annotated[str, typer.Option(
        help="monte-carlo (rank correlations) or saltelli (Sobol indices).")] = "monte-carlo",
    event: Annotated[list[str] | None, typer.Option(
        "--event", help="An event to give the probability of: 'VAR >= NUMBER' (also <=, >, "
                        "<, ==). Repeat it.")] = None,
    quantiles: Annotated[str, typer.Option(
        help="Quantiles to show, comma-separated.")] = "0.05,0.5,0.95",
    rank: Annotated[list[str] | None, typer.Option(
        "--rank", help="An output whose drivers to rank (default: those of the events).")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="serial, synchronous (Dask in-process), local (a Dask LocalCluster, the default "
             "when dask.distributed is installed) or tcp://HOST:PORT.")] = None,
    workers: Annotated[int | None, typer.Option(
        help="Workers of the local cluster (default: one per core).")] = None,
    batch: Annotated[int | None, typer.Option(help="Draws per task.")] = None,
    store: Annotated[str | None, typer.Option(
        help="A zarr folder for the results, written as they come; run again to resume.")
    ] = None,
    format: FormatOpt = Format.table,
    allow_outside: AllowOutsideOpt = False,
) -> None:
    """Evaluate analyses over draws of the scenario's uncertain numbers (the ranges and
    distributions of its estimates) and a grid of choices: quantiles of every output,
    probabilities of events and a ranking of the inputs that drive them."""
    import numpy as np
    from rich.progress import Progress

    from autarky.cli.render import fmt, print_json, source_line
    from autarky.sweep.design import parse_grid
    from autarky.sweep.engine import sweep
    from autarky.sweep.summary import noise_level, probability, sensitivity
    from autarky.sweep.summary import quantiles as quantiles_of

    qs = _floats(quantiles, "--quantiles")
    g = dict(parse_grid(x) for x in (grid or []))
    scn = load_economy(scenario, allow_outside)
    tables = [t.strip() for t in vary.split(",") if t.strip()] if vary else None
    with Progress(console=err, transient=True,
                  disable=format is not Format.table or not err.is_terminal) as bar:
        task = bar.add_task("sweeping", total=None)
        ds = sweep(scn, run, draws=draws, vary=tables, seed=seed, grid=g, design=design,
                   scheduler=scheduler, workers=workers, batch=batch, store=store,
                   progress=lambda d, n: bar.update(task, completed=d, total=n,
                                                    description=f"sweeping: {d}/{n} draws"),
                   on_start=lambda line: err.print(line, highlight=False))
    spec = json.loads(ds.attrs["autarky_sweep"])
    n = int(ds.sizes["draw"])
    broken = int((ds["draw_status"] == 1).sum())
    probs = [probability(ds, e) for e in (event or [])]
    ranked = list(rank or []) or [p.attrs["event"].split(" ")[0] for p in probs]
    sens = {v: sensitivity(ds, v) for v in dict.fromkeys(ranked)} if spec["entries"] else {}
    scalars = _scalars(ds)
    rows = []
    for v in scalars:
        q = quantiles_of(ds, v, qs)
        dims = [d for d in q.dims if d != "quantile"]
        for idx in np.ndindex(*[q.sizes[d] for d in dims]):
            cell = q.isel(dict(zip(dims, idx, strict=True)))
            at = {d: cell[d].item() for d in dims}
            n_ok = int(ds[v].isel(dict(zip(dims, idx, strict=True))).notnull().sum())
            rows.append({"output": v, "at": at, "unit": ds[v].attrs.get("unit", ""),
                         "n": n_ok, **{f"q{x:g}": float(cell.sel(quantile=x)) for x in qs}})
    if format is Format.json:
        print_json({
            "scenario": scenario, "name": scn.name, "source": scn.source, "sweep": spec,
            "draws": n, "draws_breaking_the_scenario": broken,
            "quantiles": rows,
            "events": [{"event": p.attrs["event"], **{k: p[k].values.tolist() for k in p}}
                       for p in probs],
            "sensitivity": {v: {"method": s.attrs["method"], "reference": s.attrs["reference"],
                                **{k: dict(zip(map(str, s["entry"].values),
                                               s[k].values.tolist(), strict=True))
                                   for k in s.data_vars if "entry" in s[k].dims}}
                            for v, s in sens.items() if s["rank"].ndim == 1},
            "store": store})
        return
    if format is Format.csv:
        import pandas as pd

        flat = [{**{f"at_{k}": v for k, v in r["at"].items()},
                 **{k: v for k, v in r.items() if k != "at"}} for r in rows]
        sys.stdout.write(pd.DataFrame(flat).to_csv(index=False))
        return
    src = str(source_line(scn, scenario))
    how = (f"{n} draws ({spec['design']}, seed {spec['seed']}) of {len(spec['entries'])} "
           f"uncertain numbers" if spec["entries"] else "the stated scenario (no draws)")
    t = Table(title=f"Sweep of {scn.name}",
              caption=f"{src}. Quantiles over {how}; n: draws where the run succeeded; "
                      f"{broken} draws broke the scenario (not productive or out of bounds), "
                      "counted, not dropped. The quantiles are estimates from the draws.",
              caption_justify="left")
    for col in ("output", "at", "unit", "n", *[f"{100 * x:g} %" for x in qs]):
        t.add_column(col, justify="left" if col in ("output", "at", "unit") else "right")
    for r in rows:
        where = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in r["at"].items())
        t.add_row(str(r["output"]), str(where), str(r["unit"]), str(r["n"]),
                  *[fmt(r[f"q{x:g}"]) for x in qs])
    out.print(t)
    for p in probs:
        if p["probability"].ndim:
            out.print(f"P({p.attrs['event']}): per grid point", highlight=False)
            out.print(str(str(p["probability"].to_series().round(3).to_dict())),
                      highlight=False)
            continue
        out.print(f"P({p.attrs['event']}) = {float(p['probability']):.3f} "
                  f"(Wilson 95 % interval {float(p['low']):.3f}-{float(p['high']):.3f}; "
                  f"{int(p['n'])} draws; an estimate from the draws)", highlight=False)
    for v, s in sens.items():
        if s["rank"].ndim != 1:
            continue
        col = "ST" if s.attrs["method"] == "sobol" else "spearman"
        top = s.sortby("rank").isel(entry=slice(0, 8))
        noise = ("" if col == "ST" else f" With {int(s['n'])} draws a correlation within "
                 f"+-{noise_level(int(s['n'])):.2f} is indistinguishable from "
                 "none (95 %).")
        st = Table(title=f"What drives {v}",
                   caption=f"Method: {s.attrs['reference']}.{noise}", caption_justify="left")
        for c in ("rank", "input", col, *(["S1"] if col == "ST" else [])):
            st.add_column(c, justify="left" if c == "input" else "right")
        for e in top["entry"].values:
            hit = top.sel(entry=e)
            st.add_row(str(int(hit["rank"])), str(str(e)), f"{float(hit[col]):+.3f}",
                       *([f"{float(hit['S1']):+.3f}"] if col == "ST" else []))
        out.print(st)
    if store:
        out.print(f"Results (every draw, every output): {store}", highlight=False)
