/* message - one personalized MIME message, built with libetpan.
 *
 * Every string in a message_spec may come from a contact list or a template
 * and is untrusted: names and subject are RFC 2047-encoded, addresses are
 * refused if they hold CR, LF, NUL or anything not valid in an envelope
 * address, so no input can add a header or end the header block. Bodies are
 * quoted-printable (text) or base64 (files), lines CRLF and never longer
 * than 998 octets. The output is 7-bit.
 *
 * What is written:
 * - Structure: text/plain alone when html is NULL; else multipart/alternative
 *   (text/plain, then text/html), inside multipart/related when inline_files
 *   are given, inside multipart/mixed when attachments are given.
 * - Headers, in order: Date, From, Reply-To, To, Message-ID, Subject,
 *   List-Id, List-Unsubscribe (<mailto:ADDR?subject=unsubscribe>, plus
 *   <URL> when unsubscribe_url is set), List-Unsubscribe-Post:
 *   List-Unsubscribe=One-Click (RFC 8058, only with the URL), MIME-Version.
 *   No List-Unsubscribe at all when unsubscribe_mailto is NULL (test sends).
 * - Date: spec->date in Mexico City time by the zone's rules for that date
 *   (summer time until October 2022), e.g. "Fri, 21 Nov 2025 18:00:00 -0600",
 *   "Thu, 08 Jul 2021 12:00:00 -0500".
 * - Names, subject and the List-Id phrase go through rfc2047 (CR/LF/TAB
 *   become spaces, other controls U+FFFD; see rfc2047.h).
 * - Attachment names: libetpan cannot write RFC 2231 (filename*=), so the
 *   name= and filename= parameters hold RFC 2047 encoded words inside the
 *   quoted string, which Gmail, Outlook and Thunderbird decode (not tested here).
 *   (Python's email decodes it too, and notes a header defect for it.)
 * - MIME type from the shown name's extension (pdf png jpg jpeg gif webp
 *   svg txt csv html htm ics doc docx xls xlsx ppt pptx odt ods zip mp3 m4a
 *   mp4); any other extension is an error, never a guess. An iCalendar file
 *   is "text/calendar; charset=utf-8; method=PUBLISH" (or REQUEST, as its
 *   METHOD says), which calendar programs need to offer "add to calendar".
 * - Reply-To keeps its display name (RFC 2047 when not ASCII).
 * - Boundaries "=_vcN_<16 hex>": "=_" cannot occur in QP or base64 text,
 *   so a boundary never collides with a body line. Random per message, or
 *   derived from boundary_seed (golden tests).
 */
#ifndef MAILER_MESSAGE_H
#define MAILER_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "err.h"

/* The largest message message_build writes (25 MiB, encoded, headers
 * included: what Gmail and most providers accept); bigger is an error. */
#define MESSAGE_MAX (25u * 1024 * 1024)

struct message_file {
    const char *path;       /* file to read */
    const char *filename;   /* name shown to the reader (UTF-8); NULL: basename of path */
    const char *content_id; /* inline image referenced as cid:...; NULL for attachments */
    /* the file's base64 text, read and encoded once for a whole mailing by
     * message_file_load(); NULL: path is read and encoded for each message */
    char *encoded;
    size_t encoded_len;
    /* an iCalendar file's METHOD (message_file_load reads it): "REQUEST"
     * or "PUBLISH" (also when the file says none, or was not loaded) */
    const char *calendar_method;
};

/* Read mf->path now and keep its base64 text in mf (freed by
 * message_file_release): every message of the mailing then carries the same
 * bytes, without reading the file again. ERR_DATA when it cannot be read or
 * is larger than a message may be. */
int message_file_load(struct message_file *mf, struct err *err);
void message_file_release(struct message_file *mf);

struct message_spec {
    const char *from_name; /* display name, UTF-8, may be NULL */
    const char *from_address;
    const char *to_name; /* contact's name, may be NULL or "" */
    const char *to_address;
    const char *reply_to;      /* address or NULL */
    const char *reply_to_name; /* its display name (UTF-8), or NULL */
    const char *subject;       /* rendered subject, UTF-8 */
    const char *text;          /* text/plain body, UTF-8 */
    size_t text_len;
    const char *html; /* text/html body, UTF-8; NULL: text only */
    size_t html_len;
    const char *message_id; /* without angle brackets */
    time_t date;
    const char *list_id; /* e.g. "Corazón Chilango <corazon-chilango.example.org>"; NULL: none */
    const char *unsubscribe_mailto; /* address for List-Unsubscribe; NULL: no List-Unsubscribe */
    const char *unsubscribe_url;    /* https URL, adds List-Unsubscribe-Post; NULL: none */
    const struct message_file *inline_files;
    size_t ninline;
    const struct message_file *attachments;
    size_t nattachments;
    const char *boundary_seed; /* non-NULL: deterministic boundaries (golden tests) */
};

/* Build the message into out (appended): the exact bytes to submit, CRLF
 * line ends, ending in CRLF, ready for SMTP DATA or an .eml file. -1 with
 * err set (ERR_DATA) when a field is unusable (an address with CR/LF, an
 * unknown attachment type, a file that cannot be read, a body that is not
 * UTF-8, out's cap too small); out is then unchanged. text and html are
 * not copied; they only need to live during the call. */
int message_build(const struct message_spec *m, struct buf *out, struct err *err);

/* A Message-ID (no angle brackets) stable for (mailing, address) on domain:
 * the same inputs give the same ID, so a re-send carries the same ID.
 * Form: "m<mailing>.<h>@<domain>", h = 16 hex digits of the 64-bit FNV-1a
 * of "<mailing>:<address in lowercase>". -1 (errno EINVAL) when domain is
 * not a plain DNS name with a dot; appends to out. */
int message_id_make(struct buf *out, int64_t mailing_id, const char *address, const char *domain);
/* The same with the ledger's instance id (16 hex digits, ledger.h), so that
 * two ledgers never give the same Message-ID:
 * "m<mailing>.<instance>.<h>@<domain>" (instance NULL or "": as above). */
int message_id_make_in(struct buf *out, const char *instance, int64_t mailing_id,
                       const char *address, const char *domain);

#endif
