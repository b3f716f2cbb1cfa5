/* loom-stack-overflow.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loom-fiber-private.h"
#include "loom-future-private.h"
#include "loom-stack-overflow-private.h"

/* A task that runs off the low end of its stack lands in the guard below
 * it and dies of SIGSEGV, which on its own says nothing of which task or
 * why. A SIGSEGV handler, on an alternate signal stack (the faulting stack
 * has no room left), tells a fault in a guard from any other: it prints
 * one line naming the task, its spawn site and stack size, then lets the
 * fault happen again with the default action, so that the exit status
 * and core dump stay those of a plain SIGSEGV. Any other fault goes to
 * the handler that was installed before ours.
 *
 * The handler is async-signal-safe: it reads a table of guard ranges
 * written with atomics, the running fiber's fields, and /proc/self/maps
 * through open(2) and read(2), and writes with write(2). Nothing else.
 *
 * Under AddressSanitizer or ThreadSanitizer the sanitizer owns SIGSEGV
 * and reports the overflow itself; LOOM_NO_SEGV_HANDLER=1 turns the
 * handler off. */

#define MAX_RANGES     4096       /* slabs of 16 MiB: 64 GiB of stacks */
#define ALT_STACK_SIZE (64 * 1024)

typedef struct
{
  const guint8 *mapping;   /* (atomic) NULL when the entry is free */
  gsize         slot_size;
  gsize         guard_size;
  guint         n_slots;
} GuardRange;

static GuardRange ranges[MAX_RANGES];
static guint      n_ranges;        /* (atomic) entries ever used */
static GMutex     ranges_lock;     /* serializes writers; the handler reads freely */

static gboolean         handler_installed;
static struct sigaction previous_action;

typedef struct
{
  guint8 *mapping;
  gsize   size;
} AltStack;

static void alt_stack_free (gpointer data);

static GPrivate alt_stack_key = G_PRIVATE_INIT (alt_stack_free);
static __thread gboolean thread_ready __attribute__ ((tls_model ("initial-exec")));

/* A tiny formatter that writes to a fixed buffer. */
typedef struct
{
  char  data[512];
  gsize len;
} Line;

static void
line_add (Line       *line,
          const char *text)
{
  while (*text != '\0' && line->len < sizeof line->data)
    line->data[line->len++] = *text++;
}

static void
line_add_n (Line       *line,
            const char *text,
            gsize       n)
{
  for (gsize i = 0; i < n && text[i] != '\0' && line->len < sizeof line->data; i++)
    line->data[line->len++] = text[i];
}

static void
line_add_number (Line  *line,
                 guint64 value,
                 guint  base)
{
  char digits[24];
  int n = 0;

  do
    {
      digits[n++] = "0123456789abcdef"[value % base];
      value /= base;
    }
  while (value != 0);
  if (base == 16)
    line_add (line, "0x");
  while (n > 0 && line->len < sizeof line->data)
    line->data[line->len++] = digits[--n];
}

static void
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      data += n;
      len -= (gsize) n;
    }
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
parse_hex (const char **p,
           guint64     *value)
{
  const char *s = *p;
  guint64 v = 0;

  if (hex_digit (*s) < 0)
    return FALSE;
  while (hex_digit (*s) >= 0)
    v = v * 16 + (guint64) hex_digit (*s++);
  *p = s;
  *value = v;
  return TRUE;
}

/* One line of /proc/self/maps: "start-end perms offset dev inode path".
 * If it maps @address, adds "file+0xoffset" to @out. */
static gboolean
maps_line_describe (const char *text,
                    gsize       len,
                    guint64     address,
                    Line       *out)
{
  const char *p = text;
  const char *end = text + len;
  const char *path;
  const char *base;
  guint64 start, stop, offset;

  if (!parse_hex (&p, &start) || *p++ != '-' || !parse_hex (&p, &stop))
    return FALSE;
  if (address < start || address >= stop)
    return FALSE;
  while (p < end && *p == ' ')
    p++;
  while (p < end && *p != ' ')    /* permissions */
    p++;
  while (p < end && *p == ' ')
    p++;
  if (!parse_hex (&p, &offset))
    return FALSE;
  /* dev and inode, then the path */
  for (int field = 0; field < 2; field++)
    {
      while (p < end && *p == ' ')
        p++;
      while (p < end && *p != ' ')
        p++;
    }
  while (p < end && *p == ' ')
    p++;
  path = p;
  if (path >= end)
    return FALSE;
  base = path;
  for (const char *q = path; q < end; q++)
    if (*q == '/')
      base = q + 1;
  line_add_n (out, base, (gsize) (end - base));
  line_add (out, "+");
  line_add_number (out, address - start + offset, 16);
  return TRUE;
}

