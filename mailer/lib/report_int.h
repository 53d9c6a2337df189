/* report_int - what the parts of the quarterly report share; not for other
 * modules (report.h is the report's contract).
 *
 * The report is read from the ledger once into a struct report_data
 * (report_figures.c), then written by one writer per format (report_text.c,
 * report_csv.c, report_md.c, report_json.c, report_html.c) from the cells
 * of report_table.c and the words of report_words.c. informe.conf is read
 * by report_config.c. Every function that writes into a buf returns 0, or
 * -1 when the buf could not grow (out of memory, or its cap): a report is
 * never written with a piece missing.
 */
#ifndef MAILER_REPORT_INT_H
#define MAILER_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "report.h"

struct template;
struct value;

/* Figures of a row, in column order from Destinatarios on. */
enum { V_DEST, V_ENT, V_REB, V_DUROS, V_SUAVES, V_FALL, V_BAJAS, NV };
enum {
    C_NO = REPORT_COL_NO,
    C_FECHA = REPORT_COL_FECHA,
    C_INFO = REPORT_COL_INFO,
    C_DEST = REPORT_COL_DEST,
    NCOLS = REPORT_NCOLS
};
_Static_assert(C_DEST + NV == NCOLS, "a column per figure after Información");

/* Addresses (or names), sorted, each once. */
struct report_strset {
    char **v;
    size_t n;
};

/* One row of a table: a communication. */
struct report_item {
    char *campaign; /* "" for a recorded mailing */
    char *title;
    int month; /* year * 12 + month0 of a by-month row, -1 by mailing */
    time_t *dates;
    size_t ndates;
    long sends;                 /* its mailings (a recorded range is one) */
    int recorded, range;        /* from `mailer history`; dates[0..1] a range */
    long v[NV];                 /* v[V_BAJAS] is unsub.n */
    unsigned unknown;           /* bit k: v[k] is not known (recorded mailings) */
    struct report_strset unsub; /* who unsubscribed after one of its mailings */
    long seq;                   /* order read, for ties */
};

/* The rows of one audience (the lists a mailing went to). */
struct report_audience {
    char *lists;
    enum report_grouping by;
    const struct report_list *conf; /* its [lista] section, or NULL */
    struct report_item *items;
    size_t nitems;
    long *month_rows, *month_sends, *month_delivered; /* per month of the period */
    struct report_strset unsub;                       /* the Total row's Bajas */
    struct report_strset senders;                     /* the From of its mailings */
    struct report_strset sources;                     /* files its recorded rows came from */
    long recorded;                                    /* recorded rows */
    int recorded_recipients;                          /* every recorded row has them */
    int cols[NCOLS];                                  /* the columns shown, in order */
    int ncols;
};

struct report_edition_count {
    char *campaign;
    long n;
};

/* A target of informe.conf that holds for the period, and is shown. */
struct report_shown_target {
    const struct report_target *t;
    long achieved;
};

/* Everything a writer needs, read once. */
struct report_data {
    const struct report_opts *o;
    const struct report_config *cfg; /* never NULL (an empty one) */
    const struct report_period *p;
    int running;    /* the period has begun and not ended */
    int month0;     /* year * 12 + month0 of the period's first month */
    size_t nmonths; /* months the period touches */
    struct report_audience *aud;
    size_t naud;
    struct report_edition_count *eds;
    size_t neds;
    struct report_shown_target *targets;
    size_t ntargets;
    struct template *sentence; /* the built-in sentence */
    struct buf events_json;    /* who did what in the period, oldest first:
                               the JSON report's "events" members */
    long seq;
    int nomem;
};

/* ---- report_config.c ---- */

/* The [lista] section whose id is the len bytes of id, or NULL. */
const struct report_list *report_config_list(const struct report_config *c, const char *id,
                                             size_t len);
const struct report_campaign *report_config_campaign(const struct report_config *c, const char *id);
/* A column by its informe.conf name ("fecha"), or -1; and its name. */
int report_config_column(const char *name);
const char *report_config_column_id(int col);

/* ---- report_figures.c ---- */

