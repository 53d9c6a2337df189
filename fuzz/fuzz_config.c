/* fuzz_config - a hostile .env file through config_load (read from a
 * temporary file: config has no in-memory loader). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "fuzz.h"

#include "banned.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Only the file counts: no setting from the environment. */
    for (int i = 0; i < CFG_COUNT; i++)
        unsetenv(config_settings[i].name);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    char path[128];
    struct config c;
    struct err err;

    snprintf(path, sizeof path, "%s/fuzz.env", fuzz_tmpdir());
    fuzz_write(path, data, len);
    err_init(&err);
    memset(&c, 0, sizeof c);
    int rc = config_load(&c, path, &err);
    FUZZ_ASSERT(rc == 0 || rc == -1);
    FUZZ_ASSERT(rc == 0 || err.msg.len > 0);
    if (rc == 0)
        for (int i = 0; i < CFG_COUNT; i++)
            FUZZ_ASSERT(config_get(&c, (enum config_id)i) != NULL);
    config_release(&c);
    err_release(&err);
    return 0;
}
