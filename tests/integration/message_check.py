"""Check sample messages with an independent parser (Python's email package).

Usage: message_check.py DIR. For each DIR/NAME.eml, DIR/NAME.expect says what
it must decode to (written by test_message with MESSAGE_OUT=DIR). Exits 1 on
the first message that fails, naming it and the reason.
"""
import email
import email.policy
import pathlib
import sys

# Our only tolerated header defects: RFC 2047 words inside the quoted
# name/filename parameter of an attachment (libetpan cannot write RFC 2231).
ATTACHMENT_NAME_DEFECTS = {
    "encoded word inside quoted string",
    "missing trailing whitespace after encoded-word",
}


def fail(name, why):
    print(f"FAIL {name}: {why}")
    sys.exit(1)


def read_expect(path):
    exp = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        exp[key] = value
    return exp


def lf(s):
    return s.replace("\r\n", "\n")


def check_wire(name, raw):
    if any(b >= 0x80 for b in raw):
        fail(name, "8-bit octet in the message")
    if b"\n" in raw.replace(b"\r\n", b"") or b"\r" in raw.replace(b"\r\n", b""):
        fail(name, "bare CR or LF")
    longest = max(len(l) for l in raw.split(b"\r\n"))
    if longest > 998:
        fail(name, f"line of {longest} octets")


def check_headers(name, part, tolerated):
    notes = []
    for key, value in part.items():
        for d in getattr(value, "defects", ()):
            if tolerated and key.lower() in ("content-type", "content-disposition") \
                    and str(d) in ATTACHMENT_NAME_DEFECTS:
                notes.append(f"{key}: {d}")
                continue
            fail(name, f"header {key}: defect {d!r}")
    return notes


def check(path):
    name = path.stem
    raw = path.read_bytes()
    exp = read_expect(path.with_suffix(".expect"))
    check_wire(name, raw)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    notes = []
    for part in msg.walk():
        if part.defects:
            fail(name, f"{part.get_content_type()}: defects {part.defects}")
        notes += check_headers(name, part, part.get_content_disposition() == "attachment")

    want_names = ["Date", "From"] + (["Reply-To"] if "Reply-To" in msg else []) + \
        ["To", "Message-ID", "Subject"]
    if exp["list"] == "1":
        want_names += ["List-Id", "List-Unsubscribe"]
        if exp["url"] == "1":
            want_names.append("List-Unsubscribe-Post")
    want_names += ["MIME-Version", "Content-Type"]
    if exp["html"] == "0" and exp["nattach"] == "0":
        want_names.append("Content-Transfer-Encoding")
    if msg.keys() != want_names:
        fail(name, f"headers {msg.keys()} != {want_names}")

    if str(msg["Subject"]) != exp["subject"]:
        fail(name, f"Subject {str(msg['Subject'])!r} != {exp['subject']!r}")
    for field, key in (("From", "from"), ("To", "to")):
        addrs = msg[field].addresses
        if len(addrs) != 1:
            fail(name, f"{field} holds {len(addrs)} addresses")
        # Python's phrase parser collapses runs of spaces in a display name
        if " ".join(addrs[0].display_name.split()) != " ".join(exp[key + "_name"].split()):
            fail(name, f"{field} name {addrs[0].display_name!r} != {exp[key + '_name']!r}")
        if addrs[0].addr_spec != exp[key + "_addr"]:
            fail(name, f"{field} address {addrs[0].addr_spec!r}")
    if msg["Date"].datetime is None or msg["Message-ID"] is None:
        fail(name, "Date or Message-ID unreadable")

    text = (path.parent / (name + ".text")).read_text(encoding="utf-8")
    plain = msg.get_body(("plain",))
    if plain is None or lf(plain.get_content()).rstrip("\n") != lf(text).rstrip("\n"):
        fail(name, "text/plain part missing or different")
    if plain.get_content_charset() != "utf-8":
        fail(name, "text/plain is not utf-8")
    if exp["html"] == "1":
        html = (path.parent / (name + ".html")).read_text(encoding="utf-8")
        hpart = msg.get_body(("html",))
        if hpart is None or lf(hpart.get_content()) != lf(html):
            fail(name, "text/html part missing or different")
        alt = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
        kids = [p.get_content_type() for p in alt[0].iter_parts()] if alt else []
        if kids != ["text/plain", "text/html"]:
            fail(name, f"alternative holds {kids}")
    if exp["ninline"] != "0":
        data = pathlib.Path(exp["inline"]).read_bytes()
        imgs = [p for p in msg.walk() if p["Content-ID"]]
        if len(imgs) != 1 or imgs[0].get_content() != data:
            fail(name, "inline image missing or different")
        if msg.get_content_type() not in ("multipart/related", "multipart/mixed"):
            fail(name, f"top type {msg.get_content_type()}")
    if exp["nattach"] != "0":
        data = pathlib.Path(exp["attach"]).read_bytes()
        atts = list(msg.iter_attachments())
        if len(atts) != 1 or atts[0].get_content() != data:
            fail(name, "attachment missing or different")
        if atts[0].get_filename() != exp["attach_name"]:
            fail(name, f"attachment name {atts[0].get_filename()!r}")
    print(f"ok   {name}: Subject {str(msg['Subject'])!r}, To {str(msg['To'])!r}"
          + (f" (tolerated {len(notes)} header notes: RFC 2047 words in the quoted attachment name)" if notes else ""))


def main():
    files = sorted(pathlib.Path(sys.argv[1]).glob("*.eml"))
    if not files:
        fail("-", "no messages")
    for f in files:
        check(f)
    print(f"{len(files)} messages parsed by Python email without defects")


main()
