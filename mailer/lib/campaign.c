/* campaign - campaign definitions (campaigns/NAME.ini) and their editions. */
#include "campaign.h"

#include <dirent.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "datefmt.h"
#include "schedule.h"

#include "banned.h"

static const char *const kinds[] = {"bulletin",   "convocatoria", "podcast",
                                    "invitation", "digest",       NULL};
static const char *const cadences[] = {"weekly", "monthly", "once", NULL};

struct key {
    const char *name;
    size_t offset; /* of the char * in struct campaign, or (size_t)-1 */
};

#define KEY(field)                                                                                 \
    {                                                                                              \
#field, offsetof(struct campaign, field)                                                   \
    }
static const struct key keys[] = {
    KEY(name),
    KEY(kind),
    KEY(subject),
    KEY(report_title),
    KEY(filter),
    KEY(from),
    KEY(reply_to),
    KEY(schedule),
    KEY(send_at),
    KEY(content),
    KEY(audience),
    KEY(sender),
    {"template", offsetof(struct campaign, template_name)},
    {"edition", offsetof(struct campaign, cadence)},
    {"lists", (size_t)-1},
    {"attachments", (size_t)-1},
    {"inline_images", (size_t)-1},
    {"allow_html", (size_t)-1},
    {"paused", (size_t)-1},
};
#undef KEY

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* A key of a [list NAME] section, applied once the lists are known. */
struct list_key {
    char *list, *key, *value;
    int line;
};

struct load_state {
    struct campaign *c;
    struct err *err;
    FILE *f;
    int line;
    int errors;
    int key_line[NKEYS]; /* where each [campaign] key was set; 0: not in the file */
    struct list_key *list_keys;
    size_t nlist_keys;
};

static int is_one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

int campaign_kind_ok(const char *kind)
{
    return is_one_of(kind, kinds);
}

/* Split "a, b ,c" into a NULL-free array of trimmed strings. */
static int split_list(const char *s, char ***out, size_t *n)
{
    const char *p = s;

    *n = 0;
    *out = NULL;
    while (*p) {
        const char *start, *end;
        char **grown;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && *p != ',')
            p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        grown = realloc(*out, (*n + 1) * sizeof(**out));
        if (!grown)
            return -1;
        *out = grown;
        if (!((*out)[*n] = xstrndup(start, (size_t)(end - start))))
            return -1;
        (*n)++;
    }
    return 0;
}

static void free_list(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int problem(struct load_state *st, const char *fmt, const char *a, const char *b)
{
    struct buf msg = BUF_INIT;

    if (buf_addf(&msg, fmt, a, b))
        err_nomem(st->err);
    else if (st->line)
        err_set(st->err, ERR_DATA, "%s:%d: %s", st->c->path, st->line, msg.data);
    else
        err_set(st->err, ERR_DATA, "%s: %s", st->c->path, msg.data);
    buf_release(&msg);
    st->errors++;
    return 1; /* keep parsing: report every problem */
}

static int set_key(struct load_state *st, const char *name, const char *value)
{
    struct campaign *c = st->c;
    size_t i;

    for (i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].name, name))
            break;
    if (i == NKEYS)
        return problem(st, "unknown key \"%s\" in [campaign]%s", name, "");
    st->key_line[i] = st->line;
    if (keys[i].offset != (size_t)-1) {
        char **field = (char **)((char *)c + keys[i].offset);
        free(*field);
        *field = strdup(value);
        return *field ? 1 : 0;
    }
    if (!strcmp(name, "allow_html") || !strcmp(name, "paused")) {
        if (strcmp(value, "yes") && strcmp(value, "no") && strcmp(value, "true") &&
            strcmp(value, "false"))
            return problem(st, "%s must be yes or no, not \"%s\"", name, value);
        *(!strcmp(name, "paused") ? &c->paused : &c->allow_html) =
            !strcmp(value, "yes") || !strcmp(value, "true");
        return 1;
    }
    if (!strcmp(name, "lists")) {
        free_list(c->lists, c->nlists);
        return split_list(value, &c->lists, &c->nlists) ? 0 : 1;
    }
    if (!strcmp(name, "attachments")) {
        free_list(c->attachments, c->nattachments);
        return split_list(value, &c->attachments, &c->nattachments) ? 0 : 1;
    }
    free_list(c->inline_images, c->ninline_images);
    return split_list(value, &c->inline_images, &c->ninline_images) ? 0 : 1;
}

