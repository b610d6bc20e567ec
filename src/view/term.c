/* term.c: the live view's ncurses back end. The terminal is restored on
 * every way out: q, an error (callers close before raising), Ctrl-C and
 * SIGTERM (our handlers only set flags; the view closes, then the signal
 * goes on to the disposition it replaced), exit (atexit), and a crash or
 * another deadly signal (ttyguard.c, given the escapes that leave the
 * view's screen while it is open). The view's own handlers are installed
 * before newterm so that ncurses installs none of its process-wide ones. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <curses.h>
#include "relush/interrupt.h"
#include "view/render.h"
#include "view/term.h"
#include "view/ttyguard.h"

static SCREEN *screen;
static int colours, unicode, old_cursor = -1;
static char *saved_locale;
static attr_t style_attr[VS_COUNT];
static struct sigaction old_int, old_term, old_winch, old_tstp;
static volatile sig_atomic_t pending_signal, pending_resize;
/* the signal the view's own handler took (not one the shell had already
 * when the view opened): only that one is passed on at close */
static volatile sig_atomic_t caught_signal;
static int resized;               /* the size changed while the view was open */
static attr_t contrast_attr[VS_COUNT];
static void tell_new_size(void);

static void on_stop_signal(int sig)
{
	pending_signal = sig;
	caught_signal = sig;
	rl_interrupt_request();
}

static void on_winch(int sig)
{
	(void)sig;
	pending_resize = 1;
}

static void set_handler(int sig, void (*fn)(int), struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART keeps a frame's writes whole; a waiting getch (poll) still
	 * returns at once with EINTR. */
	sa.sa_flags = SA_RESTART;
	sigaction(sig, &sa, old);
}

int view_term_check(char *why, size_t len)
{
	char scratch[256];
	if (!why) {
		why = scratch;
		len = sizeof scratch;
	}
	why[0] = '\0';
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return 0;
	if (screen)
		return 1;
	const char *term = getenv("TERM");
	if (!term || !*term) {
		snprintf(why, len, "the TERM variable does not name the terminal (it is not set)");
		return -1;
	}
	return view_termcaps_check(term, why, len) == 0 ? 1 : -1;
}

int view_term_usable(void)
{
	return view_term_check(NULL, 0) == 1;
}

int view_term_is_open(void) { return screen != NULL; }
int view_term_colours(void) { return colours; }
int view_term_unicode(void) { return unicode; }
int view_term_signal(void) { return pending_signal; }

static void at_exit_restore(void)
{
	view_term_close();
}

/* ---- colours ---------------------------------------------------------------- */

/* A viridis-like ramp in the xterm 256-colour cube: dark purple to yellow. */
static const short heat256[VIEW_HEAT_LEVELS] = {
	54, 55, 56, 61, 25, 31, 30, 36, 37, 43, 42, 78, 114, 148, 184, 226
};
static const short heat8[5] = {COLOR_BLUE, COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW, COLOR_WHITE};

static short next_pair = 1;

static attr_t pair_attr(short fg, short bg)
{
	if (next_pair >= COLOR_PAIRS)
		return A_NORMAL;
	init_pair(next_pair, fg, bg);
	return COLOR_PAIR(next_pair++);
}

/* The high-contrast palette: four strong 8-colour backgrounds under bold
 * black glyphs (the ramp characters, so levels read without colour too),
 * dead cells bold white on red; readable on dark and light screens. */
static void setup_contrast(void)
{
	static const short level_bg[4] = {COLOR_BLUE, COLOR_CYAN, COLOR_YELLOW, COLOR_WHITE};
	for (int i = 0; i < VS_COUNT; i++)
		contrast_attr[i] = style_attr[i];
	contrast_attr[VS_DIM] = A_NORMAL;
	contrast_attr[VS_DEAD] = pair_attr(COLOR_WHITE, COLOR_RED) | A_BOLD;
	contrast_attr[VS_UNREACHED] = A_NORMAL;
	contrast_attr[VS_CURVE] = A_BOLD | A_REVERSE;
	contrast_attr[VS_BAR] = A_BOLD;
	contrast_attr[VS_LOWER] = pair_attr(COLOR_RED, -1) | A_BOLD;
	contrast_attr[VS_UPPER] = pair_attr(COLOR_MAGENTA, -1) | A_BOLD;
	attr_t levels[4];
	for (int k = 0; k < 4; k++)
		levels[k] = pair_attr(COLOR_BLACK, level_bg[k]) | A_BOLD;
	for (int k = 1; k <= VIEW_HEAT_LEVELS; k++)
		contrast_attr[VS_HEAT0 + k] = levels[(k - 1) * 4 / VIEW_HEAT_LEVELS];
}

