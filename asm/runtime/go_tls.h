// Access to the thread-local slot holding the current g (runtime·tlsg).
// The assembler and linker turn these into the right TLS access for the
// build mode (local-exec %fs-relative in gort's non-PIE executables).

#define	get_tls(r)	MOVQ TLS, r
#define	g(r)	0(r)(TLS*1)
