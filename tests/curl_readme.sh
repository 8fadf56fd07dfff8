#!/usr/bin/env bash
# The README's / seed page's curl lines against a real `granola serve`.
#
# Builds the CLI, starts `granola serve` on a free loopback port in a scratch working directory
# (so its default data directory, granola-data/, and the token secret generated there are the
# scratch directory's), exports BASE_URL and TOKEN=$(granola token --role operator) exactly as
# the README says, loads a simulation and runs one, then runs the two curl commands of
# docs/tools/cancel_job (seed page) verbatim and checks what they print. Finally stops the
# server with SIGTERM, expects a clean exit, and restarts it to check the job survived.
#
# Usage: tests/curl_readme.sh            (from the repository root; needs curl and jq)
# Env:   GRANOLA_BIN=path/to/granola     (skip the build and use this binary)
set -euo pipefail

cd "$(dirname "$0")/.."
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "curl_readme: $tool is required" >&2; exit 1; }
done

if [[ -z "${GRANOLA_BIN:-}" ]]; then
  cargo build --quiet --bin granola
  GRANOLA_BIN="$(pwd)/target/debug/granola"
fi
# The seed page (../shared/seeds from the repository root; GRANOLA_SEED overrides).
seed="$(realpath -m "${GRANOLA_SEED:-../shared/seeds/cancel_job.md}")"
bindir="$(mktemp -d)"
ln -s "$(cd "$(dirname "$GRANOLA_BIN")" && pwd)/$(basename "$GRANOLA_BIN")" "$bindir/granola"
export PATH="$bindir:$PATH"
unset GRANOLA_SECRET

cd "$bindir"
log="$bindir/serve.log"
# --speed 0.5: a run takes ~4 s of wall time, so the cancel below surely finds it running.
granola serve --addr 127.0.0.1:0 --dist "$bindir/no-dist" --speed 0.5 2>"$log" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  rm -rf "$bindir"
}
trap cleanup EXIT

fail() {
  echo "curl_readme: FAIL: $*" >&2
  echo "--- server log ---" >&2
  cat "$log" >&2 || true
  exit 1
}

# The server prints "listening on http://127.0.0.1:PORT" once it is bound.
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)"
  [[ -n "$url" ]] && break
  kill -0 "$server" 2>/dev/null || fail "granola serve exited early"
  sleep 0.1
done
[[ -n "$url" ]] || fail "granola serve did not start"

# --- the README's setup lines ---
export BASE_URL="$url" TOKEN=$(granola token --role operator)

# Load a simulation and run it (the job the seed page's commands cancel).
loaded="$(curl -s -X POST "$BASE_URL/load_simulation" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d '{"simulationId":"readme","model":"one_compartment_oral"}')"
[[ "$(jq -r .simulationId <<<"$loaded")" == "readme" ]] || fail "load_simulation: $loaded"
JOB_ID="$(curl -s -X POST "$BASE_URL/run_simulation" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d '{"simulationId":"readme"}' | jq -r .jobId)"
[[ "$JOB_ID" =~ ^[0-9a-f-]{36}$ ]] || fail "run_simulation gave no jobId: $JOB_ID"
export JOB_ID

# --- the seed page's first command, verbatim ---
out1="$(
curl -s -X POST "$BASE_URL/cancel_job" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d "{\"jobId\":\"$JOB_ID\"}" | jq
)"
echo "$out1"
[[ "$(jq -r .jobId <<<"$out1")" == "$JOB_ID" ]] || fail "cancel_job did not echo the job id: $out1"
case "$(jq -r .status <<<"$out1")" in
  cancelled|queued|running) ;;
  *) fail "cancel_job status: $out1" ;;
esac
[[ "$(jq -c 'keys' <<<"$out1")" == '["jobId","status"]' ]] || fail "cancel_job body has other fields: $out1"

# --- the seed page's second command, verbatim, until a terminal state ---
status=""
for _ in $(seq 1 100); do
  status="$(
curl -s -X POST "$BASE_URL/get_job_status" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d "{\"jobId\":\"$JOB_ID\"}" | jq '.job.status'
)"
  [[ "$status" == '"cancelled"' || "$status" == '"succeeded"' || "$status" == '"failed"' ]] && break
  [[ "$status" == '"running"' || "$status" == '"queued"' ]] || fail "get_job_status printed $status"
  sleep 0.05
done
echo "$status"
[[ "$status" == '"cancelled"' ]] || fail "the job did not end cancelled: $status"

# Cancelling it again: the page's 404 NOT_FOUND for a job that has already completed.
again="$(curl -s -X POST "$BASE_URL/cancel_job" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d "{\"jobId\":\"$JOB_ID\"}" | jq -r .error.code)"
[[ "$again" == "NOT_FOUND" ]] || fail "second cancel: $again"

# The commands above must still be the seed page's commands. A missing seed page is a
# failure, not a skip.
[[ -f "$seed" ]] || fail "the seed page $seed is missing"
for needle in \
  'curl -s -X POST "$BASE_URL/cancel_job" \' \
  'curl -s -X POST "$BASE_URL/get_job_status" \' \
  '  -H "Authorization: Bearer $TOKEN" \' \
  '  -H "Content-Type: application/json" \' \
  "  -d \"{\\\"jobId\\\":\\\"\$JOB_ID\\\"}\" | jq" \
  "  -d \"{\\\"jobId\\\":\\\"\$JOB_ID\\\"}\" | jq '.job.status'"; do
  grep -qxF -- "$needle" "$seed" || fail "the seed page no longer has the line: $needle"
done

# Graceful stop.
kill -TERM "$server"
code=0
wait "$server" || code=$?
[[ "$code" == 0 ]] || fail "granola serve exited with $code after SIGTERM"
grep -q "POST /cancel_job 200" "$log" || fail "no request log line for cancel_job"
[[ -f granola-data/granola.db && -f granola-data/secret ]] || fail "no granola-data/ with the database and the secret"

# Restarted on the same data directory, the server still knows the job, and the README's
# token (same secret file) still works.
granola serve --addr 127.0.0.1:0 --dist "$bindir/no-dist" 2>"$log" &
server=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -n1 || true)"
  [[ -n "$url" ]] && break
  kill -0 "$server" 2>/dev/null || fail "granola serve exited early after the restart"
  sleep 0.1
done
export BASE_URL="$url"
after="$(curl -s -X POST "$BASE_URL/get_job_status" \
  -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" \
  -d "{\"jobId\":\"$JOB_ID\"}" | jq -r '.job.status')"
[[ "$after" == "cancelled" ]] || fail "after a restart the job is $after"
kill -TERM "$server"
wait "$server" || fail "the restarted server did not exit cleanly"
echo "curl_readme: ok"
