/* address - is this e-mail address usable as an SMTP envelope address? */
#include <arpa/inet.h>
#include <idn2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "buf.h"

#include "banned.h"

/* atext of RFC 5321/5322: ALPHA / DIGIT / "!#$%&'*+-/=?^_`{|}~" */
static int is_atext(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static int is_ldh(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int invalid(struct address_result *r, const char *reason)
{
    r->valid = 0;
    r->reason = reason;
    r->normalized[0] = r->key[0] = '\0';
    return 0;
}

/* Dot-atom: atext runs separated by single dots. NULL when ok. */
static const char *check_dot_atom(const char *s, size_t n)
{
    size_t i;

    if (!n)
        return "empty local part";
    if (s[0] == '.' || s[n - 1] == '.')
        return "local part starts or ends with a dot";
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' && s[i + 1] == '.')
            return "two dots in a row in the local part";
        if (c == '.' || is_atext(c))
            continue;
        if (c >= 0x80)
            return "non-ASCII local part (needs SMTPUTF8, not supported)";
        if (c == '(' || c == ')')
            return "comments are not allowed in an envelope address";
        if (c == ' ')
            return "space in the local part";
        if (c == '"')
            return "misplaced quote in the local part";
        if (c == '@')
            return "more than one @ (quote the local part or fix the address)";
        if (c == ',' || c == ';')
            return "several addresses in one field";
        return "character not allowed in the local part";
    }
    return NULL;
}

/* Quoted-string of RFC 5321: qtextSMTP and quoted-pairSMTP, printable ASCII.
 * Writes the unquoted content to out (at least n bytes). */
static const char *check_quoted(const char *s, size_t n, char *out, size_t *outlen)
{
    size_t i, o = 0;

    if (n < 2 || s[n - 1] != '"')
        return "unterminated quoted local part";
    for (i = 1; i + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            if (i + 2 >= n)
                return "backslash at the end of a quoted local part";
            c = (unsigned char)s[++i];
            if (c < 32 || c > 126)
                return "invalid quoted pair in the local part";
        } else if (c == '"') {
            return "unescaped quote inside a quoted local part";
        } else if (c >= 0x80) {
            return "non-ASCII local part (needs SMTPUTF8, not supported)";
        } else if (c < 32 || c > 126) {
            return "character not allowed in a quoted local part";
        }
        out[o++] = (char)c;
    }
    *outlen = o;
    return NULL;
}

/* Append the local part in its simplest envelope form to out. */
static const char *local_part(const char *s, size_t n, char *out, size_t *olen)
{
    char content[ADDRESS_MAX + 1];
    size_t clen = 0, i, o = 0;
    const char *why;

    if (n > ADDRESS_LOCAL_MAX)
        return "local part longer than 64 characters";
    if (s[0] != '"') {
        why = check_dot_atom(s, n);
        if (why)
            return why;
        memcpy(out, s, n);
        *olen = n;
        return NULL;
    }
    why = check_quoted(s, n, content, &clen);
    if (why)
        return why;
    if (!clen)
        return "empty local part (\"\")";
    if (clen && !check_dot_atom(content, clen)) {
        memcpy(out, content, clen); /* "juan" is juan (RFC 5321 4.1.2 SHOULD) */
        *olen = clen;
        return NULL;
    }
    out[o++] = '"';
    for (i = 0; i < clen; i++) {
        if (content[i] == '"' || content[i] == '\\')
            out[o++] = '\\';
        out[o++] = content[i];
    }
    out[o++] = '"';
    *olen = o;
    return o > ADDRESS_LOCAL_MAX ? "local part longer than 64 characters" : NULL;
}

