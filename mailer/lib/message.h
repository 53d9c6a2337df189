/* message - one personalized MIME message, built with libetpan.
 *
 * Every string in a message_spec may come from a contact list or a template
 * and is untrusted: names and subject are RFC 2047-encoded, addresses are
 * refused if they hold CR, LF, NUL or anything not valid in an envelope
 * address, so no input can add a header or end the header block. Bodies are
 * quoted-printable (text) or base64 (files), lines CRLF and never longer
 * than 998 octets. The output is 7-bit.
 */
#ifndef MAILER_MESSAGE_H
#define MAILER_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "err.h"

struct message_file {
    const char *path;       /* file to read */
    const char *filename;   /* name shown to the reader (UTF-8); NULL: basename of path */
    const char *content_id; /* inline image referenced as cid:...; NULL for attachments */
};

struct message_spec {
    const char *from_name; /* display name, UTF-8, may be NULL */
    const char *from_address;
    const char *to_name; /* contact's name, may be NULL or "" */
    const char *to_address;
    const char *reply_to; /* address or NULL */
    const char *subject;  /* rendered subject, UTF-8 */
    const char *text;     /* text/plain body, UTF-8 */
    size_t text_len;
    const char *html; /* text/html body, UTF-8; NULL: text only */
    size_t html_len;
    const char *message_id; /* without angle brackets */
    time_t date;
    const char *list_id;            /* e.g. "Corazón Chilango <corazon-chilango.example.org>"; NULL: none */
    const char *unsubscribe_mailto; /* address for List-Unsubscribe; NULL: no List-Unsubscribe */
    const char *unsubscribe_url;    /* https URL, adds List-Unsubscribe-Post; NULL: none */
    const struct message_file *inline_files;
    size_t ninline;
    const struct message_file *attachments;
    size_t nattachments;
    const char *boundary_seed; /* non-NULL: deterministic boundaries (golden tests) */
};

/* Build the message into out (appended). -1 with err set (ERR_DATA) when a
 * field is unusable (an address with CR/LF, an unknown attachment type, a
 * file that cannot be read). */
int message_build(const struct message_spec *m, struct buf *out, struct err *err);

/* A Message-ID (no angle brackets) stable for (mailing, address) on domain:
 * the same inputs give the same ID, so a re-send carries the same ID. */
int message_id_make(struct buf *out, int64_t mailing_id, const char *address, const char *domain);

#endif