static struct campaign_override *find_override(struct campaign *c, const char *edition)
{
    struct campaign_override *grown;
    size_t i;

    for (i = 0; i < c->noverrides; i++)
        if (!strcmp(c->overrides[i].edition, edition))
            return &c->overrides[i];
    grown = realloc(c->overrides, (c->noverrides + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    c->overrides = grown;
    memset(&grown[c->noverrides], 0, sizeof(*grown));
    if (!(grown[c->noverrides].edition = strdup(edition)))
        return NULL;
    return &grown[c->noverrides++];
}

static int set_override(struct load_state *st, const char *edition, const char *name,
                        const char *value)
{
    struct campaign_override *o = find_override(st->c, edition);
    char **field;

    if (!o)
        return 0;
    if (!strcmp(name, "audience"))
        field = &o->audience;
    else if (!strcmp(name, "subject"))
        field = &o->subject;
    else if (!strcmp(name, "report_title"))
        field = &o->report_title;
    else if (!strcmp(name, "send_at"))
        field = &o->send_at;
    else if (!strcmp(name, "filter"))
        field = &o->filter;
    else if (!strcmp(name, "sender"))
        field = &o->sender, o->sender_line = st->line;
    else
        return problem(st,
                       "unknown key \"%s\" in an [edition] section (allowed: audience, "
                       "subject, report_title, send_at, filter, sender)%s",
                       name, "");
    free(*field);
    *field = strdup(value);
    if (*field && field == &o->send_at) {
        struct schedule_rule rule;
        const char *why = NULL;
        if (schedule_parse("once", "", value, &rule, &why))
            problem(st, "%s%s", why, "");
    }
    return *field ? 1 : 0;
}

static int keep_list_key(struct load_state *st, const char *list, const char *name,
                         const char *value)
{
    struct list_key *grown = realloc(st->list_keys, (st->nlist_keys + 1) * sizeof(*grown));

    if (!grown)
        return 0;
    st->list_keys = grown;
    grown += st->nlist_keys++;
    grown->list = strdup(list);
    grown->key = strdup(name);
    grown->value = strdup(value);
    grown->line = st->line;
    return grown->list && grown->key && grown->value;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct load_state *st = user;

    if (!strncmp(section, "edition ", 8) && section[8]) {
        if (!edition_name_ok(section + 8))
            return problem(st, "[edition %s]: not an edition name (letters, digits, - and _)%s",
                           section + 8, "");
        return set_override(st, section + 8, name, value);
    }
    if (!strncmp(section, "list ", 5) && section[5])
        return keep_list_key(st, section + 5, name, value);
    if (!strcmp(section, "campaign"))
        return set_key(st, name, value);
    if (!strcmp(section, "defaults"))
        return value_map_set_string(st->c->defaults, name, value) ? 0 : 1;
    return problem(st,
                   "unknown section [%s] (use [campaign], [defaults], [edition NAME] or [list "
                   "NAME])%s",
                   section, "");
}

static char *read_line(char *str, int num, void *stream)
{
    struct load_state *st = stream;
    char *s = fgets(str, num, st->f);

    if (s)
        st->line++;
    return s;
}

static int file_exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* A From value: "Name <addr>" or "addr"; the address part must look like
 * one (the address module checks it fully when the audience loads). */
static int from_ok(const char *from)
{
    const char *lt = strchr(from, '<'), *at;
    size_t len;

    if (strpbrk(from, "\r\n"))
        return 0;
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || gt[1] != '\0')
            return 0;
        from = lt + 1;
        len = (size_t)(gt - from);
    } else {
        len = strlen(from);
    }
    at = memchr(from, '@', len);
    return at && at > from && (size_t)(at - from) < len - 1 && !memchr(from, ' ', len);
}

