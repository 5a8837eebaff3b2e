"""Benchmark of the directive importer against hand labels (tests/importer/labels).

    .venv/bin/python bench/importer.py

Loads the Quảng Trị registry into a throw-away SQLite database, parses every labelled text and
prints, per file and overall: item-split precision/recall, agency precision/recall (an agency
counts only with the right identity, role and modality), deadline and recurrence accuracy
(over items present in both), indicator recall, and parse time (best of 5).
Goals: items 100%, agencies >= 95%, <= 200 ms per directive.
"""

import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "importer" / "labels"
sys.path.insert(0, str(ROOT))


def setup():
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{tempfile.mkdtemp(prefix='dondoc-bench-')}/bench.sqlite3"
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    from agencies.services import agencies_load

    call_command("migrate", verbosity=0, interactive=False)
    registry = ROOT / "agencies" / "data" / "quang_tri.yaml"
    agencies_load(actor=None, text=registry.read_text(encoding="utf-8"))


def agency_ids(entries) -> set[tuple[str, str, str]]:
    from core.text import fold

    out = set()
    for e in entries:
        if e.get("collective"):
            ident = f"collective:{e['collective']}"
        elif e.get("matched"):
            ident = e["matched"]
        else:
            ident = f"text:{fold(e['text'])}"
        out.add((ident, e["role"], e["modality"]))
    return out


def gold_ids(entries) -> set[tuple[str, str, str]]:
    from core.text import fold

    out = set()
    for e in entries:
        ident = e["id"]
        if ident.startswith("text:"):
            ident = "text:" + fold(ident[5:])
        out.add((ident, e["role"], e["modality"]))
    return out


def target_key(target: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in target.items() if k != "year"))


def evaluate(labels: dict, document: dict) -> dict:
    """Counts for one file: the bench's figures, also used by the tests."""
    got = {i["number"]: i for i in document["items"]}
    gold = {i["number"]: i for i in labels["items"]}
    both = [n for n in gold if n in got]
    c = {
        "items_tp": len(both),
        "items_got": len(got),
        "items_gold": len(gold),
        "ag_tp": 0,
        "ag_got": 0,
        "ag_gold": 0,
        "deadline_ok": 0,
        "recurrence_ok": 0,
        "compared": len(both),
        "ind_tp": 0,
        "ind_gold": 0,
        "misses": [],
    }
    for number in gold:
        g = gold[number]
        mine = got.get(number, {"agencies": [], "deadline": None, "recurrence": None})
        mine_ids, gold_set = agency_ids(mine["agencies"]), gold_ids(g["agencies"])
        c["ag_tp"] += len(mine_ids & gold_set)
        c["ag_got"] += len(mine_ids)
        c["ag_gold"] += len(gold_set)
        for missing in sorted(gold_set - mine_ids):
            c["misses"].append(f"{number}: missed {missing}")
        for extra in sorted(mine_ids - gold_set):
            c["misses"].append(f"{number}: extra {extra}")
        if number not in got:
            continue
        d = mine["deadline"]
        d = {"policy": d["policy"], "date": d["date"]} if d else None
        if d == g["deadline"]:
            c["deadline_ok"] += 1
        else:
            c["misses"].append(f"{number}: deadline {d} != {g['deadline']}")
        r = mine["recurrence"]["periods"] if mine["recurrence"] else None
        if r == g["recurrence"]:
            c["recurrence_ok"] += 1
        else:
            c["misses"].append(f"{number}: recurrence {r} != {g['recurrence']}")
        mine_targets = {target_key(i["target"]) for i in mine["indicators"]}
        for target in g["indicators"]:
            c["ind_gold"] += 1
            if target_key(target) in mine_targets:
                c["ind_tp"] += 1
            else:
                c["misses"].append(f"{number}: indicator {target} missed")
    return c


def parse_labelled(labels: dict) -> dict:
    from importer.normalise import read_file
    from importer.parse import parse_text

    on = date.fromisoformat(labels["date"]) if labels.get("date") else None
    return parse_text(read_file(ROOT / labels["source"]), on=on)


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:6.1f}%" if b else "     -"


def line(name: str, c: dict, ms: float | None) -> str:
    return (
        f"{name:<26} items P {pct(c['items_tp'], c['items_got'])} R "
        f"{pct(c['items_tp'], c['items_gold'])} | agencies P {pct(c['ag_tp'], c['ag_got'])} "
        f"R {pct(c['ag_tp'], c['ag_gold'])} | deadline {pct(c['deadline_ok'], c['compared'])} "
        f"recurrence {pct(c['recurrence_ok'], c['compared'])} | indicators R "
        f"{pct(c['ind_tp'], c['ind_gold'])}" + (f" | {ms:6.1f} ms" if ms is not None else "")
    )


def main():
    setup()
    total, times = {}, []
    for path in sorted(LABELS.glob("*.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            document = parse_labelled(labels)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
        counts = evaluate(labels, document)
        print(line(path.stem, counts, best * 1000))
        for miss in counts["misses"]:
            print(f"    - {miss}")
        for key, value in counts.items():
            if key != "misses":
                total[key] = total.get(key, 0) + value
    print(line("OVERALL", total, sum(times) / len(times)) + " (mean)")
    print(f"max parse time {max(times):.1f} ms per directive (goal <= 200 ms)")


if __name__ == "__main__":
    main()
