/* loom-switch-x86_64.S
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Stack switch for the System V x86-64 ABI: only the callee-saved registers
 * move, and no signal mask is touched, so a switch costs no system call.
 */

        .text

/* void loom_switch_context (void **save_sp, void *load_sp) */
        .globl  loom_switch_context
        .hidden loom_switch_context
        .type   loom_switch_context, @function
        .p2align 4
loom_switch_context:
        .cfi_startproc
        pushq   %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .cfi_endproc
        .size   loom_switch_context, .-loom_switch_context

/* First return target of a new fiber: calls r13 (r12) and never returns. */
        .globl  loom_switch_trampoline
        .hidden loom_switch_trampoline
        .type   loom_switch_trampoline, @function
        .p2align 4
loom_switch_trampoline:
        .cfi_startproc
        .cfi_undefined rip
        movq    %r12, %rdi
        callq   *%r13
        ud2
        .cfi_endproc
        .size   loom_switch_trampoline, .-loom_switch_trampoline

        .section .note.GNU-stack,"",@progbits
