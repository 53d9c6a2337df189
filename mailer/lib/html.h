/* html - the one HTML escaper: text into HTML, safe in an element and in a
 * quoted attribute.
 *
 * & < > " ' become &amp; &lt; &gt; &quot; &#39; (as Mustache escapes {{x}});
 * everything else, UTF-8 included, is copied as it is. Used by template's
 * {{x}}, serve's pages (web.c) and the report's HTML writer.
 */
#ifndef MAILER_HTML_H
#define MAILER_HTML_H

#include <stddef.h>

#include "buf.h"

/* s[0..len) (untrusted) escaped onto out; 0, or -1 when out is full (out
 * is then as it was). */
WARN_UNUSED_RESULT int html_escape(struct buf *out, const char *s, size_t len);
/* The same for the string s (untrusted). */
WARN_UNUSED_RESULT int html_escape_str(struct buf *out, const char *s);

#endif
