#!/usr/bin/env python3
"""Run a command given on the command line (GN actions need a script); exit with its status."""
import subprocess
import sys

sys.exit(subprocess.call(sys.argv[1:]))
