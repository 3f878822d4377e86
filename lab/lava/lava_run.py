#!/usr/bin/python3
"""`tessera lab lava run JOB.yaml...`: run LAVA jobs locally with LAVA's own dispatcher (docs/lab.md).

For each job: render the device dictionary the way lava-server does (Jinja2 over lava-server's device-type
templates, with the job's `context:` as variables, so that a `{% set %}` in the device dictionary wins),
run the real `lava-run` with a distinct --job-id, keep its log, take the per-case results from the log's
`"lvl": "results"` lines, write them beside the log (results.tsv, results.json), store them and the log in
the results database (through `tessera lab lava store`) and print them.

lava-run exits 0 even when cases fail, so the verdict is ours: exit 0 when every job completed and every
case passed, 1 when a case failed or a job was incomplete, 2 on bad input. Ctrl-C (or SIGTERM) stops
lava-run and everything it started: this process is a child subreaper, so QEMU, which pexpect starts in a
session of its own, is reparented here and killed too.

Runs with Debian's /usr/bin/python3 (jinja2, yaml); the C tool execs it.
"""
import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import time

import jinja2
import yaml

PROG = "tessera lab lava run"
TEMPLATES_REL = "usr/share/lava-server/device-types"
# The device dictionary of a local qemu device, as a lab admin would write it; a {% set %} here would
# override the job context (e.g. memory), as on a real instance.
DEVICE_DICT = """{% extends 'qemu.jinja2' %}
{% set mac_addr = '52:54:00:12:34:59' %}
"""
PR_SET_CHILD_SUBREAPER = 36
SUITE = "tessera"
SEABIOS = "Booting from ROM.."  # what SeaBIOS prints, without a newline, before the hypervisor starts  # the monitor's name in rendered jobs: the LAVA test definition of the cases

stopping = None  # the signal that asked us to stop


def fail(status, msg):
    print(f"{'tessera' if status == 2 else PROG}: {msg}", file=sys.stderr)
    sys.exit(status)


def templates(cache):
    """lava-server's device-type templates, unpacked from its .deb into `cache` on first use."""
    path = os.path.join(cache, TEMPLATES_REL)
    if os.path.exists(os.path.join(path, "qemu.jinja2")):
        return path
    os.makedirs(cache, exist_ok=True)
    print(f"{PROG}: fetching lava-server's device-type templates into {cache}", file=sys.stderr)
    r = subprocess.run(["apt-get", "download", "lava-server"], cwd=cache, capture_output=True, text=True)
    debs = [f for f in os.listdir(cache) if f.startswith("lava-server_") and f.endswith(".deb")]
    if r.returncode or not debs:
        fail(1, f"apt-get download lava-server failed: {r.stderr.strip()}")
    subprocess.run(["dpkg", "-x", os.path.join(cache, sorted(debs)[-1]), cache], check=True)
    if not os.path.exists(os.path.join(path, "qemu.jinja2")):
        fail(1, f"lava-server's package has no {TEMPLATES_REL}/qemu.jinja2")
    return path


def render_device(tpl_dir, job, device_dict):
    env = jinja2.Environment(loader=jinja2.ChoiceLoader([
        jinja2.DictLoader({"device.jinja2": device_dict}),
        jinja2.FileSystemLoader(tpl_dir)]), autoescape=False, trim_blocks=True)
    return env.get_template("device.jinja2").render(**(job.get("context") or {}))


def descendants_of(root):
    """Every process below `root` (/proc children, recursively)."""
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
                out += kids
                todo += kids
        except OSError:
            pass
    return out


