/* bounce_dsn - the standard reports: RFC 3464 delivery status notifications
 * (message/delivery-status; RFC 6533 message/global-delivery-status, whose
 * fields are UTF-8), and RFC 5965 feedback reports (ARF).
 *
 * A delivery-status part is a per-message field group, then one group per
 * recipient, separated by empty lines. Each recipient keeps its own status,
 * action and diagnostic; where a group leaves something unsaid (no
 * Diagnostic-Code, a generic x.0.0 status) the notice's own words about
 * that address fill it in. */
#include "bounce.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce_int.h"
#include "buf.h"

#include "banned.h"

/* "rfc822; <a@b>" / "utf-8; a@b" -> "a@b" lower-cased; NULL when no address. */
static char *dsn_address(const char *v)
{
    const char *semi;

    if (!v)
        return NULL;
    semi = strchr(v, ';');
    return bounce_addr_find(semi ? semi + 1 : v, NULL);
}

static int is_generic(const char *st)
{
    size_t n = strlen(st);

    return !*st || (n >= 4 && !strcmp(st + n - 4, ".0.0"));
}

/* The status of one group: the Status field, unless the server's own
 * words give another precise code of the same class (the reporting MTA's
 * 5.0.0, or 4.4.7 "gave up", over the remote "450 4.7.1 Client host
 * rejected"), or a permanent one for a recipient that failed (Orange's
 * "Status: 4.5.0" for "550 5.5.0 Service refuse"); else the class of its
 * reply code, else what the action implies. */
static void group_status(const char *status, const char *diag, const char *action, char *st,
                         size_t size)
{
    char dg[16] = "";
    int code;

    st[0] = '\0';
    if (status && bounce_status_find(status, st, size))
        st[0] = '\0';
    if (diag && bounce_status_find(diag, dg, sizeof(dg)))
        dg[0] = '\0';
    if (*dg && (!*st || (!is_generic(dg) &&
                         (dg[0] == st[0] || (dg[0] == '5' && !strcmp(action, "failed"))))))
        snprintf(st, size, "%s", dg);
    if (*st)
        return;
    code = diag ? bounce_smtp_code_find(diag) : 0;
    if (code >= 400)
        snprintf(st, size, "%c.0.0", code >= 500 ? '5' : '4');
    else if (!strcmp(action, "delayed"))
        snprintf(st, size, "4.0.0");
    else if (strcmp(action, "delivered") && strcmp(action, "relayed") &&
             strcmp(action, "expanded")) /* failed, and words of no RFC ("expired") */
        snprintf(st, size, "5.0.0");
}

/* Does the line at p start with an address other than addr? */
static int led_by_other(const char *p, const char *addr)
{
    const char *after;
    char *a;
    int other;

    while (*p == ' ' || *p == '\t' || *p == '<')
        p++;
    if (!(a = bounce_addr_find(p, &after)))
        return 0;
    other = !strncmp(a, p, strlen(a)) && strcmp(a, addr);
    free(a);
    return other;
}

/* The notice's text as dsn_group reads it: the text, its ASCII lower-cased
 * copy (same offsets) and where the copy of the returned message begins in
 * it. Made once for all the groups. */
struct context {
    const char *text;
    char *low;
    size_t cut;
};

/* What the notice's text says next to the address: the lines from the one
 * naming it to the next empty line (at most a few), before the copy of the
 * returned message. Appended to out. */
static int words_about(const struct context *c, const char *addr, struct buf *out)
{
    const char *text = c->text, *low = c->low, *p, *end, *stop;
    size_t cut = c->cut, lines = 0;
    int rc = 0;

    for (p = low; (p = strstr(p, addr)) && (size_t)(p - low) < cut; p++) {
        while (p > low && p[-1] != '\n')
            p--;
        for (stop = p; *stop && lines < 6 && (size_t)(stop - low) < cut; lines++) {
            end = strchr(stop, '\n');
            if (!end || end == stop)
                break;
            stop = end + 1;
            if (*stop == '\n' || led_by_other(stop, addr))
                break;
        }
        rc = buf_add(out, text + (p - low), (size_t)(stop - p));
        break;
    }
    return rc;
}

