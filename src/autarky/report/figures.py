"""Figures of the report, drawn with matplotlib and returned as inline SVG text.

Plotting stays here, outside the core model. Each function takes plain results and returns an
SVG string (no file is written and no global matplotlib state is left changed).
"""

from __future__ import annotations

import hashlib
import html
import io
from typing import Any

import matplotlib
import matplotlib.text
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Most points of a line that get a hover text each.
MAX_TIPS = 120


def _fmt(v: float) -> str:
    from autarky.report.format import format_number

    return format_number(v, digits=4)


_PALETTE = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3",
            "#8c8c8c", "#ccb974", "#64b5cd"]


def _subplots(size: tuple[float, float]) -> tuple[Figure, Axes]:
    """A figure with one axes, outside pyplot (no global state, no GUI backend)."""
    fig = Figure(figsize=size)
    return fig, fig.subplots()


#: Hover texts of a figure being drawn, by the ``gid`` of the artist they describe.
Tips = dict[str, str]


def _tip(artist: Any, tips: Tips | None, text: str) -> None:
    """Give ``artist`` a hover text (an SVG ``<title>``, shown by every browser, no script)."""
    if tips is not None:
        gid = f"tip{len(tips)}"
        artist.set_gid(gid)
        tips[gid] = text


def literal_text(ax: Axes) -> Axes:
    """Every text of ``ax``'s figure drawn as written, never as mathtext: names are text, and
    ``"$\\x$"`` as a branch id is drawn as those four characters (``ax`` is returned)."""
    for t in ax.figure.findobj(matplotlib.text.Text):
        t.set_parse_math(False)
    return ax


def _svg(fig: Figure, tips: Tips | None = None) -> str:
    buf = io.StringIO()
    # Reproducible bytes: no date in the metadata, and element ids salted by what the figure
    # shows (matplotlib salts them with a random uuid otherwise), distinct between figures.
    salt = hashlib.sha256(repr([(ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                                 tuple(ax.dataLim.bounds)) for ax in fig.axes]).encode())
    # names are text, never math: "$\\x$" as a branch id is drawn as written
    for t in fig.findobj(matplotlib.text.Text):
        t.set_parse_math(False)
    with matplotlib.rc_context({"svg.hashsalt": salt.hexdigest()[:16], "text.parse_math": False}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    tag = salt.hexdigest()[:8]  # ids unique on a page that holds several figures
    for gid, tip in (tips or {}).items():
        text = text.replace(f'<g id="{gid}">',
                            f'<g id="{gid}-{tag}"><title>{html.escape(tip)}</title>', 1)
    return text[text.index("<svg"):]


def allocation_heatmap(shares: pd.DataFrame, title: str,
                       label: str = "per cent of supply (output + imports)") -> str:
    """Heat map of where each product goes, in per cent: ``shares`` is ``supplier x user``
    (plus a final-demand column) as fractions; the cells and the colour bar are in per cent
    (the same scale as the caption's)."""
    n_rows, n_cols = shares.shape
    fig, ax = _subplots((1.0 + 0.62 * n_cols, 1.0 + 0.45 * n_rows))
    data = 100.0 * shares.to_numpy(dtype=float)
    im = ax.imshow(data, cmap="YlOrRd", vmin=0, vmax=max(50.0, float(np.nanmax(data))),
                   aspect="auto")
    ax.set_xticks(range(n_cols), labels=list(shares.columns), rotation=45, ha="right")
    ax.set_yticks(range(n_rows), labels=list(shares.index))
    ax.set_xlabel("used by (branch, or final demand)")
    ax.set_ylabel("product supplied")
    for i in range(n_rows):
        for j in range(n_cols):
            v = data[i, j]
            if v >= 0.5:
                ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v > 35 else "black")
    ax.set_title(title, fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02, label=label)
    return _svg(fig)


