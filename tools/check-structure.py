#!/usr/bin/python3
"""check-structure.py — the structure check of the test command (issue 14).

Within each folder given (base calendar dsl storage engine), from the symbols
of the object files in the folder's static library:
  (a) no two files call into each other, directly or round a cycle: a file
      calls only files "below" it (the files of a folder are in layers);
  (b) no .c file of the folder is over --max-lines lines (800).
The exceptions of today are in the allowlist (tools/structure-allow.txt), one
line each, with the reason; anything else fails, and so does a line of the
allowlist that no longer holds (remove it, or write it as it now is).

    check-structure.py --source DIR --allow FILE [--max-lines N] [--graph]
                       FOLDER ARCHIVE [FOLDER ARCHIVE ...]

meson passes each folder's static library (tests/meson.build): the objects of
a folder are the archive's members built in that folder (an archive may hold
other libraries' objects too: dsl's holds base's; they are left out).  "a calls b" means a's object has an undefined global
symbol that b's object defines.  Generated sources are named after their
source (dsl/lexer.l, dsl/parser.y).  --graph prints every edge.
"""
import argparse
import os
import subprocess
import sys

GENERATED = "meson-generated_.._"


def members(folder, archive, source):
    """{object member: file name from the source root} for the folder's objects,
    and the nm -P lines of those members."""
    out = subprocess.run(["nm", "-A", "-P", "-g", archive], check=True, capture_output=True,
                         text=True).stdout
    archive_dir = os.path.realpath(os.path.dirname(archive))
    names, lines = {}, []
    for line in out.splitlines():
        head, _, rest = line.partition("]: ")
        if not rest or "[" not in head:
            continue
        member = head[head.index("[") + 1:]
        if member not in names:
            names[member] = file_of(folder, member, archive_dir, source)
        if names[member] is not None:
            lines.append((member, rest.split()))
    return {m: n for m, n in names.items() if n is not None}, lines


def file_of(folder, member, archive_dir, source):
    """The source file of an archive member, or None when it is not the folder's."""
    if "/" in member:
        # A thin archive: nm names the object by its path as nm found it (from
        # where the archive was named); the object lies in <folder>/<lib>.p/.
        path = next((p for p in (member, os.path.join(archive_dir, member))
                     if os.path.exists(p)), None)
        if path is None or \
                os.path.dirname(os.path.dirname(os.path.realpath(path))) != archive_dir:
            return None
    name = os.path.basename(member)
    if name.endswith(".o"):
        name = name[:-2]
    if name.startswith(GENERATED):
        stem = os.path.splitext(name[len(GENERATED):])[0]
        for ext in (".l", ".y"):
            if os.path.exists(os.path.join(source, folder, stem + ext)):
                return f"{folder}/{stem}{ext}"
        return f"{folder}/{name[len(GENERATED):]}"
    if "/" not in member and not os.path.exists(os.path.join(source, folder, name)):
        return None  # a regular archive holding another folder's object
    return f"{folder}/{name}"


def graph(folder, archive, source):
    """{file: {file it calls: [symbols]}} among the folder's files."""
    names, lines = members(folder, archive, source)
    defined, undefined = {}, []
    for member, fields in lines:
        if len(fields) < 2:
            continue
        sym, kind = fields[0], fields[1]
        if kind in ("U", "w", "v"):
            undefined.append((names[member], sym))
        else:
            defined.setdefault(sym, names[member])
    edges = {n: {} for n in names.values()}
    for user, sym in undefined:
        owner = defined.get(sym)
        if owner is not None and owner != user:
            edges[user].setdefault(owner, []).append(sym)
    return edges


