/* help - the one source of the help text (see help.h). */
#include "help.h"

#include <string.h>
#include <time.h>

#include "i18n.h"

#include "banned.h"

struct help_entry {
    const char *name;
    const char *usage;    /* one or more lines, without "mailer " */
    const char *summary;  /* one line */
    const char *text;     /* what it does, its options */
    const char *examples; /* command lines, "# comment" lines explain */
};

static const struct help_entry entries[] = {
    {"campaigns",
     N_("campaigns list\n"
        "campaigns new NAME --kind K --list L [--sender S] [--edition E]\n"
        "              [--date 'YYYY-MM-DD HH:MM']"),
     N_("list the campaigns and their schedule; start a new one"),
     N_("'list' shows every campaigns/NAME.ini of the mailer home: its kind, cadence, lists, the\n"
        "last edition sent (by hand, or by its schedule) and the next one due, or that it is\n"
        "paused (paused = yes in its file: 'mailer due' leaves its schedule alone). A campaign\n"
        "with problems is listed with a hint to run 'mailer check'.\n"
        "'new' writes a campaign ready to check: campaigns/NAME.ini (commented), its templates\n"
        "templates/NAME.html.mustache and .txt.mustache on the partials, and the content file\n"
        "of its edition, campaigns/NAME/main.md. One campaign may hold many one-off mailings,\n"
        "each an [edition NAME] section with its own subject, report title and date: 'new'\n"
        "with the name of an existing campaign and --edition adds one (its section and its\n"
        "content file). Nothing existing is overwritten.\n"
        "  --kind K      bulletin, convocatoria, podcast, invitation or digest\n"
        "  --list L      the contact list(s), contacts/L.csv\n"
        "  --sender S    its sender, a [remitente S] of senders.ini (default: the one of .env)\n"
        "  --edition E   the edition (default main); --date when 'mailer due' sends it"),
     N_("mailer campaigns list\n"
        "mailer campaigns new avisos-2027 --kind invitation --list diaspora --sender diaspora\n"
        "mailer campaigns new avisos-2027 --edition cierre-registro --date '2027-01-20 10:00'")},
    {"check", N_("check CAMPAIGN [--edition E] [--force]"),
     N_("pre-flight a campaign: files, audience, template variables"),
     N_("Reads the campaign file, its content, templates and contact lists, and renders every\n"
        "message without sending anything. Reports every problem at once with the file and\n"
        "line to fix, for every list, and says how each list is read (address column, what\n"
        "{{nombre}} is). An empty cell counts as missing unless [defaults] fills it. Warns of a\n"
        "[defaults] key or a column named like a variable the mailer fills itself ('mailer help\n"
        "template'). Says the sender the campaign leaves from (its 'sender =', a profile of\n"
        "senders.ini, or the one of .env) and whether each of its passwords can be had: written\n"
        "in a private file, or a command that is there (not run). Exit 0 when the edition can\n"
        "be sent, 65 when it cannot, 78 when its sender is not defined or the command of its\n"
        "password is not there.\n"
        "  --edition E   the edition to check (default: the current one)\n"
        "  --force       take a list with over 10 % invalid addresses, as 'send --force' would"),
     N_("mailer check corazon-chilango\n"
        "mailer check corazon-chilango --edition 2026-11")},
    {"preview",
     N_("preview CAMPAIGN [--edition E] [--to ADDR | --row N] [--eml FILE] [--html FILE]"),
     N_("write the exact message one contact would get"),
     N_("Writes the message one contact of the audience would receive, byte for byte, to\n"
        "standard output or to a file; nothing is sent or recorded.\n"
        "  --to ADDR     the contact with this address\n"
        "  --row N       the N-th recipient of the audience (default 1): invalid, repeated,\n"
        "                filtered and suppressed rows are not counted, so it is not the line\n"
        "                of the file; the file and line of the contact chosen are said\n"
        "  --eml FILE    write the message here (open it with your mail program)\n"
        "  --html FILE   also write the HTML part as a page for a web browser"),
     N_("mailer preview corazon-chilango --row 1 --eml /tmp/uno.eml --html /tmp/uno.html")},
    {"send",
     N_("send CAMPAIGN [--edition E] [--dry-run --out DIR] [--limit N]\n"
        "     [--test-to ADDR,... [--row N]] [--concurrency N] [--resend-uncertain]\n"
        "     [--force] [--at 'YYYY-MM-DD HH:MM']"),
     N_("send (or resume) an edition of a campaign"),
     N_("Sends an edition to its audience. The first run freezes the audience; every delivery\n"
        "is recorded, so running the same command again only continues what is missing and an\n"
        "edition is never sent twice.\n"
        "  --edition E         the edition (default: the current one)\n"
        "  --test-to ADDR,...  send a test copy, marked [PRUEBA], to these addresses only\n"
        "  --row N             with --test-to: the data of the N-th recipient (as preview\n"
        "                      counts them: not the line of the file)\n"
        "  --dry-run --out DIR write one .eml per recipient into DIR; nothing is sent\n"
        "  --limit N           send at most N messages in this run\n"
        "  --concurrency N     SMTP connections at once (default SMTP_CONCURRENCY)\n"
        "  --resend-uncertain  send again the messages interrupted in mid-delivery\n"
        "  --force             send even if a list has many invalid addresses\n"
        "  --at 'DATE TIME'    schedule the edition (Mexico City time); 'mailer due' sends it\n"
        "Exit 75 means: try again later (deferred messages, daily limit, interrupted)."),
     N_("mailer send corazon-chilango --test-to yo@iecm.example\n"
        "mailer send corazon-chilango --dry-run --out /tmp/salida\n"
        "mailer send corazon-chilango\n"
        "mailer send convocatoria-observadores --at '2026-12-01 09:00'")},
    {"due", N_("due [--dry-run]"), N_("send every scheduled edition whose time has come"),
     N_("Sends, oldest first, every edition whose time has come (schedule or send_at in the\n"
        "campaign file, or 'send --at') and that is not complete, and continues every mailing\n"
        "(sent by hand or by schedule) with pending deliveries or deferred ones whose retry\n"
        "time has come. A campaign whose file says paused = yes (the samples do) is not sent\n"
        "by its schedule. Each mailing leaves from its campaign's sender, within that sender's\n"
        "limits; a sender that stops (its daily limit, a refusal of its account, its server\n"
        "unreachable) is skipped for the rest of the run, and the other senders go on. Prints\n"
        "nothing when nothing is due: this is the command for cron or the systemd timer.\n"
        "  --dry-run   only list what is due"),
     N_("mailer due --dry-run\n"
        "mailer -q due")},
    {"unschedule", N_("unschedule CAMPAIGN [--edition E]"), N_("take back a scheduled edition"),
     N_("Takes back what 'mailer send CAMPAIGN --at' scheduled. A schedule written in the\n"
        "campaign file is changed in the file."),
     N_("mailer unschedule convocatoria-observadores --edition main")},
    {"retry", N_("retry CAMPAIGN [--edition E] --failed [--code C] [--since YYYY-MM-DD]"),
     N_("put failed deliveries back to pending"),
     N_("For when a server refused wrongly: the failed deliveries of the campaign (one\n"
        "edition, or all) go back to pending, and the next 'send' or 'due' sends them. The\n"
        "change is recorded with who made it ('mailer log').\n"
        "  --code C     only those the server refused with reply code C (e.g. 550)\n"
        "  --since T    only those that failed since that date"),
     N_("mailer retry corazon-chilango --edition 2026-11 --failed --code 554")},
    {"status", N_("status [CAMPAIGN [--edition E]] [--format text|json]"),
     N_("deliveries of a mailing: sent, pending, deferred, failed, uncertain"),
     N_("One line per mailing: how many messages were sent, are pending, deferred (will be\n"
        "retried), failed, bounced or uncertain (interrupted while the server had them).\n"
        "  --format json   for programs"),
     N_("mailer status\n"
        "mailer status corazon-chilango --edition 2026-11")},
    {"report",
     N_("report (--quarter 2026Q4 | --from DATE --to DATE) [--list L]\n"
        "       [--format text|csv|md|json|html] [--by envio|mes] [--csv-sep C]\n"
        "       [--informe FILE] [--out FILE]"),
     N_("the quarterly report of what was delivered"),
     N_("The report for the commission: per audience, each communication (a mailing and its\n"
        "re-sends under one title are one row, with all their dates) or each month, with the\n"
        "messages sent, delivered, bounced and unsubscribed, and the mailings recorded with\n"
        "'mailer history' (marked *). Communications are counted as rows, with the sends beside\n"
        "them where they differ. The sentence of each audience, the columns of its table and\n"
        "their headings, and the targets of each year or quarter come from\n"
        "campaigns/informe.conf (its comments explain it); a target that matches no list or\n"
        "campaign is refused with its line (exit 78). While the quarter runs, a target not yet\n"
        "reached reads \"En curso\". Test sends are never counted.\n"
        "  --quarter Q        2026Q4 (or 2026-T4); or --from and --to as YYYY-MM-DD\n"
        "  --list L           only the mailings and the targets of list L\n"
        "  --format F         text, csv (opens in Excel), md, json or html\n"
        "  --by envio|mes     a row per mailing or per month\n"
        "  --csv-sep C        the CSV separator: ',' (the default) for Excel with Mexican or US\n"
        "                     regional settings, ';' for Excel set up for Spain or most of Europe\n"
        "  --informe FILE     another informe.conf\n"
        "  --out FILE         write to FILE instead of the screen"),
     N_("mailer report --quarter 2026Q4\n"
        "mailer report --quarter 2026Q4 --format html --out informe.html\n"
        "mailer report --quarter 2026Q4 --format csv --out informe.csv")},
    {"contacts",
     N_("contacts show FILE [--format text|json] [--delimiter D] [--encoding E]\n"
        "contacts check FILE... [--format text|json] [--delimiter D] [--encoding E]\n"
        "               [--column NAME] [--filter EXPR] [--force]"),
     N_("show or check a contact list (CSV)"),
     N_("'show' prints the rows exactly as read; 'check' gives a verdict for every row (invalid\n"
        "address, duplicate) with file:line and a summary. Exit 0 when every row is usable, 65\n"
        "when one is not.\n"
        "  --delimiter D   comma, semicolon or tab (default: guessed from the header)\n"
        "  --encoding E    auto, utf-8, windows-1252 or latin1 (default auto)\n"
        "  --column NAME   the column with the e-mail address\n"
        "A list whose columns the mailer does not recognize says how to read it in a file\n"
        "beside it, contacts/NAME.ini ([list], then address_column = ..., name_columns = ...,\n"
        "delimiter = ..., encoding = ...), which check and send read too.\n"
        "  --filter EXPR   only the rows that match, e.g. \"pais = 'EUA'\""),
     N_("mailer contacts check contacts/diaspora.csv\n"
        "mailer contacts show contacts/diaspora.csv --format json")},
    {"address", N_("address check ADDR... [--format text|json]"), N_("check e-mail addresses"),
     N_("Says whether each address can be used, why not, and a likely correction (gmial.com ->\n"
        "gmail.com). Exit 0 when all are valid, 65 otherwise."),
     N_("mailer address check juan.perez@gmail.com ana@gmial.com")},
    {"template", N_("template render TEMPLATE [--data FILE.json] [--partials DIR] [--strict]"),
     N_("render a Mustache template with JSON data"),
     N_("Renders a template to the screen with the data of a JSON file, to try it out.\n"
        "Variables without a value are listed as warnings (errors with --strict).\n"
        "  --partials DIR   where {{> name}} finds name.mustache\n"
        "In a campaign, a template sees the contact's columns (by normalized header: \"Correo\n"
        "electrónico\" is {{correo_electronico}}), then the names the mailer fills itself, then\n"
        "the campaign's [defaults]. The names the mailer fills (a [defaults] key or a column of\n"
        "the same name is not used, and 'mailer check' warns):\n"
        "  {{fecha}}            today's date, «7 de diciembre de 2026»\n"
        "  {{asunto}}           the subject, as rendered without a contact\n"
        "  {{baja_url}}         the unsubscribe link of this message\n"
        "  {{baja_correo}}      the unsubscribe address\n"
        "  {{contenido.html}}, {{contenido.texto}}, {{contenido.titulo}}  the edition's content\n"
        "  {{edicion.nombre}}, {{edicion.etiqueta}}   «2026-11», «noviembre de 2026»\n"
        "  {{campana.nombre}}, {{campana.id}}, {{campana.tipo}}\n"
        "From the contact: {{email}} (the address) and {{nombre}}: the list's «Nombre» column\n"
        "when it has one (often the first name), else the name made of its name columns\n"
        "(«Nombre completo», or first and last names). An empty cell has no value: [defaults]\n"
        "fills it, or 'mailer check' reports it missing."),
     N_("mailer template render templates/boletin.html.mustache --data datos.json")},
    {"bounces",
     N_("bounces fetch [--dry-run]\n"
        "bounces parse FILE.eml... [--format json]"),
     N_("read the senders' bounce mailboxes, or classify returned messages"),
     N_("'fetch' reads every sender's bounce mailbox (BOUNCE_IMAP_URL of .env and of each\n"
        "[remitente NAME] of senders.ini), and its unsubscribe one (UNSUBSCRIBE_IMAP_URL) when\n"
        "UNSUBSCRIBE_MAILTO is another address; a mailbox several senders share is read once,\n"
        "and one that cannot be read does not stop the others. It records each bounce against\n"
        "its delivery with its reason, suppresses addresses that bounced permanently, and says\n"
        "how many messages were left for a person (folder Revisar).\n"
        "'parse' classifies returned messages saved as files, without changing anything."),
     N_("mailer bounces fetch\n"
        "mailer bounces parse devuelto.eml")},
    {"suppress",
     N_("suppress add|remove ADDR... [--reason R] [--force]\n"
        "suppress list"),
     N_("add, remove or list suppressed addresses"),
     N_("Suppressed addresses never receive a message: people who unsubscribed, addresses\n"
        "that bounced, and those added by hand. Removing a hard bounce needs --force."),
     N_("mailer suppress add ana@example.org --reason \"pidió su baja por teléfono\"\n"
        "mailer suppress list")},
    {"log", N_("log [--since YYYY-MM-DD] [--format text|json]"),
     N_("who did what: every mailing run and every manual change"),
     N_("Lists the events of the ledger, oldest first: when, who (mailer --por NAME, else\n"
        "MAILER_OPERATOR, else the system user), the system user and host, what (send, due,\n"
        "suppress, unschedule, retitle, history) and its details (--force, --resend-uncertain,\n"
        "what was sent). Events are never changed or deleted.\n"
        "  --since DATE   only events from that day on (Mexico City time)"),
     N_("mailer log --since 2024-01-01\n"
        "mailer --por \"Ana López\" suppress add ana@example.org")},
    {"history",
     N_("history add --list L --date DATE --title T [--kind K] [--recipients N] [--sender S]\n"
        "            [--year YYYY]\n"
        "history import FILE --list L [--kind K] [--sender S] [--year YYYY]\n"
        "history list [--list L] [--format text|json]"),
     N_("record mailings sent outside the mailer, for the report"),
     N_("Records mailings the office sent before it used the mailer or from elsewhere, so that\n"
        "the quarterly report covers them. They are marked as recorded, never sent, and have no\n"
        "deliveries; 'status' lists them and the report marks them. Dates are ISO (2024-01-25)\n"
        "or as the office writes them (\"Viernes 9, martes 20 y jueves 22 de julio de 2021\",\n"
        "\"08 de septiembre\", \"del 9 al 13 de julio\", \"Enero 2024\"); a wrong weekday is\n"
        "accepted with a warning naming the right one.\n"
        "'import' reads a TSV or CSV table like the office's own: a header naming the columns\n"
        "(No., Fecha de envío or Mes, Información; Destinatarios, Tipo, Remitente if there are),\n"
        "or the columns No., date and title; lines starting with # are skipped. A bad row is\n"
        "said with its line and column and nothing is recorded; importing the same table again\n"
        "adds nothing. Every import and add is recorded in the events (mailer log).\n"
        "  --list L       the list the mailings went to\n"
        "  --kind K       bulletin, convocatoria, podcast, invitation or digest\n"
        "  --sender S     the mailbox they left from (the report's sentence names it)\n"
        "  --year YYYY    the year of dates written without one; without it such a date\n"
        "                 takes the year of the row before it (one more if its month comes\n"
        "                 earlier), else of the row after it"),
     N_("mailer history import informe-2024T1.tsv --list diaspora --sender votochilango@iecm.mx\n"
        "mailer history add --list diaspora --date \"Jueves 8 de julio de 2021\" \\\n"
        "    --title \"Boletín informativo junio 2021\" --recipients 812\n"
        "mailer history list --list diaspora")},
    {"mailing", N_("mailing retitle CAMPAIGN EDITION \"TITLE\""),
     N_("correct the report title of a mailing already sent"),
     N_("Changes the title the quarterly report shows for one mailing (its report_title), for\n"
        "example to fix a typo after the send. The change is recorded in the events."),
     N_("mailer mailing retitle vota-film-fest main \"Invitación al Vota Film Fest\"")},
    {"config", N_("config"), N_("show the settings in effect and where each comes from"),
     N_("Prints every setting with its value and its origin (flag, environment, .env or\n"
        "default), then each sender: the one of .env (default) and each [remitente NAME] of\n"
        "senders.ini in the mailer home (its From, server, login, limits, mailboxes), the\n"
        "campaigns that leave from it, and whether each of its passwords can be had: written\n"
        "in a file only its owner can read, or a command that is there. Passwords are not\n"
        "shown and no command is run. Exit 78 when the command of a password is not there or\n"
        "a campaign names a sender that is not defined."),
     N_("mailer config")},
    {"backup", N_("backup FILE"), N_("copy the ledger into a new file, safely while a send runs"),
     N_("Copies the ledger (MAILER_DB) into FILE, which must not exist, with SQLite's online\n"
        "backup: the copy is one consistent moment even while a send or 'due' runs, and it is\n"
        "checked before it is put in place. To restore it, see docs/05-envio-real.md."),
     N_("mailer backup respaldos/mailer-2026-11-30.db")},
    {"serve", N_("serve [--listen HOST:PORT]"),
     N_("answer the one-click unsubscribe links of the messages"),
     N_("A small web server (libmicrohttpd) for the unsubscribe links every message carries\n"
        "(UNSUBSCRIBE_URL/TOKEN, in List-Unsubscribe and in {{baja_url}}): a mail client's\n"
        "one-click POST (RFC 8058) is recorded at once; a person who opens the link gets a\n"
        "page in Spanish to choose «solo esta lista» or «todas las comunicaciones del IECM», and\n"
        "can undo it for some days. An unknown link gets one neutral page. It runs for weeks\n"
        "beside send and due, behind nginx or Apache (contrib/nginx, contrib/apache,\n"
        "contrib/systemd/mailer-serve.service).\n"
        "  --listen HOST:PORT   where to listen (default 127.0.0.1:8025)"),
     N_("mailer serve\n"
        "mailer serve --listen 127.0.0.1:8080")},
    {"help", N_("help [COMMAND]"), N_("show this help, or the help of a command"),
     N_("The same text as 'mailer COMMAND --help'."), N_("mailer help send")},
};

