/* bench_report - the quarterly report over a big ledger.
 *
 *   bench_report --build DB     make DB: 200 mailings of 5,000 deliveries
 *                               (1,000,000) in 2026Q4, three lists, reminders,
 *                               1.5 % failed, 1.5 % bounced (classified),
 *                               250 unsubscribes in the quarter, 5,000 before
 *   bench_report DB [REPS]      time the whole report for 2026Q4: open the
 *                               ledger, then each format; prints one line per
 *                               format, "each" (the five one after the other)
 *                               and "all" (the five from one reading of the
 *                               ledger), best of REPS, seconds
 *   bench_report --dump FORMAT DB   print the report (to check it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ledger.h"
#include "report.h"

#include "banned.h"

static const char *const build_sql[] = {
    "BEGIN",
    "WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 199)"
    " INSERT INTO mailings (campaign, edition, kind, subject, report_title, lists, test,"
    " created_at, state)"
    " SELECT 'campana-' || (i / 2), CASE WHEN i % 2 THEN 'recordatorio' ELSE 'main' END,"
    " 'bulletin', 'Asunto ' || i,"
    " 'Comunicación número ' || (i / 2) || ' sobre la participación ciudadana en el extranjero',"
    " CASE WHEN i % 10 < 6 THEN 'diaspora' WHEN i % 10 < 9 THEN 'red-observacion'"
    "  ELSE 'comunidad-iecm' END, 0, '2026-10-01T00:00:00Z', 'complete' FROM m",
    "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 4999)"
    " INSERT INTO deliveries (mailing_id, address, list, message_id, state, attempts,"
    " updated_at, sent_at)"
    " SELECT m.id, 'Persona' || k.j || '@example.org', m.lists,"
    " '<' || m.id || '.' || k.j || '@bench>',"
    " CASE WHEN k.j % 200 < 3 THEN 'failed' WHEN k.j % 200 < 6 THEN 'bounced' ELSE 'sent' END, 1,"
    " '2026-12-31T00:00:00Z',"
    " CASE WHEN k.j % 200 < 3 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%SZ', '2026-10-02 15:00:00',"
    "  '+' || (m.id * 10) || ' hours', '+' || (k.j / 5) || ' seconds') END"
    " FROM mailings m, k ORDER BY m.id, k.j",
    "INSERT INTO bounces (delivery_id, address, status, action, class, received_at)"
    " SELECT id, address, '5.1.1', 'failed', CASE WHEN id % 3 THEN 'hard' ELSE 'soft' END,"
    " '2026-12-31T00:00:00Z' FROM deliveries WHERE state = 'bounced'",
    /* 250 unsubscribes in the quarter (5 % of the base), 5,000 older ones */
    "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 249)"
    " INSERT INTO suppressions (address, reason, source, created_at)"
    " SELECT 'persona' || (j * 20) || '@example.org', 'unsubscribe', 'bench',"
    " '2026-11-15T00:00:00Z' FROM k",
    "WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 4999)"
    " INSERT INTO suppressions (address, reason, source, created_at)"
    " SELECT 'antes' || j || '@example.org', 'unsubscribe', 'bench',"
    " '2025-06-01T00:00:00Z' FROM k",
    "COMMIT",
};

static int build(const char *path)
{
    struct err e;
    struct ledger *l;
    size_t i;
    double t0 = clock_mono();

    err_init(&e);
    if (!(l = ledger_open(path, &e))) {
        fprintf(stderr, "%s\n", e.msg.data);
        return 1;
    }
    for (i = 0; i < sizeof(build_sql) / sizeof(build_sql[0]); i++)
        if (ledger_exec(l, build_sql[i], &e)) {
            fprintf(stderr, "%s\n", e.msg.data);
            ledger_close(l);
            return 1;
        }
    ledger_close(l);
    err_release(&e);
    fprintf(stderr, "built %s in %.1f s\n", path, clock_mono() - t0);
    return 0;
}

