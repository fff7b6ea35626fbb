"""The accuracy matrix's table (benches/accuracy.sh): reads one cell a line, `layout persons
scale seed evaluation.json`, and prints each cell's measures against the floors of DESIGN.md §5,
then each measure's worst cell."""

import json, sys

# The floors of DESIGN.md §5: (measure, what, floor, larger is better).
FLOORS = [
    ("links P", lambda e: e["links"]["precision"], 0.9995),
    ("links R", lambda e: e["links"]["recall"], 0.998),
    ("dup P", lambda e: e["duplicates"]["precision"], 0.995),
    ("dup R", lambda e: e["duplicates"]["recall"], 0.98),
    ("dead P", lambda e: e["deceased"]["precision"], 0.995),
    ("dead R", lambda e: e["deceased"]["recall"], 0.99),
    ("miss P@70", lambda e: e["missing_detail"]["precision_at_70"], 0.90),
    ("miss P@95", lambda e: e["missing_detail"]["precision_at_95"], 0.70),
    ("birth P", lambda e: e["births"]["precision"], 0.85),
    ("birth R", lambda e: e["births"]["recall"], 0.95),
]
# Shown beside them, without a floor of their own.
OTHERS = [
    ("miss P", lambda e: e["missing"]["precision"]),
    ("miss R", lambda e: e["missing"]["recall"]),
]

def coverage(e):
    c = e["coverage"]
    if c["relative_error"] is None:
        return None, None
    return c["relative_error"] * 100, c["holds_truth"]

rows = []
for line in sys.stdin:
    layout, persons, scale, seed, path = line.split()
    rows.append(((layout, int(persons), float(scale), int(seed)), json.load(open(path))))

def fmt(x):
    return "   -   " if x is None else f"{x:7.4f}"

names = [n for n, _, _ in FLOORS] + [n for n, _ in OTHERS]
print()
print(f"{'layout':<11} {'persons':>9} {'scale':>5} {'seed':>4}  " + " ".join(f"{n:>9}" for n in names)
      + f" {'DSE err %':>10} {'95% holds':>9} {'floors':>7}")
for (layout, persons, scale, seed), e in rows:
    values = [f(e) for _, f, _ in FLOORS] + [f(e) for _, f in OTHERS]
    error, holds = coverage(e)
    met = sum(1 for (_, f, floor) in FLOORS if f(e) is not None and f(e) >= floor)
    met += 1 if error is not None and abs(error) <= 0.5 and holds else 0
    print(f"{layout:<11} {persons:>9,} {scale:>5} {seed:>4}  " + " ".join(f"{fmt(v):>9}" for v in values)
          + f" {'-' if error is None else f'{error:+.3f}':>10} {str(holds):>9} {met:>4}/{len(FLOORS) + 1}")

print()
print("worst cell of each measure, against its floor:")
for name, f, floor in FLOORS:
    scored = [(f(e), cell) for cell, e in rows]
    worst = min(scored, key=lambda s: -1.0 if s[0] is None else s[0])
    value, cell = worst
    verdict = "met" if value is not None and value >= floor else "NOT MET"
    shown = "not reached" if value is None else f"{value:.5f}"
    print(f"  {name:<10} {shown:>12}  (floor {floor}) {verdict:<8} in {cell[0]} {cell[1]:,} persons, scale {cell[2]}, seed {cell[3]}")
errors = [(coverage(e), cell) for cell, e in rows]
worst = max(errors, key=lambda s: float("inf") if s[0][0] is None else abs(s[0][0]))
(error, holds), cell = worst
verdict = "met" if error is not None and abs(error) <= 0.5 and holds else "NOT MET"
shown = "no estimate" if error is None else f"{error:+.3f} %"
print(f"  {'coverage':<10} {shown:>12}  (floor ±0.5 %, interval holds) {verdict} in {cell[0]} {cell[1]:,} persons, scale {cell[2]}, seed {cell[3]}")
n_holding = sum(1 for (e, cell) in errors if e[1])
print(f"  the 95 % interval holds the true residents in {n_holding} of {len(rows)} cells")
