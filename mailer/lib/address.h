/* address - is this e-mail address usable as an SMTP envelope address?
 *
 * Validates per RFC 5321 (Mailbox = Local-part "@" ( Domain / address-literal )),
 * not everything RFC 5322 tolerates: comments, folding whitespace, display
 * names, obsolete forms (quoted or CFWS-separated words, domain literals
 * other than IPv4/IPv6) are refused, and so is any control character (CR,
 * LF, NUL, TAB...) because an address ends up in an SMTP command and in
 * headers, where CR/LF would inject commands. Local parts are ASCII (no
 * SMTPUTF8); internationalized domains are converted to A-labels with libidn2.
 * Limits: local part <= 64 octets, whole address <= 254 octets (RFC 5321
 * 4.5.3.1 with the 256-octet path minus the angle brackets), labels <= 63.
 *
 * Only this module includes libidn2. The input is untrusted; nothing is
 * allocated: results are fixed-size arrays in the caller's struct.
 */
#ifndef MAILER_ADDRESS_H
#define MAILER_ADDRESS_H

#include <stddef.h>

#define ADDRESS_MAX 254
#define ADDRESS_LOCAL_MAX 64

struct address_result {
    int valid;
    const char *reason;  /* static text saying what is wrong; NULL when valid */
    const char *warning; /* valid, but changed: static text saying how; else NULL */
    /* Envelope form: surrounding whitespace trimmed, domain lower-case and
     * IDN as A-label, a quoted local part unquoted when it needs no quotes. */
    char normalized[ADDRESS_MAX + 1];
    char key[ADDRESS_MAX + 1];  /* dedupe key: normalized, lower-cased */
    char hint[ADDRESS_MAX + 1]; /* "did you mean" address, "" when none */
};

/* Check in[0..len) (untrusted, may hold NULs). Returns 1 when valid, 0 when
 * not (r->reason says why; r->hint may still suggest a fix). The normalized
 * form and key are filled only when valid. What people paste is understood:
 * a "mailto:" prefix is removed (valid, r->warning says so); two addresses
 * in one cell ("a@x.com; b@y.com", Google's "a@x.com ::: b@y.com") are
 * invalid, with the first as the hint (the mailer never picks one itself). */
int address_check(const char *in, size_t len, struct address_result *r);

/* Suggest a fix for a likely misspelled domain of a common provider
 * ("gmial.com" -> "gmail.com"). domain is lower-case ASCII; returns a static
 * string or NULL. A hint only: the address is never changed. */
const char *address_domain_hint(const char *domain, size_t len);

/* Split a From or Reply-To as written in settings and campaign files,
 * "Name <addr>", "\"Name\" <addr>" or "addr" (trusted configuration), into
 * *name ("" when none) and *address; the caller frees both. -1 when out of
 * memory (both NULL then). */
int address_split_display(const char *s, char **name, char **address);

#endif
