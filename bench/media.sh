#!/usr/bin/env bash
# The RTP relay measured three ways in one run, with one generator
# (crates/mgcp-media/examples/rtp_bench.rs): our gateway (`mgcp gateway`,
# one media worker, then two), osmo-mgw, and a bare batched loop that only
# receives and sends (the machine's limit). For each number of calls the
# generator sets the calls up over MGCP (two connections on one relay
# endpoint per call), sends RTP (PCMU, 172-byte packets) into one side of
# every call at the offered rate, counts what comes out of the other side
# and reads the relay's CPU time from /proc: forwarded packets per second,
# loss, CPU share, and forwarded packets per CPU-second.
#
#   bench/media.sh [SECONDS] [RATE]      # defaults: 5 s, 100000 packets/s
#   CALLS="1 100 1000 4000" REPS=3 SATURATE=400000 bench/media.sh
#
# The machine is shared and noisy: every configuration runs REPS times,
# the systems interleaved, and the medians are printed at the end (raw
# lines first).
#
# Each call holds four sockets on a gateway (RTP and RTCP per connection):
# the open-file limit (`ulimit -n`, 20000 on the project machine, which a
# container cannot raise) caps a run at about 4500 calls.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rate="${2:-100000}"
calls_list="${CALLS:-1 100 1000 4000}"
reps="${REPS:-3}"
saturate="${SATURATE:-400000}"

MGCP_SETUP_PEERS=1 scripts/setup >/dev/null
cargo build --release --quiet -p mgcp-cli
cargo build --release --quiet -p mgcp-media --example rtp_bench
mgcp=target/release/mgcp
gen=target/release/examples/rtp_bench
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

wait_mgcp() { # address endpoint
  for _ in $(seq 100); do
    if "$mgcp" send --to "$1" --timeout 0.2 "AUEP $2 MGCP 1.0" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "no answer from $1" >&2; return 1
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

ours_config() { # calls workers
  cat > "$work/ours.toml" <<CFG
bind = "127.0.0.1:2428"
control = "127.0.0.1:2431"
rtp_ports = [20000, 62000]
[gateway]
domain = "mgw"
[gateway.restart]
rsip_on_start = false
[gateway.limits]
max_connections = 200000
[[gateway.endpoints]]
kind = "rtpbridge"
name = "rtpbridge/{x}"
count = $(( $1 + 16 ))
[media]
workers = $2
# No R/rto events: the generator's receiving legs never send.
rtp_timeout_ms = 0
CFG
}

bare() { # calls rate
  "$gen" bare --calls "$1" --base 10000 --to 127.0.0.1:9900 2>/dev/null &
  local p=$!; pids+=("$p")
  sleep 0.5
  "$gen" gen --calls "$1" --rate "$2" --seconds "$seconds" --pid "$p" --label "bare-loop" \
    --bare-base 10000 --rx-port 9900 2>/dev/null || true
  stop "$p"
}

ours() { # calls rate workers
  ours_config "$1" "$3"
  "$mgcp" gateway --config "$work/ours.toml" 2>"$work/ours.log" &
  local p=$!; pids+=("$p")
  wait_mgcp 127.0.0.1:2428 'rtpbridge/1@mgw'
  "$gen" gen --calls "$1" --rate "$2" --seconds "$seconds" --pid "$p" --label "ours-${3}-worker" \
    --mgcp 127.0.0.1:2428 --endpoint 'rtpbridge/$@mgw' 2>/dev/null || true
  stop "$p"
}

osmo() { # calls rate
  sed -e "s/number endpoints 512/number endpoints $(( $1 + 16 ))/" \
      -e 's/rtp port-range 16002 18001/rtp port-range 20000 62001/' bench/osmo-mgw.cfg > "$work/osmo-mgw.cfg"
  (cd "$work" && exec osmo-mgw -c osmo-mgw.cfg >osmo-mgw.log 2>&1) &
  local p=$!; pids+=("$p")
  wait_mgcp 127.0.0.1:2427 'rtpbridge/1@mgw'
  "$gen" gen --calls "$1" --rate "$2" --seconds "$seconds" --pid "$p" --label "osmo-mgw" \
    --mgcp 127.0.0.1:2427 --endpoint 'rtpbridge/*@mgw' 2>/dev/null || true
  stop "$p"
}

# Medians per system and call count, from the raw lines in $work/raw.
medians() {
  printf '%-16s %-7s %-10s %-8s %-6s %s\n' system calls forwarded loss cpu per_cpu_s
  awk '{print $1, $2}' "$work/raw" | sort -u | sort -t= -k2,2n -s | while read -r label calls; do
    grep -F "$label " "$work/raw" | grep -F " $calls " > "$work/group" || continue
    med() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$work/group" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
    printf '%-16s %-7s %-10s %-8s %-6s %s\n' "$label" "${calls#calls=}" "$(med forwarded)" "$(med loss)%" "$(med cpu)%" "$(med per_cpu_s)"
  done
}

echo "$(nproc) cores, open-file limit $(ulimit -n), osmo-mgw $(osmo-mgw --version 2>/dev/null | head -1 | awk '{print $NF}'), ${seconds} s per run, ${reps} runs each"
: > "$work/raw"
echo "== offered ${rate} packets/s =="
for calls in $calls_list; do
  for _ in $(seq "$reps"); do
    bare "$calls" "$rate" | tee -a "$work/raw"
    ours "$calls" "$rate" 1 | tee -a "$work/raw"
    osmo "$calls" "$rate" | tee -a "$work/raw"
  done
done
echo "== medians at ${rate} packets/s =="
medians
if [ "$saturate" -gt 0 ]; then
  : > "$work/raw"
  echo "== saturation: offered ${saturate} packets/s =="
  for calls in 1 1000; do
    for _ in $(seq "$reps"); do
      bare "$calls" "$saturate" | tee -a "$work/raw"
      ours "$calls" "$saturate" 1 | tee -a "$work/raw"
      ours "$calls" "$saturate" 2 | tee -a "$work/raw"
      osmo "$calls" "$saturate" | tee -a "$work/raw"
    done
  done
  echo "== medians at ${saturate} packets/s offered =="
  medians
fi
