"""Sweeps: analyses evaluated over draws of the uncertain inputs and a grid of choices, serially
or on Dask, written to a store as they come and resumed from it.

:func:`sweep` splits the draws into batches of consecutive draw numbers (one task each). A task
builds each draw's scenario from the stated one, so a batch whose draws leave the technology
alone reuses one factorization of ``I - A_d`` for all of them (``Economy.replace`` keeps it),
and runs every analysis at every grid point of the dims it takes. Draw ``i`` comes from its own
random stream, so the result does not depend on the batching or on where a task runs: serial,
Dask's in-process synchronous scheduler, a ``LocalCluster`` or a remote cluster give the same
numbers bit for bit.

With a ``store`` (a zarr folder), each batch is written to its own chunk when it arrives, its
``draw_status`` last; a sweep started again on the same store computes only the batches not
written yet, and refuses a store written by another sweep. On a cluster a task whose worker
dies is run again by Dask; the driver writes each batch once.

Scheduler (``scheduler=``): ``"serial"`` (a loop, no Dask), ``"synchronous"`` (Dask's
in-process scheduler), ``"local"`` (a ``dask.distributed.LocalCluster``, one single-threaded
worker process per core; the default when ``dask.distributed`` is installed) or the address of
a running scheduler (``"tcp://HOST:PORT"``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from autarky.economy import Scenario, as_scenario
from autarky.errors import BadValueError, MissingDependencyError, NotProductiveError, PlanFailure
from autarky.sweep.analyses import FAILURES, Run, parse_run
from autarky.sweep.design import DESIGNS, grid_points, saltelli_values
from autarky.sweep.uncertain import (
    Uncertain,
    _apply,
    _dense,
    _position,
    choose_entries,
    draw_values,
    entries_of,
    split_entries,
)

__all__ = ["SCHEDULERS", "STATUS", "SweepSpec", "run_batch", "sweep"]

#: What ends a run on one draw without ending the sweep (recorded as its status).
FAILED: tuple[type[BaseException], ...] = (*FAILURES, PlanFailure, NotProductiveError)

#: Draws whose scenarios a task holds at once (their runs in blocks where they can be).
_CHUNK = 32

#: The named schedulers (or give the address of a running one).
SCHEDULERS = ("serial", "synchronous", "local")

#: Status codes of a draw (``draw_status``) and of a run at a grid point (``RUN.status``).
STATUS = {-1: "not computed", 0: "ok", 1: "draw breaks the scenario", 2: "analysis failed"}


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep computes (everything but the scenario); pickled to the workers."""

    runs: tuple[str, ...]
    entries: tuple[Uncertain, ...]
    n_draws: int
    seed: int
    grid: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    design: str = "monte-carlo"
    stated: tuple[float, ...] = ()
    followers: tuple[Uncertain, ...] = ()
    templates: dict[str, xr.Dataset] = field(default_factory=dict, compare=False)

    @property
    def grid_map(self) -> dict[str, tuple[Any, ...]]:
        return dict(self.grid)

    def describe(self) -> dict[str, Any]:
        """The spec as JSON-ready data (stored with the results; a resumed sweep must match)."""
        return {"runs": list(self.runs), "n_draws": self.n_draws, "seed": self.seed,
                "design": self.design, "grid": {k: list(v) for k, v in self.grid},
                "entries": [{"label": e.label, "distribution": e.distribution, "low": e.low,
                             "high": e.high, "sd": e.sd, "values": list(e.values),
                             "weights": list(e.weights)} for e in self.entries],
                "followers": [f"{e.label} follows {e.follows}" for e in self.followers]}


def _values(scn: Scenario, spec: SweepSpec, draws: Sequence[int]) -> np.ndarray:
    if not spec.entries:
        return np.empty((len(draws), 0))
    if spec.design == "saltelli":
        return saltelli_values(spec.entries, spec.stated, draws, spec.seed)
    return draw_values(scn, spec.entries, draws, spec.seed)


