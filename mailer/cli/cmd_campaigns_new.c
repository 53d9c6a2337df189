/* cmd_campaigns_new - mailer campaigns new NAME --kind K --list L [--sender S]
 * [--edition E] [--date 'YYYY-MM-DD HH:MM']: a campaign ready to check.
 *
 * A new campaign gets campaigns/NAME.ini (commented in Spanish: the office
 * edits it), its templates templates/NAME.{html,txt}.mustache built on the
 * partials (layout, encabezado, pie), and this edition's content file
 * campaigns/NAME/EDITION.md. Given an existing campaign and --edition, it
 * adds that one-off edition instead: an [edition E] section (with its
 * send_at) and its content file, so that one campaign holds the year's
 * one-off mailings. Nothing existing is ever overwritten. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "edition.h"
#include "i18n.h"
#include "schedule.h"

#include "banned.h"

/* The kind's words in the message's kicker. */
static const char *const kind_labels[][2] = {
    {"bulletin", "Boletín"}, {"convocatoria", "Convocatoria"},
    {"podcast", "Podcast"},  {"invitation", "Invitación"},
    {"digest", "Resumen"},
};

static const char campaign_text[] =
    "; %1$s: una campaña creada con `mailer campaigns new`. Cambie lo que haga falta\n"
    "; y revise con `mailer check %1$s`. Las líneas que empiezan con «;» son\n"
    "; comentarios.\n"
    "\n"
    "[campaign]\n"
    "; el nombre de la campaña para las personas (el título del correo si la\n"
    "; plantilla no pone otro)\n"
    "name = %2$s\n"
    "; bulletin (boletín), convocatoria, podcast, invitation (invitación) o digest\n"
    "kind = %3$s\n"
    "; el asunto: aquí, el título (la primera línea «# ...») del archivo de\n"
    "; contenido de cada edición\n"
    "subject = {{contenido.titulo}}\n"
    "; el título en el informe trimestral (vacío: el asunto); se corrige después\n"
    "; del envío con `mailer mailing retitle %1$s EDICIÓN \"...\"`\n"
    "report_title =\n"
    "; las listas de contactos (contacts/LISTA.csv), separadas por comas\n"
    "lists = %4$s\n"
    "filter =\n"
    "template = %1$s\n"
    "; el remitente (un [remitente NOMBRE] de senders.ini): su buzón, su\n"
    "; servidor, su contraseña y sus límites; vacío: el del .env\n"
    "sender = %5$s\n"
    "; el From: vacío toma el MAIL_FROM del remitente; o «Nombre <correo@dominio>»\n"
    "; (con la dirección del remitente: su servidor se niega a enviar como otro buzón)\n"
    "from =\n"
    "; once: envíos únicos (la edición «main», o una sección [edition NOMBRE]\n"
    "; por cada envío, cada una con su asunto, título y fecha)\n"
    "edition = once\n"
    "; fecha y hora (Ciudad de México) en que `mailer due` envía la edición\n"
    "; «main»; vacío: se envía a mano con `mailer send %1$s`\n"
    "%6$ssend_at = %7$s\n"
    "; el contenido de cada edición: {edition} es su nombre\n"
    "content = campaigns/%1$s/{edition}.md\n"
    "attachments =\n"
    "; imágenes dentro del HTML: el diseño del Instituto pone el logotipo como\n"
    "; cid:logo-voto-chilango.png\n"
    "inline_images = templates/img/logo-voto-chilango.png\n"
    "\n"
    "[defaults]\n"
    "; valores de las variables de la plantilla cuando la lista no los trae\n"
    "nombre = amiga, amigo\n"
    "\n"
    "; Otro envío de esta misma campaña (un aviso, un recordatorio): una sección\n"
    "; por edición, con su propio contenido (campaigns/%1$s/NOMBRE.md) y, si\n"
    "; hacen falta, su asunto, su título para el informe y su fecha. Para\n"
    "; agregarla: mailer campaigns new %1$s --edition NOMBRE --date 'AAAA-MM-DD HH:MM'\n"
    ";\n"
    "; [edition aviso-registro]\n"
    "; subject = Último día para registrarte\n"
    "; report_title = Aviso sobre el cierre del registro\n"
    "; send_at = 2027-01-14 10:00\n";

