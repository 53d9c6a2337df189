/* web - the unsubscribe endpoint (`mailer serve`), on libmicrohttpd. */
#include "web.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "html.h"
#include "token.h"

#include "banned.h"

#define CONN_LIMIT 256
#define PER_IP_LIMIT 64 /* behind a proxy every request comes from it */
#define IDLE_TIMEOUT 10 /* seconds without a byte: the connection is closed */
#define REQ_MEMORY (8 * 1024)
#define WRITE_TRIES 4

struct web {
    const struct web_opts *o;
    char base[256];   /* the path served, "/baja" */
    char origin[256]; /* "https://www.votochilango.example": forms must come from it */
};

/* One request's state between the calls of the access handler. */
struct req {
    char body[WEB_BODY_MAX + 1];
    size_t len;
    int too_big;
};

/* ---- pages ---- */

static const char style[] =
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1d1d1b;background:#f4f1f6;line-height:1.5}"
    "header{background:#6a1b9a;color:#fff;padding:1rem 1.5rem;font-weight:700}"
    "main{max-width:36rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;"
    "border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}"
    "h1{font-size:1.4rem;color:#6a1b9a;margin-top:0}"
    "fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}"
    "label{display:block;padding:.4rem 0;font-size:1.05rem}"
    "button{background:#6a1b9a;color:#fff;border:0;border-radius:6px;padding:.7rem 1.4rem;"
    "font-size:1rem;cursor:pointer}"
    "button:focus,input:focus{outline:3px solid #f5a623;outline-offset:2px}"
    "button.sec{background:#fff;color:#6a1b9a;border:2px solid #6a1b9a}"
    "footer{max-width:36rem;margin:0 auto 2rem;font-size:.85rem;color:#555;padding:0 2rem}";

/* The head and header of every page; nonce for the style (CSP). */
static int page_open(struct buf *b, const char *title, const char *nonce)
{
    return buf_addstr(b,
                      "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<meta name=\"robots\" content=\"noindex\">\n<title>") ||
           html_escape_str(b, title) ||
           buf_addf(b, " · IECM</title>\n<style nonce=\"%s\">%s</style>\n</head>\n<body>\n", nonce,
                    style) ||
           buf_addstr(b, "<header>Instituto Electoral de la Ciudad de México · Voto Chilango"
                         "</header>\n<main>\n");
}

static int page_close(struct buf *b)
{
    return buf_addstr(b, "</main>\n<footer>Si tiene dudas, escriba a la dirección desde la que "
                         "recibió el mensaje.</footer>\n</body>\n</html>\n");
}

static int page_not_found(struct buf *b, const char *nonce)
{
    return page_open(b, "Enlace no válido", nonce) ||
           buf_addstr(b, "<h1>Este enlace no es válido</h1>\n<p>El enlace está incompleto o ya no "
                         "existe. Si quiere dejar de recibir nuestros mensajes, use el enlace "
                         "«darme de baja» del mensaje más reciente que recibió.</p>\n") ||
           page_close(b);
}

/* "ana@example.org" -> "a•••@example.org": the person sees which address,
 * a reader over the shoulder does not get it. */
static int masked(struct buf *b, const char *address)
{
    const char *at = strrchr(address, '@');

    if (!at || at == address)
        return buf_addstr(b, "•••");
    return buf_addch(b, address[0]) || buf_addstr(b, "•••") || html_escape_str(b, at);
}

/* The audience of a delivery for people: its list's name (informe.conf),
 * else «la lista ID» (the campaign's id for a delivery without a list). */
static int audience(struct buf *b, const struct web *w, const struct ledger_token *t)
{
    const char *id = *t->list ? t->list : t->campaign;
    const char *name = w->o->list_name ? w->o->list_name(w->o->list_ud, id) : NULL;

    if (name && *name)
        return html_escape_str(b, name);
    return buf_addstr(b, "la lista «") || html_escape_str(b, id) || buf_addstr(b, "»");
}

static int page_form(struct buf *b, const char *nonce, const struct web *w,
                     const struct ledger_token *t, const char *action)
{
    const char *what = *t->title ? t->title : t->subject;

    return page_open(b, "Darse de baja", nonce) ||
           buf_addstr(b, "<h1>¿Dejar de recibir estos mensajes?</h1>\n<p>La dirección ") ||
           masked(b, t->address) || buf_addstr(b, " recibe «") || html_escape_str(b, what) ||
           buf_addstr(b, "» como parte de <strong>") || audience(b, w, t) ||
           buf_addstr(b, "</strong>.</p>\n<form method=\"post\" action=\"") ||
           html_escape_str(b, action) ||
           buf_addstr(b, "\">\n<fieldset>\n<legend>¿De qué quiere darse de baja?</legend>\n"
                         "<label><input type=\"radio\" name=\"alcance\" value=\"lista\" checked> "
                         "Solo esta lista (") ||
           audience(b, w, t) ||
           buf_addstr(b, ")</label>\n<label><input type=\"radio\" name=\"alcance\" "
                         "value=\"todas\"> Todas las comunicaciones del IECM</label>\n"
                         "</fieldset>\n<button type=\"submit\">Confirmar la baja</button>\n"
                         "</form>\n<p>Nada cambia hasta que confirme.</p>\n") ||
           page_close(b);
}

