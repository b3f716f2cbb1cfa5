/* test-stack-overflow.c: a task that overflows its stack says so.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each case forks a child that runs Loom and dies; the parent, which never
 * runs Loom itself (so the child installs the SIGSEGV handler afresh,
 * after any handler the case installs first), reads the child's stderr
 * and checks how it died. Built with -fno-stack-clash-protection
 * (tests/core/meson.build), so the big frame below lands deep in the guard.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#if HAVE_VALGRIND
# include <valgrind/valgrind.h>
#else
# define RUNNING_ON_VALGRIND 0
#endif

#include "loom-stack-private.h"
#include "loom-test-util.h"

#define CHILD_DEADLINE_SECONDS 20

/* A frame smaller than the 64 KiB guard, touched at its low end first. */
#define BIG_FRAME (60 * 1024)

typedef enum
{
  RECURSE_SMALL,
  RECURSE_BIG,
  WRITE_NULL,
} Fault;

typedef struct
{
  Fault         fault;
  LoomStackMode mode;
  gsize         stack_size;
  const char   *name;
  gboolean      in_thread;
} Case;

/* Never reached; a bound the compiler cannot see through. */
static volatile guint64 recursion_limit = G_MAXUINT64;

static G_GNUC_NO_INLINE guint64
recurse_small (guint64 depth)
{
  volatile guint8 frame[1024];

  frame[0] = (guint8) depth;
  frame[sizeof frame - 1] = frame[0];
  if (depth == recursion_limit)
    return 0;
  return recurse_small (depth + 1) + frame[0] + frame[sizeof frame - 1];
}

static G_GNUC_NO_INLINE guint64
recurse_big (guint64 depth)
{
  volatile char big[BIG_FRAME];
  volatile gsize top = BIG_FRAME - 1;

  big[0] = (char) depth;
  big[top] = big[0];
  if (depth == recursion_limit)
    return 0;
  return recurse_big (depth + 1) + (guint64) big[0] + (guint64) big[top];
}

static LoomFuture *
faulting_body (gpointer data)
{
  const Case *c = data;
  volatile int *volatile nowhere = NULL;

  switch (c->fault)
    {
    case RECURSE_SMALL:
      return loom_future_new_for_int64 ((gint64) recurse_small (0));
    case RECURSE_BIG:
      return loom_future_new_for_int64 ((gint64) recurse_big (0));
    case WRITE_NULL:
      *nowhere = 1;
      return loom_future_new_for_int64 (*nowhere);
    default:
      g_assert_not_reached ();
    }
}

static LoomFuture *
child_main (gpointer data)
{
  const Case *c = data;
  g_autoptr(LoomTask) task = loom_task_new (faulting_body, data, NULL);

  if (c->name != NULL)
    loom_future_set_name (LOOM_FUTURE (task), c->name);
  loom_task_set_stack_mode (task, c->mode);
  if (c->stack_size != 0)
    loom_task_set_stack_size (task, c->stack_size);
  loom_task_start (task);
  loom_await (LOOM_FUTURE (task), NULL);
  return loom_future_new_for_boolean (TRUE);
}

static void
earlier_handler (int        sig,
                 siginfo_t *info,
                 void      *ucontext)
{
  static const char message[] = "earlier handler saw the fault\n";

  if (write (STDERR_FILENO, message, sizeof message - 1) < 0)
    _exit (41);
  _exit (42);
}

static gpointer
thread_main (gpointer data)
{
  return loom_run (child_main, data, NULL);
}

typedef struct
{
  int   status;
  char *output;
} Outcome;

