/* bounce_ses - notifications written as JSON instead of a notice: Amazon
 * SES event publishing through SNS ("AWS Notification Message"), whose
 * body is the event itself or an SNS envelope holding it as the string
 * "Message". Documented fields read:
 *   notificationType | eventType     Bounce, Complaint, Delivery
 *   bounce.bouncedRecipients[]       emailAddress, action, status,
 *                                    diagnosticCode
 *   bounce.bounceType                Permanent, Transient, Undetermined
 *   complaint.complainedRecipients[] emailAddress
 *   delivery.recipients[]            addresses; delivery.smtpResponse
 *   mail.headers[]                   {name, value}: the Message-ID we sent
 * JSON goes through the value module (json-c). */
#include "bounce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bounce_int.h"
#include "value.h"

#include "banned.h"

static const char *text_at(const struct value *map, const char *key)
{
    const char *t = map ? value_text(value_map_get(map, key), NULL) : NULL;

    return t ? t : "";
}

/* The JSON object that starts the text (up to its matching brace). */
static struct value *json_at(const char *text)
{
    const char *p = text, *start;
    int depth = 0, in_str = 0;
    struct value *v = NULL;
    struct err err;

    while (*p == ' ' || *p == '\n' || *p == '\t')
        p++;
    if (*p != '{')
        return NULL;
    for (start = p; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_str = 0;
        } else if (*p == '"') {
            in_str = 1;
        } else if (*p == '{') {
            depth++;
        } else if (*p == '}' && --depth == 0) {
            err_init(&err);
            v = value_from_json(start, (size_t)(p - start + 1), "notification", &err);
            err_release(&err);
            return v;
        }
    }
    return NULL;
}

static int add_bounced(struct bounce_result *r, const struct value *b)
{
    const struct value *list = value_map_get(b, "bouncedRecipients");
    int permanent = !strcasecmp(text_at(b, "bounceType"), "Permanent");
    size_t i;

    for (i = 0; i < value_list_len(list); i++) {
        const struct value *x = value_list_at(list, i);
        const char *st = text_at(x, "status"), *diag = text_at(x, "diagnosticCode");
        char *addr = bounce_addr_find(text_at(x, "emailAddress"), NULL), code[16] = "";
        struct bounce_facts f = {0};
        int k;

        if (!addr)
            continue;
        if (bounce_status_find(st, code, sizeof(code)) &&
            bounce_status_find(diag, code, sizeof(code)))
            snprintf(code, sizeof(code), "%s", permanent ? "5.0.0" : "4.0.0");
        if (!strncasecmp(diag, "smtp;", 5))
            diag += 5 + (diag[5] == ' ');
        k = bounce_rcpt_add(r, addr, code, *text_at(x, "action") ? text_at(x, "action") : "failed",
                            diag);
        free(addr);
        if (k == -1)
            return -1;
        if (k < 0)
            continue;
        f.status = code;
        f.diagnostic = diag;
        f.command = "";
        r->rcpt[k].reason = bounce_reason_judge(&f);
        r->rcpt[k].class = bounce_class_from(r->rcpt[k].reason, code);
    }
    return 0;
}

/* Recipients of a Complaint (feedback) or a Delivery (delivered). */
static int add_plain(struct bounce_result *r, const struct value *list, const char *key,
                     const char *status, enum bounce_reason reason)
{
    size_t i;
    int k;

    for (i = 0; i < value_list_len(list); i++) {
        const struct value *x = value_list_at(list, i);
        char *addr = bounce_addr_find(key                   ? text_at(x, key)
                                      : value_text(x, NULL) ? value_text(x, NULL)
                                                            : "",
                                      NULL);
        if (!addr)
            continue;
        k = bounce_rcpt_add(r, addr, status, "", "");
        free(addr);
        if (k == -1)
            return -1;
        if (k >= 0)
            r->rcpt[k].reason = reason;
    }
    return 0;
}

static int message_id(struct bounce_result *r, const struct value *mail)
{
    const struct value *h = value_map_get(mail, "headers");
    size_t i;
    char *id;

    id = bounce_msgid_clean(text_at(value_map_get(mail, "commonHeaders"), "messageId"));
    for (i = 0; !id && i < value_list_len(h); i++)
        if (!strcasecmp(text_at(value_list_at(h, i), "name"), "Message-ID"))
            id = bounce_msgid_clean(text_at(value_list_at(h, i), "value"));
    if (id) {
        free(r->original_message_id);
        r->original_message_id = id;
    }
    return 0;
}

static int read_event(struct bounce_result *r, const struct value *ev)
{
    const char *type = text_at(ev, "notificationType");
    char st[16] = "2.0.0";

    if (!*type)
        type = text_at(ev, "eventType");
    if (!strcasecmp(type, "Bounce")) {
        r->type = BOUNCE_BOUNCE;
        if (bounce_set_why(r, "Amazon SES bounce notification (JSON)") ||
            add_bounced(r, value_map_get(ev, "bounce")))
            return -1;
    } else if (!strcasecmp(type, "Complaint")) {
        r->type = BOUNCE_COMPLAINT;
        if (bounce_set_why(r, "Amazon SES complaint notification (JSON)") ||
            add_plain(r, value_map_get(value_map_get(ev, "complaint"), "complainedRecipients"),
                      "emailAddress", "", BOUNCE_R_FEEDBACK))
            return -1;
    } else if (!strcasecmp(type, "Delivery")) {
        bounce_status_find(text_at(value_map_get(ev, "delivery"), "smtpResponse"), st, sizeof(st));
        if (bounce_set_why(r, "Amazon SES delivery notification (JSON): no failure") ||
            add_plain(r, value_map_get(value_map_get(ev, "delivery"), "recipients"), NULL, st,
                      BOUNCE_R_DELIVERED))
            return -1;
    } else {
        return 0;
    }
    return message_id(r, value_map_get(ev, "mail")) ? -1 : 1;
}

int bounce_ses_read(const char *text, struct bounce_result *r)
{
    struct value *v = json_at(text), *inner = NULL;
    const struct value *ev = v;
    const char *msg;
    int rc = 0;

    if (!v || value_type(v) != VALUE_MAP)
        goto out;
    /* An SNS envelope: the event is the JSON string "Message". */
    if ((msg = value_text(value_map_get(v, "Message"), NULL)) && (inner = json_at(msg)))
        ev = inner;
    rc = read_event(r, ev);
out:
    value_free(v);
    value_free(inner);
    return rc;
}