static const char edition_text[] =
    "\n"
    "; agregada con `mailer campaigns new %1$s --edition %2$s`: su contenido está\n"
    "; en campaigns/%1$s/%2$s.md; agregue aquí subject y report_title si no son\n"
    "; los de [campaign]\n"
    "[edition %2$s]\n"
    "%3$ssend_at = %4$s\n"
    "%5$s";

static const char content_text[] =
    "# %s\n"
    "\n"
    "Escriba aquí el texto de esta comunicación. Es Markdown: **negritas**,\n"
    "listas con «-» y enlaces [como este](https://www.iecm.mx).\n"
    "\n"
    "La primera línea, con «#», es el asunto del correo y el título de la\n"
    "comunicación en el informe trimestral.\n";

static const char html_text[] =
    "{{! Plantilla de %1$s, creada con `mailer campaigns new`: se apoya en\n"
    "    templates/partials/layout.html.mustache, que pone el encabezado, el pie\n"
    "    y la liga de baja. Cambie el texto de «motivo» (por qué recibe el correo\n"
    "    la persona). }}\n"
    "{{<layout.html}}\n"
    "{{$preencabezado}}{{contenido.titulo}}{{/preencabezado}}\n"
    "{{$antetitulo}}%2$s{{/antetitulo}}\n"
    "{{$contenido}}\n"
    "<div style=\"font-size:16px;line-height:1.55;color:#262626;\">\n"
    "{{{contenido.html}}}\n"
    "</div>\n"
    "{{/contenido}}\n"
    "{{$motivo}}Recibes este correo porque formas parte de la lista de contactos «%3$s» "
    "del Instituto Electoral de la Ciudad de México.{{/motivo}}\n"
    "{{/layout.html}}\n";

static const char txt_text[] =
    "{{! Parte de texto de %1$s: los mismos bloques que la plantilla HTML. }}\n"
    "{{<layout.txt}}\n"
    "{{$antetitulo}}\n"
    "%2$s\n"
    "{{/antetitulo}}\n"
    "{{$contenido}}\n"
    "{{contenido.texto}}\n"
    "{{/contenido}}\n"
    "{{$motivo}}\n"
    "Recibes este correo porque formas parte de la lista de contactos\n"
    "«%3$s» del Instituto Electoral de la Ciudad de México.\n"
    "{{/motivo}}\n"
    "{{/layout.txt}}\n";

struct new_opts {
    const char *name, *kind, *lists, *sender, *edition, *date;
};

/* Write text into a new file (never over an existing one). */
static int create(const char *path, const struct buf *text)
{
    FILE *f = fopen(path, "wx");

    if (!f) {
        fprintf(stderr,
                errno == EEXIST ? _("mailer: %s already exists; nothing was changed\n")
                                : _("mailer: %s: cannot create it\n"),
                path);
        return errno == EEXIST ? EX_CANTCREAT : EX_IOERR;
    }
    if (fwrite(text->data, 1, text->len, f) != text->len || fclose(f)) {
        fprintf(stderr, _("mailer: %s: cannot create it\n"), path);
        return EX_IOERR;
    }
    return EX_OK;
}

/* "avisos-2026" -> "Avisos 2026" */
static int human_name(const char *id, struct buf *out)
{
    size_t start = out->len;
    const char *p;

    for (p = id; *p; p++)
        if (buf_addch(out, *p == '-' || *p == '_' ? ' ' : *p))
            return -1;
    if (out->data[start] >= 'a' && out->data[start] <= 'z')
        out->data[start] = (char)(out->data[start] - 'a' + 'A');
    return 0;
}

static const char *kind_label(const char *kind)
{
    size_t i;

    for (i = 0; i < sizeof(kind_labels) / sizeof(kind_labels[0]); i++)
        if (!strcmp(kind, kind_labels[i][0]))
            return kind_labels[i][1];
    return kind;
}

/* Every list named must have its file: contacts/LIST.csv. */
static int lists_exist(const char *home, const char *lists)
{
    char name[80];
    struct buf path = BUF_INIT;
    const char *p = lists;
    size_t n;
    int rc = EX_OK;

    while (*p && rc == EX_OK) {
        p += strspn(p, ", ");
        n = strcspn(p, ", ");
        if (!n)
            break;
        snprintf(name, sizeof(name), "%.*s", (int)n, p);
        p += n;
        buf_reset(&path);
        if (!cli_list_name_ok(name) || !strcmp(name, "*"))
            rc = cli_usage("campaigns", _("--list: \"%s\" is not a list name"), name);
        else if (buf_addf(&path, "%s/contacts/%s.csv", home, name) || access(path.data, R_OK)) {
            fprintf(stderr, _("mailer: no list \"%s\": %s not found\n"), name, path.data);
            rc = EX_NOINPUT;
        }
    }
    buf_release(&path);
    return rc;
}

