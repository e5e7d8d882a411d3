// The C half of cgocallback.

#include <pthread.h>
#include <unistd.h>
#include "_cgo_export.h"

static void *deepWorker(void *arg) {
	goDeep((int)(long)arg);
	return NULL;
}

// rounds times: n threads that each call Go once and exit (their extra Ms
// go back to the pool as they exit, for the next round's threads).
void threadsCallDeep(int n, int rounds) {
	for (int r = 0; r < rounds; r++) {
		pthread_t t[16];
		for (long i = 0; i < n; i++) {
			pthread_create(&t[i], NULL, deepWorker, (void *)(20 + i));
		}
		for (int i = 0; i < n; i++) {
			pthread_join(t[i], NULL);
		}
	}
}

void callGoexit(void) { goGoexit(); }
void sleepInC(int ms) { usleep(ms * 1000); }
int callBack(int x) { return goBack(x); }
