/* fuzz_senders - a hostile senders.ini through sender_profiles_load (read
 * from a temporary file, as the mailer reads it), over fixed .env settings. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "err.h"
#include "fuzz.h"
#include "sender.h"

#include "banned.h"

static struct config settings;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct err err;

    (void)argc;
    (void)argv;
    /* Only the files count: no setting from the environment. */
    for (int i = 0; i < CFG_COUNT; i++)
        unsetenv(config_settings[i].name);
    err_init(&err);
    if (config_load(&settings, "/dev/null", &err))
        abort();
    err_release(&err);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct sender_profiles p = {0};
    char path[128];
    struct err err;
    size_t i;

    snprintf(path, sizeof path, "%s/senders.ini", fuzz_tmpdir());
    fuzz_write(path, data, len);
    chmod(path, 0600);
    err_init(&err);
    int rc = sender_profiles_load(&p, &settings, path, &err);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT(rc == 0 || (err.msg.len > 0 && p.n == 0 && !p.v));
    if (rc == 0) {
        FUZZ_ASSERT(p.n >= 1 && !strcmp(p.v[0].name, "default"));
        for (i = 1; i < p.n; i++) {
            /* a profile has its own server and From, and a valid name */
            FUZZ_ASSERT(*p.v[i].smtp_url && *p.v[i].from && sender_name_ok(p.v[i].name));
            FUZZ_ASSERT(sender_profiles_find(&p, p.v[i].name) == &p.v[i]);
        }
    }
    sender_profiles_release(&p);
    err_release(&err);
    return 0;
}
