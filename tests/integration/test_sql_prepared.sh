#!/usr/bin/env bash
# test_sql_prepared - SQL only through prepared statements: no statement text
# is ever built from data. A static check of the C sources:
#  - only mailer/lib/ledger.c talks to SQLite (includes sqlite3.h);
#  - every sqlite3_exec / ledger_exec / sqlite3_prepare* call anywhere in
#    mailer/ takes its SQL from a string literal or from one of ledger.c's
#    static const tables of literals (migrations, stmt_sql, stmt_sql2), or a
#    function-local static const char sql[] = literal; prepare_once's callers too;
#  - no formatting function (snprintf, buf_addf, buf_setf, sqlite3_mprintf,
#    ...) in mailer/ writes text that looks like SQL;
#  - sqlite3_mprintf / sqlite3_vmprintf / sqlite3_snprintf are not used.
# Values reach SQLite only through sqlite3_bind_*. The checker is tested on
# doctored copies of ledger.c that build SQL from data: it must catch them.
set -euo pipefail
: "${SOURCE_DIR:?}"

check() { # DIR: 0 when clean, 1 (with the findings on stderr) otherwise
    /usr/bin/python3 - "$1" <<'PY'
import os, re, sys
root = sys.argv[1]
files = []
for d, _, names in os.walk(root):
    files += [os.path.join(d, n) for n in names if n.endswith(".c") or n.endswith(".h")]
bad = []

def strip_comments(s):
    s = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), s, flags=re.S)
    return re.sub(r"//[^\n]*", "", s)

def args_of(text, start):
    """Split the argument list starting at text[start] == '('."""
    depth, i, cur, out, instr = 0, start, [], [], None
    while i < len(text):
        c = text[i]
        if instr:
            cur.append(c)
            if c == "\\":
                cur.append(text[i + 1]); i += 2; continue
            if c == instr:
                instr = None
        elif c in "\"'":
            instr = c; cur.append(c)
        elif c == "(":
            depth += 1
            if depth > 1: cur.append(c)
        elif c == ")":
            depth -= 1
            if depth == 0:
                out.append("".join(cur).strip()); return out
            cur.append(c)
        elif c == "," and depth == 1:
            out.append("".join(cur).strip()); cur = []
        else:
            cur.append(c)
        i += 1
    return out

LITERAL = re.compile(r'^(\s*"([^"\\]|\\.)*"\s*)+$', re.S)
TABLES = {"migrations", "stmt_sql", "stmt_sql2"}
SQL_WORDS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|VALUES|WHERE"
                       r"|BEGIN|COMMIT|ROLLBACK|ATTACH)\b")
CALLS = {"sqlite3_exec": 1, "ledger_exec": 1, "prepare_once": 1, "sqlite3_prepare": 1, "sqlite3_prepare_v2": 1,
         "sqlite3_prepare_v3": 1, "sqlite3_prepare16": 1}
FORMATTERS = ["snprintf", "sprintf", "vsnprintf", "asprintf", "buf_addf", "buf_setf",
              "buf_vaddf", "err_set", "err_errno"]