/* Adds where @site is: "libfoo.so+0x1234", which addr2line -e resolves,
 * or the bare address. dladdr() takes a lock, so /proc/self/maps it is. */
static void
line_add_site (Line          *out,
               gconstpointer  site)
{
  char buffer[1024];
  gsize filled = 0;
  gboolean found = FALSE;
  int fd;

  if (site == NULL)
    {
      line_add (out, "an unknown place");
      return;
    }
  fd = open ("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  while (fd >= 0 && !found)
    {
      ssize_t n = read (fd, buffer + filled, sizeof buffer - filled);
      gsize start = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      filled += (gsize) n;
      for (gsize i = 0; i < filled && !found; i++)
        if (buffer[i] == '\n')
          {
            found = maps_line_describe (buffer + start, i - start,
                                        (guint64) (guintptr) site, out);
            start = i + 1;
          }
      /* A line longer than the buffer is dropped. */
      if (start == 0 && filled == sizeof buffer)
        start = filled;
      memmove (buffer, buffer + start, filled - start);
      filled -= start;
    }
  if (fd >= 0)
    close (fd);
  if (!found)
    line_add_number (out, (guint64) (guintptr) site, 16);
}

/* Whether @address lies in a registered guard: then the usable base of
 * the stack above it goes to @stack_base and its size to @usable. */
static gboolean
find_guard (const guint8  *address,
            const guint8 **stack_base,
            gsize         *usable)
{
  guint n = __atomic_load_n (&n_ranges, __ATOMIC_ACQUIRE);

  for (guint i = 0; i < n; i++)
    {
      const GuardRange *range = &ranges[i];
      const guint8 *mapping = __atomic_load_n (&range->mapping, __ATOMIC_ACQUIRE);
      gsize offset;

      if (mapping == NULL || address < mapping ||
          (gsize) (address - mapping) >= range->slot_size * range->n_slots)
        continue;
      offset = (gsize) (address - mapping) % range->slot_size;
      if (offset >= range->guard_size)
        return FALSE;
      *stack_base = address - offset + range->guard_size;
      *usable = range->slot_size - range->guard_size;
      return TRUE;
    }
  return FALSE;
}

static void
report_overflow (const guint8 *stack_base,
                 gsize         usable)
{
  LoomFiber *fiber = loom_fiber_running;
  Line line = { .len = 0 };

  line_add (&line, "Loom: ");
  if (fiber != NULL && fiber->stack != NULL && fiber->stack->base == stack_base)
    {
      LoomTask *task = loom_fiber_get_task (fiber);
      const char *name = task != NULL ? loom_future_peek_name ((LoomFuture *) task) : NULL;

      line_add (&line, "task ");
      if (name != NULL)
        {
          line_add (&line, "\xe2\x80\x9c");
          line_add_n (&line, name, 80);
          line_add (&line, "\xe2\x80\x9d ");
        }
      line_add (&line, "#");
      line_add_number (&line, fiber->id, 10);
      line_add (&line, " (spawned at ");
      line_add_site (&line, fiber->spawn_site);
      line_add (&line, ") overflowed its ");
      usable = fiber->stack->size;
    }
  else
    line_add (&line, "a task overflowed its ");
  line_add_number (&line, usable / 1024, 10);
  line_add (&line, " KiB stack; give it more with loom_task_set_stack_size()\n");
  write_all (STDERR_FILENO, line.data, line.len);
}

static void
reset_default (int sig)
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  sigemptyset (&action.sa_mask);
  sigaction (sig, &action, NULL);
}

static void
on_segv (int        sig,
         siginfo_t *info,
         void      *ucontext)
{
  int saved_errno = errno;
  const guint8 *stack_base;
  gsize usable;

  /* si_code > 0: the kernel saw a fault, as opposed to kill() or raise(). */
  if (info != NULL && info->si_code > 0 &&
      find_guard (info->si_addr, &stack_base, &usable))
    {
      report_overflow (stack_base, usable);
      /* Back to the faulting instruction, which faults again and now
       * kills the process the usual way. */
      reset_default (sig);
      errno = saved_errno;
      return;
    }

  if (previous_action.sa_flags & SA_SIGINFO)
    previous_action.sa_sigaction (sig, info, ucontext);
  else if (previous_action.sa_handler == SIG_IGN && (info == NULL || info->si_code <= 0))
    ;  /* a sent SIGSEGV the program chose to ignore */
  else if (previous_action.sa_handler == SIG_DFL || previous_action.sa_handler == SIG_IGN)
    {
      reset_default (sig);
      /* A fault happens again on return; a sent signal must be sent again
       * (it is blocked until this handler returns). */
      if (info == NULL || info->si_code <= 0)
        raise (sig);
    }
  else
    previous_action.sa_handler (sig);
  errno = saved_errno;
}