static int config(struct report_config *cfg)
{
    static const char text[] = "[lista diaspora]\nnombre = la base de contactos de Voto Chilango\n"
                               "[lista red-observacion]\nnombre = la Red de Observación\n"
                               "agrupar = mes\n[lista comunidad-iecm]\nnombre = la comunidad\n"
                               "[metas]\ndiaspora.comunicaciones = 20\ncampana-3.ediciones = 3\n";
    char path[] = "/tmp/bench_report_informe.XXXXXX";
    struct err e;
    int fd = mkstemp(path), rc;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

    if (!f)
        return -1;
    fputs(text, f);
    fclose(f);
    err_init(&e);
    report_config_init(cfg);
    rc = report_config_load(cfg, path, &e);
    if (rc)
        fprintf(stderr, "%s\n", e.msg.data);
    remove(path);
    err_release(&e);
    return rc;
}

/* Open the ledger and write all five formats from one reading. */
static double run_all(const char *db, const struct report_config *cfg, struct buf outs[5])
{
    static const enum report_format f[5] = {REPORT_TEXT, REPORT_CSV, REPORT_MD, REPORT_JSON,
                                            REPORT_HTML};
    struct report_opts o = {REPORT_TEXT, NULL, ',', REPORT_BY_DEFAULT, cfg, 0};
    struct report_period p;
    struct ledger *l;
    struct err e;
    double t0 = clock_mono(), t = -1;
    int i;

    err_init(&e);
    for (i = 0; i < 5; i++)
        buf_reset(&outs[i]);
    if (!report_parse_quarter("2026Q4", &p, &e) && (l = ledger_open(db, &e))) {
        if (!report_write_formats(l, &p, &o, f, outs, 5, &e))
            t = clock_mono() - t0;
        ledger_close(l);
    }
    if (t < 0)
        fprintf(stderr, "%s\n", e.msg.data);
    err_release(&e);
    return t;
}

/* Open the ledger and write one format; seconds taken, -1 on error. */
static double run(const char *db, enum report_format f, const struct report_config *cfg,
                  struct buf *out)
{
    struct report_opts o = {f, NULL, ',', REPORT_BY_DEFAULT, cfg, 0};
    struct report_period p;
    struct ledger *l;
    struct err e;
    double t0 = clock_mono(), t = -1;

    err_init(&e);
    buf_reset(out);
    if (!report_parse_quarter("2026Q4", &p, &e) && (l = ledger_open(db, &e))) {
        if (!report_write(l, &p, &o, out, &e))
            t = clock_mono() - t0;
        ledger_close(l);
    }
    if (t < 0)
        fprintf(stderr, "%s\n", e.msg.data);
    err_release(&e);
    return t;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        enum report_format f;
    } formats[] = {{"text", REPORT_TEXT},
                   {"csv", REPORT_CSV},
                   {"md", REPORT_MD},
                   {"json", REPORT_JSON},
                   {"html", REPORT_HTML}};
    struct report_config cfg;
    struct buf out = BUF_INIT, outs[5];
    double best[7], t, all;
    size_t i;
    int reps, r, rc = 0;

    if (argc == 3 && !strcmp(argv[1], "--build"))
        return build(argv[2]);
    if (config(&cfg))
        return 1;
    if (argc == 4 && !strcmp(argv[1], "--dump")) {
        for (i = 0; i < 5; i++)
            if (!strcmp(argv[2], formats[i].name) && run(argv[3], formats[i].f, &cfg, &out) >= 0)
                fwrite(out.data, 1, out.len, stdout);
        goto out;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench_report --build DB | DB [REPS] | --dump FORMAT DB\n");
        return 64;
    }
    reps = argc > 2 ? atoi(argv[2]) : 5;
    for (i = 0; i < 5; i++)
        buf_init(&outs[i], 0);
    for (i = 0; i < 7; i++)
        best[i] = 1e9;
    for (r = 0; r < reps; r++) {
        for (all = 0, i = 0; i < 5; i++) {
            if ((t = run(argv[1], formats[i].f, &cfg, &out)) < 0) {
                rc = 1;
                goto out;
            }
            all += t;
            if (t < best[i])
                best[i] = t;
        }
        if (all < best[5])
            best[5] = all;
        if ((t = run_all(argv[1], &cfg, outs)) < 0) {
            rc = 1;
            goto out;
        }
        if (t < best[6])
            best[6] = t;
    }
    for (i = 0; i < 5; i++)
        printf("%s %.4f\n", formats[i].name, best[i]);
    printf("each %.4f\nall %.4f\n", best[5], best[6]);
out:
    for (i = 0; i < 5; i++)
        buf_release(&outs[i]);
    report_config_release(&cfg);
    buf_release(&out);
    return rc;
}
