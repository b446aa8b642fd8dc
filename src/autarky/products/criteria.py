"""Which HS6 products an importer (a country or a bloc) depends on, by two published methods.

Both take a tidy trade frame (:func:`autarky.products.read_baci`, :func:`~autarky.products.
read_comtrade`): one row per year, exporter, importer and product with its ``value``. Notation,
for an importer made of the countries ``M`` (one country, or the members of a bloc), the area
``A ⊇ M`` whose outside is "extra-bloc" (``M`` itself by default; the EU27 for a member state
seen from the EU), a product ``k`` and a year:

* ``m_i`` the imports of ``M`` from the supplier ``i``; ``m_ext = sum_{i not in A} m_i`` the
  extra-bloc imports; ``m_tot = sum_i m_i`` all the imports of ``M``, from inside the bloc too
  (flows between two members of ``M`` are imports of ``M``);
* ``x`` the exports of ``M`` (to every destination, members of ``M`` included: a flow between
  two members is both an import and an export of the bloc);
* ``HHI = sum_{i not in A} (m_i / m_ext)^2``, the Herfindahl-Hirschman index of the extra-bloc
  suppliers' shares (0 to 1).

**EU-2021** (:func:`eu2021`), the "bottom-up" method of the European Commission, *Strategic
dependencies and capacities*, Commission Staff Working Document SWD(2021) 352 final (5 May
2021): a product is dependent when all three hold,

1. import concentration: ``HHI > 0.4``;
2. importance of extra-bloc demand: ``m_ext / m_tot > 0.5``;
3. substitutability: ``m_ext / x > 1`` (``inf`` where ``x = 0``).

The thresholds and the three ratios are the ones autarky uses for SWD(2021) 352 elsewhere
(:data:`autarky.reliance.indicators.EU_THRESHOLDS`); the staff working document itself was not
among the sources this module was written from (only its title page), so its exact wording is
**not confirmed**, in particular whether ``m_tot`` and ``x`` count intra-EU trade (as here).

**GeoDep** (:func:`geodep`), CEPII's database of import dependencies (2019-2022, from BACI), as
its page states (https://cepii.fr/cepii/en/bdd_modele/bdd_modele_item.asp?id=41; reference:
Lefebvre K. and Wibaux P., "Import dependencies: where does the EU stand?", CEPII Policy Brief
47, September 2024):

1. "the product-specific level of import concentration for each destination country and each
   year using a Herfindahl-Hirschman index: a value higher than 0.4" (``HHI > 0.4``);
2. "a Herfindahl-Hirschman index capturing the concentration of world exports: a value higher
   than 0.4" (``HHI_world = sum_e (X_e / X)^2 > 0.4`` over every exporting country ``e``);
3. "the product-level ratio of imports over exports for each country: ... non-substitutable
   by domestic production if this ratio is larger than one. When exports are null, we impose
   the value of 9999" (``m / x > 1``);
4. "only those products for which all three criteria hold for at least two years in a
   three-year window".

What that text leaves open, and what this module does (**unconfirmed** choices): the window
ends at the reference year (``year - 2 .. year``; a year missing from the data counts as not
met, and ``years_observed`` says how many of the window's years the data hold); a bloc is seen
as one country, its imports and exports those with the outside of ``A`` (for one country,
all of them, as GeoDep has it); the world exports of criterion 2 are by country, each member of
a bloc its own exporter.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from autarky.errors import BadValueError, UnknownIdError
from autarky.products.baci import check_trade

#: The 27 member states of the European Union (since 2020), ISO3.
EU27 = frozenset({"AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
                  "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT",
                  "ROU", "SVK", "SVN", "ESP", "SWE"})
EU2021_THRESHOLDS = {"concentration": 0.4, "extra_demand": 0.5, "substitutability": 1.0}
GEODEP_THRESHOLDS = {"import_concentration": 0.4, "world_concentration": 0.4,
                     "substitutability": 1.0}
#: GeoDep's ratio of imports over exports where exports are null.
GEODEP_NO_EXPORTS = 9999.0
EU2021_SOURCE = ("European Commission (2021), Strategic dependencies and capacities, Commission "
                 "Staff Working Document SWD(2021) 352 final")
GEODEP_SOURCE = ("CEPII GeoDep (cepii.fr/cepii/en/bdd_modele/bdd_modele_item.asp?id=41); "
                 "Lefebvre K. and Wibaux P. (2024), Import dependencies: where does the EU "
                 "stand?, CEPII Policy Brief 47")

Importer = str | Collection[str] | Mapping[str, str | Collection[str]]
Bloc = Collection[str] | Mapping[str, Collection[str]] | None


def _codes(codes: str | Collection[str], what: str) -> frozenset[str]:
    out = frozenset(str(c).strip() for c in ([codes] if isinstance(codes, str) else codes))
    if not out or "" in out:
        raise BadValueError(f"{what}: give one or more country codes")
    return out


def importers(importer: Importer, bloc: Bloc = None, name: str | None = None
              ) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each importer's name, members and area (whose outside is "extra-bloc").

    ``importer`` is a country code, a collection of codes (one bloc, called ``name``), or a
    mapping of names to either. ``bloc`` is a collection of codes (the area of every importer,
    with its own members), or a mapping of bloc names to codes (each importer's area is the
    first bloc holding all its members; its own members where none does), or None (each
    importer's own members).

    Examples
    --------
    >>> imp = importers({"DEU": "DEU", "NOR": "NOR"}, bloc={"EU27": EU27})
    >>> len(imp["DEU"][1]), sorted(imp["NOR"][1])
    (27, ['NOR'])
    >>> sorted(importers({"FRA", "DEU"}, name="FRDE")["FRDE"][0])
    ['DEU', 'FRA']
    """
    if isinstance(importer, str):
        named: dict[str, frozenset[str]] = {importer.strip(): _codes(importer, "importer")}
    elif isinstance(importer, Mapping):
        named = {str(n): _codes(c, f"importer {n}") for n, c in importer.items()}
    else:
        named = {name or "bloc": _codes(importer, "importer")}
    if not named:
        raise BadValueError("give at least one importer")
    out = {}
    for n, members in named.items():
        if bloc is None:
            area = members
        elif isinstance(bloc, Mapping):
            holding = [_codes(b, f"bloc {b}") for b in bloc.values()]
            area = next((b | members for b in holding if members <= b), members)
        else:
            area = members | _codes(bloc, "bloc")
        out[n] = (members, area)
    return out


