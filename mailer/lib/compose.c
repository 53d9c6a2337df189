/* compose - one delivery of a campaign edition into the bytes of its message. */
#include "compose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "content.h"
#include "datefmt.h"
#include "token.h"

#include "banned.h"

#define BODY_CAP (8 * 1024 * 1024)

static int add_map(struct value *parent, const char *key, struct value **out)
{
    *out = value_new_map();
    if (!*out)
        return -1;
    if (value_map_set(parent, key, *out)) {
        *out = NULL;
        return -1;
    }
    return 0;
}

const char *const compose_reserved[] = {"edicion", "campana",  "contenido",   "fecha",
                                        "asunto",  "baja_url", "baja_correo", NULL};

int compose_is_reserved(const char *name)
{
    size_t i;

    for (i = 0; compose_reserved[i]; i++)
        if (!strcmp(name, compose_reserved[i]))
            return 1;
    return 0;
}

/* The variables of compose_reserved, the same for every message. */
static int build_shared(struct compose *cp, struct err *err)
{
    const struct campaign *c = cp->campaign;
    struct value *ed, *camp;
    struct buf date = BUF_INIT;
    int rc;

    cp->shared = value_new_map();
    if (!cp->shared || add_map(cp->shared, "edicion", &ed) ||
        add_map(cp->shared, "campana", &camp) || datefmt_day(&date, clock_now())) {
        buf_release(&date);
        return err_nomem(err);
    }
    rc = value_map_set_string(ed, "nombre", cp->edition.name) ||
         value_map_set_string(ed, "etiqueta", cp->edition.label) ||
         value_map_set_string(camp, "nombre", c->name) || value_map_set_string(camp, "id", c->id) ||
         value_map_set_string(camp, "tipo", c->kind) ||
         value_map_set_string(cp->shared, "fecha", date.data) ||
         value_map_set_string(cp->shared, "baja_correo", cp->unsub_mailto);
    /* {{baja_url}}: the https page when there is one, else a mailto link
     * that writes the «BAJA» the mailbox reader understands. */
    if (!rc && *cp->unsub_url) {
        rc = value_map_set_string(cp->shared, "baja_url", cp->unsub_url);
    } else if (!rc) {
        rc = buf_setf(&date, "mailto:%s?subject=BAJA", cp->unsub_mailto) ||
             value_map_set_string(cp->shared, "baja_url", date.data);
    }
    if (!rc && cp->content)
        rc = value_map_set(cp->shared, "contenido", value_dup(cp->content));
    buf_release(&date);
    return rc ? err_nomem(err) : 0;
}

static int render(struct compose *cp, const struct template *t, const struct value *vars,
                  struct buf *out, template_missing_fn on_missing, void *ud, struct err *err);

/* {{asunto}}: the subject as rendered without a contact. */
static int add_subject(struct compose *cp, struct err *err)
{
    struct buf subject = BUF_INIT;
    int rc;

    if (render(cp, cp->subject, NULL, &subject, NULL, NULL, err)) {
        buf_release(&subject);
        return -1;
    }
    rc = value_map_set_string(cp->shared, "asunto", subject.data);
    buf_release(&subject);
    return rc ? err_nomem(err) : 0;
}

static struct template *compile_string(const struct campaign *c, const char *src, const char *key,
                                       struct err *err)
{
    struct buf origin = BUF_INIT;
    struct template *t = NULL;

    if (buf_addf(&origin, "%s: %s", c->path, key))
        err_nomem(err);
    else
        t = template_compile(src, strlen(src), origin.data, TEMPLATE_ESCAPE_NONE, NULL, err);
    buf_release(&origin);
    return t;
}

static int compile_templates(struct compose *cp, struct err *err)
{
    const struct campaign *c = cp->campaign;
    struct buf path = BUF_INIT;
    int rc = -1;

    cp->subject = compile_string(c, c->subject, "subject", err);
    cp->report_title = compile_string(c, c->report_title, "report_title", err);
    if (!cp->subject || !cp->report_title)
        goto out;
    if (campaign_template_path(c, "html", &path)) {
        err_nomem(err);
        goto out;
    }
    cp->html = template_compile_file(path.data, NULL, err);
    buf_reset(&path);
    if (campaign_template_path(c, "txt", &path)) {
        err_nomem(err);
        goto out;
    }
    cp->text = template_compile_file(path.data, NULL, err);
    if (cp->html && cp->text)
        rc = 0;
out:
    buf_release(&path);
    return rc;
}

