/* bounce_notice - delivery failure notices that are not RFC 3464: the plain
 * texts of Postfix, Sendmail (V5 and V8 transcripts), qmail, Exim, Courier,
 * OpenSMTPD, Exchange 2003 to Online, Gmail, Yahoo, Zoho, GMX, Notes,
 * IMail, the Japanese carriers, list managers and the filtering gateways.
 *
 * No vendor is named in the code below: the notices share a few shapes,
 * and the rules read the shapes.
 *  - Who failed: the X-Failed-Recipients header; else every address that
 *    leads a line of the notice's own words (before the copy of the
 *    returned message): "<a@b>:", "a@b", ">>> a@b", "550 <a@b>... why",
 *    "[Status: Error, Address: <a@b>"; else an address after "Your message
 *    to", "RCPT TO:"...; else any other address in its words; else the To
 *    of the returned message. The notice's sender, the original sender and
 *    the daemons are never recipients.
 *  - What each one got: the lines of its block (the address's line and the
 *    ones after it to an empty line or the next recipient), the lines of a
 *    transcript that name it and the command before them; when these say
 *    nothing, the notice's one diagnostic ("Remote host said:", "The error
 *    that the other server returned was:", "reason:").
 *  - Its status: the first enhanced code in its words, else its reply code
 *    (5xx: 5.0.0, 4xx: 4.0.0), else the notice's, else 4.0.0 for a warning
 *    ("will be retried") and 5.0.0 for a failure. */
#include "bounce.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce_int.h"
#include "buf.h"

#include "banned.h"

#define BLOCK_LINES 10

/* Folded phrases that only a delivery-failure notice says. */
static const char *const notice_phrases[] = {"this is the qmail-send program",
                                             "delivery has failed to these recipients",
                                             "couldn't be delivered",
                                             "could not be delivered",
                                             "wasn't delivered to",
                                             "was not delivered to",
                                             "address not found",
                                             "the email account that you tried to reach",
                                             "unable to deliver your message",
                                             "unable to deliver message",
                                             "created automatically by mail delivery software",
                                             "created automatically by mail delivery system",
                                             "the following address(es) failed",
                                             "addresses had permanent fatal errors",
                                             "had fatal errors",
                                             "i'm sorry to have to inform you",
                                             "delivery to the following recipient",
                                             "permanent error",
                                             "undeliverable",
                                             "delivery failed",
                                             "remote host said",
                                             "remote server returned",
                                             "smtp error from remote",
                                             "no se pudo entregar",
                                             "no se ha podido entregar",
                                             "no pudo ser entregado",
                                             "has not yet been delivered",
                                             "could not deliver",
                                             "failed permanently",
                                             "requested action not taken",
                                             "not a valid user",
                                             "error message below",
                                             "are not member",
                                             "not a member",
                                             "permission to post",
                                             "sent <<< rcpt to",
                                             "transcript of session follows",
                                             "did not reach the following recipient",
                                             "did not reach some or all",
                                             "could not be reached",
                                             "message could not be delivered",
                                             "your message was not delivered",
                                             "your message could not be sent",
                                             "is a warning message only",
                                             "delivery status notification",
                                             "mail delivery failed",
                                             "returned mail",
                                             "this message was undeliverable",
                                             "delivery to the following recipients failed",
                                             "nondeliverable mail",
                                             "the following recipients could not",
                                             "the following message to",
                                             "the mailer-daemon",
                                             "following list of recipients",
                                             "error-message",
                                             "failed to deliver",
                                             "has been delayed",
                                             "cannot be delivered",
                                             NULL};

static const char *const notice_subjects[] = {
    "undeliver",
    "could not be delivered",
    "non-delivery",
    "delivery status notification",
    "returned mail",
    "failure notice",
    "mail delivery failed",
    "delivery failure",
    "delivery has failed",
    "message not delivered",
    "nondeliverable",
    "non-deliverable",
    "non remis",
    "no se puede entregar",
    "no entregado",
    "no se pudo entregar",
    "estado de entrega",
    "delivery notification",
    "mail delivery subsystem",
    "delayed mail",
    "delivery delayed",
    "warning: message",
    "warning: could not send",
    "failed delivery",
    "mail failed",
    "returning to sender",
    "returned to sender",
    "delivery problem",
    "undelivered",
    "could not send",
    "not member",
    "errors from",
    "mail system error",
    "delivery report",
    "unzustellbar",
    "non recapitabile",
    "onbestelbaar",
    "\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc\xe9\x80\x9a\xe7\x9f\xa5", /* エラー通知 */
    "\xe9\x85\x8d\xe4\xbf\xa1\xe3\x81\xa7\xe3\x81\x8d\xe3\x81\xbe\xe3\x81\x9b\xe3\x82"
    "\x93",                                                         /* 配信できません */
    "\xe4\xb8\x8d\xe9\x81\x94",                                     /* 不達 */
    "\xe9\x80\x81\xe4\xbf\xa1\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc", /* 送信エラー */
    NULL};

