#!/usr/bin/env bash
# netns-cluster.sh: a cluster of test hosts inside this machine, for multi-host MPI runs without
# renting one. Each host is a Linux network namespace with its own host name, joined to the
# others by a veth pair on a bridge; rank 0 and mpirun run on a head host, hps0.
#
#   scripts/netns-cluster.sh up [N]       create hps0 (head) and hps1..hpsN (default 3) and write
#                                          the hostfile (hostfiles/netns lists the N=3 cluster)
#   scripts/netns-cluster.sh exec CMD...   run CMD on the head host with Open MPI set for the
#                                          cluster (TCP only, remote ranks started by the agent)
#   scripts/netns-cluster.sh cut K         take host K's link down (a lost host); `mend K` restores it
#                                          and waits until what ended jobs left there has exited
#   scripts/netns-cluster.sh status        the hosts and whether each answers from the head
#   scripts/netns-cluster.sh answers K     exit 0 when host K answers from the head (the launch
#                                          agent asks before it starts a daemon there)
#   scripts/netns-cluster.sh down          remove every host and the bridge
#
# e.g. scripts/netns-cluster.sh up 3
#      HPSEARCH_BLAS_THREADS=1 scripts/netns-cluster.sh exec \
#          scripts/launch.sh -n 4 --hostfile hostfiles/netns -- run sweeps/quickstart.yaml
#      scripts/netns-cluster.sh down
#
# Addresses live inside the namespaces only (10.231.7.0/24 unless HPSEARCH_NETNS_SUBNET is set to
# another A.B.C prefix); the machine's own interfaces, routes and /etc/hosts are not touched.
# Open MPI starts remote ranks through scripts/netns-agent.sh (MCA plm_rsh_agent) instead of
# ssh, and uses only the TCP transport (btl tcp,self; btl_tcp_if_include the cluster's subnet),
# so every message between ranks crosses a network stack. `up` removes what it made if it fails
# half-way; `exec` of a command that is interrupted leaves the cluster up for `down`.
# Needs root (network namespaces), iproute2 and util-linux's unshare.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${HPSEARCH_NETNS_SUBNET:-10.231.7}"
bridge=hpsbr0
state=/run/hpsearch-netns

die() { echo "netns-cluster.sh: $*" >&2; exit 1; }
need_root() {
  [[ $(id -u) -eq 0 ]] || die "must run as root: it creates network namespaces, veth pairs and a bridge (sudo $0 $*)"
  command -v ip >/dev/null || die "ip not found: apt-get install iproute2"
  command -v unshare >/dev/null || die "unshare not found: apt-get install util-linux"
}
hosts() { [[ -r $state/hosts ]] && cat "$state/hosts" || true; }
address() { echo "$prefix.$(( $1 + 1 ))"; }
# True when host $1 answers from the head: a TCP connection to a closed port is refused at once by
# a reachable host (no ping needed) and times out when the host's link is down.
answers() {
  local out
  out=$(ip netns exec hps0 timeout 2 bash -c "exec 3<>/dev/tcp/$(address "$1")/9" 2>&1) && return 0
  [[ "$out" == *"refused"* ]]
}

# Writes an Open MPI hostfile for hosts 0..N: the head first (rank 0, nothing else), one slot each.
hostfile() {
  local n=$1
  echo "# The netns test cluster (scripts/netns-cluster.sh up $n): one line per host, by address."
  echo "# Rank 0 runs on the head, $(address 0) (hps0); each other host runs one worker rank."
  echo "$(address 0) slots=1"
  for ((k = 1; k <= n; k++)); do echo "$(address "$k") slots=1"; done
}

# Removes every host: the processes still running on it first (a namespace lives on, with its
# veth pair, while any process is inside it), then the namespaces, their links and the bridge.
teardown() {
  local ns pids
  for ns in $( (hosts; ip netns list 2>/dev/null | awk '/^hps[0-9]+( |$)/ {print $1}') | sort -u); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n "$pids" ]] && kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^hpsv[0-9]+(@|$)/ {sub(/@.*/, "", $2); print $2}'); do
    ip link del "$link" 2>/dev/null || true
  done
  ip link del "$bridge" 2>/dev/null || true
  rm -rf "$state"
}