static void setup_styles(void)
{
	for (int i = 0; i < VS_COUNT; i++)
		style_attr[i] = A_NORMAL;
	style_attr[VS_DIM] = A_DIM;
	style_attr[VS_TITLE] = A_BOLD;
	style_attr[VS_HEADER] = A_BOLD;
	style_attr[VS_STATUS] = A_REVERSE;
	style_attr[VS_WARN] = A_BOLD | A_REVERSE;
	style_attr[VS_DEAD] = A_BOLD;
	style_attr[VS_CURVE] = A_BOLD;
	if (colours == VIEW_RAMP) {
		for (int i = 0; i < VS_COUNT; i++)
			contrast_attr[i] = style_attr[i] | (i == VS_DIM ? 0 : A_BOLD);
		contrast_attr[VS_DIM] = A_NORMAL;
		return;
	}
	int c256 = colours == VIEW_COLOUR256;
	next_pair = 1;
	style_attr[VS_DIM] = c256 ? pair_attr(245, -1) : A_DIM;
	style_attr[VS_WARN] = pair_attr(COLOR_YELLOW, -1) | A_BOLD;
	style_attr[VS_DEAD] = pair_attr(COLOR_WHITE, c256 ? 160 : COLOR_RED);
	style_attr[VS_UNREACHED] = c256 ? pair_attr(240, -1) : A_DIM;
	style_attr[VS_BAR] = pair_attr(c256 ? 114 : COLOR_GREEN, -1);
	style_attr[VS_CURVE] = pair_attr(c256 ? 226 : COLOR_YELLOW, -1) | A_BOLD;
	style_attr[VS_BAND] = pair_attr(c256 ? 67 : COLOR_BLUE, -1);
	style_attr[VS_LOWER] = pair_attr(c256 ? 203 : COLOR_RED, -1);
	style_attr[VS_UPPER] = pair_attr(c256 ? 170 : COLOR_MAGENTA, -1);
	for (int k = 1; k <= VIEW_HEAT_LEVELS; k++) {
		short bg = c256 ? heat256[k - 1] : heat8[(k - 1) * 5 / VIEW_HEAT_LEVELS];
		style_attr[VS_HEAT0 + k] = pair_attr(COLOR_BLACK, bg);
	}
	setup_contrast();
}

/* ---- opening and closing ------------------------------------------------------ */

static void restore_signals(void)
{
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGWINCH, &old_winch, NULL);
	sigaction(SIGTSTP, &old_tstp, NULL);
}

/* What a process killed while the view is open must write to leave the
 * view's screen: normal attributes, the cursor back, keypad and alternate
 * screen off (the terminal's modes are restored by ttyguard itself). */
static void guard_escape(void)
{
	static const char *const caps[] = {"sgr0", "cnorm", "rmkx", "rmcup"};
	char seq[256];
	size_t len = 0;
	seq[0] = '\0';
	for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		const char *s = tigetstr(caps[i]);
		if (s == NULL || s == (char *)-1)
			continue;
		size_t n = strlen(s);
		if (len + n >= sizeof seq)
			break;
		memcpy(seq + len, s, n + 1);
		len += n;
	}
	tty_guard_set_escape(TTY_GUARD_VIEW, seq);
}

int view_term_open(char *err, size_t errlen)
{
	static int atexit_done;
	if (screen)
		return 0;
	if (!view_term_usable()) {
		snprintf(err, errlen, "the view needs a terminal on standard input and output");
		return -1;
	}
	const char *term = getenv("TERM");
	if (!term || !*term) {
		snprintf(err, errlen, "the view needs the TERM variable to name the terminal (it is not set)");
		return -1;
	}
	if (!atexit_done && atexit(at_exit_restore) == 0)
		atexit_done = 1;
	/* a Ctrl-C that reached the shell's handler before ours was in place
	 * closes the view like a later one */
	pending_signal = rl_interrupted() ? SIGINT : 0;
	caught_signal = 0;
	pending_resize = 0;
	resized = 0;
	set_handler(SIGINT, on_stop_signal, &old_int);
	set_handler(SIGTERM, on_stop_signal, &old_term);
	set_handler(SIGWINCH, on_winch, &old_winch);
	/* Suspending would leave the terminal in the view's mode: ignored while
	 * the view is open (and so ncurses never installs its own handler). */
	set_handler(SIGTSTP, SIG_IGN, &old_tstp);

	/* ncursesw needs the locale's codeset; numbers keep the C syntax Lua
	 * expects, and the whole locale is put back when the view closes. */
	const char *cur = setlocale(LC_ALL, NULL);
	free(saved_locale);
	saved_locale = cur ? strdup(cur) : NULL;
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	unicode = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;

	fflush(stdout);
	/* the size from the terminal, never from LINES/COLUMNS: readline
	 * exports them and they go stale when the window is resized */
	use_env(FALSE);
	use_tioctl(TRUE);
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		restore_signals();
		if (saved_locale)
			setlocale(LC_ALL, saved_locale);
		snprintf(err, errlen, "cannot open the terminal '%s' for the view (unknown to terminfo?)", term);
		return -1;
	}
	set_term(screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	set_escdelay(25);    /* short: Esc alone still leaves at once */
	old_cursor = curs_set(0);
	const char *no_colour = getenv("NO_COLOR");
	colours = VIEW_RAMP;
	if ((!no_colour || !*no_colour) && has_colors()) {
		start_color();
		use_default_colors();
		colours = COLORS >= 256 ? VIEW_COLOUR256 : COLORS >= 8 ? VIEW_COLOUR8 : VIEW_RAMP;
	}
	setup_styles();
	guard_escape();
	erase();
	refresh();
	return 0;
}