def balance_bars(table: pd.DataFrame, categories: pd.DataFrame, title: str,
                 basis: str = "share of gross output") -> str:
    """Stacked bars: each branch's ``gross_output`` column (the caller may pass supply, output
    plus imports) split into intermediate use and final demand categories, as shares
    (unit-free, so branches measured in tonnes, kWh and money compare); ``basis`` names the
    axis, so it matches the title."""
    x = table["gross_output"].to_numpy(dtype=float)
    parts = pd.concat([table[["intermediate_use"]], categories], axis=1)
    shares = parts.to_numpy(dtype=float) / np.where(x > 0, x, 1.0)[:, np.newaxis]
    fig, ax = _subplots((8, 0.9 + 0.38 * len(table)))
    left = np.zeros(len(table))
    for k, col in enumerate(parts.columns):
        ax.barh(range(len(table)), shares[:, k], left=left, color=_PALETTE[k % len(_PALETTE)],
                label=str(col).replace("_", " "))
        left += shares[:, k]
    ax.set_yticks(range(len(table)), labels=list(table.index))
    ax.invert_yaxis()
    ax.set_xlim(0, max(1.0, float(left.max())))
    ax.set_xlabel(basis)
    ax.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False)
    ax.set_title(title, fontsize=10)
    return _svg(fig)


def history_bars(table: pd.DataFrame, title: str) -> str:
    """Levels of 1946, 1956 and 1963 per product relative to 1963 (log scale), with the range
    of readings where the OCR of a multiple is unclear."""
    products = list(table.index)
    fig, ax = _subplots((8, 3.8))
    width = 0.26
    pos = np.arange(len(products))
    for k, year in enumerate((1946, 1956, 1963)):
        if year == 1963:
            vals = np.ones(len(products))
            lo = hi = vals
        else:
            base = table["level_1963"].to_numpy(dtype=float)
            vals = table[f"level_{year}"].to_numpy(dtype=float) / base
            lo = table[f"level_{year}_low"].to_numpy(dtype=float) / base
            hi = table[f"level_{year}_high"].to_numpy(dtype=float) / base
        bars = ax.bar(pos + (k - 1) * width, vals, width, color=_PALETTE[k], label=str(year))
        if year != 1963:
            unclear = table[f"unclear_{year}"].to_numpy(dtype=bool)
            err = np.vstack([vals - lo, hi - vals])
            ax.errorbar(pos[unclear] + (k - 1) * width, vals[unclear], yerr=err[:, unclear],
                        fmt="none", ecolor="black", capsize=3, lw=1)
            for b, u in zip(bars, unclear, strict=True):
                if u:
                    b.set_hatch("///")
    ax.set_yscale("log")
    ax.set_xticks(pos, labels=products, rotation=30, ha="right")
    ax.set_ylabel("level relative to 1963 (log scale)")
    ax.legend(fontsize=8, title="year", title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title, fontsize=10)
    return _svg(fig)


def draw_paths(ax: Axes, series: dict[str, pd.Series], title: str, ylabel: str,
               reference: dict[str, pd.Series] | None = None, logy: bool = False,
               xlabel: str = "year", shade: tuple[float, float, str] | None = None,
               tips: Tips | None = None) -> Axes:
    """Lines, one per series, with dashed reference paths (e.g. the plan) and an optional
    shaded span ``(start, end, label)`` (e.g. the weeks a shock lasts); returns ``ax``."""
    if shade is not None:
        ax.axvspan(shade[0], shade[1], color="#999999", alpha=0.18, lw=0, label=shade[2])
    for k, (name, s) in enumerate(series.items()):
        ys = s.to_numpy(dtype=float)
        ax.plot(s.index, ys, marker="o", ms=3, lw=1.8, color=_PALETTE[k % len(_PALETTE)],
                label=name)
        if tips is not None and len(s) <= MAX_TIPS:
            for xv, yv in zip(s.index, ys, strict=True):
                (pt,) = ax.plot([xv], [yv], marker="o", ms=7, alpha=0.0, lw=0)
                _tip(pt, tips, f"{name} — {xlabel} {xv}: {_fmt(yv)}")
    for k, (name, s) in enumerate((reference or {}).items()):
        ax.plot(s.index, s.to_numpy(dtype=float), ls="--", lw=1.4,
                color=["black", "#777777", "#b22222"][k % 3], label=name)
    if logy:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title, fontsize=10)
    return literal_text(ax)


