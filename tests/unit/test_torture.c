/* test_torture - allocation failure, in turn, for every parser and the
 * message builder (as curl's torture tests): each operation is run once to
 * count its allocations, then once per allocation with that one failing.
 * Every run must return an error (or, when the failed allocation was one a
 * module can do without, the same result as the clean run), never crash,
 * and never leak (the sanitizer build runs this with LeakSanitizer on).
 *
 * The allocator is interposed here: malloc, calloc, realloc, strdup and
 * strndup defined in this program take precedence over the C library's for
 * every caller in the process, the shared libraries (json-c, cmark,
 * libetpan, libidn2, iconv) included, and forward to the next definition
 * (glibc's, or the sanitizer's) found with dlsym(RTLD_NEXT). Failures are
 * armed only around the operation under test, so cmocka is never starved.
 * TORTURE_VERBOSE=1 prints the allocation count of each operation;
 * TORTURE_ONLY=NAME runs one operation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "buf.h"
#include "campaign.h"
#include "config.h"
#include "sender.h"
#include "content.h"
#include "csvread.h"
#include "err.h"
#include "message.h"
#include "rfc2047.h"
#include "template.h"
#include "value.h"

#include "skipped.h"

#include "banned.h"

/* ---- the allocator ---- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);

static int armed;             /* count (and maybe fail) allocations now */
static unsigned long count;   /* allocations seen while armed */
static unsigned long fail_at; /* 1-based; 0: never fail */
static unsigned long failed;  /* how many failures were injected */

/* dlsym may allocate before the real functions are known. */
static char boot[4096];
static size_t boot_used;

static void *boot_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (boot_used + n > sizeof boot)
        return NULL;
    boot_used += n;
    return boot + boot_used - n;
}

static int resolving;

static void resolve(void)
{
    if (real_malloc || resolving)
        return;
    resolving = 1;
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    resolving = 0;
}

/* Libraries that do not survive a failed allocation of their own (all
 * three excluded, see SECURITY.md): cmark aborts ("[cmark] calloc returned
 * null pointer, aborting"), json-c 0.16 crashes in
 * json_object_object_add_ex when a key cannot be copied, libetpan 1.9
 * frees twice in mailimf_fields_add_data's error path. Their allocations
 * are never failed; ours around them are. */
static int excluded(const void *caller)
{
    Dl_info info;
    if (!dladdr(caller, &info) || !info.dli_fname)
        return 0;
    return strstr(info.dli_fname, "libcmark") || strstr(info.dli_fname, "libjson-c") ||
           strstr(info.dli_fname, "libetpan");
}

/* 1 when this allocation (asked for from caller) must fail. */
static int inject(const void *caller)
{
    if (!armed || excluded(caller))
        return 0;
    count++;
    if (fail_at && count == fail_at) {
        failed++;
        return 1;
    }
    return 0;
}

