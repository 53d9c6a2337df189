import re, sys
LIT = r'"(?:[^"\\\n]|\\.)*"'
CALL = re.compile(r'\b(printf|fprintf\s*\(\s*(?:stderr|stdout|to|ui->tty \? stdout : stderr)\s*,|cli_usage\s*\(\s*"[^"]*"\s*,|err_set\s*\(\s*&?[a-z>.-]*err\s*,\s*ERR_[A-Z]+\s*,|err_errno\s*\(\s*&?[a-z>.-]*err\s*,\s*ERR_[A-Z]+\s*,)\s*(\(?)\s*((?:' + LIT + r'\s*)+)')
def fix(m):
    head, paren, lits = m.group(1), m.group(2), m.group(3)
    text = ''.join(re.findall(LIT, lits))
    if not re.search(r'[A-Za-z]{2}', text) or '\\"' in text and ('\\": ' in text or '{\\"' in text or ', \\"' in text):
        return m.group(0)
    stripped = lits.rstrip()
    return m.group(0)[:m.end(3)-m.start(0)-len(lits)] + '_(' + stripped + ')' + lits[len(stripped):]
for p in sys.argv[1:]:
    s = open(p).read()
    s2 = CALL.sub(fix, s)
    open(p, 'w').write(s2)