def kill_all():
    for pid in descendants_of(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        while os.waitpid(-1, 0):
            pass
    except ChildProcessError:
        pass


def on_signal(signum, frame):
    global stopping
    stopping = signum


def run_lava(cmd, log_path, limit_s):
    """lava-run with its output in the log; SIGTERM to it on our signal or its time limit, then SIGKILL."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        deadline, term_at = time.monotonic() + limit_s, None
        while proc.poll() is None:
            time.sleep(0.1)
            if term_at is None and (stopping or time.monotonic() > deadline):
                term_at = time.monotonic()
                proc.send_signal(signal.SIGTERM)  # lava-run cancels the job and stops QEMU itself
            elif term_at is not None and time.monotonic() - term_at > 10:
                break
    kill_all()  # whatever is left: lava-run if it did not stop, QEMU if it was orphaned
    return proc.returncode


def parse_log(path):
    """The results lines of a lava-run log (one YAML mapping per line)."""
    results = []
    with open(path, errors="replace") as f:
        for line in f:
            if '"lvl": "results"' not in line:
                continue
            try:
                entry = yaml.safe_load(line)
            except yaml.YAMLError:
                continue
            if isinstance(entry, list) and entry:  # a server's log: one YAML list item per line
                entry = entry[0]
            if isinstance(entry, dict) and isinstance(entry.get("msg"), dict):
                results.append(entry["msg"])
    return results


def case_name(r):
    """'cell/test' from the raw test case id 'cell] TEST test', 'cell/workload/metric' from a sample's
    'cell] BENCH workload metric' (docs/lab.md, console protocol)."""
    raw = (r.get("extra") or {}).get("test_case_id", r.get("case", ""))
    for tag, sep in (("] TEST ", "/"), ("] BENCH ", " ")):
        if tag in raw:
            cell, rest = raw.split(tag, 1)
            return f"{cell}/" + "/".join(rest.split(sep))
    return raw


def is_sample(r):
    """A benchmark sample's result (a BENCH line as a LAVA measurement), not a test case."""
    return r.get("definition") == SUITE and r.get("measurement") is not None


def verdict(results, need_cases=True):
    """(cases, problems): our cases and what made the job incomplete, from LAVA's own results. A plan's
    boot or a campaign's experiment prints samples or outcomes, not necessarily cases (need_cases False)."""
    cases = [(case_name(r), r["result"]) for r in results
             if r.get("definition") == SUITE and not is_sample(r)]
    problems = []
    job = [r for r in results if r.get("definition") == "lava" and r.get("case") == "job"]
    if not job:
        problems.append("no job result in the log (lava-run did not finish)")
    elif job[-1].get("result") != "pass":
        j = job[-1]
        why = j.get("error_msg") or (j.get("extra") or {}).get("error_msg") or "no reason given"
        problems.append(f"job {j.get('result')}: {j.get('error_type', '')} error: {why}")
    for r in results:
        if r.get("definition") == "lava" and r.get("case") != "job" and r.get("result") == "fail":
            problems.append(f"LAVA action {r.get('case')} failed")
    if not cases and not problems and need_cases:
        problems.append("no test cases on the console")
    return cases, problems


def needs_cases(job):
    """A system's job must print test cases; a plan's boot (metadata tessera_kind) prints samples."""
    return (job.get("metadata") or {}).get("tessera_kind") not in ("bench-boot", "campaign-experiment",
                                                               "campaign-golden", "campaign-batch")


def job_error_type(results):
    """LAVA's error type of the job result ('Infrastructure', 'Job', 'Test', 'Bug', ...), or ''."""
    job = [r for r in results if r.get("definition") == "lava" and r.get("case") == "job"]
    return str(job[-1].get("error_type", "")) if job else ""


def console_lines(path):
    """The console of a lava-run or server job log, in order: the `"lvl": "target"` lines, and the
    `"lvl": "feedback"` lines of a namespace (what the device printed once the monitor had stopped at the
    end marker: the end marker's own line comes back that way), less the echo of LAVA's own input (the
    `poweroff` it types at the end)."""
    out, typed = [], None
    with open(path, errors="replace") as f:
        for line in f:
            if not any(f'"lvl": "{k}"' in line for k in ("target", "feedback", "input")):
                continue
            text = line[2:] if line.startswith("- ") else line
            try:
                entry = json.loads(text)
            except ValueError:
                try:
                    entry = yaml.safe_load(line)
                except yaml.YAMLError:
                    continue
                if isinstance(entry, list) and entry:
                    entry = entry[0]
            if not isinstance(entry, dict) or not isinstance(entry.get("msg"), str):
                continue
            lvl, msg = entry.get("lvl"), entry["msg"]
            if lvl == "input":
                typed = msg.strip()
            elif lvl == "target" and typed is not None and msg.strip() == typed:
                typed = None  # the echo of what LAVA typed
            elif lvl == "target" or (lvl == "feedback" and "ns" in entry):
                out.append(console_text(msg))
    return out


def console_text(msg):
    """A console line as `tessera run` shows it: LAVA's log escapes double quotes (\\"), and with the
    template's -nographic SeaBIOS's "Booting from ROM.." (no newline) lands before the hypervisor's first
    line."""
    msg = msg.replace('\\"', '"')
    return msg[len(SEABIOS):] if msg.startswith(SEABIOS) else msg


def job_timeout_s(job):
    """The job's own time limit (its `timeouts: job:`), in seconds; LAVA's default, 1 h, without one."""
    limit = (job.get("timeouts") or {}).get("job") or {}
    if not isinstance(limit, dict):
        return 3600
    try:
        s = sum(int(limit.get(unit, 0)) * mult for unit, mult in
                (("seconds", 1), ("minutes", 60), ("hours", 3600), ("days", 86400)))
    except (TypeError, ValueError):
        return 3600
    return s or 3600


def load_job(path):
    try:
        with open(path) as f:
            job = yaml.safe_load(f)
    except OSError as e:
        fail(2, f"{path}: {e.strerror}")
    except yaml.MarkedYAMLError as e:
        m = e.problem_mark
        fail(2, f"{path}:{m.line + 1}:{m.column + 1}: {e.problem}")
    except yaml.YAMLError as e:
        fail(2, f"{path}: {e}")
    if not isinstance(job, dict) or "actions" not in job:
        fail(2, f"{path}:1:1: not a LAVA job definition (no actions)")
    return job


def store(args, source, out):
    """The job's results.json and lava.log into the results database, by `tessera lab lava store`
    (bench/results_db.c is the schema's one writer). Returns a problem, or None."""
    r = subprocess.run([args.tessera, "lab", "lava", "store", "--db", args.db, "--source", source, out],
                       capture_output=True, text=True)
    return None if r.returncode == 0 else f"cannot store the results in {args.db}: {r.stderr.strip()}"


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def report(name, path, job_id, out, results, first_problems, duration, started=None, save=None,
           need_cases=True):
    """Judge one job's results, write results.tsv/json into `out`, store them with `save(out)` (returns a
    problem or None), print; True when all passed and were stored."""
    cases, problems = verdict(results, need_cases)
    problems = first_problems + problems
    with open(os.path.join(out, "results.tsv"), "w") as f:
        f.write("case\tresult\n")
        for c, r in cases:
            f.write(f"{c}\t{r}\n")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"job": name, "file": os.path.abspath(path), "job_id": job_id,
                   "complete": not problems, "problems": problems,
                   "started": started, "ended": now_iso(),
                   "duration_s": round(duration, 3) if isinstance(duration, float) else duration,
                   "cases": [{"case": c, "result": r} for c, r in cases],
                   "measurements": [{"sample": case_name(r), "value": float(r["measurement"]),
                                     "units": r.get("units", "")} for r in results if is_sample(r)]},
                  f, indent=1)
    stored = save(out) if save else None
    for c, r in cases:
        print(f"{name}: {c}: {r.upper()}")
    failed = sum(1 for _, r in cases if r != "pass")
    samples = sum(1 for r in results if is_sample(r))
    health = "Complete" if not problems else "Incomplete (" + "; ".join(problems) + ")"
    took = f"{duration:.1f} s" if isinstance(duration, float) else f"{duration} s"
    print(f"{name}: {len(cases) - failed} passed, {failed} failed, "
          + (f"{samples} samples as LAVA measurements, " if samples else "")
          + f"job {health}, {took}; "
          f"log and results in {out}" + ("" if stored or not save else " and the results database"))
    if stored:
        print(f"{name}: {stored}")
    sys.stdout.flush()
    return not problems and not failed and not stored


