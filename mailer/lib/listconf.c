/* listconf - how to read one contact list (contacts/NAME.ini, [list NAME]). */
#include "listconf.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

static int set_string(char **field, const char *value)
{
    char *copy = strdup(value);

    if (!copy)
        return -2;
    free(*field);
    *field = copy;
    return 0;
}

/* "Nombre, Apellido paterno" into up to three column names. */
static int set_names(struct listconf *lc, const char *value, const char **why)
{
    const char *p = value;
    size_t n = 0, i;

    for (i = 0; i < LISTCONF_NAMES; i++) {
        free(lc->name_columns[i]);
        lc->name_columns[i] = NULL;
    }
    while (*p) {
        const char *start, *end;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        if (n == LISTCONF_NAMES)
            return *why = "name_columns: one to three columns, separated by commas", -1;
        start = p;
        while (*p && *p != ',')
            p++;
        for (end = p; end > start && (end[-1] == ' ' || end[-1] == '\t'); end--)
            ;
        if (!(lc->name_columns[n++] = xstrndup(start, (size_t)(end - start))))
            return -2;
    }
    return 0;
}

int listconf_set(struct listconf *lc, const char *key, const char *value, const char **why)
{
    int v;

    if (!strcmp(key, "address_column")) {
        if (!*value)
            return *why = "address_column: name the column that holds the addresses", -1;
        return set_string(&lc->address_column, value);
    }
    if (!strcmp(key, "name_columns"))
        return set_names(lc, value, why);
    if (!strcmp(key, "delimiter")) {
        if ((v = csvread_parse_delim(value)) < 0)
            return *why = "delimiter: write , or ; or tab", -1;
        lc->delim = v;
        return 0;
    }
    if (!strcmp(key, "encoding")) {
        if ((v = csvread_parse_encoding(value)) < 0)
            return *why = "encoding: write auto, utf-8, windows-1252 or latin1", -1;
        lc->encoding = (enum csvread_encoding)v;
        return 0;
    }
    return *why = "unknown key (allowed: address_column, name_columns, delimiter, encoding)", -1;
}

int listconf_path(const char *csv_path, struct buf *out)
{
    size_t n = strlen(csv_path);

    if (n > 4 && !strcasecmp(csv_path + n - 4, ".csv"))
        n -= 4;
    buf_reset(out);
    return buf_add(out, csv_path, n) || buf_addstr(out, ".ini");
}

struct reading {
    struct listconf *lc;
    struct err *err;
    const char *path;
    FILE *f;
    int line, problems, nomem;
};

/* inih's reader, counting lines (this inih gives the handler no line). */
static char *read_line(char *str, int num, void *stream)
{
    struct reading *r = stream;
    char *s = fgets(str, num, r->f);

    r->line += s != NULL;
    return s;
}

static int on_entry(void *ud, const char *section, const char *name, const char *value)
{
    struct reading *r = ud;
    const char *why = NULL;
    int rc, lineno = r->line;

    if (strcmp(section, "list")) {
        err_set(r->err, ERR_CONFIG, "%s:%d: unknown section [%s] (write [list])", r->path, lineno,
                section);
        r->problems++;
        return 1;
    }
    rc = listconf_set(r->lc, name, value, &why);
    if (rc == -2)
        r->nomem = 1;
    else if (rc) {
        err_set(r->err, ERR_CONFIG, "%s:%d: %s: %s", r->path, lineno, name, why);
        r->problems++;
    }
    return rc == -2 ? 0 : 1;
}

int listconf_read(struct listconf *lc, const char *csv_path, struct err *err)
{
    struct reading r = {lc, err, NULL, NULL, 0, 0, 0};
    struct buf path = BUF_INIT;
    int parse, rc = 0;

    if (listconf_path(csv_path, &path)) {
        buf_release(&path); /* the part added before the allocation failed */
        return err_nomem(err);
    }
    free(lc->path);
    lc->path = buf_detach(&path, NULL);
    if (!lc->path)
        return err_nomem(err);
    if (!(r.f = fopen(lc->path, "r")))
        return 0; /* no companion file: the list speaks for itself */
    lc->found = 1;
    r.path = lc->path;
    parse = ini_parse_stream(read_line, &r, on_entry, &r);
    fclose(r.f);
    if (r.nomem || parse < 0)
        rc = err_nomem(err);
    else if (parse > 0 && !r.problems)
        rc = err_set(err, ERR_CONFIG, "%s:%d: cannot read this line (write key = value)", lc->path,
                     parse);
    else if (r.problems)
        rc = -1;
    return rc;
}

void listconf_opts(const struct listconf *lc, struct contacts_list_opts *o)
{
    size_t i;

    memset(o, 0, sizeof(*o));
    o->delim = lc->delim;
    o->encoding = lc->encoding;
    o->address_column = lc->address_column;
    o->conf = lc->path;
    for (i = 0; i < LISTCONF_NAMES; i++)
        o->name_columns[i] = lc->name_columns[i];
}

void listconf_release(struct listconf *lc)
{
    size_t i;

    free(lc->address_column);
    for (i = 0; i < LISTCONF_NAMES; i++)
        free(lc->name_columns[i]);
    free(lc->path);
    memset(lc, 0, sizeof(*lc));
}
