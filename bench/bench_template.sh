#!/bin/bash
# Renders per second of a ~5 KB bulletin (header/footer/item partials,
# per-contact data), single thread: our engine vs mustache.js under Node, in
# the same run with the same template and data. Prints one table.
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
SECONDS_EACH=${BENCH_SECONDS:-3}
ROUNDS=${BENCH_ROUNDS:-3}
D="$SOURCE_DIR/bench/data"
BIN="$BUILD_DIR/bench/bench_template"
[ -x "$BIN" ] || { echo "bench_template: build first ($BIN missing)" >&2; exit 1; }
command -v node >/dev/null || { apt-get install -y nodejs npm >/dev/null; }
if [ ! -d "$SOURCE_DIR/bench/node_modules/mustache" ]; then
    npm install --prefix "$SOURCE_DIR/bench" --no-save --silent mustache >/dev/null
fi
export NODE_PATH="$SOURCE_DIR/bench/node_modules"
args=("$D/bulletin.html.mustache" "$D/partials" "$D/edition.json" "$D/contacts.json")
node_cmd=(node "$SOURCE_DIR/bench/bench_template.js")

# Both engines must produce the same bytes before their speeds mean anything.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 0 1 7; do
    "$BIN" --dump "$n" "${args[@]}" >"$tmp/c.html"
    "${node_cmd[@]}" --dump "$n" "${args[@]}" >"$tmp/js.html"
    cmp -s "$tmp/c.html" "$tmp/js.html" || {
        echo "outputs differ for contact $n:" >&2; diff "$tmp/c.html" "$tmp/js.html" | head >&2; exit 1; }
done
size=$(wc -c <"$tmp/c.html")

# The machine is shared: alternate the engines and keep the best of ROUNDS.
best() { awk -v a="$1" -v b="$2" 'BEGIN{print (a > b ? a : b)}'; }
c_rate=0 js_rate=0 cl_rate=0
for _ in $(seq "$ROUNDS"); do
    read -r r _ < <("$BIN" "${args[@]}" "$SECONDS_EACH"); c_rate=$(best "$c_rate" "$r")
    read -r r _ < <("${node_cmd[@]}" "${args[@]}" "$SECONDS_EACH"); js_rate=$(best "$js_rate" "$r")
    # Inheritance ({{<layout}}/{{$block}}) variant: ours only, mustache.js lacks it.
    read -r r _ < <("$BIN" "$D/bulletin-layout.html.mustache" "$D/partials" "$D/edition.json" \
        "$D/contacts.json" "$SECONDS_EACH"); cl_rate=$(best "$cl_rate" "$r")
done
mver=$(node -p "require('mustache/package.json').version")
nver=$(node --version)

printf '\nTemplate rendering, one thread, %s bytes per message, %s contacts, best of %s runs of %ss\n' \
    "$size" "$(node -p "require('$D/contacts.json').length")" "$ROUNDS" "$SECONDS_EACH"
printf '%-44s %14s %8s\n' "engine" "renders/s" "ratio"
printf '%-44s %14s %8s\n' "mailer template (C, partials)" "$c_rate" \
    "$(awk -v a="$c_rate" -v b="$js_rate" 'BEGIN{printf "%.1fx", a/b}')"
printf '%-44s %14s %8s\n' "mustache.js $mver (node $nver, partials)" "$js_rate" "1.0x"
printf '%-44s %14s %8s\n' "mailer template (C, {{<layout}} blocks)" "$cl_rate" \
    "$(awk -v a="$cl_rate" -v b="$js_rate" 'BEGIN{printf "%.1fx", a/b}')"
awk -v a="$c_rate" -v b="$js_rate" 'BEGIN{ r=a/b; printf "target >= 5x mustache.js: %s (%.1fx)\n", (r >= 5 ? "met" : "NOT met"), r }'
