/* mailbox - the bounce/reply mailbox over IMAP, certificate verified here. */
#include "mailbox.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce.h"
#include "buf.h"
#include "hex.h"

#include "banned.h"

#define IMAP_TIMEOUT 60

struct mailbox {
    mailimap *imap;
    char *host, *folder;
    unsigned port;
    int implicit_tls;
    int has_move, has_uidplus;
    int made_done, made_review; /* folder known to exist */
    unsigned long uidvalidity;
};

/* ---- the URL ------------------------------------------------------------------ */

/* imaps://host[:port][/FOLDER] or imap://... (FOLDER percent-decoded);
 * name is the setting's, for messages. */
static int parse_url(struct mailbox *mb, const char *name, const char *url, struct err *err)
{
    const char *p, *host, *end;
    struct buf folder;
    long port;
    int rc = 0, h;

    if (!strncasecmp(url, "imaps://", 8)) {
        mb->implicit_tls = 1;
        p = url + 8;
    } else if (!strncasecmp(url, "imap://", 7)) {
        p = url + 7;
    } else {
        return err_set(err, ERR_CONFIG,
                       "%s \"%s\": use imaps://host:993/INBOX or imap://host:143/INBOX (STARTTLS)",
                       name, url);
    }
    if (*p == '[') { /* [::1] */
        host = p + 1;
        end = strchr(host, ']');
        if (!end)
            return err_set(err, ERR_CONFIG, "%s \"%s\": unclosed [", name, url);
        p = end + 1;
    } else {
        host = p;
        end = p + strcspn(p, ":/");
        p = end;
    }
    if (end == host)
        return err_set(err, ERR_CONFIG, "%s \"%s\": no host", name, url);
    mb->host = xstrndup(host, (size_t)(end - host));
    mb->port = mb->implicit_tls ? 993 : 143;
    if (*p == ':') {
        char *stop;
        port = strtol(p + 1, &stop, 10);
        if (port < 1 || port > 65535 || (*stop && *stop != '/'))
            return err_set(err, ERR_CONFIG, "%s \"%s\": bad port", name, url);
        mb->port = (unsigned)port;
        p = stop;
    }
    buf_init(&folder, 1024);
    if (*p == '/')
        p++;
    for (; *p && !rc; p++) {
        if (*p == '%' && (h = hex_byte(p + 1)) >= 0) {
            rc = buf_addch(&folder, h);
            p += 2;
        } else {
            rc = buf_addch(&folder, *p);
        }
    }
    if (!rc && !folder.len)
        rc = buf_addstr(&folder, "INBOX");
    if (rc) {
        buf_release(&folder);
        return errno == ENOMEM
                   ? err_nomem(err)
                   : err_set(err, ERR_CONFIG, "%s \"%s\": bad folder or host", name, url);
    }
    mb->folder = buf_detach(&folder, NULL);
    if (!mb->host || !mb->folder)
        return err_nomem(err);
    if (strpbrk(mb->folder, "\r\n\"") || strpbrk(mb->host, " \r\n"))
        return err_set(err, ERR_CONFIG, "%s \"%s\": bad folder or host", name, url);
    return 0;
}

/* ---- TLS: verify the peer ourselves -------------------------------------------- */

