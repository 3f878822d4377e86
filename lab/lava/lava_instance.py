#!/usr/bin/python3
"""`tessera lab lava up|down|submit` (docs/lab.md): a local LAVA instance, and jobs submitted to one.

up     starts PostgreSQL (pg_ctlcluster, if its cluster is down), lava-server's web service (gunicorn on
       127.0.0.1), lava-publisher, lava-scheduler and one lava-worker, all by hand without systemd, each in
       a session of its own with its pid in the state directory; adds the `qemu` device type and N devices
       on that worker (device dictionaries beside lava-server's), marks them Good, and makes a user with an
       API token. Event notification is on and the worker pings every second, so jobs start at once.
       With --owner PID it also starts a watcher (its own session, its pid in the state directory)
       that takes the instance down when process PID ends, however it ends (the test suite passes its
       own pid: a killed suite leaves no LAVA daemon behind).
down   stops all of that (and whatever a running job started), and PostgreSQL if `up` started it.
submit submits jobs with lavacli to an instance (--url/--token, or the local one), waits for them all,
       fetches each log and judges it as `lab lava run` does (the job's health must be Complete).

Runs with Debian's /usr/bin/python3; the C tool execs it.
"""
import argparse
import hashlib
import json
import os
import pwd
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lava_run  # noqa: E402  (the log parsing and the verdict are shared)

PROG = "tessera lab lava"
SETTINGS = "/etc/lava-server/settings.d/50-tessera-lab.yaml"
DEVICES_DIR = "/etc/lava-server/dispatcher-config/devices"
DAEMONS = ("gunicorn", "publisher", "scheduler", "worker")
WORKER = "tessera-worker"
USER = "tessera"
START_MARKER = "Tessera hypervisor starting"  # lab/lava/job_render.h: the console protocol's start
PROGRESS_S = 30  # submit: with no job changing state for this long, say what it is still waiting for
QUEUE_S = 600  # submit's default limit: this for the queue, plus each job's own timeout


def fail(status, msg):
    print(f"{'tessera' if status == 2 else PROG}: {msg}", file=sys.stderr)
    sys.exit(status)