def run_batch(scn: Scenario, spec: SweepSpec, draws: Sequence[int]) -> xr.Dataset:
    """Evaluate every run of ``spec`` on draws ``draws`` (one task): a dataset with dims
    ``draw``, the grid dims each run takes and the runs' own dims."""
    scn = as_scenario(scn)
    scn.economy.reliance  # noqa: B018  (the accessors import their layers once per task)
    draws = [int(d) for d in draws]
    values = _values(scn, spec, draws)
    grid = spec.grid_map
    nb = len(draws)
    runs = [parse_run(t) for t in spec.runs]
    out: dict[str, xr.DataArray] = {}
    draw_status = np.zeros(nb, dtype=np.int8)
    arrays: dict[str, dict[str, np.ndarray]] = {}
    statuses: dict[str, np.ndarray] = {}
    for r in runs:
        shape = tuple(len(grid[g]) for g in r.grid_names)
        statuses[r.label] = np.zeros((nb, *shape), dtype=np.int8)
        arrays[r.label] = {str(v): np.full((nb, *shape, *da.shape), np.nan)
                           for v, da in spec.templates[r.text].data_vars.items()}
    def fill(r: Run, row: int, pos: tuple[int, ...], res: xr.Dataset) -> None:
        tpl = spec.templates[r.text]
        for v, arr in arrays[r.label].items():
            if v not in res:
                continue
            val = res[v].values
            if val.shape != arr.shape[1 + len(pos):] or (val.ndim and any(
                    len(res[d]) != len(tpl[d]) for d in res[v].dims)):
                # labels that come and go with the draw: on the template's labels
                val = res[v].reindex({d: tpl[d].values for d in res[v].dims
                                      if d in tpl.coords}).values
            arr[(row, *pos)] = val

    for lo in range(0, nb, _CHUNK):  # the draws' scenarios a chunk at a time (memory)
        rows = range(lo, min(lo + _CHUNK, nb))
        scns: dict[int, Scenario] = {}
        for row in rows:
            try:
                scns[row] = (_apply(scn, spec.entries, values[row], spec.followers)
                             if spec.entries else scn)
            except (NotProductiveError, BadValueError):  # not productive, or out of bounds
                draw_status[row] = 1
                for r in runs:
                    statuses[r.label][row] = 1
        caches: dict[int, dict[str, Any]] = {row: {} for row in scns}  # shared by a draw's runs
        for r in runs:
            done: set[int] = set()
            block = r.analysis.block
            if block is not None and not r.grid_names and r.arg is None and not r.params \
                    and scns:
                try:
                    got = block(list(scns.values()))
                except FAILED:
                    got = None
                if got is not None:  # right-hand sides in one block
                    for row, res in zip(scns, got, strict=True):
                        fill(r, row, (), res)
                    done = set(scns)
            for row, d_scn in scns.items():
                if row in done:
                    continue
                for pos, point in grid_points(grid, r.grid_names):
                    try:
                        res = r.raw(d_scn, point, caches[row])
                    except FAILED:
                        statuses[r.label][(row, *pos)] = 2
                        continue
                    fill(r, row, pos, res)
    coords: dict[str, Any] = {"draw": np.asarray(draws, dtype=np.int64)}
    for g, vals in grid.items():
        coords[g] = list(vals)
    for r in runs:
        tpl = spec.templates[r.text]
        for v, arr in arrays[r.label].items():
            da = tpl[v]
            dims = ("draw", *r.grid_names, *da.dims)
            out[f"{r.label}.{v}"] = xr.DataArray(
                arr, dims=dims, coords={**{d: coords[d] for d in ("draw", *r.grid_names)},
                                        **{d: da[d].values for d in da.dims if d in da.coords}},
                attrs={k: v for k, v in da.attrs.items() if isinstance(v, str | int | float)})
        out[f"{r.label}.status"] = xr.DataArray(
            statuses[r.label], dims=("draw", *r.grid_names),
            coords={d: coords[d] for d in ("draw", *r.grid_names)},
            attrs={"flag_values": list(STATUS), "flag_meanings": " ".join(
                s.replace(" ", "_") for s in STATUS.values())})
    labels = [e.label for e in spec.entries]
    out["input"] = xr.DataArray(values, dims=("draw", "entry"),
                                coords={"draw": coords["draw"], "entry": labels},
                                attrs={"unit": "the entry's own unit",
                                       "description": "The value drawn for each uncertain entry."})
    out["draw_status"] = xr.DataArray(draw_status, dims=("draw",), coords={"draw": coords["draw"]},
                                      attrs={"flag_values": list(STATUS), "flag_meanings": " ".join(
                                          s.replace(" ", "_") for s in STATUS.values())})
    return xr.Dataset(out)