static int is_ip(const char *host)
{
    unsigned char a[16];

    return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* Called by libetpan before the handshake: send SNI (not for IP literals). */
static void tls_setup(struct mailstream_ssl_context *ctx, void *data)
{
    struct mailbox *mb = data;

    if (!is_ip(mb->host))
        mailstream_ssl_set_server_name(ctx, mb->host);
}

static int load_trust(gnutls_x509_trust_list_t tl, const char *ca_file, struct err *err)
{
    int n;

    if (ca_file && *ca_file) {
        n = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (n <= 0)
            return err_set(err, ERR_CONFIG, "CA_FILE %s: no CA certificate could be read%s%s",
                           ca_file, n < 0 ? ": " : "", n < 0 ? gnutls_strerror(n) : "");
    } else {
        n = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
        if (n <= 0)
            return err_set(err, ERR_CONFIG,
                           "no system CA certificates to check the IMAP server with: "
                           "install ca-certificates or set CA_FILE");
    }
    return 0;
}

/* The peer's chain (from the live TLS session) must lead to a trusted CA
 * and name host; otherwise the password is not sent. */
static int verify_peer(struct mailbox *mb, const char *ca_file, struct err *err)
{
    gnutls_x509_trust_list_t tl = NULL;
    gnutls_x509_crt_t crt[16];
    carray *chain = mailstream_get_certificate_chain(mb->imap->imap_stream);
    unsigned i, n = 0, status = 0;
    gnutls_datum_t why = {NULL, 0};
    int rc = -1;

    if (!chain || !carray_count(chain)) {
        err_set(err, ERR_UNAVAILABLE, "IMAP %s:%u: the server sent no certificate", mb->host,
                mb->port);
        goto out;
    }
    for (i = 0; i < carray_count(chain) && n < 16; i++) {
        MMAPString *der = carray_get(chain, i);
        gnutls_datum_t d = {(unsigned char *)der->str, (unsigned)der->len};
        if (gnutls_x509_crt_init(&crt[n]) < 0)
            break;
        if (gnutls_x509_crt_import(crt[n], &d, GNUTLS_X509_FMT_DER) < 0) {
            gnutls_x509_crt_deinit(crt[n]);
            break;
        }
        n++;
    }
    if (!n) {
        err_set(err, ERR_UNAVAILABLE, "IMAP %s:%u: unreadable server certificate", mb->host,
                mb->port);
        goto out;
    }
    if (gnutls_x509_trust_list_init(&tl, 0) < 0 || load_trust(tl, ca_file, err))
        goto out;
    if (gnutls_x509_trust_list_verify_crt(tl, crt, n, 0, &status, NULL) < 0 || status) {
        gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &why, 0);
        err_set(err, ERR_UNAVAILABLE,
                "IMAP %s:%u: the server's certificate is not trusted (%s); not logging in%s",
                mb->host, mb->port, why.data ? (char *)why.data : "verification failed",
                ca_file && *ca_file ? "" : " (set CA_FILE for a private CA)");
        goto out;
    }
    if (!gnutls_x509_crt_check_hostname2(crt[0], mb->host, 0)) {
        err_set(err, ERR_UNAVAILABLE,
                "IMAP %s:%u: the server's certificate is for another name; not logging in",
                mb->host, mb->port);
        goto out;
    }
    rc = 0;
out:
    gnutls_free(why.data);
    for (i = 0; i < n; i++)
        gnutls_x509_crt_deinit(crt[i]);
    if (tl)
        gnutls_x509_trust_list_deinit(tl, 1);
    if (chain)
        mailstream_certificate_chain_free(chain);
    return rc;
}

/* ---- the session ----------------------------------------------------------------- */

static const char *server_said(const struct mailbox *mb)
{
    return mb->imap && mb->imap->imap_response ? mb->imap->imap_response : "no answer";
}

static int imap_fail(struct mailbox *mb, struct err *err, const char *what, int r)
{
    return err_set(err, ERR_UNAVAILABLE, "IMAP %s:%u: %s failed (%d): %s", mb->host, mb->port, what,
                   r, server_said(mb));
}

static int ok(int r)
{
    return r == MAILIMAP_NO_ERROR || r == MAILIMAP_NO_ERROR_AUTHENTICATED ||
           r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
}

static int connect_tls(struct mailbox *mb, const char *ca_file, struct err *err)
{
    int r;

    if (mb->implicit_tls) {
        r = mailimap_ssl_connect_with_callback(mb->imap, mb->host, (uint16_t)mb->port, tls_setup,
                                               mb);
        if (!ok(r))
            return err_set(err, ERR_UNAVAILABLE,
                           "IMAP %s:%u: cannot connect with TLS (refused, unreachable or no TLS "
                           "handshake; libetpan error %d)",
                           mb->host, mb->port, r);
    } else {
        r = mailimap_socket_connect(mb->imap, mb->host, (uint16_t)mb->port);
        if (!ok(r))
            return err_set(err, ERR_UNAVAILABLE, "IMAP %s:%u: cannot connect (%d)", mb->host,
                           mb->port, r);
        r = mailimap_socket_starttls_with_callback(mb->imap, tls_setup, mb);
        if (r != MAILIMAP_NO_ERROR)
            return err_set(err, ERR_UNAVAILABLE,
                           "IMAP %s:%u: STARTTLS failed or is not offered (%d); refusing to "
                           "log in without TLS",
                           mb->host, mb->port, r);
    }
    return verify_peer(mb, ca_file, err);
}

static void learn_capabilities(struct mailbox *mb)
{
    struct mailimap_capability_data *cap = NULL;

    if (mailimap_capability(mb->imap, &cap) == MAILIMAP_NO_ERROR && cap)
        mailimap_capability_data_free(cap);
    mb->has_move = mailimap_has_extension(mb->imap, "MOVE");
    mb->has_uidplus = mailimap_has_uidplus(mb->imap);
}

