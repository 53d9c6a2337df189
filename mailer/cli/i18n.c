/* i18n - the language people read. */
#include "i18n.h"

#include <limits.h>
#include <stdio.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hex.h"

#include "banned.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

#define MAX_CAPTURES 16
#define MAX_DEPTH 3

static int translating;

/* dir holds a catalogue of ours (Spanish is the one we ship). */
static int has_catalogue(const char *dir)
{
    struct buf p = BUF_INIT;
    struct stat st;
    int ok;

    ok = !buf_addf(&p, "%s/es/LC_MESSAGES/mailer.mo", dir) && stat(p.data, &st) == 0;
    buf_release(&p);
    return ok;
}

/* Where the catalogues are: the environment, beside the binary, the prefix.
 * 0, or -1 when out is full. */
static int locale_dir(struct buf *out)
{
    const char *env = getenv("MAILER_LOCALEDIR");
    char exe[PATH_MAX];
    ssize_t n;
    char *slash;

    if (env && *env)
        return buf_addstr(out, env);
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            if (buf_setf(out, "%s/locale", exe))
                return -1;
            if (has_catalogue(out->data))
                return 0;
            if (buf_setf(out, "%s/../share/locale", exe))
                return -1;
            if (has_catalogue(out->data))
                return 0;
        }
    }
    return buf_setf(out, "%s", LOCALEDIR);
}

static const char *first_env(const char *const *names)
{
    const char *v;

    for (; *names; names++)
        if ((v = getenv(*names)) && *v)
            return v;
    return NULL;
}

static int is_c_locale(const char *l)
{
    return !l || !strcmp(l, "C") || !strcmp(l, "POSIX");
}

int i18n_init(void)
{
    static const char *const lc_vars[] = {"LC_ALL", "LC_MESSAGES", "LANG", NULL};
    struct buf dir = BUF_INIT;
    const char *asked, *language;

    if (!setlocale(LC_ALL, "")) {
        /* The locale asked for is not installed here (es_MX.UTF-8 often is
         * not): keep UTF-8 and tell gettext the language directly. */
        asked = first_env(lc_vars);
        if (!setlocale(LC_ALL, "C.UTF-8"))
            setlocale(LC_ALL, "C");
        if (asked && !is_c_locale(asked) && strncmp(asked, "C.", 2) &&
            !first_env((const char *const[]){"LANGUAGE", NULL})) {
            struct buf lang = BUF_INIT;
            int full = buf_add(&lang, asked, strcspn(asked, ".@"));
            if (!full)
                setenv("LANGUAGE", lang.data, 1);
            buf_release(&lang);
            if (full)
                return -1;
        }
    }
    /* gettext ignores LANGUAGE in the C locale: LANGUAGE=es must still work. */
    language = first_env((const char *const[]){"LANGUAGE", NULL});
    if (language && is_c_locale(setlocale(LC_MESSAGES, NULL)))
        setlocale(LC_MESSAGES, "C.UTF-8");
    /* Numbers written for programs (JSON, CSV, the ledger) keep '.'. */
    setlocale(LC_NUMERIC, "C");
    if (locale_dir(&dir)) {
        buf_release(&dir);
        return -1;
    }
    bindtextdomain("mailer", dir.data);
    bind_textdomain_codeset("mailer", "UTF-8");
    textdomain("mailer");
    buf_release(&dir);
    translating = strcmp(gettext(i18n_lib_messages[0]), i18n_lib_messages[0]) != 0;
    return 0;
}

int i18n_active(void)
{
    return translating;
}

const char *i18n_lang(void)
{
    return translating ? "es" : "en";
}

/* ---- library messages ----------------------------------------------- */

struct capture {
    const char *p;
    size_t len;
    int is_string;
};

struct match {
    struct capture cap[MAX_CAPTURES];
    int ncap;
    size_t literal; /* literal characters matched: the more, the more specific */
};

/* Length of the conversion spec at f (f[0] == '%', f[1] != '%'); *conv gets
 * its conversion character. */
