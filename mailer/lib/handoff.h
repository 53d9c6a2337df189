/* handoff - which deliveries marked `sending` reached a connection.
 *
 * The send loop marks a group of deliveries `sending` (committed) and hands
 * them to the transport, where some wait in a queue behind the ones being
 * transmitted. After a crash every `sending` delivery is uncertain (DESIGN
 * §3 step 7), yet the queued ones never left the machine. This journal, one
 * file per mailing next to its lock, tells them apart: the send loop writes
 * "M id" once a delivery's `sending` is committed, a connection writes
 * "S id" just before it transmits it. handoff_recover() then puts back to
 * `pending` every delivery with an M and no S that is still `sending`: its
 * message was never started. Everything else stays as the ledger says.
 *
 * Only ever errs towards uncertainty: a lost M line leaves a delivery
 * uncertain; if an S line cannot be written the journal is removed at once,
 * so that nothing is put back. Plain write(2) with O_APPEND, no fsync: it
 * survives a killed process, like the ledger's WAL with synchronous=NORMAL.
 */
#ifndef MAILER_HANDOFF_H
#define MAILER_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ledger.h"

struct handoff {
    int fd; /* -1: no journal (a dry run, a test send, or it broke) */
    char *path;
};

/* Start a fresh journal at path (truncating an old one). */
int handoff_open(struct handoff *h, const char *path, struct err *err);
/* The deliveries just committed `sending` (main thread). */
void handoff_marked(struct handoff *h, const int64_t *ids, size_t n);
/* One is about to be transmitted (any thread). */
void handoff_started(struct handoff *h, int64_t id);
/* Stop writing; the file stays for handoff_recover(). */
void handoff_close(struct handoff *h);

/* Apply the journal at path, if there is one, to the mailing's deliveries
 * (one transaction) and remove it. *restored: how many went back to
 * `pending`. The caller holds the mailing's lock. */
int handoff_recover(const char *path, struct ledger *l, int64_t mailing_id, long *restored,
                    struct err *err);

#endif