struct mailbox *mailbox_open(const struct mailbox_account *a, struct err *err)
{
    struct mailbox *mb = calloc(1, sizeof(*mb));
    int r;

    if (!mb) {
        err_nomem(err);
        return NULL;
    }
    if (parse_url(mb, a->setting, a->url, err))
        goto fail;
    if (!a->user || !*a->user || !a->password || !*a->password) {
        err_set(err, ERR_CONFIG, "%s: the mailbox's user and password are required", a->setting);
        goto fail;
    }
    if (!(mb->imap = mailimap_new(0, NULL))) {
        err_nomem(err);
        goto fail;
    }
    mailimap_set_timeout(mb->imap, IMAP_TIMEOUT);
    if (connect_tls(mb, a->ca_file, err))
        goto fail;
    r = mailimap_login(mb->imap, a->user, a->password);
    if (r != MAILIMAP_NO_ERROR) {
        err_set(err, ERR_CONFIG, "IMAP %s:%u: login as %s refused: %s", mb->host, mb->port, a->user,
                server_said(mb));
        goto fail;
    }
    learn_capabilities(mb);
    r = mailimap_select(mb->imap, mb->folder);
    if (r != MAILIMAP_NO_ERROR || !mb->imap->imap_selection_info) {
        imap_fail(mb, err, "SELECT", r);
        goto fail;
    }
    mb->uidvalidity = mb->imap->imap_selection_info->sel_uidvalidity;
    return mb;
fail:
    mailbox_close(mb);
    return NULL;
}

void mailbox_close(struct mailbox *mb)
{
    if (!mb)
        return;
    if (mb->imap) {
        if (mb->imap->imap_state >= MAILIMAP_STATE_AUTHENTICATED)
            mailimap_logout(mb->imap);
        mailimap_free(mb->imap);
    }
    free(mb->host);
    free(mb->folder);
    free(mb);
}

unsigned long mailbox_uidvalidity(const struct mailbox *mb)
{
    return mb->uidvalidity;
}

const char *mailbox_folder(const struct mailbox *mb)
{
    return mb->folder;
}

static int cmp_ulong(const void *a, const void *b)
{
    unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

    return x < y ? -1 : x > y;
}

int mailbox_search(struct mailbox *mb, unsigned long after, unsigned long **uids, size_t *n,
                   struct err *err)
{
    struct mailimap_search_key *key = NULL;
    clist *result = NULL;
    clistiter *it;
    size_t i = 0;
    int r;

    *uids = NULL;
    *n = 0;
    key = mailimap_search_key_new_uid(mailimap_set_new_interval((uint32_t)after + 1, 0));
    if (!key)
        return err_nomem(err);
    r = mailimap_uid_search(mb->imap, NULL, key, &result);
    mailimap_search_key_free(key);
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(mb, err, "UID SEARCH", r);
    *uids = calloc((size_t)clist_count(result) + 1, sizeof(**uids));
    if (!*uids) {
        mailimap_search_result_free(result);
        return err_nomem(err);
    }
    /* "UID n:*" also answers the highest UID when it is below n. */
    for (it = clist_begin(result); it; it = clist_next(it)) {
        uint32_t uid = *(uint32_t *)clist_content(it);
        if (uid > after)
            (*uids)[i++] = uid;
    }
    mailimap_search_result_free(result);
    qsort(*uids, i, sizeof(**uids), cmp_ulong);
    *n = i;
    return 0;
}

/* UID FETCH uid (att): the first message's attribute list. */
static int fetch_one(struct mailbox *mb, unsigned long uid, struct mailimap_fetch_att *att,
                     clist **result, struct err *err)
{
    struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
    struct mailimap_set *set = mailimap_set_new_single((uint32_t)uid);
    int r = -1;

    if (!ft || !set || mailimap_fetch_type_new_fetch_att_list_add(ft, att)) {
        mailimap_fetch_att_free(att);
        err_nomem(err);
        goto out;
    }
    r = mailimap_uid_fetch(mb->imap, set, ft, result);
    if (r != MAILIMAP_NO_ERROR)
        r = imap_fail(mb, err, "UID FETCH", r);
out:
    if (ft)
        mailimap_fetch_type_free(ft);
    if (set)
        mailimap_set_free(set);
    return r;
}

