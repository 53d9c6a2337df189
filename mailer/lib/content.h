/* content - an edition's content: Markdown bulletins, digest items.
 * (Contract; the implementation comes with the templates work.) */
#ifndef MAILER_CONTENT_H
#define MAILER_CONTENT_H

#include "err.h"
#include "value.h"

/* Load an edition's content file. For .md: a map {"html", "texto",
 * "titulo"}; for digest .json / .csv: {"items": [...], "regiones":
 * [{"region", "items"}]}. NULL with err set (ERR_NOINPUT when the file is
 * missing, ERR_DATA with file:line when it is malformed). */
struct value *content_load(const char *path, int allow_raw_html, struct err *err);

#endif
