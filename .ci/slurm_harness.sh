#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for the `cluster` test (tests/test_cluster_slurm.py).
#   .ci/slurm_harness.sh start STATE_DIR   install Debian's munge/slurm if missing, write
#                                          /etc/slurm/slurm.conf, start munged, slurmctld and
#                                          slurmd in the background, wait until the node is idle
#   .ci/slurm_harness.sh stop STATE_DIR    stop exactly the daemons `start` wrote PID files for,
#                                          and remove the configuration `start` wrote
# Needs root. The node is `localhost` (slurmd -N localhost: the hostname differs) with the
# machine's CPUs and memory and one fake GPU backed by /dev/null, so that `--gpus=1`
# requests are accepted and counted by the scheduler. There is no accounting database:
# finished jobs stay visible to squeue/scontrol for MinJobAge seconds instead.
set -euo pipefail

action=${1:?usage: slurm_harness.sh start|stop STATE_DIR}
state=${2:?usage: slurm_harness.sh start|stop STATE_DIR}

stop() {
    for name in slurmd slurmctld munged; do
        pidfile="$state/$name.pid"
        if [[ -s $pidfile ]]; then
            pid=$(cat "$pidfile")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
            rm -f "$pidfile"
        fi
    done
    remove_config
}

# Left behind without its controller, our slurm.conf makes every `scontrol show config`
# wait 9 s for a slurmctld that is gone, and the SLURM executor plugin runs that command
# whenever Snakemake starts; without the file it fails at once.
remove_config() {
    if grep -qx 'ClusterName=surrogate-ci' /etc/slurm/slurm.conf 2>/dev/null; then
        rm -f /etc/slurm/slurm.conf /etc/slurm/gres.conf
    fi
}

install_packages() {
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
        && command -v sbatch >/dev/null && command -v munged >/dev/null; then
        return
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends munge slurmctld slurmd slurm-client
}

write_config() {
    local cpus mem_mb
    cpus=$(nproc)
    mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    mkdir -p /etc/slurm "$state/spool/ctld" "$state/spool/d" "$state/log"
    # Jobs read /etc/slurm/slurm.conf: the job step strips SLURM_* variables (SLURM_CONF too).
    cat > /etc/slurm/slurm.conf <<EOF
ClusterName=surrogate-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=3600
SchedulerParameters=sched_interval=2
DefMemPerCPU=1000
GresTypes=gpu
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb Gres=gpu:fake:1 State=UNKNOWN
PartitionName=ci Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
    cat > /etc/slurm/gres.conf <<EOF
NodeName=localhost Name=gpu Type=fake File=/dev/null
EOF
}

start_daemons() {
    mkdir -p /run/munge
    chown munge:munge /run/munge
    [[ -s /etc/munge/munge.key ]] || mungekey --create --force
    if ! munge -n >/dev/null 2>&1; then
        runuser -u munge -- /usr/sbin/munged
        for _ in $(seq 50); do [[ -s /run/munge/munged.pid ]] && break; sleep 0.1; done
        cp /run/munge/munged.pid "$state/munged.pid"
    fi
    slurmctld -c -i
    slurmd -N localhost -c
    for _ in $(seq 120); do
        if sinfo -h -n localhost -o %t 2>/dev/null | grep -qx idle; then
            sinfo
            return
        fi
        sleep 0.5
    done
    echo "slurm_harness: the node did not become idle; last lines of the logs:" >&2
    tail -n 20 "$state/log/slurmctld.log" "$state/log/slurmd.log" >&2 || true
    exit 1
}

case $action in
    start)
        [[ $(id -u) -eq 0 ]] || { echo "slurm_harness: needs root" >&2; exit 2; }
        if pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null; then
            echo "slurm_harness: a slurmctld or slurmd already runs here; stop it first" >&2
            exit 3
        fi
        mkdir -p "$state"
        trap 'stop' ERR
        install_packages
        write_config
        start_daemons
        ;;
    stop) stop ;;
    *) echo "usage: slurm_harness.sh start|stop STATE_DIR" >&2; exit 2 ;;
esac
