"""The workflow through a real SLURM controller (.ci/slurm_harness.sh): a one-node cluster
on this machine with one fake GPU, `snakemake --profile profiles/slurm` and the CPU engine.

Marked `cluster`; runs where SLURM can be started (root, and SLURM or apt-get present) and
the executor plugin is installed (`pip install ".[slurm]"`), and skips otherwise. Scenarios:
both simulations are submitted at once (no global GPU cap; the scheduler runs them one
after the other on its one GPU); one SIGINT stops Snakemake, which cancels its jobs, and
the same command then resubmits only what is missing; a job killed with `scancel` is
resubmitted (`retries: 1`) and the run finishes.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from .conftest import REPO
from .test_cost import job_resources

pytestmark = pytest.mark.cluster

HARNESS = REPO / ".ci" / "slurm_harness.sh"
SLURM_CONF = Path("/etc/slurm/slurm.conf")
#: The harness's cluster name: a slurm.conf without it belongs to someone else.
CLUSTER_NAME = "ClusterName=surrogate-ci"
#: The shipped profile plus what a cluster without an accounting database needs: job
#: states from squeue (the harness keeps finished jobs for MinJobAge = 1 h) and a short
#: first wait; no account to guess.
SNAKEMAKE_ARGS = ("--profile", "profiles/slurm", "--slurm-status-command", "squeue",
                  "--slurm-init-seconds-before-status-checks", "2", "--slurm-no-account")
#: Jobs that must run through sbatch, and rules that must not (localrules).
BATCH_RULES = ("simulate", "train", "evaluate", "benchmark")
LOCAL_RULES = ("render", "extract", "figure", "metrics")
POLL_S = 0.5


def unavailable_reason() -> str | None:
    """Why a SLURM controller cannot be started here, or None."""
    if os.geteuid() != 0:
        return "starting a SLURM controller needs root (.ci/slurm_harness.sh)"
    if shutil.which("slurmctld") is None and shutil.which("apt-get") is None:
        return "neither SLURM nor apt-get to install it is present"
    if SLURM_CONF.exists() and CLUSTER_NAME not in SLURM_CONF.read_text():
        return f"{SLURM_CONF} belongs to another SLURM installation; not overwriting it"
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed (pip install '.[slurm]')"
    return None


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory):
    """A running one-node cluster; its daemons are stopped at the end, also on failure,
    and the configuration the harness wrote is removed (left behind, it makes every later
    Snakemake start wait 9 s for the controller that is gone)."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    state = tmp_path_factory.mktemp("slurm")
    try:
        started = subprocess.run([str(HARNESS), "start", str(state)], check=False,
                                 timeout=600, capture_output=True, text=True)
        if started.returncode != 0:
            pytest.fail(f"{HARNESS} start failed:\n{started.stdout}\n{started.stderr}")
        yield state
    finally:
        subprocess.run([str(HARNESS), "stop", str(state)], check=False, timeout=60)
        assert not (SLURM_CONF.exists() and CLUSTER_NAME in SLURM_CONF.read_text())


@pytest.fixture
def snakemake_runs():
    """The Snakemake processes a test starts; any still running when it ends are killed,
    so that a failed test leaves no Snakemake behind waiting on the cluster."""
    processes: list[subprocess.Popen] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def cluster_config(default_config: dict) -> dict:
    """The default skyrmion on the CPU engine, simulated for 0.3 ns and trained for 3 s."""
    config = copy.deepcopy(default_config)
    config["engine"] = "magnumnp"
    config["devices"]["skyrmion"]["settle_time"] = 5.0e-11
    config["drives"]["train"]["n_periods"] = 1
    config["drives"]["test"]["n_periods"] = 1
    config["extra_train_drives"] = []  # two simulations: one runs, one waits for the GPU
    config["model"] = {"k": 2, "hidden": 8, "depth": 1, "seed": 0, "max_minutes": 0.05}
    return config


def cluster_workdir(tmp_path: Path, config: dict) -> Path:
    tmp_path.mkdir()
    for name in ("Snakefile", "rules", "profiles"):
        source = REPO / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def environment() -> dict[str, str]:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    return env


def _default_sigint() -> None:
    """In the child before exec: SIGINT back to its default action.

    A shell that starts a command in the background without job control (`make
    test &` in a script, `nohup ... &`) sets SIGINT to ignored, the child
    inherits it, and Python then installs no KeyboardInterrupt. Snakemake
    started from such a test run ignored the test's SIGINT and waited for the
    held job until the test gave up (twice, in fresh-clone runs of the suite)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_snakemake(workdir: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as stream:
        return subprocess.Popen([sys.executable, "-m", "snakemake", *SNAKEMAKE_ARGS],
                                cwd=workdir, env=environment(), stdout=stream,
                                stderr=subprocess.STDOUT, preexec_fn=_default_sigint)


def jobs_of(workdir: Path) -> list[dict[str, str]]:
    """Every job the controller knows that ran in `workdir`: id, state, comment."""
    listing = subprocess.run(["scontrol", "show", "job", "-o"], capture_output=True,
                             text=True, check=False).stdout
    jobs = []
    for line in listing.splitlines():
        fields = dict(item.split("=", 1) for item in line.split() if "=" in item)
        if fields.get("WorkDir") == str(workdir):
            jobs.append({"id": fields["JobId"], "state": fields["JobState"],
                         "rule": fields.get("Comment", "").removeprefix("rule_")})
    return jobs


def rule_of(job: dict[str, str]) -> str:
    """simulate, train, ... from the job's comment (`simulate_pack_simulate` for a group)."""
    return job["rule"].split("_")[0]


