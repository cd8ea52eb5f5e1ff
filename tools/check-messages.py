#!/usr/bin/python3
"""check-messages.py — every text the checkers can write has its Vietnamese.

The procedure language (dsl/) and the calendars (calendar/) write their
findings in English in the code and report them through a table of
Vietnamese (dsl/messages_vi.c, calendar/messages_vi.c; base/diag.h,
mc_diag_text).  This reads the code and checks that:
  - every string literal handed to a reporting call (ERR, ERR_AT, REPORT,
    dsl__error, dsl__error_at, cal__error, mc_diag_at, and the snprintf of a
    hint) has a row in its module's table;
  - so do the fragments the code puts into those texts from tables (the
    meanings of settings, the kinds of values, the weekday names);
  - each row's Vietnamese has the same conversions as its English (in order,
    or as %N$ naming every argument), and no English is listed twice.
Usage: check-messages.py [SOURCE_ROOT]; exit status 1 on any failure.
"""
import glob
import os
import re
import sys

SIMPLE_ESC = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
              "\\": "\\", "'": "'", '"': '"', "?": "?"}


def unescape(body):
    """The bytes of a C string literal's body (UTF-8 source), as a str."""
    out = bytearray()
    i = 0
    raw = body.encode("utf-8")
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(raw):
            raise ValueError("dangling backslash in %r" % body)
        e = chr(raw[i])
        if e in SIMPLE_ESC:
            out += SIMPLE_ESC[e].encode()
            i += 1
        elif e == "x":
            m = re.match(rb"[0-9a-fA-F]+", raw[i + 1:])
            if not m:
                raise ValueError("bad \\x in %r" % body)
            out.append(int(m.group(0), 16) & 0xFF)
            i += 1 + len(m.group(0))
        elif e in "01234567":
            m = re.match(rb"[0-7]{1,3}", raw[i:])
            out.append(int(m.group(0), 8) & 0xFF)
            i += len(m.group(0))
        else:
            raise ValueError("unknown escape \\%s in %r" % (e, body))
    return out.decode("utf-8", errors="surrogateescape")


TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<num>[0-9]+)
  | (?P<punct>.)
