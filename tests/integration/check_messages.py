#!/usr/bin/python3
"""Check the messages a capture server received against the ledger, with an
independent parser (Python's email package).

usage: check_messages.py --dir OUTBOX --db LEDGER --campaign C --edition E
                         --subject "exact subject" --from-name "Voto Chilango"
                         --contacts contacts/diaspora.csv --expect N
Exits non-zero with a message on the first problem."""
import argparse
import csv
import email
import email.policy
import glob
import json
import os
import sqlite3
import sys


def fail(msg):
    print("check_messages: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--campaign", required=True)
    ap.add_argument("--edition", required=True)
    ap.add_argument("--subject", required=True)
    ap.add_argument("--from-name", required=True)
    ap.add_argument("--contacts", required=True)
    ap.add_argument("--expect", type=int, required=True)
    a = ap.parse_args()

    # Names as written in the list, by lower-case address (first row wins).
    names = {}
    with open(a.contacts, newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            addr = (row.get("Correo electrónico") or row.get("Correo") or "").strip().lower()
            full = " ".join(x for x in (row.get("Nombre", ""), row.get("Apellidos", "")) if x)
            names.setdefault(addr, full.strip())

    db = sqlite3.connect(a.db)
    rows = db.execute(
        "SELECT d.address, d.message_id, d.state, d.smtp_code FROM deliveries d"
        " JOIN mailings m ON m.id = d.mailing_id WHERE m.campaign = ? AND m.edition = ?",
        (a.campaign, a.edition)).fetchall()
    ledger = {r[0]: r for r in rows}
    sent = {addr for addr, r in ledger.items() if r[2] == "sent"}

    emls = sorted(glob.glob(os.path.join(a.dir, "*.eml")))
    received = {}
    for path in emls:
        env = json.load(open(path[:-4] + ".json"))
        rcpts = env["rcpt_tos"]
        if len(rcpts) != 1:
            fail(f"{path}: {len(rcpts)} recipients in one message")
        rcpt = rcpts[0]
        if rcpt in received:
            fail(f"{rcpt} received the mailing twice")
        with open(path, "rb") as f:
            raw = f.read()
        if b"\n" in raw.replace(b"\r\n", b""):
            fail(f"{path}: bare LF line ending")
        if any(len(line) > 998 for line in raw.split(b"\r\n")):
            fail(f"{path}: a line longer than 998 octets")
        if any(b > 127 for b in raw):
            fail(f"{path}: 8-bit data in a 7-bit message")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for part in msg.walk():
            if part.defects:
                fail(f"{path}: defects {part.defects}")
        if str(msg["Subject"]) != a.subject:
            fail(f"{path}: Subject {str(msg['Subject'])!r} != {a.subject!r}")
        frm = msg["From"].addresses[0]
        if frm.display_name != a.from_name:
            fail(f"{path}: From name {frm.display_name!r}")
        to = msg["To"].addresses[0]
        if to.addr_spec.lower() != rcpt.lower():
            fail(f"{path}: To {to.addr_spec} but RCPT {rcpt}")
        want = names.get(rcpt.lower())
        if want is not None and to.display_name != want:
            fail(f"{path}: To name {to.display_name!r} != {want!r}")
        alt = msg
        if msg.get_content_type() == "multipart/related":
            # the HTML and its inline images: the alternative comes first
            kinds = [p.get_content_type() for p in msg.iter_parts()]
            if kinds[0] != "multipart/alternative" or not all(k.startswith("image/") for k in kinds[1:]):
                fail(f"{path}: multipart/related holds {kinds}")
            for img in list(msg.iter_parts())[1:]:
                if not img["Content-ID"] or not img.get_content():
                    fail(f"{path}: an inline image without Content-ID or data")
            alt = next(msg.iter_parts())
        if alt.get_content_type() != "multipart/alternative":
            fail(f"{path}: top type {msg.get_content_type()}")
        parts = [p.get_content_type() for p in alt.iter_parts()]
        if parts != ["text/plain", "text/html"]:
            fail(f"{path}: alternatives {parts}")
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        if "Hola" not in text or "<html" not in html.lower():
            fail(f"{path}: bodies do not decode to the expected text")
        mid = msg["Message-ID"].strip("<> ")
        if rcpt not in ledger:
            fail(f"{rcpt} received a message the ledger does not know")
        if ledger[rcpt][1] != mid:
            fail(f"{rcpt}: Message-ID {mid} but the ledger says {ledger[rcpt][1]}")
        received[rcpt] = path

    if set(received) != sent:
        fail(f"ledger sent {len(sent)} but the server received {len(received)}: "
             f"{sorted(set(received) ^ sent)[:5]}")
    if len(received) != a.expect:
        fail(f"{len(received)} messages, expected {a.expect}")
    print(f"check_messages: {len(received)} messages checked: one per contact, "
          "no defects, headers decode, both alternatives, ledger agrees")


if __name__ == "__main__":
    main()