/* A path from a campaign file must stay inside the mailer home: relative,
 * no ".." component (a campaign file is data, not a way to mail /etc). */
static int path_is_confined(const char *p)
{
    const char *seg = p;

    if (!*p || *p == '/' || strchr(p, '\\'))
        return 0;
    while (seg) {
        size_t len = strcspn(seg, "/");
        if (len == 2 && !strncmp(seg, "..", 2))
            return 0;
        seg = seg[len] ? seg + len + 1 : NULL;
    }
    return 1;
}

/* A bare name (template, list): no directories, not hidden. */
static int name_is_plain(const char *s)
{
    return *s && *s != '.' && !strpbrk(s, "/\\");
}

int campaign_path_inside(const struct campaign *c, const char *path, struct err *err)
{
    char *home = realpath(c->home, NULL), *real = realpath(path, NULL);
    size_t n = home ? strlen(home) : 0;
    int ok = home && real && !strncmp(real, home, n) && (real[n] == '/' || real[n] == '\0');

    free(home);
    free(real);
    if (ok)
        return 0;
    return err_set(err, ERR_DATA, "%s: %s is outside the mailer home (%s)", c->path, path, c->home);
}

/* The problems of a key's value name the line where the key is (0, the
 * whole file, when the key is not written: a default or a missing key). */
static void at_key(struct load_state *st, const char *name)
{
    size_t i;

    st->line = 0;
    for (i = 0; i < NKEYS; i++)
        if (!strcmp(keys[i].name, name))
            st->line = st->key_line[i];
}

/* Checks that need the whole file: required keys, values, files. */
static void validate(struct load_state *st)
{
    struct campaign *c = st->c;
    struct buf path = BUF_INIT;
    struct schedule_rule rule;
    const char *why = NULL;
    size_t i;

    at_key(st, *c->send_at && !*c->schedule ? "send_at" : "schedule");
    if (c->cadence && is_one_of(c->cadence, cadences) &&
        schedule_parse(c->cadence, c->schedule, c->send_at, &rule, &why))
        problem(st, "%s%s", why, "");
    at_key(st, "subject");
    if (!c->subject || !*c->subject)
        problem(st, "missing key \"subject\"%s%s", "", "");
    at_key(st, "template");
    if (!c->template_name || !*c->template_name)
        problem(st, "missing key \"template\"%s%s", "", "");
    at_key(st, "lists");
    if (!c->nlists && (!c->audience || !*c->audience))
        problem(st, "missing key \"lists\" (contact lists to send to)%s%s", "", "");
    at_key(st, "audience");
    if (c->audience && *c->audience && (strncmp(c->audience, "edition:", 8) || !c->audience[8]))
        problem(st,
                "audience \"%s\": write edition:NAME (the frozen audience of an earlier "
                "edition)%s",
                c->audience, "");
    at_key(st, "kind");
    if (c->kind && !is_one_of(c->kind, kinds))
        problem(st,
                "kind \"%s\" is not one of bulletin, convocatoria, podcast, invitation, "
                "digest%s",
                c->kind, "");
    at_key(st, "edition");
    if (c->cadence && !is_one_of(c->cadence, cadences))
        problem(st, "edition \"%s\" is not one of weekly, monthly, once%s", c->cadence, "");
    at_key(st, "from");
    if (c->from && *c->from && !from_ok(c->from))
        problem(st, "from \"%s\" is not an address (write Name <user@domain>)%s", c->from, "");
    at_key(st, "reply_to");
    if (c->reply_to && *c->reply_to && !from_ok(c->reply_to))
        problem(st, "reply_to \"%s\" is not an address%s", c->reply_to, "");
    at_key(st, "template");
    if (c->template_name && *c->template_name && !name_is_plain(c->template_name))
        problem(st, "template \"%s\": give a name from templates/, not a path%s", c->template_name,
                "");
    at_key(st, "content");
    if (*c->content && !path_is_confined(c->content))
        problem(st,
                "content \"%s\": the path must be relative to the mailer home, without .."
                "%s",
                c->content, "");
    at_key(st, "lists");
    for (i = 0; i < c->nlists; i++) {
        buf_reset(&path);
        if (!name_is_plain(c->lists[i])) {
            problem(st, "list \"%s\": give a name from contacts/, not a path%s", c->lists[i], "");
            continue;
        }
        if (campaign_list_path(c, i, &path))
            goto nomem;
        if (!file_exists(path.data))
            problem(st, "list \"%s\" not found (expected %s)", c->lists[i], path.data);
    }
    at_key(st, "template");
    if (c->template_name && *c->template_name && name_is_plain(c->template_name)) {
        for (i = 0; i < 2; i++) {
            buf_reset(&path);
            if (campaign_template_path(c, i ? "html" : "txt", &path))
                goto nomem;
            if (!file_exists(path.data))
                problem(st, "template \"%s\": %s not found", c->template_name, path.data);
        }
    }
    for (i = 0; i < c->nattachments + c->ninline_images; i++) {
        const char *f =
            i < c->nattachments ? c->attachments[i] : c->inline_images[i - c->nattachments];
        at_key(st, i < c->nattachments ? "attachments" : "inline_images");
        if (buf_setf(&path, "%s/%s", c->home, f))
            goto nomem;
        if (!path_is_confined(f))
            problem(st,
                    "file \"%s\": the path must be relative to the mailer home, without .."
                    "%s",
                    f, "");
        else if (!file_exists(path.data))
            problem(st, "file \"%s\" not found%s", f, "");
        else if (campaign_path_inside(c, path.data, NULL))
            problem(st, "file \"%s\" leads outside the mailer home (a symbolic link?)%s", f, "");
    }
    buf_release(&path);
    return;
nomem:
    err_nomem(st->err);
    st->errors++;
    buf_release(&path);
}

