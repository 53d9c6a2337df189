#!/usr/bin/python3
"""check_comments - the comments of the files a staff member edits are Spanish.

    po/check_comments.py SOURCE_DIR [MIN_FILES]

Files: .env.example, senders.ini.example, campaigns/*.ini, campaigns/informe.conf, contacts/*.ini,
contrib/crontab.example, contrib/systemd/* (comment lines: '#' or ';'), and
contacts/README.md (every line). What is quoted is not judged: `code`, "text",
«text», key names and values after '=' in examples. A line fails when it has
English words that no Spanish sentence uses (the, is, and, with, ...).
Prints each failing line as FILE:LINE: text; exit 1 when there is one.
"""
import glob
import os
import re
import sys

# Function words of English that do not occur in Spanish prose.
ENGLISH = set('''the is are was were be been and with when which this that these those
their there here what who how into from only also than then them they its it's an of
for to by on at or not but if each every one all any per must should would will can
could may has have had does do does't isn't isn't don't without within sent send
file line lines list lists column columns name names edit set value values default'''.split())
# Keys, values and literals the files name in their comments (English by design).
ALLOWED = set('''address_column name_columns delimiter encoding paused allow_html
send_at schedule edition kind subject report_title lists filter template from reply_to
content attachments inline_images audience name campaign defaults list
weekly monthly once bulletin convocatoria podcast invitation digest
monday day main yes no tab utf auto windows latin html md json csv ini conf
in and or not'''.split())


def strip_quoted(text):
    text = re.sub(r'`[^`]*`', ' ', text)
    text = re.sub(r'"[^"]*"', ' ', text)
    text = re.sub(r'«[^»]*»', ' ', text)
    text = re.sub(r'\{\{[^}]*\}\}', ' ', text)
    text = re.sub(r'\[[^\]]*\]', ' ', text)
    # "key = value" examples and NAME=value settings
    text = re.sub(r'\b[\w.]+\s*=\s*\S+', ' ', text)
    text = re.sub(r'\S+[/@]\S+', ' ', text)  # paths, addresses, URLs
    text = re.sub(r'--[\w-]+', ' ', text)  # options
    return text


def english_words(text):
    words = re.findall(r"[A-Za-z][A-Za-z'_]*", strip_quoted(text))
    return [w for w in words if w.lower() in ENGLISH and w.lower() not in ALLOWED]


def comment_lines(path):
    prose = path.endswith('.md')
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if prose:
                if s and not s.startswith('```'):
                    yield n, s
            elif s.startswith('#') or s.startswith(';'):
                yield n, s.lstrip('#; ')


def files(src):
    pats = ['.env.example', 'senders.ini.example', 'campaigns/*.ini', 'campaigns/informe.conf', 'contacts/*.ini',
            'contacts/README.md', 'contrib/crontab.example', 'contrib/systemd/*']
    for p in pats:
        for f in sorted(glob.glob(os.path.join(src, p))):
            yield f


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else '.'
    least = int(sys.argv[2]) if len(sys.argv) > 2 else 10  # a tree that lost its files fails
    bad = 0
    seen = 0
    for path in files(src):
        seen += 1
        for n, text in comment_lines(path):
            words = english_words(text)
            # one stray word may be a name; two function words are a sentence
            if len(words) >= 2:
                print('%s:%d: English in a comment (%s): %s'
                      % (os.path.relpath(path, src), n, ', '.join(words), text))
                bad += 1
    print('%d files, %d English comment lines' % (seen, bad))
    return 1 if bad or seen < least else 0


sys.exit(main())
