"""Write the bundled ``three-year-plan`` scenario (North Korea 1954-60) from the figures below.

Run ``python tools/build_three_year_plan.py [FOLDER]`` (default: the bundled folder). Every number is here,
with its kind (``cited``: a figure of ../shared/research/dprk-sources.md, with source, type and
quote; ``claim``: a claim of the source document, with its line; ``estimate``: a model estimate
with its reasoning), and the files of the scenario folder are written from it. The 1953 final
demand is not chosen: it closes the material balance with the recorded trade exactly,
``y = (x - e) / (1 - s) - A x``.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "src" / "autarky" / "cases" / "koh1965" / "data" / "scenarios"
SEVEN = CASE / "seven-year-plan"
OUT = CASE / "three-year-plan"

BR = ["electricity", "coal", "pig-iron", "steel", "structural-steel", "fertilizers", "cement",
      "fabrics", "grain", "machinery", "consumer-goods", "other"]
PRICE = {"electricity": 0.02, "coal": 0.012, "pig-iron": 0.08, "steel": 0.12,
         "structural-steel": 0.18, "fertilizers": 0.09, "cement": 0.03, "fabrics": 1.6,
         "grain": 0.15, "machinery": 1.0, "consumer-goods": 1.0, "other": 1.0}
INDUSTRY = [b for b in BR if b not in ("grain", "other")]

MEMO = ("Tugarinov, 'The Economy of the DPRK and South Korea in the Postwar Period', Soviet MFA "
        "memo No. 344/dv, 16 May 1960, Wilson Center Digital Archive (BLOC-ARCH, passing on "
        "DPRK statistics); dprk-sources.md 1a")
SHEN = ("Shen Zhihua & Xia Yafeng, 'China and the Post-War Reconstruction of North Korea, "
        "1953-1961', NKIDP Working Paper 4 (2012) (WEST-REPRO of the DPRK claim); "
        "dprk-sources.md 2c")
BLOG = ("Korean blog summarising a Soviet embassy war-damage report of March 1954 "
        "(alpha.ecency.com/zzan/@wisdomandjustice/2vsppx-8; WEAK); dprk-sources.md 1b")
POLISH = ("Polish Embassy note, 27 Jan 1953, Wilson Center Digital Archive doc. 114945 "
          "(BLOC-ARCH, relaying a DPRK briefing); dprk-sources.md 1b")
RECALLED = "recalled official DPRK figure (Western reproductions), not checked: an estimate"

# (value, estimate?, source, note) -- 1949 (pre-war) and 1953 (end of the war) gross output
X49 = {
    "electricity": (5924, False, MEMO + "; " + BLOG,
                    "5.9 billion kWh in the memo's table ('electric power | billions of "
                    "kilowatt-hours | 5.9 | 1.0 | 7.8'); 5,924 million kWh in the blog's "
                    "figures (59.24억 킬로와트)."),
    "coal": (4000, False, MEMO,
             "4.0 million t ('coal | thousands of tons | 4.0 | 0.7 | 8,854.0': the unit is "
             "misprinted, million t for 1949 and 1953); 3,943 thousand t in the blog's figures."),
    "pig-iron": (166, False, MEMO, "'cast iron | \" | 166.0 | - | 694.0' (thousand t)."),
    "steel": (144.4, False, MEMO, "'steel | \" | 144.4 | 3.6 | 451.0' (thousand t)."),
    "structural-steel": (116, False, MEMO,
                         "'rolled products | \" | 116.0 | 3.5 | 331.0' (thousand t)."),
    "fertilizers": (401.2, False, MEMO,
                    "'mineral fertilizer | \" | 401.2 | - | 391.0' (thousand t)."),
    "cement": (536.6, False, MEMO, "'cement | \" | 536.6 | 26.5 | 1,926.0' (thousand t)."),
    "fabrics": (12.8, False, MEMO, "'textiles (various) | millions of meters | 12.8 | 21.'"),
    "grain": (2654, True, RECALLED,
              "About 2,654 thousand t in 1949 (recalled; no source read gives it). Checks: the "
              "1946 harvest was 1,115.6 thousand t of rice in paddy and 882.2 of coarse grains "
              "(1,998 in all; DPRK-OFF via Hitotsubashi DP96.7), and 1956 was 8.2 % above 1949 "
              "(KCNA, DPRK-OFF): 2,872 thousand t."),
    "machinery": (15, True, "estimate",
                  "Million won at 1963 prices, order of magnitude: machine building was 1.6 % of "
                  "industry before liberation and 20.6 % in 1959 (Arkhipov memo, 9 Aug 1960, "
                  "BLOC-ARCH); repair shops mostly."),
    "consumer-goods": (100, True, "estimate",
                       "Million won at 1963 prices, order of magnitude: chosen so that heavy "
                       "industry and energy make ~70 % of 1949 industrial output at the "
                       "scenario's prices (80 % in 1943: Van Ree 1989, WEST-REPRO)."),
    "other": (750, True, "estimate",
              "Million won at 1963 prices, order of magnitude: non-grain farming, fishing (273 "
              "thousand t of fish in 1949: Soviet MFA memo of 11 Jun 1960, BLOC-ARCH), mining, "
              "construction, transport and services."),
}
X53 = {
    "electricity": (1016, False, MEMO + "; " + BLOG,
                    "1.0 billion kWh in the memo's table, 1,016 million kWh (10.16억) in the "
                    "blog's; 'electricity production was down to 26 percent of its pre-war "
                    "levels' (Shen & Xia, WEST-REPRO)."),
    "coal": (700, False, MEMO, "0.7 million t (misprinted unit, see 1949); 686 thousand t in the "
                               "blog's figures."),
    "pig-iron": (16.6, True, "estimate from " + SHEN,
                 "The memo prints '-' for 1953. 'Metallurgical production ... 10 percent' of "
                 "pre-war (Shen & Xia): 10 % of 166 = 16.6 thousand t, enough for the 3.6 "
                 "thousand t of steel and for castings."),
    "steel": (3.6, False, MEMO, "3.6 thousand t; 0.35 万 t = 3.5 thousand t in the blog's."),
    "structural-steel": (3.5, False, MEMO, "3.5 thousand t."),
    "fertilizers": (88, True, "estimate from " + SHEN,
                    "The memo prints '-' for 1953 (Hungnam was bombed out). 'Chemical "
                    "production 22 percent' of pre-war (Shen & Xia): 0.22 x 401.2 = 88 thousand t."),
    "cement": (26.5, False, MEMO, "26.5 thousand t (2.65 万 t in the blog's)."),
    "fabrics": (21, False, MEMO + "; " + POLISH,
                "The memo's row is cut off after '21.' (million m): read as 21, the decimals "
                "lost. Textiles grew during the war in dispersed mills: 18.4 million m in 1952 "
                "('producing 18,407,500 m. of textiles of the 20,960,000 m. that had been "
                "planned', Polish note)."),
    "grain": (2017, True, "estimate from " + SHEN,
              "'The production of agriculture had dropped by some 24 percent' (Shen & Xia): "
              "0.76 x 2,654 (1949, recalled) = 2,017 thousand t."),
    "machinery": (15, True, "estimate",
                  "Million won at 1963 prices: as in 1949 (repair of vehicles and arms in "
                  "dispersed shops in the war)."),
    "consumer-goods": (147, True, "estimate",
                       "Million won at 1963 prices: light and local industry grew in the war like "
                       "fabrics (x1.64); chosen so that industrial output in 1953 is 58 % of "
                       "1949 at the scenario's prices ('gross industrial production dropped by "
                       "more than 40%', Soviet memos of 1955 and 1960, BLOC-ARCH)."),
    "other": (600, True, "estimate",
              "Million won at 1963 prices, order of magnitude: fish catch 122 against 273 "
              "thousand t in 1949 (BLOC-ARCH), '70 percent of trains and 85 percent of ships "
              "destroyed' (Shen & Xia), farming other than grain down like grain."),
}
# working capacity in 1954 over 1953 output: utilisation margins (estimates)
MARGIN = {b: 1.05 for b in BR}
MARGIN.update({"electricity": 1.15, "fabrics": 1.1, "consumer-goods": 1.1})
MARGIN_NOTE = {
    "electricity": "Units repaired late in 1953 come on stream in 1954.",
    "fabrics": "Mills dispersed in the war ran short of cotton.",
    "consumer-goods": "Local-industry workshops short of materials.",
}
# share of the cost of new capacity that repair of damaged capacity costs (estimates)
REPAIR_SHARE = {"electricity": 0.35, "coal": 0.3, "pig-iron": 0.45, "steel": 0.45,
                "structural-steel": 0.45, "fertilizers": 0.5, "cement": 0.4, "fabrics": 0.4,
                "grain": 0.3, "machinery": 0.4, "consumer-goods": 0.4, "other": 0.4}
REPAIR_WHY = {
    "electricity": "Dams and tunnels largely survived the bombing; turbines, generators, "
                   "transformers and lines had to be replaced (the Sup'ung station's first phase "
                   "was rebuilt with Soviet equipment in 1954-55: Koval memo, BLOC-ARCH).",
    "coal": "Flooded and caved mines pumped out and re-timbered; shafts and seams were there.",
    "fertilizers": "Hungnam's plants were bombed repeatedly: much of the equipment was new.",
    "grain": "Irrigation works, draught animals and tools, not land.",
}
REPAIR_LAG = {b: 0 for b in BR}
REPAIR_LAG.update({"electricity": 1, "pig-iron": 1, "steel": 1, "fertilizers": 1, "cement": 1})
POP = {1953: 8580, 1954: 8572, 1955: 8839, 1956: 9116, 1957: 9411, 1958: 9727, 1959: 10054,
       1960: 10392}
# aid by year, million won (1963 prices: face value in dollars at 1.2 won per dollar)
AID = {
    "ussr": {1954: 100.0, 1955: 100.0, 1956: 100.0, 1958: 23.6, 1959: 20.0, 1960: 20.0},
    "china": {1954: 97.2, 1955: 97.2, 1956: 97.2, 1957: 97.2, 1958: 23.6, 1959: 20.0,
              1960: 20.0},
    "row": {1954: 120.0, 1955: 120.0, 1956: 120.0},
}
AID_NOTE = {
    "ussr": "1954-56: the Soviet grant of 1 billion rubles (Shen Zhihua & Dong Jie 2011, "
            "WEST-REPRO; Kim Il Sung, 5 Aug 1953, DPRK-OFF) = $250 million at 4 old rubles a "
            "dollar (Koh lines 311-312: a three-year grant of $250 million) = 100 million won a "
            "year at 1.2 won a dollar; 1958-60: half of 'aid 4.5 % of state revenue in 1958' "
            "(Koh lines 313-314) and of 'less than 3 percent' in 1960 (LOC 1993). Estimates of "
            "timing and conversion.",
    "china": "1954-57: $324 million over four years (Koh line 312) = 97.2 million won a year "
             "at 1.2 won a dollar; 1958-60: half of the residual aid, as for the USSR. Estimates "
             "of timing and conversion.",
    "row": "1954-56: 2.2 billion rubles of 'aid from the Soviet Union and Eastern European "
           "countries' (Shen & Xia 2012, WEST-REPRO) less the Soviet 1 billion = $300 million "
           "over three years = 120 million won a year: an estimate.",
}
# import shares of home use in 1953 by partner (estimates): aid deliveries
IMPORTS = {
    "machinery": {"ussr": 0.4, "china": 0.05, "row": 0.25},
    "structural-steel": {"ussr": 0.7, "china": 0.1, "row": 0.1},
    "steel": {"ussr": 0.3, "china": 0.05, "row": 0.05},
    "pig-iron": {"ussr": 0.2, "china": 0.05},
    "fertilizers": {"ussr": 0.2, "row": 0.05},
    "cement": {"ussr": 0.3, "china": 0.1, "row": 0.1},
    "fabrics": {"ussr": 0.05, "china": 0.15, "row": 0.02},
    "grain": {"china": 0.04, "ussr": 0.01},
    "consumer-goods": {"china": 0.05, "ussr": 0.02, "row": 0.02},
    "coal": {"ussr": 0.04, "china": 0.04},
    "other": {"ussr": 0.02, "china": 0.02, "row": 0.01},
}
EXPORTS = {("ussr", "other"): 8.0, ("china", "electricity"): 100.0}
# shares of the 1953 final use by category (estimates): war year, a large army
SPLIT = {
    "electricity": {"consumption": 0.4, "government": 0.4, "investment": 0.2},
    "coal": {"consumption": 0.6, "government": 0.3, "stock_change": 0.1},
    "pig-iron": {"stock_change": 0.4, "investment": 0.6},
    "steel": {"stock_change": 0.5, "investment": 0.5},
    "structural-steel": {"government": 0.2, "investment": 0.8},
    "fertilizers": {"stock_change": 1.0},
    "cement": {"government": 0.2, "investment": 0.8},
    "fabrics": {"consumption": 0.6, "government": 0.4},
    "grain": {"consumption": 0.8, "government": 0.15, "stock_change": 0.05},
    "machinery": {"government": 0.4, "investment": 0.6},
    "consumer-goods": {"consumption": 0.75, "government": 0.25},
    "other": {"consumption": 0.45, "government": 0.3, "investment": 0.25},
}
# 1953 norms where the 1963 ones do not fit a war economy (estimates): (input, branch) -> value
NORMS_1953 = {
    ("electricity", "other"): 0.35, ("coal", "other"): 0.6, ("cement", "other"): 0.04,
    ("structural-steel", "other"): 0.015, ("pig-iron", "other"): 0.005,
    ("fertilizers", "other"): 0.01,
    ("fertilizers", "grain"): 0.04, ("electricity", "grain"): 0.03, ("cement", "grain"): 0.005,
    ("electricity", "consumer-goods"): 0.25, ("coal", "consumer-goods"): 0.35,
}
NORMS_WHY = {
    "other": "The electricity-, coal- and metal-intensive parts of 'other' in 1963 (non-ferrous "
             "metallurgy, carbide and vinalon chemistry, construction) were destroyed or not yet "
             "built in 1953; what remained was farming other than grain, fishing, transport and "
             "services.",
    "grain": "Little chemical fertilizer reached the fields in 1953 (Hungnam out; 1949: ~0.15 t "
             "per t of grain at 401 thousand t of fertilizer for ~2.65 million t of grain) and "
             "electric pumps were damaged: part of why the harvest fell 24 %.",
    "consumer-goods": "Dispersed, hand-worked war-time workshops used less power and fuel.",
}
LABOUR_1953 = 3100.0  # thousand workers outside the armed forces (estimate)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow(["true" if v is True else "false" if v is False else
                        (f"{v:.10g}" if isinstance(v, float) else v) for v in r])


def main(out: Path = OUT) -> dict[str, float]:
    out.mkdir(exist_ok=True)
    rows = []
    for r in read_csv(SEVEN / "technology.csv"):
        key = (r["input"], r["branch"])
        if key in NORMS_1953:
            r = {**r, "value": f"{NORMS_1953[key]:g}", "estimate": "true",
                 "source": "estimate: the 1963 norm lowered for the war economy of 1953",
                 "note": f"1963 norm {r['value']}. " + NORMS_WHY[r["branch"]]}
        rows.append([r["input"], r["branch"], r["value"], r["estimate"], r["source"], r["note"]])
    write_csv(out / "technology.csv", ["input", "branch", "value", "estimate", "source",
                                       "note"], rows)
    shutil.copyfile(SEVEN / "capital.csv", out / "capital.csv")
    pos = {b: i for i, b in enumerate(BR)}
    n = len(BR)
    A = np.zeros((n, n))
    for r in read_csv(out / "technology.csv"):
        A[pos[r["input"]], pos[r["branch"]]] = float(r["value"])
    x53 = np.array([X53[b][0] for b in BR], dtype=float)
    x49 = np.array([X49[b][0] for b in BR], dtype=float)
    s = np.zeros(n)
    for b, d in IMPORTS.items():
        s[pos[b]] = sum(d.values())
    e = np.zeros(n)
    for (_, b), v in EXPORTS.items():
        e[pos[b]] += v
    y = (x53 - e) / (1 - s) - A @ x53
    if np.any(y <= 0):
        bad = [BR[i] for i in np.flatnonzero(y <= 0)]
        raise SystemExit(f"1953 final use not positive for {bad}: raise their import shares")
    # -- gross output (1953) and the 1949 reference
    write_csv(out / "gross_output.csv", ["branch", "value", "estimate", "source", "note"],
              [[b, float(X53[b][0]), X53[b][1], X53[b][2], X53[b][3]] for b in BR])
    write_csv(out / "prewar_output.csv", ["branch", "value", "estimate", "source", "note"],
              [[b, float(X49[b][0]), X49[b][1], X49[b][2], X49[b][3]] for b in BR])
    rows = []
    for i, b in enumerate(BR):
        for cat, share in SPLIT[b].items():
            rows.append([b, cat, float(y[i] * share), True,
                         "estimate: the categories add up to the 1953 final use that closes the "
                         "balance with the recorded trade, y = (x - e) / (1 - s) - A x",
                         f"{round(100 * share)} % of the final use {y[i]:.4g} of 1953 (a "
                         "war year: a large share for the army)."])
    write_csv(out / "final_demand.csv", ["branch", "category", "value", "estimate", "source",
                                         "note"], rows)
    # -- capacity: working in 1954, and damaged (1949 capacity less the working one)
    K0 = x53 * np.array([MARGIN[b] for b in BR])
    write_csv(out / "initial_capacity.csv", ["branch", "value", "estimate", "source", "note"],
              [[b, float(K0[i]), True, "estimate: 1953 output times a utilisation margin",
                f"1954 working capacity = 1953 output {x53[i]:g} x {MARGIN[b]:g}. "
                + MARGIN_NOTE.get(b, "")] for i, b in enumerate(BR)])
    D = np.maximum(0.0, 1.05 * x49 - K0)
    write_csv(out / "damaged_capacity.csv", ["branch", "value", "estimate", "source", "note"],
              [[b, float(D[i]), True,
                "estimate: pre-war capacity (1949 output x 1.05) less the working capacity of "
                "1954",
                f"1.05 x {x49[i]:g} - {K0[i]:.4g}: capacity standing but out of use, that "
                "repair can bring back. No source gives the share of capacity destroyed; the "
                "sources measure damage as the fall in output (dprk-sources.md 2c)."]
               for i, b in enumerate(BR) if D[i] > 0])
    rows = []
    for r in read_csv(out / "capital.csv"):
        k = REPAIR_SHARE[r["branch"]]
        rows.append([r["input"], r["branch"], float(r["value"]) * k, True,
                     "estimate: a share of the new-capacity norm (capital.csv)",
                     f"{round(100 * k)} % of the norm for new capacity "
                     f"({float(r['value']):g}). " + REPAIR_WHY.get(
                         r["branch"], "Buildings and foundations stood; equipment was repaired "
                         "or replaced.")])
    write_csv(out / "repair_capital.csv", ["input", "branch", "value", "estimate", "source",
                                           "note"], rows)
    # -- trade
    rows = []
    for b, d in IMPORTS.items():
        for p, v in d.items():
            rows.append([p, b, v, True, "estimate",
                         "1953 share of home use supplied by the partner, mostly as aid "
                         "deliveries; also the most the plan may import of its uses in a year."])
    write_csv(out / "imports.csv", ["partner", "branch", "share", "estimate", "source", "note"],
              rows)
    write_csv(out / "exports.csv", ["partner", "branch", "value", "estimate", "source", "note"],
              [[p, b, v, True, "estimate",
                "Small 1953 exports: power from the Sup'ung station shared with China; ores "
                "and fish to the USSR."] for (p, b), v in EXPORTS.items()])
    rows = []
    for r in read_csv(SEVEN / "exports.csv"):
        rows.append([r["partner"], r["branch"], max(float(r["value"]),
                                                     EXPORTS.get((r["partner"], r["branch"]),
                                                                 0.0)), True,
                     "estimate: what the partner took by 1960 (seven-year-plan/exports.csv)",
                     "Partners take at most what they took by 1960 in any year of the plan."])
    write_csv(out / "export_limits.csv", ["partner", "branch", "value", "estimate", "source",
                                          "note"], rows)
    trade_pairs = sorted({(p, b) for b, d in IMPORTS.items() for p in d})
    why = ("dprk-sources.md section 6: no source read supports the claim that the USSR sold "
           "above world prices in 1953-67; aid was priced at Soviet export prices (Koval memo, "
           "17 Apr 1956, BLOC-ARCH)")
    write_csv(out / "import_prices.csv", ["partner", "branch", "value", "estimate", "source",
                                          "note"],
              [[p, b, PRICE[b], True, why, "At the domestic (1963) price: no markup assumed."]
               for p, b in trade_pairs])
    exp_pairs = sorted({(r["partner"], r["branch"]) for r in read_csv(SEVEN / "exports.csv")}
                       | set(EXPORTS))
    write_csv(out / "export_prices.csv", ["partner", "branch", "value", "estimate", "source",
                                          "note"],
              [[p, b, PRICE[b], True, why, "At the domestic (1963) price: no discount assumed."]
               for p, b in exp_pairs])
    ind = np.array([b in INDUSTRY for b in BR])
    p = np.array([PRICE[b] for b in BR])
    return {"industry_1953_over_1949": float((p * x53)[ind].sum() / (p * x49)[ind].sum()),
            "heavy_share_1949": float((p * x49)[ind & ~np.isin(BR, ["fabrics", "consumer-goods"])]
                                      .sum() / (p * x49)[ind].sum()),
            "gross_output_1953": float(p @ x53),
            "value_added_1953": float(p @ x53 - p @ (A @ x53)),
            "aid_1954": float(sum(AID[q].get(1954, 0.0) for q in AID))}




# technicians and specialists: thousand per million won of output (estimates)
TECH_PER_WON = {b: 0.02 for b in INDUSTRY}
TECH_PER_WON.update({"grain": 0.002, "other": 0.005})
TECH_1953 = 12.0
MOBILISATION = {
    "factor": "labour", "normal_hours": 8,
    "note": "Estimates. The normal day is the eight-hour day ('The eight-hour workday is "
            "standard but most laborers work 12-16 hours daily during production campaigns': "
            "nationsencyclopedia.com, WEAK, of a later period); 'Factory workers toil 12 to 14 "
            "hours a day' in 1960 (TIME, 14 Nov 1960, WEST-EST). Productivity of an extra hour "
            "falls with the length of the day (output flat beyond ~60 hours a week in studies "
            "of munitions work, recalled: an estimate); disutility in consumption-basket "
            "multiples per extra normal day of effort, rising with fatigue.",
    "tiers": [
        {"kind": "hours", "size": 2, "productivity": 0.85, "disutility": 0.4},
        {"kind": "hours", "size": 2, "productivity": 0.6, "disutility": 0.8},
        {"kind": "hours", "size": 2, "productivity": 0.35, "disutility": 1.6},
        {"kind": "participation", "size": 0.08, "productivity": 0.7, "disutility": 0.5},
    ],
    # the Ch'ollima campaign to compare against (not imposed on the plan): hours a day, estimates
    # rising to TIME's '12 to 14 hours a day' of 1960
    "campaign": {1958: 11.0, 1959: 12.0, 1960: 13.0},
}
TRAINING = {
    "factor": "technicians", "lag": 3, "attrition": 0.02,
    "inputs": {"other": 0.2}, "trainee_factor": "labour", "trainee_share": 0.39,
    "max_intake": 30.0,
    "note": "Estimates. Technical schools and colleges of two to four years; ~700 won of "
            "teaching, board and books per trainee over the course; a trainee is a worker "
            "withdrawn (0.39 of a 1963-productivity worker, as in the labour unit); at most "
            "30 thousand a year could start (teachers, buildings). 'A pool of 200,000 "
            "technicians and experts has been built up from nearly nothing' by 1964 (Robinson, "
            "in Koh line 248; no figure in the research file).",
}


def technicians() -> dict:
    need = sum(TECH_PER_WON[b] * PRICE[b] * X53[b][0] for b in BR if b in TECH_PER_WON)
    return {
        "id": "technicians", "name": "Technicians and specialists",
        "unit": "thousand persons", "availability": TECH_1953, "estimate": True,
        "note": ("Estimate. 'A pool of 200,000 technicians and experts has been built up from "
                 "nearly nothing' by 1964 (Joan Robinson, quoted by Koh, seed line 248; the "
                 "research file found no other source). Needs: 0.04 thousand per million won of "
                 "industrial output, 0.002 in grain, 0.005 in 'other' (an estimate that puts "
                 "the need of the 1963 economy near 150 thousand); the 1953 stock, "
                 f"{TECH_1953:g} thousand, is 'nearly nothing': a little more than the 1953 "
                 f"outputs need ({need:.1f}), with the specialists trained in the USSR and "
                 "the Soviet and Chinese specialists sent in 1954-56."),
        "coefficients": {b: {"value": round(TECH_PER_WON[b] * PRICE[b], 8), "estimate": True,
                             "note": f"{TECH_PER_WON[b]:g} thousand per million won x the "
                                     f"price {PRICE[b]:g}."}
                         for b in BR if b in TECH_PER_WON},
    }


LABOUR_EQUIV_1953 = 1215.0  # 1963-productivity worker-equivalents (see the labour note)
HEADER = """\
# North Korea's post-war reconstruction: the Three Year Plan 1954-56 and the Five Year Plan
# 1957-60 (ended a year early), as one multi-year plan from the 1953 base year.
# WRITTEN BY tools/build_three_year_plan.py -- edit the figures there, not here.
# Every figure says what it is: a figure of the research file ../shared/research/dprk-sources.md
# (its source, type and quote), a claim of the source document (its line), or an estimate with
# its reasoning. See docs/scenario-format.md for the keys.
"""


def scenario_yaml(seven: dict, x53: np.ndarray, checks: dict[str, float]) -> str:
    import yaml

    labour = seven["factors"][0]
    d: dict = {
        "name": "North Korea: reconstruction 1954-60 (Three Year and Five Year Plans)",
        "description": (
            "Multi-year plan of the post-war reconstruction of North Korea (DPRK), 1954-60, from "
            "the 1953 base year: the Three Year Plan 1954-56 and the Five Year Plan 1957-61, "
            "declared fulfilled at the end of 1960. The war left 1953 output far below 1949: "
            "electricity 1.0 against 5.9 billion kWh, steel 3.6 against 144 thousand t, cement "
            "26.5 against 537 thousand t (Soviet MFA memo of 16 May 1960), gross industrial "
            "output down by 'more than 40 %' (Soviet memos of 1955 and 1960). Capacity standing "
            "but out of use can be repaired, cheaper and faster than new construction "
            "(damaged_capacity, repair_capital, repair_gestation); aid is foreign exchange that "
            "buys imported equipment and materials: the Soviet grant of 1 billion rubles "
            "($250 million, 1954-56), the Chinese grant of $324 million (1954-57) and the East "
            "European aid (the rest of 2.2 billion rubles of Soviet and East European aid). "
            "Against it the claims: industrial output 41.7 % a year in 1954-56 and 36.6 % in "
            "1957-60 (DPRK figures via the Library of Congress study). Branches, units and "
            "prices are those of the dprk-1963 and seven-year-plan scenarios (1963 prices, "
            "million won), so the three scenarios can be read together; the technology is the "
            "1963 norms with the input-intensive norms of 'other', grain and consumer goods "
            "lowered for the war economy of 1953 (technology.csv says which), and held fixed "
            "over the plan. Checks (tools/build_three_year_plan.py): industrial output of 1953 "
            f"is {100 * checks['industry_1953_over_1949']:.0f} % of 1949 at the scenario's "
            "prices (the sources: 'more than 40 %' lower); heavy industry and energy make "
            f"{100 * checks['heavy_share_1949']:.0f} % of 1949 industrial output (80 % in "
            f"1943). Aid of 1954 ({checks['aid_1954']:.0f} million won) is "
            f"{100 * checks['aid_1954'] / checks['value_added_1953']:.0f} % of the value added "
            f"of 1953 at 1963 prices ({checks['value_added_1953']:.0f} million won); the "
            "research file's 'aid receipts made up one-third of national revenues' in 1954 "
            "would put it nearer 15-20 % of national income: either the 1953 economy valued "
            "at 1963 prices is too small or aid converted at face value in dollars is worth "
            "more than at 1963 won prices. Say so when reading the value of aid."),
        "source": (
            "../shared/research/dprk-sources.md (Soviet MFA memos 1955-60 in the Wilson Center "
            "Digital Archive; Shen Zhihua & Xia Yafeng, NKIDP Working Paper 4, 2012; Library of "
            "Congress country study, 1993; Maddison population); B. C. Koh, 'North Korea and its "
            "Quest for Autonomy', Pacific Affairs 38 (1965-66), lines 300-316 of the seed text "
            "(the Soviet and Chinese grants); norms, prices and capital coefficients of the "
            "seven-year-plan scenario; the rest estimates, row by row."),
        "year": 1953,
        "branches": seven["branches"],
        "technology": "technology.csv",
        "gross_output": "gross_output.csv",
        "final_demand": "final_demand.csv",
        "factors": [{
            "id": "labour", "name": "Labour",
            "unit": "thousand worker-equivalents at 1963 productivity",
            "availability": LABOUR_EQUIV_1953,
            "note": (
                "Estimate. Labour is counted in workers of 1963 productivity, so that the 1963 "
                "labour coefficients (copied unchanged from seven-year-plan) serve: ~3,100 "
                "thousand workers outside the armed forces in 1953 (population 8,580 thousand, "
                "Maddison; war losses of men; 'a serious labour shortage', Soviet embassy report "
                "of March 1954 via a Korean blog, WEAK) at ~0.39 of 1963 productivity = "
                f"{LABOUR_EQUIV_1953:g}; the 1953 outputs need "
                f"{checks['labour_1953']:.0f} of them. Growth: see factor_growth."),
            "estimate": True,
            "coefficients": labour["coefficients"]}, technicians()],
        "partners": [
            {"id": "ussr", "name": "Soviet Union",
             "note": "Grant of 1 billion rubles decided on 3 August 1953 (Shen Zhihua & Dong "
                     "Jie 2011, WEST-REPRO; announced by Kim Il Sung on 5 August, DPRK-OFF): "
                     "complete plants and equipment (Sup'ung, Madong cement, Hungnam, Kim Chaek: "
                     "Koval memo of 17 April 1956, BLOC-ARCH)."},
            {"id": "china", "name": "China",
             "note": "Grant for 1954-57 ($324 million in Koh's footnote, line 312; 8 trillion "
                     "old yuan or 1.6 billion rubles in weaker sources) and the Chinese People's "
                     "Volunteers' labour in reconstruction (not in the model)."},
            {"id": "row", "name": "Eastern Europe and the rest",
             "note": "Poland, Czechoslovakia, Hungary, the GDR (Hamhung), Romania, Bulgaria: "
                     "the rest of the 2.2 billion rubles of 'aid from the Soviet Union and "
                     "Eastern European countries' (Shen & Xia 2012, WEST-REPRO)."}],
        "currency": "million won",
        "prices": seven["prices"],
        "horizon": {"first": 1954, "last": 1960},
        "capital": "capital.csv",
        "depreciation": seven["depreciation"],
        "gestation": seven["gestation"],
        "initial_capacity": "initial_capacity.csv",
        "damaged_capacity": "damaged_capacity.csv",
        "repair_capital": "repair_capital.csv",
        "repair_gestation": {b: {"value": int(v), "estimate": True, "note": (
            "Repair brings capacity back in the year it starts: the plant, shafts and "
            "buildings stand." if v == 0 else "Repaired capacity produces from the next year "
            "(new construction: two years): equipment had to be made or delivered.")}
            for b, v in REPAIR_LAG.items()},
        "factor_growth": {"labour": {
            "value": 0.08, "estimate": True,
            "note": ("Workers ~4.6 % a year (3,100 thousand in 1953 to the ~4,250 thousand of "
                     "1960 in seven-year-plan: population +2.8 % a year, Maddison, and "
                     "demobilisation) and productivity ~3.3 % a year within each branch. "
                     "Output per worker rose faster (from ~0.39 of the 1963 level to ~0.81 in "
                     "1960, where seven-year-plan's 1960 labour force is 1.24 times what the "
                     "1963 norms need: ~11 % a year), but most of that came with the shift of "
                     "workers from farming into industry, which the plan makes itself (a "
                     "worker in grain makes ~150 won a year, in industry ~4,000 at the 1963 "
                     "norms), and with new plants; counting it here too would count it twice. "
                     "An estimate, and the one the value of mobilisation depends on most.")}},
        "consumption": {"basket": "consumption", "floor": 1.0},
        "exogenous": ["government", "stock_change"],
        "industry_groups": ["energy", "heavy", "light"],
        "plan_targets": {"industrial_growth": {
            "value": 0.417, "source": "Library of Congress, North Korea: A Country Study (ed. "
            "A. M. Savada, 1993), 'Industry' (WEST-REPRO of DPRK-OFF); dprk-sources.md 2a",
            "note": "'The rate declined from 41.7 percent and 36.6 percent a year during the "
                    "Three-Year Plan and Five-Year Plan': the Three Year Plan's claimed rate, "
                    "held as the target of every year."}},
        "discount": 0.0,
        "import_shares": "imports.csv",
        "exports": "exports.csv",
        "import_prices": "import_prices.csv",
        "export_prices": "export_prices.csv",
        "export_limits": "export_limits.csv",
        "aid_by_year": {p: {y: {"value": v, "estimate": True, "note": AID_NOTE[p]}
                            for y, v in by.items()} for p, by in AID.items()},
        "mobilisation": MOBILISATION,
        "training": TRAINING,
        "population": {
            "unit": "thousand", "source": "Maddison, Historical Statistics, horizontal file "
            "02-2010 (population), via GitHub riceissa/maddison-project-data (WEST-EST); "
            "dprk-sources.md 4", "note": "Mid-year population.", **POP},
    }
    body = yaml.safe_dump(d, sort_keys=False, allow_unicode=True, width=100)
    notes = ("\n# aid_by_year, million won (1963 prices, dollar face value at 1.2 won per dollar: "
             "the seven-year-plan\n# exchange rate, an estimate):\n"
             "#  ussr 1954-56: 1 billion rubles = $250 million (4 old rubles per dollar, as in "
             "Shen & Xia's\n#    'three billion rubles (USD 750 million)') over the Three Year "
             "Plan (Koh lines 311-312:\n#    a three-year grant) = 100 a year.\n"
             "#  china 1954-57: $324 million over four years (Koh line 312) = 97.2 a year.\n"
             "#  row 1954-56: 2.2 - 1.0 billion rubles = $300 million over three years = 120 a "
             "year (estimate).\n"
             "#  1958-60: 'aid 4.5 % of state revenue in 1958' (Koh lines 313-314; revenue ~1,050 "
             "million won,\n#    recalled) = 47, and 'less than 3 percent' in 1960 (LOC 1993) = "
             "under 46: split\n#    evenly between the USSR and China (estimates).\n")
    return HEADER + notes + body


def write_scenario(checks: dict[str, float], out: Path = OUT) -> None:
    import yaml

    seven = yaml.safe_load((SEVEN / "scenario.yaml").read_text(encoding="utf-8"))
    f = np.array([seven["factors"][0]["coefficients"][b]["value"] for b in BR])
    x53 = np.array([X53[b][0] for b in BR], dtype=float)
    checks["labour_1953"] = float(f @ x53)
    (out / "scenario.yaml").write_text(scenario_yaml(seven, x53, checks), encoding="utf-8")
    spreads = importlib.util.spec_from_file_location("add_spreads",
                                                     Path(__file__).with_name("add_spreads.py"))
    assert spreads is not None and spreads.loader is not None
    mod = importlib.util.module_from_spec(spreads)
    spreads.loader.exec_module(mod)
    mod.apply(out)  # every estimate with its spread (the rules of koh1965.spreads)


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    found = main(target)
    write_scenario(found, target)
    for k, v in found.items():
        print(f"{k}: {v:.4g}")
