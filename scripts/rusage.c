/*
 * rusage: scripts/bench's measuring launcher. Runs a command and prints one
 * line: its wall-clock time in nanoseconds and its peak resident set size
 * in KiB (ru_maxrss from wait4).
 *
 * Usage: rusage OUTFILE /path/to/cmd [ARG...]
 * The command's standard output goes to OUTFILE; its standard error passes
 * through; its path is taken as given (no PATH search). A command that
 * fails (non-zero exit, a signal) makes rusage fail.
 *
 * Why C without a C library: a child's ru_maxrss starts at the resident
 * set of the process it was forked from (the kernel records the old
 * memory's high-water mark at execve). The earlier launcher, a Go program
 * of about 1.8 MiB, put that floor under every measurement, so the small
 * benchmarks (1.4-1.7 MiB on upstream) all read as the launcher's size.
 * This one is a few pages: built with -nostdlib -static, making system
 * calls itself.
 */

typedef unsigned long u64;
typedef long i64;

#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_dup2 33
#define SYS_fork 57
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_clock_gettime 228

#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000
#define CLOCK_MONOTONIC 1

struct timespec_k { i64 sec, nsec; };
struct rusage_k {
	struct timespec_k utime_unused, stime_unused; /* two struct timevals */
	i64 maxrss;
	i64 rest[13];
};

static i64 sys6(i64 n, i64 a, i64 b, i64 c, i64 d)
{
	i64 ret;
	register i64 r10 __asm__("r10") = d;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static u64 len(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

static void put(int fd, const char *s) { sys6(SYS_write, fd, (i64)s, (i64)len(s), 0); }

static void die(const char *a, const char *b)
{
	put(2, "rusage: ");
	put(2, a);
	put(2, b);
	put(2, "\n");
	sys6(SYS_exit, 1, 0, 0, 0);
}

/* Decimal digits of v, written at the end of buf (which holds 24). */
static char *decimal(u64 v, char *buf)
{
	char *p = buf + 23;
	*p = 0;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

static i64 now(void)
{
	struct timespec_k t;
	sys6(SYS_clock_gettime, CLOCK_MONOTONIC, (i64)&t, 0, 0);
	return t.sec * 1000000000 + t.nsec;
}

__attribute__((used)) void run(i64 argc, char **argv)
{
	char **envp = argv + argc + 1;
	if (argc < 3)
		die("usage: rusage OUTFILE /path/to/cmd [ARG...]", "");
	i64 out = sys6(SYS_open, (i64)argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
	if (out < 0)
		die("cannot create ", argv[1]);
	i64 t0 = now();
	i64 pid = sys6(SYS_fork, 0, 0, 0, 0);
	if (pid < 0)
		die("fork failed", "");
	if (pid == 0) {
		sys6(SYS_dup2, out, 1, 0, 0);
		sys6(SYS_close, out, 0, 0, 0);
		sys6(SYS_execve, (i64)argv[2], (i64)(argv + 2), (i64)envp, 0);
		put(2, "rusage: cannot run ");
		put(2, argv[2]);
		put(2, "\n");
		sys6(SYS_exit, 127, 0, 0, 0);
	}
	int status = 0;
	struct rusage_k ru;
	if (sys6(SYS_wait4, pid, (i64)&status, 0, (i64)&ru) != pid)
		die("wait4 failed", "");
	i64 wall = now() - t0;
	if (status != 0)
		die(argv[2], (status & 0x7f) ? ": killed by a signal" : ": exit status not 0");
	char a[24], b[24];
	put(1, decimal((u64)wall, a));
	put(1, " ");
	put(1, decimal((u64)ru.maxrss, b));
	put(1, "\n");
	sys6(SYS_exit, 0, 0, 0, 0);
}

/* The entry point: argc at the stack pointer, argv above it. */
__asm__(".globl _start\n"
	"_start:\n"
	"  mov (%rsp), %rdi\n"
	"  lea 8(%rsp), %rsi\n"
	"  and $-16, %rsp\n"
	"  call run\n"
	"  hlt\n");
