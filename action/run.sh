#!/usr/bin/env bash
# The GitHub Action's step (action.yml): turns the action's inputs (INPUT_* variables) into one
# `cachewhy check --github` command. GITHUB_STEP_SUMMARY and GITHUB_OUTPUT are written by the CLI.
# Paths are split on whitespace: give paths without spaces.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

mode="${INPUT_MODE:-report}"
if [ "$mode" != report ] && [ "$mode" != check ]; then
  echo "::error title=cachewhy::mode must be report or check (got '$mode')"
  exit 2
fi

args=(check --github)
while IFS= read -r pattern; do
  [ -n "$pattern" ] && args+=(--allow-miss "$pattern")
done <<< "${INPUT_ALLOW_MISS:-}"
[ -n "${INPUT_MAX_LOST_SECONDS:-}" ] && args+=(--max-lost-seconds "$INPUT_MAX_LOST_SECONDS")
[ "${INPUT_SAME_INPUTS:-false}" = true ] && args+=(--same-inputs)
[ -n "${INPUT_BASE:-}" ] && args+=(--base "$INPUT_BASE")
read -r -a logs <<< "$(echo ${INPUT_LOGS:-})"
read -r -a contexts <<< "$(echo ${INPUT_CONTEXTS:-})"
args+=("${logs[@]}")
if [ -n "${INPUT_DOCKERFILE:-}" ]; then
  args+=("$INPUT_DOCKERFILE")
  # Annotations need the path in the repository; the report keeps only the file's name.
  export CACHEWHY_DOCKERFILE="$INPUT_DOCKERFILE"
fi
args+=("${contexts[@]}")

set +e
node "$root/src/cli/cachewhy.js" "${args[@]}"
code=$?
set -e
# report mode explains and never fails the job on a miss (exit 1); a wrong input (2) or a bug (3) still does.
if [ "$mode" = report ] && [ "$code" = 1 ]; then exit 0; fi
exit "$code"
