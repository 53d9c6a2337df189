#!/usr/bin/python3
"""capture_smtp - a capturing SMTP server for tests and the demo (loopback only).

Every accepted message is written as DIR/NNNNNN.eml (the bytes received after
DATA, dot-unstuffed, CRLF line ends as sent) and then DIR/NNNNNN.json with
{"mail_from", "rcpt_tos", "tls", "auth_user", "conn"} ("conn" numbers the
connection, counted from 1, so tests can tell connection reuse). The .json is
renamed into place after the .eml: once it exists both files are complete.
Messages that get a non-2xx reply are not saved.

Fault injection by the local part of a recipient (case-insensitive prefix):
  t451...      451 4.3.0 at RCPT            t452...  452 4.2.2 mailbox full at RCPT
  t550...      550 5.1.1 user unknown at RCPT
  t554data...  554 5.7.1 after DATA
  t421...      421 4.3.2 at RCPT, then the connection is closed
  tdrop...     the connection is dropped once the message data is in, before
               any reply to it (aiosmtpd hands over DATA only when complete)
  tslow...     the reply to DATA waits --slow-seconds (saved only if the client
               is still there to get the 250)
  tflaky...    451 4.3.0 the first time the address is seen, accepted afterwards
  tbye...      accepted, then 421 4.4.2 and the connection is closed at once
               (a server ending an idle connection)
  tmulti...    Gmail's two-line "550-5.4.5 Daily user sending limit exceeded..."
               after DATA
  tgone...     saved, then the connection is dropped with no reply to the final
               "." (the server has the message; the client cannot know)
  thang...     saved, then no reply to the final "." at all (the client times out)

Fault injection by phase (any reply at any step, for every connection):
--rule PHASE:AFTER:REPLY (repeatable) answers REPLY to every PHASE command
after the first AFTER of them (counted over the whole server), PHASE one of
greeting, ehlo, starttls, auth, mail, rcpt, data (the reply to the final ".").
In REPLY "|" separates the lines of a multi-line reply ("550-5.4.5 a|550 5.4.5
b"); "drop" closes the connection without a reply, "hang" never replies; at
data both save the message first (the server has it). Example: the Microsoft
365 daily quota after 3 messages:
  --rule 'data:3:554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException'
--spare ADDRESS (repeatable): rcpt and data rules leave alone (and do not
count) a message to ADDRESS, e.g. the person a test watches for a notice.

TLS: --cert/--key offer STARTTLS (--require-tls: 530 to MAIL before it);
--implicit-tls speaks TLS from the first byte (smtps://); --no-tls ignores the
certificate. AUTH (--auth USER:PASSWORD) is required when given: PLAIN, LOGIN,
and XOAUTH2 with PASSWORD as the bearer token; over TLS only when TLS is on.
--auth-mechanisms limits what is offered (default PLAIN,LOGIN,XOAUTH2).
--data-delay SECONDS makes every DATA reply wait (a slow relay).
--ready-file gets the port once listening; --watch-pid makes the server exit
when that process is gone. Each connection, AUTH and message is logged to --log.

Run with Debian's /usr/bin/python3 (python3-aiosmtpd).
"""

import argparse
import asyncio
import base64
import json
import logging
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

FAULTS = ("t554data", "t451", "t452", "t550", "t421", "tdrop", "tslow", "tflaky", "tbye",
          "tmulti", "tgone", "thang")
PHASES = ("greeting", "ehlo", "starttls", "auth", "mail", "rcpt", "data")
GMAIL_LIMIT = ("550-5.4.5 Daily user sending limit exceeded. For more information on Gmail\r\n"
               "550-5.4.5 sending limits go to\r\n"
               "550 5.4.5  https://support.google.com/a/answer/166852 - gsmtp")


class Rule:
    def __init__(self, text):
        phase, after, reply = text.split(":", 2)
        if phase not in PHASES:
            raise ValueError("phase %r: one of %s" % (phase, ", ".join(PHASES)))
        self.phase, self.after, self.seen = phase, int(after), 0
        self.reply = reply.replace("|", "\r\n")

    def hit(self):
        self.seen += 1
        return self.seen > self.after