static int load_content(struct compose *cp, struct err *err)
{
    struct buf path = BUF_INIT;
    int rc = 0;

    if (campaign_content_path(cp->campaign, &cp->edition, &path))
        rc = err_nomem(err);
    else if (path.len && access(path.data, F_OK) == 0 &&
             campaign_path_inside(cp->campaign, path.data, err)) {
        rc = -1;
    } else if (path.len) {
        cp->content = content_load(path.data, cp->campaign->allow_html, err);
        if (!cp->content)
            rc = -1;
    }
    buf_release(&path);
    return rc;
}

static void free_files(struct message_file *f, size_t n)
{
    size_t i;

    for (i = 0; f && i < n; i++) {
        free((char *)f[i].path);
        free((char *)f[i].content_id);
        message_file_release(&f[i]);
    }
    free(f);
}

/* The files of a campaign; an inline image's Content-ID is
 * "<file name>@<domain>" (RFC 2392 wants a domain), NULL for attachments. */
static struct message_file *make_files(const struct campaign *c, char **names, size_t n,
                                       const char *cid_domain)
{
    struct message_file *f = calloc(n ? n : 1, sizeof(*f));
    struct buf path = BUF_INIT;
    size_t i;

    for (i = 0; f && i < n; i++) {
        const char *base = strrchr(names[i], '/');
        if (buf_setf(&path, "%s/%s", c->home, names[i]) || !(f[i].path = strdup(path.data))) {
            free_files(f, i);
            f = NULL;
            break;
        }
        f[i].filename = base ? base + 1 : names[i];
        if (cid_domain) {
            if (buf_setf(&path, "%s@%s", f[i].filename, cid_domain)) {
                free_files(f, i + 1);
                f = NULL;
                break;
            }
            f[i].content_id = buf_detach(&path, NULL);
        }
    }
    buf_release(&path);
    return f;
}

/* The inline image a "cid:" at html names (the file name, ending where an
 * attribute or url() ends), or NULL; *len gets the name's length. */
static const struct message_file *cid_file(const struct compose *cp, const char *name, size_t *len)
{
    size_t i, n;

    *len = strcspn(name, "\"') \t\r\n>");
    for (i = 0; i < cp->campaign->ninline_images; i++) {
        n = strlen(cp->inline_files[i].filename);
        if (n == *len && !memcmp(name, cp->inline_files[i].filename, n))
            return &cp->inline_files[i];
    }
    return NULL;
}

/* html with each "cid:<file name>" as "cid:<its Content-ID>", into out
 * (out NULL: only checked). A cid: that names no inline image is an error:
 * the reader would see a broken image. */
static int cids_qualify(const struct compose *cp, const struct buf *html, struct buf *out,
                        struct err *err)
{
    const char *p = html->data, *end = html->data + html->len, *hit;
    const struct message_file *f;
    size_t len;

    while ((hit = memmem(p, (size_t)(end - p), "cid:", 4))) {
        hit += 4;
        if (!(f = cid_file(cp, hit, &len))) {
            char name[81];
            snprintf(name, sizeof(name), "%.*s", (int)(len < 80 ? len : 80), hit);
            return err_set(err, ERR_DATA,
                           "%s: the HTML shows cid:%s, which is not one of the campaign's "
                           "inline_images",
                           cp->campaign->path, name);
        }
        if (out && (buf_add(out, p, (size_t)(hit - p)) || buf_addstr(out, f->content_id)))
            return err_nomem(err);
        p = hit + len;
    }
    return out && buf_add(out, p, (size_t)(end - p)) ? err_nomem(err) : 0;
}

static int init_addresses(struct compose *cp, const struct sender *s, struct err *err)
{
    const struct campaign *c = cp->campaign;
    const char *from = *c->from ? c->from : s->from;
    const char *bounce = s->bounce_address;
    const char *mailto = s->unsubscribe_mailto;
    const char *at;
    struct buf b = BUF_INIT;

    if (address_split_display(from, &cp->from_name, &cp->from_address))
        return err_nomem(err);
    at = strrchr(cp->from_address, '@');
    if (!at || !at[1])
        return err_set(err, ERR_CONFIG, "From \"%s\" has no domain", from);
    cp->domain = strdup(at + 1);
    cp->envelope_from = strdup(*bounce ? bounce : cp->from_address);
    cp->unsub_mailto = strdup(*mailto ? mailto : cp->envelope_from);
    cp->unsub_url = strdup(s->unsubscribe_url);
    /* the public base of the unsubscribe endpoint: BASE/TOKEN per message */
    for (size_t n = cp->unsub_url ? strlen(cp->unsub_url) : 0; n && cp->unsub_url[n - 1] == '/';)
        cp->unsub_url[--n] = '\0';
    cp->verp = s->verp;
    if (*c->reply_to && address_split_display(c->reply_to, &cp->reply_to_name, &cp->reply_to))
        return err_nomem(err); /* "Observación Electoral IECM <observacion@...>": both kept */
    if (!buf_addf(&b, "%s <%s.%s>", c->name, c->id, cp->domain))
        cp->list_id = buf_detach(&b, NULL);
    buf_release(&b);
    if (!cp->domain || !cp->envelope_from || !cp->unsub_mailto || !cp->unsub_url || !cp->list_id)
        return err_nomem(err);
    return 0;
}

