#!/usr/bin/env bash
# netns-agent.sh: Open MPI's launch agent for the netns test cluster (scripts/netns-cluster.sh),
# used in place of ssh (MCA plm_rsh_agent). Open MPI calls it as `AGENT [OPTIONS] HOST COMMAND...`,
# as it would call ssh; it runs COMMAND through /bin/sh on HOST, that is inside the network
# namespace that owns HOST's address, with the host's own name (a UTS namespace), so Open MPI
# sees one host per namespace.
set -euo pipefail
prefix="${HPSEARCH_NETNS_PREFIX:-10.231.7}"
while [[ $# -gt 0 && "$1" == -* ]]; do shift; done   # ssh options Open MPI may add (-x, …)
[[ $# -ge 2 ]] || { echo "netns-agent.sh: expected HOST COMMAND..., got: $*" >&2; exit 255; }
host="$1"; shift
case "$host" in
  "$prefix".*) k=$(( ${host##*.} - 1 )) ;;
  hps[0-9]*) k="${host#hps}" ;;
  *) echo "netns-agent.sh: $host is not a host of the netns cluster ($prefix.N or hpsN)" >&2; exit 255 ;;
esac
ns="hps$k"
ip netns list | grep -qw "$ns" || { echo "netns-agent.sh: no namespace $ns for $host: is the cluster up (scripts/netns-cluster.sh up)?" >&2; exit 255; }
# As ssh would: a host that cannot be reached from here (its link is cut) is an error, not a
# daemon started where it cannot call mpirun back (Open MPI would then wait for it for ever).
HPSEARCH_NETNS_SUBNET="$prefix" "$(dirname "$0")/netns-cluster.sh" answers "$k" \
  || { echo "ssh: connect to host $host port 22: Connection timed out (netns-agent.sh: $ns is unreachable from $(hostname))" >&2; exit 255; }
# Like ssh: the words are joined and the remote shell parses them.
exec ip netns exec "$ns" unshare --uts -- /bin/sh -c 'hostname "$1" && exec /bin/sh -c "$2"' netns-agent "$ns" "$*"
