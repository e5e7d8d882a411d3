// The race detector's hot paths (built only with -race): the calls the
// compiler's -race instrumentation emits, sync/atomic (whose own assembly
// -race leaves out), and racecall, which runs a ThreadSanitizer entry
// point (a C function) on the M's system stack.
//
// Register use: instrumented code calls raceread/racewrite/...range with
// ABIInternal (address in AX, size in BX, g in R14); the TSan side is the
// System V C ABI (DI, SI, DX, CX arguments; R12-R15, BX, BP preserved), so
// R12 keeps the goroutine's SP across the C call and R14 (g) survives.
// Every TSan memory entry point takes the goroutine's context (g.racectx)
// first, then the address, then sizes or pcs.

//go:build race

#include "go_asm.h"
#include "go_tls.h"
#include "funcdata.h"
#include "textflag.h"

// raceread(addr): a load of addr by the caller, whose return address
// (the instrumented instruction's pc) is at 0(SP).
TEXT runtime·raceread<ABIInternal>(SB), NOSPLIT, $0-8
	MOVQ	AX, SI
	MOVQ	(SP), DX
	MOVQ	$__tsan_read(SB), AX
	JMP	raceaccess<>(SB)

TEXT runtime·racewrite<ABIInternal>(SB), NOSPLIT, $0-8
	MOVQ	AX, SI
	MOVQ	(SP), DX
	MOVQ	$__tsan_write(SB), AX
	JMP	raceaccess<>(SB)

TEXT runtime·racereadrange<ABIInternal>(SB), NOSPLIT, $0-16
	MOVQ	AX, SI
	MOVQ	BX, DX
	MOVQ	(SP), CX
	MOVQ	$__tsan_read_range(SB), AX
	JMP	raceaccess<>(SB)

TEXT runtime·racewriterange<ABIInternal>(SB), NOSPLIT, $0-16
	MOVQ	AX, SI
	MOVQ	BX, DX
	MOVQ	(SP), CX
	MOVQ	$__tsan_write_range(SB), AX
	JMP	raceaccess<>(SB)

// The exported API (ABI0: arguments on the stack).
TEXT runtime·RaceRead(SB), NOSPLIT, $0-8
	MOVQ	addr+0(FP), SI
	MOVQ	(SP), DX
	MOVQ	$__tsan_read(SB), AX
	JMP	raceaccess<>(SB)

TEXT runtime·RaceWrite(SB), NOSPLIT, $0-8
	MOVQ	addr+0(FP), SI
	MOVQ	(SP), DX
	MOVQ	$__tsan_write(SB), AX
	JMP	raceaccess<>(SB)

TEXT runtime·RaceReadRange(SB), NOSPLIT, $0-16
	MOVQ	addr+0(FP), SI
	MOVQ	len+8(FP), DX
	MOVQ	(SP), CX
	MOVQ	$__tsan_read_range(SB), AX
	JMP	raceaccess<>(SB)

TEXT runtime·RaceWriteRange(SB), NOSPLIT, $0-16
	MOVQ	addr+0(FP), SI
	MOVQ	len+8(FP), DX
	MOVQ	(SP), CX
	MOVQ	$__tsan_write_range(SB), AX
	JMP	raceaccess<>(SB)

// raceaccess: call AX(g.racectx, SI, DX, CX) if SI has shadow (a heap
// arena or the data and bss segments); else return at once (stacks and
// the runtime's own memory are not tracked).
TEXT raceaccess<>(SB), NOSPLIT|NOFRAME, $0-0
	MOVQ	g_racectx(R14), DI
	CMPQ	SI, runtime·racearenastart(SB)
	JB	notheap
	CMPQ	SI, runtime·racearenaend(SB)
	JB	tracked
notheap:
	CMPQ	SI, runtime·racedatastart(SB)
	JB	untracked
	CMPQ	SI, runtime·racedataend(SB)
	JAE	untracked
tracked:
	JMP	racecall<>(SB)
untracked:
	RET

// racefuncenter(callpc): instrumented functions call it first, with their
// caller's pc; DX (a closure's context) must survive.
TEXT runtime·racefuncenter(SB), NOSPLIT, $0-8
	MOVQ	DX, BX
	MOVQ	g_racectx(R14), DI
	// Every instrumented function starts here: code running on a
	// goroutine (or g0) the race runtime has no context for fails loudly
	// now rather than as a fault inside TSan.
	TESTQ	DI, DI
	JZ	nocontext
	MOVQ	callpc+0(FP), SI
	MOVQ	$__tsan_func_enter(SB), AX
	CALL	racecall<>(SB)
	MOVQ	BX, DX
	RET

