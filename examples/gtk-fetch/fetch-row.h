/* fetch-row.h: one URL of the gtk-fetch window and what became of it.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * FetchRowState:
 * @FETCH_ROW_QUEUED: waiting for a free slot
 * @FETCH_ROW_RUNNING: the request is on its way
 * @FETCH_ROW_DONE: a response came back (any status)
 * @FETCH_ROW_FAILED: no response: the error says why
 * @FETCH_ROW_CANCELLED: cancelled before it ended
 *
 * Where a row is in its fetch.
 */
typedef enum
{
  FETCH_ROW_QUEUED,
  FETCH_ROW_RUNNING,
  FETCH_ROW_DONE,
  FETCH_ROW_FAILED,
  FETCH_ROW_CANCELLED,
} FetchRowState;

#define FETCH_TYPE_ROW (fetch_row_get_type ())

G_DECLARE_FINAL_TYPE (FetchRow, fetch_row, FETCH, ROW, GObject)

FetchRow      *fetch_row_new            (const char *url) G_GNUC_WARN_UNUSED_RESULT;
const char    *fetch_row_get_url        (FetchRow   *self);
const char    *fetch_row_get_status     (FetchRow   *self);
gboolean       fetch_row_get_busy       (FetchRow   *self);
FetchRowState  fetch_row_get_state      (FetchRow   *self);
const char    *fetch_row_get_state_name (FetchRow   *self);
guint          fetch_row_get_code       (FetchRow   *self);
gsize          fetch_row_get_size       (FetchRow   *self);
void           fetch_row_set_running    (FetchRow   *self);
void           fetch_row_set_response   (FetchRow   *self,
                                         guint       code,
                                         const char *reason,
                                         gsize       size);
void           fetch_row_set_error      (FetchRow   *self,
                                         const char *message);
void           fetch_row_set_cancelled  (FetchRow   *self);
gboolean       fetch_row_is_finished    (FetchRow   *self);

G_END_DECLS