def manage(*args, check=True):
    r = subprocess.run(["lava-server", "manage", *args], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    if check and r.returncode:
        fail(1, f"lava-server manage {' '.join(args)}: {(r.stderr or r.stdout).strip()[-400:]}")
    return r


def listed(*args):
    """The names a `lava-server manage ... list` prints, one per "* NAME (...)" line: matched exactly,
    since a substring test took "qemu" in the list of available (not installed) device types for an
    installed one on a fresh machine."""
    return {line[2:].split()[0] for line in manage(*args).stdout.splitlines()
            if line.startswith("* ") and len(line) > 2}


def alive(pid):
    """Running: a zombie (killed, not yet reaped by its parent) is not."""
    return proc_start(pid) is not None


def proc_start(pid):
    """The start time of process pid (field 22 of /proc/PID/stat), None when it is gone or a zombie
    (it has ended; its parent has not reaped it yet): a pid alone could be a new process that reused
    it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return None if fields[0] in ("Z", "X") else fields[19]
    except (OSError, IndexError):
        return None


def port_free(port):
    import socket
    with socket.socket() as so:
        so.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            so.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def others():
    """LAVA daemons on this machine, whichever state directory started them: `pgrep -fa` lines."""
    r = subprocess.run(["pgrep", "-fa", "lava_server.wsgi|lava-server manage|lava-worker"],
                       capture_output=True, text=True)
    return [ln for ln in r.stdout.splitlines() if "pgrep" not in ln]


def pids(state):
    out = {}
    for d in DAEMONS:
        try:
            with open(os.path.join(state, f"{d}.pid")) as f:
                out[d] = int(f.read())
        except (OSError, ValueError):
            pass
    return out


def start(state, name, cmd, env=None):
    log = open(os.path.join(state, f"{name}.out"), "w")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True, env=env)
    with open(os.path.join(state, f"{name}.pid"), "w") as f:
        f.write(str(p.pid))


def cluster_online(ver, cluster):
    r = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
    return any(line.split()[:2] == [ver, cluster] and line.split()[3] == "online"
               for line in r.stdout.splitlines() if len(line.split()) >= 4)


def postgres_start(state):
    r = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True)
    if r.returncode:
        fail(1, "pg_lsclusters failed: is PostgreSQL installed (build/install-deps.sh)?")
    for line in r.stdout.splitlines():
        ver, cluster, _, status = line.split()[:4]
        if status != "online":
            subprocess.run(["pg_ctlcluster", ver, cluster, "start"], check=True)
            with open(os.path.join(state, "postgres"), "w") as f:
                f.write(f"{ver} {cluster}\n")


def fail_stale_jobs():
    """Mark incomplete every job an earlier life of the instance left unfinished, before its scheduler
    starts. No instance is up (up refused otherwise), so nothing waits for them; left alone, the new
    scheduler ran them first (a killed suite's nine plan boots held both devices while the next suite's
    jobs waited in the queue past its limit)."""
    stale = []
    for state in ("SUBMITTED", "SCHEDULING", "SCHEDULED", "RUNNING", "CANCELING"):
        for line in manage("jobs", "list", "--state", state).stdout.splitlines():
            if line.startswith("* ") and " - " in line:  # "* SUBMIT_TIME - ID@SUBMITTER - DESCRIPTION"
                stale.append(line.split(" - ")[1].split("@")[0])
    for jid in stale:
        manage("jobs", "fail", jid, check=False)
    if stale:
        print(f"{PROG} up: {len(stale)} jobs an earlier run of the instance left unfinished marked "
              f"incomplete ({', '.join(stale)})", flush=True)


def server_log_dir(state):
    """Where the daemons that drop root log (gunicorn, lava-publisher and lava-scheduler run as
    lavaserver): a directory of theirs under /var/log/lava-server, one per state directory. The state
    directory itself may be out of their reach (a clone under /root or `mktemp -d` is mode 0700): the
    scheduler then died at its first log line after dropping root, and no job was ever scheduled. The
    state directory gets links to the logs, so they are found where the other files are."""
    d = os.path.join("/var/log/lava-server",
                     "tessera-" + hashlib.sha1(os.path.realpath(state).encode()).hexdigest()[:12])
    os.makedirs(d, exist_ok=True)
    pw = pwd.getpwnam("lavaserver")
    os.chown(d, pw.pw_uid, pw.pw_gid)
    os.chmod(d, 0o755)
    for name in ("gunicorn.log", "publisher.log", "scheduler.log"):
        link, log = os.path.join(state, name), os.path.join(d, name)
        for old in (link, log):  # this life's logs only: up waits for a line of the new scheduler's
            if os.path.islink(old) or os.path.exists(old):
                os.remove(old)
        os.symlink(log, link)
    return d


def last_line(path):
    try:
        with open(path, errors="replace") as f:
            lines = [ln.strip() for ln in f if ln.strip()]
        return lines[-1] if lines else "(no output)"
    except OSError:
        return "(no output)"


def wait_log(args, daemon, text, limit_s):
    """Wait until the daemon's log (in the state directory) has `text`, or it has ended, or limit_s."""
    path, deadline = os.path.join(args.state, f"{daemon}.log"), time.monotonic() + limit_s
    while time.monotonic() < deadline and alive(pids(args.state).get(daemon, 0) or -1):
        try:
            with open(path, errors="replace") as f:
                if text in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def wait_http(url, limit_s):
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.5)
    return False


def up(args):
    """Start the instance; when any step fails, stop what was started already, so that a failed `up`
    leaves no daemon behind (the test harness found lava-publisher, -scheduler and -worker left over)."""
    args.started = False
    try:
        return up_steps(args)
    except BaseException as e:
        # Only what this call started: an instance that was already up when it refused stays up.
        if args.started and not (isinstance(e, SystemExit) and not e.code):
            down(args)
        raise


