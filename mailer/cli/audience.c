/* audience - load a campaign's audience for check and preview. */
#include "audience.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "i18n.h"

#include "banned.h"

static int suppressed(void *ud, const char *address, const char **reason)
{
    static char why[64];

    *reason = why;
    return ledger_suppressed(ud, address, why, sizeof(why), NULL);
}

int audience_spec_init(struct audience_spec *spec, const struct campaign *c, struct ledger *l)
{
    char **paths = calloc(c->nlists ? c->nlists : 1, sizeof(*paths));
    size_t i;

    spec->lists = (const char *const *)paths;
    spec->nlists = c->nlists;
    spec->filter = c->filter;
    spec->suppressed = l ? suppressed : NULL;
    spec->suppressed_ud = l;
    spec->force = 0;
    spec->list_opts = c->list_opts; /* contacts/NAME.ini, [list NAME] */
    if (!paths)
        return -1;
    for (i = 0; i < c->nlists; i++) {
        struct buf p = BUF_INIT;
        if (campaign_list_path(c, i, &p))
            return -1;
        paths[i] = buf_detach(&p, NULL);
    }
    return 0;
}

void audience_spec_release(struct audience_spec *spec)
{
    size_t i;

    for (i = 0; spec->lists && i < spec->nlists; i++)
        free((char *)spec->lists[i]);
    free((void *)spec->lists);
    spec->lists = NULL;
}

static const char *delim_shown(int d)
{
    return d == ';' ? "';'" : d == '\t' ? "tab" : d == ',' ? "','" : "?";
}

/* The header (as written) of the column whose variable is key, or NULL. */
static const char *header_of(const struct contacts_list_info *info, const char *key)
{
    size_t i;

    for (i = 0; i < info->ncols; i++)
        if (!strcmp(info->keys[i], key))
            return info->headers[i];
    return NULL;
}

static void print_name_columns(const struct contacts_list_info *info)
{
    size_t i;

    for (i = 0; i < 3 && info->name_columns[i]; i++) {
        fputs(i ? " + " : "", stdout);
        printf(_("\"%s\""), info->name_columns[i]);
    }
}

void audience_print_list(const struct contacts_list_info *info)
{
    const char *own = header_of(info, "nombre");
    size_t i;

    /* «Nombre» alone is both {{nombre}} and the name in To: said once */
    if (own && info->name_columns[0] && !info->name_columns[1] &&
        !strcmp(info->name_columns[0], own))
        own = NULL;

    printf(_("%s: delimiter %s, address column \"%s\""), info->file, delim_shown(info->delim),
           info->address_column);
    /* {{nombre}} is the list's own «Nombre» column when it has one, else
     * the name made of the name columns (contacts.h) */
    if (own) {
        printf(_("; {{nombre}}: the column \"%s\""), own);
        if (info->name_columns[0]) {
            printf(_("; name in To: "));
            print_name_columns(info);
        }
    } else if (info->name_columns[0]) {
        printf(_("; {{nombre}} and the name in To: "));
        print_name_columns(info);
    } else {
        printf(_("; no name column ({{nombre}} from [defaults])"));
    }
    printf(_("; variables:"));
    for (i = 0; i < info->ncols; i++)
        printf(" %s", info->keys[i]);
    printf("%s%s\n", header_of(info, "email") ? "" : " email",
           header_of(info, "nombre") ? "" : " nombre");
    for (i = 0; i < info->ncols; i++)
        if (compose_is_reserved(info->keys[i]))
            printf(_("  warning: %s: the column \"%s\" hides {{%s}}, which the mailer fills "
                     "itself (see 'mailer help template'): rename the column\n"),
                   info->file, info->headers[i], info->keys[i]);
}
