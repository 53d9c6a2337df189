/* compose - one delivery of a campaign edition into the bytes of its message.
 *
 * compose_init() does everything that is the same for every contact once:
 * compiles the subject and the HTML and text templates, loads the edition's
 * content, and builds the variables every message shares (edicion, campana,
 * contenido, baja_url, baja_correo). compose_message() then renders one
 * contact's message. The context stack, lowest first: the campaign's
 * [defaults], the shared variables, the contact's columns (empty columns
 * are left out, so a default fills them).
 */
#ifndef MAILER_COMPOSE_H
#define MAILER_COMPOSE_H

#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "campaign.h"
#include "err.h"
#include "message.h"
#include "sender.h"
#include "template.h"
#include "value.h"

/* The names the mailer fills itself for every message (edicion, campana,
 * contenido, fecha, asunto, baja_url, baja_correo), NULL-terminated: a
 * [defaults] key of one of these names is never used (the mailer's value
 * wins), and a list column of one of these names hides the mailer's value
 * (the contact's columns are looked up first). `mailer check` warns of both.
 * email and nombre come from the contact (contacts.h), not from here. */
extern const char *const compose_reserved[];
/* 1 when name is one of compose_reserved. */
int compose_is_reserved(const char *name);

struct compose {
    const struct campaign *campaign;
    struct edition edition;
    struct template *subject, *report_title, *html, *text;
    struct value *shared;
    struct value *content;
    char *from_name, *from_address, *reply_to, *reply_to_name, *envelope_from, *domain;
    char *list_id, *unsub_mailto, *unsub_url;
    struct message_file *inline_files, *attachments;
    struct buf scratch;
    struct buf r_subject, r_text, r_html; /* compose_message's renderings, kept */
    struct buf shape;                     /* compose_dry: the contact's shape */
    struct buf u_url, u_mailto, u_baja;   /* this recipient's unsubscribe URL, mailto, baja_url */
    char *dry_clean[16];                  /* shapes already checked: nothing missing */
    size_t ndry_clean;
    int verp;                  /* envelope sender local+TOKEN@domain */
    int test;                  /* test send: «[PRUEBA]» subject, no List-Unsubscribe */
    const char *boundary_seed; /* golden tests */
};

/* Compile and load what every message of the edition shares. The sender
 * gives the From (when the campaign sets none), the envelope (bounce
 * address, VERP) and the unsubscribe addresses. */
int compose_init(struct compose *cp, const struct campaign *c, const struct edition *e,
                 const struct sender *s, int test, struct err *err);
void compose_release(struct compose *cp);

/* The subject and report title with no contact (for the mailing row). */
WARN_UNUSED_RESULT int compose_titles(struct compose *cp, struct buf *subject,
                                      struct buf *report_title, struct err *err);

struct compose_contact {
    const char *address, *name;
    const struct value *vars; /* map of the contact's columns, or NULL */
    const char *message_id;
    time_t date;
    const char *token; /* the delivery's unsubscribe token (token.h), or NULL */
};

/* Render one contact's message into out. Names that resolve to nothing are
 * reported to on_missing (may be NULL). Inline images carry the Content-ID
 * "<file name>@<the From's domain>", and the HTML's "cid:<file name>" is
 * written so; a cid: that names no inline image is an error (ERR_DATA). With a token (issue 16) the message
 * says BASE/TOKEN (UNSUBSCRIBE_URL is the base) in List-Unsubscribe and in
 * {{baja_url}}, and its List-Unsubscribe mailto is local+TOKEN@domain; an
 * absent or malformed token leaves the base and the address as set. */
WARN_UNUSED_RESULT int compose_message(struct compose *cp, const struct compose_contact *who,
                                       struct buf *out, template_missing_fn on_missing, void *ud,
                                       struct err *err);
/* Render only subject and bodies, to find missing variables (check); a
 * cid: of the HTML that names no inline image is an error, as in
 * compose_message.
 * Which names a template looks up depends only on the set of the contact's
 * keys and on which of them are truthy (sections), not on the text of
 * scalar values: a contact of the same shape as one already found
 * complete is not rendered again. */
int compose_dry(struct compose *cp, const struct value *vars, template_missing_fn on_missing,
                void *ud, struct err *err);
/* Render only the HTML body for one contact (preview). */
WARN_UNUSED_RESULT int compose_html(struct compose *cp, const struct value *vars, struct buf *out,
                                    struct err *err);
/* The envelope sender for a message: the bounce address, or with VERP
 * local+TOKEN@domain where TOKEN is the Message-ID's local part. */
WARN_UNUSED_RESULT int compose_envelope(const struct compose *cp, const char *message_id,
                                        struct buf *out);
/* Template variables missing for some contacts, gathered while an audience
 * is checked (mailer check) or frozen (send): each name, how many contacts
 * lack it (each contact once), and where the first few are. */
#define COMPOSE_GAPS_MAX 32 /* distinct names kept */
#define COMPOSE_GAP_ROWS 3  /* first rows kept per name */
struct compose_gap {
    char name[96];
    long count;
    long last; /* the contact last counted */
    char first[COMPOSE_GAP_ROWS][160];
};
struct compose_gaps {
    struct compose_gap v[COMPOSE_GAPS_MAX];
    size_t n;
    long seq;        /* contacts begun, from 1 */
    char where[160]; /* "file:line" of the current contact */
};
/* Begin a contact: missing names from now on are counted for it. */
void compose_gaps_contact(struct compose_gaps *g, const char *file, size_t line);
/* A template_missing_fn; ud is the struct compose_gaps. */
void compose_gaps_note(void *ud, const char *name);

/* The contact's columns as JSON for the ledger, empty and null values left
 * out (strings through value_json_string, anything else value_to_json). */
WARN_UNUSED_RESULT int compose_vars_json(const struct value *vars, struct buf *out);
/* Parse what compose_vars_json wrote (a ledger column: untrusted) with
 * value_from_json, whose direct reader takes such flat objects; "ledger" is
 * the origin its errors name. NULL with err set on bad JSON; the caller
 * frees with value_free. */
struct value *compose_vars_parse(const char *json, size_t len, struct err *err);

#endif
