// gort's hand-written assembly: the C entry point, the one way Go code calls
// into Rust (rtcall, on the system stack), the context switches the Rust
// scheduler drives (gogo, mcall), goexit and the stack-check slow path.
//
// Register use follows the two conventions that meet here: Go's ABI0 (every
// argument on the stack, every register clobbered but SP and BP) and the
// System V C ABI of the Rust side (DI, SI, DX, CX, R8, R9 arguments; BX, BP,
// R12-R15 callee-saved; SP 16-byte aligned at each CALL).

#include "go_asm.h"
#include "go_tls.h"
#include "funcdata.h"
#include "textflag.h"

// main(argc, argv, envp): called by the C library's start code on the
// initial thread. g0 runs on this thread's own stack; the Rust side refines
// its bounds, builds the scheduler and never returns.
TEXT main(SB),NOSPLIT|NOFRAME|TOPFRAME,$0
	MOVQ	$runtime·g0(SB), CX
	MOVQ	$runtime·m0(SB), AX
	MOVQ	CX, m_g0(AX)
	MOVQ	AX, g_m(CX)
	// Provisional stack bounds: 64 KiB below the entry SP.
	MOVQ	SP, BX
	MOVQ	BX, (g_stack+stack_hi)(CX)
	LEAQ	(-64*1024)(BX), BX
	MOVQ	BX, (g_stack+stack_lo)(CX)
	ADDQ	$const_stackGuard, BX
	MOVQ	BX, g_stackguard0(CX)
	MOVQ	BX, g_stackguard1(CX)
	// Every later switch to g0 restarts from here.
	MOVQ	SP, BX
	ANDQ	$~15, BX
	MOVQ	BX, (g_sched+gobuf_sp)(CX)
	MOVQ	BX, m_g0base(AX)
	get_tls(BX)
	MOVQ	CX, g(BX)
	// gort_rt0(argc, argv, links): DI and SI still hold argc and argv.
	MOVQ	$runtime·gortlinks(SB), DX
	ANDQ	$~15, SP
	CALL	gort_rt0(SB)
	CALL	runtime·abort(SB)
	RET

// gort_mstart(mp *m): the body of every thread gort creates (called by
// the Rust thread entry, System V ABI, DI = mp). Installs mp.g0 as the
// thread's g, records where g0's frames start (g0.sched.sp: every later
// switch to g0 restarts there), then runs gort_mstart1(mp), which never
// returns. An exiting m comes back through gort_mexit, which unwinds to
// this frame and returns to the thread entry, ending the thread.
TEXT gort_mstart(SB),NOSPLIT|NOFRAME|TOPFRAME,$0
	// Save the C callee-saved registers (restored by gort_mexit); the
	// 56 bytes also align SP to 16 for the CALL.
	SUBQ	$56, SP
	MOVQ	BP, 0(SP)
	MOVQ	BX, 8(SP)
	MOVQ	R12, 16(SP)
	MOVQ	R13, 24(SP)
	MOVQ	R14, 32(SP)
	MOVQ	R15, 40(SP)
	MOVQ	m_g0(DI), CX
	get_tls(BX)
	MOVQ	CX, g(BX)
	MOVQ	SP, (g_sched+gobuf_sp)(CX)
	MOVQ	SP, m_g0base(DI)
	CALL	gort_mstart1(SB)
	CALL	runtime·abort(SB)
	RET

// gort_mexit(mp *m): return from mp's gort_mstart frame (System V ABI).
TEXT gort_mexit(SB),NOSPLIT|NOFRAME,$0
	MOVQ	m_g0base(DI), SP
	get_tls(BX)
	MOVQ	$0, g(BX)
	MOVQ	0(SP), BP
	MOVQ	8(SP), BX
	MOVQ	16(SP), R12
	MOVQ	24(SP), R13
	MOVQ	32(SP), R14
	MOVQ	40(SP), R15
	ADDQ	$56, SP
	RET

// TO_SYSTEM_STACK and FROM_SYSTEM_STACK: how rtcall and clockGettime
// leave a goroutine for its m's system stack and come back. Leaving, with
// the goroutine's g in R13, its m's g0 in R10 and the TLS base in CX,
// g.sched records where the goroutine is (its caller's PC, the SP after
// its return, BP), so that it can be walked while away; g0 becomes current
// and SP its stack. R12 keeps the goroutine's SP after the return (R12 and
// R13 are callee-saved in the C ABI: they survive a C call). Coming back,
// the goroutine is current again, SP is R12 (the return address is just
// below it) and g.sched no longer says it is away. Both clobber DX or CX.
#define TO_SYSTEM_STACK \
	MOVQ	0(SP), DX; \
	MOVQ	DX, (g_sched+gobuf_pc)(R13); \
	LEAQ	8(SP), R12; \
	MOVQ	R12, (g_sched+gobuf_sp)(R13); \
	MOVQ	BP, (g_sched+gobuf_bp)(R13); \
	MOVQ	R10, g(CX); \
	MOVQ	(g_sched+gobuf_sp)(R10), SP

#define FROM_SYSTEM_STACK \
	get_tls(CX); \
	MOVQ	R13, g(CX); \
	MOVQ	R12, SP; \
	MOVQ	$0, (g_sched+gobuf_sp)(R13)

