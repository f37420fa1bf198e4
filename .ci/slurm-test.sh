#!/usr/bin/env bash
# The sweep on a real Slurm cluster (single node, set up by .ci/slurm-setup.sh): a 2 envs x 2 models x 2 seeds
# sweep (tiny models, 40 updates) submitted with `strl sweep slurm` must finish every array task, and its report
# must equal the same sweep run locally with `--jobs 2`. Fault: one array task is cancelled (scancel) after its
# first checkpoint; resubmitting runs only the unfinished jobs (the cancelled one resumes) and the report is the
# same again. Needs a build (dist/). Prints the time it took.
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$(date +%s)
.ci/slurm-setup.sh
STRL="node $PWD/dist/src/cli/main.js"
W="$(mktemp -d /tmp/strl-slurm-XXXXXX)"
cat >"$W/sweep.json" <<'EOF'
{
 "name": "slurm-test",
 "base": { "train": { "steps": 40, "batchSize": 8, "evalEvery": 10, "checkpointEvery": 5 }, "eval": { "episodes": 1 },
           "model": { "preset": "tiny", "config": { "dModel": 16, "nBlocks": 1, "nHeads": 1, "contextLength": 4 } } },
 "axes": {
  "task": [ { "id": "cartpole", "envId": "CartPole-v1", "policy": "expert", "episodes": 10, "closedLoop": false },
            { "id": "minigrid", "envId": "MiniGrid-Empty-8x8-v0", "policy": "expert", "episodes": 10 } ],
  "model": [ { "name": "STRL", "kind": "strl" }, { "name": "DT", "kind": "dt" } ],
  "seed": [0, 1]
 }
}
EOF
fail() { echo "slurm-test: FAIL: $*" >&2; exit 1; }
wait_queue() { # until no task of our sweep is queued or running (10 min at most)
  for _ in $(seq 3000); do
    [ -z "$(squeue -h -n strl-slurm-test -o %i 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  fail "Slurm tasks still queued after 10 minutes: $(squeue)"
}
done_count() { $STRL sweep status "$1" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).counts.done))'; }

# 1. Through Slurm.
$STRL sweep plan "$W/sweep.json" --out "$W/slurm"
$STRL sweep slurm "$W/slurm" --partition debug --time 00:10:00 --cpus 1 --mem 1G --throttle 2
wait_queue
$STRL sweep status "$W/slurm"
[ "$(done_count "$W/slurm")" = 8 ] || fail "not every array task finished: $(cat "$W"/slurm/logs/* | tail -5)"

# 2. The same sweep with 2 local workers.
$STRL sweep plan "$W/sweep.json" --out "$W/local"
STRL_THREADS=1 $STRL sweep run "$W/local" --jobs 2

# 3. Fault: scancel one array task after its first checkpoint, then resubmit the unfinished jobs.
$STRL sweep plan "$W/sweep.json" --out "$W/cancel"
JOB=$($STRL sweep slurm "$W/cancel" --partition debug --cpus 1 --throttle 2 | sed -n 's/^submitted Slurm array job \([0-9]*\).*/\1/p')
[ -n "$JOB" ] || fail "no job id from sweep slurm"
VICTIM=""
for _ in $(seq 3000); do
  for ck in "$W"/cancel/jobs/*/run/checkpoint/trainer.json; do
    d="$(dirname "$(dirname "$(dirname "$ck")")")"
    if [ -f "$ck" ] && [ ! -f "$d/result.json" ]; then VICTIM="$(basename "$d" | sed 's/^0*\([0-9]\)/\1/; s/-.*//')"; break 2; fi
  done
  sleep 0.05
done
[ -n "$VICTIM" ] || fail "no task reached a checkpoint"
scancel "${JOB}_${VICTIM}"
wait_queue
$STRL sweep status "$W/cancel"
BEFORE="$(done_count "$W/cancel")"
[ "$BEFORE" -lt 8 ] || echo "slurm-test: note: task $VICTIM finished before scancel reached it"
$STRL sweep slurm "$W/cancel" --partition debug --cpus 1 --throttle 2
wait_queue
[ "$(done_count "$W/cancel")" = 8 ] || fail "the resubmitted sweep did not finish"
RAN=$(ls "$W"/cancel/logs | wc -l)
echo "slurm-test: job $VICTIM cancelled; $BEFORE jobs were done; $RAN Slurm task logs in all (8 + the resubmitted)"
if [ "$BEFORE" -lt 8 ]; then
  grep -rq "resuming" "$W/cancel/logs" || fail "the cancelled job did not resume from its checkpoint"
fi

# 4. The three reports: the same summary and figures, the same report after its provenance header.
for d in slurm local cancel; do $STRL sweep report "$W/$d" --json >/dev/null; done
for d in slurm cancel; do
  cmp "$W/local/report/summary.json" "$W/$d/report/summary.json" || fail "$d: summary.json differs from the --jobs 2 run"
  diff <(sed -n '/^## /,$p' "$W/local/report/report.md") <(sed -n '/^## /,$p' "$W/$d/report/report.md") >/dev/null || fail "$d: report.md differs"
  diff -r -x report.md "$W/local/report" "$W/$d/report" >/dev/null || fail "$d: figures differ"
done
echo "slurm-test: OK: 8 jobs through Slurm, --jobs 2 and a scancel + resubmit give identical reports ($(( $(date +%s) - T0 )) s; work in $W)"