def paths_chart(series: dict[str, pd.Series], title: str, ylabel: str,
                reference: dict[str, pd.Series] | None = None, logy: bool = False,
                xlabel: str = "year", shade: tuple[float, float, str] | None = None) -> str:
    """:func:`draw_paths` as inline SVG."""
    fig, ax = _subplots((7.5, 3.6))
    tips: Tips = {}
    draw_paths(ax, series, title, ylabel, reference, logy, xlabel, shade, tips)
    return _svg(fig, tips)


def stacked_groups(frames: dict[str, pd.DataFrame], title: str, ylabel: str) -> str:
    """Small multiples: one stacked-area panel per strategy (e.g. capacity value by group)."""
    k = len(frames)
    fig = Figure(figsize=(3.2 * k, 3.2))
    axes = fig.subplots(1, k, sharey=True, squeeze=False)[0]
    groups = sorted({g for df in frames.values() for g in df.columns})
    for ax, (name, df) in zip(axes, frames.items(), strict=True):
        df = df.reindex(columns=groups).fillna(0.0)
        ax.stackplot(df.index, df.T.to_numpy(dtype=float), labels=groups,
                     colors=_PALETTE[:len(groups)])
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("year")
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel(ylabel)
    axes[-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(title, fontsize=10)
    return _svg(fig)


def draw_bars(ax: Axes, frame: pd.DataFrame, title: str, ylabel: str, percent: bool = True,
              stacked: bool = False, tips: Tips | None = None) -> Axes:
    """Bars per row of ``frame`` (branches), one series per column (e.g. partners); returns
    ``ax``. Above :data:`~autarky.report.topk.MAX_BAR_GROUPS` rows, the rows with the largest
    sums and one for the mean of the rest (:func:`~autarky.report.topk.top_and_rest`)."""
    from autarky.report.topk import MAX_BAR_GROUPS, ranked, top_and_rest

    if len(frame) > MAX_BAR_GROUPS:
        frame = top_and_rest(frame, ranked(frame.sum(axis=1)), "rows")
    n_rows, n_cols = frame.shape
    pos = np.arange(n_rows)
    width = 0.8 if stacked else 0.8 / max(n_cols, 1)
    bottom = np.zeros(n_rows)
    scale = 100.0 if percent else 1.0
    for k, col in enumerate(frame.columns):  # by position: display names need not be unique
        vals = np.nan_to_num(frame.iloc[:, k].to_numpy(dtype=float)) * scale
        if stacked:
            bars = ax.bar(pos, vals, width, bottom=bottom, color=_PALETTE[k % len(_PALETTE)],
                          label=str(col))
            bottom += vals
        else:
            bars = ax.bar(pos + (k - (n_cols - 1) / 2) * width, vals, width,
                          color=_PALETTE[k % len(_PALETTE)], label=str(col))
        for bar, row, v in zip(bars, frame.index, vals, strict=True):
            _tip(bar, tips, f"{row} — {col}: {_fmt(v)}{' %' if percent else ''}")
    ax.set_xticks(pos, labels=list(frame.index), rotation=30, ha="right")
    ax.set_ylabel(ylabel + (" (%)" if percent else ""))
    ax.grid(axis="y", alpha=0.3)
    if n_cols > 1:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title, fontsize=10)
    return literal_text(ax)


def grouped_bars(frame: pd.DataFrame, title: str, ylabel: str, percent: bool = True,
                 stacked: bool = False) -> str:
    """:func:`draw_bars` as inline SVG."""
    fig, ax = _subplots((max(6.0, 0.55 * frame.shape[0] + 2.5), 3.6))
    tips: Tips = {}
    draw_bars(ax, frame, title, ylabel, percent, stacked, tips)
    return _svg(fig, tips)


def fan_chart(history: pd.Series, fan: pd.DataFrame, target: pd.Series, title: str,
              ylabel: str) -> str:
    """Reported history, the plan path and a fan of forecast quantiles (5-95 %, 25-75 %)."""
    fig, ax = _subplots((7.5, 3.8))
    draw_fan(ax, history, fan, target, title, ylabel)
    return _svg(fig)