def _year_slice(trade: pd.DataFrame, year: int | None) -> tuple[int, list[int], pd.DataFrame]:
    """The reference year (the latest by default), the years the data hold, and ``trade``
    without flows from a country to itself."""
    check_trade(trade)
    years = sorted(int(y) for y in pd.unique(trade["year"]))
    if not years:
        raise BadValueError("the trade frame is empty")
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise BadValueError(f"year {year} is not in the trade data (years: "
                            f"{', '.join(map(str, years))})")
    keep = trade["exporter"].to_numpy(dtype=object) != trade["importer"].to_numpy(dtype=object)
    return int(year), years, trade[keep] if not keep.all() else trade


def _check_known(trade: pd.DataFrame,
                 groups: Mapping[str, tuple[frozenset[str], frozenset[str]]]) -> None:
    known = set(pd.unique(trade["importer"])) | set(pd.unique(trade["exporter"]))
    for n, (members, _) in groups.items():
        if not members & known:
            sample = ", ".join(sorted(map(str, known))[:12])
            raise UnknownIdError(f"importer {n!r}: none of its codes ({', '.join(sorted(members))[:80]}) "
                                 f"is in the trade data (codes such as {sample}; BACI numeric "
                                 "codes become ISO3 with the country file)")


def concentration(flows: pd.DataFrame, by: str = "exporter") -> pd.DataFrame:
    """Per product: the ``total`` of ``flows["value"]``, the Herfindahl-Hirschman index ``hhi``
    of its split across ``by`` (the suppliers), the largest ``top`` and its share
    ``top_share``; products with a positive total only.

    Examples
    --------
    Three suppliers with shares 0.6, 0.3 and 0.1: HHI = 0.36 + 0.09 + 0.01 = 0.46.

    >>> f = pd.DataFrame({"product": ["010121"] * 3, "exporter": ["CHN", "USA", "IND"],
    ...                   "value": [60.0, 30.0, 10.0]})
    >>> c = concentration(f)
    >>> round(float(c.loc["010121", "hhi"]), 12), c.loc["010121", "top"]
    (0.46, 'CHN')
    """
    cols = ["total", "hhi", "top", "top_share"]
    s = flows.groupby(["product", by], observed=True, sort=False)["value"].sum()
    s = s[s > 0]
    if s.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c == "top" else float) for c in cols},
                            index=pd.Index([], name="product", dtype=object))
    total = s.groupby(level=0, sort=False).sum()
    share = s / total.reindex(s.index.get_level_values(0)).to_numpy()
    top = share.groupby(level=0, sort=False).idxmax()
    return pd.DataFrame({"total": total,
                         "hhi": (share ** 2).groupby(level=0, sort=False).sum(),
                         "top": [t[1] for t in top.reindex(total.index)],
                         "top_share": share.groupby(level=0, sort=False).max()},
                        index=total.index)