def fault_of(address):
    local = address.split("@", 1)[0].lower()
    for prefix in FAULTS:
        if local.startswith(prefix):
            return prefix
    return None


class Capture:
    """The handler: shared state of the whole server."""

    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        self.count = self._first_free_number()
        self.saved = 0
        self.connections = 0
        self.flaky_seen = set()
        self.rules = [Rule(r) for r in (args.rule or [])]
        self.log_file = open(args.log, "a", buffering=1) if args.log else None
        if args.auth:
            user, _, password = args.auth.partition(":")
            self.user, self.password = user.encode(), password.encode()
        else:
            self.user = self.password = None

    def _first_free_number(self):
        top = 0
        for name in os.listdir(self.dir):
            stem, ext = os.path.splitext(name)
            if ext == ".eml" and stem.isdigit():
                top = max(top, int(stem))
        return top

    def log(self, fmt, *args):
        if self.log_file:
            self.log_file.write("%.3f " % time.time() + (fmt % args) + "\n")

    def rule(self, phase):
        """The reply a --rule gives to this command of phase, or None."""
        for r in self.rules:
            if r.phase == phase and r.hit():
                return r.reply
        return None

    async def answer(self, server, phase, reply):
        """Give a rule's reply: push it, or drop, or hang."""
        self.log("conn %d %s rule %s", server.conn_id, phase, reply.replace("\r\n", "|"))
        if reply == "drop":
            server.transport.abort()
            await asyncio.sleep(3600)  # cancelled by connection_lost
        if reply == "hang":
            await asyncio.sleep(3600)
        await server.push(reply)

    # --- authentication -------------------------------------------------
    def authenticator(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        self.log("conn %d auth %s user=%r %s", server.conn_id, mechanism,
                 auth_data.login if isinstance(auth_data, LoginPassword) else None,
                 "ok" if ok else "refused")
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    async def auth_XOAUTH2(self, server, args):
        """user=U^Aauth=Bearer T^A^A; the bearer token must equal the password."""
        if len(args) > 1:
            try:
                text = base64.b64decode(args[1], validate=True)
            except ValueError:
                return AuthResult(success=False, handled=False)
        else:  # challenge_auth decodes the base64 itself
            text = await server.challenge_auth("", encode_to_b64=False)
            if text is MISSING or text is None:
                return AuthResult(success=False, handled=False)
        fields = dict(p.split(b"=", 1) for p in text.split(b"\x01") if b"=" in p)
        ok = (fields.get(b"user") == self.user
              and fields.get(b"auth") == b"Bearer " + (self.password or b""))
        self.log("conn %d auth XOAUTH2 user=%r %s", server.conn_id, fields.get(b"user"),
                 "ok" if ok else "refused")
        if not ok:
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=LoginPassword(self.user, b""))

    # --- SMTP hooks -----------------------------------------------------
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        reply = self.rule("ehlo")
        if reply is not None:
            self.log("conn %d ehlo rule %s", server.conn_id, reply)
            return [reply]
        if self.user is None:  # no --auth: do not advertise AUTH at all
            responses = [r for r in responses if not r.startswith("250-AUTH")]
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = self.rule("mail")
        if reply is not None:
            if reply in ("drop", "hang"):
                await self.answer(server, "mail", reply)
            self.log("conn %d mail rule %s", server.conn_id, reply.replace("\r\n", "|"))
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    def spared(self, addresses):
        spare = {a.lower() for a in (self.args.spare or [])}
        return bool(addresses) and all(a.lower() in spare for a in addresses)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = None if self.spared([address]) else self.rule("rcpt")
        if reply is not None:
            if reply in ("drop", "hang"):
                await self.answer(server, "rcpt", reply)
            self.log("conn %d rcpt rule %s", server.conn_id, reply.replace("\r\n", "|"))
            return reply
        fault = fault_of(address)
        if fault == "t451":
            return "451 4.3.0 Temporary failure, try again later"
        if fault == "t452":
            return "452 4.2.2 Mailbox full"
        if fault == "t550":
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if fault == "t421":
            self.log("conn %d rcpt %s 421 close", server.conn_id, address)
            await hang_up(server, "421 4.3.2 Service shutting down, closing connection")
        if fault == "tflaky" and address.lower() not in self.flaky_seen:
            self.flaky_seen.add(address.lower())
            return "451 4.3.0 Flaky: first attempt deferred"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        faults = {fault_of(a) for a in envelope.rcpt_tos}
        reply = None if self.spared(envelope.rcpt_tos) else self.rule("data")
        if reply is not None:
            if reply in ("drop", "hang"):
                self.save(server, session, envelope)
                await self.answer(server, "data", reply)
            self.log("conn %d data rule %s", server.conn_id, reply.replace("\r\n", "|"))
            return reply
        if "tmulti" in faults:
            self.log("conn %d data multi-line 550 5.4.5", server.conn_id)
            return GMAIL_LIMIT
        if faults & {"tgone", "thang"}:
            self.save(server, session, envelope)
            await self.answer(server, "data", "drop" if "tgone" in faults else "hang")
        if "t554data" in faults:
            self.log("conn %d data 554", server.conn_id)
            return "554 5.7.1 Message rejected: content refused"
        if "tdrop" in faults:
            self.log("conn %d data drop", server.conn_id)
            server.transport.abort()
            await asyncio.sleep(3600)  # cancelled by connection_lost
        if "tslow" in faults:
            self.log("conn %d data slow %.1fs", server.conn_id, self.args.slow_seconds)
            await asyncio.sleep(self.args.slow_seconds)
            if server.transport is None or server.transport.is_closing():
                await asyncio.sleep(3600)  # the client left: cancelled, not saved
        if self.args.data_delay > 0:
            await asyncio.sleep(self.args.data_delay)
        number = self.save(server, session, envelope)
        reply = "250 2.0.0 Ok: queued as %06d" % number
        if "tbye" in faults:
            await server.push(reply)
            await hang_up(server, "421 4.4.2 Idle timeout, closing connection")
        return reply

    def save(self, server, session, envelope):
        self.count += 1
        self.saved += 1
        number = self.count
        base = os.path.join(self.dir, "%06d" % number)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        auth = session.auth_data
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "tls": session.ssl is not None or self.args.implicit_tls,
            "auth_user": auth.login.decode("utf-8", "replace")
            if isinstance(auth, LoginPassword) else None,
            "conn": server.conn_id,
        }
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".json.tmp", base + ".json")
        self.log("conn %d saved %06d from=%s to=%s", server.conn_id, number,
                 envelope.mail_from, ",".join(envelope.rcpt_tos))
        return number