''', re.S | re.X)


def tokens(text):
    pos = 0
    line = 1
    while pos < len(text):
        m = TOKEN.match(text, pos)
        kind = m.lastgroup
        val = m.group(kind)
        if kind not in ("ws", "comment"):
            yield kind, val, line
        line += val.count("\n")
        pos = m.end()


def parse_table(path, name):
    """[(en, vi, line)] of the array `name` in the C file `path`."""
    with open(path, encoding="utf-8") as f:
        toks = list(tokens(f.read()))
    # find: NAME [ ] = {
    start = None
    for i, (k, v, _) in enumerate(toks):
        if k == "ident" and v == name and toks[i + 1][1] == "[" and toks[i + 2][1] == "]" \
                and toks[i + 3][1] == "=" and toks[i + 4][1] == "{":
            start = i + 5
            break
    if start is None:
        raise SystemExit("%s: no array %s" % (path, name))
    rows, errors = [], []
    i = start
    ended = False

    def strings_at(j):
        parts = []
        while toks[j][0] == "str":
            parts.append(unescape(toks[j][1][1:-1]))
            j += 1
        return ("".join(parts) if parts else None), j

    while i < len(toks):
        k, v, line = toks[i]
        if v == "}":
            break
        if v != "{":
            errors.append("%s:%d: expected a row, got %r" % (path, line, v))
            i += 1
            continue
        i += 1
        if toks[i][1] == "NULL":
            if toks[i + 1][1] == "," and toks[i + 2][1] == "NULL" and toks[i + 3][1] == "}":
                ended = True
                i += 4
            else:
                errors.append("%s:%d: malformed end row" % (path, line))
                i += 1
        else:
            en, i = strings_at(i)
            if en is None or toks[i][1] != ",":
                errors.append("%s:%d: malformed row" % (path, line))
                while toks[i][1] != "}":
                    i += 1
                i += 1
            else:
                vi, i = strings_at(i + 1)
                if vi is None or toks[i][1] != "}":
                    errors.append("%s:%d: malformed row" % (path, line))
                    while toks[i][1] != "}":
                        i += 1
                    i += 1
                else:
                    i += 1
                    if ended:
                        errors.append("%s:%d: a row after {NULL, NULL}" % (path, line))
                    rows.append((en, vi, line))
        if toks[i][1] == ",":
            i += 1
    if not ended:
        errors.append("%s: the table does not end with {NULL, NULL}" % path)
    return rows, errors


CONV = re.compile(r"""%
    (?:(?P<pos>[1-9][0-9]*)\$)?
    (?P<flags>[-+ #0']*)
    (?P<width>\*(?:[1-9][0-9]*\$)?|[0-9]+)?
    (?:\.(?P<prec>\*(?:[1-9][0-9]*\$)?|[0-9]*))?
    (?P<len>hh|h|ll|l|L|q|j|z|t)?
    (?P<conv>[diouxXeEfFgGaAcspn%])""", re.X)

CLASS = {"d": "int", "i": "int", "o": "unsigned", "u": "unsigned", "x": "unsigned", "X": "unsigned",
         "c": "int", "s": "string", "p": "pointer", "n": "int*"}
for c in "eEfFgGaA":
    CLASS[c] = "double"


def conversions(fmt):
    """(args, positional): args is a list of (argument number, type) in the
    order the arguments are consumed; positional says %N$ was used."""
    args = []
    seq = 0
    pos_used = nonpos_used = False
    i = 0
    while True:
        j = fmt.find("%", i)
        if j < 0:
            break
        m = CONV.match(fmt, j)
        if not m:
            raise ValueError("bad conversion at %r" % fmt[j:j + 8])
        i = m.end()
        if m.group("conv") == "%":
            continue
        items = []  # (explicit pos or None, type)
        for part in ("width", "prec"):
            p = m.group(part)
            if p and p.startswith("*"):
                items.append((int(p[1:-1]) if len(p) > 1 else None, "int(*)"))
        t = (m.group("len") or "") + CLASS[m.group("conv")]
        items.append((int(m.group("pos")) if m.group("pos") else None, t))
        for p, t in items:
            if p is None:
                nonpos_used = True
                seq += 1
                args.append((seq, t))
            else:
                pos_used = True
                args.append((p, t))
    if pos_used and nonpos_used:
        raise ValueError("mixes %N$ and plain conversions")
    return args, pos_used


def compare(en, vi):
    """None when vi's conversions fit en's, else why not."""
    try:
        ea, epos = conversions(en)
    except ValueError as e:
        return "en: %s" % e
    try:
        va, vpos = conversions(vi)
    except ValueError as e:
        return "vi: %s" % e
    if epos:
        return "en uses %N$"
    en_types = [t for _, t in ea]
    if not vpos:
        if [t for _, t in va] != en_types:
            return "conversions %s in en, %s in vi" % (en_types, [t for _, t in va])
        return None
    want = {n: t for n, t in ea}
    got = {}
    for n, t in va:
        if n not in want:
            return "vi names argument %d, en has %d" % (n, len(ea))
        if want[n] != t:
            return "argument %d is %s in en, %s in vi" % (n, want[n], t)
        got[n] = t
    missing = sorted(set(want) - set(got))
    if missing:
        return "vi does not use argument(s) %s (glibc needs every one)" % missing
    return None


CALLS = {'ERR', 'ERR_AT', 'REPORT', 'dsl__error', 'dsl__error_at', 'cal__error', 'mc_diag_at', 'horizon_warn'}
def lits(src):
    # returns list of (name, [literal strings]) for calls
    out=[]
    i=0;n=len(src)
    idre=re.compile(r'[A-Za-z_][A-Za-z0-9_]*')
    while i<n:
        m=idre.match(src,i)
        if not m:
            c=src[i]
            if c=='"':  # skip string
                j=i+1
                while src[j]!='"':
                    j+= 2 if src[j]=='\\' else 1
                i=j+1; continue
            if src.startswith('/*',i): i=src.index('*/',i)+2; continue
            if src.startswith('//',i): i=src.index('\n',i); continue
            i+=1; continue
        name=m.group(0); i=m.end()
        j=i
        while j<n and src[j] in ' \t\n': j+=1
        if j<n and src[j]=='(' and (name in CALLS or name=='snprintf'):
            # parse args to matching paren
            depth=0;k=j;args=[];cur=[];strs=[]
            while True:
                c=src[k]
                if c=='"':
                    e=k+1
                    while src[e]!='"':
                        e+= 2 if src[e]=='\\' else 1
                    cur.append(('S',src[k+1:e])); k=e+1; continue
                if c in '([{': depth+=1
                elif c in ')]}':
                    depth-=1
                    if depth==0: args.append(cur); break
                elif c==',' and depth==1: args.append(cur); cur=[]; k+=1; continue
                if c not in ' \t\n': cur.append(('C',c))
                k+=1
            if name=='snprintf':
                first=''.join(x[1] for x in args[0] if x[0]=='C').lstrip('(') if args else ''
                if 'hint' not in first and first not in ('buf', 'out'): i=k+1; continue
            for a in args:
                s=[x[1] for x in a if x[0]=='S']
                if s and all(x[0]=='S' or x[1] in '' for x in a):
                    out.append(''.join(s))
                elif s:
                    # literal within expression (ternary): take each
                    for x in s: out.append(x)
            i=k+1
    return out

# Literals that are no words: pieces, and formats of a name or a date.
JUNK = {"%s", "es", "", "\\n", "?", '\\"%.*s\\"', "%02d/%02d/%04d"}

MODULES = {
    "dsl": ("dsl/messages_vi.c", "dsl__messages_vi",
            ["dsl/*.c", "dsl/lexer.l", "dsl/parser.y"]),
    "calendar": ("calendar/messages_vi.c", "cal__messages_vi", ["calendar/*.c", "calendar/*.h"]),
    "check": ("tools/cmd_check.c", "check_messages_vi", ["tools/cmd_check.c"]),
}


def fragments(root, module):
    """Texts put into messages from tables rather than calls."""
    out = []
    if module == "dsl":
        for f in glob.glob(os.path.join(root, "dsl/*.c")):
            text = open(f, encoding="utf-8").read()
            out += [unescape(s) for s in re.findall(
                r'\{"[a-z_]+", DSL_VAL_[A-Z]+, (?:true|false), [A-Za-z_]+, "((?:[^"\\]|\\.)*)"\}', text)]
            m = re.search(r'\*const names\[\] = \{(.*?)\};', text, re.S)
            if m and "value_kind_name" not in text:
                out += [unescape(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)) if s != "?"]
    elif module == "calendar":
        text = open(os.path.join(root, "calendar/read.h"), encoding="utf-8").read()
        m = re.search(r"weekday_names\[7\]\s*=\s*\{(.*?)\};", text, re.S)
        out += [unescape(s) for s in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))]
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    failures = []
    total = 0
    for module, (table_file, name, patterns) in MODULES.items():
        path = os.path.join(root, table_file)
        rows, errors = parse_table(path, name)
        failures += errors
        seen = {}
        for en, vi, line in rows:
            if en in seen:
                failures.append("%s:%d: \"%s\" is already the row of line %d" % (table_file, line, en, seen[en]))
            seen[en] = line
            why = compare(en, vi)
            if why:
                failures.append("%s:%d: \"%s\": %s" % (table_file, line, en, why))
        wanted = []
        for pattern in patterns:
            for f in sorted(glob.glob(os.path.join(root, pattern))):
                if f.endswith("messages_vi.c") or (module != "check" and f.endswith("cmd_check.c")):
                    continue
                for lit in lits(open(f, encoding="utf-8").read()):
                    if lit not in JUNK:
                        wanted.append((os.path.relpath(f, root), unescape(lit)))
        wanted += [("(a table of texts)", w) for w in fragments(root, module)]
        for where, en in wanted:
            total += 1
            if en not in seen:
                failures.append("%s: \"%s\" has no row in %s" % (where, en, table_file))
    for f in failures:
        print("check-messages: " + f)
    if failures:
        print("check-messages: %d problem(s); each text a checker writes needs its Vietnamese row" % len(failures))
        return 1
    print("check-messages: %d texts of the checkers, each with its Vietnamese" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