static int page_done(struct buf *b, const char *nonce, const struct web *w,
                     const struct ledger_token *t, int all, const char *action)
{
    return page_open(b, "Baja registrada", nonce) ||
           buf_addstr(b, "<h1>Listo: su baja quedó registrada</h1>\n<p>") ||
           (all ? buf_addstr(b, "Ya no recibirá comunicaciones del IECM en esta dirección.")
                : (buf_addstr(b, "Ya no recibirá los mensajes de <strong>") || audience(b, w, t) ||
                   buf_addstr(b, "</strong> en esta dirección."))) ||
           buf_addf(b, " Si un envío ya estaba en camino, puede llegarle un último mensaje.</p>\n"
                       "<form method=\"post\" action=\"") ||
           html_escape_str(b, action) ||
           buf_addf(b,
                    "\">\n<input type=\"hidden\" name=\"accion\" value=\"deshacer\">\n"
                    "<p>¿Fue un error? Puede deshacerlo durante %d días.</p>\n"
                    "<button type=\"submit\" class=\"sec\">Me di de baja por error</button>\n"
                    "</form>\n",
                    WEB_UNDO_DAYS) ||
           page_close(b);
}

static int page_undone(struct buf *b, const char *nonce, long removed)
{
    return page_open(b, "Baja deshecha", nonce) ||
           buf_addstr(b, removed ? "<h1>Su baja se deshizo</h1>\n<p>Seguirá recibiendo nuestros "
                                   "mensajes en esta dirección.</p>\n"
                                 : "<h1>No hay una baja reciente que deshacer</h1>\n<p>Si quiere "
                                   "volver a recibir nuestros mensajes, escríbanos.</p>\n") ||
           page_close(b);
}

/* ---- answers ---- */

static const char *reason_of(unsigned status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    default:
        return "Service Unavailable";
    }
}

/* One log line: time, method, what the path was, status, what was done;
 * never the address, and of the token only its first 6 characters. */
static void log_line(const struct web *w, const char *method, const char *kind, const char *tok,
                     unsigned status, const char *what)
{
    char when[32], m[12];
    size_t i;

    if (!w->o->log)
        return;
    for (i = 0; method && method[i] && i + 1 < sizeof(m); i++)
        m[i] = method[i] >= 'A' && method[i] <= 'Z' ? method[i] : '?';
    m[i] = '\0';
    clock_iso(clock_now(), when, sizeof(when));
    fprintf(w->o->log, "%s %s %s%s%.6s%s %u %s\n", when, m, kind, tok ? "/" : "", tok ? tok : "",
            tok ? "…" : "", status, what);
    fflush(w->o->log);
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *ctype,
                              struct buf *body, const char *nonce)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body ? body->len : 0, body ? body->data : (void *)"", MHD_RESPMEM_MUST_COPY);
    char csp[256];
    enum MHD_Result rc;

    if (!r)
        return MHD_NO;
    snprintf(csp, sizeof(csp),
             "default-src 'none'; style-src 'nonce-%s'; form-action 'self'; "
             "frame-ancestors 'none'; base-uri 'none'",
             nonce);
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    /* same-origin, not no-referrer: the token never leaves for another site,
     * and the page's own form POST still carries its real Origin (under
     * no-referrer a browser sends "Origin: null", which cross_site refuses). */
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    if (status == 405)
        MHD_add_response_header(r, "Allow", "GET, HEAD, POST");
    if (status == 503)
        MHD_add_response_header(r, "Retry-After", "60");
    rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* A short plain answer (errors other than 404, and the one-click 200). */
static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *nonce)
{
    struct buf b = BUF_INIT;
    enum MHD_Result rc;

    if (status != 200 && buf_addf(&b, "%u %s\n", status, reason_of(status)))
        buf_reset(&b); /* out of memory: the status alone says it */
    rc = answer(c, status, "text/plain; charset=utf-8", &b, nonce);
    buf_release(&b);
    return rc;
}

static enum MHD_Result answer_404(struct MHD_Connection *c, const char *nonce)
{
    struct buf b = BUF_INIT;
    enum MHD_Result rc = MHD_NO;

    if (!page_not_found(&b, nonce))
        rc = answer(c, 404, "text/html; charset=utf-8", &b, nonce);
    buf_release(&b);
    return rc;
}

