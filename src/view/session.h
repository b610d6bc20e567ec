/* session.h: one open view: its model, its state and the loop that turns
 * keys into scrolling, aggregation, pause and help. The static view of a
 * net runs its own loop until q; a Monte Carlo view is driven by the
 * engine's progress calls (through the C observer of observe.c) and polls
 * keys in each. */
#ifndef RELUSH_VIEW_SESSION_H
#define RELUSH_VIEW_SESSION_H

#include <stddef.h>
#include "view/model.h"
#include "view/render.h"

/* Redraws at most this often (seconds): ~20 Hz. A little under the engine's
 * 50 ms progress interval, so that jitter does not skip every other call. */
#define VIEW_FRAME_INTERVAL 0.045

/* What a key did. */
enum view_action { VIEW_NOTHING = 0, VIEW_REDRAW, VIEW_QUIT, VIEW_NEW_NET };

enum view_action view_key(view_state *s, const view_model *m, int key);

/* Renders the model as text (ASCII unless unicode), width columns, every
 * layer. Returns a malloc'ed string, or NULL when out of memory. */
char *view_snapshot_text(const view_model *m, int width, int unicode);
/* What view_snapshot_text needs at its peak, in bytes, to check first. */
double view_snapshot_bytes(const view_model *m, int width, int unicode);

/* Refills the model with a fresh net (key n); 0, or -1 when it cannot. */
typedef int (*view_renew_fn)(void *ctx, view_model *m);

/* Shows a static model until q/Esc (or a signal). Returns 0, the signal to
 * re-raise after cleanup (SIGINT, SIGTERM), or -1 with err filled when the
 * terminal cannot be used. The terminal is restored before it returns.
 * renew (may be NULL) draws the next net on n. */
int view_run_static(view_model *m, view_renew_fn renew, void *ctx, char *err, size_t errlen);

/* ---- Monte Carlo: one session at a time -------------------------------- */
typedef struct view_mc_session {
	view_model model;
	view_state state;
	view_grid grid;
	int active;        /* a run is being shown (or followed in batch mode) */
	int terminal;      /* drawn in the terminal (else printed at the end) */
	int left;          /* the user left (q) or a signal closed the view */
	double last_draw;
} view_mc_session;

/* Starts following a run (the model is already initialised): opens the
 * terminal when there is one. Returns 0 or -1 with err. */
int view_mc_begin(view_mc_session *v, char *err, size_t errlen);
/* After the model was updated: polls keys, redraws (rate limited, always on
 * the final call), and on the final call waits for q, then ends the
 * session. Returns 1 when the run should stop (q, Ctrl-C), else 0. *sig is
 * set to a signal to re-raise after cleanup (SIGTERM). */
int view_mc_step(view_mc_session *v, int *sig);
/* Ends the session whatever its state (restores the terminal; in batch
 * mode prints the last snapshot when print is set). */
void view_mc_end(view_mc_session *v, int print);

#endif
