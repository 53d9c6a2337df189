/* template - Mustache templates: compile once, render many.
 *
 * Implements the Mustache specification (comments, delimiters,
 * interpolation, inverted, partials, sections) and the ~inheritance module
 * ({{<parent}} / {{$block}}). No lambdas, no dynamic names. Template text is
 * trusted to the extent that it comes from the project's own files, but
 * errors in it are reported as file:line:column with the offending line and
 * a caret. Rendering never fails on missing data: a name that resolves to
 * nothing renders empty and is reported to on_missing, so callers can refuse
 * to send "Hola ," to anyone.
 *
 * Limits (errors, never a crash): 4 MiB per template or partial, 100 nested
 * sections in one template, 1000 distinct partials, 400 levels of sections
 * and partials while rendering (so a partial that includes itself without
 * end fails cleanly), output up to the out buffer's cap.
 */
#ifndef MAILER_TEMPLATE_H
#define MAILER_TEMPLATE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "value.h"

enum template_escape {
    TEMPLATE_ESCAPE_HTML, /* {{x}} is HTML-escaped (& < > " ') */
    TEMPLATE_ESCAPE_NONE, /* text templates and subjects */
};

/* Where partials and parents come from. find() appends the text of partial
 * `name` to out and its origin (for error messages, e.g. a path) to origin,
 * returning 0; 1 when there is no such partial (renders empty, per the spec);
 * -1 on error with err set. */
struct template_partials {
    int (*find)(void *ud, const char *name, struct buf *out, struct buf *origin, struct err *err);
    void *ud;
};

struct template;

/* Compile src (origin names it in errors). partials may be NULL. Every
 * partial reachable from the template is compiled now, so render never reads
 * files. NULL with err set (ERR_DATA) on a syntax error. */
struct template *template_compile(const char *src, size_t len, const char *origin,
                                  enum template_escape escape,
                                  const struct template_partials *partials, struct err *err);
/* Compile a file; escaping from its name (.html.mustache / .html: HTML,
 * .txt.mustache / .txt: none, anything else: HTML); partials from
 * partials_dir/NAME.mustache (NULL: the file's own directory/partials).
 * Unlike template_compile(), a partial or parent that does not exist is an
 * error (file:line:column of the tag): a campaign must not lose a block
 * silently. ERR_NOINPUT when path does not exist. */
struct template *template_compile_file(const char *path, const char *partials_dir, struct err *err);

enum template_flags {
    TEMPLATE_MISSING_PARTIAL_OK = 1, /* a missing partial renders empty, per the spec */
};
/* template_compile_file() with flags (enum template_flags). */
struct template *template_compile_file_flags(const char *path, const char *partials_dir,
                                             unsigned flags, struct err *err);
/* The escaping template_compile_file() uses for a file name. */
enum template_escape template_escape_for(const char *path);
void template_free(struct template *t);

/* Called once per interpolation whose name resolved to nothing (no frame
 * of the stack has it, a dotted name broke off, or the value is null); name
 * is the name as written in the template ("contacto.nombre"). */
typedef void (*template_missing_fn)(void *ud, const char *name);

/* Render with a context stack: stack[0] is the bottom (looked up last),
 * stack[depth-1] the top. A name whose value is null in a frame is looked
 * up further down (null is "not set here": a contact's empty cell leaves the
 * campaign's default visible). Output is appended to out (its cap bounds the
 * result: exceeding it is an error, ERR_DATA). Recursion through partials
 * is capped (ERR_DATA). The template may be rendered by several threads at
 * once: render does not modify it. on_missing may be NULL. On error, out
 * keeps what was rendered before it: discard it. */
WARN_UNUSED_RESULT int template_render(const struct template *t, const struct value *const *stack,
                                       size_t depth, struct buf *out,
                                       template_missing_fn on_missing, void *ud, struct err *err);

#endif