def wait_for(condition, timeout_s: float, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            break
        time.sleep(POLL_S)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=300)
    pytest.fail(f"gave up waiting for {what}; Snakemake's log:\n{log.read_text()[-4000:]}")


def test_workflow_through_slurm(slurm_cluster, snakemake_runs, tmp_path, default_config,
                                capsys):
    started = time.monotonic()
    workdir = cluster_workdir(tmp_path / "run", cluster_config(default_config))
    sims = workdir / "results" / "sims" / "skyrmion"
    tables = [sims / drive / "skyrmion.out" / "table.txt" for drive in ("train", "test")]

    # 1. Both simulations are queued at once (no global cap; one waits for the one GPU).
    #    After the first finishes, one SIGINT stops Snakemake; it cancels the other.
    #    CI once saw the second finish before the SIGINT; a hold on it rules that out.
    first_log = tmp_path / "first.log"
    first = start_snakemake(workdir, first_log)
    snakemake_runs.append(first)

    def one_running_one_waiting():
        simulations = [job for job in jobs_of(workdir) if rule_of(job) == "simulate"]
        if sorted(job["state"] for job in simulations) != ["PENDING", "RUNNING"]:
            return None
        return next(job for job in simulations if job["state"] == "PENDING")

    waiting = wait_for(one_running_one_waiting, 120, "one running and one waiting simulation",
                       first, first_log)
    # Held, the waiting simulation cannot start (and finish) before the SIGINT, however
    # long Snakemake takes to notice the first one finish.
    subprocess.run(["scontrol", "hold", waiting["id"]], check=True)
    wait_for(lambda: "(Rule: simulate)" in first_log.read_text(), 240,
             "Snakemake to see a simulation finish", first, first_log)
    first.send_signal(signal.SIGINT)
    first.wait(timeout=300)
    assert "Terminating processes on user request" in first_log.read_text()
    assert first.returncode != 0
    stopped_at = jobs_of(workdir)
    assert not [job for job in stopped_at if job["state"] in ("PENDING", "RUNNING")]
    planned = job_resources(first_log.read_text(), "simulate")
    assert [job["gpu"] for job in planned] == ["1", "1"]
    (done_table,) = [table for table in tables if table.exists()]
    done_mtime = done_table.stat().st_mtime_ns

    # 2. The same command resubmits only the missing simulation; a training job killed by
    #    the scheduler (scancel) is resubmitted once and the run finishes.
    second_log = tmp_path / "second.log"
    second = start_snakemake(workdir, second_log)
    snakemake_runs.append(second)
    running_train = wait_for(
        lambda: next((job for job in jobs_of(workdir)
                      if rule_of(job) == "train" and job["state"] == "RUNNING"), None),
        240, "a running train job", second, second_log)
    subprocess.run(["scancel", running_train["id"]], check=True)
    second.wait(timeout=400)
    output = second_log.read_text()
    assert second.returncode == 0, output[-4000:]
    assert len(job_resources(output, "simulate")) == 1
    assert done_table.stat().st_mtime_ns == done_mtime
    for path in ("results/metrics.json", "results/figures/skyrmion_overlay.png",
                 "results/models/skyrmion.pt", *[str(t.relative_to(workdir)) for t in tables]):
        assert (workdir / path).is_file(), path

    # 3. Every batch job went through the scheduler and finished; cheap rules did not.
    jobs = jobs_of(workdir)
    finished = {rule: [job for job in jobs if rule_of(job) == rule and
                       job["state"] == "COMPLETED"] for rule in BATCH_RULES}
    assert len(finished["simulate"]) == 2 and len(finished["train"]) == 1
    assert len(finished["evaluate"]) == 2 and len(finished["benchmark"]) == 1
    cancelled = [job for job in jobs if job["state"] == "CANCELLED"]
    assert running_train["id"] in {job["id"] for job in cancelled}
    assert all(rule_of(job) in BATCH_RULES for job in jobs)
    assert not [job for job in jobs if rule_of(job) in LOCAL_RULES]
    assert {job["state"] for job in jobs} <= {"COMPLETED", "CANCELLED"}
    with capsys.disabled():
        print(f"\nSLURM jobs of the cluster test ({time.monotonic() - started:.0f} s):")
        for job in jobs:
            print(f"  job {job['id']:>4}  {job['state']:<9}  {job['rule']}")


def test_eight_gpu_simulations_are_planned_without_a_global_cap(tmp_path, default_config):
    """`snakemake -n --profile profiles/slurm`: 8 mumax3 simulations, each asking for a GPU,
    and no profile that Snakemake applies caps GPUs for the whole run."""
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.skip("snakemake-executor-plugin-slurm is not installed (pip install '.[slurm]')")
    config = copy.deepcopy(default_config)
    config["engine"] = "mumax3"
    config["devices"] = {f"disk{index}": config["devices"]["skyrmion"] for index in range(4)}
    config.pop("experiments")  # they name devices this config no longer has
    config["extra_train_drives"] = []  # a training and a test simulation per disk
    workdir = cluster_workdir(tmp_path / "run", config)
    done = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--profile", "profiles/slurm"],
                          cwd=workdir, env=environment(), capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    simulations = job_resources(done.stdout, "simulate")
    assert len(simulations) == 8 and all(job["gpu"] == "1" for job in simulations)
    for profile in ("default", "slurm"):
        settings = yaml.safe_load((REPO / "profiles" / profile / "config.yaml").read_text())
        assert "resources" not in settings, profile