/* Walk the static attributes of a fetch result. */
static struct mailimap_msg_att_static *find_static(clist *result, int type)
{
    clistiter *m, *a;

    for (m = result ? clist_begin(result) : NULL; m; m = clist_next(m)) {
        struct mailimap_msg_att *ma = clist_content(m);
        for (a = clist_begin(ma->att_list); a; a = clist_next(a)) {
            struct mailimap_msg_att_item *item = clist_content(a);
            if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
                item->att_data.att_static->att_type == type)
                return item->att_data.att_static;
        }
    }
    return NULL;
}

int mailbox_get(struct mailbox *mb, unsigned long uid, struct buf *out, size_t *size,
                struct err *err)
{
    struct mailimap_msg_att_static *s;
    clist *result = NULL;
    int rc = -1;

    buf_reset(out);
    *size = 0;
    /* Size first: libetpan holds a fetched body in memory whole. */
    if (fetch_one(mb, uid, mailimap_fetch_att_new_rfc822_size(), &result, err))
        return -1;
    s = find_static(result, MAILIMAP_MSG_ATT_RFC822_SIZE);
    if (!s) {
        mailimap_fetch_list_free(result);
        return err_set(err, ERR_UNAVAILABLE, "IMAP: message UID %lu is gone", uid);
    }
    *size = s->att_data.att_rfc822_size;
    mailimap_fetch_list_free(result);
    result = NULL;
    if (out->cap && *size > out->cap)
        return 1;
    if (fetch_one(mb, uid, mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)),
                  &result, err))
        return -1;
    s = find_static(result, MAILIMAP_MSG_ATT_BODY_SECTION);
    if (!s || !s->att_data.att_body_section->sec_body_part) {
        err_set(err, ERR_UNAVAILABLE, "IMAP: no body for message UID %lu", uid);
    } else if (buf_add(out, s->att_data.att_body_section->sec_body_part,
                       s->att_data.att_body_section->sec_length)) {
        rc = 1; /* bigger than announced and than the cap */
    } else {
        rc = 0;
    }
    mailimap_fetch_list_free(result);
    return rc;
}

/* Create folder unless LIST finds it. */
static int ensure_folder(struct mailbox *mb, const char *folder, struct err *err)
{
    clist *list = NULL;
    int r, found;

    r = mailimap_list(mb->imap, "", folder, &list);
    found = r == MAILIMAP_NO_ERROR && list && clist_count(list) > 0;
    if (list)
        mailimap_list_result_free(list);
    if (found)
        return 0;
    r = mailimap_create(mb->imap, folder);
    if (r != MAILIMAP_NO_ERROR)
        return imap_fail(mb, err, "CREATE", r);
    return 0;
}

static int mark_deleted(struct mailbox *mb, struct mailimap_set *set)
{
    struct mailimap_flag_list *fl = mailimap_flag_list_new_empty();
    struct mailimap_flag *f = mailimap_flag_new_deleted();
    struct mailimap_store_att_flags *sf = NULL;
    int r = MAILIMAP_ERROR_MEMORY;

    if (!fl || !f || mailimap_flag_list_add(fl, f)) {
        if (f)
            mailimap_flag_free(f);
        if (fl)
            mailimap_flag_list_free(fl);
        return r;
    }
    sf = mailimap_store_att_flags_new_add_flags_silent(fl);
    if (!sf) {
        mailimap_flag_list_free(fl);
        return r;
    }
    r = mailimap_uid_store(mb->imap, set, sf);
    mailimap_store_att_flags_free(sf);
    return r;
}

int mailbox_move(struct mailbox *mb, unsigned long uid, const char *folder, struct err *err)
{
    int *made = !strcmp(folder, MAILBOX_DONE_FOLDER) ? &mb->made_done : &mb->made_review;
    struct mailimap_set *set;
    int r, rc = -1;

    if (!*made) {
        if (ensure_folder(mb, folder, err))
            return -1;
        *made = 1;
    }
    if (!(set = mailimap_set_new_single((uint32_t)uid)))
        return err_nomem(err);
    if (mb->has_move) {
        r = mailimap_uid_move(mb->imap, set, folder);
        if (r != MAILIMAP_NO_ERROR) {
            imap_fail(mb, err, "UID MOVE", r);
            goto out;
        }
    } else {
        /* COPY first: should the rest fail, the message is in both places,
         * never in none. */
        if ((r = mailimap_uid_copy(mb->imap, set, folder)) != MAILIMAP_NO_ERROR) {
            imap_fail(mb, err, "UID COPY", r);
            goto out;
        }
        if ((r = mark_deleted(mb, set)) != MAILIMAP_NO_ERROR) {
            imap_fail(mb, err, "UID STORE +FLAGS (\\Deleted)", r);
            goto out;
        }
        r = mb->has_uidplus ? mailimap_uid_expunge(mb->imap, set) : mailimap_expunge(mb->imap);
        if (r != MAILIMAP_NO_ERROR) {
            imap_fail(mb, err, "EXPUNGE", r);
            goto out;
        }
    }
    rc = 0;
out:
    mailimap_set_free(set);
    return rc;
}

