/* template - Mustache: compile once to flat node arrays, render many.
 *
 * Compiling a template (a "unit"; every partial is one more unit) goes in
 * three passes over its source:
 *   1. tokenize: text and tags, honouring set-delimiter tags; text is split
 *      after each newline so every line ends with a token;
 *   2. lines: a line holding only whitespace and non-output tags is
 *      "standalone": its whitespace and newline are dropped; the first token
 *      of every other line is marked "bol" (beginning of line) so that the
 *      indentation of a standalone partial can be added at render time;
 *   3. nodes: a flat array where a section, inverted section, block or
 *      parent node records the index after its last child.
 * Partials are found once per name and linked by index, so recursive
 * partials compile once and render as deep as the data goes (with a cap).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

#include "array.h"
#include "html.h"

#include "banned.h"

#define TEMPLATE_MAX_SIZE (4u << 20)  /* bytes of one template or partial */
#define TEMPLATE_MAX_NESTING 100      /* open sections in one template */
#define TEMPLATE_MAX_UNITS 1000       /* distinct partials and parents */
#define TEMPLATE_MAX_RENDER_DEPTH 400 /* sections + partials while rendering */
#define TEMPLATE_MAX_NAME 255
#define NO_UNIT SIZE_MAX

enum kind {
    K_TEXT,
    K_VAR,      /* {{x}} */
    K_RAW,      /* {{{x}}} {{&x}} */
    K_SECTION,  /* {{#x}} */
    K_INVERTED, /* {{^x}} */
    K_PARENT,   /* {{<x}} */
    K_BLOCK,    /* {{$x}} */
    K_PARTIAL,  /* {{>x}} */
    K_CLOSE,    /* {{/x}} */
    K_COMMENT,  /* {{!x}} */
    K_DELIM,    /* {{=a b=}} */
};

struct token {
    enum kind kind;
    size_t start, end;  /* the whole tag or text */
    size_t name, nlen;  /* trimmed name */
    size_t ind, indlen; /* indentation, see node */
    enum kind closes;   /* K_CLOSE: what it closes */
    unsigned removed : 1, standalone : 1, bol : 1;
};

struct seg {
    size_t off, len; /* into the node's name */
};

struct node {
    enum kind kind;
    unsigned bol : 1, standalone : 1;
    size_t end;    /* openers: index after the last child */
    const char *s; /* text, or the name (not NUL-terminated) */
    size_t len;
    size_t seg, nseg; /* name segments in unit->segs; nseg 0 is "." */
    size_t unit;      /* partials and parents: linked unit or NO_UNIT */
    /* partial/parent: indentation of a standalone tag; block: indentation
     * of its content (removed from an override, added at the site). */
    const char *ind;
    size_t indlen;
    size_t off; /* source offset, for messages */
};

struct unit {
    char *name;   /* partial name ("" for the main template) */
    char *origin; /* for messages */
    char *src;
    size_t len;
    int found; /* 0: a partial that does not exist (renders empty) */
    int parsed;
    struct node *nodes;
    size_t n, alloc;
    struct seg *segs;
    size_t nsegs, segalloc;
};

struct template
{
    enum template_escape escape;
    int strict; /* unknown partial is an error */
    struct unit **units;
    size_t n, alloc;
};

/* ---- messages ---- */

