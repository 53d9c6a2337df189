/* report - the quarterly report: what was delivered, to whom, when.
 *
 * Built from the ledger only (what was actually delivered; test sends and
 * dry runs never count). One table per audience (the lists a mailing went
 * to). By mailing (the default), a row per (campaign, title): a campaign
 * sent again with the same title (a convocatoria and its reminders) is one
 * row with all its dates («Viernes 9, martes 20 y jueves 22 de julio de
 * 2021»). By month (the office's Red de Observación table), a row per
 * (month, campaign, title), dated «Enero 2024». Dates are Spanish, in
 * America/Mexico_City; a mailing is dated by its first accepted delivery.
 *
 * Columns: No., Fecha de envío, Información (report_title, or the subject),
 * Destinatarios (deliveries of the mailing), Entregados (accepted by the
 * server: sent + bounced), Rebotados (split Duros / Suaves when bounces
 * have a class; text, Markdown and HTML show the split columns only when
 * some bounce of the audience is classified), Fallidos (refused), Bajas
 * (people who unsubscribed after getting one of its mailings, up to the
 * end of the period; counted once per row, and once in the Total row, so
 * the Total of Bajas may be less than the sum of the column); a Total row;
 * the office's sentence («Durante el cuarto trimestre de 2026 se
 * distribuyeron 12 comunicaciones a la base de contactos de Voto
 * Chilango.»); then, for a quarter, the targets of the work programme
 * («Meta: 20 · Logrado: 12 · No cumplida»).
 *
 * Formats:
 *  text  aligned for a terminal (UTF-8 code points counted as one column;
 *        Fecha and Información wrap within their column).
 *  csv   UTF-8 with BOM (Excel keeps the accents), CRLF, separator ',' or
 *        ';'; header Lista, No., Fecha de envío, Información, Destinatarios,
 *        Entregados, Rebotados, Rebotes duros, Rebotes suaves, Fallidos,
 *        Bajas; a row per table row and a "Total" row per audience.
 *  md    a section per audience with a pipe table, then the targets.
 *  html  one self-contained page (lang="es", UTF-8, inline CSS, no external
 *        asset) with the tables, the targets and, per audience, an inline
 *        SVG bar chart of mailings and deliveries per month of the period;
 *        prints to PDF with a page break between audiences. Every string
 *        from the ledger or informe.conf is HTML-escaped.
 *  json  the shape below (stable; numbers are JSON numbers, times UTC ISO):
 *   {"period": {"id": "2024Q1", "from": ISO, "to": ISO, "label": "el primer
 *               trimestre de 2024", "quarter": true},
 *    "audiences": [{"lists": "diaspora", "name": "la base de contactos de
 *               Voto Chilango", "heading": "...", "by": "mailing"|"month",
 *               "mailings": 12, "rows": [{"no": 1, "dates": [ISO, ...],
 *               "month": "2024-01" (by month only), "fecha_de_envio": "...",
 *               "informacion": "...", "campaign": "...", "destinatarios": n,
 *               "entregados": n, "rebotados": n, "rebotados_duros": n,
 *               "rebotados_suaves": n, "fallidos": n, "bajas": n}, ...],
 *               "totals": {"destinatarios": n, ... as in a row},
 *               "months": [{"month": "2024-01", "comunicaciones": n,
 *               "entregados": n}, ...], "sentence": "Durante ..."}, ...],
 *    "targets": [{"key": "diaspora.comunicaciones", "subject": "diaspora",
 *               "kind": "comunicaciones"|"ediciones", "label": "...",
 *               "goal": 20, "achieved": 12, "met": false}, ...]}
 *   "targets" is empty unless the period is a quarter.
 */
#ifndef MAILER_REPORT_H
#define MAILER_REPORT_H

#include <time.h>

#include "buf.h"
#include "err.h"
#include "ledger.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_MD, REPORT_JSON, REPORT_HTML };

/* How an audience's rows are grouped; DEFAULT takes the list's `agrupar`
 * from informe.conf, else by mailing. */
enum report_grouping { REPORT_BY_DEFAULT, REPORT_BY_MAILING, REPORT_BY_MONTH };

struct report_period {
    time_t from, to; /* [from, to) */
    char label[96];  /* "el cuarto trimestre de 2026", "el periodo del 1 de enero al ..." */
    char id[32];     /* "2026Q4" or "2024-01-01..2024-03-31" */
    int quarter;     /* 1-4 for a quarter (targets apply), 0 for a range */
};

/* "2026Q4", "2026-T4", "2026T4" (quarters in America/Mexico_City). */
int report_parse_quarter(const char *s, struct report_period *p, struct err *err);
/* Dates "YYYY-MM-DD", inclusive of the `to` day. */
int report_parse_range(const char *from, const char *to, struct report_period *p, struct err *err);

/* campaigns/informe.conf (INI, read with inih; not .ini, which would make it
 * a campaign for `campaigns list`):
 *   [lista diaspora]
 *   nombre = la base de contactos de Voto Chilango   ; for the sentence
 *   titulo = Base de contactos de Voto Chilango      ; table heading (optional)
 *   agrupar = envio | mes                            ; rows per mailing or month
 *   [campaña corazon-chilango]                       ; or [campana ...]
 *   nombre = Corazón Chilango
 *   [metas]                                          ; per quarter
 *   diaspora.comunicaciones = 20    ; mailings to a list
 *   corazon-chilango.ediciones = 3  ; mailings of a campaign
 * The file is trusted configuration, but its strings are still escaped in
 * HTML. */
struct report_list {
    char *id, *name, *title;
    enum report_grouping by;
};
struct report_campaign {
    char *id, *name;
};
enum report_target_kind { REPORT_TARGET_MAILINGS, REPORT_TARGET_EDITIONS };
struct report_target {
    char *key;     /* "diaspora.comunicaciones" */
    char *subject; /* list or campaign id */
    enum report_target_kind kind;
    long goal;
};
struct report_config {
    struct report_list *lists;
    size_t nlists;
    struct report_campaign *campaigns;
    size_t ncampaigns;
    struct report_target *targets;
    size_t ntargets;
};

void report_config_init(struct report_config *c);
/* Read the file into c (initialised): 0 read, 1 the file does not exist
 * (c stays empty: lists are named by their ids, no targets), -1 error
 * ("campaigns/informe.conf:7: ..."). */
int report_config_load(struct report_config *c, const char *path, struct err *err);
void report_config_release(struct report_config *c);

struct report_opts {
    enum report_format format;
    const char *list;                   /* only mailings to this list, NULL: all */
    char csv_sep;                       /* ',' or ';' (0: ',') */
    enum report_grouping by;            /* overrides informe.conf for every audience */
    const struct report_config *config; /* NULL: no informe.conf */
};

/* Write the report for the period, in o->format, into out. */
int report_write(struct ledger *l, const struct report_period *p, const struct report_opts *o,
                 struct buf *out, struct err *err);
/* Several formats from one reading of the ledger: formats[i] into outs[i]
 * (o->format is ignored). */
int report_write_formats(struct ledger *l, const struct report_period *p,
                         const struct report_opts *o, const enum report_format *formats,
                         struct buf *outs, size_t n, struct err *err);

#endif
