/* filter - the filter language on a contact's columns. */
#include "filter.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fold.h"

#include "banned.h"

enum fop { F_AND, F_OR, F_NOT, F_EQ, F_NE, F_IN, F_NOTIN };

struct filter {
    enum fop op;
    struct filter *a, *b;
    char *col;
    char **vals; /* folded */
    size_t nvals;
};

struct fparser {
    const char *s;
    size_t pos;
    struct err *err;
    struct buf tok;
    int tok_kind; /* 0 end, 'w' word, 's' string, 'u' unterminated, '?' stray, 'm' out of
                   * memory, or the punctuation char; '!' is != */
    int depth;
};

/* The next token into p->tok. Out of memory, the token is 'm': the error
 * is recorded, and no parse can end well on it (only 0 ends one). */
static void fnext(struct fparser *p)
{
    const char *s = p->s;
    size_t i = p->pos;
    int rc = 0;

    buf_reset(&p->tok);
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
        i++;
    if (!s[i]) {
        p->tok_kind = 0;
    } else if (strchr("(),", s[i])) {
        p->tok_kind = s[i++];
    } else if (s[i] == '=') {
        p->tok_kind = '=';
        i += s[i + 1] == '=' ? 2 : 1;
    } else if ((s[i] == '!' && s[i + 1] == '=') || (s[i] == '<' && s[i + 1] == '>')) {
        p->tok_kind = '!';
        i += 2;
    } else if (s[i] == '"' || s[i] == '\'') {
        char q = s[i++];
        p->tok_kind = 's';
        while (s[i] && s[i] != q && !rc) {
            if (s[i] == '\\' && s[i + 1])
                i++;
            rc = buf_addch(&p->tok, s[i++]);
        }
        if (!s[i])
            p->tok_kind = 'u'; /* unterminated */
        else
            i++;
    } else {
        p->tok_kind = 'w';
        while (s[i] && !strchr(" \t\r\n(),=!<>\"'", s[i]) && !rc)
            rc = buf_addch(&p->tok, s[i++]);
        if (!p->tok.len && !rc) {
            p->tok_kind = '?';
            rc = buf_addch(&p->tok, s[i++]);
        }
    }
    p->pos = i;
    if (rc) {
        p->tok_kind = 'm';
        err_nomem(p->err);
    }
}

static int is_kw(const struct fparser *p, const char *kw)
{
    return p->tok_kind == 'w' && !strcasecmp(p->tok.data, kw);
}

static int fsyntax(struct fparser *p, const char *what)
{
    if (p->tok_kind == 'm')
        return -1; /* out of memory: said already */
    return err_set(p->err, ERR_DATA, "filter: %s at character %zu of \"%s\"", what, p->pos + 1,
                   p->s);
}

static struct filter *fnode(enum fop op)
{
    struct filter *n = calloc(1, sizeof(*n));

    if (n)
        n->op = op;
    return n;
}

static struct filter *fexpr(struct fparser *p);

/* VALUE: a quoted string or bare words; appended folded to n->vals. */
static int fvalue(struct fparser *p, struct filter *n)
{
    struct buf raw = BUF_INIT, folded = BUF_INIT;
    char **v;
    int rc = -1;

    if (p->tok_kind == 's') {
        if (buf_add(&raw, p->tok.data, p->tok.len))
            goto out;
        fnext(p);
    } else if (p->tok_kind == 'w' && !is_kw(p, "and") && !is_kw(p, "or")) {
        while (p->tok_kind == 'w' && !is_kw(p, "and") && !is_kw(p, "or")) {
            if ((raw.len && buf_addch(&raw, ' ')) || buf_add(&raw, p->tok.data, p->tok.len))
                goto out;
            fnext(p);
        }
    } else {
        rc = fsyntax(p, p->tok_kind == 'u' ? "unterminated quote" : "value expected");
        goto out;
    }
    if (fold_text(raw.data, raw.len, &folded))
        goto out;
    v = realloc(n->vals, (n->nvals + 1) * sizeof(*v));
    if (!v)
        goto out;
    n->vals = v;
    n->vals[n->nvals++] = buf_detach(&folded, NULL);
    rc = n->vals[n->nvals - 1] ? 0 : -1;
out:
    if (rc && p->err->kind == ERR_NONE)
        err_nomem(p->err);
    buf_release(&raw);
    buf_release(&folded);
    return rc;
}

static struct filter *fcompare(struct fparser *p)
{
    struct filter *n = fnode(F_EQ);
    struct buf key = BUF_INIT;

