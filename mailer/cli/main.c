/* main - parse global options, load the configuration, dispatch a command. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

#include "banned.h"

typedef int cmd_fn(int argc, char **argv, struct cli *cli);

/* A command whose file is not built yet links as NULL. */
#define COMMAND(name) extern cmd_fn cmd_##name __attribute__((weak));
COMMAND(campaigns)
COMMAND(check)
COMMAND(preview)
COMMAND(send)
COMMAND(due)
COMMAND(unschedule)
COMMAND(status)
COMMAND(report)
COMMAND(contacts)
COMMAND(address)
COMMAND(template)
COMMAND(bounces)
COMMAND(suppress)
COMMAND(config)
#undef COMMAND

static const struct command {
    const char *name;
    cmd_fn *fn;
    const char *summary;
} commands[] = {
    {"campaigns", cmd_campaigns, "list the campaigns and their schedule"},
    {"check", cmd_check, "pre-flight a campaign: files, audience, template variables"},
    {"preview", cmd_preview, "write the exact message one contact would get"},
    {"send", cmd_send, "send (or resume) an edition of a campaign"},
    {"due", cmd_due, "send every scheduled edition whose time has come"},
    {"unschedule", cmd_unschedule, "take back a scheduled edition"},
    {"status", cmd_status, "deliveries of a mailing: sent, pending, deferred, failed, uncertain"},
    {"report", cmd_report, "the quarterly report of what was delivered"},
    {"contacts", cmd_contacts, "show or check a contact list (CSV)"},
    {"address", cmd_address, "check e-mail addresses"},
    {"template", cmd_template, "render a Mustache template with JSON data"},
    {"bounces", cmd_bounces, "read the bounce mailbox, or classify returned messages"},
    {"suppress", cmd_suppress, "add, remove or list suppressed addresses"},
    {"config", cmd_config, "show the settings in effect and where each comes from"},
};

static void usage(FILE *to)
{
    size_t i;

    fprintf(to, "usage: mailer [--env FILE] [--db PATH] [-q] [-v] COMMAND [ARGS]\n\n"
                "Commands:\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].fn)
            fprintf(to, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(to, "\nSettings come from flags, the environment, .env and built-in defaults\n"
                "(see .env.example). Exit codes follow sysexits.h.\n");
}

static const struct command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"env", required_argument, NULL, 'e'}, {"db", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},     {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
    };
    struct cli cli = {0};
    const struct command *cmd;
    struct err err;
    int c, rc, first;

    /* "+": stop at the command name; its options are its own. */
    while ((c = getopt_long(argc, argv, "+qvh", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            cli.env_file = optarg;
            break;
        case 'd':
            cli.db_path = optarg;
            break;
        case 'q':
            cli.quiet = 1;
            break;
        case 'v':
            cli.verbose++;
            break;
        case 'h':
            usage(stdout);
            return EX_OK;
        default:
            usage(stderr);
            return EX_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EX_USAGE;
    }
    cmd = find_command(argv[optind]);
    if (!cmd || !cmd->fn)
        return cli_usage(argv[optind], cmd ? "not available in this build" : "unknown command");

    err_init(&err);
    if (config_load(&cli.config, cli.env_file, &err) ||
        (cli.db_path && config_set(&cli.config, CFG_MAILER_DB, cli.db_path, "flag", &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    first = optind;
    optind = 0; /* glibc: 0 re-initialises getopt for the command's own options */
    rc = cmd->fn(argc - first, argv + first, &cli);
out:
    config_release(&cli.config);
    err_release(&err);
    return rc;
}
