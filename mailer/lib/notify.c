/* notify - a short message to a person, through a sender's own server. */
#include "notify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"
#include "clock.h"
#include "message.h"
#include "token.h"
#include "transport.h"

#include "banned.h"

#define NOTIFY_TO_MAX 16 /* addresses of NOTIFY_TO */

struct outcome {
    int done, ok;
    char reply[1024];
};

static void on_done(void *ud, void *tag, const struct transport_result *r)
{
    struct outcome *o = &((struct outcome *)ud)[(uintptr_t)tag];

    o->done = 1;
    o->ok = r->outcome == TRANSPORT_SENT;
    snprintf(o->reply, sizeof(o->reply), "%s", r->reply); /* data */
}

/* One message for rcpt into out: From the sender, a Message-ID of its own. */
static int build(const char *from_name, const char *from_address, const char *rcpt,
                 const char *subject, const char *text, struct buf *out, struct err *err)
{
    struct message_spec m = {0};
    struct buf mid = BUF_INIT;
    char tok[TOKEN_LEN + 1];
    const char *at = strrchr(from_address, '@');
    int rc;

    if (token_new(tok) || buf_addf(&mid, "notify.%s@%s", tok, at ? at + 1 : "localhost"))
        return err_nomem(err);
    m.from_name = *from_name ? from_name : NULL;
    m.from_address = from_address;
    m.to_address = rcpt;
    m.subject = subject;
    m.text = text;
    m.text_len = strlen(text);
    m.message_id = mid.data;
    m.date = clock_now();
    rc = message_build(&m, out, err);
    buf_release(&mid);
    return rc;
}

int notify_send(const struct sender *s, const char *to, const char *subject, const char *text,
                struct err *err)
{
    struct transport_config tc;
    struct transport *t = NULL;
    struct outcome got[NOTIFY_TO_MAX] = {{0}};
    struct buf msg = BUF_INIT, list = BUF_INIT;
    char *password = NULL, *token = NULL, *from_name = NULL, *from_address = NULL, *p, *next;
    const char *envelope;
    size_t n = 0, i;
    int rc = -1;

    if (address_split_display(s->from, &from_name, &from_address) || buf_addstr(&list, to)) {
        err_nomem(err);
        goto out;
    }
    envelope = *s->bounce_address ? s->bounce_address : from_address;
    if (sender_transport_config(s, 1, &tc, &password, &token, err) ||
        !(t = transport_new("smtp", &tc, err)))
        goto out;
    for (p = list.data; p && *p; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        p += strspn(p, " \t");
        p[strcspn(p, " \t")] = '\0';
        if (!*p)
            continue;
        if (n == NOTIFY_TO_MAX) {
            err_set(err, ERR_CONFIG, "NOTIFY_TO: more than %d addresses", NOTIFY_TO_MAX);
            goto out;
        }
        buf_reset(&msg);
        if (build(from_name, from_address, p, subject, text, &msg, err))
            goto out;
        /* one at a time over the one connection */
        while (transport_slots(t) < 1)
            if (transport_poll(t, 1000, on_done, got, err) < 0)
                goto out;
        if (transport_submit(t, envelope, p, &msg, (void *)(uintptr_t)n, err))
            goto out;
        n++;
    }
    while (transport_in_flight(t) > 0)
        if (transport_poll(t, 1000, on_done, got, err) < 0)
            goto out;
    rc = 0;
    for (i = 0; i < n && !rc; i++)
        if (!got[i].ok)
            rc = err_set(err, ERR_UNAVAILABLE, "the summary for NOTIFY_TO was not accepted: %s",
                         got[i].reply);
out:
    transport_free(t);
    sender_secret_free(password);
    sender_secret_free(token);
    free(from_name);
    free(from_address);
    buf_release(&msg);
    buf_release(&list);
    return rc;
}
