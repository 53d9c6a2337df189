#!/usr/bin/env bash
# test_report_html - `mailer report --format html` opened in a real browser:
# headless Chromium (Debian `chromium`) loads the self-contained page, dumps
# its DOM (checked for every table row and one chart bar group per month of
# the quarter, per audience), takes a screenshot and prints it to PDF (one
# page per audience and one for the targets: the print CSS breaks pages).
# Artifacts: $BUILD_DIR/artifacts/report-html/{informe.html,informe.png,informe.pdf}.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}" "${BUILD_DIR:?}"
PY=/usr/bin/python3

fail() { echo "FAIL: $*" >&2; exit 1; }

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || fail "chromium is not installed (apt-get install chromium; ./run installs it)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
art="$BUILD_DIR/artifacts/report-html"
mkdir -p "$art"
export MAILER_DB=$work/mailer.db MAILER_HOME=$work
cd "$work"

# An empty ledger with the current schema, then one quarter of mailings:
# the diaspora (a row per mailing) in January and March only, the Red de
# Observación (a row per month) in every month.
"$MAILER" report --quarter 2024Q1 >/dev/null || fail "report on an empty ledger"
"$PY" - "$MAILER_DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
def mailing(campaign, edition, title, lists, sent_at, n, failed=0):
    cur = db.execute("INSERT INTO mailings (campaign, edition, kind, subject, report_title, lists,"
                     " created_at, state) VALUES (?,?,?,?,?,?,?, 'complete')",
                     (campaign, edition, "bulletin", title, title, lists, sent_at))
    mid = cur.lastrowid
    for k in range(n + failed):
        state = "sent" if k < n else "failed"
        db.execute("INSERT INTO deliveries (mailing_id, address, list, message_id, state,"
                   " updated_at, sent_at) VALUES (?,?,?,?,?,?,?)",
                   (mid, "p%d@example.org" % k, lists, "<%d.%d@x>" % (mid, k), state, sent_at,
                    sent_at if state == "sent" else None))
mailing("corazon-chilango", "2024-01", "Boletín informativo diciembre 2023", "diaspora",
        "2024-01-01T15:00:00Z", 40, 2)
mailing("vota-film-fest", "main", "Invitación a la sexta edición del concurso <Vota Film Fest>",
        "diaspora", "2024-01-08T16:00:00Z", 38)
mailing("corazon-chilango", "2024-03", "Boletín informativo febrero 2024", "diaspora",
        "2024-03-02T15:00:00Z", 41)
mailing("red", "ene", "Invitación a formar parte de la Red de Observación del IECM",
        "red-observacion", "2024-01-10T18:00:00Z", 12)
mailing("red", "feb", "Invitación a formar parte de la Red de Observación del IECM",
        "red-observacion", "2024-02-10T18:00:00Z", 12)
mailing("red-noticias", "feb", "Envío de dos noticias semanales en materia electoral",
        "red-observacion", "2024-02-14T18:00:00Z", 12, 1)
mailing("red", "mar", "Invitación a formar parte de la Red de Observación del IECM",
        "red-observacion", "2024-03-10T18:00:00Z", 12)
db.commit()
EOF

"$MAILER" report --quarter 2024Q1 --format html --informe "$SOURCE_DIR/tests/fixtures/report/informe.conf" \
    --out "$art/informe.html" || fail "report --format html"
html="$art/informe.html"

# The other formats through the command line: CSV for Excel (BOM, ';'),
# --by overriding informe.conf.
"$MAILER" report --quarter 2024-T1 --format csv --csv-sep ';' --out "$work/r.csv" \
    --informe "$SOURCE_DIR/tests/fixtures/report/informe.conf" || fail "csv"
[ "$(head -c 3 "$work/r.csv" | od -An -tx1 | tr -d ' \n')" = efbbbf ] || fail "CSV without BOM"
grep -q $'^red-observacion;3;Febrero 2024;Envío de dos noticias semanales en materia electoral;no;13;12;0;0;0;1;0\r$' \
    "$work/r.csv" || fail "CSV row: $(cat "$work/r.csv")"
# the data rows are data only: the totals and the targets are blocks of their own
! grep -q '^[^;]*;Total;' "$work/r.csv" || fail "a Total row among the CSV's data"
grep -q $'^Meta;Objetivo;Logrado;Estado\r$' "$work/r.csv" || fail "CSV without its targets"
grep -q $'^red-observacion;4;4;49;48;' "$work/r.csv" || fail "CSV totals: 4 communications, 4 sends"
"$MAILER" report --quarter 2024Q1 --by envio --format md \
    --informe "$SOURCE_DIR/tests/fixtures/report/informe.conf" >"$work/r.md" || fail "md"
grep -q '^| 1 | Miércoles 10 de enero, sábado 10 de febrero y domingo 10 de marzo de 2024 | Invitación a formar' \
    "$work/r.md" || fail "--by envio: $(cat "$work/r.md")"
grep -q '^| 2 | Miércoles 14 de febrero de 2024 | Envío de dos noticias' "$work/r.md" || fail "--by envio: $(cat "$work/r.md")"

# Self-contained: no external asset of any kind.
! grep -Eq '(src|href)=|@import|url\(' "$html" || fail "the page loads something external"
grep -q '<html lang="es">' "$html" || fail "lang=es missing"

chrome() {
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" "$@" 2>>"$work/chromium.log"
}
chrome --dump-dom "file://$html" >"$work/dom.html" || fail "chromium --dump-dom: $(tail -5 "$work/chromium.log")"
chrome --window-size=1280,1800 --screenshot="$art/informe.png" "file://$html" >/dev/null ||
    fail "chromium --screenshot: $(tail -5 "$work/chromium.log")"
