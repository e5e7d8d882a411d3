// The C half of cgopanic.

#include <pthread.h>
#include "_cgo_export.h"

void callPanicky(int depth) { goPanicky(depth); }
int callMiddle(void) { return goMiddle(); }

static void *worker(void *arg) {
	goPanicNow();
	return NULL;
}

void panicOnThread(void) {
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
}
