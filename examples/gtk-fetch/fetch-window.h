/* fetch-window.h: the gtk-fetch window.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FETCH_TYPE_WINDOW (fetch_window_get_type ())

G_DECLARE_FINAL_TYPE (FetchWindow, fetch_window, FETCH, WINDOW, GtkApplicationWindow)

FetchWindow *fetch_window_new               (GtkApplication      *application) G_GNUC_WARN_UNUSED_RESULT;
void         fetch_window_set_urls          (FetchWindow         *self,
                                             const char * const  *urls);
void         fetch_window_set_concurrency   (FetchWindow         *self,
                                             guint                concurrency);
GListModel  *fetch_window_get_rows          (FetchWindow         *self);
gboolean     fetch_window_get_fetching      (FetchWindow         *self);
guint        fetch_window_get_n_finished    (FetchWindow         *self);
guint        fetch_window_get_n_ticks       (FetchWindow         *self);
gint64       fetch_window_get_max_frame_gap (FetchWindow         *self);
GtkWidget   *fetch_window_get_fetch_button  (FetchWindow         *self);
GtkWidget   *fetch_window_get_cancel_button (FetchWindow         *self);

G_END_DECLS
