// The C half of cgotraceback: SetCgoTraceback's three functions (fake
// C stacks, made up from the context's number) and the C code that calls
// Go, nested and from a thread of its own.

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "_cgo_export.h"

struct contextArg { uintptr_t context; };
struct tracebackArg { uintptr_t context, sigContext; uintptr_t *buf; uintptr_t max; };
struct symbolizerArg {
	uintptr_t pc;
	const char *file;
	uintptr_t lineno;
	const char *func;
	uintptr_t entry, more, data;
};

static int live, made, released;

int liveContexts(void) { return __sync_add_and_fetch(&live, 0); }
int madeContexts(void) { return __sync_add_and_fetch(&made, 0); }
int releasedContexts(void) { return __sync_add_and_fetch(&released, 0); }

// Contexts are numbered from 1 as they are made; released ones are not
// reused.
void tbContext(void *p) {
	struct contextArg *arg = p;
	if (arg->context == 0) {
		arg->context = __sync_add_and_fetch(&made, 1);
		__sync_add_and_fetch(&live, 1);
	} else {
		__sync_sub_and_fetch(&live, 1);
		__sync_add_and_fetch(&released, 1);
	}
}

// Context n has 1 + n%3 frames, pcs 0x1000*n + i. Only contexts whose
// number is even end their list with a zero: for the others the runtime's
// buffer keeps what an earlier call left after them, as upstream's does.
void tbTraceback(void *p) {
	struct tracebackArg *arg = p;
	if (arg->context == 0) {
		if (arg->max > 0) arg->buf[0] = 0;
		return;
	}
	uintptr_t n = 1 + arg->context % 3, i;
	for (i = 0; i < n && i < arg->max; i++) arg->buf[i] = 0x1000 * arg->context + i;
	if (arg->context % 2 == 0 && i < arg->max) arg->buf[i] = 0;
}

// pc 0x1000*n + i: function cfunc_n_i in ctx.c at line 100*n+i; the first
// frame of each context also has an inlined caller (two calls, More);
// pcs ending in 2 are unknown to it.
static char names[64][32];
void tbSymbolizer(void *p) {
	struct symbolizerArg *arg = p;
	if (arg->pc == 0) {
		return;
	}
	if ((arg->pc & 0xf) == 2) {
		arg->file = NULL;
		arg->func = NULL;
		arg->lineno = 0;
		arg->more = 0;
		return;
	}
	int second = arg->file != NULL && arg->more;
	uintptr_t n = arg->pc / 0x1000, i = arg->pc % 0x1000;
	char *name = names[(n * 4 + i) % 64];
	snprintf(name, 32, second ? "cinl_%d_%d" : "cfunc_%d_%d", (int)n, (int)i);
	arg->func = name;
	arg->file = "ctx.c";
	arg->lineno = 100 * n + i + (second ? 50 : 0);
	arg->entry = arg->pc - i;
	arg->more = i == 0 && !second;
}

void cOuter(int depth) { goMiddle(depth); }
void cInner(int depth) { goInner(depth); }

static void *threadMain(void *unused) {
	goOnThread();
	return NULL;
}

void cThread(void) {
	pthread_t t;
	pthread_create(&t, NULL, threadMain, NULL);
	pthread_join(t, NULL);
}

void cBlock(void) { goBlock(); }
void cPanic(void) { goPanic(); }
