#!/usr/bin/env python3
"""Keep the generated table in docs/hypercalls.md in step with the X-macro.

    hypercall_doc.py GENERATOR DOC STAMP      check (the build runs this): fail if the doc is stale
    hypercall_doc.py GENERATOR DOC --fix      rewrite the table in the doc
"""
import os
import subprocess
import sys

BEGIN = "<!-- BEGIN generated hypercall table: guests/tools/hypercall_table.c; do not edit -->\n"
END = "<!-- END generated hypercall table -->\n"


def main():
    generator, doc, mode = sys.argv[1:4]
    table = subprocess.run([os.path.abspath(generator)], check=True, capture_output=True, text=True).stdout
    text = open(doc, encoding="utf-8").read()
    try:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        sys.exit(f"tessera: {doc}: markers for the generated hypercall table are missing")
    fresh = head + BEGIN + table + END + tail
    if mode == "--fix":
        open(doc, "w", encoding="utf-8").write(fresh)
        return
    if fresh != text:
        sys.exit(f"tessera: {doc}: hypercall table is stale; run "
                 f"python3 guests/tools/hypercall_doc.py out/hypercall_table {doc} --fix")
    open(mode, "w").close()


main()
