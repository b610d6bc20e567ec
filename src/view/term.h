/* term.h: the ncurses back end of the live view: opening and always
 * restoring the terminal, colours and glyphs, drawing a grid, keys,
 * resizing and the signals that must not leave the terminal in raw mode. */
#ifndef RELUSH_VIEW_TERM_H
#define RELUSH_VIEW_TERM_H

#include <stddef.h>
#include "view/grid.h"

/* Key codes besides characters (and ncurses' KEY_* codes). */
#define VIEW_KEY_NONE   (-1)   /* timeout */
#define VIEW_KEY_RESIZE (-2)   /* the terminal changed size */

/* Both standard input and output are terminals whose TERM can show the
 * view (else views print text). */
int view_term_usable(void);
/* The same, saying why not: 1 usable; 0 not a terminal (why is ""); -1 a
 * terminal the view cannot use (TERM missing, unknown or without cursor
 * addressing; why says which). */
int view_term_check(char *why, size_t len);
/* termcaps.c: TERM's terminfo entry can address the cursor: 0, or -1 with why. */
int view_termcaps_check(const char *term, char *why, size_t len);

/* Opens the terminal in the view's mode; chooses colours (256, 8, or none
 * when NO_COLOR is set or the terminal has none) and glyphs (UTF-8 when
 * the locale's codeset is). Returns 0, or -1 with a message in err. Only
 * one view is open at a time. */
int view_term_open(char *err, size_t errlen);
/* Restores the terminal (idempotent) and the signal dispositions. */
void view_term_close(void);
int view_term_is_open(void);

int view_term_colours(void);     /* enum view_colours */
int view_term_unicode(void);
void view_term_size(int *width, int *height);

/* contrast: the high-contrast palette (strong colours, bold glyphs). */
void view_term_draw(const view_grid *g, int contrast);
/* A key, waiting at most timeout_ms (0: do not wait). Escape sequences
 * ncurses does not know (keys of a terminal that does not match TERM) are
 * swallowed whole, never returned as Esc (27); Esc alone is returned. */
int view_term_key(int timeout_ms);

/* SIGINT or SIGTERM received while the view was open (0 if none). The
 * handler has already asked the engine to stop (rl_interrupt_request). */
int view_term_signal(void);
/* After view_term_close: delivers a pending SIGINT/SIGTERM to the
 * disposition the view replaced (the shell's handler, or the default),
 * when the view's own handler took it; one that came before the view
 * opened was delivered there already. */
void view_term_reraise(int sig);

#endif
