/* bounce_unsubscribe - a person asking to leave: «baja», «darme de baja»,
 * «cancelar suscripción», «unsubscribe», «remove»... in the subject or in
 * the first line of their own text (not quoted, not an attribution), case
 * and accents ignored. A single weak word ("baja", "stop") counts only
 * when it is nearly all the line says. */
#include "bounce.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "bounce_int.h"

#include "banned.h"

/* Phrases that ask to leave, whatever else the line says. */
static const char *const unsub_strong[] = {"unsubscribe",
                                           "darme de baja",
                                           "dar de baja",
                                           "denme de baja",
                                           "den de baja",
                                           "dame de baja",
                                           "me doy de baja",
                                           "cancelar suscripcion",
                                           "cancelar mi suscripcion",
                                           "cancelar la suscripcion",
                                           "anular suscripcion",
                                           "desuscribir",
                                           "desuscribirme",
                                           "desinscribir",
                                           "desinscribirme",
                                           "no mas correos",
                                           "no quiero recibir",
                                           "remove me",
                                           "opt out",
                                           "opt-out",
                                           NULL};

/* Single words that ask to leave only when they are (nearly) all there is. */
static const char *const unsub_weak[] = {"baja",     "cancelar", "remove", "remover", "stop",
                                         "eliminar", "borrar",   "alto",   NULL};

static int count_words(const char *s)
{
    int n = 0, in = 0;

    for (; *s; s++) {
        int w = !isspace((unsigned char)*s);
        n += w && !in;
        in = w;
    }
    return n;
}

static int unsub_line(const char *f)
{
    const char *const *w;

    for (w = unsub_strong; *w; w++)
        if (bounce_find_word(f, *w))
            return 1;
    if (count_words(f) > 6)
        return 0;
    for (w = unsub_weak; *w; w++)
        if (bounce_find_word(f, *w))
            return 1;
    return 0;
}

/* Subject without "Re:", "RE:", "Fwd:", "RV:" prefixes (folded). */
static const char *subject_core(const char *f)
{
    static const char *const pre[] = {"re:", "fwd:", "fw:", "rv:", "reenv:", "aw:", "r:", NULL};
    const char *const *p;
    int again = 1;

    while (again) {
        again = 0;
        while (*f == ' ')
            f++;
        for (p = pre; *p; p++)
            if (!strncmp(f, *p, strlen(*p))) {
                f += strlen(*p);
                again = 1;
            }
    }
    return f;
}

static int is_attribution(const char *f)
{
    size_t n = strlen(f);

    return (n > 6 && !strcmp(f + n - 6, "wrote:")) || (n > 9 && !strcmp(f + n - 9, "escribio:"));
}

/* The first line of the sender's own words (folded; caller frees). */
static char *first_line(const char *text)
{
    const char *p = text, *end;
    char *line, *f;

    for (; *p; p = *end ? end + 1 : end) {
        end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        if (!(line = bounce_trimmed_dup(p, (size_t)(end - p))))
            return NULL;
        if (!*line || *line == '>') {
            free(line);
            continue;
        }
        f = bounce_fold_dup(line);
        free(line);
        if (!f || !is_attribution(f))
            return f;
        free(f);
    }
    return strdup("");
}

int bounce_unsubscribe_is(const char *fsubject, const char *text, struct bounce_result *r)
{
    char *line = first_line(text);
    int hit = 0;

    if (unsub_line(subject_core(fsubject)))
        hit = !bounce_set_why(r, "unsubscribe word in the subject");
    else if (line && *line && unsub_line(line))
        hit = !bounce_set_why(r, "unsubscribe word in the first line");
    free(line);
    return hit;
}