async def hang_up(server, reply):
    """Send reply, close the connection and wait to be cancelled by connection_lost."""
    await server.push(reply)
    server.transport.close()
    try:
        await asyncio.sleep(30)
    finally:
        if server.transport is not None:
            server.transport.abort()


class CaptureSMTP(SMTP):
    def __init__(self, capture, *args, **kwargs):
        super().__init__(capture, *args, **kwargs)
        capture.connections += 1
        self.conn_id = capture.connections
        self.capture = capture

    def connection_made(self, transport):
        first = self.transport is None
        super().connection_made(transport)
        if first:
            self.capture.log("conn %d open %r", self.conn_id, self.session.peer)

    def connection_lost(self, error):
        self.capture.log("conn %d closed", self.conn_id)
        super().connection_lost(error)

    async def _handle_client(self):
        reply = self.capture.rule("greeting")
        if reply is not None:
            await self.capture.answer(self, "greeting", reply)
            self.transport.close()
            return
        await super()._handle_client()

    async def smtp_STARTTLS(self, arg):
        reply = self.capture.rule("starttls")
        if reply is not None:
            await self.capture.answer(self, "starttls", reply)
            return
        await super().smtp_STARTTLS(arg)

    async def smtp_AUTH(self, arg):
        reply = self.capture.rule("auth")
        if reply is not None:
            await self.capture.answer(self, "auth", reply)
            return
        await super().smtp_AUTH(arg)

    smtp_STARTTLS.__dict__.update(SMTP.smtp_STARTTLS.__dict__)
    smtp_AUTH.__dict__.update(SMTP.smtp_AUTH.__dict__)


