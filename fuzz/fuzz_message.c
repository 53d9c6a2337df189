/* fuzz_message - message_build with hostile variables: subject, names,
 * addresses, List-Id, unsubscribe URL, bodies and an attachment's shown
 * name, NUL-separated in the input. Either it fails cleanly or the message
 * is 7-bit, CRLF only, lines <= 998 octets, and its header block holds
 * exactly the headers message_build writes, each once: no input can add
 * a header or end the header block early; no encoded word inside quotes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "message.h"

#include "banned.h"

static char attach_path[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(attach_path, sizeof attach_path, "%s/boletin.pdf", fuzz_tmpdir());
    fuzz_write(attach_path, (const uint8_t *)"%PDF-1.4\n%%EOF\n", 15);
    return 0;
}

static const char *const allowed[] = {
    "Date",
    "From",
    "Reply-To",
    "To",
    "Message-ID",
    "Subject",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
};
#define NALLOWED (sizeof allowed / sizeof *allowed)

static void check_message(const char *m, size_t len)
{
    int seen[NALLOWED] = {0};
    size_t line = 0;
    int in_header = 1;
    FUZZ_ASSERT(len >= 2 && m[len - 2] == '\r' && m[len - 1] == '\n');
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)m[i];
        FUZZ_ASSERT(ch != 0 && ch < 0x80);
        if (ch == '\r') {
            FUZZ_ASSERT(i + 1 < len && m[i + 1] == '\n');
            FUZZ_ASSERT(i - line <= 998);
            if (in_header && i == line) {
                in_header = 0; /* the empty line ends the header block */
            } else if (in_header && m[line] != ' ' && m[line] != '\t') {
                const char *colon = memchr(m + line, ':', i - line);
                FUZZ_ASSERT(colon);
                size_t n = (size_t)(colon - (m + line)), k;
                for (k = 0; k < NALLOWED; k++)
                    if (strlen(allowed[k]) == n && !strncasecmp(allowed[k], m + line, n))
                        break;
                FUZZ_ASSERT(k < NALLOWED);
                FUZZ_ASSERT(!seen[k]);
                seen[k] = 1;
            }
            i++;
            line = i + 1;
            continue;
        }
        FUZZ_ASSERT(ch != '\n');
    }
    FUZZ_ASSERT(!in_header);
    /* Encoded words are never put inside quotes (RFC 2047 5(3): they would
     * not be decoded there). */
    const char *end = strstr(m, "\r\n\r\n"), *quoted = strstr(m, "\"=?");
    FUZZ_ASSERT(end && (!quoted || quoted > end));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    enum {
        SUBJECT,
        FROM_NAME,
        TO_NAME,
        TO_ADDR,
        REPLY_TO,
        LIST_ID,
        UNSUB_URL,
        FILENAME,
        TEXT,
        HTML,
        NFIELDS
    };
    char *f[NFIELDS];
    unsigned flags = len ? data[0] : 0;
    if (len) {
        data++;
        len--;
    }
    for (int i = 0; i < NFIELDS; i++)
        f[i] = fuzz_cut(&data, &len);

    struct message_file attach = {.path = attach_path, .filename = f[FILENAME]};
    struct message_spec m = {
        .from_name = f[FROM_NAME],
        .from_address = "votochilango@iecm.example.org",
        .to_name = f[TO_NAME],
        .to_address = (flags & 1) ? f[TO_ADDR] : "ana@example.com",
        .reply_to = (flags & 2) ? f[REPLY_TO] : NULL,
        .subject = f[SUBJECT],
        .text = f[TEXT],
        .text_len = strlen(f[TEXT]),
        .html = (flags & 4) ? f[HTML] : NULL,
        .html_len = strlen(f[HTML]),
        .message_id = "m7.0123456789abcdef@iecm.example.org",
        .date = 1763769600,
        .list_id = (flags & 8) ? f[LIST_ID] : NULL,
        .unsubscribe_mailto = (flags & 16) ? "bajas@iecm.example.org" : NULL,
        .unsubscribe_url = (flags & 32) ? f[UNSUB_URL] : NULL,
        .attachments = &attach,
        .nattachments = (flags & 64) ? 1 : 0,
        .boundary_seed = "fuzz",
    };
    struct buf out;
    struct err err;
    buf_init(&out, 4 << 20);
    err_init(&err);
    if (message_build(&m, &out, &err) == 0)
        check_message(out.data, out.len);
    else
        FUZZ_ASSERT(out.len == 0 && err.msg.len > 0);
    buf_release(&out);
    err_release(&err);
    for (int i = 0; i < NFIELDS; i++)
        free(f[i]);
    return 0;
}