void *malloc(size_t n)
{
    resolve();
    if (!real_malloc)
        return boot_alloc(n);
    if (inject(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    resolve();
    if (!real_calloc) {
        if (size && n > SIZE_MAX / size)
            return NULL;
        return boot_alloc(n * size); /* static storage: already zero */
    }
    if (inject(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    resolve();
    if (!real_realloc)
        return NULL;
    if (inject(__builtin_return_address(0))) {
        errno = ENOMEM;
        return NULL;
    }
    return real_realloc(p, n);
}

/* free() is glibc's (or the sanitizer's): boot memory is never freed by
 * anything but dlsym's error path, which does not happen here. */

static char *dup_for(const void *caller, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d;
    resolve();
    if (inject(caller) || !real_malloc) {
        errno = ENOMEM;
        return NULL;
    }
    d = real_malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = 0;
    return d;
}

char *strndup(const char *s, size_t n)
{
    return dup_for(__builtin_return_address(0), s, n);
}

char *strdup(const char *s)
{
    return dup_for(__builtin_return_address(0), s, SIZE_MAX);
}

/* ---- the driver ---- */

/* One operation: 0 on success with a digest of its result in out (compared
 * with the clean run), non-zero on error. */
typedef int (*op_fn)(struct buf *out);

/* lenient: a different result after a failed allocation is reported but
 * does not fail the test (a known bug waiting for its fix). */
static void torture_ex(const char *name, op_fn op, int lenient)
{
    struct buf clean = BUF_INIT, got = BUF_INIT;
    unsigned long total, k, errors = 0, same = 0;
    const char *only = getenv("TORTURE_ONLY");

    if (only && strcmp(only, name))
        SKIPPED("%s: TORTURE_ONLY=%s\n", name, only);

    armed = 1;
    count = 0;
    fail_at = 0;
    int rc = op(&clean);
    armed = 0;
    total = count;
    if (rc)
        fail_msg("%s: fails without injected failures", name);
    assert_true(total > 0);

    for (k = 1; k <= total; k++) {
        buf_reset(&got);
        failed = 0;
        count = 0;
        fail_at = k;
        armed = 1;
        rc = op(&got);
        armed = 0;
        fail_at = 0;
        if (rc) {
            errors++;
        } else {
            /* The failed allocation was optional: the result must not suffer. */
            if ((got.len != clean.len || memcmp(got.data, clean.data, got.len)) && lenient) {
                fprintf(stderr,
                        "torture %s: KNOWN BUG: allocation %lu of %lu failed, yet "
                        "success with a different result\n",
                        name, k, total);
                continue;
            }
            if (got.len != clean.len || memcmp(got.data, clean.data, got.len))
                fail_msg("%s: allocation %lu of %lu failed, yet success with a different "
                         "result:\n%s\n--- instead of ---\n%s",
                         name, k, total, got.data, clean.data);
            same++;
        }
    }
    if (getenv("TORTURE_VERBOSE"))
        fprintf(stderr, "torture %-16s %5lu allocations: %lu errors, %lu recovered\n", name, total,
                errors, same);
    buf_release(&clean);
    buf_release(&got);
}

static void torture(const char *name, op_fn op)
{
    torture_ex(name, op, 0);
}

static char fixtures[2048];
static char tmpdir[64];

/* ---- operations ---- */

static int csv_record(void *ud, const struct csvread_record *rec)
{
    struct buf *out = ud;
    for (size_t i = 0; i < rec->nfields; i++)
        if (buf_add(out, rec->fields[i], rec->lens[i]) || buf_addch(out, '|'))
            return -1;
    return buf_addch(out, '\n');
}

static int op_csvread(struct buf *out)
{
    static const char csv[] = "\xef\xbb\xbfnombre;correo;nota\r\n"
                              "Ana;ana@example.org;\"dijo \"\"hola\"\"\r\nen dos\"\r\n"
                              "Bego\xf1"
                              "a;bego@example.org;caf\xe9\r\n"; /* Windows-1252 */
    struct buf warnings;
    struct err err;
    buf_init(&warnings, 4096);
    err_init(&err);
    int rc = csvread_mem("t.csv", csv, sizeof csv - 1, NULL, csv_record, out, &warnings, &err);
    if (!rc)
        rc = buf_add(out, warnings.data, warnings.len);
    buf_release(&warnings);
    err_release(&err);
    return rc;
}

static int op_address(struct buf *out)
{
    static const char *const in[] = {"Ana.Pena@Example.COM", "maria@méxico.example",
                                     "jose@correo.mx", "x@xn--mxico-bsa.example"};
    struct address_result r;
    int rc = 0;
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        /* All four are valid: an allocation failure inside libidn2 may make
         * one invalid (refused, never passed through unconverted). */
        if (address_check(in[i], strlen(in[i]), &r) != 1)
            rc = -1;
        else if (buf_addstr(out, r.normalized) || buf_addch(out, '\n'))
            rc = -1;
    }
    return rc;
}

static int op_config(struct buf *out)
{
    char path[128];
    struct config c;
    struct err err;
    snprintf(path, sizeof path, "%s/t.env", tmpdir);
    err_init(&err);
    memset(&c, 0, sizeof c);
    int rc = config_load(&c, path, &err);
    for (int i = 0; !rc && i < CFG_COUNT; i++)
        rc = buf_addf(out, "%s=%s (%s)\n", config_settings[i].name,
                      config_get(&c, (enum config_id)i), c.origin[i]);
    config_release(&c);
    err_release(&err);
    return rc;
}

static int op_campaign(struct buf *out)
{
    char home[2200];
    struct campaign c;
    struct err err;
    snprintf(home, sizeof home, "%s/campaign-home", fixtures);
    err_init(&err);
    memset(&c, 0, sizeof c);
    int rc = campaign_load(home, "good", &c, &err);
    if (!rc)
        rc = buf_addf(out, "%s|%s|%s|%s|%zu", c.id, c.name, c.subject, c.from, c.nlists) ||
             value_to_json(c.defaults, out, 0);
    campaign_release(&c);
    err_release(&err);
    return rc;
}

/* senders.ini.example over the settings of t.env (loaded once, untortured). */
static struct config senders_cfg;

static int op_senders(struct buf *out)
{
    char path[2200];
    struct sender_profiles p;
    struct err err;
    size_t i;
    snprintf(path, sizeof path, "%s/../../senders.ini.example", fixtures);
    err_init(&err);
    int loaded = sender_profiles_load(&p, &senders_cfg, path, &err), rc = loaded;
    for (i = 0; !rc && i < p.n; i++)
        rc = buf_addf(out, "%s|%s|%s|%s|%s|%ld|%ld\n", p.v[i].name, p.v[i].from, p.v[i].smtp_url,
                      p.v[i].smtp_user, p.v[i].imap_url, p.v[i].rate_count, p.v[i].daily_limit);
    if (!loaded)
        sender_profiles_release(&p);
    err_release(&err);
    return rc;
}

static int op_template(struct buf *out)
{
    char path[2200], data[2200], partials[2200];
    struct err err;
    struct value *v = NULL;
    struct template *t = NULL;
    int rc = -1;
    snprintf(path, sizeof path, "%s/templates/boletin.html.mustache", fixtures);
    snprintf(data, sizeof data, "%s/templates/data/boletin.json", fixtures);
    snprintf(partials, sizeof partials, "%s/templates/partials", fixtures);
    err_init(&err);
    t = template_compile_file(path, partials, &err);
    if (!t)
        goto out;
    v = value_from_json_file(data, &err);
    if (!v)
        goto out;
    const struct value *stack[1] = {v};
    rc = template_render(t, stack, 1, out, NULL, NULL, &err);
out:
    value_free(v);
    template_free(t);
    err_release(&err);
    return rc;
}

static int op_template_mem(struct buf *out)
{
    static const char src[] = "{{! c }}{{#items}}<li>{{name}} {{{raw}}}</li>{{/items}}"
                              "{{^none}}vacío{{/none}}{{=<% %>=}}<%a.b%>";
    static const char json[] =
        "{\"items\":[{\"name\":\"<Ana>\",\"raw\":\"<b>\"},{\"name\":\"Luis\"}],"
        "\"a\":{\"b\":1.5}}";
    struct err err;
    struct value *v = NULL;
    struct template *t = NULL;
    int rc = -1;
    err_init(&err);
    t = template_compile(src, sizeof src - 1, "t", TEMPLATE_ESCAPE_HTML, NULL, &err);
    if (!t)
        goto out;
    v = value_from_json(json, sizeof json - 1, "t.json", &err);
    if (!v)
        goto out;
    const struct value *stack[1] = {v};
    rc = template_render(t, stack, 1, out, NULL, NULL, &err);
out:
    value_free(v);
    template_free(t);
    err_release(&err);
    return rc;
}

static int op_json(struct buf *out)
{
    static const char json[] = "{\"a\":[1,2.5,\"tres\",null,true,{\"b\":\"\\u00e9\"}],\"c\":{}}";
    struct err err;
    err_init(&err);
    struct value *v = value_from_json(json, sizeof json - 1, "t.json", &err);
    int rc = v ? value_to_json(v, out, 1) : -1;
    value_free(v);
    err_release(&err);
    return rc;
}

static int op_markdown(struct buf *out)
{
    static const char md[] = "# Corazón Chilango\n\nHola, *mundo*: visita "
                             "[el sitio](https://iecm.example.org) y <b>esto</b>.\n\n"
                             "- uno\n- dos\n\n> cita\n";
    struct err err;
    err_init(&err);
    struct value *v = content_markdown(md, sizeof md - 1, "t.md", 0, &err);
    int rc = v ? value_to_json(v, out, 0) : -1;
    value_free(v);
    err_release(&err);
    return rc;
}

static int op_digest_csv(struct buf *out)
{
    static const char csv[] =
        "fecha,título,fuente,enlace,resumen,región\n"
        "2026-11-16,Uno,El Universal,https://x.example/1,\"Dice, \"\"algo\"\"\",Norteamérica\n"
        "2026-11-17,Dos,Reforma,https://x.example/2,Nada,\n";
    struct err err;
    err_init(&err);
    struct value *v = content_digest_csv(csv, sizeof csv - 1, "t.csv", &err);
    int rc = v ? value_to_json(v, out, 0) : -1;
    value_free(v);
    err_release(&err);
    return rc;
}

static int op_digest_json(struct buf *out)
{
    static const char json[] =
        "{\"items\":[{\"date\":\"2026-11-16\",\"title\":\"Uno\",\"source\":\"S\","
        "\"url\":\"https://x.example/1\",\"summary\":\"R\",\"region\":\"Europa\"},"
        "{\"date\":\"2026-11-17\",\"title\":\"Dos\",\"source\":\"S\","
        "\"url\":\"https://x.example/2\",\"summary\":\"R\"}]}";
    struct err err;
    err_init(&err);
    struct value *v = content_digest_json(json, sizeof json - 1, "t.json", &err);
    int rc = v ? value_to_json(v, out, 0) : -1;
    value_free(v);
    err_release(&err);
    return rc;
}

static int op_rfc2047(struct buf *out)
{
    static const char s[] = "Corazón Chilango: ¿ya te registraste? 🗳️ \r\nBcc: x \xff";
    static const char enc[] = "=?UTF-8?Q?Coraz=C3=B3n?= =?ISO-8859-1?Q?Pe=F1a?= =?UTF-8?B?w6E=?=";
    return rfc2047_encode_text(out, s, sizeof s - 1, 9) || buf_addch(out, '\n') ||
           rfc2047_encode_phrase(out, s, sizeof s - 1, 6) || buf_addch(out, '\n') ||
           rfc2047_encode_param(out, s, sizeof s - 1) || buf_addch(out, '\n') ||
           rfc2047_decode(out, enc, sizeof enc - 1);
}

static int op_message(struct buf *out)
{
    char logo[2200], pdf[2200];
    struct err err;
    snprintf(logo, sizeof logo, "%s/messages/logo.png", fixtures);
    snprintf(pdf, sizeof pdf, "%s/messages/boletin.pdf", fixtures);
    struct message_file inl[1] = {
        {.path = logo, .filename = "logo.png", .content_id = "logo@votochilango.example.org"}};
    struct message_file att[1] = {{.path = pdf, .filename = "Boletín de noviembre.pdf"}};
    struct message_spec m = {
        .from_name = "Voto Chilango — IECM",
        .from_address = "votochilango@iecm.example.org",
        .to_name = "Ana María Peña",
        .to_address = "ana.pena@example.com",
        .reply_to = "respuestas@iecm.example.org",
        .subject = "Corazón Chilango de noviembre",
        .text = "Hola, Ana María:\n\nEste mes...\n",
        .text_len = 31,
        .html = "<p>Hola, Ana María</p><img src=\"cid:logo@votochilango.example.org\">\n",
        .message_id = "m7.0123456789abcdef@iecm.example.org",
        .date = 1763769600,
        .list_id = "Corazón Chilango <corazon-chilango.iecm.example.org>",
        .unsubscribe_mailto = "bajas@iecm.example.org",
        .unsubscribe_url = "https://iecm.example.org/baja?t=0123456789abcdef",
        .inline_files = inl,
        .ninline = 1,
        .attachments = att,
        .nattachments = 1,
        .boundary_seed = "torture",
    };
    m.html_len = strlen(m.html);
    err_init(&err);
    int rc = message_build(&m, out, &err);
    err_release(&err);
    return rc;
}

static void test_csvread(void **s)
{
    (void)s;
    torture("csvread", op_csvread);
}
static void test_address(void **s)
{
    (void)s;
    torture("address", op_address);
}
/* config.c (a shared file) drops characters of a value when an allocation
 * fails in parse_value, and load_env_file can lose a line's error when
 * err_set cannot allocate: the fix is in the hardening report; until it is
 * applied this case checks no crash and no leak only. */
static void test_config(void **s)
{
    (void)s;
    torture_ex("config", op_config, 0);
}
static void test_campaign(void **s)
{
    (void)s;
    torture("campaign", op_campaign);
}
static void test_senders(void **s)
{
    struct err err;
    char path[128];

    (void)s;
    snprintf(path, sizeof path, "%s/t.env", tmpdir);
    err_init(&err);
    if (config_load(&senders_cfg, path, &err))
        fail_msg("%s", err.msg.data);
    err_release(&err);
    torture("senders", op_senders);
    config_release(&senders_cfg);
}
static void test_template_file(void **s)
{
    (void)s;
    torture("template_file", op_template);
}
static void test_template_mem(void **s)
{
    (void)s;
    torture("template_mem", op_template_mem);
}
static void test_json(void **s)
{
    (void)s;
    torture("value_from_json", op_json);
}
static void test_markdown(void **s)
{
    (void)s;
    torture("content_markdown", op_markdown);
}
static void test_digest_csv(void **s)
{
    (void)s;
    torture("digest_csv", op_digest_csv);
}
static void test_digest_json(void **s)
{
    (void)s;
    torture("digest_json", op_digest_json);
}
static void test_rfc2047(void **s)
{
    (void)s;
    torture("rfc2047", op_rfc2047);
}
static void test_message(void **s)
{
    (void)s;
    torture("message_build", op_message);
}

int main(void)
{
    const char *f = getenv("FIXTURES");
    char path[128];
    FILE *fp;

    snprintf(fixtures, sizeof fixtures, "%s", f ? f : "tests/fixtures");
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_torture-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    for (int i = 0; i < CFG_COUNT; i++)
        unsetenv(config_settings[i].name);
    snprintf(path, sizeof path, "%s/t.env", tmpdir);
    fp = fopen(path, "w");
    if (!fp)
        return 1;
    fputs("# .env\nexport SMTP_URL=\"smtp://127.0.0.1:2525\"\nSMTP_TLS=none\n"
          "SMTP_RATE=30/min # comment\nMAIL_FROM='Voto <v@x.mx>'\nSMTP_USER=ana\n",
          fp);
    fclose(fp);
    chmod(path, 0600);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csvread),      cmocka_unit_test(test_address),
        cmocka_unit_test(test_config),       cmocka_unit_test(test_campaign),
        cmocka_unit_test(test_senders),      cmocka_unit_test(test_template_file),
        cmocka_unit_test(test_template_mem), cmocka_unit_test(test_json),
        cmocka_unit_test(test_markdown),     cmocka_unit_test(test_digest_csv),
        cmocka_unit_test(test_digest_json),  cmocka_unit_test(test_rfc2047),
        cmocka_unit_test(test_message),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(path);
    rmdir(tmpdir);
    return skipped_exit(rc);
}
