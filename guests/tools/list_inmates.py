#!/usr/bin/env python3
"""Print the label of every inmate: each guest_image("NAME") in a guests/DIR/BUILD.gn, one per line.

guests/BUILD.gn runs this (exec_script) so that its group("guests") builds every inmate without a list to
keep: adding guests/mine/BUILD.gn is the whole step. gn re-runs it when guests/ or one of its directories
changes (a directory or a BUILD.gn added or removed: their mtimes are dependencies of the build files).
With --dirs it prints those directories.
"""
import os
import re
import sys

GUEST_IMAGE = re.compile(r'^\s*guest_image\(\s*"([^"]+)"\s*\)', re.MULTILINE)


def main():
    guests = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == "--dirs":
        # the directories whose mtime changes when a BUILD.gn appears in them
        for d in sorted(os.listdir(guests)):
            if os.path.isdir(os.path.join(guests, d)):
                print(d)
        return
    for d in sorted(os.listdir(guests)):
        build = os.path.join(guests, d, "BUILD.gn")
        if not os.path.isfile(build):
            continue
        with open(build, encoding="utf-8") as f:
            names = GUEST_IMAGE.findall(f.read())
        for name in names:
            print(f"//guests/{d}:{name}")


if __name__ == "__main__":
    main()