static const char *const daemon_senders[] = {
    "mailer-daemon", "postmaster",    "mail-daemon", "mailerdaemon",       "mail delivery",
    "post_master",   "mailer_daemon", "mdaemon",     "mail administrator", NULL};

/* Phrases that put the address right after them on the same line. */
static const char *const leads[] = {"delivered to ",
                                    "your message to ",
                                    "message to ",
                                    "mensaje a ",
                                    "rcpt to: ",
                                    "rcpt to:",
                                    "recipient: ",
                                    "recipient address: ",
                                    "address: <",
                                    "could not be delivered to ",
                                    "addressed to ",
                                    "for <",
                                    NULL};

/* A warning: the message is still being tried. */
static const char *const delay_phrases[] = {"has not yet been delivered",
                                            "will keep trying",
                                            "will be retried",
                                            "will retry",
                                            "still being retried",
                                            "still trying",
                                            "warning: message",
                                            "is a warning message only",
                                            "only a temporary failure report",
                                            "has been delayed",
                                            "delivery is delayed",
                                            "delivery delayed",
                                            "you do not need to resend",
                                            "no need to resend",
                                            "could not send message for past",
                                            "could not send mail for past",
                                            "delivery has been delayed",
                                            "attempts will continue",
                                            "will continue to try",
                                            "will continue trying",
                                            NULL};
/* Subjects of warnings (Sendmail's, Exim's, Google's, OpenSMTPD's...). */
static const char *const delay_subjects[] = {"warning: could not send",
                                             "warning--could not send",
                                             "delivery status notification: warning",
                                             "(delay)",
                                             "delayed mail",
                                             "mail delivery delayed",
                                             "delivery delayed",
                                             "has been delayed",
                                             "delivery status notification: delayed",
                                             NULL};

struct notice {
    const char *text; /* the decoded text */
    char *low;        /* the text, ASCII lower-cased (same offsets) */
    size_t cut;       /* where the returned copy begins */
    char *pre;        /* low[0..cut): the notice's own words */
    char *self;       /* the original sender, or NULL */
    const char *from; /* the notice's sender */
    int delay;        /* a warning, not a final failure */
    size_t nrcpt;     /* how many recipients it names */
};

int bounce_notice_is(const struct bounce_scan *s, const char *from_hdr, const char *subject,
                     const char *text)
{
    char *ff = bounce_fold_dup(from_hdr ? from_hdr : ""), *fs = bounce_fold_dup(subject);
    char *ft = bounce_fold_dup(text), *rp = bounce_header_get(s->headers.data, "Return-Path", 0);
    int daemon, subj, body, r;

    /* A daemon's own address says it all; a null Return-Path (auto-replies
     * have one too, and some servers write it as <MAILER-DAEMON@host>) needs
     * the subject or the words as well. */
    daemon = ff && bounce_any_in(ff, daemon_senders);
    if (rp && strcasestr(rp, "mailer-daemon")) {
        free(rp);
        rp = strdup("<>");
    }
    subj = fs && bounce_any_in(fs, notice_subjects);
    body = ft && bounce_any_in(ft, notice_phrases);
    r = daemon || (rp && !strcmp(rp, "<>") && (subj || body)) || (subj && body) ||
        bounce_header_has(s->headers.data, "X-Failed-Recipients");
    free(ff);
    free(fs);
    free(ft);
    free(rp);
    return r;
}

/* Never a recipient: a daemon, the notice's sender, the original sender.
 * (A postmaster may be one: only the notice's own is left out.) */
static int is_excluded(const struct notice *n, const char *a)
{
    return !strncmp(a, "mailer-daemon@", 14) || !strncmp(a, "mail-daemon@", 12) ||
           !strncmp(a, "mailer_daemon@", 14) || !strcmp(a, n->from) ||
           (n->self && !strcmp(a, n->self));
}

