/* fetch-window.c: the gtk-fetch window.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * "Fetch all" makes one row per URL and spawns one Loom task per row on
 * GTK's own main context, the global default one: no loom_run(), no
 * thread. Each task waits for a permit of a LoomSemaphore (the
 * concurrency), awaits loom_http_client_get() and gives its response
 * back as its result; a done-callback, which runs from the loop, writes
 * the outcome into the row. While a task waits, the loop draws frames and
 * handles input, so the window stays live through a hundred fetches.
 * "Cancel" cancels every task at once: a queued one never starts, a
 * running one sees its await fail with G_IO_ERROR_CANCELLED and the
 * request it awaits is cancelled with it.
 */

#include <loom-http.h>

#include "fetch-row.h"
#include "fetch-window.h"

#define DEFAULT_CONCURRENCY 8
#define MAX_CONCURRENCY     100

struct _FetchWindow
{
  GtkApplicationWindow  parent_instance;

  GtkTextView          *urls_view;      /* (unowned) */
  GtkSpinButton        *concurrency;    /* (unowned) */
  GtkWidget            *fetch_button;   /* (unowned) */
  GtkWidget            *cancel_button;  /* (unowned) */
  GtkProgressBar       *progress;       /* (unowned) */

  GListStore           *rows;           /* (owned) (element-type FetchRow) */
  GPtrArray            *tasks;          /* (owned) (element-type LoomTask) this batch's */
  guint                 n_finished;
  gboolean              fetching;
  gboolean              disposed;

  guint                 tick_id;
  guint                 n_ticks;
  gint64                last_frame_time;
  gint64                max_frame_gap;
};

G_DEFINE_FINAL_TYPE (FetchWindow, fetch_window, GTK_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_FETCHING,
  PROP_N_FINISHED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const default_urls[] = {
  "https://www.gnome.org/",
  "https://gitlab.gnome.org/",
  "https://docs.gtk.org/gtk4/",
  "https://docs.gtk.org/glib/",
  "https://developer.gnome.org/",
  "https://www.debian.org/",
  "https://example.com/missing-page",
  NULL
};

/* One list row: a spinner while its fetch runs, the URL, then the status
 * ("Queued", the code and size, or the error). Bound to the FetchRow. A
 * long error is cut at its start, since its end says what went wrong. */
static const char row_ui[] =
  "<interface>"
  " <template class='GtkListItem'>"
  "  <property name='child'>"
  "   <object class='GtkBox'>"
  "    <property name='spacing'>12</property>"
  "    <property name='margin-start'>6</property>"
  "    <property name='margin-end'>6</property>"
  "    <child>"
  "     <object class='GtkSpinner'>"
  "      <binding name='spinning'>"
  "       <lookup name='busy' type='FetchRow'><lookup name='item'>GtkListItem</lookup></lookup>"
  "      </binding>"
  "     </object>"
  "    </child>"
  "    <child>"
  "     <object class='GtkLabel'>"
  "      <property name='xalign'>0</property>"
  "      <property name='hexpand'>1</property>"
  "      <property name='ellipsize'>middle</property>"
  "      <binding name='label'>"
  "       <lookup name='url' type='FetchRow'><lookup name='item'>GtkListItem</lookup></lookup>"
  "      </binding>"
  "     </object>"
  "    </child>"
  "    <child>"
  "     <object class='GtkLabel'>"
  "      <property name='xalign'>0</property>"
  "      <property name='width-chars'>36</property>"
  "      <property name='max-width-chars'>36</property>"
  "      <property name='ellipsize'>start</property>"
  "      <binding name='label'>"
  "       <lookup name='status' type='FetchRow'><lookup name='item'>GtkListItem</lookup></lookup>"
  "      </binding>"
  "      <binding name='tooltip-text'>"
  "       <lookup name='status' type='FetchRow'><lookup name='item'>GtkListItem</lookup></lookup>"
  "      </binding>"
  "     </object>"
  "    </child>"
  "   </object>"
  "  </property>"
  " </template>"
  "</interface>";

/* What a task needs: its row, and the client and limit of its batch. */
typedef struct
{
  FetchRow       *row;        /* (owned) */
  LoomHttpClient *client;     /* (owned) */
  LoomSemaphore  *semaphore;  /* (owned) */
} FetchJob;

/* What the done-callback needs. The window is held weakly: a task must
 * not keep a closed window alive, since the window's dispose is what
 * cancels its tasks. */
typedef struct
{
  GWeakRef  window;
  FetchRow *row;     /* (owned) */
} FetchDone;

static void
fetch_job_free (gpointer data)
{
  FetchJob *job = data;

  g_clear_object (&job->row);
  g_clear_object (&job->client);
  g_clear_object (&job->semaphore);
  g_free (job);
}

static void
fetch_done_free (gpointer data)
{
  FetchDone *done = data;

  g_weak_ref_clear (&done->window);
  g_clear_object (&done->row);
  g_free (done);
}

/* The task: runs in a fiber on GTK's thread, so it may touch the row. */
static LoomFuture *
fetch_one (gpointer data)
{
  FetchJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) request = NULL;
  g_autoptr(LoomHttpResponse) response = NULL;

  if (!loom_semaphore_acquire (job->semaphore, &error))
    return loom_future_new_for_error (g_steal_pointer (&error));

  fetch_row_set_running (job->row);
  request = loom_http_client_get (job->client, fetch_row_get_url (job->row));
  response = loom_await_object (request, &error);
  loom_semaphore_release (job->semaphore);
  if (response == NULL)
    return loom_future_new_for_error (g_steal_pointer (&error));
  return loom_future_new_for_object (response);
}

