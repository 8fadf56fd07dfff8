#!/usr/bin/env bash
# Fail when a cargo test log shows a failure or no test at all ran (a stage that tests
# nothing must not look green).
set -euo pipefail
log=$1; what=${2:-tests}
if grep -Eq 'test result: FAILED|^error(\[|:)' "$log"; then
  echo "FAIL: $what tests failed (see $log)"; exit 1
fi
passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s += $4} END {print s + 0}')
if [ "$passed" -eq 0 ]; then
  echo "FAIL: no $what test ran (see $log)"; exit 1
fi
echo "ok: $passed $what tests passed"
