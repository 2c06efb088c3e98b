#!/usr/bin/python3
"""check-includes.py -- fail on an include cycle among lib/'s modules.

    /usr/bin/python3 tools/check-includes.py [DIR]	(DIR: lib, the default)

A module is NAME.c (or NAME.cc) and NAME.h; a file NAME_PART.c or
NAME_PART.h belongs to module NAME when NAME.h exists (store_guard.c and
store_impl.h are parts of store).  Module X depends on module Y when a file
of X includes Y.h ("..." includes only; <...> are other projects').  The
modules must form a graph without cycles, so that each one can be read,
tested and replaced on top of those it names.  Each cycle found is printed
with the includes that close it, and the exit status is 1; 0 when there is
none.  ARCHITECTURE.md's module table lists the modules.
"""

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SOURCES = (".c", ".cc", ".h")


def module_of(stem, headers):
    """The module of file stem: its longest proper _-prefix with a
    header, else its own."""
    parts = stem.split("_")
    for n in range(len(parts) - 1, 0, -1):
        name = "_".join(parts[:n])
        if name in headers:
            return name
    return stem


def graph(top):
    """{module: {module it includes: "file includes header"}}."""
    files = sorted(f for f in os.listdir(top) if f.endswith(SOURCES))
    headers = {f[:-2] for f in files if f.endswith(".h")}
    edges = {}
    for f in files:
        src = module_of(os.path.splitext(f)[0], headers)
        edges.setdefault(src, {})
        with open(os.path.join(top, f), encoding="utf-8") as fh:
            included = INCLUDE.findall(fh.read())
        for h in included:
            stem = os.path.splitext(os.path.basename(h))[0]
            if not h.endswith(".h") or stem not in headers:
                continue
            dst = module_of(stem, headers)
            if dst != src:
                edges[src].setdefault(dst, "%s includes %s" % (f, h))
    return edges


def cycles(edges):
    """One cycle (a list of modules) per strongly connected component."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def connect(v):
        # Tarjan's algorithm; lib/ is a few dozen modules deep at most.
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, {})):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(path_in(edges, comp, v))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return found


def path_in(edges, comp, start):
    """A shortest cycle through start inside comp: start, ..., start."""
    prev, queue = {start: None}, [start]
    for v in queue:
        for w in sorted(edges.get(v, {})):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in comp and w not in prev:
                prev[w] = v
                queue.append(w)
    raise AssertionError("no cycle through " + start)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "lib"
    edges = graph(top)
    found = cycles(edges)
    for c in found:
        print("include cycle in %s/: %s" % (top, " -> ".join(c)))
        for a, b in zip(c, c[1:]):
            print("    %s: %s" % (a, edges[a][b]))
    if found:
        print("%d include cycle(s): move what the modules share into a "
              "module of its own (ARCHITECTURE.md)" % len(found))
        return 1
    print("%s/: %d modules, no include cycle" % (top, len(edges)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
