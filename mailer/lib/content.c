/* content - Markdown editions (cmark) and digest items (CSV / JSON). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "content.h"
#include "csvread.h"
#include "utf8.h"

#include "banned.h"

#define CONTENT_MAX_SIZE (8u << 20) /* bytes of one content file */
#define TEXT_WIDTH 72
#define OTHER_REGION "Otras regiones"
#define NBSP '\x01' /* a space where a line must not break: "texto [1]" */

static size_t line_of(const char *s, size_t off)
{
    size_t i, line = 1;

    for (i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

static int check_utf8(const char *text, size_t len, const char *origin, struct err *err)
{
    size_t bad = utf8_valid_prefix(text, len, NULL, NULL);

    if (bad == len)
        return 0;
    return err_set(err, ERR_DATA, "%s:%zu: not valid UTF-8 (byte 0x%02X); save the file as UTF-8",
                   origin, line_of(text, bad), (unsigned char)text[bad]);
}

/* ---- wrapping ---- */

int content_wrap(struct buf *out, const char *text, size_t len, size_t width,
                 const char *first_prefix, const char *prefix)
{
    const char *pre = first_prefix;
    size_t pos = 0, col = 0, plen;
    int line_open = 0;

    while (pos < len) {
        size_t a = pos, b, wlen;
        if (text[pos] == ' ' || text[pos] == '\t') {
            pos++;
            continue;
        }
        if (text[pos] == '\n') {
            if (!line_open && buf_addstr(out, pre))
                return -1;
            if (buf_addch(out, '\n'))
                return -1;
            line_open = 0;
            pre = prefix;
            pos++;
            continue;
        }
        for (b = a; b < len && text[b] != ' ' && text[b] != '\t' && text[b] != '\n'; b++)
            ;
        wlen = utf8_chars(text + a, b - a);
        if (line_open && col + 1 + wlen > width) {
            if (buf_addch(out, '\n'))
                return -1;
            line_open = 0;
            pre = prefix;
        }
        if (!line_open) {
            plen = utf8_chars(pre, strlen(pre));
            if (buf_addstr(out, pre))
                return -1;
            col = plen;
            line_open = 1;
        } else {
            if (buf_addch(out, ' '))
                return -1;
            col++;
        }
        for (; a < b; a++)
            if (buf_addch(out, text[a] == NBSP ? ' ' : text[a]))
                return -1;
        col += wlen;
        pos = b;
    }
    if (line_open && buf_addch(out, '\n'))
        return -1;
    return 0;
}

/* ---- Markdown to text ---- */

struct textr {
    struct buf out;
    struct buf para;   /* inline text of the block being read */
    struct buf prefix; /* for every line of the current block */
    struct buf first;  /* first-line prefix (list marker), "" when none */
    struct buf title;
    struct buf links; /* "[n] url\n" lines */
    size_t nlinks;
    size_t link_start; /* para length when the link was entered */
    int in_title, have_title;
    size_t prefix_stack[64];
    size_t depth;
};

static int push_prefix(struct textr *t, const char *s)
{
    if (t->depth == sizeof(t->prefix_stack) / sizeof(t->prefix_stack[0]))
        return -1;
    t->prefix_stack[t->depth++] = t->prefix.len;
    return buf_addstr(&t->prefix, s);
}

static void pop_prefix(struct textr *t)
{
    if (t->depth)
        buf_setlen(&t->prefix, t->prefix_stack[--t->depth]);
}

static int is_container(cmark_node *n)
{
    cmark_node_type k = n ? cmark_node_get_type(n) : CMARK_NODE_NONE;

    return k == CMARK_NODE_ITEM || k == CMARK_NODE_LIST || k == CMARK_NODE_BLOCK_QUOTE;
}

static int tight_item(cmark_node *n)
{
    return n && cmark_node_get_type(n) == CMARK_NODE_ITEM &&
           cmark_node_get_list_tight(cmark_node_parent(n));
}

/* Blank line before a block, except inside tight lists. The gap belongs to
 * the outermost container the block opens (a quote's first paragraph gets
 * a plain blank line before the quote, later ones a ">" line). */
static int block_gap(struct textr *t, cmark_node *node)
{
    cmark_node *x = node;
    size_t pushed = 0, end;

    if (t->out.len == 0)
        return 0;
    while (is_container(cmark_node_parent(x)) && !cmark_node_previous(x)) {
        x = cmark_node_parent(x);
        if (cmark_node_get_type(x) != CMARK_NODE_LIST)
            pushed++;
    }
    if (tight_item(x) || tight_item(cmark_node_parent(x)))
        return 0;
    end = pushed && pushed <= t->depth ? t->prefix_stack[t->depth - pushed] : t->prefix.len;
    while (end > 0 && t->prefix.data[end - 1] == ' ')
        end--;
    if (buf_add(&t->out, t->prefix.data, end))
        return -1;
    return buf_addch(&t->out, '\n');
}

static const char *line_prefix(struct textr *t)
{
    return t->first.len ? t->first.data : t->prefix.data;
}

static int flush_para(struct textr *t, cmark_node *node)
{
    int rc;

    if (block_gap(t, node))
        return -1;
    rc = content_wrap(&t->out, t->para.data, t->para.len, TEXT_WIDTH, line_prefix(t),
                      t->prefix.data);
    buf_reset(&t->first);
    buf_reset(&t->para);
    return rc;
}

static int flush_heading(struct textr *t, cmark_node *node)
{
    int level = cmark_node_get_heading_level(node);
    size_t start, n, i, width = 0, col;

    if (block_gap(t, node))
        return -1;
    start = t->out.len;
    if (content_wrap(&t->out, t->para.data, t->para.len, TEXT_WIDTH, line_prefix(t),
                     t->prefix.data))
        return -1;
    buf_reset(&t->first);
    buf_reset(&t->para);
    if (level > 2)
        return 0;
    /* Underline as wide as the longest line of the heading. */
    for (i = start, col = 0; i < t->out.len; i++) {
        if (t->out.data[i] == '\n') {
            width = col > width ? col : width;
            col = 0;
        } else {
            col += ((unsigned char)t->out.data[i] & 0xC0) != 0x80;
        }
    }
    n = utf8_chars(t->prefix.data, t->prefix.len);
    if (buf_addstr(&t->out, t->prefix.data))
        return -1;
    for (i = n; i < width; i++)
        if (buf_addch(&t->out, level == 1 ? '=' : '-'))
            return -1;
    return buf_addch(&t->out, '\n');
}

static int code_block(struct textr *t, cmark_node *node)
{
    const char *s = cmark_node_get_literal(node);
    const char *nl;

    if (block_gap(t, node))
        return -1;
    if (t->first.len) {
        /* A list item starting with code: the marker on a line of its own. */
        if (buf_addstr(&t->out, t->first.data) || buf_addch(&t->out, '\n'))
            return -1;
        buf_reset(&t->first);
    }
    while (s && *s) {
        nl = strchr(s, '\n');
        if (!nl)
            nl = s + strlen(s);
        if (buf_addstr(&t->out, t->prefix.data) || buf_addstr(&t->out, "    ") ||
            buf_add(&t->out, s, (size_t)(nl - s)) || buf_addch(&t->out, '\n'))
            return -1;
        s = *nl ? nl + 1 : nl;
    }
    return 0;
}

static int item_enter(struct textr *t, cmark_node *item)
{
    cmark_node *list = cmark_node_parent(item), *p;
    char marker[32];
    size_t n;
    int k;

    if (cmark_node_get_list_type(list) == CMARK_ORDERED_LIST) {
        k = cmark_node_get_list_start(list);
        for (p = cmark_node_previous(item); p; p = cmark_node_previous(p))
            k++;
        snprintf(marker, sizeof(marker), "%d%c ", k,
                 cmark_node_get_list_delim(list) == CMARK_PAREN_DELIM ? ')' : '.');
    } else {
        snprintf(marker, sizeof(marker), "- ");
    }
    buf_reset(&t->first);
    if (buf_addstr(&t->first, t->prefix.data) || buf_addstr(&t->first, marker))
        return -1;
    n = strlen(marker);
    memset(marker, ' ', n);
    marker[n] = '\0';
    return push_prefix(t, marker);
}

static int same_url(const char *text, size_t n, const char *url)
{
    if (strlen(url) == n && memcmp(url, text, n) == 0)
        return 1;
    return strncmp(url, "mailto:", 7) == 0 && strlen(url + 7) == n && memcmp(url + 7, text, n) == 0;
}

/* After a link's text: " [n]", and its URL in the list at the end. */
static int link_exit(struct textr *t, cmark_node *node)
{
    const char *url = cmark_node_get_url(node);
    size_t n;

    if (!url || !*url)
        return 0;
    if (same_url(t->para.data + t->link_start, t->para.len - t->link_start, url))
        return 0;
    /* The same URL keeps its number. */
    for (n = 1; n <= t->nlinks; n++) {
        char tag[32];
        const char *p;
        int len = snprintf(tag, sizeof(tag), "[%zu] ", n);
        p = strstr(t->links.data, tag);
        if (p && strncmp(p + len, url, strlen(url)) == 0 && p[len + strlen(url)] == '\n')
            return buf_addf(&t->para, "%c[%zu]", NBSP, n);
    }
    t->nlinks++;
    if (buf_addf(&t->links, "[%zu] %s\n", t->nlinks, url))
        return -1;
    return buf_addf(&t->para, "%c[%zu]", NBSP, t->nlinks);
}

static int inline_text(struct textr *t, const char *s)
{
    if (!s)
        return 0;
    if (t->in_title && buf_addstr(&t->title, s))
        return -1;
    return buf_addstr(&t->para, s);
}

static int text_event(struct textr *t, cmark_node *node, cmark_event_type ev)
{
    int enter = ev == CMARK_EVENT_ENTER;

    switch (cmark_node_get_type(node)) {
    case CMARK_NODE_PARAGRAPH:
        return enter ? 0 : flush_para(t, node);
    case CMARK_NODE_HEADING:
        if (enter && !t->have_title)
            t->in_title = t->have_title = 1;
        if (enter)
            return 0;
        t->in_title = 0;
        return flush_heading(t, node);
    case CMARK_NODE_BLOCK_QUOTE:
        if (enter)
            return push_prefix(t, "> ");
        pop_prefix(t);
        return 0;
    case CMARK_NODE_ITEM:
        if (enter)
            return item_enter(t, node);
        pop_prefix(t);
        buf_reset(&t->first);
        return 0;
    case CMARK_NODE_CODE_BLOCK:
        return code_block(t, node);
    case CMARK_NODE_THEMATIC_BREAK:
        if (block_gap(t, node) || buf_addstr(&t->out, t->prefix.data))
            return -1;
        return buf_addstr(&t->out, "* * *\n");
    case CMARK_NODE_TEXT:
    case CMARK_NODE_CODE:
        return inline_text(t, cmark_node_get_literal(node));
    case CMARK_NODE_SOFTBREAK:
        return inline_text(t, " ");
    case CMARK_NODE_LINEBREAK:
        return buf_addch(&t->para, '\n');
    case CMARK_NODE_EMPH:
        return buf_addch(&t->para, '_');
    case CMARK_NODE_STRONG:
        return buf_addch(&t->para, '*');
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE:
        if (enter) {
            t->link_start = t->para.len;
            return 0;
        }
        return link_exit(t, node);
    default: /* document, list, raw HTML (no text), custom */
        return 0;
    }
}

static int markdown_text(cmark_node *doc, struct textr *t)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    int rc = 0;

    if (!it)
        return -1;
    while (rc == 0 && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        rc = text_event(t, cmark_iter_get_node(it), ev);
    cmark_iter_free(it);
    if (rc == 0 && t->nlinks)
        rc = buf_addstr(&t->out, "\nEnlaces:\n") || buf_add(&t->out, t->links.data, t->links.len);
    return rc;
}

struct value *content_markdown(const char *text, size_t len, const char *origin, int allow_raw_html,
                               struct err *err)
{
    int opts = CMARK_OPT_VALIDATE_UTF8 | (allow_raw_html ? CMARK_OPT_UNSAFE : 0);
    struct textr t;
    struct value *map = NULL;
    cmark_node *doc = NULL, *lead = NULL;
    char *html = NULL;
    int lead_ok = 1;

    memset(&t, 0, sizeof(t));
    buf_init(&t.out, 0);
    buf_init(&t.para, 0);
    buf_init(&t.prefix, 0);
    buf_init(&t.first, 0);
    buf_init(&t.title, 0);
    buf_init(&t.links, 0);
    if (check_utf8(text, len, origin, err))
        goto out;
    doc = cmark_parse_document(text, len, opts);
    /* An edition that begins with "# Título" has its title there: it is
     * {{contenido.titulo}}, and not repeated in the html and the text (the
     * template shows it once, where it wants it). */
    lead = doc ? cmark_node_first_child(doc) : NULL;
    if (lead && cmark_node_get_type(lead) == CMARK_NODE_HEADING &&
        cmark_node_get_heading_level(lead) == 1) {
        cmark_node_unlink(lead);
        if (markdown_text(lead, &t)) /* only its text, for the title */
            lead_ok = 0;
        buf_reset(&t.out);
        buf_reset(&t.links);
        t.nlinks = 0;
    } else {
        lead = NULL;
    }
    html = doc && lead_ok ? cmark_render_html(doc, opts) : NULL;
    if (!html) {
        err_nomem(err);
        goto out;
    }
    if (markdown_text(doc, &t)) {
        err_set(err, ERR_DATA, "%s: cannot render as text (lists or quotes nested too deep?)",
                origin);
        goto out;
    }
    buf_trim(&t.title);
    map = value_new_map();
    if (!map || value_map_set_string(map, "html", html) ||
        value_map_set(map, "texto", value_new_string(t.out.data, t.out.len)) ||
        value_map_set(map, "titulo", value_new_string(t.title.data, t.title.len))) {
        value_free(map);
        map = NULL;
        err_nomem(err);
    }
out:
    free(html);
    if (lead)
        cmark_node_free(lead);
    if (doc)
        cmark_node_free(doc);
    buf_release(&t.out);
    buf_release(&t.para);
    buf_release(&t.prefix);
    buf_release(&t.first);
    buf_release(&t.title);
    buf_release(&t.links);
    return map;
}

/* ---- digest items ---- */

static const struct alias {
    const char *from, *to;
} aliases[] = {
    {"date", "date"},       {"fecha", "date"},    {"title", "title"},   {"titulo", "title"},
    {"título", "title"},    {"source", "source"}, {"fuente", "source"}, {"medio", "source"},
    {"url", "url"},         {"enlace", "url"},    {"link", "url"},      {"summary", "summary"},
    {"resumen", "summary"}, {"region", "region"}, {"región", "region"},
};

/* Canonical key for a column or JSON key: trimmed, ASCII lower case, aliases
 * mapped; written to out. */
static int canonical_key(const char *s, size_t n, struct buf *out)
{
    size_t i;

    buf_reset(out);
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (c == ' ' || c == '-')
            c = '_';
        if (buf_addch(out, c))
            return -1;
    }
    /* "TÍTULO" / "REGIÓN": the accented capitals in UTF-8. */
    if (strcmp(out->data, "t\xc3\x8dtulo") == 0 && buf_setf(out, "título"))
        return -1;
    if (strcmp(out->data, "regi\xc3\x93n") == 0 && buf_setf(out, "región"))
        return -1;
    for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcmp(out->data, aliases[i].from) == 0)
            return buf_setf(out, "%s", aliases[i].to);
    return 0;
}

