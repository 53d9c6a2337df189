/* report_words - the report's Spanish: names of audiences, headings, the
 * office's sentence, numbers in words, the date of a row, the note on
 * recorded mailings, the targets' words (report_int.h). */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "datefmt.h"
#include "report_int.h"
#include "template.h"
#include "value.h"

#include "banned.h"

/* The sentence when informe.conf gives none. */
static const char default_sentence[] =
    "Durante {{periodo}} se distribuy{{#una}}ó{{/una}}{{^una}}eron{{/una}}"
    "{{#buzon}}, mediante el correo de {{buzon}},{{/buzon}} {{comunicaciones}} "
    "comunicaci{{#una}}ón{{/una}}{{^una}}ones{{/una}}"
    "{{#envios_distintos}} ({{envios}} envíos){{/envios_distintos}} a {{nombre}}"
    "{{#por_mes}}; la difusión versó sobre {{temas}} tema{{^un_tema}}s{{/un_tema}}{{/por_mes}}.";

int report_words_audience_name(const struct report_data *d, const char *lists, struct buf *out)
{
    const char *p = lists, *comma;
    const struct report_list *l;
    size_t n = 1, i;
    int rc = 0;

    for (comma = lists; (comma = strchr(comma, ',')); comma++)
        n++;
    for (i = 0; i < n && !rc; i++, p = comma + 1) {
        comma = strchr(p, ',');
        if (!comma)
            comma = p + strlen(p);
        if (i)
            rc = buf_addstr(out, i + 1 == n ? " y " : ", ");
        l = report_config_list(d->cfg, p, (size_t)(comma - p));
        if (l && l->name)
            rc = rc || buf_addstr(out, l->name);
        else
            rc = rc || buf_addf(out, "la lista %.*s", (int)(comma - p), p);
    }
    return rc ? -1 : 0;
}

/* informe.conf's titulo, else the name with a capital and the list ids,
 * else "Lista: ID". */
int report_words_heading(const struct report_data *d, const struct report_audience *a,
                         struct buf *out)
{
    size_t start = out->len;

    if (a->conf && a->conf->title)
        return buf_addstr(out, a->conf->title);
    if (report_words_audience_name(d, a->lists, out))
        return -1;
    if (!strncmp(out->data + start, "la lista ", 9)) {
        buf_setlen(out, start);
        return buf_addf(out, "Lista: %s", a->lists);
    }
    if (out->data[start] >= 'a' && out->data[start] <= 'z')
        out->data[start] = (char)(out->data[start] - 'a' + 'A');
    return buf_addf(out, " (%s)", a->lists);
}

/* ---- numbers in words ---- */

static const char *const small[30] = {
    "cero",         "uno",         "dos",        "tres",        "cuatro",     "cinco",
    "seis",         "siete",       "ocho",       "nueve",       "diez",       "once",
    "doce",         "trece",       "catorce",    "quince",      "dieciséis",  "diecisiete",
    "dieciocho",    "diecinueve",  "veinte",     "veintiuno",   "veintidós",  "veintitrés",
    "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho", "veintinueve"};
static const char *const tens[10] = {"",          "",        "",        "treinta", "cuarenta",
                                     "cincuenta", "sesenta", "setenta", "ochenta", "noventa"};
static const char *const hundreds[10] = {
    "",         "ciento",    "doscient",  "trescient", "cuatrocient",
    "quinient", "seiscient", "setecient", "ochocient", "novecient"};

/* 1..29: "uno" ends "una" (feminine) or "un" (apocopated, before a noun),
 * "veintiuno" likewise ("veintiún" with its accent). */
static int add_small(struct buf *out, int n, int feminine)
{
    if (n == 1)
        return buf_addstr(out, feminine ? "una" : "un");
    if (n == 21)
        return buf_addstr(out, feminine ? "veintiuna" : "veintiún");
    return buf_addstr(out, small[n]);
}

/* 1..999: the hundreds feminine or not (fem_hundreds: «doscientas»), the
 * units' one feminine or apocopated (fem_units: «veintiuna», «veintiún»). */