/* Files that cannot fit in one message (MESSAGE_MAX once in base64) are an
 * error now, so `mailer check` says so before a send starts. */
static int files_fit(const struct message_file *f, size_t n, const struct message_file *g, size_t m,
                     struct err *err)
{
    unsigned long long total = 0;
    struct stat st;
    size_t i;

    for (i = 0; i < n + m; i++) {
        const char *path = i < n ? f[i].path : g[i - n].path;
        if (path && stat(path, &st) == 0)
            total += (unsigned long long)st.st_size;
    }
    if (total / 3 * 4 + total / 57 * 2 > MESSAGE_MAX)
        return err_set(err, ERR_DATA,
                       "attachments and inline images: %llu bytes, more than fits in the %u MB "
                       "a message may have once encoded: make them smaller",
                       total, MESSAGE_MAX >> 20);
    return 0;
}

int compose_init(struct compose *cp, const struct campaign *c, const struct edition *e,
                 const struct sender *s, int test, struct err *err)
{
    memset(cp, 0, sizeof(*cp));
    cp->campaign = c;
    cp->edition = *e;
    cp->test = test;
    buf_init(&cp->scratch, BODY_CAP);
    buf_init(&cp->r_subject, 64 * 1024);
    buf_init(&cp->r_text, BODY_CAP);
    buf_init(&cp->r_html, BODY_CAP);
    buf_init(&cp->shape, 1024 * 1024);
    buf_init(&cp->u_url, 4096);
    buf_init(&cp->u_mailto, 1024);
    buf_init(&cp->u_baja, 4096);
    if (init_addresses(cp, s, err) || compile_templates(cp, err) || load_content(cp, err) ||
        build_shared(cp, err) || add_subject(cp, err))
        return -1;
    cp->inline_files = make_files(c, c->inline_images, c->ninline_images, cp->domain);
    cp->attachments = make_files(c, c->attachments, c->nattachments, NULL);
    if (!cp->inline_files || !cp->attachments)
        return err_nomem(err);
    if (files_fit(cp->inline_files, c->ninline_images, cp->attachments, c->nattachments, err))
        return -1;
    /* read and encoded once for every message of the mailing */
    for (size_t i = 0; i < c->ninline_images; i++)
        if (message_file_load(&cp->inline_files[i], err))
            return -1;
    for (size_t i = 0; i < c->nattachments; i++)
        if (message_file_load(&cp->attachments[i], err))
            return -1;
    return 0;
}

void compose_release(struct compose *cp)
{
    template_free(cp->subject);
    template_free(cp->report_title);
    template_free(cp->html);
    template_free(cp->text);
    value_free(cp->shared);
    value_free(cp->content);
    free(cp->from_name);
    free(cp->from_address);
    free(cp->reply_to);
    free(cp->reply_to_name);
    free(cp->envelope_from);
    free(cp->domain);
    free(cp->list_id);
    free(cp->unsub_mailto);
    free(cp->unsub_url);
    if (cp->campaign) {
        free_files(cp->inline_files, cp->campaign->ninline_images);
        free_files(cp->attachments, cp->campaign->nattachments);
    }
    buf_release(&cp->scratch);
    buf_release(&cp->r_subject);
    buf_release(&cp->r_text);
    buf_release(&cp->r_html);
    buf_release(&cp->shape);
    buf_release(&cp->u_url);
    buf_release(&cp->u_mailto);
    buf_release(&cp->u_baja);
    while (cp->ndry_clean)
        free(cp->dry_clean[--cp->ndry_clean]);
    memset(cp, 0, sizeof(*cp));
}

