#!/usr/bin/env python3
"""The peer of bench_bounce: Python's email package over the same files.

usage: bench_bounce.py LIST SECONDS
Per message: parse it (email.message_from_bytes, policy default), walk to
the message/delivery-status part and read each recipient's Final-Recipient,
Action and Status; for a message without one, its first text/plain part is
decoded (what a reader of a plain notice starts from). Less than what the
mailer does (no reason, no vendor texts), so the ratio flatters the peer.
Prints: "python-email NOTICES SECONDS BYTES".
"""
import email, email.policy, sys, time

files = [l.strip() for l in open(sys.argv[1]) if l.strip()]
limit = float(sys.argv[2])
data = [open(f, 'rb').read() for f in files]


def classify(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    found = []
    for part in m.walk():
        ct = part.get_content_type()
        if ct in ('message/delivery-status', 'message/global-delivery-status'):
            for group in part.get_payload():
                if group.get('Final-Recipient'):
                    found.append((group.get('Final-Recipient'), group.get('Action'),
                                  group.get('Status')))
    if not found:
        for part in m.walk():
            if part.get_content_type() == 'text/plain':
                try:
                    part.get_content()
                except Exception:
                    pass
                break
    return found


done = 0
start = time.monotonic()
while True:
    for raw in data:
        try:
            classify(raw)
        except Exception:
            pass
        done += 1
    el = time.monotonic() - start
    if el >= limit:
        break
print('python-email %d %.3f %d' % (done, el, sum(len(d) for d in data)))
