"""Which reading of an ambiguous claim do the other claims support, and how strongly?

A claim may carry other readings (:class:`~autarky.economy.claims.Reading`: the base of "pre-war",
a unit, an OCR alternative, the scope "state-run" against "state and cooperative"). Rather than
fix one by hand, :func:`audit_readings` audits every combination of readings
(:func:`~autarky.monitor.audit.audit`) and weighs them by their evidence: the likelihood of all
the claims under the combination, integrated over the log levels.

With ``n`` audited claims of standard deviations ``sigma_k``, chi-square ``chi2`` and ``r`` free
log levels the claims identify (covariance ``C``, of pseudo-determinant ``|C|+``), each given a
flat prior over a width ``w`` in log terms, the log evidence is::

    log Z = - chi2 / 2 - sum_k log sigma_k - (n - r) log(2 pi) / 2 + log |C|+ / 2 - r log w

(the Laplace integral is exact here: the model is linear in the log levels). Readings that keep
the same design and deviations differ by ``exp(-(chi2_a - chi2_b) / 2)``; a reading that adds a
level nothing else checks pays ``log w`` for it (an unfalsifiable reading is not favoured for its
perfect fit), so such comparisons depend on ``w`` (default: levels anywhere within a factor of
1,000, ``w = log 1000``). The posterior of a combination is its prior (the product of its
readings' priors) times ``Z``, normalised; a reading's posterior sums the combinations that use
it, and its *Bayes factor* against the claim as read is its posterior odds over its prior odds.

Examples
--------
Levels 100 in 1949 and 60 in 1953, 1956 three times 1953, and a claim that 1956 is "1.8 times"
1949, which the OCR may have turned from 1.3. All four deviations 0.05. Read as 1.8 the four
claims agree exactly (``chi2 = 0``); read as 1.3 the loop misses by ``e = log(1.8 / 1.3)``, shared
equally by the four claims: ``chi2 = e^2 / (4 sigma^2) = 10.59``. Same design, same deviations:
the Bayes factor of 1.3 against 1.8 is ``exp(-10.59 / 2) = 1 / 199.3``.

>>> from autarky.economy.claims import Claim, Reading
>>> claims = [Claim("a", "level", "x", 100.0, "t", year=1949, sigma=0.05),
...           Claim("b", "level", "x", 60.0, "t", year=1953, sigma=0.05),
...           Claim("c", "ratio", "x", 3.0, "times", year=1956, base_year=1953, sigma=0.05),
...           Claim("d", "ratio", "x", 1.8, "times", year=1956, base_year=1949, sigma=0.05,
...                 readings=(Reading("OCR 1.3", value=1.3),))]
>>> r = audit_readings(claims)
>>> row = r.readings.set_index("reading").loc["OCR 1.3"]
>>> round(float(1 / row["bayes_factor"]), 1), round(float(row["posterior"]), 4)
(199.3, 0.005)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from autarky.checks import quoted
from autarky.economy.claims import READING_FIELDS, Claim, Claims
from autarky.errors import BadValueError
from autarky.monitor.audit import AuditResult, _equation, audit

__all__ = ["AS_READ", "ReadingsAudit", "audit_readings", "log_evidence"]

#: The name of a claim's own reading.
AS_READ = "as read"
#: Column names of the combinations table, which no ambiguous claim's id may take.
RESERVED = ("log_evidence", "chi2", "dof", "log_prior", "posterior")


def log_evidence(res: AuditResult, width: float) -> float:
    """The log evidence of an audit (see the module): its fit, its deviations, and the volume
    of the log levels the claims identify."""
    audited = res.claims[res.claims["audited"]]
    n = len(audited)
    if n == 0:
        return 0.0
    sig = audited["sigma"].to_numpy(dtype=float)
    cov = np.asarray(res.covariance, dtype=float)
    if cov.size:
        eig = np.linalg.eigvalsh((cov + cov.T) / 2)
        tol = max(eig.max(initial=0.0), 0.0) * 1e-10 * max(cov.shape)
        pos = eig[eig > tol]
    else:
        pos = np.zeros(0)
    r = len(pos)
    return float(-res.chi2 / 2 - np.log(sig).sum() - (n - r) * math.log(2 * math.pi) / 2
                 + np.log(pos).sum() / 2 - r * math.log(width))


@dataclass(frozen=True)
class ReadingsAudit:
    """Outcome of :func:`audit_readings`.

    Attributes
    ----------
    readings
        One row per claim and reading: ``claim``, ``reading`` (``as read`` for the claim's own),
        ``changes`` (what the reading changes), ``prior`` (normalised over the claim's
        readings), ``posterior``, ``bayes_factor`` (against the claim as read) and
        ``source_type``.
    combinations
        One row per combination audited: a column per ambiguous claim (its reading),
        ``log_evidence``, ``chi2``, ``dof``, ``log_prior``, ``posterior``.
    best
        The audit under the most probable combination.
    method
        ``all combinations`` or ``one claim at a time`` (the others as read), with the width.
    """

    readings: pd.DataFrame
    combinations: pd.DataFrame
    best: AuditResult = field(repr=False)
    method: str = ""

    def chosen(self) -> dict[str, str]:
        """The reading of each ambiguous claim in the most probable combination."""
        top = self.combinations.sort_values("posterior", ascending=False).iloc[0]
        return {c: str(top[c]) for c in self.readings["claim"].unique()}


def _changes(c: Claim, r: Any) -> str:
    parts = [f"{f} {getattr(c, f)} -> {getattr(r, f)}" for f in READING_FIELDS
             if getattr(r, f) is not None and getattr(r, f) != getattr(c, f)]
    return "; ".join(parts)


def audit_readings(claims: Claims | Sequence[Claim], *, extra: Sequence[Claim] | None = None,
                   width: float = math.log(1000.0), max_combinations: int = 4096,
                   **audit_options: Any) -> ReadingsAudit:
    """Audit every combination of the readings of the ambiguous claims and weigh them.

    Parameters
    ----------
    claims, extra
        As for :func:`~autarky.monitor.audit.audit`; claims with ``readings`` are ambiguous.
    width
        Width (log terms) of the flat prior on each log level the claims identify.
    max_combinations
        Beyond this many combinations, each ambiguous claim's readings are weighed with the
        other claims as read (and ``method`` says so).
    audit_options
        Passed to :func:`~autarky.monitor.audit.audit`.

    Returns
    -------
    ReadingsAudit

    Raises
    ------
    BadValueError
        Without an ambiguous claim, or for a width that is not positive.
    """
    if not (isinstance(width, (int, float)) and math.isfinite(width) and width > 0):
        raise BadValueError(f"width must be a positive number (log terms), got {quoted(width)}")
    base = list(claims.claims if isinstance(claims, Claims) else claims)
    more = list(extra or ())
    everything = base + more
    ambiguous = [c for c in everything if c.readings]
    if not ambiguous:
        raise BadValueError("no claim has other readings ('readings' in the claims file) to "
                            "weigh")
    options: dict[str, list[tuple[str, Claim, float]]] = {}
    rule = {"sigma_floor": audit_options.get("sigma_floor", 0.01),
            "sigma": dict(audit_options.get("sigma") or {}),
            "use_alternatives": audit_options.get("use_alternatives", True),
            "source_weights": audit_options.get("source_weights")}
    for c in ambiguous:
        if c.id in RESERVED:
            raise BadValueError(f"claim id {quoted(c.id)} is a column name of the combinations; "
                                "rename the claim")
        opts = [(AS_READ, Claim(**{**c.__dict__, "readings": ()}), 1.0)]
        opts += [(r.name, r.apply(c), r.prior) for r in c.readings]
        names = [o[0] for o in opts]
        if len(set(names)) != len(names):
            raise BadValueError(f"claim {quoted(c.id)}: two readings share a name")
        audited = [not isinstance(_equation(o[1], **rule), str) for o in opts]
        for (name, cc, _), ok in zip(opts, audited, strict=True):
            if ok != audited[0]:
                why = _equation(cc if not ok else opts[0][1], **rule)
                raise BadValueError(
                    f"claim {quoted(c.id)}: the reading {quoted(name)} would be weighed on other data than "
                    f"the claim as read ({'it' if not ok else 'the claim as read'} is "
                    f"{why}); every reading of a claim must be auditable alike")
        options[c.id] = opts
    ids = list(options)
    total = math.prod(len(o) for o in options.values())
    joint = total <= max_combinations
    if joint:
        combos = list(itertools.product(*[range(len(options[i])) for i in ids]))
        method = f"all {total} combinations"
    else:
        combos = [tuple(0 for _ in ids)]
        for k, i in enumerate(ids):
            for j in range(1, len(options[i])):
                combos.append(tuple(j if kk == k else 0 for kk in range(len(ids))))
        method = (f"one claim at a time, the others as read ({total} combinations exceed "
                  f"max_combinations={max_combinations}; posteriors are conditional on the "
                  "other claims as read)")
    method += f"; flat prior on each identified log level over a width of {width:.3g}"
    rows, audits = [], []
    for combo in combos:
        chosen = {i: options[i][j][1] for i, j in zip(ids, combo, strict=True)}
        cl = [chosen.get(c.id, c) for c in base]
        ex = [chosen.get(c.id, c) for c in more]
        res = audit(cl, extra=ex or None, **audit_options)
        audits.append(res)
        log_prior = sum(math.log(options[i][j][2] / sum(o[2] for o in options[i]))
                        for i, j in zip(ids, combo, strict=True))
        rows.append({**{i: options[i][j][0] for i, j in zip(ids, combo, strict=True)},
                     "log_evidence": log_evidence(res, width), "chi2": res.chi2,
                     "dof": res.dof, "log_prior": log_prior})
    comb = pd.DataFrame(rows)
    lw = (comb["log_evidence"] + comb["log_prior"]).to_numpy()
    w = np.exp(lw - lw.max())
    comb["posterior"] = w / w.sum()
    out = []
    for c in ambiguous:
        opts = options[c.id]
        prior_sum = sum(o[2] for o in opts)
        col = comb[c.id].to_numpy()
        # the combinations to weigh this claim's readings over: all of them (the other
        # claims' readings weighed by their priors), or those with the others as read
        keep = np.ones(len(comb), dtype=bool)
        if not joint:
            for other in ids:
                if other != c.id:
                    keep &= comb[other].to_numpy() == AS_READ
        like, post = {}, {}
        for name, _, prior in opts:
            m = keep & (col == name)
            sub = lw[m] - math.log(prior / prior_sum)
            like[name] = float(np.log(np.exp(sub - lw.max()).sum()) + lw.max())
            post[name] = float(np.exp(lw[m] - lw.max()).sum())
        norm = sum(post.values())
        for name, cc, prior in opts:
            out.append({"claim": c.id, "reading": name,
                        "changes": "" if name == AS_READ else _changes(c, cc),
                        "prior": prior / prior_sum,
                        "posterior": post[name] / norm,
                        "bayes_factor": math.exp(like[name] - like[AS_READ]),
                        "source_type": c.source_type})
    table = pd.DataFrame(out)
    table.attrs["units"] = {"prior": "probability", "posterior": "probability",
                            "bayes_factor": "1 (evidence of the reading over the claim as read)"}
    best = audits[int(np.argmax(comb["posterior"].to_numpy()))]
    return ReadingsAudit(table, comb, best, method)