up() {
  local n=${1:-3}
  [[ "$n" =~ ^[0-9]+$ && $n -ge 1 && $n -le 200 ]] || die "up: expected a number of hosts from 1 to 200, got '$n'"
  [[ -d $state ]] && die "a cluster is already up ($(hosts | wc -w) hosts): run '$0 down' first"
  trap 'teardown; die "up failed; removed what it had made"' ERR
  mkdir -p "$state"
  ip link add "$bridge" type bridge
  ip link set "$bridge" up
  for ((k = 0; k <= n; k++)); do
    local ns="hps$k"
    ip netns add "$ns"
    echo "$ns" >> "$state/hosts"
    ip link add "hpsv$k" type veth peer name eth0 netns "$ns"
    ip link set "hpsv$k" master "$bridge" up
    ip -n "$ns" addr add "$(address "$k")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
  done
  hostfile "$n" > "$state/hostfile"
  [[ $n -eq 3 ]] && ! cmp -s "$state/hostfile" hostfiles/netns && echo "netns-cluster.sh: note: hostfiles/netns differs from $state/hostfile" >&2
  # The bridge forwards once its ports leave the learning state; wait until every host answers.
  local tries=0
  for ((k = 1; k <= n; k++)); do
    until answers "$k"; do
      tries=$((tries + 1))
      [[ $tries -lt 30 ]] || { teardown; die "host hps$k ($(address "$k")) does not answer from hps0; is bridged traffic filtered (sysctl net.bridge.bridge-nf-call-iptables, firewall FORWARD rules)?"; }
      sleep 0.2
    done
  done
  trap - ERR
  echo "netns-cluster.sh: $n hosts up (hps1..hps$n, $(address 1)..$(address "$n")) and head hps0 ($(address 0)); hostfile: $state/hostfile"
}

# Runs "$@" on the head host, named hps0, with Open MPI set for the cluster.
run_on_head() {
  [[ -d $state ]] || die "no cluster is up: run '$0 up N' first"
  export OMPI_MCA_plm_rsh_agent="$PWD/scripts/netns-agent.sh"
  export OMPI_MCA_plm_rsh_no_tree_spawn=1
  export OMPI_MCA_btl=tcp,self
  export OMPI_MCA_btl_tcp_if_include="$prefix.0/24"
  export OMPI_MCA_oob_tcp_if_include="$prefix.0/24"
  export HPSEARCH_NETNS_PREFIX="$prefix"
  exec ip netns exec hps0 unshare --uts -- /bin/sh -c 'hostname hps0 && exec "$@"' netns-head "$@"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up) need_root "up"; up "${1:-3}" ;;
  down) need_root "down"; teardown; echo "netns-cluster.sh: down" ;;
  exec) need_root "exec"; [[ $# -gt 0 ]] || die "exec: expected a command"; run_on_head "$@" ;;
  cut|mend)
    need_root "$cmd"
    [[ "${1:-}" =~ ^[0-9]+$ ]] && ip link show "hpsv$1" >/dev/null 2>&1 || die "$cmd: expected the number of a host that is up, got '${1:-}'"
    if [[ $cmd == cut ]]; then
      ip link set "hpsv$1" down
    else
      ip link set "hpsv$1" up
      # Like `up`: the bridge port forwards a moment after the link comes back. A job launched
      # before that would start the host's daemon, which cannot call mpirun back.
      for ((i = 0; i < 50; i++)); do answers "$1" && break; sleep 0.2; done
      answers "$1" || die "mend: hps$1 ($(address "$1")) does not answer from hps0 10 s after its link came back"
      # The host comes back as a rebooted node would: what an ended job left running there (its
      # daemon and ranks, cut off from an mpirun that is gone) exits once it can see that, and
      # is killed after 15 s, so that the next job's daemon starts on a clean host.
      for ((i = 0; i < 150; i++)); do [[ -z "$(ip netns pids "hps$1")" ]] && break; sleep 0.1; done
      left=$(ip netns pids "hps$1")
      if [[ -n "$left" ]]; then
        echo "netns-cluster.sh: killing what an ended job left on hps$1: $(ps -o comm= -p $left | sort -u | tr '\n' ' ')" >&2
        kill -KILL $left 2>/dev/null || true
      fi
    fi ;;
  answers)
    need_root "answers"
    [[ "${1:-}" =~ ^[0-9]+$ ]] || die "answers: expected the number of a host, got '${1:-}'"
    answers "$1" ;;
  status)
    need_root "status"
    [[ -d $state ]] || { echo "no cluster is up"; exit 0; }
    k=0
    for ns in $(hosts); do
      if answers "$k"; then s=up; else s=unreachable; fi
      echo "$ns $(address "$k") $s"
      k=$((k + 1))
    done ;;
  -h|--help|"") sed -n '2,30p' "$0" ;;
  *) die "unknown command '$cmd': expected up [N], exec CMD..., cut K, mend K, answers K, status or down" ;;
esac