#define NENTRIES (sizeof(entries) / sizeof(entries[0]))

static const struct help_entry *find(const char *name)
{
    size_t i;

    for (i = 0; i < NENTRIES; i++)
        if (!strcmp(entries[i].name, name))
            return &entries[i];
    return NULL;
}

static int shown(const struct help_entry *e, help_available_fn *available)
{
    return !available || !strcmp(e->name, "help") || available(e->name);
}

/* Each line of text, prefixed. */
static void lines(FILE *to, const char *prefix, const char *text)
{
    const char *nl;

    while (*text) {
        nl = strchr(text, '\n');
        if (!nl)
            nl = text + strlen(text);
        fprintf(to, "%s%.*s\n", prefix, (int)(nl - text), text);
        text = *nl ? nl + 1 : nl;
    }
}

/* "  mailer " before each form, continuation lines aligned under it. */
static void usage_lines(FILE *to, const char *text)
{
    const char *nl;

    while (*text) {
        nl = strchr(text, '\n');
        if (!nl)
            nl = text + strlen(text);
        fprintf(to, "%s%.*s\n", *text == ' ' ? "         " : "  mailer ", (int)(nl - text), text);
        text = *nl ? nl + 1 : nl;
    }
}

void help_general(FILE *to, help_available_fn *available)
{
    size_t i;

    fputs(_("usage: mailer [--env FILE] [--db PATH] [--por NAME] [-q] [-v] COMMAND [ARGS]\n\n"),
          to);
    fputs(_("Commands:\n"), to);
    for (i = 0; i < NENTRIES; i++)
        if (shown(&entries[i], available))
            fprintf(to, "  %-11s %s\n", entries[i].name, _(entries[i].summary));
    fputs(_("\nOptions:\n"
            "  --env FILE   read the settings from FILE instead of ./.env\n"
            "  --db PATH    the ledger (database) to use\n"
            "  -q           quiet: only errors\n"
            "  -v           more detail (one line per message sent)\n"),
          to);
    fputs(_("\nExamples:\n"), to);
    lines(to, "  ",
          _("mailer check corazon-chilango\n"
            "mailer send corazon-chilango --test-to yo@iecm.example\n"
            "mailer send corazon-chilango\n"
            "mailer help send"));
    fputs(_("\nSettings come from flags, the environment, .env and built-in defaults\n"
            "(see .env.example). Campaigns, contacts and templates are read from the\n"
            "working directory, or from MAILER_HOME.\n"
            "Exit codes: 0 done, 64 wrong command line, 65 bad data, 66 a file is missing,\n"
            "69 a server cannot be reached, 75 try again later, 78 configuration error.\n"),
          to);
}

