/* session.c: the view's loops. Keys change only the view state (scroll,
 * aggregation, pause, help, axis, palette) and the engine's pause flag;
 * the renderer clamps what they ask for. A
 * static view waits for keys; a Monte Carlo view polls them on each of the
 * engine's progress calls and redraws at most every VIEW_FRAME_INTERVAL. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curses.h>
#include "relush/interrupt.h"
#include "view/session.h"
#include "view/term.h"

#define KEY_ESCAPE 27
#define KEY_CTRL_L 12

static void set_agg(view_state *s, int agg)
{
	size_t first_neuron = s->first_cell * (size_t)(s->agg_used > 0 ? s->agg_used : 1);
	s->agg = agg;
	s->first_cell = first_neuron / (size_t)(agg > 0 ? agg : 1);
}

static void scroll_layers(view_state *s, long by)
{
	if (by < 0 && (size_t)-by > s->top_layer)
		s->top_layer = 0;
	else
		s->top_layer += (size_t)by;   /* the renderer clamps the far end */
}

static void scroll_cells(view_state *s, long by)
{
	if (by < 0 && (size_t)-by > s->first_cell)
		s->first_cell = 0;
	else
		s->first_cell += (size_t)by;
}

enum view_action view_key(view_state *s, const view_model *m, int key)
{
	if (key == VIEW_KEY_NONE)
		return VIEW_NOTHING;
	if (key == VIEW_KEY_RESIZE)
		return VIEW_REDRAW;
	if (s->help) {             /* any key closes the help box ... */
		if (s->help_hidden > 0) {     /* ... except those scrolling one too tall */
			int by = key == KEY_UP || key == 'k' ? -1 : key == KEY_DOWN || key == 'j' ? 1
			       : key == KEY_PPAGE ? -8 : key == KEY_NPAGE ? 8 : 0;
			if (by != 0) {
				s->help_top = s->help_top + by < 0 ? 0 : s->help_top + by;
				return VIEW_REDRAW;    /* the renderer clamps the far end */
			}
		}
		s->help = 0;
		return key == 'q' || key == 'Q' ? VIEW_QUIT : VIEW_REDRAW;
	}
	int page = s->layer_rows > 1 ? s->layer_rows - 1 : 1;
	int step = s->heat_cols > 8 ? s->heat_cols / 8 : 1;
	switch (key) {
	case 'q': case 'Q': case KEY_ESCAPE:
		return VIEW_QUIT;
	case ' ':
		if (!m->mc || m->final)
			return VIEW_NOTHING;
		s->paused = !s->paused;
		return VIEW_REDRAW;
	case 'p': case 'P':       /* the computation itself: the workers wait */
		if (!m->mc || m->final)
			return VIEW_NOTHING;
		s->engine_paused = !s->engine_paused;
		rl_pause_set(s->engine_paused);
		return VIEW_REDRAW;
	case 'n': case 'N':
		return m->mc ? VIEW_NOTHING : VIEW_NEW_NET;
	case 'y': case 'Y':
		s->log_y = !s->log_y;
		break;
	case 'c': case 'C':
		s->contrast = !s->contrast;
		break;
	case KEY_UP: case 'k':     scroll_layers(s, -1); break;
	case KEY_DOWN: case 'j':   scroll_layers(s, 1); break;
	case KEY_PPAGE:            scroll_layers(s, -page); break;
	case KEY_NPAGE:            scroll_layers(s, page); break;
	case KEY_HOME: case 'g':   s->top_layer = 0; s->first_cell = 0; break;
	case KEY_END: case 'G':    s->top_layer = m->depth; break;
	case KEY_LEFT: case 'h':   scroll_cells(s, -step); break;
	case KEY_RIGHT: case 'l':  scroll_cells(s, step); break;
	case '+': case '=':
		if ((size_t)s->agg_used < m->max_width)
			set_agg(s, s->agg_used * 2 < (int)m->max_width ? s->agg_used * 2 : (int)m->max_width);
		break;
	case '-': case '_':
		set_agg(s, s->agg_used > 1 ? s->agg_used / 2 : 1);
		break;
	case '0':
		set_agg(s, 0);
		break;
	case '?':
		s->help = 1;
		s->help_top = 0;
		break;
	case KEY_CTRL_L:
		clear();
		break;
	default:
		return VIEW_NOTHING;
	}
	return VIEW_REDRAW;
}

/* ---- text ------------------------------------------------------------------- */

double view_snapshot_bytes(const view_model *m, int width, int unicode)
{
	view_state s;
	memset(&s, 0, sizeof s);
	s.colours = VIEW_RAMP;
	s.unicode = unicode;
	/* a grid cell (6 bytes), its text (up to 4 bytes and a newline) and the
	 * Lua string copied from that text */
	return (double)width * (double)view_render_full_height(m, &s) * 16.0;
}

char *view_snapshot_text(const view_model *m, int width, int unicode)
{
	view_state s;
	memset(&s, 0, sizeof s);
	s.colours = VIEW_RAMP;
	s.unicode = unicode;
	view_grid g;
	int height = view_render_full_height(m, &s);
	if (view_grid_init(&g, width, height))
		return NULL;
	view_render(m, &s, &g);
	char *text = view_grid_to_text(&g);
	view_grid_free(&g);
	return text;
}

/* ---- terminal frames ---------------------------------------------------------- */