static int add_below_1000(struct buf *out, int n, int fem_hundreds, int fem_units)
{
    int h = n / 100, r = n % 100;

    if (n == 100)
        return buf_addstr(out, "cien");
    if (h && (buf_addstr(out, hundreds[h]) ||
              (h > 1 && buf_addstr(out, fem_hundreds ? "as" : "os")) || (r && buf_addch(out, ' '))))
        return -1;
    if (!r)
        return 0;
    if (r < 30)
        return add_small(out, r, fem_units);
    if (buf_addstr(out, tens[r / 10]))
        return -1;
    return r % 10 ? (buf_addstr(out, " y ") || add_small(out, r % 10, fem_units) ? -1 : 0) : 0;
}

int report_words_number(struct buf *out, long n, int feminine)
{
    long th = n / 1000, r = n % 1000;

    if (n < 0 || n >= 1000000)
        return buf_addf(out, "%ld", n);
    if (n == 0)
        return buf_addstr(out, "cero");
    /* «veintiún mil», «doscientas mil comunicaciones» */
    if (th > 1 && add_below_1000(out, (int)th, feminine, 0))
        return -1;
    if (th && (buf_addstr(out, th > 1 ? " mil" : "mil") || (r && buf_addch(out, ' '))))
        return -1;
    return r ? add_below_1000(out, (int)r, feminine, feminine) : 0;
}

/* ---- the sentence ---- */

static int set_number(struct value *map, const char *key, long n, int feminine)
{
    struct buf b = BUF_INIT;
    char name[64];
    int rc;

    snprintf(name, sizeof(name), "%s_letra", key);
    rc = buf_addf(&b, "%ld", n) || value_map_set_string(map, key, b.data);
    buf_reset(&b);
    rc = rc || report_words_number(&b, n, feminine) || value_map_set_string(map, name, b.data);
    buf_release(&b);
    return rc ? -1 : 0;
}

/* The senders of the audience: "a@x", "a@x y b@y". */
static int senders(const struct report_audience *a, struct buf *out)
{
    size_t i;

    for (i = 0; i < a->senders.n; i++)
        if ((i && buf_addstr(out, i + 1 == a->senders.n ? " y " : ", ")) ||
            buf_addstr(out, a->senders.v[i]))
            return -1;
    return 0;
}

static struct value *sentence_vars(const struct report_data *d, const struct report_audience *a)
{
    struct value *map = value_new_map();
    struct buf b = BUF_INIT;
    long rows = report_figures_rows(a), sends = report_figures_sends(a);
    int rc;

    if (!map)
        return NULL;
    rc = value_map_set_string(map, "periodo", d->p->label) ||
         report_words_audience_name(d, a->lists, &b) ||
         value_map_set_string(map, "nombre", b.data) ||
         set_number(map, "comunicaciones", rows, 1) || set_number(map, "envios", sends, 0) ||
         set_number(map, "temas", rows, 0);
    buf_reset(&b);
    rc = rc || senders(a, &b) || value_map_set_string(map, "buzon", b.data) ||
         value_map_set(map, "una", value_new_bool(rows == 1)) ||
         value_map_set(map, "un_tema", value_new_bool(rows == 1)) ||
         value_map_set(map, "envios_distintos", value_new_bool(sends != rows)) ||
         value_map_set(map, "por_mes", value_new_bool(a->by == REPORT_BY_MONTH));
    buf_release(&b);
    if (rc) {
        value_free(map);
        return NULL;
    }
    return map;
}

struct value *report_words_sample(int truth)
{
    static const char *const strings[] = {
        "periodo", "nombre",       "comunicaciones", "comunicaciones_letra",
        "envios",  "envios_letra", "temas",          "temas_letra",
        "buzon"};
    static const char *const flags[] = {"una", "un_tema", "envios_distintos", "por_mes"};
    struct value *map = value_new_map();
    size_t i;

    for (i = 0; map && i < sizeof(strings) / sizeof(strings[0]); i++)
        if (value_map_set_string(map, strings[i], "x")) {
            value_free(map);
            return NULL;
        }
    for (i = 0; map && i < sizeof(flags) / sizeof(flags[0]); i++)
        if (value_map_set(map, flags[i], value_new_bool(truth))) {
            value_free(map);
            return NULL;
        }
    return map;
}

