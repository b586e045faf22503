#!/usr/bin/env python3
"""Compares ocigate's reading of configs with runc's (tests/cli/differential.bats).

Usage: compare.py OCIGATE_VIEW RUNC_VIEW POLICY CONFIG...

For each config, ocigate_view (ocigate's loader and rules, then the fields
they judge) and runc_view (Go's encoding/json into the runtime-spec types,
as runc decodes config.json) each print their reading or refuse.  A config
passes when ocigate refuses it, or runc refuses it (no container runs), or
both read it and the readings are equal.  One line per config:

    CLASS NAME [detail]

CLASS is ocigate-refuses, runc-refuses, same, or, failing, DIFFERENT (both
read it, differently) and VIEW-ERROR (ocigate_view could not read a field
the rules let through).  Exit 1 when any config fails.
"""
import os
import subprocess
import sys


def run(argv):
    p = subprocess.run(argv, capture_output=True)
    return p.returncode, p.stdout.decode("ascii", "replace").strip(), p.stderr.decode("utf-8", "replace").strip()


def main():
    oview, rview, policy, configs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    failed = 0
    for c in configs:
        name = os.path.basename(c)
        orc, oout, oerr = run([oview, policy, c])
        rrc, rout, rerr = run([rview, c])
        if orc not in (0, 2, 3) or rrc not in (0, 2):
            print(f"VIEW-ERROR {name} ocigate_view={orc} runc_view={rrc}: {oerr} {rerr}")
            failed += 1
        elif orc == 2:
            print(f"ocigate-refuses {name} {oerr.splitlines()[-1] if oerr else ''}")
        elif rrc == 2:
            print(f"runc-refuses {name} {rerr.splitlines()[-1] if rerr else ''}")
        elif orc == 3:
            print(f"VIEW-ERROR {name} {oerr}")
            failed += 1
        elif oout != rout:
            print(f"DIFFERENT {name}")
            print(f"  ocigate: {oout}")
            print(f"  runc:    {rout}")
            failed += 1
        else:
            print(f"same {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