void view_term_close(void)
{
	if (!screen)
		return;
	tty_guard_set_escape(TTY_GUARD_VIEW, NULL);
	if (old_cursor >= 0)
		curs_set(old_cursor);
	endwin();
	delscreen(screen);
	screen = NULL;
	fflush(stdout);
	restore_signals();
	if (saved_locale) {
		setlocale(LC_ALL, saved_locale);
		free(saved_locale);
		saved_locale = NULL;
	}
	if (resized || pending_resize)
		tell_new_size();
}

/* After a resize the view took for itself: the environment's LINES and
 * COLUMNS (set by readline, read by tput and by programs run from the
 * shell) get the new size, and the SIGWINCH the view swallowed goes on to
 * the disposition it replaced, so readline learns the size too. */
static void tell_new_size(void)
{
	resized = 0;
	pending_resize = 0;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		char buf[16];
		if (getenv("COLUMNS")) {
			snprintf(buf, sizeof buf, "%u", (unsigned)ws.ws_col);
			setenv("COLUMNS", buf, 1);
		}
		if (getenv("LINES")) {
			snprintf(buf, sizeof buf, "%u", (unsigned)ws.ws_row);
			setenv("LINES", buf, 1);
		}
	}
	raise(SIGWINCH);
}

void view_term_reraise(int sig)
{
	/* a Ctrl-C that reached the shell's handler before the view opened is
	 * already counted there: raising it again would count it twice */
	if (sig && sig == caught_signal)
		raise(sig);
}

/* ---- drawing and keys --------------------------------------------------------- */

void view_term_size(int *width, int *height)
{
	*width = COLS;
	*height = LINES;
}

void view_term_draw(const view_grid *g, int contrast)
{
	const attr_t *attrs = contrast ? contrast_attr : style_attr;
	for (int y = 0; y < g->height && y < LINES; y++) {
		move(y, 0);
		const view_cell *row = &g->cells[(size_t)y * (size_t)g->width];
		int style = -1;
		for (int x = 0; x < g->width && x < COLS; x++) {
			if (row[x].style != style) {
				style = row[x].style;
				attrset(attrs[style]);
			}
			/* the bottom-right cell returns ERR once written: expected */
			addstr(row[x].glyph);
		}
	}
	attrset(A_NORMAL);
	refresh();
}

static int apply_resize(void)
{
	pending_resize = 0;
	resized = 1;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
	return VIEW_KEY_RESIZE;
}

/* After an Esc (27) that ncurses' keypad decoding did not turn into a key:
 * if more bytes are already there (ncurses waited ESCDELAY for them), it
 * was a sequence of a key terminfo does not know for this TERM (End
 * under a TERM that does not match, Alt-x): it is read to its end and
 * ignored. Esc alone is Esc. */
static int escape_or_sequence(void)
{
	timeout(0);
	int ch = getch();
	if (ch == ERR)
		return 27;
	if (ch == '[') {              /* CSI: parameters, then a final byte @..~ */
		for (int n = 0; n < 32; n++) {
			ch = getch();
			if (ch == ERR || (ch >= 0x40 && ch <= 0x7e))
				break;
		}
	} else if (ch == 'O') {       /* SS3: one more byte */
		getch();
	}                             /* else Alt-x: x is swallowed */
	return VIEW_KEY_NONE;
}

int view_term_key(int timeout_ms)
{
	if (!screen)
		return VIEW_KEY_NONE;
	if (pending_resize)
		return apply_resize();
	timeout(timeout_ms);
	int ch = getch();
	if (pending_resize)
		return apply_resize();
	if (ch == KEY_RESIZE) {
		resized = 1;
		clear();
		return VIEW_KEY_RESIZE;
	}
	if (ch == 27)
		return escape_or_sequence();
	return ch == ERR ? VIEW_KEY_NONE : ch;
}