/* ---- what a request does ---- */

/* The ledger's write for t: the suppression for scope added (removed
 * NULL), or the unsubscribes made from source in the last WEB_UNDO_DAYS
 * undone (how many into *removed). A write that fails is tried again (a
 * send may hold the lock longer than the busy timeout): -1 only when every
 * try failed, so that the answer is 503. */
static int suppress_write(const struct web *w, const struct ledger_token *t, const char *scope,
                          const char *source, long *removed)
{
    struct err err;
    int i, rc = -1;

    for (i = 0; i < WRITE_TRIES && rc < 0; i++) {
        err_init(&err);
        if (i)
            usleep(250 * 1000);
        rc = removed
                 ? ledger_suppress_undo(w->o->ledger, t->address, source,
                                        clock_now() - (time_t)WEB_UNDO_DAYS * 86400, removed, &err)
                 : ledger_suppress_add_scope(w->o->ledger, t->address, scope, "unsubscribe", source,
                                             &err);
        if (rc < 0 && w->o->log)
            fprintf(w->o->log, "serve: %s\n", err.msg.data);
        err_release(&err);
    }
    return rc < 0 ? -1 : 0;
}

/* A form POST from another site (its Origin, or Sec-Fetch-Site) is refused;
 * no Origin at all (curl, an old browser) is let through: the token in the
 * path is what proves the request comes from the message. */
static int cross_site(const struct web *w, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");

    if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
        return 1;
    return origin && strcmp(origin, w->origin) != 0;
}

static enum MHD_Result on_token(const struct web *w, struct MHD_Connection *c, const char *method,
                                const char *tok, const struct req *rq, const char *nonce)
{
    struct ledger_token t;
    struct err err;
    struct buf b = BUF_INIT, action = BUF_INIT, source = BUF_INIT;
    char field[32];
    enum MHD_Result rc = MHD_NO;
    int found, post = !strcmp(method, "POST");
    unsigned status = 200;
    const char *what = "page";

    err_init(&err);
    found = ledger_token_find(w->o->ledger, tok, &t, &err);
    if (found < 0 && w->o->log)
        fprintf(w->o->log, "serve: %s\n", err.msg.data);
    err_release(&err);
    if (found < 0) {
        log_line(w, method, "token", tok, 503, "ledger");
        return answer_text(c, 503, nonce);
    }
    if (found == 1 || t.test) {
        if (!found)
            ledger_token_release(&t);
        log_line(w, method, "token", tok, 404, "unknown");
        return answer_404(c, nonce);
    }
    if (buf_addf(&action, "%s/%s", w->base, tok) ||
        buf_addf(&source, "web:%lld", (long long)t.delivery_id)) {
        status = 503, what = "out of memory";
        rc = answer_text(c, status, nonce);
        goto out;
    }
    if (!post) {
        if (page_form(&b, nonce, w, &t, action.data))
            goto out;
        rc = answer(c, 200, "text/html; charset=utf-8", &b, nonce);
        goto out;
    }
    if (token_form_field(rq->body, rq->len, "List-Unsubscribe", field, sizeof(field)) == 0) {
        /* RFC 8058: exactly this field; the list of this message */
        if (strcmp(field, "One-Click")) {
            status = 400, what = "bad one-click";
        } else if (suppress_write(w, &t, t.list, source.data, NULL)) {
            status = 503, what = "ledger busy";
        } else {
            what = "one-click";
        }
        rc = answer_text(c, status, nonce);
    } else if (cross_site(w, c)) {
        status = 403, what = "cross-site";
        rc = answer_text(c, status, nonce);
    } else if (token_form_field(rq->body, rq->len, "accion", field, sizeof(field)) == 0 &&
               !strcmp(field, "deshacer")) {
        long removed = 0;
        if (suppress_write(w, &t, NULL, source.data, &removed)) {
            status = 503, what = "ledger busy";
            rc = answer_text(c, status, nonce);
        } else if (!page_undone(&b, nonce, removed)) {
            what = removed ? "undone" : "nothing to undo";
            rc = answer(c, 200, "text/html; charset=utf-8", &b, nonce);
        }
    } else if (token_form_field(rq->body, rq->len, "alcance", field, sizeof(field)) == 0 &&
               (!strcmp(field, "lista") || !strcmp(field, "todas"))) {
        int all = !strcmp(field, "todas");
        if (suppress_write(w, &t, all ? "*" : t.list, source.data, NULL)) {
            status = 503, what = "ledger busy";
            rc = answer_text(c, status, nonce);
        } else if (!page_done(&b, nonce, w, &t, all, action.data)) {
            what = all ? "form: all" : "form: list";
            rc = answer(c, 200, "text/html; charset=utf-8", &b, nonce);
        }
    } else {
        status = 400, what = "bad form";
        rc = answer_text(c, status, nonce);
    }
out:
    log_line(w, method, "token", tok, status, what);
    ledger_token_release(&t);
    buf_release(&b);
    buf_release(&action);
    buf_release(&source);
    return rc;
}

