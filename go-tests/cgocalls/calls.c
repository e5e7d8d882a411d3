// The C half of cgocalls: C calling back into Go, from threads Go created
// (qsort's comparisons, nested calls) and from threads C creates.

#include <pthread.h>
#include <stdlib.h>
#include "_cgo_export.h"

static int compare(const void *a, const void *b) {
	return goCompare(*(const int *)a, *(const int *)b);
}

void sortInts(int *p, int n) {
	qsort(p, n, sizeof(int), compare);
}

static void *worker(void *arg) {
	int id = (int)(long)arg;
	for (int i = 0; i < 200; i++) {
		goRecord(id, i);
	}
	return NULL;
}

// Starts n threads that call Go, and waits for them.
void runThreads(int n) {
	pthread_t t[64];
	for (long i = 0; i < n; i++) {
		pthread_create(&t[i], NULL, worker, (void *)i);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
	}
}

// Go -> C -> Go -> C ..., depth levels deep.
int nested(int depth) {
	return goNested(depth);
}
