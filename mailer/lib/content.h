/* content - the content of an edition, as template data.
 *
 * A bulletin edition is Markdown (CommonMark, rendered with cmark, which
 * only this module includes): it becomes HTML for the HTML part and a
 * readable plain text for the text part (wrapped at 72 characters, links as
 * numbered references "[1]" listed under "Enlaces:" at the end). Raw HTML in
 * the Markdown is dropped unless the campaign allows it.
 *
 * A digest edition (Pulso Internacional) is a list of items, each with
 * date, title, source, url, summary and region, from a JSON file (a list of
 * objects, or {"items": [...]}) or a CSV file with a header row (UTF-8,
 * optional BOM, ',', ';' or tab separated, read by csvread: RFC 4180
 * quoting, strictly; Spanish headers fecha, título, fuente, enlace,
 * resumen, región are accepted).
 *
 * All input files are untrusted: sizes are capped and errors name
 * file:line.
 */
#ifndef MAILER_CONTENT_H
#define MAILER_CONTENT_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "value.h"

/* Load an edition's content by extension:
 *   .md              {"html": ..., "texto": ..., "titulo": first heading or ""};
 *                    when the text begins with a level-1 heading ("# Título"),
 *                    that heading is the title only: html and texto start
 *                    after it, so a template shows it once
 *   .json / .csv     {"items": [item...], "total": N,
 *                     "regiones": [{"region": R, "items": [item...]}...]}
 * where an item is {"date", "title", "source", "url", "summary", "region",
 * plus any other column}; regions are in first-seen order, items without a
 * region go to "Otras regiones". The caller frees the result with
 * value_free(). NULL with err set: ERR_NOINPUT (no file), ERR_DATA (bad
 * content, "file:line: ..."). */
struct value *content_load(const char *path, int allow_raw_html, struct err *err);

/* Markdown text (untrusted) to the map content_load gives for .md. */
struct value *content_markdown(const char *text, size_t len, const char *origin, int allow_raw_html,
                               struct err *err);

/* Digest items from CSV or JSON text (untrusted) to the map content_load
 * gives for .csv / .json. */
struct value *content_digest_csv(const char *text, size_t len, const char *origin, struct err *err);
struct value *content_digest_json(const char *text, size_t len, const char *origin,
                                  struct err *err);

/* Append text wrapped so each line, prefix included, has at most width
 * characters (counted as UTF-8 characters, not bytes; words are never
 * split, so a word longer than the line stands alone on its line). Every
 * line starts with prefix (the first with first_prefix) and ends with
 * "\n"; "\n" in text forces a break. */
WARN_UNUSED_RESULT int content_wrap(struct buf *out, const char *text, size_t len, size_t width,
                                    const char *first_prefix, const char *prefix);

#endif
