#!/usr/bin/env bash
# bench_contacts - load + validate + dedupe a generated 1,000,000-row list
# with contacts_load(), and read the same file with Python's csv module in
# the same run. Prints rows/s, peak RSS and the ratio. Targets (issue 3):
# >= 1,000,000 rows/s, peak RSS < 256 MB.
#
# Env: BUILD_DIR (where bench/bench_contacts is built), SOURCE_DIR.
# ROWS overrides the row count. The list goes to a temp dir, never the repo.
set -euo pipefail
BUILD_DIR=${BUILD_DIR:-build}
ROWS=${ROWS:-1000000}
BIN="$BUILD_DIR/bench/bench_contacts"
PY=/usr/bin/python3
[ -x "$BIN" ] || { echo "bench_contacts: $BIN not built" >&2; exit 1; }
[ -x /usr/bin/time ] || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
LIST="$T/diaspora.csv"

# What Spanish-locale Excel writes: UTF-8 BOM, ';', CRLF, accents, a
# quoted field now and then, 2 % duplicates (other case), 1 % bad addresses.
$PY - "$LIST" "$ROWS" <<'EOF'
import random, sys
path, rows = sys.argv[1], int(sys.argv[2])
random.seed(2026)
first = ["José", "María", "Juan", "Guadalupe", "Luis", "Ana", "Iván", "Sofía", "Tomás", "Rosa"]
nick = ["jose", "maria", "juan", "lupe", "luis", "ana", "ivan", "sofia", "tomas", "rosa"]
last = ["Pérez", "García", "Hernández", "López", "Martínez", "Núñez", "Ortiz", "Ramírez"]
cities = ["Chicago", "Dallas", "Los Ángeles", "Houston", "Nueva York", "Toronto", "Madrid"]
doms = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "example.org", "correo.example.mx"]
with open(path, "w", encoding="utf-8-sig", newline="") as f:
    f.write("Nombre;Apellidos;Correo electrónico;Ciudad;País\r\n")
    for i in range(rows):
        k = random.randrange(10)
        ln = random.choice(last)
        addr = f"{nick[k]}.{i}@{doms[i % 6]}"
        r = random.random()
        if r < 0.02 and i > 10:
            addr = f"{nick[k]}.{i - 7}@{doms[(i - 7) % 6]}".upper()
        elif r < 0.03:
            addr = addr.replace("@", " at ")
        city = random.choice(cities)
        if i % 50 == 0:
            city = f'"{city}; EE. UU."'
        f.write(f"{first[k]};{ln};{addr};{city};Estados Unidos\r\n")
EOF
SIZE=$(stat -c %s "$LIST")

# best of 3 runs; peak RSS from /usr/bin/time -v
best_c() {
    local mode=$1 best="" line rss
    for _ in 1 2 3; do
        /usr/bin/time -v "$BIN" $mode "$LIST" >"$T/c.out" 2>"$T/c.time"
        line=$(cat "$T/c.out")
        rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$T/c.time")
        rps=$(sed -n 's/.*rows_per_cpu_s=\([0-9]*\).*/\1/p' <<<"$line")
        if [ -z "$best" ] || [ "$rps" -gt "${best%% *}" ]; then
            best="$rps $rss $line"
        fi
    done
    echo "$best"
}

best_py() {
    local script=$1 best="" out rps rss
    for _ in 1 2 3; do
        /usr/bin/time -v $PY -c "$script" "$LIST" >"$T/p.out" 2>"$T/p.time"
        out=$(cat "$T/p.out")
        rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$T/p.time")
        rps=$(sed -n 's/.*rows_per_cpu_s=\([0-9]*\).*/\1/p' <<<"$out")
        if [ -z "$best" ] || [ "$rps" -gt "${best%% *}" ]; then
            best="$rps $rss $out"
        fi
    done
    echo "$best"
}

# Python's csv module only reading the rows (the floor of any script).
PY_READ='
import csv, sys, time
t = time.perf_counter()
n = 0
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for row in csv.reader(f, delimiter=";"):
        n += 1
n -= 1
s = time.perf_counter() - t
c = time.process_time()
print(f"rows={n} seconds={s:.3f} cpu_seconds={c:.3f} rows_per_s={n / s:.0f} rows_per_cpu_s={n / c:.0f}")
'
# What an office script would do: DictReader, strip, a basic check, dedupe
# case-insensitively (far less validation than contacts_load does).
PY_DEDUPE='
import csv, sys, time
t = time.perf_counter()
seen = set(); n = ok = 0
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f, delimiter=";"):
        n += 1
        a = row["Correo electrónico"].strip()
        local, at, dom = a.rpartition("@")
        if not at or not local or "." not in dom or " " in a:
            continue
        k = a.lower()
        if k in seen:
            continue
        seen.add(k); ok += 1
s = time.perf_counter() - t
c = time.process_time()
print(f"rows={n} accepted={ok} seconds={s:.3f} cpu_seconds={c:.3f} rows_per_s={n / s:.0f} rows_per_cpu_s={n / c:.0f}")
'

read -r C_RPS C_RSS C_LINE <<<"$(best_c "")"
read -r N_RPS N_RSS N_LINE <<<"$(best_c --no-vars)"
read -r P_RPS P_RSS P_LINE <<<"$(best_py "$PY_READ")"
read -r D_RPS D_RSS D_LINE <<<"$(best_py "$PY_DEDUPE")"

BTYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
wall() { sed -n 's/.* rows_per_s=\([0-9]*\).*/\1/p' <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "contacts benchmark: $ROWS rows, $((SIZE / 1024 / 1024)) MiB (BOM, ';', CRLF, 2 % duplicates, 1 % bad)"
echo "build ${BTYPE:-?}; best of 3 by CPU time; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "C:      $C_LINE"
echo "C nv:   $N_LINE"
echo "Python: $P_LINE"
echo "Python: $D_LINE"
printf '\n%-50s %11s %11s %8s %11s\n' "reader" "rows/s" "rows/CPU-s" "RSS MB" "C÷this CPU"
row() { printf '%-50s %11s %11s %8s %11s\n' "$1" "$2" "$3" "$4" "$5"; }
row "contacts_load: parse+validate+IDN+dedupe+vars" "$(wall "$C_LINE")" "$C_RPS" "$((C_RSS / 1024))" "1.00"
row "contacts_load, no_vars (audience freeze)" "$(wall "$N_LINE")" "$N_RPS" "$((N_RSS / 1024))" "$(ratio "$C_RPS" "$N_RPS")"
row "python3 csv.reader, read only" "$(wall "$P_LINE")" "$P_RPS" "$((P_RSS / 1024))" "$(ratio "$C_RPS" "$P_RPS")"
row "python3 csv.DictReader + basic check + set dedupe" "$(wall "$D_LINE")" "$D_RPS" "$((D_RSS / 1024))" "$(ratio "$C_RPS" "$D_RPS")"
echo "targets: >= 1000000 rows/s, peak RSS < 256 MB (RSS: /usr/bin/time -v, whole process)"