static int check_item(const struct value *item, const char *where, struct err *err)
{
    static const char *const required[] = {"title", "url"};
    const char *s;
    size_t i, n;

    for (i = 0; i < 2; i++) {
        s = value_text(value_map_get(item, required[i]), &n);
        if (!s || n == 0)
            return err_set(err, ERR_DATA, "%s: no %s (items need title and url)", where,
                           required[i]);
    }
    s = value_text(value_map_get(item, "url"), &n);
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return err_set(err, ERR_DATA, "%s: url \"%s\" does not start with http:// or https://",
                       where, s);
    return 0;
}

/* Fill in missing fields with "" so templates never see a missing name. */
static int complete_item(struct value *item)
{
    static const char *const fields[] = {"date", "title", "source", "url", "summary", "region"};
    size_t i;

    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (!value_map_get(item, fields[i]) && value_map_set_string(item, fields[i], ""))
            return -1;
    return 0;
}

/* {"items", "total", "regiones"} from a list of checked items (taken). */
static struct value *digest_map(struct value *items, struct err *err)
{
    struct value *map = value_new_map(), *regions = value_new_list();
    size_t i, j, n = value_list_len(items);
    int rc;

    if (!map || !regions)
        goto nomem;
    for (i = 0; i < n; i++) {
        const struct value *item = value_list_at(items, i);
        const char *r = value_text(value_map_get(item, "region"), NULL);
        struct value *group = NULL;
        if (!r || !*r)
            r = OTHER_REGION;
        for (j = 0; j < value_list_len(regions); j++) {
            const struct value *g = value_list_at(regions, j);
            if (strcmp(value_text(value_map_get(g, "region"), NULL), r) == 0)
                group = (struct value *)g;
        }
        if (!group) {
            group = value_new_map();
            if (!group)
                goto nomem;
            if (value_map_set_string(group, "region", r) ||
                value_map_set(group, "items", value_new_list())) {
                value_free(group);
                goto nomem;
            }
            if (value_list_append(regions, group)) /* frees group on failure */
                goto nomem;
        }
        if (value_list_append((struct value *)value_map_get(group, "items"), value_dup(item)))
            goto nomem;
    }
    /* value_map_set takes its value even when it fails. */
    rc = value_map_set(map, "items", items);
    items = NULL;
    if (rc || value_map_set(map, "total", value_new_number((double)n, NULL)))
        goto nomem;
    rc = value_map_set(map, "regiones", regions);
    regions = NULL;
    if (rc)
        goto nomem;
    return map;
nomem:
    value_free(items);
    value_free(regions);
    value_free(map);
    err_nomem(err);
    return NULL;
}

