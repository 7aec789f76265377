#!/usr/bin/env python3
"""The layers' dependency line, checked on every #include of the tree.

    cli -> container -> executor/runtime -> executor/init -> executor/common -> compiler -> schema

A folder may include its own headers and those of the folders after it on the line, never one
before it. A header named internal.h, spawner.h or *_internal.h belongs to its folder: only files of
that folder include it. Tests (tests/) may include anything. Exit status 1 with one line per
violation: FILE:LINE: "INCLUDE": WHY.

Usage: layering_test.py SOURCE_DIR            (check the tree)
       layering_test.py --self-test           (a violation of each kind must be caught)
"""
import os
import re
import sys
import tempfile

LAYERS = ["cli", "container", "executor/runtime", "executor/init", "executor/common", "compiler", "schema"]
PRIVATE = re.compile(r"(^|/)(internal|spawner|[a-z_]+_internal)\.h$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    """The layer a repository-relative path belongs to, or None (tests, generated files)."""
    for layer in LAYERS:
        if path == layer or path.startswith(layer + "/"):
            return layer
    return None


def check(root):
    problems = []
    for layer in LAYERS:
        base = os.path.join(root, layer)
        if not os.path.isdir(base):
            problems.append(f"{layer}: folder missing")
            continue
        for name in sorted(os.listdir(base)):
            if not name.endswith((".h", ".cc")):
                continue
            rel = f"{layer}/{name}"
            with open(os.path.join(base, name), encoding="utf-8") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    target = layer_of(inc)
                    if target is None:
                        if not os.path.exists(os.path.join(root, inc)) and "/" in inc:
                            problems.append(f'{rel}:{lineno}: "{inc}": no such file')
                        continue
                    if LAYERS.index(target) < LAYERS.index(layer):
                        problems.append(f'{rel}:{lineno}: "{inc}": {layer} may not include {target} (the line goes '
                                        f'{" -> ".join(LAYERS)})')
                    elif PRIVATE.search(inc) and target != layer:
                        problems.append(f'{rel}:{lineno}: "{inc}": a header private to {target}')
    return problems


def self_test():
    """Each kind of violation is caught, and a clean tree passes."""
    with tempfile.TemporaryDirectory() as root:
        for layer in LAYERS:
            os.makedirs(os.path.join(root, layer))
        def write(rel, text):
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        write("schema/a.h", "#pragma once\n")
        write("compiler/b.cc", '#include "schema/a.h"\n')
        write("executor/init/internal.h", "#pragma once\n")
        write("executor/init/c.cc", '#include "executor/init/internal.h"\n#include "compiler/b.h"\n')
        assert check(root) == [], check(root)
        write("executor/common/d.cc", '#include "executor/runtime/spawn.h"\n')
        write("executor/runtime/e.cc", '#include "executor/init/internal.h"\n')
        problems = check(root)
        assert len(problems) == 2, problems
        assert any("executor/common may not include executor/runtime" in p for p in problems), problems
        assert any("private to executor/init" in p for p in problems), problems
    print("self-test: ok")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"layering: {len(LAYERS)} layers, no include against the line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
