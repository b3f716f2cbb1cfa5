/* fetch-row.c: one URL of the gtk-fetch window and what became of it.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The list shows rows through property bindings (see the factory in
 * fetch-window.c): "busy" spins the row's spinner, "status" is its text.
 */

#include "fetch-row.h"

struct _FetchRow
{
  GObject        parent_instance;

  char          *url;     /* (owned) */
  char          *status;  /* (owned) */
  FetchRowState  state;
  guint          code;
  gsize          size;
};

G_DEFINE_FINAL_TYPE (FetchRow, fetch_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URL,
  PROP_STATUS,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
fetch_row_finalize (GObject *object)
{
  FetchRow *self = FETCH_ROW (object);

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->status, g_free);

  G_OBJECT_CLASS (fetch_row_parent_class)->finalize (object);
}

static void
fetch_row_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  FetchRow *self = FETCH_ROW (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, fetch_row_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fetch_row_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  FetchRow *self = FETCH_ROW (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fetch_row_class_init (FetchRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = fetch_row_finalize;
  object_class->get_property = fetch_row_get_property;
  object_class->set_property = fetch_row_set_property;

  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fetch_row_init (FetchRow *self)
{
  self->state = FETCH_ROW_QUEUED;
  self->status = g_strdup ("Queued");
}

FetchRow *
fetch_row_new (const char *url)
{
  return g_object_new (FETCH_TYPE_ROW, "url", url, NULL);
}

const char *
fetch_row_get_url (FetchRow *self)
{
  g_return_val_if_fail (FETCH_IS_ROW (self), NULL);

  return self->url;
}

const char *
fetch_row_get_status (FetchRow *self)
{
  g_return_val_if_fail (FETCH_IS_ROW (self), NULL);

  return self->status;
}

gboolean
fetch_row_get_busy (FetchRow *self)
{
  g_return_val_if_fail (FETCH_IS_ROW (self), FALSE);

  return self->state == FETCH_ROW_RUNNING;
}

FetchRowState
fetch_row_get_state (FetchRow *self)
{
  g_return_val_if_fail (FETCH_IS_ROW (self), FETCH_ROW_QUEUED);

  return self->state;
}

/* A stable word for the state, as the test hook reports it. */
const char *
fetch_row_get_state_name (FetchRow *self)
{
  static const char * const names[] = {
    [FETCH_ROW_QUEUED] = "queued",
    [FETCH_ROW_RUNNING] = "running",
    [FETCH_ROW_DONE] = "done",
    [FETCH_ROW_FAILED] = "failed",
    [FETCH_ROW_CANCELLED] = "cancelled",
  };

  g_return_val_if_fail (FETCH_IS_ROW (self), NULL);

  return names[self->state];
}

guint
fetch_row_get_code (FetchRow *self)
{
  g_return_val_if_fail (FETCH_IS_ROW (self), 0);

  return self->code;
}

gsize
fetch_row_get_size (FetchRow *self)
{
  g_return_val_if_fail (FETCH_IS_ROW (self), 0);

  return self->size;
}

gboolean
fetch_row_is_finished (FetchRow *self)
{
  g_return_val_if_fail (FETCH_IS_ROW (self), FALSE);

  return self->state >= FETCH_ROW_DONE;
}

/* Takes @status. Notifies only what changed. */
static void
fetch_row_update (FetchRow      *self,
                  FetchRowState  state,
                  char          *status)
{
  gboolean was_busy = fetch_row_get_busy (self);

  self->state = state;
  if (g_strcmp0 (self->status, status) != 0)
    {
      g_free (self->status);
      self->status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }
  else
    g_free (status);
  if (was_busy != fetch_row_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
fetch_row_set_running (FetchRow *self)
{
  g_return_if_fail (FETCH_IS_ROW (self));

  fetch_row_update (self, FETCH_ROW_RUNNING, g_strdup (""));
}

void
fetch_row_set_response (FetchRow   *self,
                        guint       code,
                        const char *reason,
                        gsize       size)
{
  g_autofree char *size_text = g_format_size (size);

  g_return_if_fail (FETCH_IS_ROW (self));

  self->code = code;
  self->size = size;
  fetch_row_update (self, FETCH_ROW_DONE,
                    g_strdup_printf ("%u %s · %s", code,
                                     reason != NULL ? reason : "", size_text));
}

void
fetch_row_set_error (FetchRow   *self,
                     const char *message)
{
  g_return_if_fail (FETCH_IS_ROW (self));

  fetch_row_update (self, FETCH_ROW_FAILED, g_strdup (message));
}

void
fetch_row_set_cancelled (FetchRow *self)
{
  g_return_if_fail (FETCH_IS_ROW (self));

  fetch_row_update (self, FETCH_ROW_CANCELLED, g_strdup ("Cancelled"));
}
