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

static void on_stop_signal(int sig)
{
	pending_signal = sig;
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

int view_term_usable(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
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
	if (colours == VIEW_RAMP)
		return;
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
	pending_signal = 0;
	pending_resize = 0;
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
	set_escdelay(25);
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
}

void view_term_reraise(int sig)
{
	if (sig)
		raise(sig);
}

/* ---- drawing and keys --------------------------------------------------------- */

void view_term_size(int *width, int *height)
{
	*width = COLS;
	*height = LINES;
}

void view_term_draw(const view_grid *g)
{
	for (int y = 0; y < g->height && y < LINES; y++) {
		move(y, 0);
		const view_cell *row = &g->cells[(size_t)y * (size_t)g->width];
		int style = -1;
		for (int x = 0; x < g->width && x < COLS; x++) {
			if (row[x].style != style) {
				style = row[x].style;
				attrset(style_attr[style]);
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
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clear();
	return VIEW_KEY_RESIZE;
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
		clear();
		return VIEW_KEY_RESIZE;
	}
	return ch == ERR ? VIEW_KEY_NONE : ch;
}