def draw_fan(ax: Axes, history: pd.Series, fan: pd.DataFrame, target: pd.Series, title: str,
             ylabel: str) -> Axes:
    """:func:`fan_chart` drawn on ``ax``."""
    ax.plot(target.index, target.to_numpy(dtype=float), ls="--", color="black", lw=1.4,
            label="plan")
    ax.plot(history.index, history.to_numpy(dtype=float), marker="o", color=_PALETTE[0], lw=1.8,
            label="reported")
    if len(fan):
        last_p, last_v = history.index[-1], float(history.iloc[-1])
        xs = [last_p, *fan.index]
        cols = list(fan.columns)

        def col(q: float) -> np.ndarray:
            return np.array([last_v, *fan[q].to_numpy(dtype=float)])

        ax.fill_between(xs, col(cols[0]), col(cols[-1]), color=_PALETTE[1], alpha=0.2,
                        label=f"forecast {100 * cols[0]:.0f}-{100 * cols[-1]:.0f} %")
        if len(cols) >= 5:
            ax.fill_between(xs, col(cols[1]), col(cols[-2]), color=_PALETTE[1], alpha=0.35,
                            label=f"forecast {100 * cols[1]:.0f}-{100 * cols[-2]:.0f} %")
        mid = cols[len(cols) // 2]
        ax.plot(xs, col(mid), color=_PALETTE[1], lw=1.5, label="forecast median")
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title, fontsize=10)
    return literal_text(ax)


def tornado_chart(scores: pd.Series, title: str, xlabel: str, noise: float | None = None) -> str:
    """Horizontal bars of signed scores (rank correlations or indices), the strongest on top;
    ``noise``: a band drawn at +-noise (what the draws cannot tell from zero)."""
    s = scores.dropna()
    s = s.reindex(s.abs().sort_values().index)
    fig, ax = _subplots((7.5, max(2.2, 0.32 * len(s) + 1.0)))
    tips: Tips = {}
    colours = [_PALETTE[3] if v < 0 else _PALETTE[0] for v in s.to_numpy()]
    bars = ax.barh(np.arange(len(s)), s.to_numpy(dtype=float), color=colours)
    for bar, name, v in zip(bars, s.index, s.to_numpy(), strict=True):
        _tip(bar, tips, f"{name}: {v:+.3f}")
    if noise is not None:
        ax.axvspan(-noise, noise, color="#999999", alpha=0.2, lw=0,
                   label=f"indistinguishable from 0 (+-{noise:.2f})")
        ax.legend(fontsize=7, loc="lower right")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(np.arange(len(s)), labels=[str(i) for i in s.index], fontsize=7)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(title, fontsize=10)
    return _svg(fig, tips)


def quantile_fan(quantiles: pd.DataFrame, reference: pd.Series, title: str, ylabel: str,
                 reference_label: str) -> str:
    """A fan of quantiles by year (columns: quantiles, e.g. 0.05, 0.25, 0.5, 0.75, 0.95) with
    a reference path (the plan's) dashed."""
    fig, ax = _subplots((7.5, 3.8))
    xs = quantiles.index.to_numpy()
    cols = list(quantiles.columns)
    ax.fill_between(xs, quantiles[cols[0]], quantiles[cols[-1]], color=_PALETTE[1], alpha=0.2,
                    label=f"{100 * cols[0]:.0f}-{100 * cols[-1]:.0f} % of the draws")
    if len(cols) >= 5:
        ax.fill_between(xs, quantiles[cols[1]], quantiles[cols[-2]], color=_PALETTE[1],
                        alpha=0.35, label=f"{100 * cols[1]:.0f}-{100 * cols[-2]:.0f} %")
    ax.plot(xs, quantiles[cols[len(cols) // 2]], color=_PALETTE[1], lw=1.6, label="median")
    ax.plot(reference.index, reference.to_numpy(dtype=float), ls="--", color="black", lw=1.3,
            label=reference_label)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.set_title(title, fontsize=10)
    return _svg(fig)