# ---------------------------------------------------------------------------- the store
def _store_spec(path: Path) -> dict[str, Any] | None:
    if not (path / "zarr.json").exists() and not (path / ".zgroup").exists():
        return None
    ds = xr.open_zarr(path, consolidated=False)
    return json.loads(ds.attrs.get("autarky_sweep", "null"))


def _init_store(path: Path, first: xr.Dataset, spec: SweepSpec, batch: int) -> None:
    """A store of the full size, every value missing and every draw ``not computed``."""
    n = spec.n_draws
    full = {}
    for v, da in first.data_vars.items():
        shape = (n, *da.shape[1:])
        fill = -1 if da.dtype.kind in "iu" else np.nan
        full[v] = xr.DataArray(np.full(shape, fill, dtype=da.dtype), dims=da.dims,
                               attrs=da.attrs)
    coords = {d: first[d].values for d in first.dims if d != "draw" and d in first.coords}
    ds = xr.Dataset(full, coords={"draw": np.arange(n, dtype=np.int64), **coords})
    ds.attrs["autarky_sweep"] = json.dumps({**spec.describe(), "batch": batch})
    enc = {v: {"chunks": (batch, *ds[v].shape[1:])} for v in ds.data_vars}
    ds.to_zarr(path, mode="w", consolidated=False, encoding=enc, zarr_format=2)


def _write_batch(group: Any, part: xr.Dataset, start: int) -> None:
    """One batch into its chunk of the store (opened once per sweep: ``zarr.open_group``),
    ``draw_status`` last: a batch whose status is written is complete."""
    stop = start + part.sizes["draw"]
    for v in part.data_vars:
        if v != "draw_status":
            group[str(v)][start:stop] = part[v].values
    group["draw_status"][start:stop] = part["draw_status"].values


def _done_batches(path: Path, batches: Sequence[range]) -> set[int]:
    st = xr.open_zarr(path, consolidated=False)["draw_status"].values
    return {b.start for b in batches if np.all(st[b.start : b.stop] >= 0)}


def _join(parts: Sequence[xr.Dataset]) -> xr.Dataset:
    """Batches joined along ``draw`` (their other coordinates are the same by construction):
    one ``numpy.concatenate`` per variable, not an alignment per batch."""
    first = parts[0]
    draw = np.concatenate([p["draw"].values for p in parts])
    data = {v: xr.DataArray(np.concatenate([p[v].values for p in parts]), dims=da.dims,
                            attrs=da.attrs)
            for v, da in first.data_vars.items()}
    coords = {d: first[d].values for d in first.dims if d != "draw" and d in first.coords}
    return xr.Dataset(data, coords={"draw": draw, **coords})


