#!/usr/bin/env python3
"""check-references.py — every document, section and file a comment names exists.

Comments in the code point readers to docs ("docs/ENGINE.md, \"Refusals\"",
"ARCHITECTURE.md \"Time\"") and to other files ("tests/unit/engine/test_x.c").
This reads every source file of the repository and fails on a name that does
not exist: a document that is not in the repository, a section (a quoted
title after the document's name) that is not one of its headings, a file path
that is not there.  A document named without its folder is looked for in docs/, then at the top,
then beside the file that names it.

    tools/check-references.py SOURCE_DIR        exit 0: all found; 1: lists what is not
"""
import os
import re
import sys

SOURCES = ('.c', '.h', '.l', '.y', '.py', '.sh', '.mjs', '.build')
FOLDERS = ('base', 'calendar', 'dsl', 'storage', 'engine', 'office', 'api', 'tools', 'tests')
DOC = re.compile(r'((?:[\w.-]+/)*[A-Z][\w-]*\.md)(?:[,:]?\s*\(?\s*"([^"\n]{2,60})")?')
PATH = re.compile(r'\b((?:base|calendar|dsl|storage|engine|api|tools|tests|docs|workflows)/[\w./-]+\.(?:c|h|py|sh|mjs|md|txt|l|y))\b')


def headings(path, cache={}):
    if path not in cache:
        found = set()
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.startswith('#'):
                    found.add(line.lstrip('#').strip().strip('`').lower())
                bold = re.match(r'\*\*([^*]+?)\.?\*\*', line)
                if bold:  # a paragraph's title, **Like this.**
                    found.add(bold.group(1).strip().lower())
        cache[path] = found
    return cache[path]


def resolve_doc(root, name, where):
    for candidate in (os.path.join(root, name), os.path.join(root, 'docs', name),
                      os.path.join(os.path.dirname(where), name)):
        if os.path.isfile(candidate):
            return candidate
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    problems = []
    for folder in FOLDERS:
        for dirpath, dirnames, files in os.walk(os.path.join(root, folder)):
            dirnames[:] = [d for d in dirnames if d not in ('node_modules', 'golden') and not d.startswith('build')]
            for fname in files:
                if not fname.endswith(SOURCES):
                    continue
                path = os.path.join(dirpath, fname)
                rel = os.path.relpath(path, root)
                if rel == 'tools/check-references.py':
                    continue
                with open(path, encoding='utf-8', errors='replace') as f:
                    for n, line in enumerate(f, 1):
                        for m in DOC.finditer(line):
                            name, section = m.group(1), m.group(2)
                            doc = resolve_doc(root, name, path)
                            if doc is None:
                                problems.append('%s:%d: names %s, which is not in the repository' % (rel, n, name))
                            elif section and section.lower() not in headings(doc) and \
                                    not any(section.lower() in h for h in headings(doc)):
                                problems.append('%s:%d: names %s "%s": %s has no such heading' %
                                                (rel, n, name, section, os.path.relpath(doc, root)))
                        for m in PATH.finditer(line):
                            target = m.group(1)
                            if '*' in target or '<' in target:
                                continue
                            stem, ext = os.path.splitext(target)
                            if os.path.exists(os.path.join(root, target)) or \
                                    os.path.exists(os.path.join(os.path.dirname(path), target)) or \
                                    (ext == '.h' and os.path.exists(os.path.join(root, stem + '.y'))):
                                continue  # beside the file (meson), or generated from a grammar
                            if True:
                                problems.append('%s:%d: names %s, which does not exist' % (rel, n, target))
    for p in problems:
        print(p)
    print('references: %d problem(s)' % len(problems) if problems else 'references: every document, section and file named exists')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
