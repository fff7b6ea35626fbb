"""The accuracy matrix's table (benches/accuracy.sh): reads one cell a line, `layout persons
scale seed counties evaluation.json` (counties 0 for a district), and prints each cell's
measures against the floors of DESIGN.md §5 (a value under its floor marked `✗`), a
province's against its cross-county floors too, then each measure's worst cell. `--markdown`
prints the tables as Markdown, as the README quotes them."""

import json
import sys

# The floors of DESIGN.md §5 and the reconciliation issue: (measure, value, floor); a value
# meets its floor from above, or, for the ceilings marked, from below.
FLOORS = [
    ("links P", lambda e: e["links"]["precision"], 0.9995),
    ("hukou R", lambda e: e["hukou_links"]["recall"], 0.998),
    ("dup P", lambda e: e["duplicates"]["precision"], 0.995),
    ("dup R", lambda e: e["duplicates"]["recall"], 0.98),
    ("dead P", lambda e: e["deceased"]["precision"], 0.995),
    ("dead R", lambda e: e["deceased"]["recall"], 0.99),
    ("miss P@70", lambda e: e["missing_detail"]["precision_at_70"], 0.90),
    ("miss P@95", lambda e: e["missing_detail"]["precision_at_95"], 0.70),
    ("birth P", lambda e: e["births"]["precision"], 0.85),
    ("birth R", lambda e: e["births"]["recall"], 0.95),
    ("calib gap", lambda e: e["missing_detail"].get("calibration_gap"), 0.05),
    ("Σp error", lambda e: sum_error(e["missing_detail"]), 0.05),
]
# Measures that must stay at or under their value.
CEILINGS = {"calib gap", "Σp error"}
# A province's floors (the province issue): no one enumerated in another county than their
# hukou's is a missing candidate; the people listed in two counties are found.
PROVINCE_FLOORS = [
    ("xc not missing", lambda e: e["cross_county"]["not_missing_share"], 0.99),
    ("xc dup P", lambda e: e["cross_county"]["duplicates"]["precision"], 0.99),
    ("xc dup R", lambda e: e["cross_county"]["duplicates"]["recall"], 0.98),
]


def sum_error(detail):
    """The sum of the candidates' probabilities against the omitted among them, relative."""
    if "expected_omitted" not in detail or not detail["omitted_among_candidates"]:
        return None
    return abs(detail["expected_omitted"] / detail["omitted_among_candidates"] - 1)


def met(name, value, floor):
    if value is None:
        return False
    return value <= floor if name in CEILINGS else value >= floor
# Shown beside them, without a floor of their own.
OTHERS = [
    ("links R", lambda e: e["links"]["recall"]),
    ("miss P", lambda e: e["missing"]["precision"]),
    ("miss R", lambda e: e["missing"]["recall"]),
    ("gap > 2σ", lambda e: e["missing_detail"].get("calibration_gap_beyond_noise")),
    ("gap uncorr.", lambda e: e["missing_detail"].get("calibration_gap_uncorrected")),
]
COVERAGE_FLOOR = 0.5  # percent, and the 95 % interval must hold the truth


def coverage(e):
    """The estimate's error in percent and whether its interval holds the truth."""
    c = e["coverage"]
    if c["relative_error"] is None:
        return None, None
    return c["relative_error"] * 100, c["holds_truth"]


def coverage_met(error, holds):
    return error is not None and abs(error) <= COVERAGE_FLOOR and holds


def shown(value, floor=None, name=None):
    if value is None:
        return "–" if floor is None else "– ✗"
    mark = " ✗" if floor is not None and not met(name, value, floor) else ""
    return f"{value:.4f}{mark}"


def table(header, rows, markdown):
    """`rows` of cells under `header`, as Markdown or aligned columns."""
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows)]
    for row in [header] + rows:
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))