/* ---- the run ------------------------------------------------------------------------ */

struct run {
    struct mailbox *mb;
    struct ledger *l;
    struct returns_stats *st;
    const struct returns_policy *policy;
    struct buf msg, key, source;
    int dry_run;
};

/* Classify, record effects and the UID in one transaction, then file it. */
static int handle(struct run *r, unsigned long uid, int effects, struct err *err)
{
    struct bounce_result br;
    size_t size;
    int got, verdict = 1;
    const char *to;

    got = mailbox_get(r->mb, uid, &r->msg, &size, err);
    if (got < 0)
        return -1;
    memset(&br, 0, sizeof(br));
    if (got == 0 && bounce_parse(r->msg.data, r->msg.len, &br, err)) {
        bounce_release(&br);
        return -1;
    }
    if (buf_setf(&r->source, "%s;UIDVALIDITY=%lu;UID=%lu", r->mb->folder, r->mb->uidvalidity,
                 uid)) {
        bounce_release(&br);
        return err_nomem(err);
    }
    if (effects && ledger_begin(r->l, err) == 0) {
        if (got == 0)
            verdict = returns_apply(r->l, &br, r->source.data, r->policy, r->st, err);
        else {
            r->st->seen++;
            r->st->review++; /* too big: for a person */
        }
        if (verdict < 0 || ledger_imap_state_set(r->l, r->key.data, r->mb->uidvalidity, uid, err) ||
            (r->dry_run ? (ledger_rollback(r->l), 0) : ledger_commit(r->l, err))) {
            ledger_rollback(r->l);
            bounce_release(&br);
            return -1;
        }
    } else if (effects) {
        bounce_release(&br);
        return -1;
    } else if (got == 0) {
        /* Already counted by the run that was killed before filing it. */
        verdict =
            (br.type == BOUNCE_BOUNCE && br.nrcpt) || br.type == BOUNCE_AUTOREPLY ||
                    ((br.type == BOUNCE_COMPLAINT || br.type == BOUNCE_UNSUBSCRIBE) && br.nrcpt)
                ? 0
                : 1;
    }
    bounce_release(&br);
    if (r->dry_run)
        return 0;
    to = verdict == 0 ? MAILBOX_DONE_FOLDER : MAILBOX_REVIEW_FOLDER;
    return mailbox_move(r->mb, uid, to, err);
}

/* The label of a sender's setting, for messages ("BOUNCE_IMAP_URL", or
 * "BOUNCE_IMAP_URL [remitente red]"). */
static void label(char *out, size_t size, const char *setting, const char *sender)
{
    if (!strcmp(sender, "default"))
        snprintf(out, size, "%s", setting);
    else
        snprintf(out, size, "%s [remitente %s]", setting, sender);
}

int mailbox_fetch_one(const struct mailbox_account *a, struct ledger *l, int dry_run,
                      const struct returns_policy *policy, struct returns_stats *st,
                      struct err *err)
{
    struct run r = {0};
    unsigned long validity = 0, last = 0, *uids = NULL;
    size_t n = 0, i;
    int rc = -1, known;
    struct mailbox_account login = *a;
    char *password = NULL, what[192];