def run_job(i, path, args, tpl_dir):
    job = load_job(path)
    name = str(job.get("job_name", os.path.basename(path)))
    job_id = f"{os.getpid()}{i:02d}"  # lava-run copies images to a directory named by it: distinct
    out = os.path.join(args.output, f"{os.path.splitext(os.path.basename(path))[0]}-{job_id}")
    os.makedirs(out, exist_ok=True)
    device = os.path.join(out, "device.yaml")
    with open(device, "w") as f:
        f.write(render_device(tpl_dir, job, DEVICE_DICT))
    log = os.path.join(out, "lava.log")
    t0, started = time.monotonic(), now_iso()
    status = run_lava([args.lava_run, "--job-id", job_id, "--output-dir", os.path.join(out, "lava"),
                       "--device", device, path], log, job_timeout_s(job) + 30)
    first = ["interrupted"] if stopping else [f"lava-run exited with status {status}"] if status else []
    with open(os.path.join(out, "console.txt"), "w") as f:  # the console as `tessera run` shows it
        f.write("".join(line + "\n" for line in console_lines(log)))
    return report(name, path, job_id, out, parse_log(log), first, time.monotonic() - t0, started,
                  lambda o: store(args, "lava-run", o), need_cases=needs_cases(job))


def main():
    p = argparse.ArgumentParser(prog=PROG, description="Run LAVA jobs locally with lava-run.")
    p.add_argument("--templates-cache", required=True, help=argparse.SUPPRESS)
    p.add_argument("--default-output", required=True, help=argparse.SUPPRESS)
    p.add_argument("--tessera", required=True, help=argparse.SUPPRESS)
    p.add_argument("--default-db", required=True, help=argparse.SUPPRESS)
    p.add_argument("-o", "--output", help="where the logs and results go (default: out/lava-runs)")
    p.add_argument("--db", help="the results database (default: out/results.db)")
    p.add_argument("--lava-run", default="/usr/bin/lava-run", help=argparse.SUPPRESS)
    p.add_argument("jobs", nargs="+", metavar="JOB.yaml")
    try:
        args = p.parse_args()
    except SystemExit as e:
        sys.exit(0 if e.code == 0 else 2)
    args.output = args.output or args.default_output
    args.db = args.db or args.default_db
    for j in args.jobs:
        if not os.path.isfile(j):
            fail(2, f"{j}: no such job file")
    if os.geteuid():
        fail(1, "lava-run must run as root (it copies images under /var/lib/lava/dispatcher)")
    if not os.access(args.lava_run, os.X_OK):
        fail(1, f"{args.lava_run} is missing: install lava-dispatcher (build/install-deps.sh)")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    tpl_dir = templates(args.templates_cache)
    ok = True
    for i, j in enumerate(args.jobs):
        if stopping:
            break
        ok = run_job(i, j, args, tpl_dir) and ok
    if stopping:
        sys.exit(130 if stopping == signal.SIGINT else 143)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
