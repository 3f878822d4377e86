#!/usr/bin/python3
"""Instruction-level profile of the hypervisor's exit path (docs/performance.md, "Profiling the exit path").

Boots a system under `-icount shift=0,sleep=off -singlestep -d exec,nochain` (one logged line per executed
instruction, each with its pc and hflags), cuts the log into hypervisor segments between guest
instructions (hflags bit 21, HF_GUEST, marks SVM guest mode), maps every pc to its function with the
hypervisor ELF's symbols (`nm`), and prints the instructions per segment by function, averaged over the
segments that match --match (a function that every segment of the wanted kind runs, e.g. the hypercall
dispatcher). The PIT calibration loop is filtered out with -dfilter, or the log grows to gigabytes.

usage: bench/exit_profile.py [--tessera out/tessera] [--elf out/x86_64_hv/tessera-hv.elf64]
                             [--match FUNC] [--skip N] [--log FILE] -- TESSERA-RUN-ARGS...
e.g.   bench/exit_profile.py --match hypercall_dispatch -- --config configs/bench-nullcall.yaml
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

HF_GUEST = 1 << 21
LINE = re.compile(r"Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/[0-9a-f]+\]")


def symbols(elf):
    out = subprocess.run(["nm", "-n", "-S", elf], check=True, capture_output=True, text=True).stdout
    addrs, names, sizes = [], [], {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3:  # no size (assembly without .size)
            f = [f[0], "0", f[1], f[2]]
        if len(f) == 4 and f[2] in "tTwW":
            addrs.append(int(f[0], 16))
            names.append(f[3])
            sizes[f[3]] = (int(f[0], 16), int(f[1], 16))
    return addrs, names, sizes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", default="out/tessera")
    ap.add_argument("--elf", default="out/x86_64_hv/tessera-hv.elf64")
    ap.add_argument("--match", default=None, help="only segments that run this function")
    ap.add_argument("--skip", type=int, default=10, help="matching segments skipped first (warm-up)")
    ap.add_argument("--log", default=None, help="keep the QEMU log here")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--reuse", action="store_true", help="analyse the existing --log, run nothing")
    ap.add_argument("run", nargs="*")
    a = ap.parse_args()
    addrs, names, sizes = symbols(a.elf)
    cal = sizes.get("x86_timer_calibrate")
    dfilter = "0x0..0xffffffffffffffff"
    if cal:
        dfilter = "0x0..%#x,%#x..0xffffffffffffffff" % (cal[0] - 1, cal[0] + cal[1])
    log = a.log or tempfile.mktemp(prefix="tessera-exit-profile.", suffix=".log")
    cmd = [a.tessera, "run"] + a.run + ["--", "-icount", "shift=0,sleep=off", "-singlestep", "-d",
                                          "exec,nochain", "-dfilter", dfilter, "-D", log]
    print("# " + " ".join(cmd), file=sys.stderr)
    st = 0 if a.reuse else subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
    if st:
        print("exit_profile: the run failed (status %d)" % st, file=sys.stderr)
        return 1
    lo, hi = addrs[0], addrs[-1] + 0x10000

    def fn(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return names[i] if i >= 0 else "?"

    totals = collections.Counter()
    segs = 0
    skipped = 0
    seg = []
    with open(log, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            pc, flags = int(m.group(1), 16), int(m.group(2), 16)
            if flags & HF_GUEST:
                if seg:
                    c = collections.Counter(fn(p) for p in seg)
                    if a.match is None or a.match in c:
                        if skipped < a.skip:
                            skipped += 1
                        else:
                            totals.update(c)
                            segs += 1
                seg = []
            elif lo <= pc < hi:
                seg.append(pc)
    if not a.log:
        os.unlink(log)
    if not segs:
        print("exit_profile: no matching hypervisor segment", file=sys.stderr)
        return 1
    total = sum(totals.values())
    print("%d segments, %.1f hypervisor instructions each (guest's VMMCALL/VMRUN not included)" %
          (segs, total / segs))
    for name, n in totals.most_common(a.top):
        print("%8.1f  %s" % (n / segs, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
