/* fuzz_campaign - a hostile campaigns/f.ini through campaign_load, in a
 * temporary mailer home that has a list and a template. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "campaign.h"
#include "err.h"
#include "fuzz.h"

#include "banned.h"

static char home[128];

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", home, rel);
    fuzz_write(path, (const uint8_t *)text, strlen(text));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[256];
    snprintf(home, sizeof home, "%s", fuzz_tmpdir());
    static const char *const dirs[] = {"campaigns", "contacts", "templates", "content"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(path, sizeof path, "%s/%s", home, dirs[i]);
        mkdir(path, 0700);
    }
    put("contacts/diaspora.csv", "email,nombre\nana@example.com,Ana\n");
    put("templates/good.html.mustache", "<p>Hola, {{nombre}}</p>\n");
    put("templates/good.txt.mustache", "Hola, {{nombre}}\n");
    put("content/2026-11.md", "# Hola\n");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char path[256];
    struct campaign c;
    struct err err;
    struct edition e;

    snprintf(path, sizeof path, "%s/campaigns/f.ini", home);
    fuzz_write(path, data, len);
    err_init(&err);
    memset(&c, 0, sizeof c);
    int rc = campaign_load(home, "f", &c, &err);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    if (rc == 0) {
        struct buf p = BUF_INIT;
        memset(&e, 0, sizeof e);
        if (campaign_edition(&c, NULL, (time_t)1763769600, &e, &err) == 0) {
            campaign_apply_edition(&c, e.name);
            /* it builds a path, and can fail only for want of memory */
            FUZZ_ASSERT(campaign_content_path(&c, &e, &p) == 0 || errno == ENOMEM);
        }
        buf_release(&p);
    } else {
        FUZZ_ASSERT(err.msg.len > 0);
    }
    campaign_release(&c);
    err_release(&err);
    return 0;
}