/* How to read each list: its companion file, then [list NAME]. Problems
 * are the campaign's (they stop a send as any other). */
static int load_list_opts(struct load_state *st)
{
    struct campaign *c = st->c;
    struct buf path = BUF_INIT;
    size_t i, k;
    int rc = 0;

    c->listconf = calloc(c->nlists ? c->nlists : 1, sizeof(*c->listconf));
    c->list_opts = calloc(c->nlists ? c->nlists : 1, sizeof(*c->list_opts));
    if (!c->listconf || !c->list_opts)
        return err_nomem(st->err);
    for (i = 0; i < c->nlists && !rc; i++) {
        buf_reset(&path);
        if (campaign_list_path(c, i, &path)) {
            rc = err_nomem(st->err);
            break;
        }
        if (listconf_read(&c->listconf[i], path.data, st->err))
            st->errors++;
    }
    for (k = 0; k < st->nlist_keys && !rc; k++) {
        const struct list_key *lk = &st->list_keys[k];
        const char *why = NULL;
        int set;
        for (i = 0; i < c->nlists && strcmp(c->lists[i], lk->list); i++)
            ;
        st->line = lk->line;
        if (i == c->nlists) {
            problem(st, "[list %s]: %s is not one of the campaign's lists", lk->list, lk->list);
            continue;
        }
        set = listconf_set(&c->listconf[i], lk->key, lk->value, &why);
        if (set == -2)
            rc = err_nomem(st->err);
        else if (set)
            problem(st, "[list %s]: %s", lk->list, why);
    }
    for (i = 0; i < c->nlists; i++)
        listconf_opts(&c->listconf[i], &c->list_opts[i]);
    buf_release(&path);
    return rc;
}

static int set_default(char **field, const char *value)
{
    if (*field)
        return 0;
    *field = strdup(value);
    return *field ? 0 : -1;
}

