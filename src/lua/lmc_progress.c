/* lmc_progress.c: the progress of an mc() run: progress tables for a Lua
 * function (called on the calling thread only), the live view's observer,
 * and the bar on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "relush/bounds.h"
#include "relush/flip.h"
#include "relush/inputs.h"
#include "relush/interrupt.h"
#include "lmc_impl.h"

/* ---- progress ----------------------------------------------------------------- */



static void push_layer_progress(lua_State *L, const mc_counts *c, const rl_net_spec *s)
{
	lua_createtable(L, (int)(c->depth < 1u << 24 ? c->depth : 0), 0);
	size_t offset = 0;
	for (size_t l = 0; l < c->depth; l++) {
		const mc_layer_counts *x = &c->layers[l];
		lua_createtable(L, 0, 6);
		rlua_set_integer(L, "width", (lua_Integer)s->widths[l]);
		rlua_set_integer(L, "trials_reaching", (lua_Integer)x->trials_reaching);
		rlua_set_integer(L, "trials_living", (lua_Integer)x->trials_living);
		rlua_set_integer(L, "reaching", (lua_Integer)x->points_reaching);
		rlua_set_integer(L, "living", (lua_Integer)x->points_living);
		rlua_set_integer(L, "dead_neurons", (lua_Integer)x->dead_neurons);
		if (c->neuron_active) {
			lua_createtable(L, (int)s->widths[l], 0);
			for (size_t j = 0; j < s->widths[l]; j++) {
				lua_pushinteger(L, (lua_Integer)c->neuron_active[offset + j]);
				lua_rawseti(L, -2, (lua_Integer)j + 1);
			}
			lua_setfield(L, -2, "active");
		}
		offset += s->widths[l];
		lua_rawseti(L, -2, (lua_Integer)l + 1);
	}
}

static void push_progress(lua_State *L, const mc_progress *p, const progress_ctx *ctx)
{
	const mc_counts *c = p->counts;
	lua_createtable(L, 0, 12);
	rlua_set_integer(L, "done", (lua_Integer)p->done);
	rlua_set_integer(L, "total", (lua_Integer)p->total);
	rlua_set_number(L, "elapsed", p->elapsed);
	rlua_set_number(L, "rate", p->rate);
	rlua_set_number(L, "eta", p->eta);
	rlua_set_bool(L, "final", p->final);
	rlua_set_integer(L, "alive_trials", (lua_Integer)c->alive_trials);
	if (c->trials) {
		double lo, hi;
		mc_wilson(c->alive_trials, c->trials, 1.959963984540054, &lo, &hi);
		rlua_set_number(L, "p_alive", (double)c->alive_trials / (double)c->trials);
		lua_createtable(L, 2, 0);
		lua_pushnumber(L, lo);
		lua_rawseti(L, -2, 1);
		lua_pushnumber(L, hi);
		lua_rawseti(L, -2, 2);
		lua_setfield(L, -2, "ci");
	}
	rlua_set_number(L, "lower", ctx->lower);
	rlua_set_number(L, "upper", ctx->upper);
	rlua_set_integer(L, "points", (lua_Integer)ctx->points);
	rlua_set_integer(L, "input", (lua_Integer)ctx->spec->input);
	rlua_set_integer(L, "seed", (lua_Integer)ctx->spec->seed);
	rlua_set_bool(L, "interrupted", p->final && p->done < p->total);
	push_layer_progress(L, c, ctx->spec);
	lua_setfield(L, -2, "layers");
}

/* Calls fn (at stack index idx) with a progress table; 1 means stop. */
/* Builds the progress table and calls the function, all inside lua_pcall:
 * an error (even a memory error while building the table) must not jump
 * out of mc_run while its worker threads are running. */
typedef struct progress_call {
	progress_ctx *ctx;
	const mc_progress *p;
} progress_call;

static int progress_trampoline(lua_State *L)
{
	progress_call *pc = lua_touserdata(L, 2);
	lua_pushvalue(L, 1);
	push_progress(L, pc->p, pc->ctx);
	lua_call(L, 1, 1);
	return 1;
}

