#include "textflag.h"
#include "funcdata.h"

// func spwrite(): calls back with SP rounded down to 16 bytes, its own SP
// saved just above the call meanwhile. Writing SP makes the assembler mark
// the function SPWRITE.
TEXT ·spwrite(SB),0,$16-0
	NO_LOCAL_POINTERS
	MOVQ	SP, R12
	ANDQ	$~15, SP
	SUBQ	$16, SP
	MOVQ	R12, 0(SP)
	CALL	·back(SB)
	MOVQ	0(SP), SP
	RET