static gboolean
count_tick (GtkWidget     *widget,
            GdkFrameClock *frame_clock,
            gpointer       user_data)
{
  FetchWindow *self = FETCH_WINDOW (widget);
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);

  if (self->last_frame_time != 0)
    self->max_frame_gap = MAX (self->max_frame_gap, now - self->last_frame_time);
  self->last_frame_time = now;
  self->n_ticks++;
  return G_SOURCE_CONTINUE;
}

static void
fetch_window_set_fetching (FetchWindow *self,
                           gboolean     fetching)
{
  GtkWidget *widget = GTK_WIDGET (self);

  self->fetching = fetching;
  gtk_widget_action_set_enabled (widget, "win.fetch-all", !fetching);
  gtk_widget_action_set_enabled (widget, "win.cancel", fetching);
  gtk_widget_set_sensitive (GTK_WIDGET (self->concurrency), !fetching);
  if (fetching)
    {
      self->n_ticks = 0;
      self->last_frame_time = 0;
      self->max_frame_gap = 0;
      self->tick_id = gtk_widget_add_tick_callback (widget, count_tick, NULL, NULL);
    }
  else if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FETCHING]);
}

static void
fetch_window_show_summary (FetchWindow *self)
{
  GListModel *rows = G_LIST_MODEL (self->rows);
  guint n = g_list_model_get_n_items (rows);
  guint counts[FETCH_ROW_CANCELLED + 1] = { 0, };
  g_autofree char *text = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FetchRow) row = g_list_model_get_item (rows, i);

      counts[fetch_row_get_state (row)]++;
    }
  text = g_strdup_printf ("%u fetched, %u failed, %u cancelled",
                          counts[FETCH_ROW_DONE], counts[FETCH_ROW_FAILED],
                          counts[FETCH_ROW_CANCELLED]);
  gtk_progress_bar_set_text (self->progress, text);
}

static void
fetch_window_row_finished (FetchWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  g_autofree char *text = NULL;

  self->n_finished++;
  gtk_progress_bar_set_fraction (self->progress, (double) self->n_finished / n);
  text = g_strdup_printf ("%u of %u", self->n_finished, n);
  gtk_progress_bar_set_text (self->progress, text);
  if (self->n_finished == n)
    {
      g_ptr_array_set_size (self->tasks, 0);
      fetch_window_show_summary (self);
      fetch_window_set_fetching (self, FALSE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FINISHED]);
}

/* Runs from the loop once a task is done, whichever way it ended. */
static void
fetch_one_done (LoomFuture *task,
                gpointer    user_data)
{
  FetchDone *done = user_data;
  g_autoptr(FetchWindow) window = g_weak_ref_get (&done->window);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomHttpResponse) response = loom_future_dup_object (task, &error);

  if (response != NULL)
    {
      GBytes *body = loom_http_response_get_body (response);

      fetch_row_set_response (done->row,
                              loom_http_response_get_status (response),
                              loom_http_response_get_reason (response),
                              body != NULL ? g_bytes_get_size (body) : 0);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    fetch_row_set_cancelled (done->row);
  else
    fetch_row_set_error (done->row, error->message);

  if (window != NULL && !window->disposed)
    fetch_window_row_finished (window);
}

static GPtrArray *
fetch_window_read_urls (FetchWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->urls_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *url = g_strstrip (lines[i]);

      if (*url != '\0' && *url != '#')
        g_ptr_array_add (rows, fetch_row_new (url));
    }
  return rows;
}