static const char *address_literal(const char *s, size_t n, char *out, size_t *olen)
{
    char tmp[64];
    unsigned char bin[16];
    size_t i;

    if (n < 3 || s[n - 1] != ']')
        return "unterminated address literal";
    if (n - 2 >= sizeof(tmp))
        return "address literal too long";
    memcpy(tmp, s + 1, n - 2);
    tmp[n - 2] = '\0';
    if (!strncasecmp(tmp, "IPv6:", 5)) {
        if (inet_pton(AF_INET6, tmp + 5, bin) != 1)
            return "invalid IPv6 address literal";
        memcpy(out, "[IPv6:", 6);
        for (i = 5; tmp[i]; i++)
            out[i + 1] = lower(tmp[i]);
        out[i + 1] = ']';
        *olen = i + 2;
        return NULL;
    }
    for (i = 0; tmp[i]; i++)
        if (!(tmp[i] >= '0' && tmp[i] <= '9') && tmp[i] != '.')
            return strchr(tmp, ':') ? "unsupported address literal (only IPv4 and IPv6: are)"
                                    : "invalid IPv4 address literal";
    if (inet_pton(AF_INET, tmp, bin) != 1)
        return "invalid IPv4 address literal";
    memcpy(out, s, n);
    *olen = n;
    return NULL;
}

/* Check an ASCII (A-label) domain already lower-cased. */
static const char *check_domain(const char *d, size_t n)
{
    size_t i, start = 0, labels = 0;
    int alldigits = 1;

    if (!n)
        return "empty domain";
    if (n > 253)
        return "domain longer than 253 characters";
    if (d[0] == '.')
        return "domain starts with a dot";
    if (d[n - 1] == '.')
        return "domain ends with a dot";
    for (i = 0; i <= n; i++) {
        if (i < n && d[i] != '.') {
            unsigned char c = (unsigned char)d[i];
            if (!is_ldh(c))
                return c == ','               ? "comma in the domain"
                       : c == '_'             ? "underscore in the domain"
                       : c == ' '             ? "space in the domain"
                       : c == '(' || c == ')' ? "comments are not allowed in an envelope address"
                       : c == '@'             ? "more than one @"
                                              : "character not allowed in the domain";
            continue;
        }
        if (i == start)
            return "two dots in a row in the domain";
        if (i - start > 63)
            return "domain label longer than 63 characters";
        if (d[start] == '-' || d[i - 1] == '-')
            return "domain label starts or ends with a hyphen";
        if (i - start >= 4 && d[start + 2] == '-' && d[start + 3] == '-' &&
            strncmp(d + start, "xn--", 4))
            return "hyphens in the third and fourth position of a label";
        alldigits = 1;
        for (size_t k = start; k < i; k++)
            if (d[k] < '0' || d[k] > '9')
                alldigits = 0;
        labels++;
        start = i + 1;
    }
    if (labels < 2)
        return "domain has no dot (not usable on the Internet)";
    if (alldigits)
        return "numeric top-level domain (an IP address must be written [1.2.3.4])";
    return NULL;
}

static int has_alabel(const char *d, size_t n)
{
    size_t i;

    for (i = 0; i + 4 <= n; i++)
        if ((i == 0 || d[i - 1] == '.') && !strncmp(d + i, "xn--", 4))
            return 1;
    return 0;
}

/* Characters UTS #46 maps to nothing: IDNA would drop them silently, so
 * the address mailed would differ from the one in the list. */
static int has_invisible(const char *d, size_t n)
{
    static const char *const inv[] = {"\xc2\xad",     "\xe2\x80\x8b", "\xe2\x80\x8c",
                                      "\xe2\x80\x8d", "\xe2\x81\xa0", "\xef\xbb\xbf"};
    size_t i;

    for (i = 0; i < sizeof(inv) / sizeof(inv[0]); i++)
        if (memmem(d, n, inv[i], strlen(inv[i])))
            return 1;
    return 0;
}

