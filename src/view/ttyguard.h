/* ttyguard.h: the terminal is given back on every way out. The REPL
 * (readline) and the view (ncurses) change the terminal's modes; if the
 * process dies on a signal while they are in effect (a crash, SIGTERM,
 * SIGHUP, SIGQUIT), the handlers installed here restore the terminal state
 * saved at start-up and write the escape sequences that leave the modes
 * the screen is in, then let the signal take its previous action (the
 * default, or a sanitizer's handler). */
#ifndef RELUSH_VIEW_TTYGUARD_H
#define RELUSH_VIEW_TTYGUARD_H

/* Saves the terminal's state and installs the handlers; does nothing when
 * standard input is not a terminal. Call once, early. */
void tty_guard_init(void);

/* What is on screen that a dying process must undo: an escape sequence per
 * slot, written (before the terminal state is restored) on a fatal signal.
 * NULL or "" clears the slot. Not for use in a signal handler. */
enum tty_guard_slot {
	TTY_GUARD_PROMPT,   /* readline at the prompt (bracketed paste) */
	TTY_GUARD_VIEW,     /* the view (alternate screen, hidden cursor) */
	TTY_GUARD_SLOTS
};
void tty_guard_set_escape(enum tty_guard_slot slot, const char *seq);

#endif
