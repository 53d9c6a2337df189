/* token - the unsubscribe token of a delivery, and where a URL carries it.
 *
 * A token is 128 bits from getrandom(2), written as 32 lower-case hex
 * digits: opaque (nothing of the address in it), unguessable, and safe in
 * a header, a URL path and a mailbox's local part without any escaping.
 * Every delivery gets one when the audience is frozen (the ledger stores
 * it, unique); the unsubscribe endpoint finds the delivery by it.
 */
#ifndef MAILER_TOKEN_H
#define MAILER_TOKEN_H

#include <stddef.h>

#define TOKEN_BYTES 16
#define TOKEN_LEN (2 * TOKEN_BYTES)

/* A new token into out (TOKEN_LEN + 1 bytes): 0, or -1 when the system
 * gives no random bytes. */
int token_new(char *out);
/* The inert token number n (n >= 1) into out (TOKEN_LEN + 1 bytes): 16
 * zeros and n in 16 hex digits. Dry runs and previews carry these: well
 * formed, never stored in a ledger, so following one unsubscribes nobody. */
void token_inert(char *out, unsigned long n);
/* 1 when t (a valid token) is an inert one. */
int token_is_inert(const char *t);
/* 1 when s[0..len) is a token: exactly TOKEN_LEN characters of [0-9a-f]. */
int token_valid(const char *s, size_t len);

/* What a request path under the endpoint's base path names. */
enum token_path {
    TOKEN_PATH_NONE,  /* not under the base, or not a token: 404 */
    TOKEN_PATH_TOKEN, /* BASE/TOKEN */
};
/* Parse path (the request's path, no query) against base ("/baja", no
 * trailing slash; "" for the root): TOKEN_PATH_TOKEN and the token copied
 * into token (TOKEN_LEN + 1 bytes) when path is exactly BASE/TOKEN, else
 * TOKEN_PATH_NONE. Never reads past len. */
enum token_path token_path_parse(const char *base, const char *path, size_t len, char *token);

/* The path part of an http(s) URL ("https://h/baja/" -> "/baja"), without
 * its trailing slashes, into out (size bytes): 0, or -1 when url is not
 * http(s)://host[/path] or the path does not fit. */
int token_url_path(const char *url, char *out, size_t size);

/* Find the value of field name in an application/x-www-form-urlencoded
 * body[0..len), percent-decoded into out (size bytes, NUL-terminated):
 * 0 found, 1 absent, -1 malformed (bad escape, NUL, too long). */
int token_form_field(const char *body, size_t len, const char *name, char *out, size_t size);

#endif