/* Domain to its envelope form in out (lower case, A-labels). */
static const char *domain_part(const char *s, size_t n, char *out, size_t *olen)
{
    char tmp[ADDRESS_MAX + 1];
    uint8_t *ace = NULL;
    size_t i, alen;
    int nonascii = 0, rc;
    const char *why;

    if (!n)
        return "empty domain";
    if (s[0] == '[')
        return address_literal(s, n, out, olen);
    if (n > ADDRESS_MAX)
        return "domain too long";
    for (i = 0; i < n; i++) {
        tmp[i] = lower(s[i]);
        if ((unsigned char)s[i] >= 0x80)
            nonascii = 1;
    }
    tmp[n] = '\0';
    if (nonascii && has_invisible(tmp, n))
        return "invisible character (zero-width space, soft hyphen) in the domain";
    if (nonascii || has_alabel(tmp, n)) {
        rc = idn2_lookup_u8((const uint8_t *)tmp, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
        if (rc != IDN2_OK)
            return "invalid internationalized domain name";
        alen = strlen((char *)ace);
        if (alen > ADDRESS_MAX) {
            idn2_free(ace);
            return "domain too long";
        }
        memcpy(tmp, ace, alen + 1);
        for (i = 0; i < alen; i++)
            tmp[i] = lower(tmp[i]);
        n = alen;
        idn2_free(ace);
    }
    why = check_domain(tmp, n);
    if (why)
        return why;
    memcpy(out, tmp, n);
    *olen = n;
    return NULL;
}

/* Character problems that make any further parsing pointless. */
static const char *scan_raw(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            return "line break in the address";
        if (c == '\0')
            return "NUL byte in the address";
        if (c < 32 || c == 127)
            return "control character in the address";
    }
    if (memchr(s, '<', n) || memchr(s, '>', n))
        return "angle brackets or a display name: give the bare address";
    return NULL;
}

static void make_hint(const char *s, size_t n, struct address_result *r)
{
    const char *at, *fix;
    char dom[ADDRESS_MAX + 1];
    size_t i, dlen, llen;

    r->hint[0] = '\0';
    if (n > ADDRESS_MAX)
        return;
    at = memrchr(s, '@', n);
    if (!at)
        return;
    llen = (size_t)(at - s);
    dlen = n - llen - 1;
    for (i = 0; i < dlen; i++)
        dom[i] = s[llen + 1 + i] == ',' ? '.' : lower(s[llen + 1 + i]);
    dom[dlen] = '\0';
    fix = address_domain_hint(dom, dlen);
    if (!fix) {
        if (!memchr(s + llen + 1, ',', dlen) || check_domain(dom, dlen))
            return;
        fix = dom; /* gmail,com -> gmail.com */
    }
    if (llen + 1 + strlen(fix) > ADDRESS_MAX)
        return;
    memcpy(r->hint, s, llen + 1);
    memcpy(r->hint + llen + 1, fix, strlen(fix) + 1);
}

/* Strip what spreadsheets and copy-paste leave around an address: spaces,
 * tabs, no-break spaces (U+00A0), zero-width spaces (U+200B) and BOMs. */
static void trim(const char **in, size_t *len)
{
    static const struct {
        const char *s;
        size_t n;
    } ws[] = {{" ", 1}, {"\t", 1}, {"\xc2\xa0", 2}, {"\xe2\x80\x8b", 3}, {"\xef\xbb\xbf", 3}};
    size_t i;
    int again = 1;

    while (again && *len) {
        again = 0;
        for (i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
            if (*len >= ws[i].n && !memcmp(*in, ws[i].s, ws[i].n)) {
                *in += ws[i].n, *len -= ws[i].n, again = 1;
            }
            if (*len >= ws[i].n && !memcmp(*in + *len - ws[i].n, ws[i].s, ws[i].n)) {
                *len -= ws[i].n, again = 1;
            }
        }
    }
}

static int refuse(struct address_result *r, const char *in, size_t len, const char *why)
{
    make_hint(in, len, r);
    return invalid(r, why);
}

/* What separates two addresses pasted into one cell. */
static int is_separator(char c)
{
    return c == ';' || c == ',' || c == ' ' || c == '\t' || c == ':' || c == '/' || c == '|';
}

/* "a@x.com; b@y.com", "a@x.com ::: b@y.com" (Google Contacts), "a@x.com,
 * b@y.com": an address, a separator, and another @ after it. Invalid, with
 * the first address as the hint when it is usable. */
