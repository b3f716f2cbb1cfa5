/* loom-debug.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE   /* dladdr */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "loom-debug-private.h"


int loom_debug_on;
gint64 loom_debug_slow_usec = 100 * 1000;

void
loom_debug_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      const char *env = g_getenv ("LOOM_DEBUG");

      if (env != NULL && *env != '\0' && g_strcmp0 (env, "0") != 0)
        loom_debug_on = TRUE;
      g_once_init_leave (&initialized, 1);
    }
}

/**
 * loom_debug_set_enabled:
 * @enabled: whether debug mode is on
 *
 * Turns debug mode on or off for the whole process; `LOOM_DEBUG=1` in the
 * environment turns it on at start-up. Like asyncio's, it reports:
 *
 * - a task whose error nobody retrieved, with its name and where it was
 *   spawned, when it is finalized;
 * - a step of a task that held the main loop longer than the slow-step
 *   threshold (100 ms by default, [func@Loom.debug_set_slow_step]);
 * - the tasks still running when `loom_run()`'s main task returned.
 *
 * [func@Loom.dump_tasks] lists every live task at any time, debug mode
 * or not. In debug mode tasks no longer switch straight to each other,
 * so that each step can be timed.
 *
 * Since: 0.1
 */
void
loom_debug_set_enabled (gboolean enabled)
{
  loom_debug_init ();
  loom_debug_on = !!enabled;
}

/**
 * loom_debug_get_enabled:
 *
 * Checks whether debug mode is on.
 *
 * Returns: %TRUE if on
 *
 * Since: 0.1
 */
gboolean
loom_debug_get_enabled (void)
{
  loom_debug_init ();
  return loom_debug_on;
}

/**
 * loom_debug_set_slow_step:
 * @msec: the threshold in milliseconds
 *
 * Sets how long one step of a task may hold the main loop before debug
 * mode reports it. The default is 100 ms.
 *
 * Since: 0.1
 */
void
loom_debug_set_slow_step (guint msec)
{
  loom_debug_slow_usec = (gint64) msec * 1000;
}

/**
 * loom_debug_get_slow_step:
 *
 * Gets the slow-step threshold of debug mode.
 *
 * Returns: the threshold in milliseconds
 *
 * Since: 0.1
 */
guint
loom_debug_get_slow_step (void)
{
  return (guint) (loom_debug_slow_usec / 1000);
}

/* Spawn sites are named by function, file and line, with
 * binutils' addr2line when it is installed and the code has debug
 * information: "count_down (main.c:42)". Each address is looked up once. */

G_LOCK_DEFINE_STATIC (symbolized);
static GHashTable *symbolized;   /* code address -> description or "" */

/* A spawn site is a return address (the instruction after the call) or,
 * for a main task, the function itself. The call is the byte before a
 * return address, in the same function; the byte before a function is
 * in another one. So both are looked up, and the one before wins when it
 * lies in the same function. */
static char *
run_addr2line (const char    *module,
               gconstpointer  address)
{
  g_autofree char *at = g_strdup_printf ("%#" G_GINTPTR_MODIFIER "x", (guintptr) address);
  g_autofree char *before = g_strdup_printf ("%#" G_GINTPTR_MODIFIER "x", (guintptr) address - 1);
  const char *argv[] = { "addr2line", "-f", "-e", module, at, before, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *file = NULL;
  const char *where;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL) ||
      !g_spawn_check_wait_status (status, NULL))
    return NULL;

  /* Two lines per address: the function, then file:line; "??" where
   * unknown. */
  lines = g_strsplit (out, "\n", 5);
  if (g_strv_length (lines) < 4 || g_str_has_prefix (lines[0], "??") ||
      g_str_has_prefix (lines[1], "??"))
    return NULL;
  where = g_str_equal (lines[0], lines[2]) && !g_str_has_prefix (lines[3], "??") ? lines[3] : lines[1];
  /* addr2line may add " (discriminator N)". */
  *strchrnul ((char *) where, ' ') = '\0';
  file = g_path_get_basename (where);
  return g_strdup_printf ("%s (%s)", lines[0], file);
}

static char *
symbolize (const Dl_info *info,
           gconstpointer  site)
{
  const unsigned char *header = info->dli_fbase;
  gconstpointer address = site;
  char *found;

  G_LOCK (symbolized);
  if (symbolized == NULL)
    symbolized = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  found = g_hash_table_lookup (symbolized, site);
  G_UNLOCK (symbolized);
  if (found != NULL)
    return *found ? g_strdup (found) : NULL;

  /* Position-independent code (ET_DYN: shared objects, PIE programs) is
   * looked up by its offset in the file, the rest by its address. */
  if (header != NULL && memcmp (header, "\177ELF", 4) == 0 &&
      (header[16] | header[17] << 8) == 3)
    address = (gconstpointer) ((const char *) site - (const char *) info->dli_fbase);
  found = run_addr2line (info->dli_fname, address);

  G_LOCK (symbolized);
  g_hash_table_replace (symbolized, (gpointer) site, g_strdup (found ? found : ""));
  G_UNLOCK (symbolized);
  return found;
}