int help_command(FILE *to, const char *name)
{
    const struct help_entry *e = find(name);

    if (!e)
        return -1;
    fputs(_("usage:\n"), to);
    usage_lines(to, _(e->usage));
    fprintf(to, "\n%s\n\n", _(e->summary));
    lines(to, "", _(e->text));
    fputs(_("\nExamples:\n"), to);
    lines(to, "  ", _(e->examples));
    return 0;
}

const char *help_summary(const char *name)
{
    const struct help_entry *e = find(name);

    return e ? _(e->summary) : NULL;
}

void help_names(FILE *to, help_available_fn *available)
{
    size_t i;

    for (i = 0; i < NENTRIES; i++)
        if (shown(&entries[i], available))
            fprintf(to, "%s\n", entries[i].name);
}

/* Text for roff: a leading dot or quote is escaped, backslashes doubled. */
static void roff_span(FILE *to, const char *text, size_t len, int keep_breaks)
{
    const char *p;

    for (p = text; p < text + len; p++) {
        if ((p == text || p[-1] == '\n') && (*p == '.' || *p == '\''))
            fputs("\\&", to);
        if (*p == '\\')
            fputs("\\e", to);
        else if (*p == '-')
            fputs("\\-", to);
        else if (*p == '\n' && keep_breaks)
            fputs("\n.br\n", to);
        else
            fputc(*p, to);
    }
    fputc('\n', to);
}