static int syntax_error(struct err *err, const struct unit *u, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* 1-based line and column (in characters) of offset off. */
static void position(const struct unit *u, size_t off, size_t *line, size_t *col, size_t *ls)
{
    size_t i;

    *line = 1;
    *col = 1;
    *ls = 0;
    for (i = 0; i < off; i++) {
        if (u->src[i] == '\n') {
            (*line)++;
            *ls = i + 1;
        }
    }
    for (i = *ls; i < off; i++)
        if (((unsigned char)u->src[i] & 0xC0) != 0x80)
            (*col)++;
}

/* "origin:line:col: message", the line (or a window of it) and a caret. */
static int syntax_error(struct err *err, const struct unit *u, size_t off, const char *fmt, ...)
{
    struct buf msg = BUF_INIT;
    size_t line, col, ls, le, i, from, to;
    va_list ap;
    int rc;

    if (off > u->len)
        off = u->len;
    position(u, off, &line, &col, &ls);
    le = ls;
    while (le < u->len && u->src[le] != '\n' && u->src[le] != '\r')
        le++;
    from = (off - ls > 60) ? off - 60 : ls;
    to = (le - off > 60) ? off + 60 : le;
    while (from > ls && ((unsigned char)u->src[from] & 0xC0) == 0x80)
        from--;
    while (to < le && ((unsigned char)u->src[to] & 0xC0) == 0x80)
        to++;
    va_start(ap, fmt);
    rc = buf_addf(&msg, "%s:%zu:%zu: ", u->origin, line, col) || buf_vaddf(&msg, fmt, ap) ||
         buf_addf(&msg, "\n    %s%.*s%s\n    %s", from > ls ? "..." : "", (int)(to - from),
                  u->src + from, to < le ? "..." : "", from > ls ? "   " : "");
    va_end(ap);
    for (i = from; i < off && !rc; i++) {
        if (u->src[i] == '\t')
            rc = buf_addch(&msg, '\t');
        else if (((unsigned char)u->src[i] & 0xC0) != 0x80)
            rc = buf_addch(&msg, ' ');
    }
    if (rc || buf_addch(&msg, '^'))
        err_nomem(err);
    else
        err_set(err, ERR_DATA, "%s", msg.data);
    buf_release(&msg);
    return -1;
}

/* ---- pass 1: tokens ---- */

struct tokens {
    struct token *v;
    size_t n, alloc;
};

static struct token *tokens_add(struct tokens *t, enum kind kind, size_t start, size_t end)
{
    struct token *tok;

    if (t->n == t->alloc) {
        struct token *nv = array_grow(t->v, &t->alloc, 64, sizeof(*nv));
        if (!nv)
            return NULL;
        t->v = nv;
    }
    tok = &t->v[t->n++];
    memset(tok, 0, sizeof(*tok));
    tok->kind = kind;
    tok->start = start;
    tok->end = end;
    return tok;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *find_str(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    return memmem(hay, hlen, needle, nlen);
}

static int add_text(struct tokens *t, const char *src, size_t a, size_t b)
{
    while (a < b) {
        const char *nl = memchr(src + a, '\n', b - a);
        size_t e = nl ? (size_t)(nl - src) + 1 : b;
        if (!tokens_add(t, K_TEXT, a, e))
            return -1;
        a = e;
    }
    return 0;
}

static enum kind sigil_kind(char c)
{
    switch (c) {
    case '#':
        return K_SECTION;
    case '^':
        return K_INVERTED;
    case '/':
        return K_CLOSE;
    case '>':
        return K_PARTIAL;
    case '<':
        return K_PARENT;
    case '$':
        return K_BLOCK;
    case '!':
        return K_COMMENT;
    case '=':
        return K_DELIM;
    case '&':
    case '{':
        return K_RAW;
    default:
        return K_VAR;
    }
}

/* A name: "." or dot-separated non-empty parts, no whitespace; partial,
 * parent and block names: anything without whitespace. */
static const char *name_problem(enum kind kind, const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return "empty tag name";
    if (n > TEMPLATE_MAX_NAME)
        return "tag name too long";
    for (i = 0; i < n; i++)
        if (is_ws(s[i]))
            return "whitespace inside a tag name";
    if (kind == K_PARTIAL || kind == K_PARENT || kind == K_BLOCK)
        return NULL;
    if (n == 1 && s[0] == '.')
        return NULL;
    if (s[0] == '.' || s[n - 1] == '.' || memmem(s, n, "..", 2))
        return "empty part in a dotted name";
    return NULL;
}

/* Parse "{{=<% %>=}}" content into new delimiters. */
static int set_delims(const struct unit *u, size_t off, size_t a, size_t b, char *open,
                      size_t *olen, char *close, size_t *clen, struct err *err)
{
    const char *s = u->src;
    size_t o0, o1, c0, c1;

    while (a < b && is_ws(s[a]))
        a++;
    while (b > a && is_ws(s[b - 1]))
        b--;
    o0 = a;
    while (a < b && !is_ws(s[a]))
        a++;
    o1 = a;
    while (a < b && is_ws(s[a]))
        a++;
    c0 = a;
    while (a < b && !is_ws(s[a]))
        a++;
    c1 = a;
    if (o1 == o0 || c1 == c0 || c1 != b || o1 - o0 > 15 || c1 - c0 > 15 ||
        memchr(s + o0, '=', o1 - o0) || memchr(s + c0, '=', c1 - c0))
        return syntax_error(err, u, off,
                            "bad delimiter tag: want two delimiters without spaces or '=', "
                            "e.g. {{=<%% %%>=}}");
    memcpy(open, s + o0, o1 - o0);
    *olen = o1 - o0;
    memcpy(close, s + c0, c1 - c0);
    *clen = c1 - c0;
    return 0;
}

static int tokenize(const struct unit *u, struct tokens *t, struct err *err)
{
    const char *s = u->src;
    char open[16] = "{{", close[16] = "}}";
    size_t olen = 2, clen = 2, pos = 0, len = u->len;

    while (pos < len) {
        const char *p = find_str(s + pos, len - pos, open, olen);
        size_t start, q, cend, tend, a, b;
        enum kind kind;
        struct token *tok;
        const char *c;
        char sig;

        if (!p)
            return add_text(t, s, pos, len) ? err_nomem(err) : 0;
        start = (size_t)(p - s);
        if (add_text(t, s, pos, start))
            return err_nomem(err);
        q = start + olen;
        sig = q < len ? s[q] : '\0';
        kind = sigil_kind(sig);
        a = (kind == K_VAR) ? q : q + 1;
        if (sig == '{' || sig == '=') {
            char want[17];
            want[0] = sig == '{' ? '}' : '=';
            memcpy(want + 1, close, clen);
            c = find_str(s + a, len - a, want, clen + 1);
            cend = c ? (size_t)(c - s) : 0;
            tend = cend + clen + 1;
        } else {
            c = find_str(s + a, len - a, close, clen);
            cend = c ? (size_t)(c - s) : 0;
            tend = cend + clen;
        }
        if (!c)
            return syntax_error(err, u, start, "unclosed tag: no \"%s%.*s\" after \"%.*s\"",
                                sig == '{'   ? "}"
                                : sig == '=' ? "="
                                             : "",
                                (int)clen, close, (int)olen, open);
        tok = tokens_add(t, kind, start, tend);
        if (!tok)
            return err_nomem(err);
        if (kind == K_DELIM) {
            if (set_delims(u, start, a, cend, open, &olen, close, &clen, err))
                return -1;
        } else if (kind != K_COMMENT) {
            const char *why;
            b = cend;
            while (a < b && is_ws(s[a]))
                a++;
            while (b > a && is_ws(s[b - 1]))
                b--;
            why = name_problem(kind, s + a, b - a);
            if (why)
                return syntax_error(err, u, start, "%s", why);
            tok->name = a;
            tok->nlen = b - a;
        }
        pos = tend;
    }
    return 0;
}

/* ---- pass 2: standalone lines ---- */

static int standalone_kind(enum kind k)
{
    return k != K_TEXT && k != K_VAR && k != K_RAW;
}

static int blank_text(const char *s, size_t a, size_t b)
{
    for (; a < b; a++) {
        if (s[a] == ' ' || s[a] == '\t')
            continue;
        if (s[a] == '\n' && a + 1 == b)
            continue;
        if (s[a] == '\r' && a + 2 == b && s[a + 1] == '\n')
            continue;
        return 0;
    }
    return 1;
}

static size_t ws_run(const char *s, size_t len, size_t a)
{
    size_t b = a;

    while (b < len && (s[b] == ' ' || s[b] == '\t'))
        b++;
    return b - a;
}

/* Is tokens [i, j) a standalone line? Only whitespace and non-output tags,
 * at least one (as mustache.js, several may share the line), and no block
 * both opened and closed on it (its content then stays inline, as the
 * ~inheritance module wants). */
static int line_standalone(const struct unit *u, const struct token *v, size_t i, size_t j)
{
    size_t tags = 0, k;
    int block_open = 0;

    for (k = i; k < j; k++) {
        if (v[k].kind == K_TEXT) {
            if (!blank_text(u->src, v[k].start, v[k].end))
                return 0;
            continue;
        }
        if (!standalone_kind(v[k].kind))
            return 0;
        tags++;
        if (v[k].kind == K_BLOCK)
            block_open = 1;
        else if (v[k].kind == K_CLOSE && v[k].closes == K_BLOCK && block_open)
            return 0;
    }
    return tags > 0;
}

/* What each closing tag closes (mismatches are reported later). */
static void match_closes(struct tokens *t)
{
    enum kind open[TEMPLATE_MAX_NESTING];
    size_t depth = 0, overflow = 0, k;

    for (k = 0; k < t->n; k++) {
        struct token *tok = &t->v[k];
        if (tok->kind == K_SECTION || tok->kind == K_INVERTED || tok->kind == K_BLOCK ||
            tok->kind == K_PARENT) {
            if (depth < TEMPLATE_MAX_NESTING)
                open[depth++] = tok->kind;
            else
                overflow++;
        } else if (tok->kind == K_CLOSE) {
            if (overflow)
                overflow--;
            else if (depth)
                tok->closes = open[--depth];
        }
    }
}

static void mark_lines(const struct unit *u, struct tokens *t)
{
    size_t i = 0, j, k, tags;

    match_closes(t);
    while (i < t->n) {
        size_t ls, le, lead, next;
        int sa;

        for (j = i; j < t->n; j++)
            if (t->v[j].kind == K_TEXT && u->src[t->v[j].end - 1] == '\n')
                break;
        j = j < t->n ? j + 1 : j; /* [i, j) is one line */
        ls = t->v[i].start;
        le = t->v[j - 1].end;
        lead = ws_run(u->src, u->len, ls);
        next = ws_run(u->src, u->len, le);
        sa = line_standalone(u, t->v, i, j);
        if (!sa)
            t->v[i].bol = 1;
        for (k = i, tags = 0; k < j; k++) {
            struct token *tok = &t->v[k];
            if (sa && tok->kind == K_TEXT)
                tok->removed = 1;
            tok->standalone = (unsigned)sa;
            tok->ind = ls;
            tok->indlen = lead;
            if (tok->kind != K_TEXT && tags++ && (tok->kind == K_PARTIAL || tok->kind == K_PARENT))
                tok->indlen = 0; /* indented only when first on its line (mustache.js) */
            if (tok->kind == K_BLOCK && sa) {
                /* A standalone block is indented like its first line. */
                tok->ind = le;
                tok->indlen = le < u->len ? next : 0;
            }
        }
        i = j;
    }
}

/* ---- pass 3: nodes ---- */

static int has_children(enum kind k)
{
    return k == K_SECTION || k == K_INVERTED || k == K_BLOCK || k == K_PARENT;
}

static struct node *node_add(struct unit *u)
{
    struct node *nd;

    if (u->n == u->alloc) {
        struct node *nv = array_grow(u->nodes, &u->alloc, 32, sizeof(*nv));
        if (!nv)
            return NULL;
        u->nodes = nv;
    }
    nd = &u->nodes[u->n++];
    memset(nd, 0, sizeof(*nd));
    nd->unit = NO_UNIT;
    return nd;
}

static int name_segments(struct unit *u, struct node *nd)
{
    size_t a = 0, i;

    nd->seg = u->nsegs;
    nd->nseg = 0;
    if (nd->len == 1 && nd->s[0] == '.')
        return 0;
    for (i = 0; i <= nd->len; i++) {
        if (i < nd->len && nd->s[i] != '.')
            continue;
        if (u->nsegs == u->segalloc) {
            struct seg *nv = array_grow(u->segs, &u->segalloc, 32, sizeof(*nv));
            if (!nv)
                return -1;
            u->segs = nv;
        }
        u->segs[u->nsegs].off = a;
        u->segs[u->nsegs].len = i - a;
        u->nsegs++;
        nd->nseg++;
        a = i + 1;
    }
    return 0;
}

static size_t unit_find(const struct template *t, const char *name, size_t len)
{
    size_t i;

    for (i = 1; i < t->n; i++)
        if (strlen(t->units[i]->name) == len && memcmp(t->units[i]->name, name, len) == 0)
            return i;
    return NO_UNIT;
}

static struct unit *unit_new(struct template *t, const char *name, size_t nlen)
{
    struct unit *u;

    if (t->n == t->alloc) {
        struct unit **nv = array_grow(t->units, &t->alloc, 8, sizeof(*nv));
        if (!nv)
            return NULL;
        t->units = nv;
    }
    u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->name = xstrndup(name, nlen);
    if (!u->name) {
        free(u);
        return NULL;
    }
    t->units[t->n++] = u;
    return u;
}

static int unit_set_source(struct unit *u, const char *src, size_t len, const char *origin,
                           size_t olen, struct err *err)
{
    u->src = malloc(len + 1);
    u->origin = xstrndup(origin, olen);
    if (!u->src || !u->origin)
        return err_nomem(err);
    memcpy(u->src, src, len);
    u->src[len] = '\0';
    u->len = len;
    u->found = 1;
    if (len > TEMPLATE_MAX_SIZE)
        return err_set(err, ERR_DATA, "%s: template larger than %u bytes", u->origin,
                       TEMPLATE_MAX_SIZE);
    return 0;
}

/* Link a partial or parent node to its unit, finding it the first time. */
static int link_partial(struct template *t, struct unit *u, struct node *nd,
                        const struct template_partials *partials, struct err *err)
{
    struct buf text = BUF_INIT, origin = BUF_INIT;
    struct unit *p;
    char *name = NULL;
    int rc = -1, found = 1;

    nd->unit = unit_find(t, nd->s, nd->len);
    if (nd->unit == NO_UNIT) {
        if (t->n >= TEMPLATE_MAX_UNITS)
            return syntax_error(err, u, nd->off, "more than %d partials", TEMPLATE_MAX_UNITS);
        name = xstrndup(nd->s, nd->len);
        if (!name)
            return err_nomem(err);
        buf_init(&text, TEMPLATE_MAX_SIZE + 1);
        found = partials && partials->find ? partials->find(partials->ud, name, &text, &origin, err)
                                           : 1;
        if (found < 0)
            goto out;
        found = found == 0;
        p = unit_new(t, nd->s, nd->len);
        if (!p) {
            err_nomem(err);
            goto out;
        }
        nd->unit = t->n - 1;
        if (found && unit_set_source(p, text.data, text.len, origin.len ? origin.data : name,
                                     origin.len ? origin.len : nd->len, err))
            goto out;
        if (!found && origin.len && !(p->origin = xstrndup(origin.data, origin.len))) {
            err_nomem(err);
            goto out;
        }
    }
    if (t->strict && !t->units[nd->unit]->found) {
        p = t->units[nd->unit];
        syntax_error(err, u, nd->off, "unknown partial \"%.*s\"%s%s%s", (int)nd->len, nd->s,
                     p->origin ? " (no " : "", p->origin ? p->origin : "", p->origin ? ")" : "");
        goto out;
    }
    rc = 0;
out:
    free(name);
    buf_release(&text);
    buf_release(&origin);
    return rc;
}

/* Pass 3 state: the unit being built and its open sections. */
struct builder {
    struct template *t;
    struct unit *u;
    const struct template_partials *partials;
    struct err *err;
    size_t open[TEMPLATE_MAX_NESTING]; /* node indices */
    size_t depth;
};

static int text_node(struct builder *b, size_t start, size_t len, int bol)
{
    struct unit *u = b->u;
    struct node *last = u->n ? &u->nodes[u->n - 1] : NULL, *nd;

    /* Text split at newlines joins up again, unless a section opened between. */
    if (last && last->kind == K_TEXT && last->s + last->len == u->src + start && len &&
        !(b->depth && b->open[b->depth - 1] == u->n - 1)) {
        last->len += len;
        return 0;
    }
    nd = node_add(u);
    if (!nd)
        return err_nomem(b->err);
    nd->kind = K_TEXT;
    nd->bol = (unsigned)bol;
    nd->s = u->src + start;
    nd->len = len;
    nd->off = start;
    return 0;
}

static int close_node(struct builder *b, const struct token *tok)
{
    struct unit *u = b->u;
    struct node *nd;
    size_t line, col, ls;

    if (b->depth == 0)
        return syntax_error(b->err, u, tok->start, "\"%.*s\" closes no open section",
                            (int)(tok->end - tok->start), u->src + tok->start);
    nd = &u->nodes[b->open[b->depth - 1]];
    if (nd->len != tok->nlen || memcmp(nd->s, u->src + tok->name, nd->len) != 0) {
        position(u, nd->off, &line, &col, &ls);
        return syntax_error(b->err, u, tok->start,
                            "\"%.*s\" does not close \"%.*s\" (opened at line %zu, column %zu)",
                            (int)(tok->end - tok->start), u->src + tok->start, (int)nd->len, nd->s,
                            line, col);
    }
    nd->end = u->n;
    b->depth--;
    return 0;
}

static int tag_node(struct builder *b, const struct token *tok, int bol)
{
    struct unit *u = b->u;
    struct node *nd = node_add(u);

    if (!nd)
        return err_nomem(b->err);
    nd->kind = tok->kind;
    nd->bol = tok->standalone ? 0 : (unsigned)bol;
    nd->standalone = tok->standalone;
    nd->s = u->src + tok->name;
    nd->len = tok->nlen;
    nd->off = tok->start;
    nd->ind = u->src + tok->ind;
    nd->indlen = tok->indlen;
    if (name_segments(u, nd))
        return err_nomem(b->err);
    if ((nd->kind == K_PARTIAL || nd->kind == K_PARENT) &&
        link_partial(b->t, u, nd, b->partials, b->err))
        return -1;
    if (!has_children(nd->kind))
        return 0;
    if (b->depth == TEMPLATE_MAX_NESTING)
        return syntax_error(b->err, u, tok->start, "sections nested deeper than %d",
                            TEMPLATE_MAX_NESTING);
    b->open[b->depth++] = u->n - 1;
    return 0;
}

/* Tokens to nodes. A line that starts with a tag making no node (comment,
 * delimiters, closing) passes its "bol" on to the next node; a closing tag
 * leaves an empty bol text inside its section, where the line began. */
static int build_nodes(struct builder *b, const struct tokens *tk)
{
    const struct node *nd;
    int pending_bol = 0, rc = 0;
    size_t k;

    for (k = 0; k < tk->n && rc == 0; k++) {
        const struct token *tok = &tk->v[k];
        int bol = tok->bol || pending_bol;

        if (tok->removed)
            continue;
        pending_bol = 0;
        if (tok->kind == K_TEXT)
            rc = text_node(b, tok->start, tok->end - tok->start, bol);
        else if (tok->kind == K_COMMENT || tok->kind == K_DELIM)
            pending_bol = bol;
        else if (tok->kind == K_CLOSE)
            rc = (bol ? text_node(b, tok->start, 0, 1) : 0) || close_node(b, tok) ? -1 : 0;
        else
            rc = tag_node(b, tok, bol);
    }
    if (rc)
        return -1;
    if (b->depth) {
        nd = &b->u->nodes[b->open[b->depth - 1]];
        return syntax_error(b->err, b->u, nd->off, "section \"%.*s\" is never closed", (int)nd->len,
                            nd->s);
    }
    return pending_bol ? text_node(b, b->u->len, 0, 1) : 0;
}

static int unit_parse(struct template *t, size_t ui, const struct template_partials *partials,
                      struct err *err)
{
    struct tokens tk = {0};
    struct unit *u = t->units[ui];
    struct builder b;
    int rc = -1;

    u->parsed = 1;
    if (!u->found)
        return 0;
    if (tokenize(u, &tk, err))
        goto out;
    mark_lines(u, &tk);
    /* t->units may move while partials are added: u itself does not. */
    b.t = t;
    b.u = u;
    b.partials = partials;
    b.err = err;
    b.depth = 0;
    if (build_nodes(&b, &tk))
        goto out;
    rc = 0;
out:
    free(tk.v);
    return rc;
}

static void unit_free(struct unit *u)
{
    if (!u)
        return;
    free(u->name);
    free(u->origin);
    free(u->src);
    free(u->nodes);
    free(u->segs);
    free(u);
}

void template_free(struct template *t)
{
    size_t i;

    if (!t)
        return;
    for (i = 0; i < t->n; i++)
        unit_free(t->units[i]);
    free(t->units);
    free(t);
}

static struct template *compile(const char *src, size_t len, const char *origin,
                                enum template_escape escape,
                                const struct template_partials *partials, int strict,
                                struct err *err)
{
    struct template *t = calloc(1, sizeof(*t));
    struct unit *u;
    size_t i;

    if (!t) {
        err_nomem(err);
        return NULL;
    }
    t->escape = escape;
    t->strict = strict;
    if (!origin)
        origin = "template";
    u = unit_new(t, "", 0);
    if (!u) {
        err_nomem(err);
        goto fail;
    }
    if (unit_set_source(u, src, len, origin, strlen(origin), err))
        goto fail;
    /* Units appended while parsing are parsed by this same loop. */
    for (i = 0; i < t->n; i++)
        if (!t->units[i]->parsed && unit_parse(t, i, partials, err))
            goto fail;
    return t;
fail:
    template_free(t);
    return NULL;
}

struct template *template_compile(const char *src, size_t len, const char *origin,
                                  enum template_escape escape,
                                  const struct template_partials *partials, struct err *err)
{
    return compile(src, len, origin, escape, partials, 0, err);
}

/* ---- files ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

enum template_escape template_escape_for(const char *path)
{
    if (ends_with(path, ".txt.mustache") || ends_with(path, ".txt") ||
        ends_with(path, ".text.mustache"))
        return TEMPLATE_ESCAPE_NONE;
    return TEMPLATE_ESCAPE_HTML;
}

struct file_partials {
    const char *dir;
};

static int find_file(void *ud, const char *name, struct buf *out, struct buf *origin,
                     struct err *err)
{
    const struct file_partials *fp = ud;

    if (name[0] == '/' || strstr(name, "..") || strchr(name, '\\'))
        return err_set(err, ERR_DATA, "partial name \"%s\" must stay inside %s", name, fp->dir);
    if (buf_addf(origin, "%s/%s.mustache", fp->dir, name))
        return err_nomem(err);
    if (buf_read_file(out, origin->data) == 0)
        return 0;
    if (errno == ENOENT || errno == ENOTDIR)
        return 1;
    if (errno == ENOSPC)
        return err_set(err, ERR_DATA, "%s: template larger than %u bytes", origin->data,
                       TEMPLATE_MAX_SIZE);
    return err_errno(err, ERR_IO, "%s", origin->data);
}

struct template *template_compile_file_flags(const char *path, const char *partials_dir,
                                             unsigned flags, struct err *err)
{
    struct buf src = BUF_INIT, dir = BUF_INIT;
    struct file_partials fp;
    struct template_partials partials = {find_file, &fp};
    struct template *t = NULL;
    const char *slash;

    buf_init(&src, TEMPLATE_MAX_SIZE + 1);
    if (buf_read_file(&src, path)) {
        if (errno == ENOENT)
            err_set(err, ERR_NOINPUT, "%s: no such template", path);
        else if (errno == ENOSPC)
            err_set(err, ERR_DATA, "%s: template larger than %u bytes", path, TEMPLATE_MAX_SIZE);
        else
            err_errno(err, ERR_IO, "%s", path);
        goto out;
    }
    if (!partials_dir) {
        slash = strrchr(path, '/');
        if (slash ? buf_addf(&dir, "%.*s/partials", (int)(slash - path), path)
                  : buf_addstr(&dir, "partials")) {
            err_nomem(err);
            goto out;
        }
        partials_dir = dir.data;
    }
    fp.dir = partials_dir;
    t = compile(src.data, src.len, path, template_escape_for(path), &partials,
                !(flags & TEMPLATE_MISSING_PARTIAL_OK), err);
out:
    buf_release(&src);
    buf_release(&dir);
    return t;
}

struct template *template_compile_file(const char *path, const char *partials_dir, struct err *err)
{
    return template_compile_file_flags(path, partials_dir, 0, err);
}

/* ---- render ---- */

/* Indentation in effect: lines start with the adds of the whole chain; the
 * innermost strip is removed from the start of each source line first. */
struct indent {
    const struct indent *up;
    const char *add;
    size_t addlen;
    const char *strip;
    size_t striplen;
};

struct render {
    const struct template *t;
    struct buf *out;
    const struct value **stack;
    size_t depth, stack_alloc;
    int stack_heap;
    struct parent_ref {
        const struct unit *u;
        size_t node;
    } * chain;
    size_t nchain, chain_alloc;
    template_missing_fn on_missing;
    void *ud;
    struct err *err;
    int level;
};

static int out_fail(struct render *r)
{
    if (errno == ENOSPC)
        return err_set(r->err, ERR_DATA, "%s: rendered output larger than %zu bytes",
                       r->t->units[0]->origin, r->out->cap);
    return err_nomem(r->err);
}

static int emit(struct render *r, const char *s, size_t n)
{
    return buf_add(r->out, s, n) ? out_fail(r) : 0;
}

static int emit_add(struct render *r, const struct indent *ind)
{
    if (!ind)
        return 0;
    if (emit_add(r, ind->up))
        return -1;
    return emit(r, ind->add, ind->addlen);
}

static int emit_escaped(struct render *r, const char *s, size_t n)
{
    return html_escape(r->out, s, n) ? out_fail(r) : 0;
}

/* Text of the current unit under indentation. */
static int emit_text_indented(struct render *r, const struct node *nd, const struct indent *ind,
                              int no_add)
{
    const char *s = nd->s;
    size_t n = nd->len, pos = 0, k;
    int bol = nd->bol;

    if (!bol)
        no_add = 0; /* only a line start can be the site's first line */
    if (bol && n == 0)
        return no_add ? 0 : emit_add(r, ind);
    while (pos < n) {
        const char *nl;
        size_t e;
        if (bol) {
            for (k = 0; k < ind->striplen && pos < n && s[pos] == ind->strip[k]; k++)
                pos++;
            if (!no_add && emit_add(r, ind))
                return -1;
            no_add = 0;
        }
        nl = memchr(s + pos, '\n', n - pos);
        e = nl ? (size_t)(nl - s) + 1 : n;
        if (emit(r, s + pos, e - pos))
            return -1;
        pos = e;
        bol = 1;
    }
    return 0;
}

static int stack_push(struct render *r, const struct value *v)
{
    if (r->depth == r->stack_alloc) {
        size_t na = r->stack_alloc * 2 + 16;
        const struct value **nv;
        if (r->stack_heap) {
            nv = realloc(r->stack, na * sizeof(*nv));
        } else {
            nv = malloc(na * sizeof(*nv));
            if (nv)
                memcpy(nv, r->stack, r->depth * sizeof(*nv));
        }
        if (!nv)
            return err_nomem(r->err);
        r->stack_heap = 1;
        r->stack = nv;
        r->stack_alloc = na;
    }
    r->stack[r->depth++] = v;
    return 0;
}

/* Resolve a name on the context stack; found is 0 when no frame has it. */
static const struct value *lookup(const struct render *r, const struct unit *u,
                                  const struct node *nd, int *found)
{
    const struct seg *seg;
    const struct value *v = NULL;
    size_t i, d;

    *found = 0;
    if (nd->nseg == 0) { /* "{{.}}": segs may be NULL when no tag has a name */
        *found = r->depth > 0;
        return r->depth ? r->stack[r->depth - 1] : NULL;
    }
    seg = u->segs + nd->seg;
    /* A null is "not set in this frame": a lower frame may have the name
     * (a contact's empty cell, filled by the campaign's [defaults]). */
    for (d = r->depth; d-- > 0;) {
        if (value_type(r->stack[d]) != VALUE_MAP)
            continue;
        v = value_map_getn(r->stack[d], nd->s + seg[0].off, seg[0].len);
        if (v && value_type(v) != VALUE_NULL)
            break;
        v = NULL;
    }
    if (!v)
        return NULL;
    for (i = 1; i < nd->nseg; i++) {
        v = value_map_getn(v, nd->s + seg[i].off, seg[i].len);
        if (!v)
            return NULL;
    }
    *found = 1;
    return v;
}

static void report_missing(struct render *r, const struct node *nd)
{
    char name[TEMPLATE_MAX_NAME + 1];

    if (!r->on_missing)
        return;
    memcpy(name, nd->s, nd->len);
    name[nd->len] = '\0';
    r->on_missing(r->ud, name);
}

static int render_range(struct render *r, const struct unit *u, size_t from, size_t to,
                        const struct indent *ind, int first_no_add);

/* New indentation for content whose site is indented by `extra`. */
static const struct indent *indent_enter(struct indent *slot, const struct indent *ind,
                                         const char *extra, size_t extralen, const char *strip,
                                         size_t striplen)
{
    if (ind && ind->striplen && extralen >= ind->striplen &&
        memcmp(extra, ind->strip, ind->striplen) == 0) {
        extra += ind->striplen;
        extralen -= ind->striplen;
    }
    if (!ind && extralen == 0 && striplen == 0)
        return NULL;
    slot->up = ind;
    slot->add = extra;
    slot->addlen = extralen;
    slot->strip = strip;
    slot->striplen = striplen;
    return slot;
}

static int render_unit(struct render *r, const struct node *nd, const struct indent *ind)
{
    const struct unit *p;
    struct indent slot;

    if (nd->unit == NO_UNIT)
        return 0;
    p = r->t->units[nd->unit];
    if (!p->found)
        return 0;
    if (nd->standalone)
        ind = indent_enter(&slot, ind, nd->ind, nd->indlen, NULL, 0);
    else
        ind = NULL;
    return render_range(r, p, 0, p->n, ind, 0);
}

static int render_parent(struct render *r, const struct unit *u, size_t i, const struct indent *ind)
{
    int rc;

    if (r->nchain == r->chain_alloc) {
        struct parent_ref *nv = array_grow(r->chain, &r->chain_alloc, 8, sizeof(*nv));
        if (!nv)
            return err_nomem(r->err);
        r->chain = nv;
    }
    r->chain[r->nchain].u = u;
    r->chain[r->nchain].node = i;
    r->nchain++;
    rc = render_unit(r, &u->nodes[i], ind);
    r->nchain--;
    return rc;
}

/* The outermost override of block nd, searching the parents being rendered. */
static int find_override(const struct render *r, const struct node *nd, const struct unit **ou,
                         size_t *oi)
{
    size_t c, j;

    for (c = 0; c < r->nchain; c++) {
        const struct unit *u = r->chain[c].u;
        const struct node *p = &u->nodes[r->chain[c].node];
        for (j = r->chain[c].node + 1; j < p->end;) {
            const struct node *q = &u->nodes[j];
            if (q->kind == K_BLOCK && q->len == nd->len && memcmp(q->s, nd->s, nd->len) == 0) {
                *ou = u;
                *oi = j;
                return 1;
            }
            j = has_children(q->kind) ? q->end : j + 1;
        }
    }
    return 0;
}

static int render_block(struct render *r, const struct unit *u, size_t i, const struct indent *ind)
{
    const struct node *nd = &u->nodes[i], *o;
    const struct unit *ou;
    struct indent slot;
    size_t oi;

    if (!find_override(r, nd, &ou, &oi))
        return render_range(r, u, i + 1, nd->end, ind, 0);
    o = &ou->nodes[oi];
    ind = indent_enter(&slot, ind, nd->ind, nd->indlen, o->ind, o->indlen);
    return render_range(r, ou, oi + 1, o->end, ind, !nd->standalone);
}

static int render_section(struct render *r, const struct unit *u, size_t i,
                          const struct indent *ind)
{
    const struct node *nd = &u->nodes[i];
    const struct value *v;
    size_t k, n;
    int found;

    v = lookup(r, u, nd, &found);
    if (nd->kind == K_INVERTED)
        return value_truthy(v) ? 0 : render_range(r, u, i + 1, nd->end, ind, 0);
    if (!value_truthy(v))
        return 0;
    if (value_type(v) != VALUE_LIST) {
        if (stack_push(r, v))
            return -1;
        if (render_range(r, u, i + 1, nd->end, ind, 0))
            return -1;
        r->depth--;
        return 0;
    }
    n = value_list_len(v);
    for (k = 0; k < n; k++) {
        if (stack_push(r, value_list_at(v, k)))
            return -1;
        if (render_range(r, u, i + 1, nd->end, ind, 0))
            return -1;
        r->depth--;
    }
    return 0;
}

static int render_var(struct render *r, const struct unit *u, const struct node *nd)
{
    const struct value *v;
    const char *s;
    size_t n = 0;
    int found;

    v = lookup(r, u, nd, &found);
    if (!found || value_type(v) == VALUE_NULL) {
        report_missing(r, nd);
        return 0;
    }
    s = value_text(v, &n);
    if (!s)
        return 0;
    if (nd->kind == K_VAR && r->t->escape == TEMPLATE_ESCAPE_HTML)
        return emit_escaped(r, s, n);
    return emit(r, s, n);
}

static int render_range(struct render *r, const struct unit *u, size_t from, size_t to,
                        const struct indent *ind, int first_no_add)
{
    size_t i = from;
    int rc = -1;

    if (++r->level > TEMPLATE_MAX_RENDER_DEPTH) {
        err_set(r->err, ERR_DATA,
                "%s: sections and partials nested deeper than %d (recursive "
                "partial?)",
                u->origin, TEMPLATE_MAX_RENDER_DEPTH);
        goto out;
    }
    while (i < to) {
        const struct node *nd = &u->nodes[i];
        int no_add = first_no_add && i == from;

        if (nd->kind == K_TEXT) {
            if (ind ? emit_text_indented(r, nd, ind, no_add) : emit(r, nd->s, nd->len))
                goto out;
            i++;
            continue;
        }
        if (ind && nd->bol && !no_add && emit_add(r, ind))
            goto out;
        switch (nd->kind) {
        case K_VAR:
        case K_RAW:
            if (render_var(r, u, nd))
                goto out;
            break;
        case K_SECTION:
        case K_INVERTED:
            if (render_section(r, u, i, ind))
                goto out;
            break;
        case K_PARTIAL:
            if (render_unit(r, nd, ind))
                goto out;
            break;
        case K_PARENT:
            if (render_parent(r, u, i, ind))
                goto out;
            break;
        case K_BLOCK:
            if (render_block(r, u, i, ind))
                goto out;
            break;
        default:
            BUG("node kind %d", (int)nd->kind);
        }
        i = has_children(nd->kind) ? nd->end : i + 1;
    }
    rc = 0;
out:
    r->level--;
    return rc;
}

int template_render(const struct template *t, const struct value *const *stack, size_t depth,
                    struct buf *out, template_missing_fn on_missing, void *ud, struct err *err)
{
    const struct value *local[32];
    /* The stack starts on the C stack; deep sections move it to the heap. */
    struct render r = {.t = t,
                       .out = out,
                       .stack = local,
                       .stack_alloc = 32,
                       .on_missing = on_missing,
                       .ud = ud,
                       .err = err};
    size_t i;
    int rc;

    for (i = 0; i < depth; i++)
        if (stack_push(&r, stack[i]))
            return -1;
    rc = render_range(&r, t->units[0], 0, t->units[0]->n, NULL, 0);
    if (r.stack_heap)
        free(r.stack);
    free(r.chain);
    return rc;
}