def tls_context(args):
    if not args.cert or args.no_tls:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    return ctx


def parse_args(argv):
    p = argparse.ArgumentParser(description="capturing SMTP server for tests")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0: pick a free port")
    p.add_argument("--dir", required=True, help="where messages are saved")
    p.add_argument("--cert", help="server certificate (PEM): offer STARTTLS")
    p.add_argument("--key", help="its private key (PEM)")
    p.add_argument("--require-tls", action="store_true", help="530 to MAIL before STARTTLS")
    p.add_argument("--no-tls", action="store_true", help="ignore --cert: plain SMTP only")
    p.add_argument("--implicit-tls", action="store_true",
                   help="TLS from the first byte (smtps://) instead of STARTTLS")
    p.add_argument("--watch-pid", type=int, help="exit when this process is gone")
    p.add_argument("--auth", metavar="USER:PASSWORD",
                   help="require AUTH PLAIN/LOGIN (or XOAUTH2 with PASSWORD as token)")
    p.add_argument("--ready-file", help="write the port here once listening")
    p.add_argument("--log", help="append a line per connection and message here")
    p.add_argument("--auth-mechanisms", default="PLAIN,LOGIN,XOAUTH2",
                   help="comma-separated AUTH mechanisms to offer")
    p.add_argument("--slow-seconds", type=float, default=30.0)
    p.add_argument("--data-delay", type=float, default=0.0,
                   help="seconds every reply to DATA waits (a slow relay)")
    p.add_argument("--timeout", type=float, default=300.0, help="idle connection timeout")
    p.add_argument("--spare", action="append", metavar="ADDRESS",
                   help="rcpt and data rules leave messages to ADDRESS alone")
    p.add_argument("--rule", action="append", metavar="PHASE:AFTER:REPLY",
                   help="answer REPLY to PHASE after AFTER such commands (see the top)")
    args = p.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        p.error("--cert and --key go together")
    if (args.require_tls or args.implicit_tls) and (not args.cert or args.no_tls):
        p.error("--require-tls and --implicit-tls need --cert and --key")
    if args.require_tls and args.implicit_tls:
        p.error("--require-tls is for STARTTLS; --implicit-tls is always TLS")
    for r in args.rule or []:
        try:
            Rule(r)
        except ValueError as e:
            p.error("--rule %s: %s" % (r, e))
    os.makedirs(args.dir, exist_ok=True)
    return args


async def watch(pid, stop):
    """Stop when pid is gone, so a crashed test leaves no server behind."""
    while not stop.done():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            stop.done() or stop.set_result(None)
            return
        except PermissionError:
            pass
        await asyncio.sleep(0.5)


async def serve(args):
    capture = Capture(args)
    ctx = tls_context(args)

    def factory():
        return CaptureSMTP(
            capture,
            hostname="capture.test",
            ident="capture_smtp",
            tls_context=None if args.implicit_tls else ctx,
            require_starttls=args.require_tls,
            auth_required=bool(args.auth),
            auth_require_tls=ctx is not None and not args.implicit_tls,
            authenticator=capture.authenticator if args.auth else None,
            auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN", "XOAUTH2")
                                    if m not in args.auth_mechanisms.upper().split(",")],
            timeout=args.timeout,
            command_call_limit=None,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host=args.host, port=args.port,
                                      reuse_address=True, backlog=512,
                                      ssl=ctx if args.implicit_tls else None)
    port = server.sockets[0].getsockname()[1]
    capture.log("listening on %s:%d", args.host, port)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.ready_file)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    if args.watch_pid:
        loop.create_task(watch(args.watch_pid, stop))
    await stop
    server.close()
    capture.log("stopped after %d connections, %d messages saved", capture.connections,
                capture.saved)


def main(argv):
    args = parse_args(argv)
    # aiosmtpd 1.4 itself sets the deprecated Session.login_data on AUTH and
    # logs a warning about it each time.
    logging.getLogger("mail.log").addFilter(
        lambda record: "login_data is deprecated" not in record.getMessage())
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    sys.exit(main(sys.argv[1:]))