    r.l = l;
    r.st = st;
    r.policy = policy;
    r.dry_run = dry_run;
    buf_init(&r.msg, BOUNCE_MAX_SIZE);
    buf_init(&r.key, 0);
    buf_init(&r.source, 0);
    if (!*login.password && login.password_command && *login.password_command) {
        label(what, sizeof(what), "BOUNCE_IMAP_PASSWORD_COMMAND", a->sender);
        if (!(password = sender_secret_run(login.password_command, what, err)))
            goto out;
        login.password = password;
    }
    r.mb = mailbox_open(&login, err);
    sender_secret_free(password); /* LOGIN is done (or failed) */
    if (!r.mb)
        goto out;
    if (buf_setf(&r.key, "%s@%s:%u/%s", a->user, r.mb->host, r.mb->port, r.mb->folder)) {
        err_nomem(err);
        goto out;
    }
    if ((known = ledger_imap_state(l, r.key.data, &validity, &last, err)) < 0)
        goto out;
    /* A new UIDVALIDITY means the folder was recreated: its UIDs start over,
     * and what we handled before was filed away already. */
    if (known == 1 || validity != r.mb->uidvalidity)
        last = 0;
    if (mailbox_search(r.mb, 0, &uids, &n, err))
        goto out;
    for (i = 0; i < n; i++)
        if (handle(&r, uids[i], uids[i] > last, err))
            goto out;
    rc = 0;
out:
    free(uids);
    mailbox_close(r.mb);
    buf_release(&r.msg);
    buf_release(&r.key);
    buf_release(&r.source);
    return rc;
}

/* The address part of a setting that holds one ("Name <a@b>", "mailto:a@b?subject=x",
 * "a+tag@b"), lower-cased, into out; "" when none. */
static void address_of(const char *v, char *out, size_t size)
{
    const char *p = strchr(v, '<') ? strchr(v, '<') + 1 : v;
    size_t i = 0;

    if (!strncasecmp(p, "mailto:", 7))
        p += 7;
    for (; *p && *p != '>' && *p != '?' && !isspace((unsigned char)*p) && i + 1 < size; p++)
        out[i++] = (char)tolower((unsigned char)*p);
    out[i] = '\0';
    /* a+tag@b is a@b's mailbox */
    if ((p = strchr(out, '+')) && strchr(p, '@'))
        memmove((char *)p, strchr(p, '@'), strlen(strchr(p, '@')) + 1);
}

/* Add a, unless a mailbox of the same URL and user is there already. */
static void add_account(struct mailbox_account *out, size_t *n, const struct mailbox_account *a)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (!strcmp(out[i].url, a->url) && !strcmp(out[i].user, a->user))
            return;
    out[(*n)++] = *a;
}

/* One sender's mailboxes (the rule in mailbox.h); -1 with err set when it
 * has none that can be read or one is missing. */
static int sender_accounts(const struct sender *s, struct mailbox_account *out, size_t *n,
                           struct err *err)
{
    struct mailbox_account a, b;
    char mailto[320], bounce[320];

    memset(&a, 0, sizeof(a));
    label(a.setting, sizeof(a.setting), "BOUNCE_IMAP_URL", s->name);
    if (!*s->imap_url)
        return err_set(err, ERR_CONFIG, "%s is not set (imaps://host:993/INBOX)", a.setting);
    a.sender = s->name;
    a.url = s->imap_url;
    a.user = s->imap_user;
    a.password = s->imap_password;
    a.password_command = s->imap_password_command;
    a.ca_file = s->ca_file;
    add_account(out, n, &a);
    /* The unsubscribe address: the bounce address unless set (compose.c). */
    address_of(s->unsubscribe_mailto, mailto, sizeof(mailto));
    address_of(*s->bounce_address ? s->bounce_address : s->from, bounce, sizeof(bounce));
    if (!strcasecmp(s->unsub_imap_url, "bounce") ||
        (!*s->unsub_imap_url && (!*mailto || !strcmp(mailto, bounce))))
        return 0;
    b = a;
    label(b.setting, sizeof(b.setting), "UNSUBSCRIBE_IMAP_URL", s->name);
    if (!*s->unsub_imap_url)
        return err_set(err, ERR_CONFIG,
                       "%s: UNSUBSCRIBE_MAILTO (%s) is not the bounce address (%s): set "
                       "UNSUBSCRIBE_IMAP_URL to its mailbox, or to \"bounce\" when its mail "
                       "reaches the bounce mailbox, so that no unsubscribe request goes unread",
                       b.setting, mailto, bounce);
    b.url = s->unsub_imap_url;
    if (*s->unsub_imap_user)
        b.user = s->unsub_imap_user;
    if (*s->unsub_imap_password) {
        b.password = s->unsub_imap_password;
        b.password_command = "";
    }
    add_account(out, n, &b);
    return 0;
}

int mailbox_accounts(const struct sender *const *s, size_t ns, struct mailbox_account *out,
                     size_t *n, struct err *err)
{
    size_t i;
    int rc = 0;

    *n = 0;
    for (i = 0; i < ns; i++)
        if (sender_accounts(s[i], out, n, err))
            rc = -1; /* said; the other senders' mailboxes are still read */
    return rc;
}
