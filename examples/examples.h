/* examples.h: the entry points of the examples, which loom-demo links in.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

int loom_example_sleep_and_return     (void);
int loom_example_hello_world          (void);
int loom_example_two_tasks            (void);
int loom_example_task_group           (void);
int loom_example_gather               (void);
int loom_example_wait_first_completed (void);
int loom_example_shield               (void);
int loom_example_cancel               (void);
int loom_example_wait_for_timeout     (void);
int loom_example_async_with           (void);
int loom_example_async_counter        (void);
int loom_example_async_gen            (void);
int loom_example_run_in_thread        (void);
int loom_example_threadsafe           (void);
int loom_example_debug_pitfalls       (void);
int loom_example_crawler              (void);
int loom_example_fastapi_app          (void);

/* Each example is a program of its own, and a part of the demo tour. */
#ifdef LOOM_DEMO
# define LOOM_EXAMPLE_MAIN(func)
#else
# define LOOM_EXAMPLE_MAIN(func) \
  int main (void) { return func (); }
#endif

int loom_example_pg_fetch             (void);
int loom_example_pg_pipeline          (void);