/* The address that leads a line (after white space, "<", ">>> ", a reply
 * code, "RCPT TO:", "[Status: ..., Address: <"), caller frees; NULL when
 * the line does not start with one. *rest: where the line goes on. */
static char *lead_addr(const char *line, const char *end, const char **rest)
{
    static const char *const prefixes[] = {
        ">>> ", "rcpt to:", "[status: error, address: <", "address: <", "recipient: ",
        "to: ", NULL};
    const char *p = line, *after = NULL, *const * pre;
    char *a;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    for (pre = prefixes; *pre; pre++)
        if ((size_t)(end - p) > strlen(*pre) && !strncmp(p, *pre, strlen(*pre))) {
            p += strlen(*pre);
            break;
        }
    /* "550 <a@b>... User unknown", "554 5.1.1 <a@b>..." (Sendmail). */
    if (end - p > 5 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
        isdigit((unsigned char)p[2]) && (p[3] == ' ' || p[3] == '-')) {
        const char *q = p + 4;
        while (q < end && (isdigit((unsigned char)*q) || *q == '.'))
            q++;
        while (q < end && *q == ' ')
            q++;
        if (q < end && *q == '<')
            p = q;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p < end && *p == '<')
        p++;
    if (p >= end || *p == '@' ||
        !(isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80 ||
          strchr("!#$%&'*+-/=?^_`{|}~", *p)))
        return NULL;
    a = bounce_addr_find(p, &after);
    if (!a || after > end || strncmp(a, p, strlen(a)) != 0) {
        free(a); /* the address must start there (the text is lower-cased) */
        return NULL;
    }
    if (*after == '>')
        after++;
    if (*after == ':' || *after == ',')
        after++;
    /* "a@b wrote:", "a@b said": a quotation, not a recipient. */
    if (!strncmp(after, " wrote", 6) || !strncmp(after, " escribi", 8)) {
        free(a);
        return NULL;
    }
    *rest = after;
    return a;
}

static const char *line_end(const char *p)
{
    const char *e = strchr(p, '\n');

    return e ? e : p + strlen(p);
}

static int is_blank(const char *p, const char *end)
{
    for (; p < end; p++)
        if (!isspace((unsigned char)*p))
            return 0;
    return 1;
}

/* Append the text of [p, end) trimmed, one space before it. */
static int words_add(struct buf *d, const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (p == end)
        return 0;
    if (d->len && buf_addch(d, ' '))
        return -1;
    return buf_add(d, p, (size_t)(end - p));
}

static int in_list(const struct bounce_result *r, const char *a)
{
    size_t i;

    for (i = 0; i < r->nrcpt; i++)
        if (!strcmp(r->rcpt[i].address, a))
            return 1;
    return 0;
}

/* The addresses leading lines, in order, as recipients (no words yet). */
static int find_leading(const struct notice *n, struct bounce_result *r)
{
    const char *p, *end, *rest;
    char *a;
    int rc = 0;

    for (p = n->low; *p && (size_t)(p - n->low) < n->cut && rc != -1; p = *end ? end + 1 : end) {
        end = line_end(p);
        if (!(a = lead_addr(p, end, &rest)))
            continue;
        if (!is_excluded(n, a))
            rc = bounce_rcpt_add(r, a, "", "failed", "");
        free(a);
    }
    return rc == -1 ? -1 : 0;
}

/* An address after one of the lead phrases, on the same line. */
static int find_after_leads(const struct notice *n, struct bounce_result *r)
{
    const char *const *l, *p, *q, *end;
    char *a;
    int rc = 0;

    for (l = leads; *l && !r->nrcpt && rc != -1; l++)
        for (p = n->low; (p = strstr(p, *l)) && (size_t)(p - n->low) < n->cut; p++) {
            const char *start = p + strlen(*l);
            end = line_end(start);
            a = bounce_addr_find(start, &q);
            if (a && q <= end && q - start < 80 + (long)strlen(a) && !is_excluded(n, a)) {
                rc = bounce_rcpt_add(r, a, "", "failed", "");
                free(a);
                break;
            }
            free(a);
        }
    return rc == -1 ? -1 : 0;
}

/* Any address in the notice's words that is not a sender's: "envelope-from
 * <x>", "generated from x", "Message-ID: <x>" are not recipients. */
