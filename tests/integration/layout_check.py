#!/usr/bin/python3
"""layout_check - messages' HTML as a phone and a desktop show them, in a real
browser: headless Chromium loads every page inside iframes of the widths
asked (the browser's own window cannot be narrower than 500 px), a small
script measures each frame, and the DOM is dumped with the figures
(--dump-dom, one browser run for all pages); then a screenshot of the first
page at each width, for people to look at.

    layout_check.py OUT_DIR PAGE.html...  -> one JSON line per page and width;
                                             OUT_DIR/NAME-375.png, NAME-800.png

The figures: the page's scrollWidth and the frame's innerWidth (a page wider
than its frame scrolls sideways), how many <h1>, the title, the font sizes of
the title and of the content's headings, the colour of the content's links,
whether the logo comes before the greeting and loaded, the text of the footer
rows (the last two td.franja).
"""
import html
import json
import os
import re
import subprocess
import sys
import tempfile

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTHS = (375, 800)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--allow-file-access-from-files", "--hide-scrollbars"]
PROBE = r"""
<script>
function measure(f) {
  var out = {page: f.dataset.page, at: +f.dataset.at};
  try {
    var d = f.contentDocument, w = f.contentWindow;
    var px = function (el) { return parseFloat(w.getComputedStyle(el).fontSize); };
    var title = d.querySelector('h1.titulo');
    out.width = w.innerWidth;
    out.scroll = d.scrollingElement.scrollWidth;
    out.h1 = d.querySelectorAll('h1').length;
    out.title = title ? title.innerText : null;
    out.titlePx = title ? px(title) : 0;
    var heads = d.querySelectorAll('.contenido h1, .contenido h2, .contenido h3');
    out.headPx = 0;
    for (var i = 0; i < heads.length; i++) out.headPx = Math.max(out.headPx, px(heads[i]));
    var links = d.querySelectorAll('.contenido a');
    out.links = [];
    for (var j = 0; j < links.length; j++) out.links.push(w.getComputedStyle(links[j]).color);
    var logo = d.querySelector('img[alt="Voto Chilango"]');
    var hola = d.evaluate("//p[starts-with(normalize-space(.), 'Hola')]", d, null, 9, null)
                .singleNodeValue;
    out.logoFirst = !!(logo && hola && (logo.compareDocumentPosition(hola) & 4));
    out.logoLoaded = !!(logo && logo.complete && logo.naturalWidth > 0);
    var rows = d.querySelectorAll('td.franja'), foot = '';
    for (var k = Math.max(rows.length - 2, 0); k < rows.length; k++) foot += rows[k].innerText + '\n';
    out.footer = foot;
  } catch (e) { out.error = String(e); }
  return out;
}
window.addEventListener('load', function () {
  var all = [], frames = document.querySelectorAll('iframe');
  for (var i = 0; i < frames.length; i++) all.push(measure(frames[i]));
  document.body.setAttribute('data-medida', JSON.stringify(all));
});
</script>
"""


def frame(page, width, extra=""):
    src = open(page, encoding="utf-8").read()
    name = os.path.basename(page).rsplit(".", 1)[0]
    return ('<iframe data-page="%s" data-at="%d" style="width:%dpx;height:2600px;border:0;%s" '
            'srcdoc="%s"></iframe>' % (name, width, width, extra, html.escape(src, quote=True)))


def run(harness_body, base, args):
    with tempfile.TemporaryDirectory() as tmp:
        h = os.path.join(tmp, "harness.html")
        with open(h, "w", encoding="utf-8") as f:
            f.write('<!DOCTYPE html><html><head><base href="%s"></head>'
                    '<body style="margin:0;background:#888">%s</body></html>' % (base, harness_body))
        return subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=" + tmp + "/u"] + args +
                              ["file://" + h], capture_output=True, text=True, timeout=300)


def main():
    out_dir, pages = sys.argv[1], sys.argv[2:]
    base = "file://" + os.path.dirname(os.path.abspath(pages[0])) + "/"
    body = "".join(frame(p, w, "display:block") for p in pages for w in WIDTHS) + PROBE
    res = run(body, base, ["--virtual-time-budget=3000", "--window-size=820,900", "--dump-dom"])
    m = re.search(r'data-medida="([^"]*)"', res.stdout)
    if not m:
        sys.exit("layout_check: no figures from chromium: " + res.stderr[-800:])
    for row in json.loads(html.unescape(m.group(1))):
        print(json.dumps(row, ensure_ascii=False))
    name = os.path.basename(pages[0]).rsplit(".", 1)[0]
    for w in WIDTHS:
        run(frame(pages[0], w), base, ["--window-size=%d,2600" % max(w, 500),
                                       "--screenshot=" + os.path.join(out_dir, "%s-%d.png" % (name, w))])


main()