for path in files:
    text = strip_comments(open(path, encoding="utf-8", errors="replace").read())
    rel = os.path.relpath(path, root)
    line = lambda pos: text.count("\n", 0, pos) + 1
    if "sqlite3.h" in text and not rel.endswith("ledger.c"):
        bad.append(f"{rel}: includes sqlite3.h (only ledger.c may talk to SQLite)")
    for m in re.finditer(r"\bsqlite3_(v?mprintf|snprintf|vsnprintf)\s*\(", text):
        bad.append(f"{rel}:{line(m.start())}: {m.group(0)[:-1]} builds SQL text")
    for name, idx in CALLS.items():
        for m in re.finditer(r"\b" + name + r"\s*\(", text):
            pre = text[max(0, m.start() - 30):m.start()]
            if re.search(r"(\bint\s+|\*)\s*$", pre):   # the definition of ledger_exec or prepare_once
                continue
            a = args_of(text, m.end() - 1)
            if len(a) <= idx:
                continue
            sql = a[idx]
            if name == "sqlite3_exec" and sql == "sql" and "ledger_exec" in text[max(0, m.start() - 400):m.start()]:
                continue  # inside ledger_exec: its argument is checked at every call
            if name == "sqlite3_prepare_v2" and sql == "sql" and re.search(r"\bprepare_once\s*\([^)]*\)\s*\{[^}]*$", text[max(0, m.start() - 300):m.start()]):
                continue  # inside prepare_once: its argument is checked at every call
            if LITERAL.match(sql):
                continue
            base = re.match(r"^([A-Za-z_]\w*)\s*(\[[^\]]*\])?$", sql)
            if base and base.group(1) in TABLES:
                continue
            if base and base.group(1) == "sql":
                # a local 'sql' must be assigned only from the tables
                fn_start = text.rfind("\n{", 0, m.start())
                body = text[fn_start:m.start()]
                if re.search(r"\bstatic\s+const\s+char\s+sql\s*\[\s*\]\s*=\s*(\s*\"([^\"\\\\]|\\\\.)*\"\s*)+;", body):
                    continue  # a local literal: static const char sql[] = "..."
                assigns = re.findall(r"\bsql\s*=\s*([^;]+);", body)
                if assigns and all(re.fullmatch(r"[^;]*\b(stmt_sql2?|migrations)\s*\[[^\]]*\][^;]*", x.strip()) for x in assigns):
                    continue
            bad.append(f"{rel}:{line(m.start())}: {name} with non-constant SQL: {sql}")
    for fmt in FORMATTERS:
        for m in re.finditer(r"\b" + fmt + r"\s*\(", text):
            a = args_of(text, m.end() - 1)
            for arg in a:
                if LITERAL.match(arg) and SQL_WORDS.search(arg) and "%" in arg:
                    if fmt in ("err_set", "err_errno"):
                        continue  # messages may name SQL words
                    bad.append(f"{rel}:{line(m.start())}: {fmt} formats SQL text: {arg.strip()[:80]}")
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

check "$SOURCE_DIR/mailer" || { echo "FAIL: SQL built from data (above)" >&2; exit 1; }
echo "ok: every statement in mailer/ is a literal or a static table entry, values are bound"

# The checker must catch what it is there to catch.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
doctor() { # NAME PYTHON-REPLACEMENT
    rm -rf "$tmp/$1"
    mkdir -p "$tmp/$1/lib"
    /usr/bin/python3 - "$SOURCE_DIR/mailer/lib/ledger.c" "$tmp/$1/lib/ledger.c" "$2" <<'PY'
import sys
src, dst, code = sys.argv[1:4]
s = open(src).read()
marker = "int ledger_schema_version(struct ledger *l)\n{"
assert marker in s
s = s.replace(marker, marker + "\n" + code, 1)
open(dst, "w").write(s)
PY
    if check "$tmp/$1" 2>"$tmp/$1.err"; then
        echo "FAIL: the checker missed $1" >&2
        exit 1
    fi
    echo "ok: the checker catches $1: $(head -1 "$tmp/$1.err")"
}
doctor snprintf-exec '    { char q[256]; snprintf(q, sizeof q, "DELETE FROM suppressions WHERE address = '"'"'%s'"'"'", l->path); ledger_exec(l, q, NULL); }'
doctor buf-prepare '    { struct buf b = BUF_INIT; sqlite3_stmt *x; buf_addf(&b, "SELECT * FROM deliveries WHERE address = '"'"'%s'"'"'", l->path); sqlite3_prepare_v2(l->db, b.data, -1, &x, NULL); }'
doctor mprintf '    { char *q = sqlite3_mprintf("SELECT %Q", l->path); sqlite3_exec(l->db, q, NULL, NULL, NULL); }'
doctor variable-exec '    { const char *q = l->path; sqlite3_exec(l->db, q, NULL, NULL, NULL); }'
echo "test_sql_prepared: ok"