static int find_any(const struct notice *n, struct bounce_result *r)
{
    static const char *const not_before[] = {"from",        "message-id", "sender",  " id ",
                                             "return-path", "reply-to",   "contact", "please",
                                             "postmaster",  "help",       NULL};
    const char *p = n->low, *end = n->low + n->cut, *after;
    char before[32];
    char *a;
    int rc = 0;

    while (rc != -1 && p < end && (a = bounce_addr_find(p, &after))) {
        size_t off = (size_t)(after - n->low) - strlen(a);
        const char *ctx = n->low + (off > 24 ? off - 24 : 0);
        if (after > end) {
            free(a);
            break;
        }
        snprintf(before, sizeof(before), "%.*s", (int)(n->low + off - ctx), ctx);
        if (!is_excluded(n, a) && !bounce_any_in(before, not_before) && !strchr(a, '='))
            rc = bounce_rcpt_add(r, a, "", "failed", "");
        free(a);
        p = after;
    }
    return rc == -1 ? -1 : 0;
}

static int find_list(const struct notice *n, struct bounce_result *r, const char *list)
{
    const char *rest = list;
    char *a;
    int rc = 0;

    while (rc != -1 && rest && (a = bounce_addr_find(rest, &rest))) {
        if (!is_excluded(n, a))
            rc = bounce_rcpt_add(r, a, "", "failed", "");
        free(a);
    }
    return rc == -1 ? -1 : 0;
}

static int has_code(const char *s)
{
    char st[16];

    return (!bounce_status_find(s, st, sizeof(st)) && st[0] != '2') ||
           bounce_smtp_code_find(s) >= 400;
}

/* "550 <a@b>... User unknown": a Sendmail error line, one line long, whose
 * code is part of the answer. */
static int code_led(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return end - p > 4 && isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
           isdigit((unsigned char)p[2]) && p[3] == ' ';
}

/* The words a notice says about one recipient (see the top of the file):
 * its block, and the transcript's lines naming it only when the block
 * gives no code (Sendmail's "(reason: 553 SPF fail)" is the answer; a
 * "550 5.1.1 ... User unknown" later in the transcript is its echo). */
static int words_for(const struct notice *n, const struct bounce_result *r, const char *addr,
                     struct buf *d)
{
    const char *p, *end, *rest, *cmd = NULL, *cmd_end = NULL, *reply = NULL, *reply_end = NULL;
    struct buf t;
    char *a;
    int in_block = 0, lines = 0, rc = 0;

    buf_init(&t, BOUNCE_TEXT_CAP);
    for (p = n->low; *p && (size_t)(p - n->low) < n->cut && !rc; p = *end ? end + 1 : end) {
        end = line_end(p);
        if ((a = lead_addr(p, end, &rest))) {
            int mine = !strcmp(a, addr), sendmail = code_led(p, end);
            if (mine && sendmail) {
                /* A transcript's verdict: with the server's last reply of
                 * its session when it names no cause of its own. */
                rc = words_add(&t, n->text + (p - n->low), n->text + (end - n->low));
                if (!rc && reply && !memmem(reply, (size_t)(reply_end - reply), addr, strlen(addr)))
                    rc = words_add(&t, n->text + (reply - n->low), n->text + (reply_end - n->low));
                in_block = 0;
            } else if (mine && !in_block) {
                rc = words_add(d, n->text + (rest - n->low), n->text + (end - n->low));
                in_block = 1;
                lines = 0;
            } else if (mine) { /* the block names it again ("<a>... User unknown") */
                rc = words_add(d, n->text + (rest - n->low), n->text + (end - n->low));
            } else if (in_list(r, a)) {
                in_block = 0;
            }
            free(a);
            if (mine || !in_block)
                continue;
        }
        if (is_blank(p, end)) {
            in_block = 0;
        } else if (!strncmp(p, ">>>", 3) || strstr(p, "while talking to") == p) {
            cmd = p;
            cmd_end = end;
            reply = NULL;
            in_block = 0;
        } else if (in_block && ++lines < BLOCK_LINES) {
            rc = words_add(d, n->text + (p - n->low), n->text + (end - n->low));
        } else if (memmem(p, (size_t)(end - p), addr, strlen(addr))) {
            if (cmd && !strncmp(p, "<<<", 3))
                rc = words_add(&t, n->text + (cmd - n->low), n->text + (cmd_end - n->low));
            if (!rc)
                rc = words_add(&t, n->text + (p - n->low), n->text + (end - n->low));
            cmd = NULL;
        } else if (!strncmp(p, "<<<", 3)) {
            reply = p;
            reply_end = end;
        }
    }
    if (!rc && t.len && !has_code(d->data))
        rc = words_add(d, t.data, t.data + t.len);
    buf_release(&t);
    return rc;
}

