#!/usr/bin/python3
"""check_cli_strings - every text for people in mailer/cli/*.c is translatable.

Flags a printing or error call (printf, fprintf, fputs, puts, cli_usage,
err_set, err_errno, snprintf into a message) whose format is a string literal
with words in it but is not wrapped in _() / ngettext(). Output for programs
(JSON keys, CSV, file:line prefixes) is exempt when its line carries the
comment  /* data */  (or  /* es */  for text that is Spanish by design), or the
line before it is that comment alone.
Exit 1 and one line per problem when something is not translatable.
"""
import glob
import os
import re
import sys

LIT = r'"(?:[^"\\\n]|\\.)*"'
CALL = re.compile(r'\b(printf|fprintf|fputs|puts|cli_usage|err_set|err_errno|snprintf)\s*\(')


def args_of(text, start):
    """The argument text of the call whose '(' is at start (balanced)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            m = re.compile(LIT).match(text, i)
            i = m.end()
            continue
        if c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return text[start + 1:i]
        i += 1
    return text[start + 1:]


# Which argument is the format: fprintf(stream, FORMAT), cli_usage(cmd, FORMAT), ...
FORMAT_ARG = {'printf': 0, 'fprintf': 1, 'fputs': 0, 'puts': 0, 'cli_usage': 1, 'err_set': 2,
              'err_errno': 2, 'snprintf': 2}


def split_args(args):
    """Top-level comma-separated arguments."""
    parts, depth, cur, i = [], 0, '', 0
    while i < len(args):
        c = args[i]
        if c == '"':
            m = re.compile(LIT).match(args, i)
            cur += m.group(0)
            i = m.end()
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
        if c == ',' and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    bad = 0
    for path in sorted(glob.glob(os.path.join(root, 'mailer', 'cli', '*.c'))):
        if path.endswith('lib_messages.c'):
            continue
        text = open(path, encoding='utf-8').read()
        for m in CALL.finditer(text):
            args = args_of(text, m.end() - 1)
            line_no = text.count('\n', 0, m.start()) + 1
            line_end = text.find(';', m.end())
            eol = text.find('\n', line_end)
            stmt = text[m.start():eol if eol >= 0 else len(text)]
            before = text[text.rfind('\n', 0, text.rfind('\n', 0, m.start())) + 1:m.start()]
            if '/* data */' in stmt or '/* es */' in stmt or before.strip() == '/* data */':
                continue
            parts = split_args(args)
            pos = FORMAT_ARG[m.group(1)]
            if pos >= len(parts):
                continue
            fmt = parts[pos].strip()
            fmt = re.sub(r'\bngettext\s*\((?:\s*' + LIT + r')+\s*,(?:\s*' + LIT + r')+', '', fmt)
            fmt = re.sub(r'\b(?:_|N_)\s*\((?:\s*' + LIT + r')+\s*\)', '', fmt)
            for lit in re.findall(LIT, fmt):
                words = re.sub(r'%[-+ #0-9.*$]*[hlLqjzt]*[a-zA-Z]', '', lit).replace('mailer', '')
                if re.match(r'"(\\n)?\.[A-Za-z]{1,2}(\s|\\n|")', lit):
                    continue  # roff markup of the man page
                if re.search(r'[A-Za-zÀ-ÿ]{2}', words):
                    rel = os.path.relpath(path, root)
                    print('%s:%d: not translatable: %s' % (rel, line_no, lit))
                    bad += 1
    if bad:
        print('%d strings for people are not marked with _() or ngettext()' % bad)
    return 1 if bad else 0


sys.exit(main())
