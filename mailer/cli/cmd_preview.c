/* cmd_preview - mailer preview CAMPAIGN [--edition E] [--to ADDR | --row N] [--eml FILE] [--html FILE]
 *
 * Writes the exact message one contact would get (the .eml to stdout unless
 * --eml), and with --html the HTML part as a standalone file whose inline
 * images point at the files on disk.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "audience.h"
#include "cli.h"
#include "token.h"
#include "i18n.h"
#include "clock.h"
#include "compose.h"

#include "banned.h"

#define FOUND 2 /* contacts_load callback: stop, we have our contact */

struct pick {
    const char *to;
    long row, seen;
    struct value *vars;
    char *address, *name;
    char where[192]; /* file:line of the contact chosen */
};

static int on_contact(void *ud, const struct contact *c)
{
    struct pick *p = ud;

    p->seen++;
    if (p->to ? strcasecmp(p->to, c->address) != 0 : p->seen != p->row)
        return 0;
    p->vars = value_dup(c->vars);
    p->address = strdup(c->address);
    p->name = strdup(c->name);
    snprintf(p->where, sizeof(p->where), "%s:%zu", c->file, c->line);
    return FOUND;
}

static int write_file(const char *path, const struct buf *b, struct err *err)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
    int bad;

    if (!f)
        return err_errno(err, ERR_IO, _("%s: cannot write"), path);
    bad = fwrite(b->data, 1, b->len, f) != b->len;
    if (f != stdout)
        bad |= fclose(f) != 0;
    return bad ? err_errno(err, ERR_IO, _("%s: cannot write"), path) : 0;
}

/* Point cid: references at the image files so a browser shows them. */
static int resolve_cids(const struct campaign *c, const struct buf *html, struct buf *out)
{
    const char *p = html->data, *hit;
    size_t i;

    while ((hit = strstr(p, "cid:"))) {
        const char *name = hit + 4;
        size_t len = strcspn(name, "\"' )>");
        if (buf_add(out, p, (size_t)(hit - p)))
            return -1;
        for (i = 0; i < c->ninline_images; i++) {
            const char *base = strrchr(c->inline_images[i], '/');
            base = base ? base + 1 : c->inline_images[i];
            if (strlen(base) == len && !strncmp(base, name, len))
                break;
        }
        if (i < c->ninline_images) {
            char *abs = realpath(c->home, NULL);
            int full = buf_addf(out, "file://%s/%s", abs ? abs : c->home, c->inline_images[i]);
            free(abs);
            if (full)
                return -1;
        } else if (buf_add(out, hit, 4 + len)) {
            return -1;
        }
        p = name + len;
    }
    return buf_addstr(out, p);
}

int cmd_preview(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"edition", required_argument, NULL, 'e'}, {"to", required_argument, NULL, 't'},
        {"row", required_argument, NULL, 'r'},     {"eml", required_argument, NULL, 'm'},
        {"html", required_argument, NULL, 'H'},    {NULL, 0, NULL, 0},
    };
    const char *edition = NULL, *eml = "-", *html_path = NULL;
    struct pick pick = {NULL, 1, 0, NULL, NULL, NULL, ""};
    struct audience_spec spec = {0};
    struct audience_stats st;
    struct compose cp;
    struct sender sender = {0};
    struct campaign c;
    struct edition e;
    struct ledger *l = NULL;
    struct buf msg = BUF_INIT, html = BUF_INIT, page = BUF_INIT, mid = BUF_INIT, notes = BUF_INIT;
    struct err err;
    unsigned row;
    int opt, rc, found;

    while ((opt = cli_getopt(argc, argv, "e:t:r:m:H:", opts)) != -1) {
        switch (opt) {
        case 'e':
            edition = optarg;
            break;
        case 't':
            pick.to = optarg;
            break;
        case 'r':
            if ((rc = cli_parse_uint("preview", "--row", optarg, 1, INT_MAX, &row)))
                return rc;
            pick.row = row;
            break;
        case 'm':
            eml = optarg;
            break;
        case 'H':
            html_path = optarg;
            break;
        default:
            return cli_usage("preview", _("CAMPAIGN [--edition E] [--to ADDR | --row N] "
                                          "[--eml FILE] [--html FILE]"));
        }
    }
    if (optind + 1 != argc || pick.row < 1)
        return cli_usage("preview", _("give one campaign name (and --row from 1)"));
    if ((rc = cli_campaign(cli, argv[optind], &c)))
        return rc;
    memset(&cp, 0, sizeof(cp));
    err_init(&err);
    if (campaign_edition(&c, edition, clock_now(), &e, &err) ||
        campaign_apply_edition(&c, e.name) || cli_sender(cli, &c, &sender, &err) ||
        compose_init(&cp, &c, &e, &sender, 0, &err) || !(l = cli_ledger(cli, &err)) ||
        audience_spec_init(&spec, &c, l))
        goto fail;
    found = contacts_load(&spec, on_contact, &pick, &st, &notes, &err);
    if (found < 0)
        goto fail;
    if (found != FOUND || !pick.vars || !pick.address) {
        if (pick.to)
            err_set(&err, ERR_DATA, _("%s is not in the audience of %s"), pick.to, c.id);
        else
            err_set(&err, ERR_DATA,
                    _("the audience of %s has %ld recipients, not %ld (--row counts recipients, "
                      "not lines of the file)"),
                    c.id, pick.seen, pick.row);
        goto fail;
    }
    {
        char inert[TOKEN_LEN + 1];
        /* the token the dry run gives the same recipient: inert */
        token_inert(inert, (unsigned long)pick.seen);
        struct compose_contact who = {pick.address, pick.name, pick.vars, NULL, clock_now(), inert};
        if (message_id_make(&mid, 0, pick.address, cp.domain)) {
            err_nomem(&err);
            goto fail;
        }
        who.message_id = mid.data;
        if (compose_message(&cp, &who, &msg, NULL, NULL, &err) || write_file(eml, &msg, &err))
            goto fail;
    }
    if (html_path && (compose_html(&cp, pick.vars, &html, &err) || resolve_cids(&c, &html, &page) ||
                      write_file(html_path, &page, &err)))
        goto fail;
    /* which contact (stderr: the message may be on stdout) */
    fprintf(stderr, _("mailer preview: recipient %ld of the audience, %s (%s)\n"), pick.seen,
            pick.where, pick.address);
    rc = EX_OK;
    goto out;
fail:
    rc = cli_fail(&err);
out:
    audience_spec_release(&spec);
    compose_release(&cp);
    sender_release(&sender);
    ledger_close(l);
    campaign_release(&c);
    value_free(pick.vars);
    free(pick.address);
    free(pick.name);
    buf_release(&msg);
    buf_release(&html);
    buf_release(&page);
    buf_release(&mid);
    buf_release(&notes);
    err_release(&err);
    return rc;
}