static void roff_lines(FILE *to, const char *text, int keep_breaks)
{
    roff_span(to, text, strlen(text), keep_breaks);
}

/* The usage forms of a command: "mailer" in bold before each, continuations as they are. */
static void usage_roff(FILE *to, const char *text)
{
    const char *nl;

    while (*text) {
        nl = strchr(text, '\n');
        if (!nl)
            nl = text + strlen(text);
        /* data */
        fputs(*text != ' ' ? "\\fBmailer\\fR " : "       ", to);
        roff_span(to, text, (size_t)(nl - text), 0);
        text = *nl ? nl + 1 : nl;
    }
}

void help_man(FILE *to, help_available_fn *available)
{
    size_t i;

    fprintf(to, ".TH MAILER 1 \"\" \"mailer\" \"%s\"\n", _("Voto Chilango mailer"));
    fprintf(to, ".SH %s\nmailer \\- %s\n", _("NAME"),
            _("batch campaign mailer of Voto Chilango (IECM)"));
    fprintf(to, ".SH %s\n.B mailer\n", _("SYNOPSIS"));
    roff_lines(to, _("[--env FILE] [--db PATH] [--por NAME] [-q] [-v] COMMAND [ARGS]"), 0);
    fprintf(to, ".SH %s\n", _("DESCRIPTION"));
    roff_lines(to,
               _("mailer loads contact lists exported from spreadsheets, renders each campaign's\n"
                 "templates into messages, sends them over SMTP within the provider's limits,\n"
                 "records every delivery in a ledger and prints the quarterly report."),
               0);
    fprintf(to, ".SH %s\n", _("OPTIONS"));
    roff_lines(to,
               _("  --env FILE   read the settings from FILE instead of ./.env\n"
                 "  --db PATH    the ledger (database) to use\n"
                 "  -q           quiet: only errors\n"
                 "  -v           more detail (one line per message sent)"),
               1);
    fprintf(to, ".SH %s\n", _("COMMANDS"));
    for (i = 0; i < NENTRIES; i++) {
        const struct help_entry *e = &entries[i];
        if (!shown(e, available))
            continue;
        fprintf(to, ".SS %s\n", e->name);
        fputs(".nf\n", to);
        usage_roff(to, _(e->usage));
        fputs(".fi\n", to);
        roff_lines(to, _(e->summary), 0);
        fputs(".PP\n.nf\n", to);
        roff_lines(to, _(e->text), 0);
        fputs(".fi\n.PP\n", to);
        fprintf(to, "%s\n.nf\n.RS\n", _("Examples:")); /* data */
        roff_lines(to, _(e->examples), 0);
        fputs(".RE\n.fi\n", to);
    }
    fprintf(to, ".SH %s\n", _("ENVIRONMENT"));
    roff_lines(to,
               _("MAILER_HOME: where campaigns/, contacts/ and templates/ are (default: the\n"
                 "working directory). LANG, LC_MESSAGES, LANGUAGE: the language of the\n"
                 "messages (Spanish or English). Every other setting is in .env.example."),
               0);
    fprintf(to, ".SH %s\n", _("EXIT STATUS"));
    roff_lines(to,
               _("0 done, 64 wrong command line, 65 bad data, 66 a file is missing,\n"
                 "69 a server cannot be reached, 75 try again later, 78 configuration error."),
               0);
    fprintf(to, ".SH %s\n", _("SEE ALSO"));
    roff_lines(to, _("The guides in /usr/share/doc/mailer/ (docs/ in the source)."), 0);
}
