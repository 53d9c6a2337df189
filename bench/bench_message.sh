#!/bin/bash
# Messages built per second, single thread: our libetpan builder against
# Nodemailer's MailComposer and Python's email package, same message
# (personalized ~5 KB HTML + text, one small inline PNG), same run.
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
SECONDS_EACH=${BENCH_SECONDS:-3}
bench=$SOURCE_DIR/bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -d "$bench/node_modules/nodemailer" ]; then
    npm install --silent --no-audit --no-fund --no-save --no-package-lock --prefix "$bench" nodemailer >/dev/null
fi
[ -x "$BUILD_DIR/bench/bench_message" ] || cmake --build "$BUILD_DIR" --target bench_message >/dev/null

/usr/bin/python3 - "$work" <<'PY'
import random, struct, sys, zlib
work = sys.argv[1]
random.seed(7)
para = ("<p>Este mes en <b>Corazón Chilango</b> te contamos cómo registrarte para votar desde el "
        "extranjero, quiénes pueden ser observadores electorales y cuándo es la próxima "
        "conversación virtual con la comunidad chilanga en Chicago, Dallas y Los Ángeles. "
        "¡No te lo pierdas! ¿Tienes dudas? Escríbenos.</p>\n")
html = ("<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">"
        "<title>Corazón Chilango</title></head>\n<body style=\"font-family:Arial,sans-serif\">\n"
        "<table width=\"600\" align=\"center\"><tr><td><img src=\"cid:logo@votochilango.example.org\" "
        "alt=\"Voto Chilango\" width=\"48\" height=\"48\"></td></tr><tr><td>\n"
        "<p>Hola, {{nombre}}:</p>\n")
while len(html.encode()) < 4900:
    html += para
html += "<p>Saludos,<br>Voto Chilango — IECM</p></td></tr></table></body></html>\n"
text = "Hola, {{nombre}}:\n\n" + "\n\n".join(
    ["Este mes en Corazón Chilango te contamos cómo registrarte para votar desde el extranjero, "
     "quiénes pueden ser observadores electorales y cuándo es la próxima conversación virtual."] * 8
) + "\n\nSaludos,\nVoto Chilango — IECM\n"
open(f"{work}/body.html", "w", encoding="utf-8").write(html)
open(f"{work}/body.txt", "w", encoding="utf-8").write(text)
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
w = h = 48
raw = b"".join(b"\x00" + bytes(random.randrange(256) for _ in range(w * 3)) for _ in range(h // 4))
raw += b"".join(b"\x00" + bytes([200, 30, 90] * w) for _ in range(h - h // 4))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
open(f"{work}/logo.png", "wb").write(png)
PY

args=("$work/body.html" "$work/body.txt" "$work/logo.png" "$SECONDS_EACH")
c=$("$BUILD_DIR/bench/bench_message" "${args[@]}")
node=$(node "$bench/bench_message.js" "${args[@]}")
py=$(/usr/bin/python3 "$bench/bench_message.py" "${args[@]}")

printf 'message build, single thread, %s s each: HTML %s B, text %s B, inline PNG %s B\n' \
    "$SECONDS_EACH" "$(wc -c <"$work/body.html")" "$(wc -c <"$work/body.txt")" "$(wc -c <"$work/logo.png")"
printf '%s\n%s\n%s\n' "$c" "$node" "$py" | awk '
{ name[NR] = $1; rate[NR] = $2 / $3; size[NR] = $4 }
END {
    best = rate[2] > rate[3] ? rate[2] : rate[3]
    printf "%-18s %12s %10s %14s\n", "builder", "messages/s", "msg bytes", "vs ours"
    for (i = 1; i <= NR; i++)
        printf "%-18s %12.0f %10d %13.1fx\n", name[i], rate[i], size[i], rate[1] / rate[i]
    printf "ours / faster peer: %.1fx (target >= 10x)\n", rate[1] / best
}'