static void
fetch_window_spawn (FetchWindow    *self,
                    FetchRow       *row,
                    LoomHttpClient *client,
                    LoomSemaphore  *semaphore)
{
  FetchJob *job = g_new0 (FetchJob, 1);
  FetchDone *done = g_new0 (FetchDone, 1);
  g_autoptr(LoomTask) task = NULL;

  job->row = g_object_ref (row);
  job->client = g_object_ref (client);
  job->semaphore = g_object_ref (semaphore);
  g_weak_ref_init (&done->window, self);
  done->row = g_object_ref (row);

  task = loom_task_new (fetch_one, job, fetch_job_free);
  loom_future_set_name (LOOM_FUTURE (task), fetch_row_get_url (row));
  loom_future_add_done_callback (LOOM_FUTURE (task), fetch_one_done,
                                 done, fetch_done_free);
  loom_task_start (task);
  g_ptr_array_add (self->tasks, g_steal_pointer (&task));
}

static void
fetch_window_fetch_all (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  FetchWindow *self = FETCH_WINDOW (widget);
  g_autoptr(GPtrArray) rows = fetch_window_read_urls (self);
  guint concurrency = gtk_spin_button_get_value_as_int (self->concurrency);
  g_autoptr(LoomHttpClient) client = NULL;
  g_autoptr(LoomSemaphore) semaphore = NULL;

  if (self->fetching)
    return;

  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
  self->n_finished = 0;
  gtk_progress_bar_set_fraction (self->progress, 0.0);
  if (rows->len == 0)
    {
      gtk_progress_bar_set_text (self->progress, "No URLs to fetch");
      return;
    }
  gtk_progress_bar_set_text (self->progress, "Starting");

  /* The semaphore is the limit the rows show ("Queued"); the client may
   * open as many connections, to one host or several. */
  client = loom_http_client_new_with_limits (concurrency, concurrency);
  semaphore = loom_semaphore_new (concurrency);
  fetch_window_set_fetching (self, TRUE);
  for (guint i = 0; i < rows->len; i++)
    fetch_window_spawn (self, rows->pdata[i], client, semaphore);
}

static void
fetch_window_cancel_all (FetchWindow *self)
{
  for (guint i = 0; i < self->tasks->len; i++)
    loom_task_cancel (self->tasks->pdata[i], "Cancelled by the user");
}

static void
fetch_window_cancel (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  fetch_window_cancel_all (FETCH_WINDOW (widget));
}

static GtkWidget *
fetch_window_build_header (FetchWindow *self)
{
  GtkWidget *header = gtk_header_bar_new ();

  self->fetch_button = gtk_button_new_with_mnemonic ("_Fetch all");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->fetch_button), "win.fetch-all");
  gtk_widget_add_css_class (self->fetch_button, "suggested-action");
  gtk_widget_set_tooltip_text (self->fetch_button, "Fetch every URL (Ctrl+Return)");
  gtk_header_bar_pack_end (GTK_HEADER_BAR (header), self->fetch_button);

  self->cancel_button = gtk_button_new_with_mnemonic ("_Cancel");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->cancel_button), "win.cancel");
  gtk_widget_set_tooltip_text (self->cancel_button, "Cancel every fetch (Escape)");
  gtk_header_bar_pack_start (GTK_HEADER_BAR (header), self->cancel_button);
  return header;
}

static GtkWidget *
fetch_window_build_editor (FetchWindow *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  self->urls_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_monospace (self->urls_view, TRUE);
  gtk_text_view_set_top_margin (self->urls_view, 6);
  gtk_text_view_set_bottom_margin (self->urls_view, 6);
  gtk_text_view_set_left_margin (self->urls_view, 6);
  gtk_text_view_set_right_margin (self->urls_view, 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->urls_view));
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 110);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  return scrolled;
}

static GtkWidget *
fetch_window_build_controls (FetchWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new_with_mnemonic ("C_oncurrency");

  self->concurrency = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, MAX_CONCURRENCY, 1));
  gtk_spin_button_set_value (self->concurrency, DEFAULT_CONCURRENCY);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (self->concurrency));
  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->progress, TRUE);
  gtk_progress_bar_set_text (self->progress, "Not started");
  gtk_widget_set_hexpand (GTK_WIDGET (self->progress), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_CENTER);

  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->concurrency));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->progress));
  return box;
}

