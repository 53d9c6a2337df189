/* listconf - how to read one contact list when its headers do not say it by
 * themselves: which column holds the address, which make the name, its
 * delimiter and encoding.
 *
 * Two places say it, with the same keys (English, like a campaign's):
 *
 *   - a small file beside the list, contacts/NAME.ini for contacts/NAME.csv,
 *     used by every campaign and by `mailer contacts check`:
 *         [list]
 *         address_column = Correo personal
 *         name_columns = Nombre, Apellido paterno
 *         delimiter = ;
 *         encoding = windows-1252
 *   - a [list NAME] section of a campaign file, for that campaign only; its
 *     keys win over the file's.
 *
 * Columns are named as written in the header or normalized ("correo_personal").
 * name_columns are one to three columns whose cells, joined by a space, make
 * the recipient's name (the To: header, and {{nombre}} unless the list has a
 * «Nombre» column of its own). The files are the office's own configuration.
 */
#ifndef MAILER_LISTCONF_H
#define MAILER_LISTCONF_H

#include "contacts.h"
#include "err.h"

#define LISTCONF_NAMES 3

struct listconf {
    char *address_column;               /* NULL: found among the usual names */
    char *name_columns[LISTCONF_NAMES]; /* NULL-padded; none: the usual names */
    int delim;                          /* 0: sniffed from the header line */
    enum csvread_encoding encoding;     /* CSVREAD_AUTO unless said */
    char *path;                         /* its companion file (read or not), or NULL */
    int found;                          /* the companion file was there, and read */
};

/* Set one key from text (trusted configuration). 0, or -1 with *why set to a
 * static English sentence (unknown key, bad value); -2 when out of memory. */
int listconf_set(struct listconf *lc, const char *key, const char *value, const char **why);
/* Read the companion file of the list at csv_path (x.csv: x.ini) into lc,
 * when there is one: 0 (also when there is none), or -1 with err set
 * ("file:line: ..." for every problem). lc->path names the file either way. */
int listconf_read(struct listconf *lc, const char *csv_path, struct err *err);
/* The companion file's path for csv_path (x.csv: x.ini) into out. */
int listconf_path(const char *csv_path, struct buf *out);
/* The options contacts_load() takes; they point into lc (valid while it is),
 * and messages advise its companion file. */
void listconf_opts(const struct listconf *lc, struct contacts_list_opts *o);
void listconf_release(struct listconf *lc);

#endif