static int call_progress_fn(progress_ctx *ctx, int idx, const mc_progress *p)
{
	lua_State *L = ctx->L;
	progress_call pc = {ctx, p};
	lua_pushcfunction(L, progress_trampoline);
	lua_pushvalue(L, idx);
	lua_pushlightuserdata(L, &pc);
	if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
		/* Ctrl-C while the function ran: the shell's hook raised
		 * "interrupted" in it; that is the run's interrupt, not an error. */
		if (rl_interrupted()) {
			lua_pop(L, 1);
			ctx->interrupted = 1;
			return 1;
		}
		ctx->failed = 1;
		ctx->err_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		return 1;
	}
	int stop = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
	lua_pop(L, 1);
	return stop;
}

/* A duration as people read it: "42s", "3m 12s", "5h 02m", "2d 07h";
 * "?" when unknown. */
static void human_duration(double seconds, char *buf, size_t len)
{
	if (!isfinite(seconds) || seconds < 0 || seconds > 1e12) {
		snprintf(buf, len, "?");
		return;
	}
	unsigned long long s = (unsigned long long)(seconds + 0.5);
	if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum %02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh %02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%llud %02lluh", s / 86400, s / 3600 % 24);
}

/* The columns of the terminal on stderr, read at each redraw (it may have
 * been resized since the run began); 0 when unknown. */
static int stderr_columns(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* One line no wider than the terminal: a line that wrapped would leave a
 * copy of itself at each redraw ("\r" goes back only to the start of the
 * last row). The bar narrows first (30 cells down to 10), then the rate,
 * the counts and the ETA are left out, whole, in that order. */
static void draw_bar(progress_ctx *ctx, const mc_progress *p)
{
	if (p->final) {
		if (ctx->bar_drawn)
			fputs("\r\033[K", stderr);
		fflush(stderr);
		return;
	}
	if (p->elapsed < 0.5)   /* quick runs draw nothing */
		return;
	double frac = p->total ? (double)p->done / (double)p->total : 0.0;
	char eta[32], counts[48], pct[16], rate[48];
	human_duration(p->eta, eta, sizeof eta);
	snprintf(counts, sizeof counts, " %llu/%llu", (unsigned long long)p->done, (unsigned long long)p->total);
	snprintf(pct, sizeof pct, " %5.1f%%", 100.0 * frac);
	snprintf(rate, sizeof rate, "  %.4g trials/s", p->rate);
	int columns = stderr_columns(), room = columns > 0 ? columns - 1 : 1 << 20;
	/* the fields kept, most wanted first: percent, ETA, counts, rate */
	for (int keep = 4; keep >= 1; keep--) {
		char tail[160];
		snprintf(tail, sizeof tail, "%s%s%s%s%s", keep >= 3 ? counts : "", pct, keep >= 4 ? rate : "",
		         keep >= 2 ? "  ETA " : "", keep >= 2 ? eta : "");
		int cells = room - (int)strlen(tail) - (int)strlen("mc []");
		if (cells < 10)
			continue;
		if (cells > 30)
			cells = 30;
		char bar[31];
		int full = (int)(frac * cells);
		for (int i = 0; i < cells; i++)
			bar[i] = i < full ? '=' : (i == full ? '>' : ' ');
		bar[cells] = '\0';
		fprintf(stderr, "\r\033[Kmc [%s]%s", bar, tail);
		fflush(stderr);
		ctx->bar_drawn = 1;
		return;
	}
	/* narrower than "mc [" + 10 cells + "] 42.0%": the percent alone, or nothing */
	if ((int)strlen(pct) + 2 <= room)
		fprintf(stderr, "\r\033[Kmc%s", pct);
	else
		fputs("\r\033[K", stderr);
	fflush(stderr);
	ctx->bar_drawn = 1;
}

int lmc_on_progress(const mc_progress *p, void *arg)
{
	progress_ctx *ctx = arg;
	int stop = 0;
	if (ctx->bar)
		draw_bar(ctx, p);
	if (ctx->view)      /* C to C: the view reads the engine's structure */
		stop |= ctx->view->progress(ctx->view->ctx, p);
	if (rl_interrupted() || p->interrupt) {
		ctx->interrupted = 1;
		if (!p->final)
			return 1;   /* stopping: no Lua code until the engine has consumed the interrupt */
	}
	/* after a Ctrl-C the user's function is not entered again for the
	 * final report: a slow one would make the user press Ctrl-C twice */
	if (!ctx->failed && ctx->user_fn && !ctx->interrupted)
		stop |= call_progress_fn(ctx, ctx->user_fn, p);
	return stop || ctx->failed;
}

