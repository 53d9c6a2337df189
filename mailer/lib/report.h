/* report - the quarterly report: what was delivered, to whom, when, counted
 * as the office counts.
 *
 * Built from the ledger: what the mailer actually delivered (test sends and
 * dry runs never count) and the mailings recorded with `mailer history`
 * (sent outside the mailer: marked «*» with a note under their table, their
 * delivery figures unknown: «—», JSON null). One table per audience (the
 * lists a mailing went to). By mailing (the default), a row per (campaign,
 * title): a campaign sent again with the same title (a convocatoria and its
 * reminders) is one row with all its dates («Viernes 9, martes 20 y jueves
 * 22 de julio de 2021»; two sends on one day are that day once); a recorded
 * mailing is its own row, as the office's table had it. By month (the
 * office's Red de Observación table), a row per (month, campaign, title),
 * dated «Enero 2024». Dates are Spanish, in America/Mexico_City; a mailing
 * is dated by its first accepted delivery.
 *
 * Counting: a row is one communication («comunicación»), however many
 * times it was sent; its sends («envíos») are its mailings. The Total row
 * and the sentence count communications, with the sends beside where they
 * differ («9 comunicaciones, 11 envíos»).
 *
 * Columns (which, in what order, under what heading: informe.conf): No.,
 * Fecha de envío (or Mes), Información (report_title, or the subject),
 * Destinatarios (deliveries of the mailing), Entregados (accepted by the
 * server: sent + bounced), Rebotados, Duros / Suaves (bounces by class; by
 * default shown only when some bounce of the audience is classified),
 * Fallidos (refused), Bajas (people who unsubscribed after getting one of
 * its mailings, up to the end of the period; counted once per row, and once
 * in the Total row, so the Total of Bajas may be less than the sum of the
 * column); a Total row; the office's sentence (a template of informe.conf:
 * «Durante el primer trimestre de 2024 se distribuyeron, mediante el correo
 * de votochilango@iecm.mx, doce (12) comunicaciones a la base de contactos
 * de Voto Chilango.»); then, for a quarter, the targets of the work
 * programme for that quarter («Meta: 20 · Logrado: 12 · No cumplida», «En
 * curso» while the quarter runs).
 *
 * Formats:
 *  text  aligned for a terminal (UTF-8 code points counted as one column;
 *        Fecha and Información wrap within their column).
 *  csv   for Excel: UTF-8 with BOM, CRLF, separator ',' or ';'. Three blocks
 *        separated by an empty line, each with its header: the rows (Lista,
 *        No., Fecha de envío, Información, Registrado, Destinatarios,
 *        Entregados, Rebotados, Rebotes duros, Rebotes suaves, Fallidos,
 *        Bajas; an unknown figure is empty), the totals per audience
 *        (Lista, Comunicaciones, Envíos and the figures), and for a quarter
 *        the targets (Meta, Objetivo, Logrado, Estado). No Total row among
 *        the data.
 *  md    a section per audience with a pipe table, then the targets.
 *  html  one self-contained page (lang="es", UTF-8, inline CSS, no external
 *        asset) with the tables, the targets and, per audience, an inline
 *        SVG bar chart of communications and deliveries per month of the
 *        period; fits a window 800 px wide; prints to PDF with a page break
 *        between audiences. Every string from the ledger or informe.conf is
 *        HTML-escaped.
 *  json  the shape below (stable; numbers are JSON numbers, times UTC ISO):
 *   {"period": {"id": "2024Q1", "from": ISO, "to": ISO, "label": "el primer
 *               trimestre de 2024", "quarter": true, "running": false},
 *    "audiences": [{"lists": "diaspora", "name": "la base de contactos de
 *               Voto Chilango", "heading": "...", "by": "mailing"|"month",
 *               "comunicaciones": 12, "envios": 14, "mailings": 14 (= envios),
 *               "recorded": 2, "senders": ["votochilango@iecm.mx"],
 *               "columns": [{"id": "fecha", "heading": "Fecha de envío"}, ...],
 *               "rows": [{"no": 1, "recorded": false, "dates": [ISO, ...],
 *               "range": false, "month": "2024-01" (by month only),
 *               "fecha_de_envio": "...", "informacion": "...", "campaign":
 *               "..." ("" when recorded), "envios": n, "destinatarios": n,
 *               "entregados": n, "rebotados": n, "rebotados_duros": n,
 *               "rebotados_suaves": n, "fallidos": n, "bajas": n (each null
 *               when unknown)}, ...],
 *               "totals": {"destinatarios": n, ... as in a row, of what is
 *               known}, "months": [{"month": "2024-01", "comunicaciones": n,
 *               "envios": n, "entregados": n}, ...], "sentence": "Durante
 *               ...", "note": "..." (about the recorded rows, "" when none)},
 *               ...],
 *    "targets": [{"key": "diaspora.comunicaciones", "subject": "diaspora",
 *               "kind": "comunicaciones"|"ediciones", "label": "...",
 *               "goal": 20, "achieved": 12, "met": false, "state":
 *               "cumplida"|"no cumplida"|"en curso"}, ...],
 *    "events": [{"at": ISO, "who": "Ana López" (the operator), "os_user":
 *               "...", "host": "...", "what": "send"|"due"|"suppress"|...,
 *               "campaign": "...", "edition": "...", "detail": "..."} —
 *               who did what in the period, as `mailer log` shows it]}
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

/* The columns a table may show (informe.conf names them: no, fecha,
 * informacion, destinatarios, entregados, rebotados, duros, suaves,
 * fallidos, bajas). */