/* The one diagnostic of the notice: what follows "Remote host said:" and
 * the like, else the line holding its first reply code. */
static int notice_words(const struct notice *n, struct buf *out)
{
    static const char *const marks[] = {"the error that the other server returned was:",
                                        "the response from the remote server was:",
                                        "remote server returned",
                                        "remote host said:",
                                        "smtp error from remote mail server",
                                        "technical details of permanent failure:",
                                        "technical details of temporary failure:",
                                        "diagnostic-code:",
                                        "(reason:",
                                        "reason:",
                                        "error message below:",
                                        NULL};
    const char *const *m;
    const char *p = NULL, *end, *q;
    struct buf line;

    for (m = marks; *m && !p; m++)
        if ((p = strstr(n->low, *m)) && (size_t)(p - n->low) < n->cut)
            p += strlen(*m);
        else
            p = NULL;
    buf_init(&line, 0);
    for (q = n->low; !p && *q && (size_t)(q - n->low) < n->cut; q = *end ? end + 1 : end) {
        end = line_end(q);
        buf_reset(&line);
        if (buf_add(&line, q, (size_t)(end - q))) {
            buf_release(&line);
            return -1;
        }
        if (has_code(line.data))
            p = q;
    }
    buf_release(&line);
    if (!p)
        return 0;
    while (*p == '\n' || *p == ' ' || *p == '\'' || *p == ':')
        p++;
    end = line_end(p);
    /* The words may go on to the next line (a folded reply). */
    if (*end && end[1] && !is_blank(end + 1, line_end(end + 1)) &&
        (size_t)(line_end(end + 1) - n->low) < n->cut)
        end = line_end(end + 1);
    return words_add(out, n->text + (p - n->low), n->text + (end - n->low));
}

/* A failure status: "2.x.y" in a notice is a version number. */
static int fail_status(const char *s, char *st, size_t size)
{
    const char *p = s;

    while (!bounce_status_find(p, st, size)) {
        if (st[0] != '2')
            return 0;
        p = strstr(p, st) + strlen(st);
    }
    return -1;
}

static int judge(const struct notice *n, struct bounce_rcpt *x)
{
    struct bounce_facts f = {0};
    char st[16] = "", *fd = bounce_fold_dup(x->diagnostic);
    int code;

    if (!fd)
        return -1;
    if (fail_status(x->diagnostic, st, sizeof(st))) {
        if ((code = bounce_smtp_code_find(x->diagnostic)) >= 400)
            snprintf(st, sizeof(st), "%c.0.0", code >= 500 ? '5' : '4');
        else if (!fail_status(n->pre, st, sizeof(st)))
            ;
        else if ((code = bounce_smtp_code_find(n->pre)) >= 400)
            snprintf(st, sizeof(st), "%c.0.0", code >= 500 ? '5' : '4');
        else
            snprintf(st, sizeof(st), "%s", n->delay ? "4.0.0" : "5.0.0");
    }
    free(x->status);
    x->status = strdup(st);
    if (!x->status) {
        free(fd);
        return -1;
    }
    f.status = st;
    f.diagnostic = x->diagnostic;
    f.context = n->pre;
    f.command = bounce_command_find(fd);
    if (!*f.command && bounce_rcpt_named(n->low, n->cut, x->address))
        f.command = "RCPT";             /* a transcript: ">>> RCPT TO:<a@b>" */
    if (!*f.command && n->nrcpt == 1) { /* one recipient: all the words are its */
        char *fp = bounce_fold_dup(n->pre);
        if (!fp) {
            free(fd);
            return -1;
        }
        f.command = bounce_command_find(fp);
        free(fp);
    }
    f.delayed = n->delay && st[0] != '5';
    if (f.delayed) {
        free(x->action);
        if (!(x->action = strdup("delayed"))) {
            free(fd);
            return -1;
        }
    }
    x->command = f.command;
    x->reason = bounce_reason_judge(&f);
    /* A remote server's reply quoted by a notice that does not say it
     * answered RCPT TO, and a status that does not name the address: the
     * words "user unknown" may be a filter's (after DATA); not hard. */
    if (x->reason == BOUNCE_R_USER_UNKNOWN && !*f.command && st[2] == '0' &&
        bounce_smtp_code_find(x->diagnostic) >= 500)
        x->reason = BOUNCE_R_FILTERED;
    x->class = f.delayed ? BOUNCE_SOFT : bounce_class_from(x->reason, st);
    free(fd);
    return 0;
}