struct template *report_words_default_sentence(struct err *err)
{
    return template_compile(default_sentence, strlen(default_sentence), "report sentence",
                            TEMPLATE_ESCAPE_NONE, NULL, err);
}

int report_words_sentence(const struct report_data *d, const struct report_audience *a,
                          struct buf *out)
{
    const struct template *t = a->conf && a->conf->sentence ? a->conf->sentence
                               : d->cfg->general.sentence   ? d->cfg->general.sentence
                                                            : d->sentence;
    struct value *vars = sentence_vars(d, a);
    const struct value *stack[1] = {vars};
    struct err e;
    int rc;

    if (!vars)
        return -1;
    err_init(&e);
    rc = template_render(t, stack, 1, out, NULL, NULL, &e);
    err_release(&e);
    value_free(vars);
    return rc ? -1 : 0;
}

int report_words_count(const struct report_audience *a, struct buf *out)
{
    long rows = report_figures_rows(a), sends = report_figures_sends(a);

    if (buf_addf(out, "%ld comunicaci%s", rows, rows == 1 ? "ón" : "ones"))
        return -1;
    return sends != rows ? buf_addf(out, ", %ld envío%s", sends, sends == 1 ? "" : "s") : 0;
}

/* «* Registrada con «mailer history» ...» under a table with recorded rows:
 * what the mailer knows of them, and where they came from. */
int report_words_note(const struct report_audience *a, struct buf *out)
{
    size_t i;
    int one = a->recorded == 1, rc;

    if (!a->recorded)
        return 0;
    if (one)
        rc = buf_addstr(out, "* Comunicación registrada con «mailer history»: se envió fuera "
                             "del mailer; de ella se registraron la fecha y el título");
    else
        rc = buf_addf(out,
                      "* %ld comunicaciones registradas con «mailer history»: se enviaron fuera "
                      "del mailer; de ellas se registraron la fecha y el título",
                      a->recorded);
    rc = rc || buf_addstr(out, a->recorded_recipients ? " y los destinatarios, no las entregas, "
                                                        "los rebotes ni las bajas («—»)"
                                                      : ", no los destinatarios, las entregas, "
                                                        "los rebotes ni las bajas («—»)");
    for (i = 0; i < a->sources.n && !rc; i++)
        rc = buf_addstr(out, i ? ", " : ". Origen: ") || buf_addstr(out, a->sources.v[i]);
    return rc || buf_addch(out, '.') ? -1 : 0;
}

int report_words_item_date(const struct report_item *it, struct buf *out)
{
    if (it->month >= 0)
        return datefmt_month_row(out, it->month / 12, it->month % 12 + 1);
    if (it->range && it->ndates == 2)
        return datefmt_range(out, it->dates[0], it->dates[1]);
    return datefmt_list(out, it->dates, it->ndates);
}

/* ---- targets ---- */

int report_words_target_label(const struct report_data *d, const struct report_target *t,
                              struct buf *out)
{
    const struct report_campaign *rc;

    if (t->kind == REPORT_TARGET_MAILINGS)
        return buf_addstr(out, "Comunicaciones a ") ||
                       report_words_audience_name(d, t->subject, out)
                   ? -1
                   : 0;
    rc = report_config_campaign(d->cfg, t->subject);
    return buf_addf(out, "Ediciones de %s", rc && rc->name ? rc->name : t->subject);
}

int report_words_targets_each(const struct report_data *d, struct buf *out, report_target_fn row)
{
    struct buf label = BUF_INIT;
    size_t i;
    int rc = 0;

    for (i = 0; i < d->ntargets && !rc; i++) {
        buf_reset(&label);
        rc = report_words_target_label(d, d->targets[i].t, &label) ||
             row(d, out, &d->targets[i], label.data, (int)i);
    }
    buf_release(&label);
    return rc ? -1 : 0;
}

const char *report_words_verdict(const struct report_data *d, long goal, long got)
{
    if (got >= goal)
        return "Cumplida";
    return d->running ? "En curso" : "No cumplida";
}