static GtkWidget *
fetch_window_build_list (FetchWindow *self)
{
  g_autoptr(GBytes) ui = g_bytes_new_static (row_ui, sizeof row_ui - 1);
  GtkListItemFactory *factory = gtk_builder_list_item_factory_new_from_bytes (NULL, ui);
  GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  GtkWidget *list = gtk_list_view_new (GTK_SELECTION_MODEL (selection), factory);
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_widget_add_css_class (list, "rich-list");
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_scrolled_window_set_has_frame (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

static void
fetch_window_dispose (GObject *object)
{
  FetchWindow *self = FETCH_WINDOW (object);

  /* Closing the window stops its fetches; their done-callbacks then
   * leave it alone. */
  self->disposed = TRUE;
  if (self->tasks != NULL)
    fetch_window_cancel_all (self);
  g_clear_pointer (&self->tasks, g_ptr_array_unref);

  G_OBJECT_CLASS (fetch_window_parent_class)->dispose (object);
}

static void
fetch_window_finalize (GObject *object)
{
  FetchWindow *self = FETCH_WINDOW (object);

  g_clear_object (&self->rows);

  G_OBJECT_CLASS (fetch_window_parent_class)->finalize (object);
}

static void
fetch_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  FetchWindow *self = FETCH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FETCHING:
      g_value_set_boolean (value, self->fetching);
      break;
    case PROP_N_FINISHED:
      g_value_set_uint (value, self->n_finished);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fetch_window_class_init (FetchWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fetch_window_dispose;
  object_class->finalize = fetch_window_finalize;
  object_class->get_property = fetch_window_get_property;

  properties[PROP_FETCHING] =
    g_param_spec_boolean ("fetching", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS);
  properties[PROP_N_FINISHED] =
    g_param_spec_uint ("n-finished", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                       G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "win.fetch-all", NULL, fetch_window_fetch_all);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, fetch_window_cancel);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.fetch-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);

  /* The row factory looks the type up by name. */
  g_type_ensure (FETCH_TYPE_ROW);
}

static void
fetch_window_init (FetchWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *hint = gtk_label_new ("URLs to fetch, one per line:");

  self->rows = g_list_store_new (FETCH_TYPE_ROW);
  self->tasks = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_window_set_title (GTK_WINDOW (self), "Loom Fetch");
  gtk_window_set_default_size (GTK_WINDOW (self), 820, 640);
  gtk_window_set_titlebar (GTK_WINDOW (self), fetch_window_build_header (self));

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (box), hint);
  gtk_box_append (GTK_BOX (box), fetch_window_build_editor (self));
  gtk_box_append (GTK_BOX (box), fetch_window_build_controls (self));
  gtk_box_append (GTK_BOX (box), fetch_window_build_list (self));
  gtk_window_set_child (GTK_WINDOW (self), box);

  fetch_window_set_urls (self, default_urls);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", FALSE);
}

FetchWindow *
fetch_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (FETCH_TYPE_WINDOW, "application", application, NULL);
}

void
fetch_window_set_urls (FetchWindow        *self,
                       const char * const *urls)
{
  g_autofree char *text = NULL;

  g_return_if_fail (FETCH_IS_WINDOW (self));
  g_return_if_fail (urls != NULL);

  text = g_strjoinv ("\n", (char **) urls);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->urls_view), text, -1);
}

void
fetch_window_set_concurrency (FetchWindow *self,
                              guint        concurrency)
{
  g_return_if_fail (FETCH_IS_WINDOW (self));

  gtk_spin_button_set_value (self->concurrency, CLAMP (concurrency, 1, MAX_CONCURRENCY));
}

/* The rows of the last "Fetch all". */
GListModel *
fetch_window_get_rows (FetchWindow *self)
{
  g_return_val_if_fail (FETCH_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->rows);
}

gboolean
fetch_window_get_fetching (FetchWindow *self)
{
  g_return_val_if_fail (FETCH_IS_WINDOW (self), FALSE);

  return self->fetching;
}

guint
fetch_window_get_n_finished (FetchWindow *self)
{
  g_return_val_if_fail (FETCH_IS_WINDOW (self), 0);

  return self->n_finished;
}

/* Frames drawn during the last (or current) batch. */
guint
fetch_window_get_n_ticks (FetchWindow *self)
{
  g_return_val_if_fail (FETCH_IS_WINDOW (self), 0);

  return self->n_ticks;
}

/* The longest wait between two of those frames, in microseconds. */
gint64
fetch_window_get_max_frame_gap (FetchWindow *self)
{
  g_return_val_if_fail (FETCH_IS_WINDOW (self), 0);

  return self->max_frame_gap;
}

GtkWidget *
fetch_window_get_fetch_button (FetchWindow *self)
{
  g_return_val_if_fail (FETCH_IS_WINDOW (self), NULL);

  return self->fetch_button;
}

GtkWidget *
fetch_window_get_cancel_button (FetchWindow *self)
{
  g_return_val_if_fail (FETCH_IS_WINDOW (self), NULL);

  return self->cancel_button;
}