static enum MHD_Result refuse(const struct web *w, struct MHD_Connection *c, const char *method,
                              unsigned status, const char *what, const char *nonce)
{
    log_line(w, method, "-", NULL, status, what);
    return status == 404 ? answer_404(c, nonce) : answer_text(c, status, nonce);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls)
{
    const struct web *w = cls;
    struct req *rq = *req_cls;
    char nonce[TOKEN_LEN + 1], tok[TOKEN_LEN + 1];
    int post = !strcmp(method, "POST");

    (void)version;
    if (token_new(nonce))
        return MHD_NO;
    if (!rq) {
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        /* refused before any body is read */
        if (strcmp(method, "GET") && strcmp(method, "HEAD") && !post)
            return refuse(w, c, method, 405, "method", nonce);
        if (strlen(url) > WEB_URL_MAX)
            return refuse(w, c, method, 414, "url", nonce);
        if (cl &&
            (strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 6 || atol(cl) > WEB_BODY_MAX))
            return refuse(w, c, method, 413, "body", nonce);
        if (!(rq = calloc(1, sizeof(*rq))))
            return MHD_NO;
        *req_cls = rq;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        if (rq->len + n > WEB_BODY_MAX)
            rq->too_big = 1;
        else
            memcpy(rq->body + rq->len, upload_data, n), rq->len += n;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->too_big)
        return refuse(w, c, method, 413, "body", nonce);
    if (token_path_parse(w->base, url, strlen(url), tok) != TOKEN_PATH_TOKEN)
        return refuse(w, c, method, 404, "path", nonce);
    if (!post && rq->len)
        return refuse(w, c, method, 400, "body on GET", nonce);
    return on_token(w, c, method, tok, rq, nonce);
}

static void completed(void *cls, struct MHD_Connection *c, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*req_cls);
    *req_cls = NULL;
}

/* "HOST:PORT" or "[V6]:PORT" to a socket address. */
static int resolve(const char *listen, struct sockaddr_storage *ss, socklen_t *len, int *v6,
                   struct err *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':'), *h = listen;
    size_t hl;
    struct addrinfo hints = {0}, *res = NULL;
    int rc;

    if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
        strlen(colon + 1) > 5 || atol(colon + 1) < 1 || atol(colon + 1) > 65535)
        return err_set(err, ERR_USAGE, "--listen \"%s\": want HOST:PORT (127.0.0.1:8025)", listen);
    hl = (size_t)(colon - listen);
    if (hl >= 2 && listen[0] == '[' && colon[-1] == ']')
        h = listen + 1, hl -= 2;
    if (!hl || hl >= sizeof(host))
        return err_set(err, ERR_USAGE, "--listen \"%s\": want HOST:PORT (127.0.0.1:8025)", listen);
    memcpy(host, h, hl);
    host[hl] = '\0';
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0 || !res)
        return err_set(err, ERR_USAGE, "--listen \"%s\": %s", listen, gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

int web_listen_check(const char *listen, struct err *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int v6;

    return resolve(listen, &ss, &len, &v6, err);
}

int web_serve(const struct web_opts *o, struct err *err)
{
    struct web w = {o, "", ""};
    struct sockaddr_storage ss;
    socklen_t sslen;
    struct MHD_Daemon *d;
    const char *p;
    int v6 = 0;

    if (token_url_path(o->base_url, w.base, sizeof(w.base)))
        return err_set(err, ERR_CONFIG,
                       "UNSUBSCRIBE_URL \"%s\": want the public base of the unsubscribe page, "
                       "https://HOST/PATH",
                       o->base_url);
    p = strstr(o->base_url, "://") + 3;
    snprintf(w.origin, sizeof(w.origin), "%.*s", (int)((size_t)(p - o->base_url) + strcspn(p, "/")),
             o->base_url);
    if (resolve(o->listen, &ss, &sslen, &v6, err))
        return -1;
    (void)sslen;
    d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD | (v6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, handler, &w,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONN_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)REQ_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (!d)
        return err_set(err, ERR_UNAVAILABLE, "serve: cannot listen on %s (in use, or not allowed)",
                       o->listen);
    if (o->log) {
        fprintf(o->log, "serve: listening on %s, answering %s/TOKEN\n", o->listen, w.base);
        fflush(o->log);
    }
    while (!*o->stop) {
        struct timespec nap = {0, 200 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    MHD_stop_daemon(d);
    return 0;
}