/* Read the period's mailings and recorded mailings from the ledger into d
 * (o, cfg, p set). */
int report_figures_collect(struct report_data *d, struct ledger *l, struct err *err);
void report_figures_release(struct report_data *d);
/* year * 12 + month0 of an instant, in Mexico City. */
int report_figures_month_of(time_t t);
/* 1 when want (NULL: any) is one of the comma-separated lists. */
int report_figures_list_matches(const char *lists, const char *want);
/* Communications (rows) and sends (mailings) of an audience. */
long report_figures_rows(const struct report_audience *a);
long report_figures_sends(const struct report_audience *a);
/* The Total row's figures; bit k of *unknown when no row knows v[k]. */
void report_figures_totals(const struct report_audience *a, long v[NV], unsigned *unknown);

/* ---- report_words.c: the office's Spanish ---- */

/* "la base de contactos de Voto Chilango y la Red de Observación"; a list
 * informe.conf does not name is "la lista ID". */
int report_words_audience_name(const struct report_data *d, const char *lists, struct buf *out);
/* The table's heading. */
int report_words_heading(const struct report_data *d, const struct report_audience *a,
                         struct buf *out);
/* The sentence of informe.conf (or the built-in one) for the audience. */
int report_words_sentence(const struct report_data *d, const struct report_audience *a,
                          struct buf *out);
/* The built-in sentence, compiled (NULL when out of memory). */
struct template *report_words_default_sentence(struct err *err);
/* Every name a sentence may use, set to sample values (booleans truth):
 * informe.conf's sentences are tried with it. NULL when out of memory. */
struct value *report_words_sample(int truth);
/* The note under a table with recorded rows ("" when none). */
int report_words_note(const struct report_audience *a, struct buf *out);
/* The Fecha de envío (or Mes) cell of a row. */
int report_words_item_date(const struct report_item *it, struct buf *out);
/* "Comunicaciones a ..." / "Ediciones de ...". */
int report_words_target_label(const struct report_data *d, const struct report_target *t,
                              struct buf *out);
/* Each target the report shows, in order, through row (n: its place, 0
 * for the first, which opens the section). 0, or -1 when a row could not
 * be written. */
typedef int (*report_target_fn)(const struct report_data *d, struct buf *out,
                                const struct report_shown_target *t, const char *label, int n);
int report_words_targets_each(const struct report_data *d, struct buf *out, report_target_fn row);
/* "Cumplida", "En curso" (the period runs), "No cumplida". */
const char *report_words_verdict(const struct report_data *d, long goal, long got);
/* "9 comunicaciones", "1 comunicación", "9 comunicaciones, 11 envíos". */
int report_words_count(const struct report_audience *a, struct buf *out);
/* A whole number in Spanish words («doce», «veintiún», «doscientas»):
 * feminine for comunicaciones, masculine (apocopated) for envíos and
 * temas; digits from a million on. */
int report_words_number(struct buf *out, long n, int feminine);

/* ---- report_table.c: the columns every table shows ---- */

/* The columns of a's table (informe.conf's, else all but Duros / Suaves
 * when no bounce of a has a class), into a->cols. */
void report_table_layout(const struct report_data *d, struct report_audience *a);
/* The heading of a column of a's table. */
const char *report_table_header(const struct report_data *d, const struct report_audience *a,
                                int col);
/* The cells of row i (the Total row when i == a->nitems); an unknown
 * figure is «—». */
int report_table_cells(const struct report_audience *a, size_t i, struct buf cell[NCOLS]);
/* Figure k of a row: its number, or `unknown` when it is not known. */
int report_table_figure(const struct report_item *it, int k, const char *unknown, struct buf *out);
void report_table_cells_init(struct buf cell[NCOLS]);
void report_table_cells_release(struct buf cell[NCOLS]);

/* ---- the writers ---- */

int report_text_write(const struct report_data *d, struct buf *out);
int report_csv_write(const struct report_data *d, struct buf *out);
int report_md_write(const struct report_data *d, struct buf *out);
int report_json_write(const struct report_data *d, struct buf *out);
int report_html_write(const struct report_data *d, struct buf *out);

#endif
