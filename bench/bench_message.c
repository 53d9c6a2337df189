/* bench_message - personalized messages built per second, single thread.
 *
 * usage: bench_message HTML TEXT LOGO SECONDS
 * HTML and TEXT hold "{{nombre}}" once; each message gets its own name,
 * address and Message-ID, the HTML and text are re-assembled around the
 * name, and LOGO is attached inline (cid:logo@votochilango.example.org).
 * Prints: "c-libetpan MESSAGES SECONDS BYTES_OF_LAST_MESSAGE". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "message.h"

#include "banned.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int split(const char *path, struct buf *pre, struct buf *post)
{
    struct buf all = BUF_INIT;
    char *tok;
    int rc = -1;

    if (buf_read_file(&all, path) == 0 && (tok = strstr(all.data, "{{nombre}}")) &&
        !buf_add(pre, all.data, (size_t)(tok - all.data)) &&
        !buf_addstr(post, tok + strlen("{{nombre}}")))
        rc = 0;
    buf_release(&all);
    return rc;
}

int main(int argc, char **argv)
{
    struct buf hpre = BUF_INIT, hpost = BUF_INIT, tpre = BUF_INIT, tpost = BUF_INIT;
    struct buf html = BUF_INIT, text = BUF_INIT, out = BUF_INIT, name = BUF_INIT;
    struct buf addr = BUF_INIT, mid = BUF_INIT;
    struct message_file logo;
    struct message_spec m;
    struct err err;
    double start, limit, el;
    long n = 0;

    if (argc != 5 || split(argv[1], &hpre, &hpost) || split(argv[2], &tpre, &tpost)) {
        fprintf(stderr, "usage: bench_message HTML TEXT LOGO SECONDS (with {{nombre}})\n");
        return 64;
    }
    limit = atof(argv[4]);
    logo = (struct message_file){
        .path = argv[3], .filename = "logo.png", .content_id = "logo@votochilango.example.org"};
    err_init(&err);
    start = now();
    do {
        buf_reset(&mid);
        buf_reset(&html);
        buf_reset(&text);
        if (buf_setf(&name, "María José Núñez %ld", n) ||
            buf_setf(&addr, "contacto%ld@example.com", n) ||
            message_id_make(&mid, 42, addr.data, "iecm.example.org") ||
            buf_add(&html, hpre.data, hpre.len) || buf_add(&html, name.data, name.len) ||
            buf_add(&html, hpost.data, hpost.len) || buf_add(&text, tpre.data, tpre.len) ||
            buf_add(&text, name.data, name.len) || buf_add(&text, tpost.data, tpost.len)) {
            fprintf(stderr, "bench_message: out of memory\n");
            return 70;
        }
        m = (struct message_spec){
            .from_name = "Voto Chilango — IECM",
            .from_address = "votochilango@iecm.example.org",
            .to_name = name.data,
            .to_address = addr.data,
            .reply_to = "respuestas@iecm.example.org",
            .subject = "Corazón Chilango de noviembre: ¿ya te registraste para votar?",
            .text = text.data,
            .text_len = text.len,
            .html = html.data,
            .html_len = html.len,
            .message_id = mid.data,
            .date = time(NULL),
            .list_id = "Corazón Chilango <corazon-chilango.iecm.example.org>",
            .unsubscribe_mailto = "bajas@iecm.example.org",
            .unsubscribe_url = "https://iecm.example.org/baja?t=0123456789abcdef",
            .inline_files = &logo,
            .ninline = 1,
        };
        buf_reset(&out);
        if (message_build(&m, &out, &err)) {
            fprintf(stderr, "bench_message: %s\n", err.msg.data);
            return 70;
        }
        n++;
    } while ((n & 63) || (el = now() - start) < limit);
    printf("c-libetpan %ld %.3f %zu\n", n, el, out.len);
    if (getenv("BENCH_SAMPLE"))
        fwrite(out.data, 1, out.len, stderr);
    buf_release(&hpre);
    buf_release(&hpost);
    buf_release(&tpre);
    buf_release(&tpost);
    buf_release(&html);
    buf_release(&text);
    buf_release(&out);
    buf_release(&name);
    buf_release(&addr);
    buf_release(&mid);
    err_release(&err);
    return 0;
}