struct value *content_digest_json(const char *text, size_t len, const char *origin, struct err *err)
{
    struct value *doc, *items = NULL;
    const struct value *list;
    struct buf key = BUF_INIT, where = BUF_INIT;
    size_t i, k;

    doc = value_from_json(text, len, origin, err);
    if (!doc)
        return NULL;
    list = value_type(doc) == VALUE_MAP ? value_map_get(doc, "items") : doc;
    if (value_type(list) != VALUE_LIST) {
        err_set(err, ERR_DATA, "%s: want a list of items or {\"items\": [...]}", origin);
        goto fail;
    }
    items = value_new_list();
    if (!items)
        goto nomem;
    for (i = 0; i < value_list_len(list); i++) {
        const struct value *src = value_list_at(list, i);
        struct value *item;
        if (buf_setf(&where, "%s: item %zu", origin, i + 1))
            goto nomem;
        if (value_type(src) != VALUE_MAP) {
            err_set(err, ERR_DATA, "%s: not an object", where.data);
            goto fail;
        }
        item = value_new_map();
        if (!item || value_list_append(items, item))
            goto nomem;
        for (k = 0; k < value_map_len(src); k++) {
            const char *name;
            const struct value *v = value_map_at(src, k, &name);
            if (canonical_key(name, strlen(name), &key) ||
                value_map_set(item, key.data, value_dup(v)))
                goto nomem;
        }
        if (check_item(item, where.data, err))
            goto fail;
        if (complete_item(item))
            goto nomem;
    }
    value_free(doc);
    buf_release(&key);
    buf_release(&where);
    return digest_map(items, err);
nomem:
    err_nomem(err);
fail:
    value_free(doc);
    value_free(items);
    buf_release(&key);
    buf_release(&where);
    return NULL;
}