static gboolean
handler_wanted (void)
{
  const char *opt_out = g_getenv ("LOOM_NO_SEGV_HANDLER");

  if (LOOM_HAVE_ASAN || LOOM_HAVE_TSAN)
    return FALSE;
  return opt_out == NULL || opt_out[0] == '\0' || g_str_equal (opt_out, "0");
}

static void
install_handler_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      struct sigaction action;

      if (handler_wanted ())
        {
          memset (&action, 0, sizeof action);
          action.sa_sigaction = on_segv;
          action.sa_flags = SA_SIGINFO | SA_ONSTACK;
          sigemptyset (&action.sa_mask);
          /* The earlier action is read first: a fault on another thread
           * may reach on_segv() as soon as it is installed. */
          if (sigaction (SIGSEGV, NULL, &previous_action) == 0 &&
              sigaction (SIGSEGV, &action, NULL) == 0)
            g_atomic_int_set (&handler_installed, TRUE);
        }
      g_once_init_leave (&done, 1);
    }
}

static void
alt_stack_free (gpointer data)
{
  AltStack *alt = data;
  stack_t current;

  if (sigaltstack (NULL, &current) == 0 && current.ss_sp == alt->mapping + sysconf (_SC_PAGESIZE))
    {
      stack_t off = { .ss_flags = SS_DISABLE };

      sigaltstack (&off, NULL);
    }
  munmap (alt->mapping, alt->size);
  g_free (alt);
}

/* The alternate signal stack of this thread, unless it has one already
 * (a runtime that installed its own keeps it). A guard page below. */
static void
install_alt_stack (void)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  gsize size = MAX ((gsize) ALT_STACK_SIZE, (gsize) sysconf (_SC_SIGSTKSZ) * 4);
  stack_t current;
  stack_t ours;
  guint8 *mapping;
  AltStack *alt;

  if (sigaltstack (NULL, &current) != 0 || !(current.ss_flags & SS_DISABLE))
    return;
  size = (size + page - 1) / page * page;
  mapping = mmap (NULL, size + page, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping == MAP_FAILED)
    return;
  mprotect (mapping, page, PROT_NONE);
  ours.ss_sp = mapping + page;
  ours.ss_size = size;
  ours.ss_flags = 0;
  if (sigaltstack (&ours, NULL) != 0)
    {
      munmap (mapping, size + page);
      return;
    }
  alt = g_new0 (AltStack, 1);
  alt->mapping = mapping;
  alt->size = size + page;
  g_private_set (&alt_stack_key, alt);
}

void
loom_stack_overflow_register (const guint8 *mapping,
                              gsize         slot_size,
                              gsize         guard_size,
                              guint         n_slots)
{
  guint n;
  guint i;

  if (G_UNLIKELY (!thread_ready))
    {
      thread_ready = TRUE;
      install_handler_once ();
      if (g_atomic_int_get (&handler_installed))
        install_alt_stack ();
    }
  if (!g_atomic_int_get (&handler_installed))
    return;

  g_mutex_lock (&ranges_lock);
  n = __atomic_load_n (&n_ranges, __ATOMIC_RELAXED);
  for (i = 0; i < n; i++)
    if (__atomic_load_n (&ranges[i].mapping, __ATOMIC_RELAXED) == NULL)
      break;
  if (i < MAX_RANGES)
    {
      ranges[i].slot_size = slot_size;
      ranges[i].guard_size = guard_size;
      ranges[i].n_slots = n_slots;
      __atomic_store_n (&ranges[i].mapping, mapping, __ATOMIC_RELEASE);
      if (i == n)
        __atomic_store_n (&n_ranges, n + 1, __ATOMIC_RELEASE);
    }
  g_mutex_unlock (&ranges_lock);
}

void
loom_stack_overflow_unregister (const guint8 *mapping)
{
  guint n;

  if (!g_atomic_int_get (&handler_installed))
    return;

  g_mutex_lock (&ranges_lock);
  n = __atomic_load_n (&n_ranges, __ATOMIC_RELAXED);
  for (guint i = 0; i < n; i++)
    if (__atomic_load_n (&ranges[i].mapping, __ATOMIC_RELAXED) == mapping)
      {
        __atomic_store_n (&ranges[i].mapping, NULL, __ATOMIC_RELEASE);
        break;
      }
  g_mutex_unlock (&ranges_lock);
}