static int frame(const view_model *m, view_state *s, view_grid *g)
{
	int w, h;
	view_term_size(&w, &h);
	if (w != g->width || h != g->height) {
		view_grid_free(g);
		if (view_grid_init(g, w, h))
			return -1;
	}
	view_render(m, s, g);
	view_term_draw(g, s->contrast);
	return 0;
}

static void init_state(view_state *s)
{
	memset(s, 0, sizeof *s);
	s->colours = view_term_colours();
	s->unicode = view_term_unicode();
	s->interactive = 1;
	const char *palette = getenv("RELUSH_PALETTE");
	s->contrast = palette && strcmp(palette, "contrast") == 0;
}

int view_run_static(view_model *m, view_renew_fn renew, void *ctx, char *err, size_t errlen)
{
	if (view_term_open(err, errlen))
		return -1;
	view_state s;
	view_grid g = {0, 0, NULL, 0};
	init_state(&s);
	int dirty = 1, status = 0;
	for (;;) {
		if (dirty && frame(m, &s, &g)) {
			snprintf(err, errlen, "not enough memory to draw the view");
			status = -1;
			break;
		}
		dirty = 0;
		/* every key typed so far, then one frame: a held key does not
		 * queue a redraw per repeat */
		enum view_action a = VIEW_NOTHING;
		for (int key = view_term_key(200); key != VIEW_KEY_NONE && a != VIEW_QUIT;
		     key = view_term_key(0)) {
			enum view_action k = view_key(&s, m, key);
			if (k == VIEW_NEW_NET) {
				if (renew && renew(ctx, m) == 0)
					k = VIEW_REDRAW;
				else
					k = VIEW_NOTHING;
			}
			if (k != VIEW_NOTHING)
				a = k;
		}
		if (view_term_signal()) {
			status = view_term_signal();
			break;
		}
		/* a Ctrl-C that came before the view took the terminal (the
		 * shell's handler set the flag): leave, the shell stops the command */
		if (a == VIEW_QUIT || rl_interrupted())
			break;
		dirty = a == VIEW_REDRAW;
	}
	view_term_close();
	view_grid_free(&g);
	return status;
}

/* ---- Monte Carlo ---------------------------------------------------------------- */

int view_mc_begin(view_mc_session *v, char *err, size_t errlen)
{
	memset(&v->state, 0, sizeof v->state);
	v->active = 1;
	v->left = 0;
	v->last_draw = 0;
	v->grid = (view_grid){0, 0, NULL, 0};
	v->terminal = view_term_usable();
	if (!v->terminal)
		return 0;
	if (view_term_open(err, errlen)) {
		v->active = 0;
		return -1;
	}
	init_state(&v->state);
	return 0;
}

void view_mc_end(view_mc_session *v, int print)
{
	rl_pause_set(0);       /* a run left paused must not stall the next one */
	v->state.engine_paused = 0;
	if (v->terminal)
		view_term_close();
	else if (print && v->active) {
		char *text = view_snapshot_text(&v->model, 80, 0);
		if (text) {
			fputs(text, stdout);
			fflush(stdout);
		}
		free(text);
	}
	view_grid_free(&v->grid);
	view_model_free(&v->model);
	v->active = 0;
	v->terminal = 0;
}

int view_mc_step(view_mc_session *v, int *sig)
{
	*sig = 0;
	if (!v->active || !v->terminal || v->left)
		return v->left;
	int dirty = 0;
	for (;;) {                      /* every key typed since the last call */
		int key = view_term_key(0);
		if (key == VIEW_KEY_NONE)
			break;
		enum view_action a = view_key(&v->state, &v->model, key);
		if (a == VIEW_QUIT) {
			v->left = 1;
			return 1;
		}
		dirty |= a == VIEW_REDRAW;
	}
	int s = view_term_signal();
	if (s) {
		/* A signal during the run, Ctrl-C included, goes on to the shell
		 * once the terminal is restored: Ctrl-C stops the whole command
		 * (the loop around this mc too), as it does without the view. */
		v->left = 1;
		*sig = s;
		return 1;
	}
	double now = rl_now();
	if (dirty || v->model.final || now - v->last_draw >= VIEW_FRAME_INTERVAL) {
		v->last_draw = now;
		if (frame(&v->model, &v->state, &v->grid))
			return v->left = 1;
	}
	if (!v->model.final)
		return 0;
	rl_pause_set(0);
	v->state.engine_paused = 0;
	if (v->model.interrupted) {
		/* Stopped by something other than this view's keys (a Ctrl-C
		 * that reached the shell before the view's handler was in
		 * place, a progress function's error): closed like a Ctrl-C. */
		v->left = 1;
		return 0;
	}
	/* The run is over: keep the last frame until the user leaves. */
	v->state.paused = 0;
	frame(&v->model, &v->state, &v->grid);
	for (;;) {
		int key = view_term_key(200);
		if ((s = view_term_signal()) != 0) {
			if (s != SIGINT)
				*sig = s;
			else        /* the run is over: Ctrl-C only leaves, like q */
				rl_interrupt_clear();
			break;
		}
		enum view_action a = view_key(&v->state, &v->model, key);
		if (a == VIEW_QUIT)
			break;
		if (a == VIEW_REDRAW && frame(&v->model, &v->state, &v->grid))
			break;
	}
	v->left = 1;
	return 0;
}
