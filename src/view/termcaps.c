/* termcaps.c: can the terminal named by TERM show the view? A terminal
 * that is a terminal but cannot move its cursor (TERM=dumb, an emacs
 * shell buffer) or that terminfo does not know would show a blank or
 * garbled screen: such terminals get the text snapshot instead. Kept
 * apart from term.c because <term.h> defines capability macros (lines,
 * columns, ...) that would shadow ordinary names there. */
#include <stdio.h>
#include <unistd.h>
#include <curses.h>
#include <term.h>
#include "view/term.h"

int view_termcaps_check(const char *term, char *why, size_t len)
{
	/* setupterm replaces cur_term, which readline's termcap strings live
	 * in: the probe gets its own and the old one is put back. */
	TERMINAL *old = cur_term;
	int errret = 0;
	if (setupterm((char *)term, STDOUT_FILENO, &errret) != OK) {
		set_curterm(old);
		snprintf(why, len, "the terminal type '%s' (TERM) is unknown to terminfo", term);
		return -1;
	}
	const char *cup = tigetstr("cup");
	int ok = cup != NULL && cup != (char *)-1;
	del_curterm(cur_term);
	set_curterm(old);
	if (!ok) {
		snprintf(why, len, "the terminal type '%s' (TERM) cannot move the cursor", term);
		return -1;
	}
	return 0;
}
