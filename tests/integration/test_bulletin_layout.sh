#!/usr/bin/env bash
# test_bulletin_layout - the sample campaigns' messages look like the
# institute's, in a real browser (headless Chromium, layout_check.py): at
# 375 px (a phone) and at 800 px nothing scrolls sideways; one title (a
# Markdown edition's "# Título" is not repeated); the content's headings are
# smaller than the title and its links are the institute's colour, not the
# browser's blue; the logo is in the masthead, above the greeting, and shows;
# every footer says why the person gets it, how to unsubscribe, and the
# institute's postal address. The text part too: one title, address, reason.
# And the MIME around it: an inline image's Content-ID carries a domain and
# the HTML refers to it so; the invitation's .ics is text/calendar with
# charset=utf-8 and method=PUBLISH; a Reply-To keeps its display name.
# Screenshots: $BUILD_DIR/artifacts/bulletin/corazon-chilango-{375,800}.png.
set -euo pipefail
: "${SOURCE_DIR:?}" "${MAILER:?}" "${BUILD_DIR:?}"

fail() { echo "FAIL: $*" >&2; exit 1; }
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || fail "chromium is not installed (apt-get install chromium; ./run installs it)"
export CHROMIUM

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
art=$BUILD_DIR/artifacts/bulletin
mkdir -p "$art"
export MAILER_DB=$work/mailer.db MAILER_HOME=$SOURCE_DIR MAILER_NOW=2026-11-23T15:00:00Z

pages=()
for c in corazon-chilango:2026-11 convocatoria-observadores:main podcast-voto-chilango:2026-11 \
    vota-film-fest:main invitacion-gira-chicago:main red-observacion-capacitacion:main \
    pulso-internacional:2026-W47; do
    name=${c%%:*} edition=${c##*:}
    "$MAILER" preview "$name" --edition "$edition" --eml "$work/$name.eml" --html "$work/$name.html" \
        2> "$work/$name.err" || fail "preview $name: $(cat "$work/$name.err")"
    pages+=("$work/$name.html")
done
/usr/bin/python3 "$SOURCE_DIR/tests/integration/layout_check.py" "$art" "${pages[@]}" \
    > "$work/figures.json" || fail "layout_check"
[ "$(wc -l < "$work/figures.json")" = $((${#pages[@]} * 2)) ] ||
    fail "layout_check measured $(wc -l < "$work/figures.json") frames: $(cat "$work/figures.json")"
[ -s "$art/corazon-chilango-375.png" ] && [ -s "$art/corazon-chilango-800.png" ] ||
    fail "no screenshots in $art"

/usr/bin/python3 - "$work" "$SOURCE_DIR/campaigns" <<'PY'
import email, email.policy, json, os, sys
work, campaigns = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(os.path.join(work, "figures.json"), encoding="utf-8")]
bad = []
def fail(page, m):
    bad.append("%s: %s" % (page, m))
for r in rows:
    page, at = r["page"], r["at"]
    if "error" in r:
        fail(page, "%d px: %s" % (at, r["error"]))
        continue
    if r["width"] != at or r["scroll"] > r["width"]:
        fail(page, "%d px: the page is %d px wide in a %d px frame: it scrolls sideways"
             % (at, r["scroll"], r["width"]))
    if r["h1"] != 1:
        fail(page, "%d px: %d <h1> (one title)" % (at, r["h1"]))
    if r["headPx"] >= r["titlePx"]:
        fail(page, "%d px: a heading of the content (%s px) is not smaller than the title (%s px)"
             % (at, r["headPx"], r["titlePx"]))
    blue = [c for c in r["links"] if c in ("rgb(0, 0, 238)", "rgb(0, 0, 255)")]
    if blue:
        fail(page, "%d px: %d links of the content in the browser's default blue" % (at, len(blue)))
    if not r["logoFirst"] or not r["logoLoaded"]:
        fail(page, "%d px: the logo is not in the masthead above the greeting, or does not show" % at)
    for want in ("Recibes", "date de baja", "Huizaches 25", "C.P. 14386"):
        if want not in r["footer"]:
            fail(page, "%d px: the footer lacks «%s»: %s" % (at, want, r["footer"][:300]))
# A Markdown edition's title: once, as the title, and not inside the content.
md = {"corazon-chilango": "corazon-chilango/2026-11.md",
      "podcast-voto-chilango": "podcast-voto-chilango/2026-11.md",
      "convocatoria-observadores": "convocatoria-observadores/main.md",
      "vota-film-fest": "vota-film-fest/main.md"}
for page in sorted({r["page"] for r in rows}):
    msg = email.message_from_bytes(open(os.path.join(work, page + ".eml"), "rb").read(),
                                   policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    if page in md:
        title = open(os.path.join(campaigns, md[page]), encoding="utf-8").readline()[2:].strip()
        shown = {r["title"] for r in rows if r["page"] == page}
        if shown != {title}:
            fail(page, "the title is %s, not the edition's «# %s»" % (shown, title))
        if text.count(title) != 1:
            fail(page, "the text part has the title %d times" % text.count(title))
    for want in ("Huizaches 25", "Recibes"):
        if want not in text:
            fail(page, "the text part lacks «%s»" % want)
    html = msg.get_body(("html",)).get_content()
    cids = [p["Content-ID"].strip("<> ") for p in msg.walk() if p["Content-ID"]]
    if not cids:
        fail(page, "no inline image (the logo)")
    for cid in cids:
        if "@" not in cid or "cid:" + cid not in html:
            fail(page, "Content-ID <%s>: no domain, or the HTML does not refer to it" % cid)
    if "cid:logo-voto-chilango.png\"" in html:
        fail(page, "the HTML still refers to the bare cid:logo-voto-chilango.png")
    for cal in (p for p in msg.walk() if p.get_content_type() == "text/calendar"):
        if cal.get_param("charset") != "utf-8" or cal.get_param("method") not in ("PUBLISH", "REQUEST"):
            fail(page, "text/calendar without charset=utf-8 and method: %s" % cal["Content-Type"])
    if page == "invitacion-gira-chicago" and not any(
            p.get_content_type() == "text/calendar" for p in msg.walk()):
        fail(page, "the invitation has no text/calendar part")
    if page == "convocatoria-observadores":
        rt = msg["Reply-To"].addresses[0]
        if (rt.display_name, rt.addr_spec) != ("Observación Electoral IECM", "observacion@iecm.example"):
            fail(page, "Reply-To is %r" % str(msg["Reply-To"]))
if bad:
    sys.exit("FAIL:\n" + "\n".join(bad))
print("ok: %d pages at 375 and 800 px: no sideways scroll, one title, styled headings and links, "
      "logo in the masthead, postal address and reason in every footer; Content-IDs with a "
      "domain, text/calendar with charset and method, Reply-To with its name" % (len(rows) // 2))
PY
