#!/usr/bin/python3
"""extract_lib - every sentence mailer/lib/*.c formats for people, as C.

The library formats its messages in English (err_set, err_errno, reasons
returned as strings, report and warning lines); the CLI translates them by
matching each printed line against these formats (mailer/cli/i18n.c). This
script writes mailer/cli/lib_messages.c with every such format marked N_()
so xgettext puts them in po/mailer.pot.

    po/extract_lib.py [SOURCE_DIR] > mailer/cli/lib_messages.c
"""
import glob
import os
import re
import sys

LIT = r'"(?:[^"\\\n]|\\.)*"'
LITS = r'((?:\s*' + LIT + r')+)'
PATTERNS = [
    # err_set(err, KIND, "format"...), err_errno(err, KIND, "format"...)
    re.compile(r'\berr_(?:set|errno)\s*\([^;"]*?,\s*ERR_[A-Z]+\s*,' + LITS),
    # *why = "reason"  /  return *why = "reason", -1
    re.compile(r'\*\s*why\s*=\s*' + LITS),
    # address.c: r->warning = "what was changed"
    re.compile(r'->\s*warning\s*=\s*' + LITS),
    # contacts.c: a reason made in the loader's scratch buffer (a malformed row)
    re.compile(r'\bbuf_setf\s*\(\s*&L->tmp\s*,' + LITS),
    # reasons handed back as strings: return "reason"; invalid(r, "reason")
    re.compile(r'\breturn\s+' + LITS + r'\s*;'),
    re.compile(r'\binvalid\s*\(\s*r\s*,' + LITS),
    re.compile(r'\brefuse\s*\(\s*r\s*,[^,;]*,[^,;]*,' + LITS),
    # lines of the report / warnings a list load produces
    re.compile(r'\bbuf_addf\s*\(\s*[A-Za-z_>.-]*(?:report|warnings|notes)\s*,' + LITS),
    # campaign.c: problem(st, "format", a, b) -> "file:line: " + the format
    re.compile(r'\bproblem\s*\(\s*&?st\s*,' + LITS),
    # ledger.c: db_fail(l, err, "what"), step_done(l, st, err, "what") and the
    # helpers built on it, side_file_place(t, dest, taken_ok, "what", err)
    re.compile(r'\bdb_fail\s*\([^,;]*,[^,;]*,' + LITS),
    re.compile(r'\b(?:step_done|step_changed|step_row|finish_once)\s*\([^,;]*,[^,;]*,[^,;]*,' + LITS),
    re.compile(r'\bstep_count\s*\([^,;]*,[^,;]*,[^,;]*,[^,;]*,' + LITS),
    re.compile(r'\bside_file_place\s*\([^,;]*,[^,;]*,[^,;]*,' + LITS),
    # template.c: syntax_error(err, u, off, "format", ...) -> "origin:line:col: " + format
    re.compile(r'\bsyntax_error\s*\([^,;]*,[^,;]*,[^,;]*,' + LITS),
]
# Reasons chosen by a condition: return c == ',' ? "reason" : "other reason";
# (address.c, template.c: the functions that hand back why an input is bad)
REASON_FILES = ('address.c', 'template.c')
TERNARY = re.compile(r'\breturn\b[^;]*\?[^;]*;')
# contacts.c: fsyntax(p, cond ? "what" : "other") -> "filter: what at character N of ..."
WHOLE_CALLS = re.compile(r'\bfsyntax\s*\(\s*&?p\s*,[^;]*;')
# Sentences passed as values of an error: err_set(err, K, "%s: %s", cond ? "why" : "why not", ...)
ERR_CALLS = re.compile(r'\berr_(?:set|errno)\s*\([^;]*;')
# report.c: ini_problem(st, "what", detail) prints what + detail.
SUFFIXED = [re.compile(r'\bini_problem\s*\(\s*&?st\s*,' + LITS)]
# A report line assembled from pieces (contacts.c): the whole line as printed.
# err_errno() appends ": " and strerror(); the common ones, so they read in Spanish too.
ERRNO_TEXTS = ['No such file or directory', 'Permission denied', 'File exists',
               'Is a directory', 'Not a directory', 'No space left on device',
               'Read-only file system', 'Too many levels of symbolic links']
COMPOSED = [
    '%s:%zu: invalid address "%s": %s',
    '%s:%zu: invalid address "%s": %s (did you mean %s?)',
]


def decode(lits):
    out = ''
    for piece in re.findall(LIT, lits):
        body = piece[1:-1]
        out += re.sub(r'\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)', unescape, body)
    return out


def unescape(m):
    e = m.group(1)
    simple = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', "'": "'", '?': '?'}
    if e in simple:
        return simple[e]
    if e[0] == 'x':
        return chr(int(e[1:], 16))
    if e[0] in '01234567':
        return chr(int(e, 8))
    return e


def encode(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\t', '\\t') + '"'


def wanted(s):
    # A sentence for people: has a letter and is not a bare SQL/HTML/header token.
    if not re.search(r'[A-Za-z]', s):
        return s.count('%') >= 2  # "%s: %s" joins a place and a reason
    if re.match(r'^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|COMMIT)\b', s):
        return False
    return True


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    seen = []
    for path in sorted(glob.glob(os.path.join(root, 'mailer', 'lib', '*.c'))):
        text = open(path, encoding='utf-8').read()
        text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
        for pat in PATTERNS:
            for m in pat.finditer(text):
                for line in decode(m.group(1)).split('\n'):
                    if line and wanted(line) and line not in seen:
                        seen.append(line)
        if os.path.basename(path) in REASON_FILES:
            for m in TERNARY.finditer(text):
                for lit in re.findall(LIT, m.group(0)):
                    line = decode(lit)
                    if ' ' in line and wanted(line) and line not in seen:
                        seen.append(line)
        for m in ERR_CALLS.finditer(text):
            for group in re.findall(LITS, m.group(0)):
                line = decode(group)
                if ' ' in line and '%' not in line and wanted(line) and line not in seen:
                    seen.append(line)
        for m in WHOLE_CALLS.finditer(text):
            for lit in re.findall(LIT, m.group(0)):
                line = decode(lit)
                if wanted(line) and line not in seen:
                    seen.append(line)
        for m in re.finditer(r'\berr_errno\s*\([^;"]*?,\s*ERR_[A-Z]+\s*,' + LITS, text):
            line = decode(m.group(1)) + ': %s'
            if line not in seen:
                seen.append(line)
        for pat in SUFFIXED:
            for m in pat.finditer(text):
                line = decode(m.group(1)).replace('%', '%%') + '%s'
                if line not in seen:
                    seen.append(line)
    for line in COMPOSED + ERRNO_TEXTS:
        if line not in seen:
            seen.append(line)
    seen.sort(key=lambda s: (s != 'out of memory', s))
    print('/* lib_messages - GENERATED by po/update.sh (po/extract_lib.py) from mailer/lib/ (*.c):')
    print(' * do not edit. Every format the library writes for people, so that xgettext')
    print(' * extracts them and i18n.c can translate a printed line back. */')
    print('// clang-format off')
    print('#include <stddef.h>\n')
    print('#include "i18n.h"\n')
    print('#include "banned.h"\n')
    print('const char *const i18n_lib_messages[] = {')
    for s in seen:
        print('    /* xgettext:c-format */ N_(%s),' % encode(s) if '%' in s else '    N_(%s),' % encode(s))
    print('    NULL,')
    print('};')


main()