# ---------------------------------------------------------------------------- schedulers
@contextmanager
def _dask_client(scheduler: str, workers: int | None,
                 on_start: Callable[[str], object] | None) -> Iterator[Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise MissingDependencyError("dask.distributed", f"--scheduler {scheduler}",
                                     "sweep") from None
    if scheduler == "local":
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
    else:
        cluster = None
        client = Client(scheduler)
    try:
        if on_start is not None:
            link = client.dashboard_link if cluster is None or cluster.dashboard_link else ""
            addr = getattr(client.scheduler, "address", scheduler)
            on_start(f"Dask dashboard: {link}" if link else f"Dask scheduler: {addr}")
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _results(scn: Scenario, spec: SweepSpec, todo: Sequence[range], scheduler: str,
             workers: int | None, on_start: Callable[[str], object] | None
             ) -> Iterator[tuple[range, xr.Dataset]]:
    """``(batch, result)`` as each batch is computed, in the order they finish."""
    if scheduler == "serial":
        for b in todo:
            yield b, run_batch(scn, spec, b)
        return
    if scheduler == "synchronous":
        try:
            import dask
        except ImportError:
            raise MissingDependencyError("dask", "--scheduler synchronous", "sweep") from None
        for b in todo:
            task = dask.delayed(run_batch, pure=True)(scn, spec, list(b))
            yield b, task.compute(scheduler="synchronous")
        return
    from dask.distributed import as_completed

    with _dask_client(scheduler, workers, on_start) as client:
        scn_f = client.scatter(scn, broadcast=True)
        spec_f = client.scatter(spec, broadcast=True)
        futures = {client.submit(run_batch, scn_f, spec_f, list(b), pure=False, retries=3): b
                   for b in todo}
        try:
            for fut in as_completed(list(futures)):
                yield futures[fut], fut.result()
        finally:
            client.cancel(list(futures))


# ---------------------------------------------------------------------------- the sweep
def _spec(scn: Scenario, runs: Sequence[str], entries: Sequence[Uncertain], draws: int | None,
          seed: int, grid: Mapping[str, Sequence[Any]], design: str) -> SweepSpec:
    if design not in DESIGNS:
        raise BadValueError(f"--design: one of {', '.join(DESIGNS)}, not {design!r}")
    if not runs:
        raise BadValueError("--run: give at least one analysis")
    parsed = []
    for t in runs:
        r = parse_run(t)
        # a grid dimension named as one of the analysis's parameters sets it, unless the run
        # sets it itself: --run cost --grid cap=0:1:11 is --run 'cost cap={cap}'
        extra = [g for g in grid if g in r.analysis.params and g not in r.params
                 and g not in r.grid_names]
        parsed.append(parse_run(" ".join([r.text, *(f"{g}={{{g}}}" for g in extra)])))
    for r in parsed:
        missing = [g for g in r.grid_names if g not in grid]
        if missing:
            raise BadValueError(f"--run {r.text!r}: no --grid for {{{missing[0]}}}")
    used = {g for r in parsed for g in r.grid_names}
    unused = [g for g in grid if g not in used]
    if unused:
        raise BadValueError(f"--grid {unused[0]}: no --run uses it; write {{{unused[0]}}} "
                            "where it goes (e.g. --run 'cost cap={cap}')")
    labels = [e.label for e in entries]
    twice = sorted({x for x in labels if labels.count(x) > 1})
    if twice:
        raise BadValueError(f"uncertain entry {twice[0]} is given twice")
    entries, followers = split_entries(entries)
    if draws is None:
        entries, followers, n = [], [], 1
    else:
        if int(draws) < 1:
            raise BadValueError(f"--draws: at least 1, got {draws}")
        if not entries and followers:
            raise BadValueError("--vary: every number chosen follows another table's "
                                f"({followers[0].label} follows {followers[0].follows}); "
                                "vary that table too")
        if not entries:
            raise BadValueError("--draws: the scenario declares no uncertain number (give a "
                                "range, distribution, sd or values on a table entry)")
        n = int(draws) * (len(entries) + 2) if design == "saltelli" else int(draws)
    stated = tuple(float(_dense(scn, e.table)[_position(scn, e)]) for e in entries)
    first = {g: v[0] for g, v in grid.items()}
    templates = {}
    shared: dict[str, Any] = {}
    for r in parsed:
        try:
            templates[r.text] = r(scn, first, shared)
        except FAILURES as exc:
            raise BadValueError(f"--run {r.text!r} fails on the stated scenario ({exc}); a "
                                "sweep needs it to succeed there, to know its outputs") from None
        clash = [d for d in templates[r.text].dims if d in grid or d in ("draw", "entry")]
        if clash:
            raise BadValueError(f"--grid {clash[0]}: the name is a dimension of {r.name}'s "
                                "results; choose another")
    return SweepSpec(tuple(r.text for r in parsed), tuple(entries), n, int(seed),
                     tuple((k, tuple(v)) for k, v in grid.items()), design, stated,
                     tuple(followers), templates)


def sweep(obj: Any, runs: Sequence[str], *, draws: int | None = None,
          entries: Sequence[Uncertain] | None = None, vary: Sequence[str] | None = None,
          seed: int = 0, grid: Mapping[str, Sequence[Any]] | None = None,
          design: str = "monte-carlo", scheduler: str | None = None, workers: int | None = None,
          batch: int | None = None, store: str | Path | None = None,
          progress: Callable[[int, int], object] | None = None,
          on_start: Callable[[str], object] | None = None) -> xr.Dataset:
    """Evaluate analyses over draws of the uncertain inputs and a grid of choices.

    Parameters
    ----------
    obj
        An economy or scenario.
    runs
        The analyses (:func:`autarky.sweep.analyses.parse_run`): ``"optimize"``,
        ``"stress partner:ussr"``, ``"cost cap={cap}"``.
    draws
        Monte Carlo draws (``design="saltelli"``: base points, each ``k + 2`` draws). ``None``:
        the stated scenario only (one draw), over the grid.
    entries, vary
        The uncertain numbers (default: all the scenario declares), or only those of the
        tables in ``vary``.
    grid
        ``{name: values}``; a run takes a dimension where its text holds ``{name}``.
    scheduler, workers
        See the module docstring; ``workers`` for ``"local"`` (default: one per core).
    batch
        Draws per task (default: about four tasks per worker, at most 256 draws).
    store
        A zarr folder: results are written as batches finish, and a sweep run again on the
        same store resumes.
    progress
        ``progress(draws_done, draws_total)`` after each batch.
    on_start
        Called with the Dask dashboard link (or scheduler address) once the cluster is up.

    Returns
    -------
    xarray.Dataset
        ``input`` (draw x entry), ``draw_status`` and, for each run, ``RUN.VAR`` (draw, the
        grid dims it takes, its own dims) with units and ``RUN.status``; the spec in
        ``attrs["autarky_sweep"]`` (JSON).

    Examples
    --------
    >>> from autarky import data
    >>> from autarky.sweep.uncertain import Uncertain
    >>> e = [Uncertain("technology", ("agriculture", "agriculture"), "uniform",
    ...                low=0.1, high=0.2)]
    >>> ds = sweep(data.load("textbook"), ["indicators"], draws=4, entries=e, seed=1,
    ...            scheduler="serial")
    >>> ds["indicators.output_value"].sizes["draw"], int(ds["draw_status"].sum())
    (4, 0)
    """
    scn = as_scenario(obj)
    if entries is None:
        entries = choose_entries(entries_of(scn), vary or None)
    spec = _spec(scn, runs, entries, draws, seed, dict(grid or {}), design)
    if scheduler is None:
        try:
            import dask.distributed  # noqa: F401
            scheduler = "local"
        except ImportError:
            scheduler = "serial"
    if scheduler not in SCHEDULERS and "://" not in scheduler:
        raise BadValueError(f"--scheduler: one of {', '.join(SCHEDULERS)} or an address "
                            f"tcp://HOST:PORT, not {scheduler!r}")
    n = spec.n_draws
    nworkers = workers or os.cpu_count() or 1
    size = int(batch) if batch else max(1, min(256, -(-n // (4 * nworkers))))
    if size < 1:
        raise BadValueError(f"--batch: at least 1, got {batch}")
    batches = [range(a, min(a + size, n)) for a in range(0, n, size)]
    path = Path(store) if store is not None else None
    parts: dict[int, xr.Dataset] = {}
    todo = batches
    if path is not None:
        old = _store_spec(path)
        if old is not None:
            mine = {**spec.describe(), "batch": size}
            if json.loads(json.dumps(mine)) != old:
                raise BadValueError(f"--store {path}: it holds another sweep (other runs, "
                                    "draws, seed, grid, entries or batch); give a new folder")
            done = _done_batches(path, batches)
            todo = [b for b in batches if b.start not in done]
    finished = n - sum(len(b) for b in todo)
    computed = 0
    if progress is not None:
        progress(finished, n)
    group = None
    for b, part in _results(scn, spec, todo, scheduler, workers, on_start):
        if path is not None:
            if group is None:
                import zarr

                if _store_spec(path) is None:
                    _init_store(path, part, spec, size)
                group = zarr.open_group(str(path), mode="r+")
            _write_batch(group, part, b.start)
        else:
            parts[b.start] = part
        finished += len(b)
        computed += 1
        if progress is not None:
            progress(finished, n)
    if path is not None:
        out = xr.open_zarr(path, consolidated=False).load()
    else:
        out = _join([parts[k] for k in sorted(parts)])
        out.attrs["autarky_sweep"] = json.dumps({**spec.describe(), "batch": size})
    order = [f"{r.label}.{v}" for r in map(parse_run, spec.runs)
             for v in [*spec.templates[r.text].data_vars, "status"]]
    out = out[[v for v in order if v in out] + ["input", "draw_status"]]
    out.attrs["scheduler"] = scheduler if "://" not in scheduler else "cluster"
    out.attrs["batches_computed"] = computed  # by this call (a resumed sweep: what was missing)
    return out