static int two_addresses(const char *in, size_t len, struct address_result *r)
{
    const char *at = memchr(in, '@', len);
    struct address_result first;
    size_t i, n;

    if (!at || in[0] == '"')
        return 0;
    for (i = (size_t)(at - in) + 1; i < len && !is_separator(in[i]); i++)
        ;
    if (i == len || !memchr(in + i, '@', len - i))
        return 0;
    n = i;
    invalid(r, "two addresses in one cell: leave one per row");
    if (address_check(in, n, &first) && !first.warning)
        memcpy(r->hint, first.normalized, strlen(first.normalized) + 1);
    return 1;
}

int address_check(const char *in, size_t len, struct address_result *r)
{
    char local[ADDRESS_MAX + 1], dom[ADDRESS_MAX + 1];
    size_t llen = 0, dlen = 0, i;
    const char *at, *why, *fix;

    r->valid = 0;
    r->reason = r->warning = NULL;
    r->normalized[0] = r->key[0] = r->hint[0] = '\0';
    trim(&in, &len);
    if (len > 7 && !strncasecmp(in, "mailto:", 7)) {
        int ok;
        in += 7, len -= 7; /* a link copied from a web page */
        ok = address_check(in, len, r);
        if (ok)
            r->warning = "the \"mailto:\" prefix was removed";
        return ok;
    }
    if (!len)
        return refuse(r, in, len, "empty address");
    why = scan_raw(in, len);
    if (why)
        return refuse(r, in, len, why);
    if (two_addresses(in, len, r))
        return 0;
    if (len > 4 * ADDRESS_MAX)
        return refuse(r, in, len, "address longer than 254 characters");
    if (in[0] == '"') {
        /* the local part ends at the closing quote, not at the last @ */
        for (i = 1; i < len && in[i] != '"'; i += in[i] == '\\' ? 2 : 1)
            ;
        at = i + 1 < len && in[i + 1] == '@' ? in + i + 1 : memrchr(in, '@', len);
    } else {
        at = memchr(in, '@', len);
        if (at && memchr(at + 1, '@', len - (size_t)(at - in) - 1))
            at = memrchr(in, '@', len);
    }
    if (!at)
        return refuse(r, in, len, "missing @");
    if (at == in)
        return refuse(r, in, len, "empty local part");
    why = local_part(in, (size_t)(at - in), local, &llen);
    if (why)
        return refuse(r, in, len, why);
    why = domain_part(at + 1, len - (size_t)(at - in) - 1, dom, &dlen);
    if (why)
        return refuse(r, in, len, why);
    if (llen + 1 + dlen > ADDRESS_MAX)
        return refuse(r, in, len, "address longer than 254 characters");
    memcpy(r->normalized, local, llen);
    r->normalized[llen] = '@';
    memcpy(r->normalized + llen + 1, dom, dlen);
    r->normalized[llen + 1 + dlen] = '\0';
    for (i = 0; i <= llen + dlen + 1; i++)
        r->key[i] = lower(r->normalized[i]);
    fix = address_domain_hint(dom, dlen);
    if (fix && llen + 1 + strlen(fix) <= ADDRESS_MAX) {
        memcpy(r->hint, local, llen);
        r->hint[llen] = '@';
        memcpy(r->hint + llen + 1, fix, strlen(fix) + 1);
    }
    r->valid = 1;
    return 1;
}

/* Providers people in the diaspora use; a domain one edit away from one of
 * them (and not itself one of them) gets a hint. */
static const char *const providers[] = {
    "gmail.com",      "googlemail.com", "hotmail.com",    "hotmail.com.mx",    "hotmail.es",
    "outlook.com",    "outlook.es",     "outlook.com.mx", "live.com",          "live.com.mx",
    "msn.com",        "yahoo.com",      "yahoo.com.mx",   "yahoo.es",          "ymail.com",
    "icloud.com",     "me.com",         "mac.com",        "aol.com",           "prodigy.net.mx",
    "protonmail.com", "proton.me",      "mail.com",       "gmx.com",           "comcast.net",
    "att.net",        "verizon.net",    "sbcglobal.net",  "infinitummail.com",
};

