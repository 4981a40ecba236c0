#!/usr/bin/env bash
# Our gateway and osmo-mgw measured back to back on this machine with the
# same `mgcp bench` cycle workload (CRCX on a wildcard rtpbridge endpoint ->
# MDCX with remote SDP -> DLCX), at windows 1, 8 and 64, with each
# gateway's CPU time; then ours with 10 000 connections held open and with
# a million endpoints configured. Figures go in the README.
#
#   bench/compare.sh [COUNT]     # default 200000 transactions per run
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-200000}"

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
  printf '%-34s ' "$1"
  "$mgcp" bench --to "$2" --endpoint "$3" --workload cycle --window "$5" --count "$count" --pid "$4" --quiet |
    grep '^summary:' | sed 's/^summary: //'
}

echo "$(nproc) cores; $count transactions per run"

cp bench/osmo-mgw.cfg "$work/"
(cd "$work" && exec osmo-mgw -c osmo-mgw.cfg >osmo-mgw.log 2>&1) &
osmo=$!; pids+=("$osmo")
wait_up 127.0.0.1:2427 'rtpbridge/1@mgw'
"$mgcp" gateway --config bench/gateway.toml 2>"$work/gw.log" &
ours=$!; pids+=("$ours")
wait_up 127.0.0.1:2428 'rtpbridge/1@mgw'

for w in 1 8 64; do
  run "osmo-mgw window $w" 127.0.0.1:2427 'rtpbridge/*@mgw' "$osmo" "$w"
  run "ours     window $w" 127.0.0.1:2428 'rtpbridge/$@mgw' "$ours" "$w"
done

# Ours with 10 000 connections open on other endpoints (5000 relay
# endpoints, two connections each), created by a CRCX-only scenario.
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
count = 5000
CFG
printf 'CRCX ${ep} MGCP 1.0\nC: ${call}\nM: recvonly\n' > "$work/hold.txt"
"$mgcp" gateway --config "$work/held.toml" 2>"$work/gw2.log" &
ours=$!; pids+=("$ours")
wait_up 127.0.0.1:2428 'rtpbridge/1@mgw'
"$mgcp" bench --to 127.0.0.1:2428 --workload "$work/hold.txt" --endpoint 'held/{n}@mgw' --endpoints 5000 --window 64 --count 10000 --quiet >/dev/null
run "ours, 10000 connections open, w8" 127.0.0.1:2428 'rtpbridge/$@mgw' "$ours" 8

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
run "ours, 1000512 endpoints, w8" 127.0.0.1:2428 'rtpbridge/$@mgw' "$ours" 8
echo "ours, memory with a million endpoints: $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$ours/status)"