/* The header row must name the required columns. */
static int header_lacks(const struct value *keys, const char *key, const char *origin, size_t line,
                        struct err *err)
{
    size_t i;

    for (i = 0; i < value_list_len(keys); i++)
        if (strcmp(value_text(value_list_at(keys, i), NULL), key) == 0)
            return 0;
    return err_set(err, ERR_DATA,
                   "%s:%zu: no %s column (want date, title, source, url, summary, region; or "
                   "fecha, título, fuente, enlace, resumen, región)",
                   origin, line, key);
}

/* The digest being read from CSV, record by record (csvread_fn). */
struct digest_csv {
    const char *origin;
    struct value *keys, *items; /* canonical column keys; the items so far */
    struct buf key, where;
    struct err *err;
};

static int digest_csv_header(struct digest_csv *d, const struct csvread_record *rec)
{
    size_t i;

    for (i = 0; i < rec->nfields; i++)
        if (canonical_key(rec->fields[i], rec->lens[i], &d->key) ||
            value_list_append(d->keys, value_new_string(d->key.data, d->key.len)))
            return err_nomem(d->err);
    if (header_lacks(d->keys, "title", d->origin, rec->line, d->err) ||
        header_lacks(d->keys, "url", d->origin, rec->line, d->err))
        return -1;
    return 0;
}