def cycles(edges):
    """The groups of two or more files that reach one another (Tarjan)."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(tuple(sorted(group)))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(groups)


def read_allow(path):
    """[(kind, files, reason, line number)] from the allowlist."""
    entries = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            what, sep, reason = line.partition(": ")
            words = what.split()
            if not sep or not reason.strip() or len(words) < 2 or words[0] not in ("cycle", "long") \
                    or (words[0] == "long" and len(words) != 2) \
                    or (words[0] == "cycle" and len(words) < 3):
                sys.exit(f"{path}:{no}: expected 'cycle FILE FILE...: reason' or "
                         f"'long FILE: reason'")
            entries.append((words[0], tuple(sorted(words[1:])), reason.strip(), no))
    return entries


def shortest_round(group, edges):
    """The shortest way round the group: [a, b, ..., a]."""
    best = None
    for start in group:
        back, queue, last = {start: None}, [start], None
        while queue and last is None:
            v = queue.pop(0)
            for w in sorted(edges[v]):
                if w == start:
                    last = v
                    break
                if w in group and w not in back:
                    back[w] = v
                    queue.append(w)
        if last is not None:
            path = [last]
            while path[0] != start:
                path.insert(0, back[path[0]])
            path.append(start)
            if best is None or len(path) < len(best):
                best = path
    return best


def describe(group, edges):
    """One way round the group, then the calls among its files, one line each."""
    out = ["    round: " + " -> ".join(shortest_round(group, edges))]
    for a in group:
        for b in sorted(edges[a]):
            if b in group:
                syms = sorted(set(edges[a][b]))
                more = f" (+{len(syms) - 3} more)" if len(syms) > 3 else ""
                out.append(f"      {a} -> {b}: {', '.join(syms[:3])}{more}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", required=True, help="the source root")
    ap.add_argument("--allow", required=True, help="the allowlist")
    ap.add_argument("--max-lines", type=int, default=800)
    ap.add_argument("--graph", action="store_true", help="print every call between files")
    ap.add_argument("pairs", nargs="+", metavar="FOLDER ARCHIVE")
    args = ap.parse_args()
    if len(args.pairs) % 2:
        ap.error("folders and archives come in pairs")
    allow = read_allow(args.allow)
    allow_name = os.path.relpath(os.path.realpath(args.allow), os.path.realpath(args.source))
    allowed_cycles = {e[1]: e for e in allow if e[0] == "cycle"}
    allowed_long = {e[1][0]: e for e in allow if e[0] == "long"}
    used = set()
    failures = 0

    for folder, archive in zip(args.pairs[0::2], args.pairs[1::2]):
        edges = graph(folder, archive, args.source)
        if not edges:
            print(f"{folder}: no object files found in {archive}")
            failures += 1
            continue
        groups = cycles(edges)
        ncalls = sum(len(v) for v in edges.values())
        print(f"{folder}: {len(edges)} files, {ncalls} calls between them, "
              f"{len(groups)} group(s) calling into each other")
        if args.graph:
            for a in sorted(edges):
                for b in sorted(edges[a]):
                    print(f"    {a} -> {b}: {' '.join(sorted(set(edges[a][b])))}")
        for group in groups:
            entry = allowed_cycles.get(group)
            if entry:
                used.add(entry[3])
                print(f"  allowed ({allow_name}:{entry[3]}): {' '.join(group)}: {entry[2]}")
                continue
            failures += 1
            print(f"  FAIL: these files call into each other: {' '.join(group)}")
            print("\n".join(describe(group, edges)))
            print("    a file may call only files below it: move what both need into a file "
                  "below both (storage/store-int.h shows layers)")

        sources = sorted(f for f in os.listdir(os.path.join(args.source, folder))
                         if f.endswith(".c"))
        for name in sources:
            path = f"{folder}/{name}"
            with open(os.path.join(args.source, path), "rb") as f:
                n = f.read().count(b"\n")
            entry = allowed_long.get(path)
            if entry:
                used.add(entry[3])
            if n <= args.max_lines:
                continue
            if entry:
                print(f"  allowed ({allow_name}:{entry[3]}): {path} has {n} lines: {entry[2]}")
            else:
                failures += 1
                print(f"  FAIL: {path} has {n} lines, over {args.max_lines}: cut it by noun")

    folders = set(args.pairs[0::2])
    for kind, files, reason, no in allow:
        if files[0].split("/")[0] not in folders:
            continue
        if kind == "cycle" and no not in used:
            failures += 1
            print(f"FAIL: {allow_name}:{no}: the files {' '.join(files)} no longer call into "
                  f"each other as one group: remove the line, or write the group as it now is")
        if kind == "long":
            path = os.path.join(args.source, files[0])
            if not os.path.exists(path):
                failures += 1
                print(f"FAIL: {allow_name}:{no}: {files[0]} does not exist: remove the line, or "
                      f"name the file where it went")
                continue
            with open(path, "rb") as f:
                n = f.read().count(b"\n")
            if n <= args.max_lines:
                failures += 1
                print(f"FAIL: {allow_name}:{no}: {files[0]} has {n} lines, not over "
                      f"{args.max_lines}: remove the line")

    print(f"structure: {failures} problem(s)" if failures else "structure: OK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
