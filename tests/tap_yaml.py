#!/usr/bin/env python3
# Load every YAML diagnostic block of a TAP stream on standard input with
# PyYAML's safe loader and print each as one line of JSON, so check_reports
# can compare the decoded strings with the model.  Exit 1 if a block does
# not load.
import json
import sys

import yaml


def main():
    block = None
    for line in sys.stdin.read().split("\n"):
        if line == "  ---":
            block = []
        elif line == "  ..." and block is not None:
            print(json.dumps(yaml.safe_load("\n".join(block))))
            block = None
        elif block is not None:
            if not line.startswith("  "):
                sys.exit("line of a YAML block not indented 2 spaces: %r" % line)
            block.append(line[2:])
    if block is not None:
        sys.exit("YAML block not closed")


main()
