#!/usr/bin/env bash
# The run-twice cache gate end to end on a real Docker engine (issue #12, item 5).
#
# Needs root; not part of `npm test` or CI. It starts its own dockerd (Debian's docker.io, vfs storage,
# no bridge, no network) on a private socket, exec root and data root under /tmp, imports a static
# busybox as the base image, and for each scenario builds one small context twice with the same inputs
# (`DOCKER_BUILDKIT=1 docker build --progress=plain --network=none`), then runs
# `cachewhy check --same-inputs --junit … a.log b.log Dockerfile` (and again with both context tars and
# commands.txt). Everything it made is written to tests/fixtures/real-gate/<scenario>/ (or to the folder
# given as $1): Dockerfile, logs, context tars, commands.txt, check.json (each check's command, exit
# code, stdout, stderr and JUnit, verbatim) and truth.json. The daemon is stopped at the end.
#
#   sudo bash scripts/real-gate/run.sh            # needs: apt-get install docker.io busybox-static
#
# Scenarios (each context says "case <name>" so no scenario can hit another's cache):
#   generated-stamp  a file written before each build (a build stamp) is COPY'd, then `RUN date`:
#                    the COPY misses on the second build -> check exits 1, non-determinism
#   arg-timestamp    `ARG BUILD_TIME` fed `--build-arg BUILD_TIME=$(date …)`, read by the last RUN:
#                    that RUN misses on the second build -> check exits 1, non-determinism
#   stays-cached     the same shape with `RUN date > /built-at` and nothing generated: the second
#                    build is all CACHED (BuildKit keys a RUN by its command, not its output) -> exit 0
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "run.sh: needs root (it starts its own dockerd)" >&2
  exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$(mkdir -p "${1:-$REPO/tests/fixtures/real-gate}" && cd "${1:-$REPO/tests/fixtures/real-gate}" && pwd)
DOCKER=${DOCKER:-/usr/bin/docker}    # Debian's 20.10 client, the same as the daemon
DOCKERD=${DOCKERD:-/usr/sbin/dockerd}
BUSYBOX=${BUSYBOX:-/bin/busybox}     # from busybox-static
CACHEWHY=(node "$REPO/src/cli/cachewhy.js")

for tool in "$DOCKER" "$DOCKERD" "$BUSYBOX"; do
  [ -x "$tool" ] || { echo "run.sh: $tool not found (apt-get install docker.io busybox-static)" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/cachewhy-real-gate.XXXXXX)
export DOCKER_HOST="unix://$WORK/docker.sock"
DPID=

cleanup() {
  local rc=$?
  if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
    kill "$DPID"
    wait "$DPID" 2>/dev/null || true
  fi
  if [ "${KEEP_WORK:-0}" = 1 ] || [ "$rc" != 0 ]; then
    echo "run.sh: work folder kept: $WORK (daemon log: $WORK/dockerd.txt)" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT

echo "== dockerd on $DOCKER_HOST"
"$DOCKERD" --iptables=false --ip-masq=false --bridge=none --storage-driver=vfs \
  --data-root="$WORK/data" --exec-root="$WORK/exec" --pidfile="$WORK/dockerd.pid" \
  -H "$DOCKER_HOST" >"$WORK/dockerd.txt" 2>&1 &
DPID=$!
for _ in $(seq 1 120); do
  "$DOCKER" version >/dev/null 2>&1 && break
  kill -0 "$DPID" 2>/dev/null || { echo "run.sh: dockerd exited:" >&2; tail -20 "$WORK/dockerd.txt" >&2; exit 1; }
  sleep 0.5
done
"$DOCKER" version >/dev/null || { echo "run.sh: dockerd did not answer in 60 s" >&2; exit 1; }

SERVER_VERSION=$("$DOCKER" version -f '{{.Server.Version}}')
CLIENT_VERSION=$("$DOCKER" version -f '{{.Client.Version}}')
CONTAINERD_VERSION=$(dpkg-query -W -f '${Version}' containerd 2>/dev/null || echo unknown)
RUNC_VERSION=$(dpkg-query -W -f '${Version}' runc 2>/dev/null || echo unknown)
DOCKERIO_VERSION=$(dpkg-query -W -f '${Version}' docker.io 2>/dev/null || echo unknown)
BUSYBOX_VERSION=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || echo unknown)
NODE_VERSION=$(node --version)
echo "   server $SERVER_VERSION, client $CLIENT_VERSION, containerd $CONTAINERD_VERSION, runc $RUNC_VERSION"

echo "== base image lab/base:1 (static busybox)"
mkdir -p "$WORK/rootfs/bin"
cp "$BUSYBOX" "$WORK/rootfs/bin/busybox"
for applet in sh echo cat ls date; do ln -s busybox "$WORK/rootfs/bin/$applet"; done
tar --sort=name --mtime=2024-01-01 --owner=0 --group=0 --numeric-owner -cf "$WORK/bb.tar" -C "$WORK/rootfs" .
"$DOCKER" import "$WORK/bb.tar" lab/base:1 >/dev/null

