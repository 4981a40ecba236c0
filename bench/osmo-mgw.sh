#!/usr/bin/env bash
# Measures osmo-mgw (Osmocom's C media gateway, from Debian) with
# `mgcp bench` on loopback: CRCX -> MDCX -> DLCX cycles at windows 1, 8
# and 64, with the gateway's CPU time. This is the reference our own
# gateway is compared against in one run (see README, Performance).
#
#   bench/osmo-mgw.sh [COUNT]        # default 200000 transactions per window
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-200000}"

MGCP_SETUP_PEERS=1 scripts/setup >/dev/null
mgcp=target/release/mgcp

work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
cp bench/osmo-mgw.cfg "$work/"
(cd "$work" && exec osmo-mgw -c osmo-mgw.cfg >osmo-mgw.log 2>&1) &
pid=$!
# Wait (bounded) until osmo-mgw answers an audit of its keepalive endpoint.
for _ in $(seq 50); do
  if "$mgcp" send --to 127.0.0.1:2427 --timeout 0.2 'AUEP rtpbridge/1@mgw MGCP 1.0' >/dev/null 2>&1; then break; fi
  sleep 0.1
done

echo "osmo-mgw $(osmo-mgw --version 2>/dev/null | head -1 | awk '{print $NF}'), $count transactions per run, $(nproc) cores"
for window in 1 8 64; do
  "$mgcp" bench --to 127.0.0.1:2427 --endpoint 'rtpbridge/*@mgw' --workload cycle \
    --window "$window" --count "$count" --pid "$pid" --quiet | grep '^summary:'
done
