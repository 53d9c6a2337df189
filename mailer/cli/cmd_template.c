/* cmd_template - mailer template render TEMPLATE [--data FILE.json] [--partials DIR]
 *
 * Renders one template file with JSON data to stdout, so staff can try a
 * template and tests can check the engine end to end. Variables that
 * resolve to nothing are listed on stderr (once each); --strict makes them
 * an error (exit 65).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "i18n.h"
#include "template.h"
#include "value.h"

#include "banned.h"

#define RENDER_CAP (64u << 20)

struct missing {
    struct buf names; /* "\n"-separated, each once */
    size_t count;
    int full; /* a name could not be kept: out of memory */
};

static void note_missing(void *ud, const char *name)
{
    struct missing *m = ud;
    size_t n = strlen(name);
    const char *p = m->names.data;

    while ((p = strstr(p, name)) != NULL) {
        if ((p == m->names.data || p[-1] == '\n') && p[n] == '\n')
            return;
        p += n;
    }
    if (buf_addstr(&m->names, name) || buf_addch(&m->names, '\n'))
        m->full = 1;
    m->count++;
}

static int report_missing(const char *path, const struct missing *m, int strict, int quiet)
{
    const char *p = m->names.data, *nl;

    if (m->count == 0 || (quiet && !strict))
        return EX_OK;
    for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
        fprintf(stderr, _("mailer: %s: %s: \"%.*s\" has no value in the data\n"), path,
                strict ? _("error") : _("warning"), (int)(nl - p), p);
    return strict ? EX_DATAERR : EX_OK;
}

static int render(const char *path, const char *data_path, const char *partials, int strict,
                  int quiet)
{
    struct template *t = NULL;
    struct value *data = NULL;
    struct missing m = {BUF_INIT, 0, 0};
    struct buf out = BUF_INIT;
    struct err err;
    const struct value *stack[1];
    int rc;

    err_init(&err);
    buf_init(&out, RENDER_CAP);
    data = data_path ? value_from_json_file(data_path, &err) : value_new_map();
    if (!data) {
        if (!data_path)
            err_nomem(&err);
        rc = cli_fail(&err);
        goto out;
    }
    t = template_compile_file(path, partials, &err);
    if (!t) {
        rc = cli_fail(&err);
        goto out;
    }
    stack[0] = data;
    if (template_render(t, stack, 1, &out, note_missing, &m, &err) || (m.full && err_nomem(&err))) {
        rc = cli_fail(&err);
        goto out;
    }
    rc = report_missing(path, &m, strict, quiet);
    if (rc == EX_OK && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout))) {
        perror("mailer: stdout");
        rc = EX_IOERR;
    }
out:
    template_free(t);
    value_free(data);
    buf_release(&out);
    buf_release(&m.names);
    err_release(&err);
    return rc;
}

int cmd_template(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"partials", required_argument, NULL, 'p'},
        {"strict", no_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *partials = NULL;
    int c, strict = 0;

    if (argc < 2 || strcmp(argv[1], "render") != 0)
        return cli_usage("template", _("usage: mailer template render TEMPLATE [--data FILE.json] "
                                       "[--partials DIR] [--strict]"));
    argc--;
    argv++;
    while ((c = cli_getopt(argc, argv, "d:p:s", opts)) != -1) {
        switch (c) {
        case 'd':
            data = optarg;
            break;
        case 'p':
            partials = optarg;
            break;
        case 's':
            strict = 1;
            break;
        default:
            return cli_usage("template render", _("unknown option"));
        }
    }
    if (optind != argc - 1)
        return cli_usage("template render", _("want exactly one TEMPLATE file"));
    return render(argv[optind], data, partials, strict, cli->quiet);
}