enum report_column {
    REPORT_COL_NO,
    REPORT_COL_FECHA,
    REPORT_COL_INFO,
    REPORT_COL_DEST,
    REPORT_COL_ENT,
    REPORT_COL_REB,
    REPORT_COL_DUROS,
    REPORT_COL_SUAVES,
    REPORT_COL_FALL,
    REPORT_COL_BAJAS,
    REPORT_NCOLS
};

struct report_period {
    time_t from, to; /* [from, to) */
    char label[96];  /* "el cuarto trimestre de 2026", "el periodo del 1 de enero al ..." */
    char id[32];     /* "2026Q4" or "2024-01-01..2024-03-31" */
    int year;        /* of a quarter */
    int quarter;     /* 1-4 for a quarter (targets apply), 0 for a range */
};

/* "2026Q4", "2026-T4", "2026T4" (quarters in America/Mexico_City). */
int report_parse_quarter(const char *s, struct report_period *p, struct err *err);
/* Dates "YYYY-MM-DD", inclusive of the `to` day. */
int report_parse_range(const char *from, const char *to, struct report_period *p, struct err *err);

/* campaigns/informe.conf (INI, read with inih; not .ini, which would make it
 * a campaign for `campaigns list`; its comments are the office's: Spanish):
 *   [informe]                                        ; for every table
 *   enunciado = Durante {{periodo}} se ...           ; the sentence (below)
 *   columnas = no, fecha, informacion, entregados    ; which, in this order
 *   encabezado.fecha = Fecha de envío                ; a column's heading
 *   [lista diaspora]                                 ; one list (or "a,b")
 *   nombre = la base de contactos de Voto Chilango   ; for the sentence
 *   titulo = Base de contactos de Voto Chilango      ; table heading (optional)
 *   agrupar = envio | mes                            ; rows per mailing or month
 *   enunciado, columnas, encabezado.COLUMNA          ; as in [informe]
 *   [campaña corazon-chilango]                       ; or [campana ...]
 *   nombre = Corazón Chilango
 *   [metas]                                          ; every quarter
 *   [metas 2024]                                     ; the quarters of 2024
 *   [metas 2024T1]                                   ; one quarter (or 2024Q1)
 *   diaspora.comunicaciones = 20    ; communications (rows) to a list
 *   corazon-chilango.ediciones = 3  ; mailings of a campaign
 * The most particular section that sets a target wins for a quarter. The
 * sentence is a Mustache template with: periodo, nombre, comunicaciones and
 * comunicaciones_letra (12, «doce»), envios and envios_letra, temas (rows),
 * buzon (the sending mailbox(es), "" when unknown), and the conditions una
 * (one communication), envios_distintos (sends differ from communications),
 * por_mes (rows by month) and un_tema. The file is trusted configuration,
 * but its strings are still escaped in HTML. */
struct template;
struct report_list {
    char *id, *name, *title;
    enum report_grouping by;
    struct template *sentence; /* NULL: [informe]'s, else the built-in one */
    int columns[REPORT_NCOLS]; /* ncolumns of them, in order; 0: [informe]'s or all */
    int ncolumns;
    char *headings[REPORT_NCOLS]; /* NULL: [informe]'s or the default */
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
    int year, quarter; /* of its [metas] section: 0 for every one */
    int line;          /* in informe.conf */
};
struct report_config {
    char *path;                 /* the file read (for messages) */
    struct report_list general; /* [informe] (id "") */
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
 * ("campaigns/informe.conf:7: ..."; every problem of the file). */
int report_config_load(struct report_config *c, const char *path, struct err *err);
void report_config_release(struct report_config *c);
/* Targets that match nothing: a LIST.comunicaciones whose list has no file
 * under home/contacts and no mailing (sent or recorded), a
 * CAMPAIGN.ediciones whose campaign has no file under home/campaigns and no
 * mailing. 0 when every target matches; -1 with each as "informe.conf:31:
 * ..." in err (ERR_CONFIG). home may be NULL (only the ledger is asked). */
int report_config_check(const struct report_config *c, struct ledger *l, const char *home,
                        struct err *err);

struct report_opts {
    enum report_format format;
    const char *list;                   /* only mailings (and targets) of this list, NULL: all */
    char csv_sep;                       /* ',' or ';' (0: ',') */
    enum report_grouping by;            /* overrides informe.conf for every audience */
    const struct report_config *config; /* NULL: no informe.conf */
    time_t now;                         /* whether the quarter still runs (0: clock_now()) */
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