/* Damerau-Levenshtein distance, capped: returns 0, 1 or 2 (= more). */
static int distance_le1(const char *a, size_t na, const char *b, size_t nb)
{
    size_t i = 0;

    if (na > nb + 1 || nb > na + 1)
        return 2;
    while (i < na && i < nb && a[i] == b[i])
        i++;
    if (i == na && i == nb)
        return 0;
    if (na == nb) {
        if (!strncmp(a + i + 1, b + i + 1, na - i - 1))
            return 1; /* substitution */
        if (i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
            !strncmp(a + i + 2, b + i + 2, na - i - 2))
            return 1; /* transposition */
        return 2;
    }
    if (na > nb)
        return !strncmp(a + i + 1, b + i, nb - i) ? 1 : 2;
    return !strncmp(a + i, b + i + 1, na - i) ? 1 : 2;
}

/* lit equals s[0..n) (which may hold NULs) */
static int same(const char *lit, const char *s, size_t n)
{
    return strlen(lit) == n && !memcmp(lit, s, n);
}

const char *address_domain_hint(const char *domain, size_t len)
{
    static const struct {
        const char *typo, *fix;
    } typos[] = {
        {"gamil.com", "gmail.com"},     {"gmial.com", "gmail.com"},
        {"gmal.com", "gmail.com"},      {"gnail.com", "gmail.com"},
        {"gmail.cm", "gmail.com"},      {"gmail.om", "gmail.com"},
        {"gmail.co", "gmail.com"},      {"gmail.con", "gmail.com"},
        {"gmail.cmo", "gmail.com"},     {"gmail.com.mx", "gmail.com"},
        {"gmai.com", "gmail.com"},      {"gmaill.com", "gmail.com"},
        {"hotmial.com", "hotmail.com"}, {"hotmal.com", "hotmail.com"},
        {"homail.com", "hotmail.com"},  {"hotmail.co", "hotmail.com"},
        {"hotmail.con", "hotmail.com"}, {"hotmai.com", "hotmail.com"},
        {"hotamil.com", "hotmail.com"}, {"hotmail.cm", "hotmail.com"},
        {"htmail.com", "hotmail.com"},  {"outlok.com", "outlook.com"},
        {"outllok.com", "outlook.com"}, {"outlook.co", "outlook.com"},
        {"outlook.con", "outlook.com"}, {"otulook.com", "outlook.com"},
        {"yaho.com", "yahoo.com"},      {"yahooo.com", "yahoo.com"},
        {"yahoo.co", "yahoo.com"},      {"yahoo.con", "yahoo.com"},
        {"yhaoo.com", "yahoo.com"},     {"yahoo.com.m", "yahoo.com.mx"},
        {"icloud.co", "icloud.com"},    {"iclod.com", "icloud.com"},
        {"icoud.com", "icloud.com"},
    };
    size_t i, best = 0;
    int found = 0;

    if (len < 7 || len > 20) /* no provider (or typo of one) is shorter or longer */
        return NULL;
    for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
        if (domain[0] == providers[i][0] && same(providers[i], domain, len))
            return NULL; /* the common case: a provider spelled right */
    for (i = 0; i < sizeof(typos) / sizeof(typos[0]); i++)
        if (domain[0] == typos[i].typo[0] && same(typos[i].typo, domain, len))
            return typos[i].fix;
    for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
        int d = distance_le1(domain, len, providers[i], strlen(providers[i]));
        if (d == 0)
            return NULL;
        if (d == 1 && len >= 8 && !found) {
            best = i;
            found = 1;
        }
    }
    return found ? providers[best] : NULL;
}

int address_split_display(const char *s, char **name, char **address)
{
    const char *lt = strrchr(s, '<');
    const char *end;

    if (!lt) {
        *name = strdup("");
        *address = strdup(s);
    } else {
        end = lt;
        while (end > s && end[-1] == ' ')
            end--;
        if (end - s >= 2 && s[0] == '"' && end[-1] == '"')
            *name = xstrndup(s + 1, (size_t)(end - s - 2));
        else
            *name = xstrndup(s, (size_t)(end - s));
        *address = xstrndup(lt + 1, strcspn(lt + 1, ">"));
    }
    if (*name && *address)
        return 0;
    free(*name);
    free(*address);
    *name = *address = NULL;
    return -1;
}