/* A header of the returned message: its part, else the headers quoted
 * after the cut (caller frees; NULL if none). */
static char *original_header(const struct bounce_scan *s, const struct notice *n, const char *name)
{
    char *v = s->orig.len ? bounce_header_get(s->orig.data, name, 0) : NULL;

    if (!v && n->text[n->cut])
        v = bounce_header_get(n->text + n->cut, name, 1);
    return v;
}

/* The address the returned message came from (ours), NULL if none; also
 * NULL when that message was addressed to it as well (a spammer's forged
 * From, a message to oneself): then it may be the recipient that failed. */
static char *original_sender(const struct bounce_scan *s, const struct notice *n)
{
    char *v = original_header(s, n, "From"), *to = NULL, *a;

    a = v ? bounce_addr_find(v, NULL) : NULL;
    if (a && (to = original_header(s, n, "To"))) {
        bounce_lower(to);
        if (strstr(to, a)) {
            free(a);
            a = NULL;
        }
    }
    free(v);
    free(to);
    return a;
}

static int find_recipients(struct bounce_scan *s, struct notice *n, struct bounce_result *r)
{
    char *failed = bounce_header_get(s->headers.data, "X-Failed-Recipients", 0), *to = NULL;
    int rc = 0;

    if (failed)
        rc = find_list(n, r, failed);
    if (!rc && !r->nrcpt)
        rc = find_leading(n, r);
    if (!rc && !r->nrcpt)
        rc = find_after_leads(n, r);
    if (!rc && !r->nrcpt)
        rc = find_any(n, r);
    if (!rc && !r->nrcpt && (to = original_header(s, n, "To")))
        rc = find_list(n, r, to);
    free(failed);
    free(to);
    return rc;
}

int bounce_notice_read(struct bounce_scan *s, struct bounce_result *r, const char *text)
{
    struct notice n = {0};
    struct buf d, one;
    size_t i;
    int rc = -1;

    buf_init(&d, BOUNCE_TEXT_CAP);
    buf_init(&one, BOUNCE_TEXT_CAP);
    n.text = text;
    n.from = r->from;
    if (!(n.low = strdup(text)))
        goto out;
    bounce_lower(n.low);
    n.cut = bounce_copy_start(n.low);
    if (!(n.pre = xstrndup(n.low, n.cut)))
        goto out;
    n.self = original_sender(s, &n);
    {
        /* A warning, by its words before the copy or by its subject
         * ("Warning: message ... delayed 24 hours"). */
        char *ft = bounce_fold_dup(n.pre), *fs = bounce_fold_dup(r->subject ? r->subject : "");
        if (ft && fs)
            n.delay = bounce_any_in(ft, delay_phrases) || bounce_any_in(fs, delay_subjects) ||
                      (!strncmp(fs, "warning: message", 16) && strstr(fs, " delayed"));
        free(ft);
        free(fs);
        if (!ft || !fs)
            goto out;
    }
    if (find_recipients(s, &n, r) || notice_words(&n, &one))
        goto out;
    n.nrcpt = r->nrcpt;
    for (i = 0; i < r->nrcpt; i++) {
        struct bounce_rcpt *x = &r->rcpt[i];
        char st[16];
        buf_reset(&d);
        if (words_for(&n, r, x->address, &d))
            goto out;
        /* Its own words say nothing of a code: the notice's words too. */
        if (one.len && !strstr(d.data, one.data) &&
            (!d.len ||
             (fail_status(d.data, st, sizeof(st)) && bounce_smtp_code_find(d.data) < 400)) &&
            words_add(&d, one.data, one.data + one.len))
            goto out;
        free(x->diagnostic);
        if (!(x->diagnostic = strdup(d.data)) || judge(&n, x))
            goto out;
    }
    rc = 0;
out:
    free(n.low);
    free(n.pre);
    free(n.self);
    buf_release(&d);
    buf_release(&one);
    return rc;
}
