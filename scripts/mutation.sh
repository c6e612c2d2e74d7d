#!/usr/bin/env bash
# Mutation testing of reducto_tui/core, reducto_tui/api and reducto_tui/export.py (issue 15).
#
#   pip install -e ".[test,mutation]"
#   scripts/mutation.sh                 # resume: mutants already judged keep their verdict
#   scripts/mutation.sh --fresh         # forget every verdict and start again
#   scripts/mutation.sh 'reducto_tui.core.filters*'   # judge these mutants again (after a test)
#
# Slow (an hour or more on two busy cores), so it is not part of the README's test command.
# It runs under `nice -n 19`; MUTATION_JOBS sets how many mutants run at once (default 2).
#
# Why mutmut 3 and not cosmic-ray: mutmut records which tests call each function and runs
# only those against a mutant of it (fastest first, stopping at the first failure), forked
# from a process that already imported everything; cosmic-ray runs one whole test command
# per mutant, and a pytest start (Textual, pydantic, httpx) alone costs seconds here. mutmut
# keeps its settings in pyproject.toml ([tool.mutmut]) and its verdicts under mutants/, so a
# second run only judges what changed.
#
# The tests are the fast unit tests (tests/unit; pyproject says which slow ones are left
# out and why). The score printed at the end counts a timeout as killed, a mutant that no
# test reaches as survived, and leaves out the equivalent mutants listed with their reasons
# in tests/mutation-equivalents.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v mutmut >/dev/null || { echo 'mutmut is not installed: pip install -e ".[mutation]"' >&2; exit 2; }
if [ "${1:-}" = --fresh ]; then
  rm -rf mutants
  shift
fi
# mutmut exits non-zero when it is interrupted; the score of what was judged is still shown.
mkdir -p mutants
REDUCTO_MUTATION=1 nice -n 19 mutmut run --max-children "${MUTATION_JOBS:-2}" "$@" \
  >mutants/run.log 2>&1 || {
  echo "mutmut run stopped (exit $?); see mutants/run.log" >&2
}
exec python scripts/mutation_score.py
