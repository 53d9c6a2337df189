/* cmd_address - mailer address check ADDR... [--format text|json]
 *
 * Exit 0 when every address is a usable envelope address, 65 otherwise.
 * JSON (stable): [{"input": "...", "valid": true|false, "reason": null |
 * "...", "normalized": "..." | null, "hint": "..." (only when there is one),
 * "warning": "..." (valid but changed, e.g. a mailto: prefix removed)}]
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "address.h"
#include "cli.h"
#include "i18n.h"
#include "value.h"

#include "banned.h"

static struct value *result_json(const char *input, const struct address_result *r)
{
    struct value *o = value_new_map();

    if (!o)
        return NULL;
    if (value_map_set_string(o, "input", input) ||
        value_map_set(o, "valid", value_new_bool(r->valid)) ||
        value_map_set(o, "reason", r->valid ? value_new_null() : value_new_cstring(r->reason)) ||
        value_map_set(o, "normalized",
                      r->valid ? value_new_cstring(r->normalized) : value_new_null()) ||
        (r->hint[0] && value_map_set_string(o, "hint", r->hint)) ||
        (r->warning && value_map_set_string(o, "warning", r->warning))) {
        value_free(o);
        return NULL;
    }
    return o;
}

static void print_text(const char *input, const struct address_result *r)
{
    if (r->valid)
        printf(_("valid    %s"), r->normalized);
    else
        printf(_("invalid  \"%s\": %s"), input, _(r->reason));
    if (r->hint[0])
        printf(_(" (did you mean %s?)"), r->hint);
    if (r->warning)
        printf(" (%s)", _(r->warning));
    printf("\n");
}

static int address_check_cmd(int argc, char **argv, int json)
{
    struct value *list = value_new_list();
    struct address_result r;
    struct buf out = BUF_INIT;
    int i, all_valid = 1, rc = EX_SOFTWARE;

    if (!list)
        goto out;
    for (i = 0; i < argc; i++) {
        address_check(argv[i], strlen(argv[i]), &r);
        all_valid &= r.valid;
        if (!json)
            print_text(argv[i], &r);
        else if (value_list_append(list, result_json(argv[i], &r)))
            goto out;
    }
    if (json) {
        if (value_to_json(list, &out, 1))
            goto out;
        printf("%s\n", out.data);
    }
    rc = all_valid ? EX_OK : EX_DATAERR;
out:
    if (rc == EX_SOFTWARE)
        fprintf(stderr, _("mailer address: out of memory\n"));
    value_free(list);
    buf_release(&out);
    return rc;
}

int cmd_address(int argc, char **argv, struct cli *cli)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {NULL, 0, NULL, 0},
    };
    int c, json = 0;

    (void)cli;
    while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
        switch (c) {
        case 'f':
            if ((c = cli_parse_enum("address", "--format", optarg, cli_text_json, &json)))
                return c;
            break;
        default:
            return cli_usage("address", _("usage: address check ADDR... [--format text|json]"));
        }
    }
    if (optind >= argc || strcmp(argv[optind], "check"))
        return cli_usage("address", _("usage: address check ADDR... [--format text|json]"));
    if (optind + 1 >= argc)
        return cli_usage("address", _("check: give at least one address"));
    return address_check_cmd(argc - optind - 1, argv + optind + 1, json);
}