/* Runs @c in a child; its stderr and wait status come back. */
static Outcome
run_child (const Case *c,
           gboolean    with_earlier_handler,
           gboolean    opt_out)
{
  int fds[2];
  pid_t pid;
  GString *output = g_string_new (NULL);
  Outcome outcome;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      struct rlimit no_core = { 0, 0 };
      LoomFuture *result;

      alarm (CHILD_DEADLINE_SECONDS);
      setrlimit (RLIMIT_CORE, &no_core);
      close (fds[0]);
      dup2 (fds[1], STDERR_FILENO);
      close (fds[1]);
      if (opt_out)
        g_setenv ("LOOM_NO_SEGV_HANDLER", "1", TRUE);
      if (with_earlier_handler)
        {
          struct sigaction action;

          memset (&action, 0, sizeof action);
          action.sa_sigaction = earlier_handler;
          action.sa_flags = SA_SIGINFO | SA_ONSTACK;
          sigemptyset (&action.sa_mask);
          sigaction (SIGSEGV, &action, NULL);
        }
      if (c->in_thread)
        result = g_thread_join (g_thread_new ("overflowing", thread_main, (gpointer) c));
      else
        result = loom_run (child_main, (gpointer) c, NULL);
      /* Not reached: the task faults. */
      _exit (result != NULL ? 3 : 4);
    }

  close (fds[1]);
  for (;;)
    {
      char buffer[4096];
      ssize_t n = read (fds[0], buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (output, buffer, n);
    }
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &outcome.status, 0), ==, pid);
  outcome.output = g_string_free (output, FALSE);
  g_test_message ("child's stderr: %s", outcome.output);
  return outcome;
}

static gboolean
can_report (void)
{
  if (LOOM_HAVE_ASAN || LOOM_HAVE_TSAN)
    {
      g_test_skip ("the sanitizer owns SIGSEGV and reports the overflow itself");
      return FALSE;
    }
  if (RUNNING_ON_VALGRIND)
    {
      g_test_skip ("valgrind handles the fault itself");
      return FALSE;
    }
  return TRUE;
}

static void
assert_died_of_segv (const Outcome *outcome)
{
  g_assert_true (WIFSIGNALED (outcome->status));
  g_assert_cmpint (WTERMSIG (outcome->status), ==, SIGSEGV);
}

static void
assert_overflow_line (const Outcome *outcome,
                      const char    *name,
                      gsize          stack_size)
{
  g_autofree char *pattern = NULL;

  if (name != NULL)
    pattern = g_strdup_printf ("*Loom: task \xe2\x80\x9c%s\xe2\x80\x9d #* (spawned at *) "
                               "overflowed its %" G_GSIZE_FORMAT " KiB stack; "
                               "give it more with loom_task_set_stack_size()\n*",
                               name, stack_size / 1024);
  else
    pattern = g_strdup_printf ("*Loom: task #* (spawned at *) overflowed its %"
                               G_GSIZE_FORMAT " KiB stack*", stack_size / 1024);
  if (!g_pattern_match_simple (pattern, outcome->output))
    g_error ("stderr \"%s\" does not match \"%s\"", outcome->output, pattern);
}

static void
check_overflow (const Case *c)
{
  Outcome outcome;

  if (!can_report ())
    return;
  outcome = run_child (c, FALSE, FALSE);
  assert_died_of_segv (&outcome);
  assert_overflow_line (&outcome, c->name, loom_stack_round_size (c->stack_size));
  g_free (outcome.output);
}

static void
test_overflow_small_frames (void)
{
  const Case c = { RECURSE_SMALL, LOOM_STACK_MODE_DEDICATED, 0, "fetch-page" };

  check_overflow (&c);
}

static void
test_overflow_big_frames (void)
{
  const Case c = { RECURSE_BIG, LOOM_STACK_MODE_DEDICATED, 0, "big-frames" };

  check_overflow (&c);
}

static void
test_overflow_sized_unnamed (void)
{
  const Case c = { RECURSE_SMALL, LOOM_STACK_MODE_DEDICATED, 1024 * 1024, NULL };

  check_overflow (&c);
}