static size_t spec_len(const char *f, char *conv)
{
    size_t i = 1;

    i += strspn(f + i, "0123456789$");
    i += strspn(f + i, "-+ #0'");
    i += strspn(f + i, "0123456789*");
    if (f[i] == '.') {
        i++;
        i += strspn(f + i, "0123456789*");
    }
    i += strspn(f + i, "hlLqjzt");
    *conv = f[i];
    return f[i] ? i + 1 : i;
}

/* How many characters of s a numeric conversion may take (greedy). */
static size_t number_len(const char *s, size_t n, char conv)
{
    size_t i = 0;

    if (strchr("di", conv) && i < n && s[i] == '-')
        i++;
    if (strchr("fgeFGE", conv))
        while (i < n && strchr("-+0123456789.eE", s[i]))
            i++;
    else if (strchr("xX", conv))
        while (i < n && hex_digit((unsigned char)s[i]) >= 0)
            i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    return i;
}

static int match_at(const char *f, const char *s, size_t n, struct match *m)
{
    char conv;
    size_t len, take;
    int at = m->ncap;

    while (*f) {
        if (f[0] != '%' || f[1] == '%') {
            if (!n || *s != *f)
                return 0;
            f += f[0] == '%' ? 2 : 1;
            s++;
            n--;
            m->literal++;
            continue;
        }
        if (m->ncap == MAX_CAPTURES)
            return 0;
        len = spec_len(f, &conv);
        f += len;
        if (conv == 's') {
            /* Shortest first, so "file: %s" takes the file up to the first ": ". */
            size_t saved = m->literal;
            for (take = 0; take <= n; take++) {
                m->cap[at] = (struct capture){s, take, 1};
                m->ncap = at + 1;
                m->literal = saved;
                if (match_at(f, s + take, n - take, m))
                    return 1;
            }
            m->ncap = at;
            return 0;
        }
        take = conv == 'c' ? (n ? 1 : 0) : number_len(s, n, conv);
        if (!take)
            return 0;
        m->cap[m->ncap++] = (struct capture){s, take, 0};
        s += take;
        n -= take;
        at = m->ncap;
    }
    return n == 0;
}

static int translate_line(const char *line, size_t len, struct buf *out, int depth);

/* The translated format with the captured values put back; 0, or -1 when
 * out is full. depth < 0: put the values back as they are (the self-check). */
static int render(const char *tr, const struct match *m, struct buf *out, int depth)
{
    int next = 0, idx, rc = 0;
    char conv;

    while (*tr && !rc) {
        if (tr[0] != '%') {
            rc = buf_addch(out, *tr++);
            continue;
        }
        if (tr[1] == '%') {
            rc = buf_addch(out, '%');
            tr += 2;
            continue;
        }
        idx = next++;
        if (tr[1] >= '1' && tr[1] <= '9' && strchr(tr, '$'))
            idx = atoi(tr + 1) - 1;
        tr += spec_len(tr, &conv);
        if (idx < 0 || idx >= m->ncap)
            continue;
        if (m->cap[idx].is_string && depth >= 0)
            rc = translate_line(m->cap[idx].p, m->cap[idx].len, out, depth + 1);
        else
            rc = buf_add(out, m->cap[idx].p, m->cap[idx].len);
    }
    return rc;
}

/* The library format that matches line with the most literal characters
 * (best gets its captures), or NULL. */
static const char *best_format(const char *line, size_t len, struct match *best)
{
    const char *best_fmt = NULL;
    struct match m;
    size_t i;

    memset(best, 0, sizeof(*best));
    for (i = 0; i18n_lib_messages[i]; i++) {
        memset(&m, 0, sizeof(m));
        if (match_at(i18n_lib_messages[i], line, len, &m) && m.literal > best->literal) {
            *best = m;
            best_fmt = i18n_lib_messages[i];
        }
    }
    return best_fmt;
}

static int translate_line(const char *line, size_t len, struct buf *out, int depth)
{
    struct match best = {0};
    const char *best_fmt = depth <= MAX_DEPTH ? best_format(line, len, &best) : NULL;

    /* A value inside a message is translated only when it clearly is one of
     * our sentences, not a file name that happens to look like "%s: %s". */
    if (!best_fmt || (depth > 0 && best.literal < 6))
        return buf_add(out, line, len);
    return render(gettext(best_fmt), &best, out, depth);
}