# The vertices of a plain log: "[x/y] …" names that printed "CACHED" / that ran ("DONE" without CACHED).
steps_with() { # log, cached|ran
  awk -v want="$2" '
    match($0, /^#[0-9]+ \[[^]]*[0-9]+\/[0-9]+\] /) { id = $1; name[id] = substr($0, length(id) + 2); order[++n] = id; next }
    /^#[0-9]+ CACHED/ { cached[$1] = 1 }
    /^#[0-9]+ DONE/ { done[$1] = 1 }
    END {
      for (i = 1; i <= n; i++) {
        id = order[i]; if (seen[id]++) continue
        if (name[id] ~ /^\[[^]]*1\/[0-9]+\] FROM /) continue
        if ((want == "cached" && cached[id]) || (want == "ran" && done[id] && !cached[id])) print name[id]
      }
    }' "$1"
}

json_lines() { # stdin lines -> JSON array of strings
  node -e 'const t = require("fs").readFileSync(0, "utf8"); process.stdout.write(JSON.stringify(t.split("\n").filter(Boolean)))'
}

# scenario NAME  (CASE_DOCKERFILE, BEFORE_BUILD and BUILD_ARGS are set by the caller)
scenario() {
  local name=$1
  local dir="$OUT/$name" ctx="$WORK/$name/ctx"
  echo "== $name"
  rm -rf "$dir" "$WORK/$name"
  mkdir -p "$dir" "$ctx/src"
  printf '%s' "$CASE_DOCKERFILE" >"$ctx/Dockerfile"
  printf 'case %s: hello from a file that never changes\n' "$name" >"$ctx/src/greeting.txt"
  find "$ctx" -exec touch -h -d 2024-01-01T00:00:00Z {} +
  cp "$ctx/Dockerfile" "$dir/Dockerfile"
  : >"$dir/commands.txt"
  local side
  for side in a b; do
    local args
    args=$(eval "echo $BUILD_ARGS")
    if [ -n "$BEFORE_BUILD" ]; then
      (cd "$ctx" && eval "$BEFORE_BUILD")
      printf '# before %s.log, in ctx/: %s (exit=0)\n' "$side" "$BEFORE_BUILD" >>"$dir/commands.txt"
    fi
    tar --sort=name -cf "$dir/context-$side.tar" -C "$ctx" .
    local cmd="(cd ctx && DOCKER_BUILDKIT=1 docker build --progress=plain --network=none -t rg/$name${args:+ $args} .)"
    local rc=0
    (cd "$ctx" && DOCKER_BUILDKIT=1 "$DOCKER" build --progress=plain --network=none -t "rg/$name" $args . ) >"$dir/$side.log" 2>&1 || rc=$?
    printf '%s.log\t%s\texit=%s\n' "$side" "$cmd" "$rc" >>"$dir/commands.txt"
    [ "$rc" = 0 ] || { echo "run.sh: $name: build $side failed (exit $rc), see $dir/$side.log" >&2; exit 1; }
    eval "image_$side=\$(\"\$DOCKER\" image inspect -f '{{.Id}}' rg/$name)"
  done

  # The gate, as a CI job runs it, twice: on the logs and the Dockerfile only (what a job that tees its
  # logs has), and with both contexts and the build commands too. Run on a copy of the fixture folder so
  # the JUnit file lands next to the logs; cachewhy's output is kept verbatim in check.json (its text
  # quotes log lines, so as loose .txt/.xml files the fixture sniffer test would read them as logs).
  local gate="$WORK/$name/gate" form
  local -a runs=()
  for form in logs full; do
    rm -rf "$gate" && mkdir -p "$gate" && cp "$dir"/* "$gate"/
    local -a check=(check --same-inputs --junit junit.xml a.log b.log Dockerfile)
    [ "$form" = full ] && check+=(context-a.tar context-b.tar commands.txt)
    local crc=0
    (cd "$gate" && "${CACHEWHY[@]}" "${check[@]}") >"$WORK/$name/$form.stdout" 2>"$WORK/$name/$form.stderr" || crc=$?
    cp "$gate/junit.xml" "$WORK/$name/$form.junit.xml" 2>/dev/null || : >"$WORK/$name/$form.junit.xml"
    echo "   cachewhy ${check[*]}: exit $crc"
    sed 's/^/   | /' "$WORK/$name/$form.stdout"
    runs+=("$form" "cachewhy ${check[*]}" "$crc")
    eval "check_exit_$form=$crc"
  done
  node -e '
    const fs = require("fs");
    const [work, ...rest] = process.argv.slice(1);
    const runs = [];
    for (let i = 0; i < rest.length; i += 3) {
      const [form, command, exit] = rest.slice(i, i + 3);
      const read = (ext) => fs.readFileSync(`${work}/${form}.${ext}`, "utf8");
      runs.push({ form, cwd: "a copy of this folder", command, exit_code: Number(exit), stdout: read("stdout"), stderr: read("stderr"), junit_xml: read("junit.xml") });
    }
    process.stdout.write(JSON.stringify({ runs }, null, 2) + "\n");
  ' "$WORK/$name" "${runs[@]}" >"$dir/check.json"

  local missed cached
  missed=$(steps_with "$dir/b.log" ran | json_lines)
  cached=$(steps_with "$dir/b.log" cached | json_lines)
  local a_ran
  a_ran=$(steps_with "$dir/a.log" ran | json_lines)
  SCENARIO="$name" MISSED="$missed" CACHED="$cached" A_RAN="$a_ran" IMAGE_A="$image_a" IMAGE_B="$image_b" CHECK_EXIT_LOGS="$check_exit_logs" CHECK_EXIT_FULL="$check_exit_full" \
  SERVER_VERSION="$SERVER_VERSION" CLIENT_VERSION="$CLIENT_VERSION" CONTAINERD_VERSION="$CONTAINERD_VERSION" \
  RUNC_VERSION="$RUNC_VERSION" DOCKERIO_VERSION="$DOCKERIO_VERSION" BUSYBOX_VERSION="$BUSYBOX_VERSION" NODE_VERSION="$NODE_VERSION" \
  node -e '
    const e = process.env;
    const truth = {
      case: e.SCENARIO,
      what: JSON.parse(e.EXPECT).what,
      same_inputs: true,
      a_log_ran_steps: JSON.parse(e.A_RAN),
      b_missed_steps: JSON.parse(e.MISSED),
      b_cached_steps: JSON.parse(e.CACHED),
      image_ids: { a: e.IMAGE_A, b: e.IMAGE_B },
      ...JSON.parse(e.EXPECT).expected,
      check_exit_codes: { logs: Number(e.CHECK_EXIT_LOGS), full: Number(e.CHECK_EXIT_FULL) },
      made: new Date().toISOString().slice(0, 10),
      versions: {
        "docker.io": e.DOCKERIO_VERSION, server: e.SERVER_VERSION, client: e.CLIENT_VERSION,
        containerd: e.CONTAINERD_VERSION, runc: e.RUNC_VERSION, "busybox-static": e.BUSYBOX_VERSION, node: e.NODE_VERSION,
      },
    };
    process.stdout.write(JSON.stringify(truth, null, 2) + "\n");
  ' >"$dir/truth.json"
}

CASE_DOCKERFILE='FROM lab/base:1
COPY src/ /app/
RUN cat /app/greeting.txt > /app/greeting.copy
COPY build-stamp.txt /app/build-stamp.txt
RUN date > /built-at
'
BEFORE_BUILD='date -u +%Y-%m-%dT%H:%M:%S.%NZ > build-stamp.txt'
BUILD_ARGS=''
EXPECT='{"what": "build-stamp.txt is written before each build (date, nanoseconds) and COPY-ed; RUN date follows",
  "expected": {"expected_exit": 1, "expected_root_miss": "[4/5]", "expected_cause_kind": "context-changed",
  "expected_context_files": [{"path": "build-stamp.txt", "change": "content"}]}}'
export EXPECT
scenario generated-stamp

CASE_DOCKERFILE='FROM lab/base:1
COPY src/ /app/
RUN cat /app/greeting.txt > /app/greeting.copy
ARG BUILD_TIME
RUN echo "built at $BUILD_TIME" > /built-at
'
BEFORE_BUILD=''
# Expanded anew for each build, as a CI script that passes a timestamp does.
BUILD_ARGS='--build-arg BUILD_TIME=$(date -u +%Y%m%dT%H%M%S%NZ)'
EXPECT='{"what": "ARG BUILD_TIME fed a timestamp (--build-arg BUILD_TIME=$(date …)) on each build, read by the last RUN",
  "expected": {"expected_exit": 1, "expected_root_miss": "[4/4]", "expected_cause_kind": "build-arg-changed",
  "expected_context_files": []}}'
scenario arg-timestamp

CASE_DOCKERFILE='FROM lab/base:1
COPY src/ /app/
RUN cat /app/greeting.txt > /app/greeting.copy
RUN date > /built-at
'
BEFORE_BUILD=''
BUILD_ARGS=''
EXPECT='{"what": "nothing generated, no varying arg; RUN date writes another date each time it runs, but its cache key is its command",
  "expected": {"expected_exit": 0, "expected_root_miss": null, "expected_cause_kind": null, "expected_context_files": []}}'
scenario stays-cached

echo "== stopping dockerd"
kill "$DPID"
wait "$DPID" 2>/dev/null || true
DPID=
echo "== done: $OUT"