/* Render t over the stack defaults < shared < contact. */
static int render(struct compose *cp, const struct template *t, const struct value *vars,
                  struct buf *out, template_missing_fn on_missing, void *ud, struct err *err)
{
    const struct value *stack[3] = {cp->campaign->defaults, cp->shared, vars};

    return template_render(t, stack, vars ? 3 : 2, out, on_missing, ud, err);
}

int compose_titles(struct compose *cp, struct buf *subject, struct buf *report_title,
                   struct err *err)
{
    if (render(cp, cp->subject, NULL, subject, NULL, NULL, err) ||
        render(cp, cp->report_title, NULL, report_title, NULL, NULL, err))
        return -1;
    return 0;
}

/* The shape of a contact's columns: each key with its type and truthiness.
 * -1 when a value is a list or a map (sections would look inside it). */
static int dry_shape(const struct value *vars, struct buf *out)
{
    const struct value *v;
    const char *key;
    size_t i;

    buf_reset(out);
    for (i = 0; vars && (v = value_map_at(vars, i, &key)); i++) {
        enum value_type t = value_type(v);
        if (t == VALUE_LIST || t == VALUE_MAP)
            return -1;
        if (buf_addstr(out, key) || buf_addch(out, '\x01') || buf_addch(out, (char)('0' + t)) ||
            buf_addch(out, value_truthy(v) ? 'y' : 'n'))
            return -1;
    }
    return 0;
}

struct dry_seen {
    template_missing_fn fn;
    void *ud;
    int missing;
};

static void dry_missing(void *ud, const char *name)
{
    struct dry_seen *s = ud;

    s->missing = 1;
    if (s->fn)
        s->fn(s->ud, name);
}

int compose_dry(struct compose *cp, const struct value *vars, template_missing_fn on_missing,
                void *ud, struct err *err)
{
    struct dry_seen seen = {on_missing, ud, 0};
    int shaped = dry_shape(vars, &cp->shape) == 0;
    size_t i;

    for (i = 0; shaped && i < cp->ndry_clean; i++)
        if (!strcmp(cp->dry_clean[i], cp->shape.data))
            return 0;
    buf_reset(&cp->scratch);
    if (render(cp, cp->subject, vars, &cp->scratch, dry_missing, &seen, err))
        return -1;
    buf_reset(&cp->scratch);
    if (render(cp, cp->text, vars, &cp->scratch, dry_missing, &seen, err))
        return -1;
    buf_reset(&cp->scratch);
    if (render(cp, cp->html, vars, &cp->scratch, dry_missing, &seen, err) ||
        cids_qualify(cp, &cp->scratch, NULL, err))
        return -1;
    if (shaped && !seen.missing &&
        cp->ndry_clean < sizeof(cp->dry_clean) / sizeof(cp->dry_clean[0]))
        cp->dry_clean[cp->ndry_clean++] = strdup(cp->shape.data); /* NULL: not cached */
    if (cp->ndry_clean && !cp->dry_clean[cp->ndry_clean - 1])
        cp->ndry_clean--;
    return 0;
}

int compose_html(struct compose *cp, const struct value *vars, struct buf *out, struct err *err)
{
    return render(cp, cp->html, vars, out, NULL, NULL, err);
}

/* This recipient's unsubscribe URL (BASE/TOKEN), mailto address
 * (local+TOKEN@domain) and {{baja_url}}; only a well-formed token (32 hex
 * digits: nothing to escape) goes into a header or a URL. */
static int unsub_for(struct compose *cp, const char *token, struct err *err)
{
    int tok = token && token_valid(token, strlen(token));
    const char *at = strrchr(cp->unsub_mailto, '@');
    int rc;

    buf_reset(&cp->u_url);
    buf_reset(&cp->u_mailto);
    buf_reset(&cp->u_baja);
    rc = buf_addstr(&cp->u_url, cp->unsub_url) ||
         (tok && *cp->unsub_url && buf_addf(&cp->u_url, "/%s", token));
    if (!rc && tok && at)
        rc = buf_add(&cp->u_mailto, cp->unsub_mailto, (size_t)(at - cp->unsub_mailto)) ||
             buf_addf(&cp->u_mailto, "+%s%s", token, at);
    else if (!rc)
        rc = buf_addstr(&cp->u_mailto, cp->unsub_mailto);
    if (!rc && cp->u_url.len)
        rc = buf_addstr(&cp->u_baja, cp->u_url.data);
    else if (!rc)
        rc = buf_addf(&cp->u_baja, "mailto:%s?subject=BAJA", cp->u_mailto.data);
    if (!rc)
        rc = value_map_set_string(cp->shared, "baja_url", cp->u_baja.data);
    return rc ? err_nomem(err) : 0;
}

