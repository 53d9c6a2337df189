/* web - the unsubscribe endpoint (`mailer serve`), on libmicrohttpd.
 *
 * Only this module includes <microhttpd.h>. It answers, under the path of
 * UNSUBSCRIBE_URL (the public base, e.g. https://www.votochilango.example/baja
 * -> "/baja"), behind the institute's nginx or Apache terminating TLS:
 *
 *   POST BASE/TOKEN  List-Unsubscribe=One-Click (RFC 8058): recorded at once
 *                    for the delivery's list; 200, empty, no cookie, no redirect
 *   GET  BASE/TOKEN  a Spanish page naming the mailing and the list, with a form:
 *                    «solo esta lista» | «todas las comunicaciones del IECM»
 *   POST BASE/TOKEN  alcance=lista|todas (the form): recorded; a confirmation
 *                    page with «me di de baja por error» (accion=deshacer),
 *                    which takes back what this token recorded for WEB_UNDO_DAYS
 *
 * A GET never changes anything. An unknown token, a token of a test send, and
 * any malformed path give the same neutral 404 page. The token (128 random
 * bits, token.h) is the only credential: it is in the URL the person got, so
 * a cross-site form cannot know it; besides, a form POST whose Origin (or
 * Sec-Fetch-Site) says another site is refused with 403. Other methods: 405;
 * bodies over 2 KiB: 413; URLs over 512 bytes: 414 (longer than the 8 KiB of
 * request memory: libmicrohttpd's own 414/431); connections, per-address
 * connections and idle time are limited (web.c). Every answer carries
 * Content-Security-Policy (a nonce per page, no script), nosniff,
 * Cache-Control: no-store, Referrer-Policy: no-referrer, and
 * frame-ancestors 'none'. One log line per request, without the address.
 *
 * Beside `send`: the ledger connection waits up to 10 s for a lock
 * (busy timeout); a write that still fails is tried again 3 times, then the
 * answer is 503 with Retry-After, so an unsubscribe is never reported done
 * and lost.
 */
#ifndef MAILER_WEB_H
#define MAILER_WEB_H

#include <signal.h>
#include <stdio.h>

#include "err.h"
#include "ledger.h"

#define WEB_UNDO_DAYS 7
#define WEB_BODY_MAX 2048
#define WEB_URL_MAX 512

struct web_opts {
    const char *listen;   /* "HOST:PORT" ("[::1]:8025" for IPv6) */
    const char *base_url; /* UNSUBSCRIBE_URL */
    struct ledger *ledger;
    FILE *log; /* one line per request; NULL: none */
    volatile sig_atomic_t *stop;
    /* How the pages name a list for people ("la base de contactos de Voto
     * Chilango", from informe.conf); NULL, or a NULL answer: «la lista ID».
     * Called from libmicrohttpd's thread. */
    const char *(*list_name)(void *ud, const char *list);
    void *list_ud;
};

/* Whether listen is a HOST:PORT to listen on (a port 1..65535, a host that
 * resolves): 0, or -1 with err set (ERR_USAGE, naming --listen). */
int web_listen_check(const char *listen, struct err *err);
/* Serve until *stop becomes non-zero. -1 with err set when the listening
 * address is bad or cannot be bound. */
int web_serve(const struct web_opts *o, struct err *err);

#endif