nocontext:
	JMP	runtime·racenocontext(SB)

TEXT runtime·racefuncexit(SB), NOSPLIT, $0-0
	MOVQ	g_racectx(R14), DI
	MOVQ	$__tsan_func_exit(SB), AX
	JMP	racecall<>(SB)

// racecall(fn, arg0, arg1, arg2, arg3) from Go code.
TEXT runtime·racecall(SB), NOSPLIT, $0-40
	MOVQ	fn+0(FP), AX
	MOVQ	arg0+8(FP), DI
	MOVQ	arg1+16(FP), SI
	MOVQ	arg2+24(FP), DX
	MOVQ	arg3+32(FP), CX
	JMP	racecall<>(SB)

// racecall<>: call the C function AX with the C argument registers as
// they are, on g0's stack (from g0.sched.sp, where the system stack's
// free part starts while a goroutine runs), 16-byte aligned. The TLS g
// stays the goroutine: TSan's callbacks (gort_racecallback) read its m.
TEXT racecall<>(SB), NOSPLIT|NOFRAME, $0-0
	MOVQ	SP, R12
	MOVQ	g_m(R14), R13
	MOVQ	m_g0(R13), R13
	CMPQ	R13, R14
	JEQ	onsystem
	MOVQ	(g_sched+gobuf_sp)(R13), SP
onsystem:
	ANDQ	$~15, SP
	CALL	AX
	MOVQ	R12, SP
	XORPS	X15, X15
	RET