int campaign_load(const char *home, const char *id, struct campaign *c, struct err *err)
{
    struct load_state st = {c, err, NULL, 0, 0, {0}, NULL, 0};
    struct buf path = BUF_INIT;
    int rc = -1, parse;

    memset(c, 0, sizeof(*c));
    if (!*id || strpbrk(id, "/\\") || id[0] == '.')
        return err_set(err, ERR_USAGE, "\"%s\" is not a campaign name", id);
    if (buf_addf(&path, "campaigns/%s.ini", id))
        return err_nomem(err);
    c->id = strdup(id);
    c->home = strdup(home);
    c->path = buf_detach(&path, NULL);
    c->defaults = value_new_map();
    if (!c->id || !c->home || !c->path || !c->defaults)
        return err_nomem(err);
    if (buf_addf(&path, "%s/%s", home, c->path)) {
        err_nomem(err);
        goto out;
    }
    st.f = fopen(path.data, "r");
    if (!st.f) {
        err_errno(err, ERR_NOINPUT, "campaign \"%s\": cannot open %s", id, path.data);
        goto out;
    }
    parse = ini_parse_stream(read_line, &st, on_entry, &st);
    fclose(st.f);
    if (parse > 0 && !st.errors) {
        st.line = parse;
        problem(&st, "cannot parse this line (expected key = value or [section])%s%s", "", "");
    }
    if (parse < 0) {
        err_nomem(err);
        goto out;
    }
    if (set_default(&c->name, id) || set_default(&c->kind, "bulletin") ||
        set_default(&c->cadence, "once") || set_default(&c->filter, "") ||
        set_default(&c->reply_to, "") || set_default(&c->from, "") ||
        set_default(&c->content, "") || set_default(&c->audience, "") ||
        set_default(&c->schedule, "") || set_default(&c->send_at, "") ||
        set_default(&c->sender, "")) {
        err_nomem(err);
        goto out;
    }
    at_key(&st, "sender");
    c->sender_line = st.line;
    validate(&st);
    if (load_list_opts(&st) || st.errors)
        goto out;
    if (set_default(&c->report_title, c->subject ? c->subject : c->name)) {
        err_nomem(err);
        goto out;
    }
    rc = 0;
out:
    for (size_t k = 0; k < st.nlist_keys; k++) {
        free(st.list_keys[k].list);
        free(st.list_keys[k].key);
        free(st.list_keys[k].value);
    }
    free(st.list_keys);
    buf_release(&path);
    return rc;
}

void campaign_release(struct campaign *c)
{
    size_t i;

    for (i = 0; c->listconf && i < c->nlists; i++)
        listconf_release(&c->listconf[i]);
    free(c->listconf);
    free(c->list_opts);

    free(c->id);
    free(c->path);
    free(c->home);
    free(c->name);
    free(c->kind);
    free(c->subject);
    free(c->report_title);
    free(c->filter);
    free(c->template_name);
    free(c->from);
    free(c->reply_to);
    free(c->cadence);
    free(c->schedule);
    free(c->send_at);
    free(c->content);
    free(c->audience);
    free(c->sender);
    free_list(c->lists, c->nlists);
    free_list(c->attachments, c->nattachments);
    free_list(c->inline_images, c->ninline_images);
    value_free(c->defaults);
    for (i = 0; i < c->noverrides; i++) {
        free(c->overrides[i].edition);
        free(c->overrides[i].audience);
        free(c->overrides[i].subject);
        free(c->overrides[i].report_title);
        free(c->overrides[i].send_at);
        free(c->overrides[i].filter);
        free(c->overrides[i].sender);
    }
    free(c->overrides);
    memset(c, 0, sizeof(*c));
}