def _by_product(flows: pd.DataFrame) -> pd.Series:
    return flows.groupby("product", observed=True, sort=False)["value"].sum()


def _units(trade: pd.DataFrame, money: Collection[str], ratios: Collection[str]
           ) -> dict[str, str]:
    unit = trade.attrs.get("units", {}).get("value", "thousand USD")
    return {**dict.fromkeys(money, unit), **dict.fromkeys(ratios, "1")}


def _attrs(out: pd.DataFrame, trade: pd.DataFrame, criteria: str, year: int,
           groups: Mapping[str, tuple[frozenset[str], frozenset[str]]],
           thresholds: Mapping[str, float], units: dict[str, str], reference: str,
           **extra: Any) -> pd.DataFrame:
    out.attrs = {"criteria": criteria, "year": year, "thresholds": dict(thresholds),
                 "units": units, "reference": reference,
                 "importers": {n: sorted(m) for n, (m, _) in groups.items()},
                 "extra_to": {n: sorted(a) for n, (_, a) in groups.items()},
                 "source": dict(trade.attrs.get("provenance", {})), **extra}
    return out


def eu2021(trade: pd.DataFrame, importer: Importer, *, bloc: Bloc = None,
           year: int | None = None, name: str | None = None,
           thresholds: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The European Commission's 2021 dependence criteria (see the module docstring) for each
    importer and each product it imports from outside its area.

    Parameters
    ----------
    trade
        A tidy trade frame.
    importer, bloc, name
        The importers and their areas, as :func:`importers` reads them.
    year
        The year measured (default: the latest in ``trade``).
    thresholds
        Override ``concentration`` (0.4), ``extra_demand`` (0.5), ``substitutability`` (1).

    Returns
    -------
    pandas.DataFrame
        One row per importer and product: ``extra_imports``, ``total_imports``, ``exports``
        (the trade frame's value unit), ``hhi``, ``extra_share`` (``m_ext / m_tot``),
        ``imports_over_exports`` (``m_ext / x``), the largest extra-bloc ``top_supplier`` and
        its ``top_supplier_share``, the flags ``concentrated``, ``extra_demand``,
        ``non_substitutable`` and ``dependent`` (all three); ``attrs`` with the units, the
        thresholds, the areas and the trade data's provenance.

    Examples
    --------
    Importer ``AAA`` in the bloc {AAA, BBB}: extra-bloc suppliers X, Y, Z with 60, 30, 10
    (HHI 0.46), 20 from BBB (extra share 100 / 120), exports 50 (ratio 2): dependent.

    >>> from autarky.products.baci import trade_frame
    >>> t = trade_frame([2021] * 5, ["X", "Y", "Z", "BBB", "AAA"],
    ...                 ["AAA", "AAA", "AAA", "AAA", "BBB"], ["010121"] * 5,
    ...                 [60.0, 30.0, 10.0, 20.0, 50.0])
    >>> r = eu2021(t, "AAA", bloc={"AAA", "BBB"}).iloc[0]
    >>> round(float(r.hhi), 12), round(float(r.extra_share), 4), float(r.imports_over_exports)
    (0.46, 0.8333, 2.0)
    >>> bool(r.dependent)
    True
    """
    th = {**EU2021_THRESHOLDS, **(thresholds or {})}
    groups = importers(importer, bloc, name)
    y, _, t = _year_slice(trade, year)
    _check_known(t, groups)
    t = t[t["year"].to_numpy() == y]
    frames = []
    for n, (members, area) in groups.items():
        imp = t[t["importer"].isin(members)]
        ext = imp[~imp["exporter"].isin(area)]
        c = concentration(ext)
        total = _by_product(imp).reindex(c.index).to_numpy(dtype=float)
        exports = _by_product(t[t["exporter"].isin(members)]).reindex(c.index).fillna(0.0)
        extra = c["total"].to_numpy(dtype=float)
        x = exports.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(x > 0, extra / np.where(x > 0, x, 1.0), np.inf)
        f = pd.DataFrame({
            "importer": n, "product": c.index.to_numpy(dtype=object), "year": y,
            "extra_imports": extra, "total_imports": total, "exports": x,
            "hhi": c["hhi"].to_numpy(dtype=float), "extra_share": extra / total,
            "imports_over_exports": ratio, "top_supplier": c["top"].to_numpy(dtype=object),
            "top_supplier_share": c["top_share"].to_numpy(dtype=float)})
        f["concentrated"] = f["hhi"] > th["concentration"]
        f["extra_demand"] = f["extra_share"] > th["extra_demand"]
        f["non_substitutable"] = f["imports_over_exports"] > th["substitutability"]
        f["dependent"] = f["concentrated"] & f["extra_demand"] & f["non_substitutable"]
        frames.append(f)
    out = pd.concat(frames, ignore_index=True).sort_values(["importer", "product"],
                                                           ignore_index=True)
    units = _units(trade, ("extra_imports", "total_imports", "exports"),
                   ("hhi", "extra_share", "imports_over_exports", "top_supplier_share"))
    return _attrs(out, trade, "eu2021", y, groups, th, units, EU2021_SOURCE)


def _geodep_year(t: pd.DataFrame, members: frozenset[str], area: frozenset[str],
                 world: pd.Series, th: Mapping[str, float]) -> pd.DataFrame:
    """GeoDep's three measures and flags of one importer in one year's flows ``t``."""
    ext = t[t["importer"].isin(members) & ~t["exporter"].isin(area)]
    c = concentration(ext)
    out_x = t[t["exporter"].isin(members) & ~t["importer"].isin(area)]
    x = _by_product(out_x).reindex(c.index).fillna(0.0).to_numpy(dtype=float)
    m = c["total"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x > 0, m / np.where(x > 0, x, 1.0), GEODEP_NO_EXPORTS)
    f = pd.DataFrame({"product": c.index.to_numpy(dtype=object), "imports": m, "exports": x,
                      "hhi_imports": c["hhi"].to_numpy(dtype=float),
                      "hhi_world": world.reindex(c.index).to_numpy(dtype=float),
                      "imports_over_exports": ratio,
                      "top_supplier": c["top"].to_numpy(dtype=object),
                      "top_supplier_share": c["top_share"].to_numpy(dtype=float)})
    f["import_concentrated"] = f["hhi_imports"] > th["import_concentration"]
    f["world_concentrated"] = f["hhi_world"] > th["world_concentration"]
    f["non_substitutable"] = f["imports_over_exports"] > th["substitutability"]
    f["criteria_met"] = (f["import_concentrated"] & f["world_concentrated"]
                         & f["non_substitutable"])
    return f


def geodep(trade: pd.DataFrame, importer: Importer, *, bloc: Bloc = None,
           year: int | None = None, name: str | None = None,
           thresholds: Mapping[str, float] | None = None, window: int = 3,
           min_years: int = 2) -> pd.DataFrame:
    """CEPII GeoDep's dependence criteria (see the module docstring) for each importer and
    each product it imports in ``year``.

    Parameters
    ----------
    trade
        A tidy trade frame holding the years of the window (``year - window + 1 .. year``).
    importer, bloc, name
        The importers and their areas, as :func:`importers` reads them.
    year
        The reference year (default: the latest in ``trade``).
    thresholds
        Override ``import_concentration`` (0.4), ``world_concentration`` (0.4),
        ``substitutability`` (1).
    window, min_years
        The three criteria must hold in at least ``min_years`` of the ``window`` years.

    Returns
    -------
    pandas.DataFrame
        One row per importer and product of the reference year: ``imports``, ``exports``,
        ``hhi_imports``, ``hhi_world``, ``imports_over_exports`` (9999 where exports are
        null), ``top_supplier``, ``top_supplier_share``, the flags of that year
        (``import_concentrated``, ``world_concentrated``, ``non_substitutable``,
        ``criteria_met``), ``years_met`` and ``years_observed`` in the window, and
        ``dependent`` (``years_met >= min_years``).

    Examples
    --------
    One supplier X, the only exporter in the world, and no exports of AAA: the three criteria
    hold in 2020 and 2021, so the product is dependent in 2021.

    >>> from autarky.products.baci import trade_frame
    >>> t = trade_frame([2020, 2021], ["X", "X"], ["AAA", "AAA"], ["280540"] * 2, [5.0, 6.0])
    >>> r = geodep(t, "AAA").iloc[0]
    >>> [float(r[c]) for c in ("hhi_imports", "hhi_world", "imports_over_exports")]
    [1.0, 1.0, 9999.0]
    >>> int(r.years_met), bool(r.dependent)
    (2, True)
    """
    if window < 1 or not 1 <= min_years <= window:
        raise BadValueError(f"window {window}, min_years {min_years}: need 1 <= min_years <= "
                            "window")
    th = {**GEODEP_THRESHOLDS, **(thresholds or {})}
    groups = importers(importer, bloc, name)
    y, years, t = _year_slice(trade, year)
    _check_known(t, groups)
    in_window = [w for w in range(y - window + 1, y + 1) if w in years]
    yearly: dict[int, pd.DataFrame] = {}
    for w in in_window:
        tw = t[t["year"].to_numpy() == w]
        world = concentration(tw)["hhi"]
        yearly[w] = pd.concat(
            [_geodep_year(tw, m, a, world, th).assign(importer=n)
             for n, (m, a) in groups.items()], ignore_index=True)
    ref = yearly[y]
    met = (pd.concat([f[["importer", "product", "criteria_met"]] for f in yearly.values()])
           .groupby(["importer", "product"], sort=False)["criteria_met"].sum())
    key = pd.MultiIndex.from_arrays([ref["importer"], ref["product"]])
    ref["years_met"] = met.reindex(key).to_numpy(dtype=np.int64)
    ref["years_observed"] = len(in_window)
    ref["dependent"] = ref["years_met"] >= min_years
    ref.insert(2, "year", y)
    cols = ["importer", *[c for c in ref.columns if c != "importer"]]
    out = ref[cols].sort_values(["importer", "product"], ignore_index=True)
    units = _units(trade, ("imports", "exports"),
                   ("hhi_imports", "hhi_world", "imports_over_exports", "top_supplier_share"))
    return _attrs(out, trade, "geodep", y, groups, th, units, GEODEP_SOURCE,
                  window=[y - window + 1, y], min_years=min_years,
                  years_observed=in_window)


#: The criteria by name.
CRITERIA: dict[str, Callable[..., pd.DataFrame]] = {"eu2021": eu2021, "geodep": geodep}


def dependent(measures: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`eu2021` or :func:`geodep` flagged dependent, largest imports first.

    Examples
    --------
    >>> from autarky.products.baci import trade_frame
    >>> t = trade_frame([2021, 2021], ["X", "Y"], ["AAA", "AAA"], ["010121", "020110"],
    ...                 [5.0, 6.0])
    >>> dependent(eu2021(t, "AAA"))["product"].tolist()
    ['020110', '010121']
    """
    value = "extra_imports" if "extra_imports" in measures.columns else "imports"
    out = measures[measures["dependent"].to_numpy(bool)]
    return out.sort_values(["importer", value], ascending=[True, False], ignore_index=True,
                           kind="stable")