def up_steps(args):
    state = args.state
    os.makedirs(state, exist_ok=True)
    if not os.path.exists("/usr/bin/lava-server"):
        fail(1, "lava-server is not installed (build/install-deps.sh installs it)")
    running = [d for d, p in pids(state).items() if alive(p)]
    if running:
        fail(1, f"already up ({', '.join(running)} running): tessera lab lava down first")
    for port in (args.port, args.port + 1):
        if not port_free(port):
            fail(1, f"127.0.0.1:{port} is in use (another LAVA instance, from another clone? "
                    f"`tessera lab lava down` there, or --port)" +
                 "".join(f"\n  {ln}" for ln in others()))
    if args.owner is not None and proc_start(args.owner) is None:
        fail(2, f"--owner {args.owner}: no such process")
    t0 = time.monotonic()
    args.started = True
    postgres_start(state)
    fail_stale_jobs()
    with open(SETTINGS, "w") as f:
        f.write("# Written by `tessera lab lava up`, removed by `down`: jobs start at once.\n"
                "EVENT_NOTIFICATION: true\n")
    url = f"http://127.0.0.1:{args.port}"
    if args.owner is not None:  # first: whatever happens to the owner from here, the watcher cleans up
        # Without the test runner's marks (build/run-tests.sh stops every process that carries one when
        # it is stopped): the watcher must outlive that to take down what the marks do not reach
        # (gunicorn's retitled processes, PostgreSQL).
        env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_TEST_RUN_")}
        start(state, "watch", [sys.executable, os.path.abspath(__file__), "--state", state,
                               "--default-output", args.default_output, "--tessera", args.tessera,
                               "--default-db", args.default_db, "watch", "--owner", str(args.owner),
                               "--owner-start", proc_start(args.owner)], env=env)
        with open(os.path.join(state, "watch.pid")) as f:  # its start time too: see stop_watcher
            w = int(f.read())
        with open(os.path.join(state, "watch.pid"), "w") as f:
            f.write(f"{w} {proc_start(w)}")
    logs = server_log_dir(state)
    start(state, "gunicorn", ["gunicorn3", "lava_server.wsgi", "--bind", f"127.0.0.1:{args.port}",
                              "-u", "lavaserver", "-g", "lavaserver", "--worker-class", "eventlet",
                              "--workers", "2", "--log-file", os.path.join(logs, "gunicorn.log")])
    start(state, "publisher", ["lava-server", "manage", "lava-publisher", "--host", "127.0.0.1",
                               "--port", str(args.port + 1), "--log-file",
                               os.path.join(logs, "publisher.log")])
    start(state, "scheduler", ["lava-server", "manage", "lava-scheduler", "--log-file",
                               os.path.join(logs, "scheduler.log")])
    if not wait_http(f"{url}/RPC2/", 90):
        down(args)
        fail(1, f"lava-server did not answer at {url} (see {state}/gunicorn.log)")
    # A worker registers itself the first time; once known, the server refuses that, so pass its token.
    token = []
    details = manage("workers", "details", WORKER, check=False)
    for line in details.stdout.splitlines() if not details.returncode else []:
        if line.split(":")[0].strip() == "token":
            token = ["--token", line.split(":", 1)[1].strip()]
    start(state, "worker", ["lava-worker", "--name", WORKER, *token, "--url", f"{url}/",
                            "--ws-url", f"http://127.0.0.1:{args.port + 1}/ws/",
                            "--worker-dir", os.path.join(state, "worker"), "--ping-interval", "1",
                            "--log-file", os.path.join(state, "worker.log")])
    # The worker registers itself; the devices need it to exist.
    deadline = time.monotonic() + 60
    while WORKER not in listed("workers", "list"):
        if time.monotonic() > deadline:
            down(args)
            fail(1, f"the worker did not register (see {state}/worker.log)")
        time.sleep(1)
    # A daemon that died at start (the scheduler once could not write its log) leaves every job queued.
    wait_log(args, "scheduler", "Starting main loop", 60)
    gone = [d for d, p in pids(state).items() if not alive(p)]
    if gone:
        why = "".join(f"\n  {d}: {last_line(os.path.join(state, d + '.out'))}" for d in gone)
        down(args)
        fail(1, f"{', '.join(gone)} ended as soon as started (their output: {state}/NAME.out):{why}")
    if "qemu" not in listed("device-types", "list"):  # without --all: the installed ones only
        manage("device-types", "add", "qemu")
    known = listed("devices", "list", "--all")
    names = [f"qemu-{i + 1:02d}" for i in range(args.devices)]
    for i, d in enumerate(names):
        if d not in known:
            manage("devices", "add", "--device-type", "qemu", "--worker", WORKER, d)
        path = os.path.join(DEVICES_DIR, f"{d}.jinja2")
        with open(path, "w") as f:
            f.write(lava_run.DEVICE_DICT.replace("34:59", f"34:{0x60 + i:02x}"))
        os.chmod(path, 0o644)
        manage("devices", "update", "--health", "GOOD", "--worker", WORKER, d)
    for d in sorted(known):
        if d.startswith("qemu-") and d not in names:
            manage("devices", "update", "--health", "MAINTENANCE", d, check=False)
    manage("users", "add", USER, "--superuser", "--staff", "--passwd", os.urandom(12).hex(), check=False)
    token = manage("tokens", "add", "--user", USER).stdout.strip().splitlines()[-1]
    with open(os.path.join(state, "instance.json"), "w") as f:
        json.dump({"url": url, "user": USER, "token": token, "devices": names}, f, indent=1)
    os.chmod(os.path.join(state, "instance.json"), 0o600)
    print(f"LAVA instance up at {url} in {time.monotonic() - t0:.0f} s: {len(names)} qemu devices "
          f"({', '.join(names)}), user {USER}; token in {state}/instance.json")
    return 0