/* Names the function a code address lies in, for spawn sites. */
char *
loom_debug_describe_site (gconstpointer site)
{
  Dl_info info;
  char *described;

  if (site == NULL)
    return g_strdup ("an unknown place");
  if (dladdr (site, &info) == 0)
    return g_strdup_printf ("%p", site);
  if ((described = symbolize (&info, site)) != NULL)
    return described;
  if (info.dli_sname != NULL)
    return g_strdup_printf ("%s+0x%tx", info.dli_sname,
                            (const char *) site - (const char *) info.dli_saddr);
  return g_strdup_printf ("%s+0x%tx", info.dli_fname,
                          (const char *) site - (const char *) info.dli_fbase);
}

static const char *
fiber_name (LoomFiber *fiber)
{
  LoomTask *task = loom_fiber_get_task (fiber);

  return task != NULL ? loom_future_describe_name ((LoomFuture *) task) : "(unnamed)";
}

void
loom_debug_slow_step (LoomFiber *fiber,
                      gint64     usec)
{
  g_autofree char *site = loom_debug_describe_site (fiber->spawn_site);

  g_warning ("Task #%u %s (spawned at %s) held the main loop for %"
             G_GINT64_FORMAT " ms in one step",
             fiber->id, fiber_name (fiber), site, usec / 1000);
}

static const char *
state_name (LoomFiber *fiber)
{
  switch (fiber->state)
    {
    case LOOM_FIBER_CREATED:
      return "not started";
    case LOOM_FIBER_QUEUED:
      return "ready";
    case LOOM_FIBER_RUNNING:
      return "running";
    case LOOM_FIBER_SUSPENDED:
      switch (fiber->wait)
        {
        case LOOM_WAIT_FUTURE:
          return "awaiting a future";
        case LOOM_WAIT_LATE:
          return "awaiting a GIO operation";
        case LOOM_WAIT_TIMER:
          return "sleeping";
        case LOOM_WAIT_QUEUE:
          return "waiting on a lock, event, queue or group";
        default:
          return "suspended";
        }
    case LOOM_FIBER_DONE:
    default:
      return "done";
    }
}

void
loom_debug_append_tasks (GString       *out,
                         LoomScheduler *scheduler)
{
  g_string_append_printf (out, "%u live task(s):\n", scheduler->n_fibers);
  if (scheduler->n_unstarted > 0)
    g_string_append_printf (out, "  %u spawned, not started yet\n", scheduler->n_unstarted);

  for (LoomFiber *fiber = scheduler->fibers; fiber != NULL; fiber = fiber->next)
    {
      g_autofree char *site = loom_debug_describe_site (fiber->spawn_site);

      g_string_append_printf (out, "  #%u %s: %s",
                              fiber->id, fiber_name (fiber), state_name (fiber));
      if ((fiber->wait == LOOM_WAIT_FUTURE || fiber->wait == LOOM_WAIT_LATE) &&
          fiber->awaiting != NULL)
        g_string_append_printf (out, " (%s %p%s%s)",
                                G_OBJECT_TYPE_NAME (fiber->awaiting), fiber->awaiting,
                                loom_future_get_name (fiber->awaiting) ? " " : "",
                                loom_future_get_name (fiber->awaiting) ? loom_future_get_name (fiber->awaiting) : "");
      if (fiber->cancel_requested)
        g_string_append (out, ", cancelling");
      if (fiber->parent_id != 0)
        g_string_append_printf (out, ", parent #%u", fiber->parent_id);
      g_string_append_printf (out, ", spawned at %s\n", site);
    }
}

/**
 * loom_dump_tasks_to_string:
 *
 * Describes every live task of the thread-default main context: its
 * number, name, state, what it awaits, its parent and where it was
 * spawned.
 *
 * Returns: (transfer full): the description
 *
 * Since: 0.1
 */
char *
loom_dump_tasks_to_string (void)
{
  GString *out = g_string_new (NULL);

  loom_debug_append_tasks (out, loom_scheduler_get_thread_default ());
  return g_string_free (out, FALSE);
}

/**
 * loom_dump_tasks:
 *
 * Prints [func@Loom.dump_tasks_to_string] to standard error.
 *
 * Since: 0.1
 */
void
loom_dump_tasks (void)
{
  g_autofree char *dump = loom_dump_tasks_to_string ();

  fputs (dump, stderr);
}