static int content_file(const char *home, const struct new_opts *o, const char *edition)
{
    struct buf path = BUF_INIT, text = BUF_INIT, title = BUF_INIT;
    int rc;

    if (buf_addf(&path, "%s/campaigns/%s", home, o->name) ||
        (mkdir(path.data, 0755) && errno != EEXIST) || buf_addf(&path, "/%s.md", edition) ||
        human_name(o->name, &title) || buf_addf(&text, content_text, title.data))
        rc = EX_IOERR;
    else
        rc = create(path.data, &text);
    buf_release(&path);
    buf_release(&text);
    buf_release(&title);
    return rc;
}

static int templates(const char *home, const struct new_opts *o)
{
    struct buf path = BUF_INIT, text = BUF_INIT;
    int rc = EX_IOERR;

    if (!buf_addf(&path, "%s/templates/%s.html.mustache", home, o->name) &&
        !buf_addf(&text, html_text, o->name, kind_label(o->kind), o->lists) &&
        (rc = create(path.data, &text)) == EX_OK) {
        buf_reset(&path);
        buf_reset(&text);
        rc = EX_IOERR;
        if (!buf_addf(&path, "%s/templates/%s.txt.mustache", home, o->name) &&
            !buf_addf(&text, txt_text, o->name, kind_label(o->kind), o->lists))
            rc = create(path.data, &text);
    }
    buf_release(&path);
    buf_release(&text);
    return rc;
}

static int new_campaign(const char *home, const struct new_opts *o, const char *ini)
{
    struct buf text = BUF_INIT, human = BUF_INIT;
    const char *edition = o->edition ? o->edition : "main";
    int main_edition = !strcmp(edition, "main"), rc;

    if (!o->kind || !o->lists)
        return cli_usage("campaigns", _("a new campaign needs --kind K and --list L"));
    if ((rc = lists_exist(home, o->lists)))
        return rc;
    if (human_name(o->name, &human) ||
        buf_addf(&text, campaign_text, o->name, human.data, o->kind, o->lists,
                 o->sender ? o->sender : "", main_edition && o->date ? "" : "; ",
                 main_edition && o->date ? o->date : "AAAA-MM-DD HH:MM") ||
        (!main_edition && buf_addf(&text, edition_text, o->name, edition, o->date ? "" : "; ",
                                   o->date ? o->date : "AAAA-MM-DD HH:MM", "")))
        rc = EX_IOERR;
    else if (!(rc = create(ini, &text)) && !(rc = templates(home, o)))
        rc = content_file(home, o, edition);
    buf_release(&text);
    buf_release(&human);
    return rc;
}

/* An existing campaign: one more one-off edition (with --sender, its own
 * `sender =`). */
static int new_edition(const char *home, const struct new_opts *o, const char *ini)
{
    struct campaign c;
    struct buf text = BUF_INIT, sender = BUF_INIT;
    struct err err;
    size_t i;
    FILE *f;
    int rc;

    if (!o->edition || !strcmp(o->edition, "main")) {
        fprintf(stderr,
                _("mailer: campaigns/%s.ini already exists; to add a one-off edition to it, "
                  "give --edition NAME\n"),
                o->name);
        return EX_CANTCREAT;
    }
    err_init(&err);
    rc = campaign_load(home, o->name, &c, &err) ? cli_fail(&err) : EX_OK;
    err_release(&err);
    for (i = 0; rc == EX_OK && i < c.noverrides; i++)
        if (!strcmp(c.overrides[i].edition, o->edition)) {
            fprintf(stderr, _("mailer: campaigns/%s.ini already has an [edition %s]\n"), o->name,
                    o->edition);
            rc = EX_CANTCREAT;
        }
    campaign_release(&c);
    if (rc)
        return rc;
    if ((rc = content_file(home, o, o->edition)))
        return rc;
    if ((o->sender && buf_addf(&sender, "sender = %s\n", o->sender)) ||
        buf_addf(&text, edition_text, o->name, o->edition, o->date ? "" : "; ",
                 o->date ? o->date : "AAAA-MM-DD HH:MM", o->sender ? sender.data : "") ||
        !(f = fopen(ini, "a")) || fwrite(text.data, 1, text.len, f) != text.len || fclose(f)) {
        fprintf(stderr, _("mailer: %s: cannot write\n"), ini);
        rc = EX_IOERR;
    }
    buf_release(&text);
    buf_release(&sender);
    return rc;
}