/* A thread that runs Loom gets its own alternate signal stack. */
static void
test_overflow_other_thread (void)
{
  const Case c = { RECURSE_SMALL, LOOM_STACK_MODE_DEDICATED, 0, "in-a-thread", TRUE };

  check_overflow (&c);
}

/* Compact mode: the task runs on a shared run stack, which has a guard too. */
static void
test_overflow_compact (void)
{
  const Case c = { RECURSE_SMALL, LOOM_STACK_MODE_COMPACT, 0, "compact" };

  if (!loom_stack_compact_supported ())
    {
      g_test_skip ("compact mode needs the assembly switch and no sanitizer");
      return;
    }
  check_overflow (&c);
}

/* A fault that is not an overflow dies the usual way, with no line. */
static void
test_null_write_not_reported (void)
{
  const Case c = { WRITE_NULL, LOOM_STACK_MODE_DEDICATED, 0, "null-writer" };
  Outcome outcome;

  if (!can_report ())
    return;
  outcome = run_child (&c, FALSE, FALSE);
  assert_died_of_segv (&outcome);
  g_assert_null (strstr (outcome.output, "overflowed"));
  g_free (outcome.output);
}

/* A handler installed before Loom's still gets the faults that are not
 * overflows; an overflow is still reported, and kills. */
static void
test_earlier_handler_chained (void)
{
  const Case null_write = { WRITE_NULL, LOOM_STACK_MODE_DEDICATED, 0, "null-writer" };
  const Case overflow = { RECURSE_SMALL, LOOM_STACK_MODE_DEDICATED, 0, "deep" };
  Outcome outcome;

  if (!can_report ())
    return;
  outcome = run_child (&null_write, TRUE, FALSE);
  g_assert_true (WIFEXITED (outcome.status));
  g_assert_cmpint (WEXITSTATUS (outcome.status), ==, 42);
  g_assert_nonnull (strstr (outcome.output, "earlier handler saw the fault"));
  g_assert_null (strstr (outcome.output, "overflowed"));
  g_free (outcome.output);

  outcome = run_child (&overflow, TRUE, FALSE);
  assert_died_of_segv (&outcome);
  assert_overflow_line (&outcome, "deep", loom_stack_round_size (0));
  g_assert_null (strstr (outcome.output, "earlier handler"));
  g_free (outcome.output);
}

/* LOOM_NO_SEGV_HANDLER=1: no handler, a plain SIGSEGV. */
static void
test_opt_out (void)
{
  const Case c = { RECURSE_SMALL, LOOM_STACK_MODE_DEDICATED, 0, "quiet" };
  Outcome outcome;

  if (RUNNING_ON_VALGRIND)
    {
      g_test_skip ("valgrind handles the fault itself");
      return;
    }
  outcome = run_child (&c, FALSE, TRUE);
  /* Under a sanitizer the child may abort instead; it must not report. */
  if (!LOOM_HAVE_ASAN && !LOOM_HAVE_TSAN)
    assert_died_of_segv (&outcome);
  else
    g_assert_true (WIFSIGNALED (outcome.status) || WIFEXITED (outcome.status));
  g_assert_null (strstr (outcome.output, "overflowed its"));
  g_free (outcome.output);
}

int
main (int    argc,
      char **argv)
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/stack-overflow/small-frames", test_overflow_small_frames);
  g_test_add_func ("/stack-overflow/big-frames", test_overflow_big_frames);
  g_test_add_func ("/stack-overflow/sized-unnamed", test_overflow_sized_unnamed);
  g_test_add_func ("/stack-overflow/other-thread", test_overflow_other_thread);
  g_test_add_func ("/stack-overflow/compact", test_overflow_compact);
  g_test_add_func ("/stack-overflow/null-write", test_null_write_not_reported);
  g_test_add_func ("/stack-overflow/earlier-handler", test_earlier_handler_chained);
  g_test_add_func ("/stack-overflow/opt-out", test_opt_out);

  return g_test_run ();
}