chrome --no-pdf-header-footer --print-to-pdf="$art/informe.pdf" "file://$html" >/dev/null ||
    fail "chromium --print-to-pdf: $(tail -5 "$work/chromium.log")"

# In a window 800 px wide every table fits, its last column (Bajas) included:
# a copy of the page with a script that measures it, read back from the DOM.
fits() {
    sed 's#</body>#<script>document.body.setAttribute("data-layout", JSON.stringify({w: document.documentElement.clientWidth, s: document.documentElement.scrollWidth, t: [].map.call(document.querySelectorAll("table"), function (t) { return Math.ceil(t.getBoundingClientRect().right); })}));</script></body>#' \
        "$1" >"$work/measure.html"
    chrome --window-size=800,1000 --dump-dom "file://$work/measure.html" >"$work/measure.dom" ||
        fail "chromium at 800 px: $(tail -5 "$work/chromium.log")"
    "$PY" - "$work/measure.dom" "$1" <<'PYEOF' || fail "$1 does not fit 800 px"
import html, json, re, sys
m = re.search(r'data-layout="([^"]*)"', open(sys.argv[1], encoding="utf-8").read())
r = json.loads(html.unescape(m.group(1)))
print("%s at 800 px: viewport %d, page %d, tables end at %s" % (sys.argv[2].split("/")[-1], r["w"], r["s"], r["t"]))
sys.exit(0 if r["t"] and r["s"] <= r["w"] and max(r["t"]) <= r["w"] else 1)
PYEOF
}
fits "$html"
fits "$SOURCE_DIR/tests/fixtures/report/historial-2024T1.html"
fits "$SOURCE_DIR/tests/fixtures/report/2024Q1.html"

# The DOM as the browser built it: sections, rows, totals, chart groups.
"$PY" - "$work/dom.html" <<'EOF' || fail "DOM check"
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections = []   # [list, rows, totals, months, bars, cells of rows]
        self.cur = None
        self.in_td = False
        self.text = []
        self.targets = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "")
        if tag == "section" and cls == "audiencia":
            self.cur = {"list": a.get("data-lista"), "rows": [], "totals": 0, "months": [], "bars": 0}
            self.sections.append(self.cur)
        elif tag == "tr" and cls == "fila":
            self.cur["rows"].append([])
        elif tag == "tr" and cls == "total":
            self.cur["totals"] += 1
        elif tag == "tr" and cls == "meta":
            self.targets += 1
        elif tag == "td" and self.cur is not None and self.cur["rows"]:
            self.in_td, self.text = True, []
        elif tag == "g" and cls == "mes":
            self.cur["months"].append(a.get("data-mes"))
        elif tag == "rect" and cls.startswith("barra "):
            self.cur["bars"] += 1
    def handle_endtag(self, tag):
        if tag == "td" and self.in_td:
            self.in_td = False
            if self.cur["totals"] == 0:
                self.cur["rows"][-1].append("".join(self.text))
        if tag == "section":
            self.cur = None
    def handle_data(self, d):
        if self.in_td:
            self.text.append(d)

p = Dom()
p.feed(open(sys.argv[1], encoding="utf-8").read())
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)
check([s["list"] for s in p.sections] == ["diaspora", "red-observacion"],
      "sections %r" % [s["list"] for s in p.sections])
want_rows = {
    "diaspora": [["1", "Lunes 1 de enero de 2024", "Boletín informativo diciembre 2023", "42", "40", "0", "2", "0"],
                 ["2", "Lunes 8 de enero de 2024", "Invitación a la sexta edición del concurso <Vota Film Fest>", "38", "38", "0", "0", "0"],
                 ["3", "Sábado 2 de marzo de 2024", "Boletín informativo febrero 2024", "41", "41", "0", "0", "0"]],
    "red-observacion": [["1", "Enero 2024", "Invitación a formar parte de la Red de Observación del IECM", "12", "12", "0", "0", "0"],
                        ["2", "Febrero 2024", "Invitación a formar parte de la Red de Observación del IECM", "12", "12", "0", "0", "0"],
                        ["3", "Febrero 2024", "Envío de dos noticias semanales en materia electoral", "13", "12", "0", "1", "0"],
                        ["4", "Marzo 2024", "Invitación a formar parte de la Red de Observación del IECM", "12", "12", "0", "0", "0"]],
}
for s in p.sections:
    check(s["rows"] == want_rows.get(s["list"]), "%s rows %r" % (s["list"], s["rows"]))
    check(s["totals"] == 1, "%s: %d total rows" % (s["list"], s["totals"]))
    check(s["months"] == ["2024-01", "2024-02", "2024-03"], "%s chart months %r" % (s["list"], s["months"]))
    check(s["bars"] == 2 * len(s["months"]), "%s: %d bars for %d months" % (s["list"], s["bars"], len(s["months"])))
check(p.targets == 3, "%d target rows" % p.targets)
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("DOM: %d sections, rows, totals, 3 months x 2 bars each, %d targets" % (len(p.sections), p.targets))
EOF

# The screenshot is a real PNG with something drawn; the PDF has a page per
# audience plus one for the targets.
[ "$(head -c 8 "$art/informe.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "screenshot is not a PNG"
[ "$(stat -c %s "$art/informe.png")" -gt 20000 ] || fail "screenshot suspiciously small"
pages=$("$PY" -c "import re,sys; d=open(sys.argv[1],'rb').read(); print(len(re.findall(rb'/Type\s*/Page[^s]', d)))" "$art/informe.pdf")
[ "$pages" -eq 3 ] || fail "PDF has $pages pages, expected 3 (one per audience + targets)"
echo "ok: DOM, screenshot $art/informe.png, PDF $pages pages"