static int replace_field(char **field, const char *value)
{
    char *copy;

    if (!value)
        return 0;
    copy = strdup(value);
    if (!copy)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

int campaign_apply_edition(struct campaign *c, const char *edition)
{
    size_t i;

    for (i = 0; i < c->noverrides; i++) {
        const struct campaign_override *o = &c->overrides[i];
        if (strcmp(o->edition, edition))
            continue;
        if (replace_field(&c->audience, o->audience) || replace_field(&c->subject, o->subject) ||
            replace_field(&c->report_title, o->report_title) ||
            replace_field(&c->send_at, o->send_at) || replace_field(&c->filter, o->filter) ||
            replace_field(&c->sender, o->sender))
            return -1;
        if (o->sender)
            c->sender_line = o->sender_line;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int campaign_list(const char *home, char ***ids, size_t *n, struct err *err)
{
    struct buf path = BUF_INIT;
    struct dirent *de;
    DIR *d;
    char **grown;

    *ids = NULL;
    *n = 0;
    if (buf_addf(&path, "%s/campaigns", home))
        return err_nomem(err);
    d = opendir(path.data);
    if (!d) {
        err_errno(err, ERR_NOINPUT, "%s", path.data);
        buf_release(&path);
        return -1;
    }
    buf_release(&path);
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".ini"))
            continue;
        grown = realloc(*ids, (*n + 1) * sizeof(**ids));
        if (!grown || !(grown[*n] = xstrndup(de->d_name, len - 4))) {
            *ids = grown ? grown : *ids;
            closedir(d);
            return err_nomem(err);
        }
        *ids = grown;
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(*ids, *n, sizeof(**ids), cmp_str);
    return 0;
}

void campaign_list_free(char **ids, size_t n)
{
    free_list(ids, n);
}

/* A campaign of one-off editions (once, no send_at of its own, [edition]
 * sections): its current edition is the next one due, else the last one
 * that was due, else the last section. */
static const char *one_off(const struct campaign *c, time_t now)
{
    const char *next = NULL, *last = NULL;
    time_t next_at = 0, last_at = 0;
    struct schedule_rule rule;
    const char *why;
    size_t i;

    for (i = 0; i < c->noverrides; i++) {
        const struct campaign_override *o = &c->overrides[i];
        if (!o->send_at || schedule_parse("once", "", o->send_at, &rule, &why) || !rule.at)
            continue;
        if (rule.at >= now && (!next || rule.at < next_at))
            next = o->edition, next_at = rule.at;
        if (rule.at < now && (!last || rule.at > last_at))
            last = o->edition, last_at = rule.at;
    }
    return next ? next : last ? last : c->overrides[c->noverrides - 1].edition;
}

int campaign_edition(const struct campaign *c, const char *explicit_name, time_t now,
                     struct edition *e, struct err *err)
{
    if (explicit_name) {
        if (!edition_name_ok(explicit_name))
            return err_set(err, ERR_USAGE, "\"%s\" is not an edition name", explicit_name);
        edition_named(explicit_name, e);
        return 0;
    }
    if (!strcmp(c->cadence, "once") && (!c->send_at || !*c->send_at) && c->noverrides) {
        edition_named(one_off(c, now), e);
        return 0;
    }
    edition_for(c->cadence, c->name, now, e);
    return 0;
}

static int replace_edition(struct buf *out, const char *pattern, const char *edition)
{
    const char *p = pattern, *hit;

    while ((hit = strstr(p, "{edition}"))) {
        if (buf_add(out, p, (size_t)(hit - p)) || buf_addstr(out, edition))
            return -1;
        p = hit + strlen("{edition}");
    }
    return buf_addstr(out, p);
}

/* "HOME/" before a path of the home; nothing for ".", so that messages say
 * contacts/diaspora.csv, not ./contacts/diaspora.csv. */
static int add_home(const struct campaign *c, struct buf *out)
{
    return strcmp(c->home, ".") ? buf_addf(out, "%s/", c->home) : 0;
}

int campaign_content_path(const struct campaign *c, const struct edition *e, struct buf *out)
{
    if (!*c->content)
        return 0;
    if (add_home(c, out))
        return -1;
    return replace_edition(out, c->content, e->name);
}

int campaign_list_path(const struct campaign *c, size_t i, struct buf *out)
{
    return add_home(c, out) || buf_addf(out, "contacts/%s.csv", c->lists[i]);
}

int campaign_template_path(const struct campaign *c, const char *ext, struct buf *out)
{
    return add_home(c, out) || buf_addf(out, "templates/%s.%s.mustache", c->template_name, ext);
}