// sync/atomic under -race: each operation is done by TSan, which also
// records it as synchronisation. The TSan function gets the goroutine's
// context, the caller's pc, the operation's own pc and a pointer to the
// ABI0 argument frame (address, operands, results), which it fills in.
TEXT	sync∕atomic·LoadInt32(SB), NOSPLIT|NOFRAME, $0-12
	GO_ARGS
	MOVQ	$__tsan_go_atomic32_load(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·LoadInt64(SB), NOSPLIT|NOFRAME, $0-16
	GO_ARGS
	MOVQ	$__tsan_go_atomic64_load(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·LoadUint32(SB), NOSPLIT, $0-12
	GO_ARGS
	JMP	sync∕atomic·LoadInt32(SB)

TEXT	sync∕atomic·LoadUint64(SB), NOSPLIT, $0-16
	GO_ARGS
	JMP	sync∕atomic·LoadInt64(SB)

TEXT	sync∕atomic·LoadUintptr(SB), NOSPLIT, $0-16
	GO_ARGS
	JMP	sync∕atomic·LoadInt64(SB)

TEXT	sync∕atomic·LoadPointer(SB), NOSPLIT, $0-16
	GO_ARGS
	JMP	sync∕atomic·LoadInt64(SB)

TEXT	sync∕atomic·StoreInt32(SB), NOSPLIT|NOFRAME, $0-12
	GO_ARGS
	MOVQ	$__tsan_go_atomic32_store(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·StoreInt64(SB), NOSPLIT|NOFRAME, $0-16
	GO_ARGS
	MOVQ	$__tsan_go_atomic64_store(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·StoreUint32(SB), NOSPLIT, $0-12
	GO_ARGS
	JMP	sync∕atomic·StoreInt32(SB)

TEXT	sync∕atomic·StoreUint64(SB), NOSPLIT, $0-16
	GO_ARGS
	JMP	sync∕atomic·StoreInt64(SB)

TEXT	sync∕atomic·StoreUintptr(SB), NOSPLIT, $0-16
	GO_ARGS
	JMP	sync∕atomic·StoreInt64(SB)

TEXT	sync∕atomic·SwapInt32(SB), NOSPLIT|NOFRAME, $0-20
	GO_ARGS
	MOVQ	$__tsan_go_atomic32_exchange(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·SwapInt64(SB), NOSPLIT|NOFRAME, $0-24
	GO_ARGS
	MOVQ	$__tsan_go_atomic64_exchange(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·SwapUint32(SB), NOSPLIT, $0-20
	GO_ARGS
	JMP	sync∕atomic·SwapInt32(SB)

TEXT	sync∕atomic·SwapUint64(SB), NOSPLIT, $0-24
	GO_ARGS
	JMP	sync∕atomic·SwapInt64(SB)

TEXT	sync∕atomic·SwapUintptr(SB), NOSPLIT, $0-24
	GO_ARGS
	JMP	sync∕atomic·SwapInt64(SB)

TEXT	sync∕atomic·CompareAndSwapInt32(SB), NOSPLIT|NOFRAME, $0-17
	GO_ARGS
	MOVQ	$__tsan_go_atomic32_compare_exchange(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·CompareAndSwapInt64(SB), NOSPLIT|NOFRAME, $0-25
	GO_ARGS
	MOVQ	$__tsan_go_atomic64_compare_exchange(SB), AX
	CALL	raceatomic<>(SB)
	RET

TEXT	sync∕atomic·CompareAndSwapUint32(SB), NOSPLIT, $0-17
	GO_ARGS
	JMP	sync∕atomic·CompareAndSwapInt32(SB)

TEXT	sync∕atomic·CompareAndSwapUint64(SB), NOSPLIT, $0-25
	GO_ARGS
	JMP	sync∕atomic·CompareAndSwapInt64(SB)

TEXT	sync∕atomic·CompareAndSwapUintptr(SB), NOSPLIT, $0-25
	GO_ARGS
	JMP	sync∕atomic·CompareAndSwapInt64(SB)

// Add returns the new value; TSan's fetch_add leaves the old one in the
// result slot: add the delta to it.
TEXT sync∕atomic·AddInt32(SB), NOSPLIT|NOFRAME, $0-20
	GO_ARGS
	MOVQ	$__tsan_go_atomic32_fetch_add(SB), AX
	CALL	raceatomic<>(SB)
	MOVL	delta+8(FP), AX
	ADDL	AX, new+16(FP)
	RET

TEXT sync∕atomic·AddInt64(SB), NOSPLIT|NOFRAME, $0-24
	GO_ARGS
	MOVQ	$__tsan_go_atomic64_fetch_add(SB), AX
	CALL	raceatomic<>(SB)
	MOVQ	delta+8(FP), AX
	ADDQ	AX, new+16(FP)
	RET

TEXT	sync∕atomic·AddUint32(SB), NOSPLIT, $0-20
	GO_ARGS
	JMP	sync∕atomic·AddInt32(SB)

TEXT	sync∕atomic·AddUint64(SB), NOSPLIT, $0-24
	GO_ARGS
	JMP	sync∕atomic·AddInt64(SB)

TEXT	sync∕atomic·AddUintptr(SB), NOSPLIT, $0-24
	GO_ARGS
	JMP	sync∕atomic·AddInt64(SB)


// raceatomic<>: 0(SP) is the return into the sync/atomic function, 8(SP)
// that function's return address, 16(SP) its argument frame. The address
// is touched first, so that nil faults here, in Go code. An address
// without shadow (a goroutine stack, C memory) is done by TSan with
// synchronisation ignored.
TEXT raceatomic<>(SB), NOSPLIT|NOFRAME, $0-0
	MOVQ	16(SP), R12
	MOVBLZX	(R12), R13
	CMPQ	R12, runtime·racearenastart(SB)
	JB	notheap
	CMPQ	R12, runtime·racearenaend(SB)
	JB	tracked
notheap:
	CMPQ	R12, runtime·racedatastart(SB)
	JB	untracked
	CMPQ	R12, runtime·racedataend(SB)
	JAE	untracked
tracked:
	MOVQ	g_racectx(R14), DI
	MOVQ	8(SP), SI
	MOVQ	(SP), DX
	LEAQ	16(SP), CX
	JMP	racecall<>(SB)
untracked:
	MOVQ	AX, BX
	MOVQ	g_racectx(R14), DI
	MOVQ	$__tsan_go_ignore_sync_begin(SB), AX
	CALL	racecall<>(SB)
	MOVQ	BX, AX
	MOVQ	g_racectx(R14), DI
	MOVQ	8(SP), SI
	MOVQ	(SP), DX
	LEAQ	16(SP), CX
	CALL	racecall<>(SB)
	MOVQ	g_racectx(R14), DI
	MOVQ	$__tsan_go_ignore_sync_end(SB), AX
	JMP	racecall<>(SB)
