/* campaign - campaign definitions (campaigns/NAME.ini) and their editions.
 *
 * A campaign file is checked as a whole: campaign_load() reports every
 * problem it finds (unknown key, missing template, list not found, bad
 * kind or cadence, From not an address) as "file:line: ..." lines in err,
 * not just the first. Sections: [campaign], [defaults], [edition NAME], and
 * [list NAME] (how to read one of its lists: listconf.h). Paths in a campaign are relative to the mailer home
 * (MAILER_HOME, default the working directory).
 */
#ifndef MAILER_CAMPAIGN_H
#define MAILER_CAMPAIGN_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "contacts.h"
#include "edition.h"
#include "err.h"
#include "listconf.h"
#include "value.h"

struct campaign {
    char *id;   /* file stem: "corazon-chilango" */
    char *path; /* "campaigns/corazon-chilango.ini" */
    char *home; /* the mailer home the paths are relative to */
    char *name, *kind, *subject, *report_title, *filter, *template_name;
    char *from, *reply_to, *cadence, *schedule, *send_at, *content, *audience;
    char *sender;    /* the sender it leaves from (sender.h), "": .env's (the default) */
    int sender_line; /* the line of `sender =` (the edition's when it sets one); 0: none */
    char **lists;    /* list names ("diaspora" = contacts/diaspora.csv) */
    size_t nlists;
    /* How to read each list (nlists entries): contacts/NAME.ini, then the
     * campaign's [list NAME] section; list_opts point into listconf, for
     * the audience_spec of contacts_load(). */
    struct listconf *listconf;
    struct contacts_list_opts *list_opts;
    char **attachments; /* paths relative to home */
    size_t nattachments;
    char **inline_images; /* paths; referenced from HTML as cid:<file name> */
    size_t ninline_images;
    int allow_html;                      /* raw HTML allowed in Markdown content */
    int paused;                          /* paused = yes: `due` leaves its schedule alone */
    struct value *defaults;              /* [defaults]: template variables */
    struct campaign_override *overrides; /* [edition NAME] sections */
    size_t noverrides;
};

/* [edition NAME]: keys that differ for one edition, e.g. a reminder with
 * `audience = edition:main`. NULL fields are not overridden. */
struct campaign_override {
    char *edition;
    char *audience, *subject, *report_title, *send_at, *filter, *sender;
    int sender_line;
};

/* 1 when kind is one a campaign may have (bulletin, convocatoria, podcast,
 * invitation, digest). */
int campaign_kind_ok(const char *kind);
/* Load campaigns/ID.ini under home; every problem goes into err. */
int campaign_load(const char *home, const char *id, struct campaign *c, struct err *err);
void campaign_release(struct campaign *c);
/* Apply the [edition NAME] section for this edition, if any. */
int campaign_apply_edition(struct campaign *c, const char *edition);
/* Campaign ids under home/campaigns, sorted; free with campaign_list_free. */
int campaign_list(const char *home, char ***ids, size_t *n, struct err *err);
void campaign_list_free(char **ids, size_t n);

/* The edition to send: explicit (a name) or from the cadence at `now`:
 * weekly = the ISO week that just ended, monthly = the current month,
 * once = "main"; a once campaign without a send_at of its own that holds
 * one-off editions ([edition NAME] sections, each with its subject, report
 * title and send_at) = the next of them due, else the last one due, else
 * the last section. */
int campaign_edition(const struct campaign *c, const char *explicit_name, time_t now,
                     struct edition *e, struct err *err);
/* The paths below are appended to out: 0, or -1 when out is full. They
 * (content, list, template) leave out a home of "." (the working directory):
 * messages then name contacts/x.csv, not ./contacts/x.csv. */
/* home/content with {edition} replaced; "" when the campaign has none. */
WARN_UNUSED_RESULT int campaign_content_path(const struct campaign *c, const struct edition *e,
                                             struct buf *out);
/* 0 when path (an existing file) resolves inside the mailer home, symbolic
 * links followed; -1 with err set (ERR_DATA) otherwise. */
int campaign_path_inside(const struct campaign *c, const char *path, struct err *err);
/* home/contacts/LIST.csv */
WARN_UNUSED_RESULT int campaign_list_path(const struct campaign *c, size_t i, struct buf *out);
/* home/templates/TEMPLATE.html.mustache (ext "html") or .txt.mustache. */
WARN_UNUSED_RESULT int campaign_template_path(const struct campaign *c, const char *ext,
                                              struct buf *out);

#endif