static int digest_csv_row(struct digest_csv *d, const struct csvread_record *rec)
{
    struct value *item;
    size_t i;

    if (rec->nfields == 1 && rec->lens[0] == 0)
        return 0; /* a line of one empty field: nothing */
    buf_reset(&d->where);
    if (buf_addf(&d->where, "%s:%zu", d->origin, rec->line))
        return err_nomem(d->err);
    if (rec->nfields != value_list_len(d->keys))
        return err_set(d->err, ERR_DATA, "%s: %zu fields, the header has %zu", d->where.data,
                       rec->nfields, value_list_len(d->keys));
    item = value_new_map();
    if (!item || value_list_append(d->items, item))
        return err_nomem(d->err);
    for (i = 0; i < rec->nfields; i++) {
        const char *k = value_text(value_list_at(d->keys, i), NULL);
        if (value_map_set(item, k, value_new_string(rec->fields[i], rec->lens[i])))
            return err_nomem(d->err);
    }
    if (check_item(item, d->where.data, d->err))
        return -1;
    return complete_item(item) ? err_nomem(d->err) : 0;
}

static int digest_csv_record(void *ud, const struct csvread_record *rec)
{
    struct digest_csv *d = ud;

    return rec->index == 0 ? digest_csv_header(d, rec) : digest_csv_row(d, rec);
}