def county_error(e):
    """A province's largest county estimate error in percent (absolute), None for a district."""
    errors = [c["score"]["relative_error"] for c in (e.get("cross_county") or {}).get("coverage", [])]
    if not errors or None in errors:
        return None
    return max(abs(x) for x in errors) * 100


markdown = "--markdown" in sys.argv[1:]
cells = []
for line in sys.stdin:
    layout, persons, scale, seed, counties, path = line.split()
    with open(path) as file:
        cells.append(((layout, int(persons), scale, int(seed), int(counties)), json.load(file)))
provinces = any(cell[4] for cell, _ in cells)


def floors_of(cell):
    return FLOORS + (PROVINCE_FLOORS if cell[4] else [])


def where(cell):
    place = f"{cell[4]} counties" if cell[4] else "district"
    return f"{cell[0]}, {cell[1]:,} persons, scale {cell[2]}, seed {cell[3]}, {place}"


header = ["layout", "persons", "scale", "seed"] + (["counties"] if provinces else [])
header += [n for n, _, _ in FLOORS] + ([n for n, _, _ in PROVINCE_FLOORS] if provinces else [])
header += [n for n, _ in OTHERS] + (["county DSE max |error|"] if provinces else [])
header += ["DSE error", "95 % holds", "floors met"]
rows = []
for cell, e in cells:
    layout, persons, scale, seed, counties = cell
    error, holds = coverage(e)
    floors = floors_of(cell)
    n_met = sum(1 for name, f, floor in floors if met(name, f(e), floor))
    n_met += coverage_met(error, holds)
    province = [shown(f(e), floor, name) if counties else "–" for name, f, floor in PROVINCE_FLOORS]
    worst_county = county_error(e)
    rows.append(
        [layout, f"{persons:,}", scale, str(seed)] + ([str(counties)] if provinces else [])
        + [shown(f(e), floor, name) for name, f, floor in FLOORS]
        + (province if provinces else [])
        + [shown(f(e)) for _, f in OTHERS]
        + ([("–" if worst_county is None else f"{worst_county:.2f} %")] if provinces else [])
        + ["–" if error is None else f"{error:+.2f} %" + ("" if abs(error) <= COVERAGE_FLOOR else " ✗"),
           "–" if holds is None else ("yes" if holds else "no ✗"),
           f"{n_met} of {len(floors) + 1}"]
    )
print()
table(header, rows, markdown)

print()
print("Each measure's worst cell:")
print()
worst_rows = []
for name, f, floor in FLOORS + (PROVINCE_FLOORS if provinces else []):
    # The worst cell (of the provinces, for their floors): no value first, then the lowest
    # (the highest, for a ceiling).
    sign = -1 if name in CEILINGS else 1
    scored = [(f(e), cell) for cell, e in cells if (name, f, floor) in floors_of(cell)]
    value, cell = min(scored, key=lambda s: -float("inf") if s[0] is None else sign * s[0])
    verdict = "met" if met(name, value, floor) else "not met"
    bound = f"≤ {floor}" if name in CEILINGS else f"≥ {floor}"
    worst_rows.append([name, "not reached" if value is None else f"{value:.5f}", bound, verdict,
                       where(cell)])
# The worst cell: one that fails (no estimate, the floor missed or the interval not holding
# the truth) before one that meets, then the largest error.
(error, holds), cell = max(((coverage(e), cell) for cell, e in cells),
                           key=lambda s: (not coverage_met(*s[0]),
                                          float("inf") if s[0][0] is None else abs(s[0][0])))
worst_rows.append(["coverage", "no estimate" if error is None else f"{error:+.3f} %",
                   f"± {COVERAGE_FLOOR} %, interval holds", "met" if coverage_met(error, holds) else "not met",
                   where(cell)])
table(["measure", "worst", "floor", "verdict", "in"], worst_rows, markdown)
n_holding = sum(1 for cell, e in cells if coverage(e)[1])
print()
print(f"The 95 % interval holds the true usual residents in {n_holding} of {len(cells)} cells.")
