#!/usr/bin/env bash
# Our gateway and osmo-mgw measured back to back on this machine with the
# same `mgcp bench` cycle workload (CRCX on a wildcard rtpbridge endpoint ->
# MDCX with remote SDP -> DLCX), at windows 1, 8 and 64, with each
# gateway's CPU time; then ours with 10 000 connections held open and with
# a million endpoints configured, and ours without media (`--no-media`,
# the control plane alone) for reference. Both gateways bind real RTP
# sockets per connection (osmo-mgw always does; ours by default). Figures
# go in the README.
#
#   bench/compare.sh [COUNT]     # default 200000 transactions per run
#   REPS=3 bench/compare.sh 100000
#
# The machine is shared and noisy: every measurement runs REPS times (the
# systems interleaved within each repetition) and the medians of the
# transactions per gateway CPU-second are printed at the end (raw lines
# first).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-200000}"
reps="${REPS:-3}"

MGCP_SETUP_PEERS=1 scripts/setup >/dev/null
mgcp=target/release/mgcp
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_up() { # address endpoint
  for _ in $(seq 100); do
    if "$mgcp" send --to "$1" --timeout 0.2 "AUEP $2 MGCP 1.0" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "no answer from $1" >&2; return 1
}

run() { # label address endpoint-pattern pid window
  local line
  line=$("$mgcp" bench --to "$2" --endpoint "$3" --workload cycle --window "$5" --count "$count" --pid "$4" --quiet |
    grep '^summary:' | sed 's/^summary: //')
  printf '%-36s %s\n' "$1" "$line" | tee -a "$work/raw"
}

# Median transactions per gateway CPU-second per label.
medians() {
  echo "== medians of $reps runs: transactions per gateway CPU-second (rate/s) =="
  sed 's/  *workload=.*//' "$work/raw" | awk '!seen[$0]++' | while read -r label; do
    grep -F "$label " "$work/raw" > "$work/group" || continue
    med() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$work/group" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
    printf '%-36s %8s  (%s/s)\n' "$label" "$(med per_cpu_second)" "$(med rate)"
  done
}

echo "$(nproc) cores; $count transactions per run; $reps runs each"
: > "$work/raw"

cp bench/osmo-mgw.cfg "$work/"
(cd "$work" && exec osmo-mgw -c osmo-mgw.cfg >osmo-mgw.log 2>&1) &
osmo=$!; pids+=("$osmo")
wait_up 127.0.0.1:2427 'rtpbridge/1@mgw'
"$mgcp" gateway --config bench/gateway.toml 2>"$work/gw.log" &
ours=$!; pids+=("$ours")
wait_up 127.0.0.1:2428 'rtpbridge/1@mgw'

for _ in $(seq "$reps"); do
  for w in 1 8 64; do
    run "osmo-mgw window $w" 127.0.0.1:2427 'rtpbridge/*@mgw' "$osmo" "$w"
    run "ours     window $w" 127.0.0.1:2428 'rtpbridge/$@mgw' "$ours" "$w"
  done
done
kill "$osmo"; wait "$osmo" 2>/dev/null || true

# Ours without media (control plane alone), for reference.
kill "$ours"; wait "$ours" 2>/dev/null || true
"$mgcp" gateway --no-media --config bench/gateway.toml 2>"$work/gw1.log" &
ours=$!; pids+=("$ours")
wait_up 127.0.0.1:2428 'rtpbridge/1@mgw'
for _ in $(seq "$reps"); do
  for w in 1 8 64; do
    run "ours --no-media window $w" 127.0.0.1:2428 'rtpbridge/$@mgw' "$ours" "$w"
  done
done

# Ours with many connections open on other endpoints (relay endpoints,
# two connections each), created by a CRCX-only scenario. With real media
# every connection holds two sockets, and this machine's open-file limit
# (20 000, hard) caps that run at 9 000 connections; 10 000 run with
# `--no-media`.
printf 'CRCX ${ep} MGCP 1.0\nC: ${call}\nM: recvonly\n' > "$work/hold.txt"
held() { # connections label [gateway options]
  local n=$1 label=$2; shift 2
  kill "$ours"; wait "$ours" 2>/dev/null || true
  cat > "$work/held.toml" <<CFG
bind = "127.0.0.1:2428"
control = "127.0.0.1:2431"
rtp_ports = [10000, 60000]
[gateway]
domain = "mgw"
[gateway.restart]
rsip_on_start = false
[gateway.limits]
max_connections = 200000
[[gateway.endpoints]]
kind = "rtpbridge"
name = "rtpbridge/{x}"
count = 512
[[gateway.endpoints]]
kind = "relay"
name = "held/{n}"
start = 0
count = $(( n / 2 ))
CFG
  "$mgcp" gateway "$@" --config "$work/held.toml" 2>"$work/gw2.log" &
  ours=$!; pids+=("$ours")
  wait_up 127.0.0.1:2428 'rtpbridge/1@mgw'
  "$mgcp" bench --to 127.0.0.1:2428 --workload "$work/hold.txt" --endpoint 'held/{n}@mgw' \
    --endpoints $(( n / 2 )) --window 64 --count "$n" --quiet | grep '^summary:' |
    sed "s/^summary:/  holding $n connections:/" || true
  for _ in $(seq "$reps"); do
    run "$label" 127.0.0.1:2428 'rtpbridge/$@mgw' "$ours" 8
  done
}
held 9000 "ours, 9000 connections open, w8"
held 10000 "ours --no-media, 10000 conns open, w8" --no-media

# Ours with a million endpoints configured.
kill "$ours"; wait "$ours" 2>/dev/null || true
cat > "$work/million.toml" <<CFG
bind = "127.0.0.1:2428"
control = "127.0.0.1:2431"
[gateway]
domain = "mgw"
[gateway.restart]
rsip_on_start = false
[[gateway.endpoints]]
kind = "rtpbridge"
name = "rtpbridge/{x}"
count = 512
[[gateway.endpoints]]
kind = "line"
name = "aaln/{n}"
count = 1000000
CFG
"$mgcp" gateway --config "$work/million.toml" 2>"$work/gw3.log" &
ours=$!; pids+=("$ours")
wait_up 127.0.0.1:2428 'rtpbridge/1@mgw'
for _ in $(seq "$reps"); do
  run "ours, 1000512 endpoints, w8" 127.0.0.1:2428 'rtpbridge/$@mgw' "$ours" 8
done
echo "ours, memory with a million endpoints: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$ours/status)"
medians
