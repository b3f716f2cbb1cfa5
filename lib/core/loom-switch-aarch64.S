/* loom-switch-aarch64.S
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Stack switch for AAPCS64: x19-x30 and d8-d15 are callee-saved; nothing
 * else moves and no system call is made.
 */

        .text

/* void loom_switch_context (void **save_sp, void *load_sp) */
        .globl  loom_switch_context
        .hidden loom_switch_context
        .type   loom_switch_context, %function
        .p2align 4
loom_switch_context:
        .cfi_startproc
        sub     sp, sp, #176
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8, d9, [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mov     x9, sp
        str     x9, [x0]
        mov     sp, x1
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8, d9, [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #176
        ret
        .cfi_endproc
        .size   loom_switch_context, .-loom_switch_context

/* First return target of a new fiber: calls x20 (x19) and never returns. */
        .globl  loom_switch_trampoline
        .hidden loom_switch_trampoline
        .type   loom_switch_trampoline, %function
        .p2align 4
loom_switch_trampoline:
        .cfi_startproc
        .cfi_undefined x30
        mov     x0, x19
        blr     x20
        brk     #0
        .cfi_endproc
        .size   loom_switch_trampoline, .-loom_switch_trampoline

        .section .note.GNU-stack,"",%progbits
