#!/bin/bash
# make_certs.sh DIR - a throwaway CA and server certificates for loopback tests.
#
# Writes PEM files into DIR (created if missing; existing files are kept, so
# calling it again is instant):
#   ca.pem ca.key            the test CA (trust it with CA_FILE / ca_file)
#   server.pem server.key    127.0.0.1, ::1 and localhost, signed by the CA
#   expired.pem expired.key  the same names, signed by the CA, expired
#   wronghost.pem wronghost.key  signed by the CA for wrong.example only
# EC P-256 keys: generating them takes milliseconds.
set -euo pipefail
dir=${1:?usage: make_certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
[[ -s ca.pem && -s server.pem && -s expired.pem && -s wronghost.pem ]] && exit 0

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign NAME SUBJECT SAN DAYS_FROM DAYS_TO: issue NAME.pem for NAME.key from the CA.
sign() {
    local name=$1 subject=$2 san=$3
    key "$name.key"
    openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr" 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' \
        "$san" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
        -extfile "$name.ext" "${@:4}" -out "$name.pem" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
}

key ca.key
openssl req -x509 -new -key ca.key -subj "/CN=Mailer Test CA" -days 3650 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out ca.pem 2>/dev/null
sign server "/CN=localhost" "DNS:localhost,IP:127.0.0.1,IP:::1" -days 825
# Expired: `openssl x509 -req` cannot backdate (-not_before arrives in OpenSSL 3.4),
# `openssl ca` can (-startdate/-enddate), given a minimal CA config.
cat >ca.cnf <<'CNF'
[ca]
default_ca = test
[test]
database = index.txt
new_certs_dir = .
serial = ca.srl
default_md = sha256
policy = any
copy_extensions = copy
[any]
commonName = supplied
CNF
: >index.txt
key expired.key
openssl req -new -key expired.key -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" -out expired.csr 2>/dev/null
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr \
    -startdate 20200101000000Z -enddate 20200102000000Z -notext -out expired.pem 2>/dev/null
serial=$(openssl x509 -in expired.pem -noout -serial | cut -d= -f2)
rm -f expired.csr index.txt* ca.cnf "$serial.pem"
sign wronghost "/CN=wrong.example" "DNS:wrong.example" -days 825
rm -f ca.srl.old
chmod 600 ./*.key