static int dsn_group(struct bounce_result *r, const char *group, const struct context *context)
{
    char *fin = bounce_header_get(group, "Final-Recipient", 0);
    char *orig = bounce_header_get(group, "Original-Recipient", 0);
    char *act = bounce_header_get(group, "Action", 0);
    char *status = bounce_header_get(group, "Status", 0);
    char *diag = bounce_header_get(group, "Diagnostic-Code", 0);
    char *addr = dsn_address(orig), *action = NULL, *fd = NULL, st[16], *d = diag;
    struct bounce_facts facts = {0};
    struct bounce_rcpt *x;
    struct buf about;
    int i = 0, rc = -1;

    buf_init(&about, BOUNCE_TEXT_CAP);
    if (!addr || !strchr(addr, '.'))
        free(addr), addr = dsn_address(fin);
    if (!addr) {
        rc = 0;
        goto out;
    }
    if (d && strchr(d, ';') && strchr(d, ';') - d < 12) /* "smtp; 550 ..." */
        d = strchr(d, ';') + 1;
    while (d && isspace((unsigned char)*d))
        d++;
    action = bounce_fold_dup(act ? act : "");
    if (!action)
        goto out;
    /* The notice's words about this address, for what the group leaves out. */
    if (context && words_about(context, addr, &about))
        goto out;
    group_status(status, d && *d ? d : about.data, *action ? action : "failed", st, sizeof(st));
    if (!*action) { /* no Action field: what the status says */
        free(action);
        if (!(action = strdup(st[0] == '4' ? "delayed" : "failed")))
            goto out;
    }
    i = bounce_rcpt_add(r, addr, st, action, d);
    if (i == -2) {
        rc = 0;
        goto out;
    }
    if (i < 0)
        goto out;
    x = &r->rcpt[i];
    if (!strcmp(action, "delivered") || !strcmp(action, "relayed") || !strcmp(action, "expanded") ||
        st[0] == '2') {
        x->reason = BOUNCE_R_DELIVERED;
        x->class = BOUNCE_CLASS_NONE;
        rc = 0;
        goto out;
    }
    if (!(fd = bounce_fold_dup(*x->diagnostic ? x->diagnostic : about.data)))
        goto out;
    facts.status = st;
    facts.diagnostic = x->diagnostic;
    facts.context = about.len ? about.data : context ? context->text : NULL;
    facts.command = bounce_command_find(fd);
    if (!*facts.command && about.len && *x->diagnostic) { /* else fd is about's */
        char *fa = bounce_fold_dup(about.data);
        if (!fa)
            goto out;
        facts.command = bounce_command_find(fa);
        free(fa);
    }
    /* a transcript: ">>> RCPT TO:<a@b>" */
    if (!*facts.command && context && bounce_rcpt_named(context->low, context->cut, addr))
        facts.command = "RCPT";
    facts.delayed = !strcmp(action, "delayed");
    x->command = facts.command;
    x->reason = bounce_reason_judge(&facts);
    x->class = facts.delayed ? BOUNCE_SOFT : bounce_class_from(x->reason, st);
    rc = 0;
out:
    free(fin);
    free(orig);
    free(act);
    free(status);
    free(diag);
    free(addr);
    free(action);
    free(fd);
    buf_release(&about);
    return rc;
}

static int field_is(const char *line, const char *name)
{
    size_t n = strlen(name);

    return !strncasecmp(line, name, n) && (line[n] == ':' || line[n] == ' ');
}

/* Where the field group at p ends: at an empty line, or (some servers
 * write no empty line between recipients) at a recipient field that
 * follows a recipient's Final-Recipient and its Action or Status. */