struct value *content_digest_csv(const char *text, size_t len, const char *origin, struct err *err)
{
    static const struct csvread_opts opts = {0, CSVREAD_UTF8}; /* delimiter sniffed */
    struct digest_csv d = {origin, value_new_list(), value_new_list(), BUF_INIT, BUF_INIT, err};
    struct value *v = NULL;

    if (!d.keys || !d.items) {
        err_nomem(err);
        goto out;
    }
    if (check_utf8(text, len, origin, err) ||
        csvread_mem(origin, text, len, &opts, digest_csv_record, &d, NULL, err))
        goto out;
    if (!value_list_len(d.keys)) {
        err_set(err, ERR_DATA, "%s:1: empty file: want a header row", origin);
        goto out;
    }
    v = digest_map(d.items, err);
    d.items = NULL;
out:
    value_free(d.keys);
    value_free(d.items);
    buf_release(&d.key);
    buf_release(&d.where);
    return v;
}

/* ---- files ---- */

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), m = strlen(ext);

    return n > m && strcasecmp(path + n - m, ext) == 0;
}

struct value *content_load(const char *path, int allow_raw_html, struct err *err)
{
    struct buf b;
    struct value *v = NULL;

    buf_init(&b, CONTENT_MAX_SIZE);
    if (!has_ext(path, ".md") && !has_ext(path, ".markdown") && !has_ext(path, ".json") &&
        !has_ext(path, ".csv")) {
        err_set(err, ERR_DATA, "%s: unknown kind of content (want .md, .json or .csv)", path);
        return NULL;
    }
    if (buf_read_file(&b, path)) {
        if (errno == ENOENT)
            err_set(err, ERR_NOINPUT, "%s: no such content file", path);
        else if (errno == ENOSPC)
            err_set(err, ERR_DATA, "%s: larger than %u bytes", path, CONTENT_MAX_SIZE);
        else
            err_errno(err, ERR_IO, "%s", path);
        goto out;
    }
    if (has_ext(path, ".json"))
        v = content_digest_json(b.data, b.len, path, err);
    else if (has_ext(path, ".csv"))
        v = content_digest_csv(b.data, b.len, path, err);
    else
        v = content_markdown(b.data, b.len, path, allow_raw_html, err);
out:
    buf_release(&b);
    return v;
}