def watch(args):
    """The --owner watcher: poll the owner; when it is gone, take the instance down. `down` ends this
    watcher (it removes watch.pid first, then sends SIGTERM); a SIGTERM from anyone else takes the
    instance down too."""
    def on_term(*_):
        if os.path.exists(os.path.join(args.state, "watch.pid")):
            raise KeyboardInterrupt  # not `down`'s: take the instance down below
        sys.exit(0)
    signal.signal(signal.SIGTERM, on_term)
    try:
        while proc_start(args.owner) == args.owner_start:
            time.sleep(1)
        print(f"owner {args.owner} ended: taking the instance down", flush=True)
    except KeyboardInterrupt:
        print("stopped: taking the instance down", flush=True)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    return down(args)


def stop_watcher(state):
    """End the watcher, if the pid file's process is still it (same start time: out/ outlives a
    reboot, and a stale pid may be another process by now), and wait for it to go."""
    try:
        with open(os.path.join(state, "watch.pid")) as f:
            w, started = f.read().split()
        w = int(w)
        os.remove(os.path.join(state, "watch.pid"))
        if w != os.getpid() and proc_start(w) == started:
            os.kill(w, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while proc_start(w) == started and time.monotonic() < deadline:
                time.sleep(0.1)
    except (OSError, ValueError):
        pass


def down(args):
    state = args.state
    stop_watcher(state)
    procs = {d: p for d, p in pids(state).items() if alive(p)}
    # Whatever the daemons started (a job's lava-run, its QEMU in a session of its own) goes too.
    victims = list(procs.values())
    for p in procs.values():
        victims += lava_run.descendants_of(p)
    for p in procs.values():
        try:
            os.killpg(p, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + 15
    while any(alive(p) for p in victims) and time.monotonic() < deadline:
        time.sleep(0.2)
    for p in victims:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    deadline = time.monotonic() + 5  # SIGKILL is not instant: `down` once named processes on their way out
    while any(alive(p) for p in victims) and time.monotonic() < deadline:
        time.sleep(0.1)
    for d in DAEMONS:
        try:
            os.remove(os.path.join(state, f"{d}.pid"))
        except OSError:
            pass
    try:
        os.remove(SETTINGS)
    except OSError:
        pass
    pg = os.path.join(state, "postgres")
    if os.path.exists(pg):
        with open(pg) as f:
            ver, cluster = f.read().split()
        subprocess.run(["pg_ctlcluster", ver, cluster, "stop"], check=False)
        os.remove(pg)
        if cluster_online(ver, cluster):
            fail(1, f"PostgreSQL's cluster {ver} {cluster}, which up started, is still online "
                    f"(pg_ctlcluster {ver} {cluster} stop failed)")
    left = [p for p in victims if alive(p)]
    if left:
        fail(1, f"processes {left} are still there")
    print(f"LAVA instance down ({', '.join(procs) or 'nothing was running'})")
    if not procs and others():
        print(f"(not this clone's, whose state is {state}: LAVA processes are running\n" +
              "".join(f"  {ln}\n" for ln in others()) +
              " `tessera lab lava down` in the clone that started them stops them)")
    return 0


def lavacli(uri, *args, check=True):
    """lavacli's output; on failure exit 1 naming the command, or (check False) None."""
    r = subprocess.run(["lavacli", "--uri", uri, *args], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    if r.returncode and check:
        fail(1, f"lavacli {' '.join(args[:2])}: {(r.stderr or r.stdout).strip()[-400:]}")
    return None if r.returncode else r.stdout


def progress(msg):
    """A line about the wait, on stderr: stdout holds the jobs' results."""
    print(f"{PROG} submit: {msg}", file=sys.stderr, flush=True)


def job_state(info):
    """'Submitted', 'Running on qemu-01', 'Finished on qemu-01, Complete': a job as lavacli shows it."""
    state = str(info.get("state") or "unknown")
    if info.get("device"):
        state += f" on {info['device']}"
    if info.get("state") == "Finished":
        state += f", {info.get('health')}"
    return state


def instance_state(uri, args):
    """What a job may be waiting for, one line: the instance's devices (state, health, current job) and,
    on the local instance, its worker's state and last ping."""
    try:
        devices = lava_run.yaml.safe_load(lavacli(uri, "devices", "list", "--yaml", check=False) or "")
    except lava_run.yaml.YAMLError:
        devices = None
    parts = [f"{d.get('hostname')} {d.get('state')},{d.get('health')}"
             + (f" (job {d['current_job']})" if d.get("current_job") else "")
             for d in devices or [] if isinstance(d, dict)] or ["devices unknown"]
    if args.local:
        try:
            w = lava_run.yaml.safe_load(lavacli(uri, "workers", "show", WORKER, "--yaml", check=False)
                                        or "") or {}
        except lava_run.yaml.YAMLError:
            w = {}
        parts.append(f"worker {WORKER} {w.get('state', 'unknown')}, last ping {w.get('last_ping')}"
                     f" (its log: {args.state}/worker.log; the scheduler's: {args.state}/scheduler.log)")
    return "; ".join(parts)


def wait_finished(uri, args, jobs):
    """Poll the submitted jobs until each has Finished, or until --timeout seconds have passed since they
    were submitted. Says on stderr each job's state as it changes and, after PROGRESS_S seconds without
    a change, what is still waited for and what the instance's devices are doing. A job given up on is
    cancelled. Returns {job id: its last `jobs show`} and {job id: why it was given up on}."""
    t0 = quiet = time.monotonic()
    infos, shown, given_up, unreachable = {}, {}, {}, set()
    pending = {jid: str(job.get("job_name", os.path.basename(path))) for path, job, jid in jobs}
    while pending and not lava_run.stopping:
        for jid, name in list(pending.items()):
            out = lavacli(uri, "jobs", "show", jid, "--yaml", check=False)
            if out is None:  # a busy server's answer timed out: ask again, within the same limit
                if jid not in unreachable:
                    progress(f"{name}: cannot ask about job {jid} now; trying again")
                    unreachable.add(jid)
                continue
            unreachable.discard(jid)
            infos[jid] = lava_run.yaml.safe_load(out) or {}
            state = job_state(infos[jid])
            if shown.get(jid) != state:
                progress(f"{name}: job {jid} {state} ({time.monotonic() - t0:.0f} s)")
                shown[jid], quiet = state, time.monotonic()
            if infos[jid].get("state") == "Finished":
                del pending[jid]
        waited = time.monotonic() - t0
        if pending and args.timeout and waited > args.timeout:
            progress(f"giving up after {args.timeout} s (--timeout); the instance: "
                     + instance_state(uri, args))
            for jid, name in pending.items():
                lavacli(uri, "jobs", "cancel", jid, check=False)
                given_up[jid] = (f"not finished {args.timeout} s after its submission (last seen "
                                 f"{shown.get(jid, 'never')}); cancelled")
                progress(f"{name}: job {jid} {given_up[jid]}")
            break
        if pending and time.monotonic() - quiet >= PROGRESS_S:
            progress(f"waiting {waited:.0f} s for " + ", ".join(
                f"job {jid} ({shown.get(jid, 'state unknown')})" for jid in pending)
                + f"; the instance: {instance_state(uri, args)}")
            quiet = time.monotonic()
        if pending:
            time.sleep(1)
    return infos, given_up


def cancel(uri, jobs):
    for _, _, jid in jobs:
        lavacli(uri, "jobs", "cancel", jid, check=False)


def submit(args):
    args.local = not args.url or not args.token
    if args.local:
        try:
            with open(os.path.join(args.state, "instance.json")) as f:
                inst = json.load(f)
        except OSError:
            fail(2, "--url and --token are needed (no local instance: tessera lab lava up)")
        args.url, args.token = args.url or inst["url"], args.token or inst["token"]
        args.user = args.user or inst["user"]
    u = urllib.parse.urlsplit(args.url)
    if u.scheme not in ("http", "https") or not u.netloc:
        fail(2, f"--url: expected http(s)://HOST[:PORT], got '{args.url}'")
    if args.timeout is not None and args.timeout < 0:
        fail(2, f"--timeout: expected seconds >= 0, got {args.timeout}")
    uri = f"{u.scheme}://{args.user or USER}:{args.token}@{u.netloc}{u.path.rstrip('/')}/RPC2"
    loaded = [(j, lava_run.load_job(j)) for j in args.jobs]  # every file checked before anything is queued
    if args.timeout is None:  # room for each job to run in turn on one device, and for the queue
        args.timeout = QUEUE_S + sum(lava_run.job_timeout_s(job) for _, job in loaded)
    jobs, t0, started, summary = [], time.monotonic(), lava_run.now_iso(), []
    # Stopped while submitting: what was submitted already is cancelled below, not left queued.
    signal.signal(signal.SIGINT, lava_run.on_signal)
    signal.signal(signal.SIGTERM, lava_run.on_signal)
    try:
        for j, job in loaded:
            if lava_run.stopping:
                break
            jobs.append((j, job, lavacli(uri, "jobs", "submit", j).strip()))
            print(f"{job.get('job_name', j)}: submitted as job {jobs[-1][2]}", flush=True)
        infos, given_up = wait_finished(uri, args, jobs) if not lava_run.stopping else ({}, {})
    except BaseException:  # a lavacli call failed: nothing of ours stays queued
        cancel(uri, jobs)
        raise
    if lava_run.stopping:
        cancel(uri, jobs)
        sys.exit(130 if lava_run.stopping == signal.SIGINT else 143)
    ok = True
    for path, job, jid in jobs:
        info = infos.get(jid, {})
        name = str(job.get("job_name", os.path.basename(path)))
        out = os.path.join(args.output, f"{os.path.splitext(os.path.basename(path))[0]}-lava{jid}")
        os.makedirs(out, exist_ok=True)
        log = os.path.join(out, "lava.log")
        with open(log, "w") as f:  # a job given up on may have logged part of its run
            f.write(lavacli(uri, "jobs", "logs", jid, "--raw", check=jid not in given_up) or "")
        extra = [given_up[jid]] if jid in given_up else \
            [] if info.get("health") == "Complete" else [f"health {info.get('health')}"]
        results = lava_run.parse_log(log)
        kept = server_measurements(uri, jid, out)
        ok = lava_run.report(name, path, jid, out, results, extra,
                              time.monotonic() - t0, started,
                              lambda o: lava_run.store(args, "lava-submit", o),
                              need_cases=not args.no_cases and lava_run.needs_cases(job))\
            and ok
        if args.summary:
            summary.append(job_summary(path, jid, out, log, results, info, started))
            summary[-1]["server_measurements"] = kept
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=1)
    return 0 if ok else 1


def server_measurements(uri, jid, out):
    """How many of the job's results lava-server stored with a measurement (the BENCH samples, as its
    web UI and API give them); its results go to out/server-results.yaml. -1 when it cannot say."""
    r = subprocess.run(["lavacli", "--uri", uri, "results", jid, "--yaml"], capture_output=True,
                       text=True, stdin=subprocess.DEVNULL)
    with open(os.path.join(out, "server-results.yaml"), "w") as f:
        f.write(r.stdout if r.returncode == 0 else r.stderr)
    if r.returncode:
        return -1
    try:
        rows = lava_run.yaml.safe_load(r.stdout) or []
    except lava_run.yaml.YAMLError:
        return -1
    return sum(1 for row in rows if isinstance(row, dict)
               and (row.get("suite") or "").endswith(lava_run.SUITE)
               and row.get("measurement") not in (None, "None", ""))


def job_summary(path, jid, out, log, results, info, started):
    """What `bench run --on lava:` reads back per job: where its console is, and whether it failed for an
    infrastructure reason (it never reached the hypervisor's start marker, or LAVA says Infrastructure),
    which makes it worth submitting again, rather than being the boot's result."""
    console = lava_run.console_lines(log)
    with open(os.path.join(out, "console.txt"), "w") as f:
        f.write("".join(line + "\n" for line in console))
    with open(os.path.join(out, "results.json")) as f:
        res = json.load(f)
    booted = any(START_MARKER in line for line in console)
    etype = lava_run.job_error_type(results)
    problem = "; ".join(res.get("problems") or [])
    infra = not res.get("complete") and (not booted or etype == "Infrastructure")
    if not booted and not problem:
        problem = "the hypervisor's start marker is not on the console"
    return {"file": os.path.abspath(path), "job_id": jid, "out": os.path.abspath(out),
            "log": os.path.abspath(log), "health": str(info.get("health")),
            "complete": bool(res.get("complete")), "booted": booted, "error_type": etype,
            "infrastructure": infra, "problem": problem,
            "measurements": len(res.get("measurements") or []),
            "started": str(info.get("start_time") or started),
            "ended": str(info.get("end_time") or lava_run.now_iso())}


def main():
    p = argparse.ArgumentParser(prog=PROG)
    p.add_argument("--state", required=True, help=argparse.SUPPRESS)
    p.add_argument("--default-output", required=True, help=argparse.SUPPRESS)
    p.add_argument("--tessera", required=True, help=argparse.SUPPRESS)
    p.add_argument("--default-db", required=True, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("up")
    u.add_argument("--devices", type=int, default=2, choices=range(1, 17), metavar="N")
    u.add_argument("--port", type=int, default=8090)
    u.add_argument("--owner", type=int)
    sub.add_parser("down")
    w = sub.add_parser("watch")
    w.add_argument("--owner", type=int, required=True)
    w.add_argument("--owner-start", required=True)
    s = sub.add_parser("submit")
    s.add_argument("--url")
    s.add_argument("--token")
    s.add_argument("--user")
    s.add_argument("-o", "--output")
    s.add_argument("--db")
    s.add_argument("--timeout", type=int, help="give up on (and cancel) a job not finished this many "
                   "seconds after submission; 0: wait for ever (default: 600 + the jobs' own timeouts)")
    # for `bench run --on lava:` (and campaigns): jobs that print samples need no cases; a summary
    s.add_argument("--no-cases", action="store_true", help=argparse.SUPPRESS)
    s.add_argument("--summary", help=argparse.SUPPRESS)
    s.add_argument("jobs", nargs="+", metavar="JOB.yaml")
    try:
        args = p.parse_args()
    except SystemExit as e:
        sys.exit(0 if e.code == 0 else 2)
    if args.cmd in ("up", "down", "watch") and os.geteuid():
        fail(1, f"lava {args.cmd} must run as root")
    if args.cmd == "submit":
        args.output = args.output or args.default_output
        args.db = args.db or args.default_db
    sys.exit({"up": up, "down": down, "watch": watch, "submit": submit}[args.cmd](args))


if __name__ == "__main__":
    main()