    if (!n)
        goto nomem;
    if (p->tok_kind != 'w' || is_kw(p, "and") || is_kw(p, "or") || is_kw(p, "in")) {
        fsyntax(p, "column name expected");
        goto fail;
    }
    if (fold_key(p->tok.data, p->tok.len, &key) || !(n->col = buf_detach(&key, NULL)))
        goto nomem;
    fnext(p);
    if (p->tok_kind == '=' || p->tok_kind == '!') {
        n->op = p->tok_kind == '=' ? F_EQ : F_NE;
        fnext(p);
        if (fvalue(p, n))
            goto fail;
        return n;
    }
    n->op = F_IN;
    if (is_kw(p, "not")) {
        n->op = F_NOTIN;
        fnext(p);
    }
    if (!is_kw(p, "in")) {
        fsyntax(p, "=, !=, in or not in expected");
        goto fail;
    }
    fnext(p);
    if (p->tok_kind != '(') {
        fsyntax(p, "( expected after in");
        goto fail;
    }
    do {
        fnext(p);
        if (fvalue(p, n))
            goto fail;
    } while (p->tok_kind == ',');
    if (p->tok_kind != ')') {
        fsyntax(p, ", or ) expected");
        goto fail;
    }
    fnext(p);
    return n;
nomem:
    err_nomem(p->err);
fail:
    buf_release(&key);
    filter_free(n);
    return NULL;
}

/* Past "(" or "not": one level deeper, at most 100. */
static int fdeeper(struct fparser *p)
{
    if (++p->depth > 100)
        return fsyntax(p, "nested too deep");
    fnext(p);
    return 0;
}

static struct filter *ffactor(struct fparser *p)
{
    struct filter *n, *e;

    if (p->tok_kind == '(') {
        if (fdeeper(p) || !(e = fexpr(p)))
            return NULL;
        p->depth--;
        if (p->tok_kind != ')') {
            fsyntax(p, ") expected");
            filter_free(e);
            return NULL;
        }
        fnext(p);
        return e;
    }
    if (is_kw(p, "not")) {
        if (fdeeper(p) || !(e = ffactor(p)))
            return NULL;
        p->depth--;
        n = fnode(F_NOT);
        if (!n) {
            filter_free(e);
            err_nomem(p->err);
            return NULL;
        }
        n->a = e;
        return n;
    }
    return fcompare(p);
}

static struct filter *fbinary(struct fparser *p, const char *kw, enum fop op)
{
    struct filter *l, *r, *n;

    l = op == F_OR ? fbinary(p, "and", F_AND) : ffactor(p);
    while (l && is_kw(p, kw)) {
        fnext(p);
        r = op == F_OR ? fbinary(p, "and", F_AND) : ffactor(p);
        if (!r) {
            filter_free(l);
            return NULL;
        }
        n = fnode(op);
        if (!n) {
            filter_free(l);
            filter_free(r);
            err_nomem(p->err);
            return NULL;
        }
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

static struct filter *fexpr(struct fparser *p)
{
    return fbinary(p, "or", F_OR);
}

struct filter *filter_new(const char *text, struct err *err)
{
    struct fparser p = {text, 0, err, BUF_INIT, 0, 0};
    struct filter *f;

    fnext(&p);
    f = fexpr(&p);
    if (f && p.tok_kind != 0) {
        fsyntax(&p, "and, or or end expected");
        filter_free(f);
        f = NULL;
    }
    buf_release(&p.tok);
    return f;
}

void filter_free(struct filter *f)
{
    size_t i;

    if (!f)
        return;
    filter_free(f->a);
    filter_free(f->b);
    for (i = 0; i < f->nvals; i++)
        free(f->vals[i]);
    free(f->vals);
    free(f->col);
    free(f);
}

static int fmatch(const struct filter *f, const struct value *vars, struct buf *tmp)
{
    const struct value *v;
    const char *text = NULL;
    size_t len = 0, i;
    int in = 0, m;

    switch (f->op) {
    case F_AND:
        m = fmatch(f->a, vars, tmp);
        return m <= 0 ? m : fmatch(f->b, vars, tmp);
    case F_OR:
        m = fmatch(f->a, vars, tmp);
        return m != 0 ? m : fmatch(f->b, vars, tmp);
    case F_NOT:
        m = fmatch(f->a, vars, tmp);
        return m < 0 ? m : !m;
    default:
        break;
    }
    v = value_map_get(vars, f->col);
    if (v)
        text = value_text(v, &len);
    if (!text)
        text = "", len = 0;
    if (fold_text(text, len, tmp))
        return -1;
    for (i = 0; i < f->nvals && !in; i++)
        in = !strcmp(tmp->data, f->vals[i]);
    return f->op == F_EQ || f->op == F_IN ? in : !in;
}

int filter_match(const struct filter *f, const struct value *vars)
{
    struct buf tmp = BUF_INIT;
    int m = fmatch(f, vars, &tmp);

    buf_release(&tmp);
    return m;
}

const char *filter_missing(const struct filter *f, const char *const *keys, size_t nkeys)
{
    const char *m;
    size_t i;

    if (!f)
        return NULL;
    if (f->col) {
        for (i = 0; i < nkeys; i++)
            if (!strcmp(keys[i], f->col))
                return NULL;
        return f->col;
    }
    m = filter_missing(f->a, keys, nkeys);
    return m ? m : filter_missing(f->b, keys, nkeys);
}
