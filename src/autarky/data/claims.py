"""Claims: the types (:mod:`autarky.economy.claims`) and the YAML reader
(:mod:`autarky.io.claims`), re-exported here for the bundled data and older imports."""

from __future__ import annotations

from autarky.economy.claims import CLAIM_FIELDS, KINDS, Claim, Claims
from autarky.io.claims import read_claims

__all__ = ["CLAIM_FIELDS", "KINDS", "Claim", "Claims", "read_claims"]