/* --sender S must name a sender of the home: the campaign would not check. */
static int sender_known(const struct cli *cli, const char *name)
{
    struct sender_profiles p;
    struct buf path = BUF_INIT;
    struct err err;
    int rc = EX_OK;

    err_init(&err);
    if (cli_senders(cli, &p, &err)) {
        rc = cli_fail(&err);
    } else if (!sender_profiles_find(&p, name)) {
        if (cli_senders_path(cli, &path))
            rc = cli_fail_nomem();
        else {
            fprintf(stderr,
                    _("mailer: there is no sender %s: define it as [remitente %s] in %s "
                      "(senders.ini.example shows how), or leave --sender out for the one of "
                      ".env\n"),
                    name, name, path.data);
            rc = EX_CONFIG;
        }
    }
    sender_profiles_release(&p);
    buf_release(&path);
    err_release(&err);
    return rc;
}

static int parse(int argc, char **argv, struct new_opts *o)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'},
        {"list", required_argument, NULL, 'l'},
        {"lista", required_argument, NULL, 'l'},
        {"sender", required_argument, NULL, 's'},
        {"edition", required_argument, NULL, 'e'},
        {"date", required_argument, NULL, 'd'},
        {NULL, 0, NULL, 0},
    };
    struct schedule_rule rule;
    const char *why;
    int opt, k;

    while ((opt = cli_getopt(argc, argv, "k:l:s:e:d:", opts)) != -1) {
        if (opt == 'k') {
            if (cli_parse_enum("campaigns", "--kind", optarg, cli_kinds, &k))
                return EX_USAGE;
            o->kind = cli_kind_ids[k];
        } else if (opt == 'l') {
            o->lists = optarg;
        } else if (opt == 's') {
            o->sender = optarg;
        } else if (opt == 'e') {
            if (!edition_name_ok(optarg))
                return cli_usage("campaigns", _("--edition: \"%s\" is not an edition name"),
                                 optarg);
            o->edition = optarg;
        } else if (opt == 'd') {
            if (schedule_parse("once", "", optarg, &rule, &why))
                return cli_usage("campaigns", _("--date: write it as 'YYYY-MM-DD HH:MM' "
                                                "(Mexico City time)"));
            o->date = optarg;
        } else {
            return cli_usage("campaigns", _("new NAME --kind K --list L [--sender S] [--edition E] "
                                            "[--date 'YYYY-MM-DD HH:MM']"));
        }
    }
    if (optind + 1 != argc)
        return cli_usage("campaigns", _("new takes one campaign name"));
    o->name = argv[optind];
    if (!edition_name_ok(o->name) || strchr(o->name, '.'))
        return cli_usage("campaigns", _("\"%s\" cannot name a campaign (letters, digits, - and _)"),
                         o->name);
    return 0;
}

int campaigns_new(int argc, char **argv, struct cli *cli)
{
    struct new_opts o = {0};
    struct buf ini = BUF_INIT;
    const char *home = cli_home(cli);
    int rc;

    if ((rc = parse(argc, argv, &o)))
        return rc;
    if (o.sender && (rc = sender_known(cli, o.sender)))
        return rc;
    if (buf_addf(&ini, "%s/campaigns/%s.ini", home, o.name))
        rc = EX_OSERR;
    else
        rc = access(ini.data, F_OK) ? new_campaign(home, &o, ini.data)
                                    : new_edition(home, &o, ini.data);
    if (rc == EX_OK && !cli->quiet)
        printf(_("campaigns/%s.ini: edition %s ready; see it with: mailer check %s --edition "
                 "%s\n"),
               o.name, o.edition ? o.edition : "main", o.name, o.edition ? o.edition : "main");
    buf_release(&ini);
    return rc;
}
