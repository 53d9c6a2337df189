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
#include <time.h>

#include "buf.h"
#include "report.h"

/* Figures of a row, in column order from Destinatarios on. */
enum { V_DEST, V_ENT, V_REB, V_DUROS, V_SUAVES, V_FALL, V_BAJAS, NV };

/* Addresses, sorted, each once. */
struct report_strset {
    char **v;
    size_t n;
};

/* One row of a table. */
struct report_item {
    char *campaign;
    char *title;
    int month; /* year * 12 + month0 of a by-month row, -1 by mailing */
    time_t *dates;
    size_t ndates;
    long v[NV];                 /* v[V_BAJAS] is unsub.n */
    struct report_strset unsub; /* who unsubscribed after one of its mailings */
};

/* The rows of one audience (the lists a mailing went to). */
struct report_audience {
    char *lists;
    enum report_grouping by;
    struct report_item *items;
    size_t nitems;
    long *month_mailings, *month_delivered; /* per month of the period */
    struct report_strset unsub;             /* the Total row's Bajas */
};

struct report_edition_count {
    char *campaign;
    long n;
};

/* Everything a writer needs, read once. */
struct report_data {
    const struct report_opts *o;
    const struct report_config *cfg; /* never NULL (an empty one) */
    const struct report_period *p;
    int month0;     /* year * 12 + month0 of the period's first month */
    size_t nmonths; /* months the period touches */
    struct report_audience *aud;
    size_t naud;
    struct report_edition_count *eds;
    size_t neds;
    int nomem;
};

/* ---- report_config.c ---- */

/* The [lista] section whose id is the len bytes of id, or NULL. */
const struct report_list *report_config_list(const struct report_config *c, const char *id,
                                             size_t len);
const struct report_campaign *report_config_campaign(const struct report_config *c, const char *id);

/* ---- report_figures.c ---- */

/* Read the period's mailings from the ledger into d (o, cfg, p set). */
int report_figures_collect(struct report_data *d, struct ledger *l, struct err *err);
void report_figures_release(struct report_data *d);
/* year * 12 + month0 of an instant, in Mexico City. */
int report_figures_month_of(time_t t);
/* 1 when want (NULL: any) is one of the comma-separated lists. */
int report_figures_list_matches(const char *lists, const char *want);
/* Mailings of an audience (every date of every row). */
long report_figures_mailings(const struct report_audience *a);
/* The Total row's figures. */
void report_figures_totals(const struct report_audience *a, long v[NV]);

/* One target the report shows: its label, what was achieved, and its place
 * among those shown (0: the first, which opens the section). */
typedef int (*report_target_fn)(struct buf *out, const struct report_target *t, const char *label,
                                long got, int n);
/* Each target the report shows, in order, through row; how many (in *n),
 * 0, or -1 when a row could not be written. */
int report_figures_targets_each(const struct report_data *d, struct buf *out, report_target_fn row,
                                int *n);

/* ---- report_words.c: the office's Spanish ---- */

/* "la base de contactos de Voto Chilango y la Red de Observación"; a list
 * informe.conf does not name is "la lista ID". */
int report_words_audience_name(const struct report_data *d, const char *lists, struct buf *out);
/* The table's heading. */
int report_words_heading(const struct report_data *d, const struct report_audience *a,
                         struct buf *out);
/* «Durante el primer trimestre de 2024 se distribuyeron ...». */
int report_words_sentence(const struct report_data *d, const struct report_audience *a,
                          struct buf *out);
/* The Fecha de envío (or Mes) cell of a row. */
int report_words_item_date(const struct report_item *it, struct buf *out);
/* "Comunicaciones a ..." / "Ediciones de ...". */
int report_words_target_label(const struct report_data *d, const struct report_target *t,
                              struct buf *out);
/* "Cumplida" / "No cumplida". */
const char *report_words_verdict(long goal, long got);

/* ---- report_table.c: the columns every table shows ---- */

enum { C_NO, C_FECHA, C_INFO, C_DEST, NCOLS = C_DEST + NV };

/* The heading of a column of a's table. */
const char *report_table_header(const struct report_audience *a, int col);
/* 1 when a's table shows the column. */
int report_table_shown(const struct report_audience *a, int col);
/* The cells of row i (the Total row when i == a->nitems). */
int report_table_cells(const struct report_audience *a, size_t i, struct buf cell[NCOLS]);
void report_table_cells_init(struct buf cell[NCOLS]);
void report_table_cells_release(struct buf cell[NCOLS]);

/* ---- the writers ---- */

int report_text_write(const struct report_data *d, struct buf *out);
int report_csv_write(const struct report_data *d, struct buf *out);
int report_md_write(const struct report_data *d, struct buf *out);
int report_json_write(const struct report_data *d, struct buf *out);
int report_html_write(const struct report_data *d, struct buf *out);

#endif
