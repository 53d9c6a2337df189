/* mailbox - the bounce/reply mailbox over IMAP (libetpan, low-level
 * mailimap_* API), with the server certificate verified here (libetpan with
 * GnuTLS does not).
 *
 * A mailbox's URL is imaps://host[:993]/FOLDER (TLS from the first byte) or
 * imap://host[:143]/FOLDER (STARTTLS, required: a server without it is
 * refused). The peer's chain is checked against CA_FILE, or the system
 * trust store when CA_FILE is empty, and its name against host; anything
 * else is refused before LOGIN. FOLDER defaults to INBOX.
 *
 * mailbox_fetch_one() reads every message with a UID above the last one handled
 * (kept in the ledger with UIDVALIDITY), classifies it (bounce module),
 * records its effects and its UID in one transaction (returns module), and
 * only then moves it: understood messages to "Procesados", anything else to
 * "Revisar" (for a person). Folders are created when missing; nothing is
 * ever deleted (UID MOVE, or COPY + \Deleted + UID EXPUNGE of that UID).
 * A run killed between the commit and the move leaves the message in place
 * with its UID recorded: the next run skips it by UID and moves nothing
 * twice. Messages larger than BOUNCE_MAX_SIZE are left for a person.
 */
#ifndef MAILER_MAILBOX_H
#define MAILER_MAILBOX_H

#include "config.h"
#include "err.h"
#include "ledger.h"
#include "returns.h"
#include "sender.h"

#define MAILBOX_DONE_FOLDER "Procesados"
#define MAILBOX_REVIEW_FOLDER "Revisar"

struct mailbox;

/* A mailbox to read, as a sender describes it (strings borrowed from the
 * sender, which outlives it). */
struct mailbox_account {
    char setting[160];            /* the URL's setting, for messages: "BOUNCE_IMAP_URL", or
                                     "BOUNCE_IMAP_URL [remitente red]" for a named sender */
    const char *sender;           /* the sender it is read for (the first of those sharing it) */
    const char *url;              /* imaps://host[:993]/FOLDER or imap://... (STARTTLS) */
    const char *user;             /* LOGIN as */
    const char *password;         /* untrusted only in that it goes to the server; "": the
                                     command's */
    const char *password_command; /* prints the password: run when the mailbox is opened */
    const char *ca_file;          /* PEM of trusted CAs; "" for the system store */
};

/* The mailboxes `bounces fetch` reads for the senders s[0..ns), into out
 * (room for 2 * ns), *n of them: each sender's bounce mailbox
 * (BOUNCE_IMAP_URL), and its unsubscribe mailbox (UNSUBSCRIBE_IMAP_URL) when
 * its UNSUBSCRIBE_MAILTO is another address than its bounce one (user and
 * password default to the bounce mailbox's; "bounce" says one mailbox
 * receives both). A mailbox (URL and user) that two senders, or a sender's
 * two addresses, share is listed once: it is read once. A sender without a
 * bounce mailbox, or whose UNSUBSCRIBE_MAILTO is another address without
 * UNSUBSCRIBE_IMAP_URL (a «baja» sent there would never be read), is said in
 * err (ERR_CONFIG), every such sender: -1 then (the caller reads nothing
 * until they are fixed). */
int mailbox_accounts(const struct sender *const *s, size_t ns, struct mailbox_account *out,
                     size_t *n, struct err *err);

/* Connect, verify the certificate, LOGIN, SELECT. */
struct mailbox *mailbox_open(const struct mailbox_account *a, struct err *err);
/* LOGOUT and free; NULL is fine. */
void mailbox_close(struct mailbox *mb);
/* UIDVALIDITY of the selected folder and its name ("INBOX"). */
unsigned long mailbox_uidvalidity(const struct mailbox *mb);
const char *mailbox_folder(const struct mailbox *mb);
/* UIDs above after, ascending, at most max (caller frees *uids). */
int mailbox_search(struct mailbox *mb, unsigned long after, unsigned long **uids, size_t *n,
                   struct err *err);
/* The whole message (BODY.PEEK[], \Seen untouched) into out (whose cap
 * bounds it). Returns 1, with *size set, when it is larger than the cap. */
int mailbox_get(struct mailbox *mb, unsigned long uid, struct buf *out, size_t *size,
                struct err *err);
/* Move one message to folder (created when missing). */
int mailbox_move(struct mailbox *mb, unsigned long uid, const char *folder, struct err *err);

/* The whole run described above on one mailbox (its password command, if
 * that is how it has one, run first). With dry_run every message is
 * classified and its effects computed in a transaction that is rolled
 * back; nothing is moved. Messages left in the folder by a run killed after
 * its commit (UID at or below the last handled) are filed again without
 * effects. policy: soft-bounce suppression (NULL or zeros: RETURNS_SOFT_*).
 * st adds up over calls; the state of each mailbox (its last UID) is its
 * own, kept in the ledger under user@host:port/FOLDER. */
int mailbox_fetch_one(const struct mailbox_account *a, struct ledger *l, int dry_run,
                      const struct returns_policy *policy, struct returns_stats *st,
                      struct err *err);

#endif
