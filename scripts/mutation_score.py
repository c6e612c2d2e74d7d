"""Mutation score per module from mutmut's verdicts (mutants/**/*.meta); see mutation.sh.

Killed and timed-out mutants count as caught; survivors and mutants no test reaches count as
missed; the equivalent mutants named in tests/mutation-equivalents.md are left out. Survivors
are listed in mutants/survivors.txt (``mutmut show NAME`` prints one).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAUGHT = {1: "killed", 3: "killed", 24: "timeout", -24: "timeout", 36: "timeout", 152: "timeout"}
MISSED = {0: "survived", 33: "no tests", 5: "no tests"}
GROUPS = ("reducto_tui/core", "reducto_tui/api", "reducto_tui/export.py")


def equivalents() -> set[str]:
    text = (ROOT / "tests" / "mutation-equivalents.md").read_text()
    return set(re.findall(r"`(reducto_tui\.[\w.ǁ]+__mutmut_\d+)`", text))


def main() -> int:
    skip = equivalents()
    counts: dict[str, Counter[str]] = {group: Counter() for group in GROUPS}
    missed: list[str] = []
    for meta in sorted((ROOT / "mutants").glob("reducto_tui/**/*.meta")):
        source = str(meta.relative_to(ROOT / "mutants"))[: -len(".meta")]
        group = next((g for g in GROUPS if source.startswith(g)), None)
        if group is None:
            continue
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if name in skip:
                counts[group]["equivalent"] += 1
            elif code in CAUGHT:
                counts[group]["caught"] += 1
            elif code in MISSED:
                counts[group]["missed"] += 1
                missed.append(f"{name}: {MISSED[code]}")
            else:
                counts[group]["not judged" if code is None else f"exit {code}"] += 1
    (ROOT / "mutants" / "survivors.txt").write_text("\n".join(missed) + "\n")
    total: Counter[str] = Counter()
    for group in GROUPS:
        total.update(counts[group])
        print(line(group, counts[group]))
    print(line("all three", total))
    print(f"{len(missed)} missed mutants listed in mutants/survivors.txt")
    return 0


def line(name: str, count: Counter[str]) -> str:
    judged = count["caught"] + count["missed"]
    score = f"{100 * count['caught'] / judged:5.1f} %" if judged else "    - "
    extra = ", ".join(f"{k} {v}" for k, v in sorted(count.items()) if k not in {"caught", "missed"})
    return f"{name:24} {score}  caught {count['caught']}, missed {count['missed']}" + (
        f" ({extra})" if extra else ""
    )


if __name__ == "__main__":
    sys.exit(main())
