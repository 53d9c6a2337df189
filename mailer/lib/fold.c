/* fold - text folded for comparison: case, accents, spaces. */
#include "fold.h"

#include "banned.h"

/* Base letters of U+00C0..U+00FF (Latin-1 Supplement), 0 for symbols. */
static const char latin1_base[64] = "aaaaaaaceeeeiiii"
                                    "dnooooo\0ouuuuyts"
                                    "aaaaaaaceeeeiiii"
                                    "dnooooo\0ouuuuyty";

/* Fold in[0..len) into out: lower case, accents dropped. header: runs of
 * non-alphanumerics become one '_' (header keys); else runs of whitespace
 * become one ' ' and other characters stay (filter values). Ends trimmed. */
static int fold(const char *in, size_t len, struct buf *out, int header)
{
    size_t i;
    int pending = 0;
    char sep = header ? '_' : ' ';

    buf_reset(out);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        char base = 0;
        int keep = 0;

        if ((c == 0xcc || (c == 0xcd && i + 1 < len && (unsigned char)in[i + 1] <= 0xaf)) &&
            i + 1 < len && (unsigned char)in[i + 1] >= 0x80 && (unsigned char)in[i + 1] <= 0xbf) {
            i++; /* combining marks U+0300..U+036F (decomposed accents): dropped */
            continue;
        }
        if (c == 0xc2 && i + 1 < len && (unsigned char)in[i + 1] >= 0x80 &&
            (unsigned char)in[i + 1] <= 0xbf && (header || (unsigned char)in[i + 1] == 0xa0)) {
            i++; /* NBSP and Latin-1 symbols: separators */
            pending = out->len > 0;
            continue;
        }
        if (c == 0xc3 && i + 1 < len && (unsigned char)in[i + 1] >= 0x80 &&
            (unsigned char)in[i + 1] <= 0xbf) {
            unsigned char d = (unsigned char)in[i + 1];
            base = latin1_base[d - 0x80];
            if (d == 0x9f) /* ß */
                base = 's';
            if (!base && !header) {
                if (buf_add(out, in + i, 2))
                    return -1;
                i++;
                continue;
            }
            i++;
            keep = base != 0;
        } else if (c >= 'A' && c <= 'Z') {
            base = (char)(c - 'A' + 'a'), keep = 1;
        } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
            base = (char)c, keep = 1;
        } else if (!header && c > ' ') {
            base = (char)c, keep = 1;
        }
        if (!keep) {
            pending = out->len > 0;
            continue;
        }
        if (pending && buf_addch(out, sep))
            return -1;
        pending = 0;
        if (buf_addch(out, base) || (base == 's' && c == 0xc3 && buf_addch(out, 's')))
            return -1;
    }
    return 0;
}

int fold_key(const char *in, size_t len, struct buf *out)
{
    return fold(in, len, out, 1);
}

int fold_text(const char *in, size_t len, struct buf *out)
{
    return fold(in, len, out, 0);
}