// rtcall calls the C function in AX with argument DI on the current m's
// system stack (g0). The generated trampolines call it with DI pointing at
// their argument frame. While the goroutine is away, g.sched records the
// trampoline's pc, sp and bp so that its stack can be walked; the goroutine
// stays _Grunning and its stack does not move.
//
// DI's low bit (a frame address is 8-aligned) marks the slow path of a
// leaf trampoline: the Rust function returns its results in AX and DX,
// which rtcall then keeps for the trampoline, so the return hook (Go code)
// is not run there; a pending request waits for a later return.
TEXT runtime·rtcall(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	DI, BX
	ANDQ	$1, BX
	XORQ	BX, DI
	get_tls(CX)
	MOVQ	g(CX), R13
	MOVQ	g_m(R13), R9
	MOVQ	m_g0(R9), R10
	CMPQ	R13, R10
	JEQ	onsystem
	CMPQ	R13, m_gsignal(R9)
	JEQ	onsystem
	TO_SYSTEM_STACK
	// BX (the leaf bit) is callee-saved in the C ABI, as R12 and R13.
	CALL	AX
	FROM_SYSTEM_STACK
	// A panic requested by the Rust side: the trampoline tail-calls
	// rtpanic instead of returning (SP is the trampoline's entry SP).
	MOVQ	g_m(R13), R9
	CMPL	m_rtpanicKind(R9), $0
	JNE	raise
	// Return with RET through the return address still on the goroutine's
	// stack (a JMP would unbalance the CPU's return-address predictor and
	// make the caller's later returns mispredict).
	SUBQ	$8, SP
	CMPL	m_rtcallHook(R9), $0
	JNE	hook
	RET
hook:
	TESTQ	BX, BX
	JNE	nohook
	// Work requested (a collection, asked for during this call or left on
	// this M by a goroutine preempted on its way to the hook): run
	// rtcallHook as if the trampoline had called it, so that the
	// trampoline's frame (its arguments and results) stays on the stack,
	// described by its argument map. Not between entersyscall and
	// exitsyscall (throwsplit): no Go prologue may run there; nor when
	// the call prepared a park (m.waitunlockf: the goroutine holds the
	// lock its park commit releases, which the hook's work may need); the
	// request waits for a later return.
	CMPB	g_throwsplit(R13), $0
	JNE	nohook
	CMPQ	m_waitunlockf(R9), $0
	JNE	nohook
	JMP	runtime·rtcallHook(SB)
nohook:
	RET
raise:
	// rtpanic's prologue must not let the goroutine be preempted (and
	// moved to another M) before it has read this M's request: m.locks
	// holds preemption off until it has (it decrements it).
	INCL	m_locks(R9)
	JMP	runtime·rtpanic(SB)
onsystem:
	// Already on a system stack: call in place, aligned for C.
	MOVQ	SP, R12
	ANDQ	$~15, SP
	CALL	AX
	MOVQ	R12, SP
	get_tls(CX)
	MOVQ	g(CX), R8
	MOVQ	g_m(R8), R9
	CMPL	m_rtpanicKind(R9), $0
	JNE	2(PC)
	RET
	CALL	runtime·rtpanicSystem(SB)
	RET

// func clockGettime(clock int32, ts *clockTime) (clock.go): the vDSO's
// clock_gettime, called on the m's system stack: what the vDSO needs in
// stack is the kernel build's business (stack probes may touch well below
// SP), so it never runs within a goroutine's guard. While away, the
// goroutine is left as rtcall leaves it (g0 current, g.sched saying where
// the goroutine is), so a profiling signal walks it (src/proc/cpuprof.rs).
// Without a vDSO, or if the vDSO refuses the clock, the system call.
TEXT runtime·clockGettime(SB),NOSPLIT|NOFRAME,$0-16
	MOVQ	runtime·vdsoClockGettimeSym(SB), AX
	TESTQ	AX, AX
	JEQ	syscall
	MOVL	clock+0(FP), DI
	MOVQ	ts+8(FP), SI
	get_tls(CX)
	MOVQ	g(CX), R13
	MOVQ	g_m(R13), R9
	MOVQ	m_g0(R9), R10
	CMPQ	R13, R10
	JEQ	onsystem
	CMPQ	R13, m_gsignal(R9)
	JEQ	onsystem
	TO_SYSTEM_STACK
	CALL	AX
	FROM_SYSTEM_STACK
	SUBQ	$8, SP
	TESTL	AX, AX
	JNE	syscall
	RET
onsystem:
	MOVQ	SP, R12
	ANDQ	$~15, SP
	CALL	AX
	MOVQ	R12, SP
	TESTL	AX, AX
	JNE	syscall
	RET
syscall:
	MOVL	clock+0(FP), DI
	MOVQ	ts+8(FP), SI
	MOVL	$228, AX	// clock_gettime
	SYSCALL
	RET

// func getfp() uintptr: the caller's frame pointer register (upstream's
// compiler makes it an intrinsic; called here, it is a function that
// keeps no frame, so BP is still the caller's).
TEXT runtime·getfp<ABIInternal>(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	BP, AX
	RET

// func mcall(op int)
// Saves the calling goroutine's context in g.sched, switches to g0 and calls
// gort_mcall(gp, op) there, which never returns: it ends by running some
// goroutine with gogo. Resuming gp later returns from mcall.
TEXT runtime·mcall(SB),NOSPLIT|NOFRAME,$0-8
	MOVQ	op+0(FP), SI
	get_tls(CX)
	MOVQ	g(CX), DI
	MOVQ	0(SP), R10
	MOVQ	R10, (g_sched+gobuf_pc)(DI)
	LEAQ	op+0(FP), R10
	MOVQ	R10, (g_sched+gobuf_sp)(DI)
	MOVQ	BP, (g_sched+gobuf_bp)(DI)
	MOVQ	g_m(DI), R9
	MOVQ	m_g0(R9), R10
	CMPQ	R10, DI
	JNE	2(PC)
	CALL	runtime·badmcall(SB)
	MOVQ	R10, g(CX)
	MOVQ	(g_sched+gobuf_sp)(R10), SP
	CALL	gort_mcall(SB)
	CALL	runtime·abort(SB)
	RET

// gort_gogo(gp, sp, pc, bp, ctxt, ret): become goroutine gp, running at pc
// on the stack at sp, with its frame pointer, closure context (DX) and the
// value its interrupted call returns (AX). Called from Rust on a system
// stack (System V: DI, SI, DX, CX, R8, R9), which it abandons: the Rust
// side has already taken these values out of gp's gobuf. Never returns.
TEXT gort_gogo(SB),NOSPLIT|NOFRAME,$0
	MOVQ	DX, R11		// pc: DX becomes the closure context
	MOVQ	R8, DX
	MOVQ	R9, AX
	MOVQ	CX, BP
	MOVQ	DI, R14		// ABIInternal's g register, and the TLS slot
	get_tls(CX)
	MOVQ	DI, g(CX)
	XORPS	X15, X15	// ABIInternal's zero register
	MOVQ	SI, SP
	JMP	R11

// gort_getg returns the current g, for Rust code.
TEXT gort_getg(SB),NOSPLIT|NOFRAME,$0
	get_tls(CX)
	MOVQ	g(CX), AX
	RET

// The bottom frame of every goroutine: a goroutine's function returns here.
// The return address planted on a new stack is goexit+1, inside goexit.
// Its position in tracebacks is upstream's (go1.22.12's asm_amd64.s: its
// NOP's line); the #line after it gives the rest of the file its own lines
// back. (The assembler gives the line after `#line N` the number N-1;
// tests/line_directives.rs checks the restoring one.)
TEXT runtime·goexit(SB),NOSPLIT|TOPFRAME|NOFRAME,$0-0
#line 1696 "asm_amd64.s"
	BYTE	$0x90	// NOP
	CALL	runtime·goexit1(SB)
	BYTE	$0x90	// NOP
#line 296 "asm_amd64.s"

// morestack: the slow path of every function prologue's stack check, when
// SP is below g.stackguard0 (the stack is exhausted, or a preemption was
// requested by setting stackguard0 to stackPreempt). Records f's context in
// g.sched and f's caller in m.morebuf, then calls gort_newstack(gp) on g0.
// Resuming g.sched re-runs f's prologue. DX holds f's closure context.
TEXT runtime·morestack(SB),NOSPLIT|NOFRAME,$0-0
	get_tls(CX)
	MOVQ	g(CX), SI
	MOVQ	g_m(SI), BX
	CMPQ	SI, m_g0(BX)
	JNE	notg0
	// Go code on g0 (the runtime tests' runOnSystemStack) ran out of it:
	// gort_morestack_g0(f's pc, f's sp) reports the frames and throws.
	MOVQ	0(SP), DI
	LEAQ	8(SP), SI
	ANDQ	$~15, SP
	CALL	gort_morestack_g0(SB)
	CALL	runtime·abort(SB)
notg0:
	CMPQ	SI, m_gsignal(BX)
	JNE	3(PC)
	CALL	runtime·badmorestackgsignal(SB)
	CALL	runtime·abort(SB)
	MOVQ	8(SP), AX
	MOVQ	AX, (m_morebuf+gobuf_pc)(BX)
	LEAQ	16(SP), AX
	MOVQ	AX, (m_morebuf+gobuf_sp)(BX)
	MOVQ	SI, (m_morebuf+gobuf_g)(BX)
	MOVQ	0(SP), AX
	MOVQ	AX, (g_sched+gobuf_pc)(SI)
	LEAQ	8(SP), AX
	MOVQ	AX, (g_sched+gobuf_sp)(SI)
	MOVQ	BP, (g_sched+gobuf_bp)(SI)
	MOVQ	DX, (g_sched+gobuf_ctxt)(SI)
	MOVQ	m_g0(BX), BX
	MOVQ	BX, g(CX)
	MOVQ	(g_sched+gobuf_sp)(BX), SP
	MOVQ	SI, DI
	CALL	gort_newstack(SB)
	CALL	runtime·abort(SB)
	RET

// runOnSystemStack(fn func()) runs fn on the current m's g0, from the
// top of its stack, and returns to the goroutine, which waits in place
// with its context saved as rtcall saves it. The runtime's own Go code
// never runs on g0; only the runtime tests' hooks call this. TOPFRAME: a
// walk of g0's frames ends here.
TEXT runtime·runOnSystemStack(SB),NOSPLIT|NOFRAME|TOPFRAME,$0-8
	MOVQ	fn+0(FP), DX
	get_tls(CX)
	MOVQ	g(CX), AX
	MOVQ	0(SP), R8
	MOVQ	R8, (g_sched+gobuf_pc)(AX)
	LEAQ	8(SP), R8
	MOVQ	R8, (g_sched+gobuf_sp)(AX)
	MOVQ	BP, (g_sched+gobuf_bp)(AX)
	MOVQ	g_m(AX), BX
	MOVQ	m_g0(BX), SI
	MOVQ	SI, g(CX)
	MOVQ	SI, R14
	MOVQ	(g_sched+gobuf_sp)(SI), R8
	ANDQ	$~15, R8
	SUBQ	$16, R8
	// Kept on g0 for the way back: the goroutine's SP and g.
	MOVQ	SP, 0(R8)
	MOVQ	AX, 8(R8)
	MOVQ	R8, SP
	MOVQ	0(DX), R9
	CALL	R9
	MOVQ	8(SP), AX
	MOVQ	0(SP), SP
	get_tls(CX)
	MOVQ	AX, g(CX)
	MOVQ	AX, R14
	MOVQ	$0, (g_sched+gobuf_sp)(AX)
	RET

// Names for gort's Rust runtime in CPU profiles: a sample taken while
// Rust code runs on g0 for a goroutine shows under runtime.systemstack
// (as upstream's runtime code run through systemstack does), and under
// runtime.newstack while the goroutine's stack grows. Only their
// addresses are used; they are never called.
TEXT runtime·systemstack(SB),NOSPLIT|NOFRAME,$0-8
	CALL	runtime·abort(SB)
	RET

TEXT runtime·newstack(SB),NOSPLIT|NOFRAME,$0-0
	CALL	runtime·abort(SB)
	RET

TEXT runtime·morestack_noctxt(SB),NOSPLIT|NOFRAME,$0
	MOVL	$0, DX
	JMP	runtime·morestack(SB)

TEXT runtime·abort(SB),NOSPLIT|NOFRAME,$0-0
	INT	$3
loop:
	JMP	loop

// mapinitnoop: an initialiser that does nothing (runtime.go).
TEXT runtime·mapinitnoop<ABIInternal>(SB),NOSPLIT|NOFRAME,$0-0
	RET

// return0: see deferproc.
TEXT runtime·return0(SB),NOSPLIT,$0
	MOVL	$0, AX
	RET

// memmove(to, from, n) copies n bytes; the regions may overlap. Aligned
// words are copied whole (the garbage collector must never see half a
// pointer). ABIInternal: AX = to, BX = from, CX = n.
TEXT runtime·memmove<ABIInternal>(SB),NOSPLIT,$0-24
	MOVQ	AX, DI
	MOVQ	BX, SI
	CMPQ	CX, $16
	JBE	small
	CMPQ	CX, $64
	JBE	medium
	// Overlap with to after from: copy backwards.
	MOVQ	DI, DX
	SUBQ	SI, DX
	CMPQ	DX, CX
	JB	backward
	MOVQ	DI, DX
	ORQ	SI, DX
	ORQ	CX, DX
	TESTQ	$7, DX
	JNE	fwdbytes
	SHRQ	$3, CX
	REP;	MOVSQ
	RET
fwdbytes:
	REP;	MOVSB
	RET
backward:
	MOVQ	DI, DX
	ORQ	SI, DX
	ORQ	CX, DX
	TESTQ	$7, DX
	JNE	backbytes
	LEAQ	-8(SI)(CX*1), SI
	LEAQ	-8(DI)(CX*1), DI
	SHRQ	$3, CX
	STD
	REP;	MOVSQ
	CLD
	RET
backbytes:
	LEAQ	-1(SI)(CX*1), SI
	LEAQ	-1(DI)(CX*1), DI
	STD
	REP;	MOVSB
	CLD
	RET
medium:
	// 17..64 bytes: load everything, then store (overlap-safe).
	CMPQ	CX, $32
	JA	upto64
	MOVOU	(SI), X0
	MOVOU	-16(SI)(CX*1), X1
	MOVOU	X0, (DI)
	MOVOU	X1, -16(DI)(CX*1)
	RET
upto64:
	MOVOU	(SI), X0
	MOVOU	16(SI), X1
	MOVOU	-32(SI)(CX*1), X2
	MOVOU	-16(SI)(CX*1), X3
	MOVOU	X0, (DI)
	MOVOU	X1, 16(DI)
	MOVOU	X2, -32(DI)(CX*1)
	MOVOU	X3, -16(DI)(CX*1)
	RET
small:
	CMPQ	CX, $8
	JB	lt8
	MOVQ	(SI), R8
	MOVQ	-8(SI)(CX*1), R9
	MOVQ	R8, (DI)
	MOVQ	R9, -8(DI)(CX*1)
	RET
lt8:
	CMPQ	CX, $4
	JB	lt4
	MOVL	(SI), R8
	MOVL	-4(SI)(CX*1), R9
	MOVL	R8, (DI)
	MOVL	R9, -4(DI)(CX*1)
	RET
lt4:
	CMPQ	CX, $2
	JB	lt2
	MOVW	(SI), R8
	MOVW	-2(SI)(CX*1), R9
	MOVW	R8, (DI)
	MOVW	R9, -2(DI)(CX*1)
	RET
lt2:
	TESTQ	CX, CX
	JEQ	done
	MOVB	(SI), R8
	MOVB	R8, (DI)
done:
	RET

// memclrNoHeapPointers(ptr, n) zeroes n bytes. ABIInternal: AX = ptr, BX = n.
// X15 is zero under ABIInternal.
TEXT runtime·memclrNoHeapPointers<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	AX, DI
	MOVQ	BX, CX
	XORL	AX, AX
	CMPQ	CX, $16
	JBE	csmall
	CMPQ	CX, $64
	JBE	cmedium
	MOVQ	DI, DX
	ORQ	CX, DX
	TESTQ	$7, DX
	JNE	cbytes
	SHRQ	$3, CX
	REP;	STOSQ
	RET
cbytes:
	REP;	STOSB
	RET
cmedium:
	MOVOU	X15, (DI)
	MOVOU	X15, -16(DI)(CX*1)
	CMPQ	CX, $32
	JBE	cdone
	MOVOU	X15, 16(DI)
	MOVOU	X15, -32(DI)(CX*1)
	RET
csmall:
	CMPQ	CX, $8
	JB	clt8
	MOVQ	AX, (DI)
	MOVQ	AX, -8(DI)(CX*1)
	RET
clt8:
	CMPQ	CX, $4
	JB	clt4
	MOVL	AX, (DI)
	MOVL	AX, -4(DI)(CX*1)
	RET
clt4:
	CMPQ	CX, $2
	JB	clt2
	MOVW	AX, (DI)
	MOVW	AX, -2(DI)(CX*1)
	RET
clt2:
	TESTQ	CX, CX
	JEQ	cdone
	MOVB	AX, (DI)
cdone:
	RET

// Write barriers. While writeBarrier.enabled, compiled code calls
// gcWriteBarrierN before a pointer store and fills the N words it gets
// back (in R11) with the pointers the collector must shade: the new
// value and the one it overwrites. The contract with the compiler: no
// general-purpose register changes except R11; flags, and vector
// registers other than X15, may. The space comes from the current m's
// buffer (m.wbBuf, between m.wbNext and m.wbEnd); when it does not fit,
// the buffer is handed to gort_wbflush (src/gc/wb.rs) on the system
// stack, which shades its entries and empties it, and the reservation is
// tried again.
#define WB_ENTRY(N) \
	MOVQ	$(8*N), R11; \
	JMP	gort_wbreserve<>(SB)

TEXT runtime·gcWriteBarrier1<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(1)
TEXT runtime·gcWriteBarrier2<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(2)
TEXT runtime·gcWriteBarrier3<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(3)
TEXT runtime·gcWriteBarrier4<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(4)
TEXT runtime·gcWriteBarrier5<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(5)
TEXT runtime·gcWriteBarrier6<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(6)
TEXT runtime·gcWriteBarrier7<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(7)
TEXT runtime·gcWriteBarrier8<ABIInternal>(SB),NOSPLIT|NOFRAME,$0
	WB_ENTRY(8)

// R11: bytes wanted. Frame: 0..80 the caller-saved registers of the C
// ABI that the flush may clobber (R12 and R13 are this routine's
// scratch and saved too).
TEXT gort_wbreserve<>(SB),NOSPLIT,$96-0
	MOVQ	R12, 80(SP)
	MOVQ	R13, 88(SP)
reserve:
	get_tls(R12)
	MOVQ	g(R12), R13
	MOVQ	g_m(R13), R13
	MOVQ	m_wbNext(R13), R12
	ADDQ	R11, R12
	CMPQ	R12, m_wbEnd(R13)
	JHI	flush
	MOVQ	R12, m_wbNext(R13)
	SUBQ	R11, R12
	MOVQ	R12, R11
	MOVQ	80(SP), R12
	MOVQ	88(SP), R13
	RET
flush:
	MOVQ	AX, 0(SP)
	MOVQ	CX, 8(SP)
	MOVQ	DX, 16(SP)
	MOVQ	SI, 24(SP)
	MOVQ	DI, 32(SP)
	MOVQ	R8, 40(SP)
	MOVQ	R9, 48(SP)
	MOVQ	R10, 56(SP)
	MOVQ	R11, 64(SP)
	MOVQ	R13, DI			// argument: the m
	get_tls(CX)
	MOVQ	g(CX), R12		// the running g (callee-saved in C)
	MOVQ	m_g0(R13), R13
	CMPQ	R12, R13
	JEQ	inplace
	CMPQ	R12, m_gsignal(DI)
	JEQ	inplace
	// To the m's system stack, as rtcall does, with g0 current; R13
	// keeps the goroutine's SP (callee-saved).
	MOVQ	R13, g(CX)
	MOVQ	(g_sched+gobuf_sp)(R13), AX
	MOVQ	SP, R13
	MOVQ	AX, SP
	ANDQ	$~15, SP
	CALL	gort_wbflush(SB)
	get_tls(CX)
	MOVQ	R12, g(CX)
	MOVQ	R13, SP
	JMP	flushed
inplace:
	MOVQ	SP, R13
	ANDQ	$~15, SP
	CALL	gort_wbflush(SB)
	MOVQ	R13, SP
flushed:
	XORPS	X15, X15
	MOVQ	0(SP), AX
	MOVQ	8(SP), CX
	MOVQ	16(SP), DX
	MOVQ	24(SP), SI
	MOVQ	32(SP), DI
	MOVQ	40(SP), R8
	MOVQ	48(SP), R9
	MOVQ	56(SP), R10
	MOVQ	64(SP), R11
	JMP	reserve

// Bounds-check failure stubs. The compiler leaves the two values in
// registers that depend on the kind of check; move them to AX (x) and BX (y)
// and jump to the Go function that panics.
TEXT runtime·panicIndex<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, BX
	JMP	runtime·goPanicIndex<ABIInternal>(SB)
TEXT runtime·panicIndexU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, BX
	JMP	runtime·goPanicIndexU<ABIInternal>(SB)
TEXT runtime·panicSliceAlen<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, AX
	MOVQ	DX, BX
	JMP	runtime·goPanicSliceAlen<ABIInternal>(SB)
TEXT runtime·panicSliceAlenU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, AX
	MOVQ	DX, BX
	JMP	runtime·goPanicSliceAlenU<ABIInternal>(SB)
TEXT runtime·panicSliceAcap<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, AX
	MOVQ	DX, BX
	JMP	runtime·goPanicSliceAcap<ABIInternal>(SB)
TEXT runtime·panicSliceAcapU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, AX
	MOVQ	DX, BX
	JMP	runtime·goPanicSliceAcapU<ABIInternal>(SB)
TEXT runtime·panicSliceB<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, BX
	JMP	runtime·goPanicSliceB<ABIInternal>(SB)
TEXT runtime·panicSliceBU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, BX
	JMP	runtime·goPanicSliceBU<ABIInternal>(SB)
TEXT runtime·panicSlice3Alen<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	DX, AX
	JMP	runtime·goPanicSlice3Alen<ABIInternal>(SB)
TEXT runtime·panicSlice3AlenU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	DX, AX
	JMP	runtime·goPanicSlice3AlenU<ABIInternal>(SB)
TEXT runtime·panicSlice3Acap<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	DX, AX
	JMP	runtime·goPanicSlice3Acap<ABIInternal>(SB)
TEXT runtime·panicSlice3AcapU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	DX, AX
	JMP	runtime·goPanicSlice3AcapU<ABIInternal>(SB)
TEXT runtime·panicSlice3B<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, AX
	MOVQ	DX, BX
	JMP	runtime·goPanicSlice3B<ABIInternal>(SB)
TEXT runtime·panicSlice3BU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, AX
	MOVQ	DX, BX
	JMP	runtime·goPanicSlice3BU<ABIInternal>(SB)
TEXT runtime·panicSlice3C<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, BX
	JMP	runtime·goPanicSlice3C<ABIInternal>(SB)
TEXT runtime·panicSlice3CU<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	CX, BX
	JMP	runtime·goPanicSlice3CU<ABIInternal>(SB)
TEXT runtime·panicSliceConvert<ABIInternal>(SB),NOSPLIT,$0-16
	MOVQ	DX, AX
	JMP	runtime·goPanicSliceConvert<ABIInternal>(SB)

// ---- cgo: Go calling C, C calling Go (src/sched/cgo.rs has the design) ----

// func asmcgocall(fn, arg unsafe.Pointer) int32
// Calls the C function fn(arg) on the m's system stack and returns what it
// returns in AX. From a goroutine, it records in g.sched where the
// goroutine stopped: at a call from systemstack_switch (below) whose frame
// sits on this call's return address, so that a call back into Go from fn
// (cgocallback), which builds its frames below g.sched.sp, reads as made
// through systemstack_switch from asmcgocall's caller (as upstream's
// stacks read). The goroutine's stack may move during such a call, so its
// SP and BP are kept as distances from the stack's top, in C callee-saved
// registers (R12, BX; R13 keeps g).
TEXT ·asmcgocall(SB),NOSPLIT|NOFRAME,$0-20
	MOVQ	fn+0(FP), AX
	MOVQ	arg+8(FP), DI
	get_tls(CX)
	MOVQ	g(CX), R13
	TESTQ	R13, R13
	JEQ	cinplace
	MOVQ	g_m(R13), R9
	CMPQ	R13, m_g0(R9)
	JEQ	cinplace
	CMPQ	R13, m_gsignal(R9)
	JEQ	cinplace
	MOVQ	$runtime·systemstack_switch+8(SB), DX
	MOVQ	DX, (g_sched+gobuf_pc)(R13)
	MOVQ	SP, (g_sched+gobuf_sp)(R13)
	MOVQ	BP, (g_sched+gobuf_bp)(R13)
	MOVQ	(g_stack+stack_hi)(R13), R12
	MOVQ	R12, BX
	SUBQ	SP, R12
	SUBQ	BP, BX
	MOVQ	m_g0(R9), R10
	MOVQ	R10, g(CX)
	MOVQ	(g_sched+gobuf_sp)(R10), SP
	CALL	AX
	get_tls(CX)
	MOVQ	R13, g(CX)
	MOVQ	(g_stack+stack_hi)(R13), SP
	MOVQ	SP, BP
	SUBQ	R12, SP
	SUBQ	BX, BP
	MOVQ	$0, (g_sched+gobuf_sp)(R13)
	MOVL	AX, ret+16(FP)
	RET
cinplace:
	// Already on a system stack (or on a thread without g).
	MOVQ	SP, R12
	ANDQ	$~15, SP
	CALL	AX
	MOVQ	R12, SP
	MOVL	AX, ret+16(FP)
	RET

// systemstack_switch never runs: asmcgocall names the return address of
// its call as where a goroutine that called C stopped (a frame of size 0).
TEXT runtime·systemstack_switch(SB),NOSPLIT|NOFRAME,$0-0
	BYTE	$0x90
	BYTE	$0x90
	BYTE	$0x90
	CALL	runtime·abort(SB)
	RET

// cgocallback(fn, frame, ctxt): C calls the Go function fn (ABIInternal,
// func(frame unsafe.Pointer)): runtime/cgo's crosscall2 calls this on a
// system stack, having saved the C callee-saved registers. The thread's
// m is the one whose goroutine made the cgocall we are inside, or, on a
// thread C created, an extra m that gort_needm lends it. The frame has
// the same size on both stacks it is used on:
//   on the system stack: 0(SP) the m's previous g0.sched.sp (restored on
//   the way out, or by cgoUnwind when a panic leaves through here), 8(SP)
//   nonzero when the m must be given back (gort_dropm) before returning;
//   on the goroutine's stack: the arguments of cgocallbackg, and the
//   return address slot holds the pc where the goroutine left Go (its
//   g.sched.pc: in systemstack_switch above asmcgocall's frame, or goexit
//   on an extra m), so that its stack reads as one walk across the
//   callback. The unwinder
//   knows this function (FUNCID_CGOCALLBACK) despite its writes to SP.
// fn == 0 asks to give the m back: the thread is exiting (runtime/cgo's
// pthread key destructor), frame is the g0 it was bound to.
TEXT ·cgocallback(SB),NOSPLIT,$24-24
	NO_LOCAL_POINTERS
	// The system-stack frame becomes g0.sched.sp, which must be aligned
	// for the C calls made from it (crosscall2 arranges that).
	TESTQ	$15, SP
	JEQ	aligned
	MOVQ	$runtime·badcgocallback(SB), AX
	CALL	AX
aligned:
	MOVQ	fn+0(FP), AX
	TESTQ	AX, AX
	JNE	enter
	MOVQ	frame+8(FP), BX
	get_tls(CX)
	MOVQ	BX, g(CX)
	CALL	gort_dropm(SB)
	RET
enter:
	MOVQ	$0, 8(SP)
	get_tls(CX)
	MOVQ	g(CX), BX
	TESTQ	BX, BX
	JNE	havem
	MOVQ	SP, DI
	CALL	gort_needm(SB)
	MOVQ	AX, 8(SP)
	get_tls(CX)
	MOVQ	g(CX), BX
havem:
	MOVQ	g_m(BX), BX
	MOVQ	m_g0(BX), SI
	MOVQ	(g_sched+gobuf_sp)(SI), AX
	MOVQ	AX, 0(SP)
	MOVQ	SP, (g_sched+gobuf_sp)(SI)
	// To the goroutine's stack, just below where it left Go.
	MOVQ	m_curg(BX), SI
	MOVQ	SI, g(CX)
	MOVQ	(g_sched+gobuf_sp)(SI), DI
	MOVQ	(g_sched+gobuf_pc)(SI), AX
	MOVQ	AX, -8(DI)
	MOVQ	(g_sched+gobuf_bp)(SI), AX
	MOVQ	AX, -16(DI)
	MOVQ	fn+0(FP), R8
	MOVQ	frame+8(FP), R9
	MOVQ	ctxt+16(FP), R10
	LEAQ	-40(DI), SP
	LEAQ	24(SP), BP
	MOVQ	R8, 0(SP)
	MOVQ	R9, 8(SP)
	MOVQ	R10, 16(SP)
	// Indirect: the nosplit check does not apply across the switch.
	MOVQ	$runtime·cgocallbackg(SB), AX
	CALL	AX
	// Calls made during the callback reused g.sched: put back where the
	// goroutine left Go (the stack may have moved: this frame moved too).
	get_tls(CX)
	MOVQ	g(CX), SI
	LEAQ	40(SP), DI
	MOVQ	DI, (g_sched+gobuf_sp)(SI)
	MOVQ	-8(DI), AX
	MOVQ	AX, (g_sched+gobuf_pc)(SI)
	MOVQ	-16(DI), AX
	MOVQ	AX, (g_sched+gobuf_bp)(SI)
	// Back to the system stack, and g0.sched.sp as it was.
	MOVQ	g_m(SI), BX
	MOVQ	m_g0(BX), SI
	MOVQ	SI, g(CX)
	MOVQ	(g_sched+gobuf_sp)(SI), SP
	MOVQ	0(SP), AX
	MOVQ	AX, (g_sched+gobuf_sp)(SI)
	CMPQ	8(SP), $0
	JEQ	cbdone
	CALL	gort_dropm(SB)
cbdone:
	RET

// gort_setg(gp): make gp the thread's g (C ABI, DI = gp). runtime/cgo
// calls it (as the setg function _cgo_init was given) on each thread it
// starts for an m, before gort_mstart_cgo; gort_needm and gort_dropm use
// it on threads C created.
TEXT gort_setg(SB),NOSPLIT|NOFRAME,$0
	get_tls(AX)
	MOVQ	DI, g(AX)
	RET

// gort_mstart_cgo: the body runtime/cgo runs (crosscall1, no arguments,
// the thread's g already its m's g0) on the threads it creates for Ms
// (_cgo_thread_start). Realigns the stack (crosscall1 calls with SP
// 16-aligned) and runs gort_mstart for the m.
TEXT gort_mstart_cgo(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	BP
	MOVQ	SP, BP
	ANDQ	$~15, SP
	get_tls(CX)
	MOVQ	g(CX), DI
	MOVQ	g_m(DI), DI
	CALL	gort_mstart(SB)
	MOVQ	BP, SP
	POPQ	BP
	RET

// breakpoint: a one-byte trap instruction (debuggers recognise it).
TEXT runtime·breakpoint(SB),NOSPLIT,$0-0
	BYTE	$0xcc
	RET

// spillArgs and unspillArgs store and load the ABIInternal argument
// registers to and from the abi.RegArgs at R12 (for reflectcall and
// reflect's makeFuncStub). The slots are the layout's (Ints[0..9] at 0,
// Floats[0..15] at 72); the order is gort's: each integer register with a
// float one, then the float registers left over. MOVSD moves the low 64
// bits, all a float argument register carries.
TEXT runtime·spillArgs(SB),NOSPLIT,$0-0
	MOVQ	AX, 0(R12)
	MOVSD	X0, 72(R12)
	MOVQ	BX, 8(R12)
	MOVSD	X1, 80(R12)
	MOVQ	CX, 16(R12)
	MOVSD	X2, 88(R12)
	MOVQ	DI, 24(R12)
	MOVSD	X3, 96(R12)
	MOVQ	SI, 32(R12)
	MOVSD	X4, 104(R12)
	MOVQ	R8, 40(R12)
	MOVSD	X5, 112(R12)
	MOVQ	R9, 48(R12)
	MOVSD	X6, 120(R12)
	MOVQ	R10, 56(R12)
	MOVSD	X7, 128(R12)
	MOVQ	R11, 64(R12)
	MOVSD	X8, 136(R12)
	MOVSD	X9, 144(R12)
	MOVSD	X10, 152(R12)
	MOVSD	X11, 160(R12)
	MOVSD	X12, 168(R12)
	MOVSD	X13, 176(R12)
	MOVSD	X14, 184(R12)
	RET

TEXT runtime·unspillArgs(SB),NOSPLIT,$0-0
	MOVSD	184(R12), X14
	MOVSD	176(R12), X13
	MOVSD	168(R12), X12
	MOVSD	160(R12), X11
	MOVSD	152(R12), X10
	MOVSD	144(R12), X9
	MOVSD	136(R12), X8
	MOVQ	64(R12), R11
	MOVSD	128(R12), X7
	MOVQ	56(R12), R10
	MOVSD	120(R12), X6
	MOVQ	48(R12), R9
	MOVSD	112(R12), X5
	MOVQ	40(R12), R8
	MOVSD	104(R12), X4
	MOVQ	32(R12), SI
	MOVSD	96(R12), X3
	MOVQ	24(R12), DI
	MOVSD	88(R12), X2
	MOVQ	16(R12), CX
	MOVSD	80(R12), X1
	MOVQ	8(R12), BX
	MOVSD	72(R12), X0
	MOVQ	0(R12), AX
	RET

// addmoduledata(md) appends a shared module's moduledata to the module
// list. C ABI (DI = md): the linker calls it from the module's init code,
// before main. Loading Go plugins is not implemented yet (plugin.Open fails
// loudly), but the linker references this whenever package plugin is linked.
TEXT runtime·addmoduledata(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	runtime·lastmoduledatap(SB), AX
	MOVQ	DI, moduledata_next(AX)
	MOVQ	DI, runtime·lastmoduledatap(SB)
	RET

// _cgo_topofstack returns the top (high end) of the current goroutine's
// stack, for cgo-generated C code (runtime/cgo exports the symbol).
TEXT _cgo_topofstack(SB),NOSPLIT|NOFRAME,$0
	get_tls(CX)
	MOVQ	g(CX), AX
	MOVQ	g_m(AX), AX
	MOVQ	m_curg(AX), AX
	MOVQ	(g_stack+stack_hi)(AX), AX
	RET

// gort_calltimer(fn *funcval, argtype, argdata, seq): call a timer's Go
// function f(arg any, seq uintptr) on the current system stack (g0), from
// Rust (System V ABI: DI, SI, DX, CX). Go's ABIInternal takes the arguments
// in AX, BX, CX, the closure in DX, g in R14, zero in X15, and may spill
// its register arguments into the caller's frame, which we reserve.
TEXT gort_calltimer(SB),NOSPLIT|NOFRAME,$0
	PUSHQ	BP
	MOVQ	SP, BP
	PUSHQ	BX
	PUSHQ	R12
	PUSHQ	R13
	PUSHQ	R14
	PUSHQ	R15
	SUBQ	$40, SP		// spill space for three words; keeps 16-byte alignment
	MOVQ	DX, BX		// arg.data
	MOVQ	SI, AX		// arg.type
	MOVQ	DI, DX		// closure
	get_tls(R12)
	MOVQ	g(R12), R14
	XORPS	X15, X15
	MOVQ	0(DX), R12
	CALL	R12
	ADDQ	$40, SP
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	BX
	POPQ	BP
	RET

// sigpanic0: the signal handler makes a faulting goroutine "call" this.
// Reload the g register and the zero register, then run sigpanic (Go).
TEXT runtime·sigpanic0(SB),NOSPLIT|NOFRAME,$0-0
	get_tls(R14)
	MOVQ	g(R14), R14
	XORPS	X15, X15
	JMP	runtime·sigpanic<ABIInternal>(SB)

// asyncPreempt: the signal handler makes a goroutine that must yield, and
// is at an asynchronous safe point, "call" this at its interrupted
// instruction. Everything the interrupted code may be using is saved in
// this frame: the flags and general registers by pushes, the SSE state
// (X0-X15 and MXCSR) by one FXSAVE64 into a 512-byte area aligned to 16
// inside a fixed-size reservation (the interrupted SP has no known
// alignment; the frame's size stays static for the unwinder). asyncPreempt2
// yields the processor; on resumption the state is reloaded and the
// interrupted code continues as if nothing happened. No stack map describes
// the saved registers: the collector scans this whole frame conservatively
// (src/gc/mark.rs).
TEXT runtime·asyncPreempt(SB),NOSPLIT|NOFRAME,$0-0
	PUSHQ	BP
	MOVQ	SP, BP
	PUSHFQ
	PUSHQ	AX
	PUSHQ	BX
	PUSHQ	CX
	PUSHQ	DX
	PUSHQ	SI
	PUSHQ	DI
	PUSHQ	R8
	PUSHQ	R9
	PUSHQ	R10
	PUSHQ	R11
	PUSHQ	R12
	PUSHQ	R13
	PUSHQ	R14
	PUSHQ	R15
	ADJSP	$528		// 512 bytes at 16-byte alignment
	LEAQ	15(SP), AX
	ANDQ	$~15, AX
	FXSAVE64	(AX)
	CALL	runtime·asyncPreempt2(SB)
	LEAQ	15(SP), AX
	ANDQ	$~15, AX
	FXRSTOR64	(AX)
	ADJSP	$-528
	POPQ	R15
	POPQ	R14
	POPQ	R13
	POPQ	R12
	POPQ	R11
	POPQ	R10
	POPQ	R9
	POPQ	R8
	POPQ	DI
	POPQ	SI
	POPQ	DX
	POPQ	CX
	POPQ	BX
	POPQ	AX
	POPFQ
	POPQ	BP
	RET

// ---- debugger call injection (debugcall.go has the protocol) ----

// debugCallV2: where a debugger resumes a goroutine it wants to inject a
// call into, as if the interrupted instruction had called it (the
// debugger pushed that pc). The argument frame size the debugger needs is
// at -16 from the entry SP: in this frame's top slot, 152(SP), which the
// register saves leave alone. Frame:
//	 0..24(SP)   arguments and results of the calls made from here
//	32..152(SP)  the general registers as the debugger left them (scanned
//	             conservatively by the collector, src/gc/mark.rs, as the
//	             interrupted frame above is)
//	152(SP)      the argument frame size
// ABIInternal: debuggers take this symbol's address as the pc to resume at.
TEXT runtime·debugCallV2<ABIInternal>(SB),NOSPLIT,$160-0
	MOVQ	AX, 32(SP)
	MOVQ	BX, 40(SP)
	MOVQ	CX, 48(SP)
	MOVQ	DX, 56(SP)
	MOVQ	SI, 64(SP)
	MOVQ	DI, 72(SP)
	MOVQ	BP, 80(SP)
	MOVQ	R8, 88(SP)
	MOVQ	R9, 96(SP)
	MOVQ	R10, 104(SP)
	MOVQ	R11, 112(SP)
	MOVQ	R12, 120(SP)
	MOVQ	R13, 128(SP)
	MOVQ	R14, 136(SP)
	MOVQ	R15, 144(SP)
	// May a call be made where the goroutine stopped?
	MOVQ	retpc-8(FP), AX
	MOVQ	AX, 0(SP)
	CALL	runtime·debugCallCheck(SB)
	CMPQ	8(SP), $0
	JEQ	choose
	// No: the reason goes to the top of the stack for the debugger.
	MOVQ	8(SP), AX
	MOVQ	16(SP), BX
	MOVQ	AX, 0(SP)
	MOVQ	BX, 8(SP)
	JMP	refuse
choose:
	// The smallest debugCallNNN whose frame holds the arguments: the
	// table below lists them by size, 32 bytes doubling up to 65536.
	MOVQ	152(SP), AX
	LEAQ	debugCallFrames<>(SB), BX
	MOVQ	$32, CX
next:
	CMPQ	AX, CX
	JLS	found
	ADDQ	$8, BX
	SHLQ	$1, CX
	CMPQ	CX, $65536
	JLS	next
	MOVQ	$debugCallTooLarge<>(SB), AX
	MOVQ	AX, 0(SP)
	MOVQ	$20, 8(SP)
	JMP	refuse
found:
	MOVQ	(BX), AX
	MOVQ	AX, 0(SP)
	CALL	runtime·debugCallWrap(SB)
	JMP	finish
refuse:
	MOVQ	$8, R12
	BYTE	$0xcc
finish:
	// The debugger restores the registers here, all but the pc and SP;
	// then the saved copies are loaded over them (the collector may have
	// updated them), without touching the flags, and the interrupted code
	// continues.
	MOVQ	$16, R12
	BYTE	$0xcc
	MOVQ	144(SP), R15
	MOVQ	136(SP), R14
	MOVQ	128(SP), R13
	MOVQ	120(SP), R12
	MOVQ	112(SP), R11
	MOVQ	104(SP), R10
	MOVQ	96(SP), R9
	MOVQ	88(SP), R8
	MOVQ	80(SP), BP
	MOVQ	72(SP), DI
	MOVQ	64(SP), SI
	MOVQ	56(SP), DX
	MOVQ	48(SP), CX
	MOVQ	40(SP), BX
	MOVQ	32(SP), AX
	RET

DATA	debugCallTooLarge<>+0(SB)/20, $"call frame too large"
GLOBL	debugCallTooLarge<>(SB), RODATA, $20

// debugCallNNN: the frames injected calls are made in (arguments and
// results of up to NNN bytes at SP). The debugger sets the call up at the
// first trap (status 0) and reads the results at the second (status 1).
// Their names are what debuggers (and debugCallCheck, which lets a call be
// injected at these traps) recognise. WRAPPER: tracebacks leave them out.
#define DEBUG_CALL_FRAME(NAME,SIZE) \
TEXT NAME(SB),WRAPPER,$SIZE-0; \
	NO_LOCAL_POINTERS; \
	MOVQ	$0, R12; \
	BYTE	$0xcc; \
	MOVQ	$1, R12; \
	BYTE	$0xcc; \
	RET

DEBUG_CALL_FRAME(debugCall32<>, 32)
DEBUG_CALL_FRAME(debugCall64<>, 64)
DEBUG_CALL_FRAME(debugCall128<>, 128)
DEBUG_CALL_FRAME(debugCall256<>, 256)
DEBUG_CALL_FRAME(debugCall512<>, 512)
DEBUG_CALL_FRAME(debugCall1024<>, 1024)
DEBUG_CALL_FRAME(debugCall2048<>, 2048)
DEBUG_CALL_FRAME(debugCall4096<>, 4096)
DEBUG_CALL_FRAME(debugCall8192<>, 8192)
DEBUG_CALL_FRAME(debugCall16384<>, 16384)
DEBUG_CALL_FRAME(debugCall32768<>, 32768)
DEBUG_CALL_FRAME(debugCall65536<>, 65536)

DATA	debugCallFrames<>+0(SB)/8, $debugCall32<>(SB)
DATA	debugCallFrames<>+8(SB)/8, $debugCall64<>(SB)
DATA	debugCallFrames<>+16(SB)/8, $debugCall128<>(SB)
DATA	debugCallFrames<>+24(SB)/8, $debugCall256<>(SB)
DATA	debugCallFrames<>+32(SB)/8, $debugCall512<>(SB)
DATA	debugCallFrames<>+40(SB)/8, $debugCall1024<>(SB)
DATA	debugCallFrames<>+48(SB)/8, $debugCall2048<>(SB)
DATA	debugCallFrames<>+56(SB)/8, $debugCall4096<>(SB)
DATA	debugCallFrames<>+64(SB)/8, $debugCall8192<>(SB)
DATA	debugCallFrames<>+72(SB)/8, $debugCall16384<>(SB)
DATA	debugCallFrames<>+80(SB)/8, $debugCall32768<>(SB)
DATA	debugCallFrames<>+88(SB)/8, $debugCall65536<>(SB)
GLOBL	debugCallFrames<>(SB), RODATA, $96

// func debugCallPanicked(val any): the called function panicked with val;
// it goes to the top of the stack for the debugger (status 2).
TEXT runtime·debugCallPanicked(SB),NOSPLIT,$16-16
	MOVQ	val_type+0(FP), AX
	MOVQ	val_data+8(FP), BX
	MOVQ	AX, 0(SP)
	MOVQ	BX, 8(SP)
	MOVQ	$2, R12
	BYTE	$0xcc
	RET

// func debugCallCheckFn() unsafe.Pointer
TEXT runtime·debugCallCheckFn(SB),NOSPLIT,$0-8
	MOVQ	$gort_debugcall_check(SB), AX
	MOVQ	AX, ret+0(FP)
	RET
