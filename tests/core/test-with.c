/* test-with.c: loom_with, Python's `async with`.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-test-util.h"

typedef struct
{
  GString  *log;
  gboolean  body_fails;
  gboolean  body_sleeps;
} Resource;

static LoomFuture *
open_resource (gpointer data)
{
  Resource *resource = data;

  loom_sleep (1, NULL);
  g_string_append (resource->log, "open ");
  return loom_future_new_for_pointer (resource, NULL);
}

static LoomFuture *
use_resource (gpointer resource_ptr,
              gpointer user_data)
{
  Resource *resource = resource_ptr;
  g_autoptr(GError) error = NULL;

  g_assert_true (resource == user_data);
  g_string_append (resource->log, "use ");
  if (resource->body_sleeps && !loom_sleep (60000, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  if (resource->body_fails)
    return loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "body failed");
  return NULL;
}

static LoomFuture *
close_resource (gpointer      resource_ptr,
                const GError *body_error,
                gpointer      user_data)
{
  Resource *resource = resource_ptr;
  g_autoptr(GError) error = NULL;

  /* The close is told how the body ended, as __aexit__ is. */
  g_assert_true ((body_error != NULL) == (resource->body_fails || resource->body_sleeps));

  /* Closing awaits, and must finish even in a cancelled task. */
  if (!loom_sleep (2, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  g_string_append (resource->log, "close");
  return NULL;
}

static LoomFuture *
with_body (gpointer data)
{
  Resource *resource = data;
  g_autoptr(LoomTask) opening = loom_spawn (open_resource, resource, NULL);
  g_autoptr(GError) error = NULL;

  if (!loom_with (LOOM_FUTURE (opening), use_resource, close_resource, resource, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));
  return NULL;
}

static void
test_with_success (void)
{
  Resource resource = { g_string_new (NULL), FALSE, FALSE };

  loom_test_run (with_body, &resource);
  g_assert_cmpstr (resource.log->str, ==, "open use close");
  g_string_free (resource.log, TRUE);
}

static void
test_with_body_error (void)
{
  Resource resource = { g_string_new (NULL), TRUE, FALSE };
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) done = loom_run (with_body, &resource, &error);

  g_assert_null (done);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (resource.log->str, ==, "open use close");
  g_string_free (resource.log, TRUE);
}

static LoomFuture *
cancel_inside_with (gpointer data)
{
  g_autoptr(LoomTask) task = loom_spawn (with_body, data, NULL);
  g_autoptr(GError) error = NULL;

  loom_sleep (10, NULL);
  loom_task_cancel (task, NULL);
  g_assert_false (loom_await (LOOM_FUTURE (task), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  return NULL;
}

static void
test_with_cancel (void)
{
  Resource resource = { g_string_new (NULL), FALSE, TRUE };

  loom_test_run (cancel_inside_with, &resource);
  /* The close ran to the end despite the cancellation. */
  g_assert_cmpstr (resource.log->str, ==, "open use close");
  g_string_free (resource.log, TRUE);
}

static LoomFuture *
failed_open (gpointer data)
{
  Resource *resource = data;
  g_autoptr(LoomFuture) opening =
    loom_future_new_for_error_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such resource");
  g_autoptr(GError) error = NULL;

  g_assert_false (loom_with (opening, use_resource, close_resource, resource, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  return NULL;
}

static LoomFuture *
use_number (gpointer resource,
            gpointer user_data)
{
  /* An int64 is not a pointer: the resource is NULL, nothing asserts. */
  g_assert_null (resource);
  return NULL;
}

static LoomFuture *
close_number (gpointer      resource,
              const GError *body_error,
              gpointer      user_data)
{
  g_assert_null (resource);
  g_assert_null (body_error);
  return NULL;
}

static LoomFuture *
non_pointer_resource (gpointer data)
{
  g_autoptr(LoomFuture) opening = loom_future_new_for_int64 (3);
  g_autoptr(GError) error = NULL;

  g_assert_true (loom_with (opening, use_number, close_number, NULL, &error));
  return NULL;
}

static void
test_with_non_pointer (void)
{
  loom_test_run (non_pointer_resource, NULL);
}

static void
test_with_failed_open (void)
{
  Resource resource = { g_string_new (NULL), FALSE, FALSE };

  loom_test_run (failed_open, &resource);
  g_assert_cmpstr (resource.log->str, ==, "");
  g_string_free (resource.log, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  loom_test_init (&argc, &argv);

  g_test_add_func ("/with/success", test_with_success);
  g_test_add_func ("/with/body-error", test_with_body_error);
  g_test_add_func ("/with/cancel", test_with_cancel);
  g_test_add_func ("/with/failed-open", test_with_failed_open);
  g_test_add_func ("/with/non-pointer", test_with_non_pointer);

  return g_test_run ();
}