/* The length of a "file:line: " (or "file:line:column: ") at the start of
 * s, 0 when there is none. */
static size_t location_len(const char *s, size_t n)
{
    size_t i = 0, colons = 0;

    while (i < n && s[i] != ':' && s[i] != ' ')
        i++;
    while (i + 1 < n && s[i] == ':' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        colons++;
    }
    return colons && i + 1 < n && s[i] == ':' && s[i + 1] == ' ' ? i + 2 : 0;
}

int i18n_lib_line(const char *line, size_t len, struct buf *out)
{
    size_t at = location_len(line, len);
    struct match whole, rest;

    if (!translating)
        return buf_add(out, line, len);
    /* "campaigns/x.ini:12: send_at: write it as ...": the sentence after a
     * location is matched on its own, so that a format such as "%s: %s: %s"
     * cannot take the location apart; unless a format of the whole line
     * (with its "%s:%zu: ") says more of it */
    if (at && best_format(line + at, len - at, &rest) &&
        (!best_format(line, len, &whole) || rest.literal + 3 >= whole.literal))
        return buf_add(out, line, at) || translate_line(line + at, len - at, out, 0) ? -1 : 0;
    return translate_line(line, len, out, 0);
}

int i18n_lib_text(const char *text, struct buf *out)
{
    const char *nl;

    while (*text) {
        nl = strchr(text, '\n');
        if (!nl)
            nl = text + strlen(text);
        if (i18n_lib_line(text, (size_t)(nl - text), out) || (*nl && buf_addch(out, '\n')))
            return -1;
        text = *nl ? nl + 1 : nl;
    }
    return 0;
}

const char *i18n_lib_show(const char *text, struct buf *out)
{
    return i18n_lib_text(text, out) ? text : out->data;
}

/* Sample values for a format's conversions, distinct so a swap shows. */
static void sample_values(const char *f, struct match *m, char store[][16])
{
    char conv;

    m->ncap = 0;
    for (; *f && m->ncap < MAX_CAPTURES; f++) {
        if (*f != '%')
            continue;
        if (f[1] == '%') {
            f++;
            continue;
        }
        f += spec_len(f, &conv) - 1;
        if (conv == 's')
            snprintf(store[m->ncap], 16, "Zq%c", 'a' + m->ncap); /* data */
        else if (conv == 'c')
            snprintf(store[m->ncap], 16, "q");
        else if (strchr("xX", conv))
            snprintf(store[m->ncap], 16, "1f");
        else if (strchr("fgeFGE", conv))
            snprintf(store[m->ncap], 16, "1.5");
        else
            snprintf(store[m->ncap], 16, "%d", 70 + m->ncap);
        m->cap[m->ncap] = (struct capture){store[m->ncap], strlen(store[m->ncap]), conv == 's'};
        m->ncap++;
    }
}

int i18n_check_catalogue(FILE *out)
{
    struct buf english = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
    char store[MAX_CAPTURES][16];
    struct match m;
    size_t i;
    int bad = 0;

    for (i = 0; i18n_lib_messages[i]; i++) {
        memset(&m, 0, sizeof(m));
        sample_values(i18n_lib_messages[i], &m, store);
        buf_reset(&english);
        buf_reset(&got);
        buf_reset(&want);
        if (render(i18n_lib_messages[i], &m, &english, -1) ||
            render(gettext(i18n_lib_messages[i]), &m, &want, -1) ||
            i18n_lib_line(english.data, english.len, &got)) {
            fprintf(out, "out of memory\n"); /* data */
            bad++;
            break;
        }
        if (strcmp(got.data, want.data)) {
            /* data */
            fprintf(out, "%s\n  -> %s\n  want %s\n", english.data, got.data, want.data);
            bad++;
        }
    }
    /* data */
    fprintf(out, "%zu library messages, %d not translated back\n", i, bad);
    buf_release(&english);
    buf_release(&got);
    buf_release(&want);
    return bad;
}
