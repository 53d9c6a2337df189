/* audience - load a campaign's audience for check and preview. */
#include "audience.h"

#include <stdlib.h>

#include "buf.h"

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
