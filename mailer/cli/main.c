/* main - parse global options, load the configuration, dispatch a command. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "events.h"
#include "help.h"
#include "i18n.h"

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
COMMAND(retry)
COMMAND(status)
COMMAND(report)
COMMAND(contacts)
COMMAND(address)
COMMAND(template)
COMMAND(bounces)
COMMAND(suppress)
COMMAND(config)
COMMAND(log)
COMMAND(history)
COMMAND(mailing)
COMMAND(backup)
COMMAND(serve)
#undef COMMAND

static const struct command {
    const char *name;
    cmd_fn *fn;
} commands[] = {
    {"campaigns", cmd_campaigns}, {"check", cmd_check},       {"preview", cmd_preview},
    {"send", cmd_send},           {"due", cmd_due},           {"unschedule", cmd_unschedule},
    {"status", cmd_status},       {"report", cmd_report},     {"contacts", cmd_contacts},
    {"address", cmd_address},     {"template", cmd_template}, {"bounces", cmd_bounces},
    {"suppress", cmd_suppress},   {"config", cmd_config},     {"log", cmd_log},
    {"history", cmd_history},     {"mailing", cmd_mailing},   {"backup", cmd_backup},
    {"serve", cmd_serve},         {"retry", cmd_retry},
};

static const struct command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int available(const char *name)
{
    const struct command *c = find_command(name);

    return c && c->fn;
}

/* mailer help [COMMAND | --man | --commands] */
static int help(int argc, char **argv)
{
    if (argc < 2) {
        help_general(stdout, available);
        return EX_OK;
    }
    if (!strcmp(argv[1], "--man")) {
        help_man(stdout, available);
        return EX_OK;
    }
    if (!strcmp(argv[1], "--check-catalogue")) /* for the tests */
        return i18n_check_catalogue(stdout) ? EX_SOFTWARE : EX_OK;
    if (!strcmp(argv[1], "--commands")) {
        help_names(stdout, available);
        return EX_OK;
    }
    if (help_command(stdout, argv[1]))
        return cli_usage("help", _("\"%s\" is not a command; 'mailer help' lists them"), argv[1]);
    return EX_OK;
}

/* COMMAND ... --help anywhere before "--": the command's help. */
static int wants_help(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"env", required_argument, NULL, 'e'},
        {"db", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"por", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    struct cli cli = {0};
    const struct command *cmd;
    struct err err;
    int c, rc, first;

    if (i18n_init())
        return cli_fail_nomem();
    cli_clock_from_env();

    /* "+": stop at the command name; its options are its own. */
    while ((c = cli_getopt(argc, argv, "+qvh", opts)) != -1) {
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
        case 'p': /* who is doing this, for the events (events.h) */
            events_set_operator(optarg);
            break;
        case 'h':
            help_general(stdout, available);
            return EX_OK;
        default:
            fputs(_("(try 'mailer --help')\n"), stderr);
            return EX_USAGE;
        }
    }
    if (optind >= argc) {
        help_general(stderr, available);
        return EX_USAGE;
    }
    if (!strcmp(argv[optind], "help"))
        return help(argc - optind, argv + optind);
    cmd = find_command(argv[optind]);
    if (!cmd || !cmd->fn) {
        fprintf(stderr,
                cmd ? _("mailer: '%s' is not available in this build\n")
                    : _("mailer: '%s' is not a command; 'mailer --help' lists them\n"),
                argv[optind]);
        return EX_USAGE;
    }
    if (wants_help(argc - optind, argv + optind)) {
        help_command(stdout, cmd->name);
        return EX_OK;
    }

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