int compose_message(struct compose *cp, const struct compose_contact *who, struct buf *out,
                    template_missing_fn on_missing, void *ud, struct err *err)
{
    struct buf *subject = &cp->r_subject, *text = &cp->r_text, *html = &cp->r_html;
    struct message_spec m = {0};

    /* The three renderings keep their memory from one message to the next. */
    buf_reset(subject);
    buf_reset(text);
    buf_reset(html);
    buf_reset(&cp->scratch); /* the HTML as rendered, before its cid: are qualified */
    if (cp->test && buf_addstr(subject, "[PRUEBA] "))
        return err_nomem(err);
    if (unsub_for(cp, who->token, err))
        return -1;
    if (render(cp, cp->subject, who->vars, subject, on_missing, ud, err) ||
        render(cp, cp->text, who->vars, text, on_missing, ud, err) ||
        render(cp, cp->html, who->vars, &cp->scratch, on_missing, ud, err) ||
        cids_qualify(cp, &cp->scratch, html, err))
        return -1;
    m.from_name = cp->from_name;
    m.from_address = cp->from_address;
    m.to_name = who->name;
    m.to_address = who->address;
    m.reply_to = cp->reply_to;
    m.reply_to_name = cp->reply_to_name;
    m.subject = subject->data;
    m.text = text->data;
    m.text_len = text->len;
    m.html = html->data;
    m.html_len = html->len;
    m.message_id = who->message_id;
    m.date = who->date;
    m.list_id = cp->list_id;
    m.unsubscribe_mailto = cp->test ? NULL : cp->u_mailto.data;
    m.unsubscribe_url = cp->test || !cp->u_url.len ? NULL : cp->u_url.data;
    m.inline_files = cp->inline_files;
    m.ninline = cp->campaign->ninline_images;
    m.attachments = cp->attachments;
    m.nattachments = cp->campaign->nattachments;
    m.boundary_seed = cp->boundary_seed;
    return message_build(&m, out, err);
}

int compose_envelope(const struct compose *cp, const char *message_id, struct buf *out)
{
    const char *at = strrchr(cp->envelope_from, '@');
    size_t token = strcspn(message_id, "@");

    if (!cp->verp || !at)
        return buf_addstr(out, cp->envelope_from);
    return buf_add(out, cp->envelope_from, (size_t)(at - cp->envelope_from)) ||
           buf_addch(out, '+') || buf_add(out, message_id, token) || buf_addstr(out, at);
}

int compose_vars_json(const struct value *vars, struct buf *out)
{
    const struct value *v;
    const char *key, *text;
    size_t i, n = 0;
    int rc = buf_addch(out, '{');

    for (i = 0; !rc && (v = value_map_at(vars, i, &key)); i++) {
        size_t len = 0;
        text = value_text(v, &len);
        if ((value_type(v) == VALUE_STRING && text && len == 0) || value_type(v) == VALUE_NULL)
            continue;
        rc = (n++ && buf_addch(out, ',')) || value_json_quote(out, key) || buf_addch(out, ':') ||
             (value_type(v) == VALUE_STRING ? value_json_string(out, text, len)
                                            : value_to_json(v, out, 0));
    }
    return rc || buf_addch(out, '}') ? -1 : 0;
}

struct value *compose_vars_parse(const char *json, size_t len, struct err *err)
{
    return value_from_json(json, len, "ledger", err);
}

void compose_gaps_contact(struct compose_gaps *g, const char *file, size_t line)
{
    g->seq++;
    snprintf(g->where, sizeof(g->where), "%s:%zu", file, line);
}

void compose_gaps_note(void *ud, const char *name)
{
    struct compose_gaps *g = ud;
    struct compose_gap *m = NULL;
    size_t i;

    for (i = 0; i < g->n && !m; i++)
        if (!strcmp(g->v[i].name, name))
            m = &g->v[i];
    if (!m && g->n < COMPOSE_GAPS_MAX) {
        m = &g->v[g->n++];
        snprintf(m->name, sizeof(m->name), "%s", name);
    }
    if (!m || m->last == g->seq)
        return;
    m->last = g->seq;
    if (m->count < COMPOSE_GAP_ROWS)
        snprintf(m->first[m->count], sizeof(m->first[0]), "%s", g->where);
    m->count++;
}
