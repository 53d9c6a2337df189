/* banned.h - calls that overflow or hide state; include after system headers.
 *
 * Using one of these is a compile error. Use buf_add*() / snprintf() instead.
 * git's whole list (compat/banned.h: strcpy, strcat, strncpy, strncat,
 * sprintf, vsprintf, gmtime, localtime, ctime, ctime_r, asctime, asctime_r,
 * mktemp, strtok, strtok_r), and gets.
 */
#ifndef MAILER_BANNED_H
#define MAILER_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_use_buf_or_snprintf

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
/* static buffers shared by every thread: use the _r forms (gmtime_r,
 * localtime_r) or datefmt.h */
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef ctime
#define ctime(t) BANNED(ctime)
#undef ctime_r
#define ctime_r(t, b) BANNED(ctime_r)
#undef asctime
#define asctime(t) BANNED(asctime)
#undef asctime_r
#define asctime_r(t, b) BANNED(asctime_r)
/* a name another process can take first: use mkstemp */
#undef mktemp
#define mktemp(x) BANNED(mktemp)
#undef gets
#define gets(x) BANNED(gets)
/* hidden state between calls (strtok); both merge adjacent separators, so
 * an empty field silently vanishes (strtok_r) */
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef strtok_r
#define strtok_r(x, y, z) BANNED(strtok_r)

#endif
