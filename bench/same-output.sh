#!/bin/bash
# Checks that a refactor changed no behaviour: runs `strl demo` and the first 10 training losses of the small STRL,
# ANN-STRL and DT (`strl bench --losses 10`) on the current checkout and on a base commit, and compares them.
#
# Usage (from the repository root, after `npm run build`):  bash bench/same-output.sh BASE_REF
# The base commit is checked out in a temporary git worktree (sharing this checkout's node_modules) and built there.
# Compared: the demo's summary table and report.md (training times, dates, paths and the commit line stripped), its
# SVG figures byte for byte, and the loss lists bit for bit. Prints ALL IDENTICAL and exits 0, or names what differs.
set -u
[ $# -eq 1 ] || { echo "usage: bash bench/same-output.sh BASE_REF (one commit to compare this checkout with)" >&2; exit 2; }
BASE=$1
ROOT=$(git rev-parse --show-toplevel) || exit 2
git -C "$ROOT" rev-parse --verify -q "$BASE^{commit}" >/dev/null || { echo "same-output: unknown commit '$BASE'" >&2; exit 2; }
[ -f "$ROOT/dist/src/cli/main.js" ] || { echo "same-output: build this checkout first (npm run build)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'git -C "$ROOT" worktree remove --force "$WORK/base" >/dev/null 2>&1; rm -rf "$WORK"' EXIT

run_case() { # $1 = checkout with dist built, $2 = output folder
  mkdir -p "$2"
  node "$1/dist/src/cli/main.js" demo --out "$2/demo-run" > "$2/demo.out" 2>/dev/null || { echo "demo failed in $1"; return 1; }
  for m in strl ann-strl dt; do
    node "$1/dist/src/cli/main.js" bench --model $m --config small --losses 10 --json 2>/dev/null \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s).losses)))' > "$2/losses-$m.json"
  done
}

echo "building $BASE in a temporary worktree ..."
git -C "$ROOT" worktree add --detach "$WORK/base" "$BASE" >/dev/null 2>&1 || { echo "same-output: cannot check out $BASE" >&2; exit 2; }
ln -s "$ROOT/node_modules" "$WORK/base/node_modules"
(cd "$WORK/base" && node native/build.mjs >/dev/null 2>&1 && npm run build >/dev/null 2>&1) || { echo "same-output: build of $BASE failed" >&2; exit 1; }
echo "running the base ..."; run_case "$WORK/base" "$WORK/a" || exit 1
echo "running this checkout ..."; run_case "$ROOT" "$WORK/b" || exit 1

table() { sed -E 's/ +[0-9]+\.[0-9] +/ TIME /g; s/(report: ).*/\1/' "$1"; }
report() { grep -v -iE "seconds|wall| s\b|engine|date|commit|command" "$1" | sed -E 's/[0-9]+\.[0-9]+ s//g; s/\| [0-9]+\.[0-9] \|/| TIME |/'; }
ok=1
diff <(table "$WORK/a/demo.out") <(table "$WORK/b/demo.out") && echo "demo table: identical" || { echo "demo table: DIFFERS"; ok=0; }
diff <(report "$WORK/a/demo-run/report.md") <(report "$WORK/b/demo-run/report.md") && echo "demo report: identical (timings stripped)" || { echo "demo report: DIFFERS"; ok=0; }
for f in $(cd "$WORK/a/demo-run" && ls *.svg); do
  cmp -s "$WORK/a/demo-run/$f" "$WORK/b/demo-run/$f" && echo "figure $f: identical" || { echo "figure $f: DIFFERS"; ok=0; }
done
for m in strl ann-strl dt; do
  cmp -s "$WORK/a/losses-$m.json" "$WORK/b/losses-$m.json" && echo "losses $m: bit-identical" || { echo "losses $m: DIFFER"; ok=0; }
done
[ $ok = 1 ] && { echo "ALL IDENTICAL"; exit 0; } || { echo "SOMETHING DIFFERS"; exit 1; }
