/* events - who did what to the ledger, for accountability (issue 18). */
#include "events.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "campaign.h"
#include "clock.h"
#include "value.h"

#include "banned.h"

static const char *operator_flag;

void events_set_operator(const char *name)
{
    operator_flag = name && *name ? name : NULL;
}

const char *events_os_user(void)
{
    static char name[128];
    struct passwd pw, *found = NULL;
    char scratch[1024];
    const char *env;

    if (*name)
        return name;
    if (!getpwuid_r(geteuid(), &pw, scratch, sizeof(scratch), &found) && found && found->pw_name)
        snprintf(name, sizeof(name), "%s", found->pw_name);
    else if ((env = getenv("USER")) && *env)
        snprintf(name, sizeof(name), "%s", env);
    else
        snprintf(name, sizeof(name), "uid %ld", (long)geteuid());
    return name;
}

const char *events_operator(void)
{
    const char *env = getenv("MAILER_OPERATOR");

    if (operator_flag)
        return operator_flag;
    if (env && *env)
        return env;
    return events_os_user();
}

const char *events_host(void)
{
    static char host[256];

    if (!*host && gethostname(host, sizeof(host) - 1))
        snprintf(host, sizeof(host), "?");
    return host;
}

int events_record(struct ledger *l, const char *what, const char *campaign, const char *edition,
                  const char *detail, struct err *err)
{
    struct ledger_event e;

    memset(&e, 0, sizeof(e));
    e.who = events_operator();
    e.os_user = events_os_user();
    e.host = events_host();
    e.what = what;
    e.campaign = campaign;
    e.edition = edition;
    e.detail = detail;
    return ledger_event_add(l, &e, err);
}

int events_json(struct buf *out, const struct ledger_event *e)
{
    char at[32];

    clock_iso(e->at, at, sizeof(at));
    return buf_addf(out, "{\"at\": \"%s\", \"who\": ", at) || value_json_quote(out, e->who) ||
                   buf_addstr(out, ", \"os_user\": ") || value_json_quote(out, e->os_user) ||
                   buf_addstr(out, ", \"host\": ") || value_json_quote(out, e->host) ||
                   buf_addstr(out, ", \"what\": ") || value_json_quote(out, e->what) ||
                   buf_addstr(out, ", \"campaign\": ") || value_json_quote(out, e->campaign) ||
                   buf_addstr(out, ", \"edition\": ") || value_json_quote(out, e->edition) ||
                   buf_addstr(out, ", \"detail\": ") || value_json_quote(out, e->detail) ||
                   buf_addch(out, '}')
               ? -1
               : 0;
}