static const char *group_end(const char *p)
{
    const char *line = p, *nl;
    int recipient = 0, fields = 0;

    for (; *line; line = nl + 1) {
        if (*line == '\n')
            return line;
        if ((field_is(line, "Final-Recipient") || field_is(line, "Original-Recipient")) &&
            recipient && fields)
            return line;
        recipient |= field_is(line, "Final-Recipient");
        fields |= recipient && (field_is(line, "Action") || field_is(line, "Status"));
        if (!(nl = strchr(line, '\n')))
            return line + strlen(line);
    }
    return line;
}

int bounce_dsn_read(struct bounce_scan *s, struct bounce_result *r, const char *context)
{
    struct context c = {context, NULL, 0};
    struct buf g;
    const char *p = s->dsn.data, *blank;
    int rc = 0, first = 1;

    if (context) {
        if (!(c.low = strdup(context)))
            return -1;
        bounce_lower(c.low);
        c.cut = bounce_copy_start(c.low);
    }
    buf_init(&g, 0);
    while (*p && !rc) {
        while (*p == '\n' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        blank = group_end(p);
        buf_reset(&g);
        bounce_headers_unfold(s, &g, p, (size_t)(blank - p));
        if (s->oom)
            rc = -1;
        else if (!first || !bounce_header_has(g.data, "Reporting-MTA") ||
                 bounce_header_has(g.data, "Final-Recipient"))
            rc = dsn_group(r, g.data, context ? &c : NULL);
        first = 0;
        p = blank;
    }
    buf_release(&g);
    free(c.low);
    return rc;
}

/* Add the addresses of every `name` header of an unfolded block as
 * complainants. */
static int arf_add(struct bounce_result *r, const char *block, const char *name)
{
    size_t n = strlen(name);
    const char *line, *end, *rest;
    char *v, *a;
    int i;

    for (line = block; *line; line = *end ? end + 1 : end) {
        end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        if ((size_t)(end - line) <= n || strncasecmp(line, name, n) || line[n] != ':')
            continue;
        if (!(v = xstrndup(line + n + 1, (size_t)(end - line) - n - 1)))
            return -1;
        for (rest = v; (a = bounce_addr_find(rest, &rest));) {
            i = bounce_rcpt_add(r, a, "", "", "");
            free(a);
            if (i == -1) {
                free(v);
                return -1;
            }
            if (i >= 0)
                r->rcpt[i].reason = BOUNCE_R_FEEDBACK;
        }
        free(v);
    }
    return 0;
}

int bounce_arf_read(struct bounce_scan *s, struct bounce_result *r)
{
    struct buf g;
    int rc = -1;

    buf_init(&g, 0);
    bounce_headers_unfold(s, &g, s->feedback.data, s->feedback.len);
    r->type = BOUNCE_COMPLAINT;
    if (s->oom || bounce_set_why(r, "ARF feedback report"))
        goto out;
    /* The complainants: Original-Rcpt-To (one per recipient), the older
     * Removal-Recipient, else the To of the reported message. */
    if (arf_add(r, g.data, "Original-Rcpt-To") || arf_add(r, g.data, "Removal-Recipient") ||
        (!r->nrcpt && s->orig.len && arf_add(r, s->orig.data, "To")))
        goto out;
    rc = 0;
out:
    buf_release(&g);
    return rc;
}

int bounce_jmrp_read(struct bounce_scan *s, const char *fsubject, const char *text,
                     struct bounce_result *r)
{
    /* The reported message's headers: its part, else (a part libetpan
     * could not separate) the text it was read as. */
    const char *h = s->orig.len ? s->orig.data : text;

    if (strncmp(fsubject, "complaint about message from", 28))
        return 0;
    r->type = BOUNCE_COMPLAINT;
    if (bounce_set_why(r, "Microsoft JMRP complaint") ||
        arf_add(r, h, "X-HmXmrOriginalRecipient") || (!r->nrcpt && arf_add(r, h, "To")))
        return -1;
    return 1;
}
