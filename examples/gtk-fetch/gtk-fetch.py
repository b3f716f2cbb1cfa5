#!/usr/bin/python3
# gtk-fetch.py: fetch many URLs at once from a GTK 4 window with Loom, in
# Python. The same window as gtk-fetch.c.
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "Fetch all" makes one row per URL and one Loom task per row: a coroutine
# that holds a permit of a Loom.Semaphore (the concurrency) while it awaits
# client.get(url). GTK runs the default main context and Loom schedules its
# tasks there: no Loom.run(), no thread. "Cancel" cancels every task at
# once: a queued one never starts, a running one gets Loom.CancelledError
# at its await, which cancels the request. With LOOM_GTK_FETCH_TEST=1,
# fetch_test_hook.py takes the URLs from the arguments and drives the window.

import os
import sys

import gi
gi.require_version('Gtk', '4.0')
gi.require_version('Loom', '1')
gi.require_version('LoomHttp', '1')
from gi.repository import GLib, GObject, Gio, Gtk, Loom, LoomHttp  # noqa: E402

DEFAULT_URLS = ['https://www.gnome.org/', 'https://gitlab.gnome.org/',
                'https://docs.gtk.org/gtk4/', 'https://docs.gtk.org/glib/',
                'https://developer.gnome.org/', 'https://www.debian.org/',
                'https://example.com/missing-page']

# One list row, bound to its FetchRow: a spinner while the fetch runs, the
# URL, then the status (cut at its start: an error's end says what failed).
ROW_UI = b"""<interface><template class='GtkListItem'><property name='child'>
 <object class='GtkBox'><property name='spacing'>12</property>
  <property name='margin-start'>6</property><property name='margin-end'>6</property>
  <child><object class='GtkSpinner'><binding name='spinning'><lookup name='busy'
   type='FetchRow'><lookup name='item'>GtkListItem</lookup></lookup></binding></object></child>
  <child><object class='GtkLabel'><property name='xalign'>0</property>
   <property name='hexpand'>1</property><property name='ellipsize'>middle</property>
   <binding name='label'><lookup name='url' type='FetchRow'><lookup
    name='item'>GtkListItem</lookup></lookup></binding></object></child>
  <child><object class='GtkLabel'><property name='xalign'>0</property>
   <property name='width-chars'>36</property><property name='max-width-chars'>36</property>
   <property name='ellipsize'>start</property>
   <binding name='label'><lookup name='status' type='FetchRow'><lookup
    name='item'>GtkListItem</lookup></lookup></binding>
   <binding name='tooltip-text'><lookup name='status' type='FetchRow'><lookup
    name='item'>GtkListItem</lookup></lookup></binding></object></child>
 </object></property></template></interface>"""


class FetchRow(GObject.Object):
    """One URL and what became of it: state is queued, running, done,
    failed or cancelled; code and size are the response's."""
    __gtype_name__ = 'FetchRow'
    url = GObject.Property(type=str)
    status = GObject.Property(type=str, default='Queued')
    busy = GObject.Property(type=bool, default=False)

    def __init__(self, url):
        super().__init__(url=url)
        self.state, self.code, self.size = 'queued', 0, 0

    def update(self, state, status, code=0, size=0):
        self.state, self.code, self.size = state, code, size
        if self.status != status:
            self.status = status
        if self.busy != (state == 'running'):
            self.busy = state == 'running'

    def finished(self):
        return self.state in ('done', 'failed', 'cancelled')


class FetchWindow(Gtk.ApplicationWindow):
    fetching = GObject.Property(type=bool, default=False)
    n_finished = GObject.Property(type=int, default=0)

    def __init__(self, application):
        super().__init__(application=application, title='Loom Fetch',
                         default_width=820, default_height=640)
        self.rows = Gio.ListStore(item_type=FetchRow)
        self.tasks, self.closed, self.tick_id = [], False, 0
        self.n_ticks, self.last_frame_time, self.max_frame_gap = 0, 0, 0
        for name, func in (('fetch-all', self.fetch_all), ('cancel', self.cancel_all)):
            action = Gio.SimpleAction(name=name)
            action.connect('activate', lambda action, parameter, func=func: func())
            self.add_action(action)
        application.set_accels_for_action('win.fetch-all', ['<Control>Return'])
        application.set_accels_for_action('win.cancel', ['Escape'])

        header = Gtk.HeaderBar()
        self.fetch_button = Gtk.Button(label='_Fetch all', use_underline=True,
                                       action_name='win.fetch-all',
                                       tooltip_text='Fetch every URL (Ctrl+Return)')
        self.fetch_button.add_css_class('suggested-action')
        header.pack_end(self.fetch_button)
        self.cancel_button = Gtk.Button(label='_Cancel', use_underline=True,
                                        action_name='win.cancel',
                                        tooltip_text='Cancel every fetch (Escape)')
        header.pack_start(self.cancel_button)
        self.set_titlebar(header)

        self.urls_view = Gtk.TextView(monospace=True, top_margin=6, bottom_margin=6,
                                      left_margin=6, right_margin=6)
        self.concurrency = Gtk.SpinButton.new_with_range(1, 100, 1)
        self.concurrency.set_value(8)
        label = Gtk.Label.new_with_mnemonic('C_oncurrency')
        label.set_mnemonic_widget(self.concurrency)
        self.progress = Gtk.ProgressBar(show_text=True, text='Not started', hexpand=True,
                                        valign=Gtk.Align.CENTER)
        controls = Gtk.Box(spacing=12)
        for widget in (label, self.concurrency, self.progress):
            controls.append(widget)
        factory = Gtk.BuilderListItemFactory.new_from_bytes(None, GLib.Bytes.new(ROW_UI))
        rows_view = Gtk.ListView(model=Gtk.NoSelection(model=self.rows), factory=factory)
        rows_view.add_css_class('rich-list')
        hint = Gtk.Label(label='URLs to fetch, one per line:', xalign=0)
        hint.add_css_class('dim-label')

        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=12, margin_top=12,
                      margin_bottom=12, margin_start=12, margin_end=12)
        box.append(hint)
        box.append(Gtk.ScrolledWindow(child=self.urls_view, min_content_height=110,
                                      has_frame=True))
        box.append(controls)
        box.append(Gtk.ScrolledWindow(child=rows_view, has_frame=True, vexpand=True))
        self.set_child(box)
        self.set_urls(DEFAULT_URLS)
        self.lookup_action('cancel').set_enabled(False)
        # Closing the window stops its fetches; their ends leave it alone.
        self.connect('close-request', self.on_close_request)

    def set_urls(self, urls):
        self.urls_view.get_buffer().set_text('\n'.join(urls), -1)

    def set_concurrency(self, n):
        self.concurrency.set_value(n)

    def set_fetching(self, fetching):
        self.lookup_action('fetch-all').set_enabled(not fetching)
        self.lookup_action('cancel').set_enabled(fetching)
        self.concurrency.set_sensitive(not fetching)
        if fetching:
            self.n_ticks, self.last_frame_time, self.max_frame_gap = 0, 0, 0
            self.tick_id = self.add_tick_callback(self.count_tick)
        elif self.tick_id:
            self.remove_tick_callback(self.tick_id)
            self.tick_id = 0
        self.fetching = fetching

    def count_tick(self, widget, frame_clock):
        now = frame_clock.get_frame_time()
        if self.last_frame_time:
            self.max_frame_gap = max(self.max_frame_gap, now - self.last_frame_time)
        self.last_frame_time = now
        self.n_ticks += 1
        return GLib.SOURCE_CONTINUE

    def fetch_all(self):
        if self.fetching:
            return
        lines = (line.strip() for line in self.urls_view.get_buffer().props.text.split('\n'))
        rows = [FetchRow(url) for url in lines if url and not url.startswith('#')]
        self.rows.splice(0, self.rows.get_n_items(), rows)
        self.n_finished = 0
        self.progress.set_fraction(0)
        if not rows:
            self.progress.set_text('No URLs to fetch')
            return
        self.progress.set_text('Starting')
        # The semaphore is the limit the rows show ("Queued"); the client
        # may open as many connections, to one host or several.
        n = self.concurrency.get_value_as_int()
        client = LoomHttp.Client.new_with_limits(n, n)
        semaphore = Loom.Semaphore.new(n)
        self.set_fetching(True)
        for row in rows:
            task = Loom.spawn(fetch_one, row, client, semaphore, name=row.url)
            task.add_done_callback(self.fetch_done, row)
            self.tasks.append(task)

    # Runs from the loop once a task is done, whichever way it ended.
    def fetch_done(self, task, row):
        try:
            response = task.result()
        except GLib.Error as error:
            if Loom.is_cancelled_error(error):
                row.update('cancelled', 'Cancelled')
            else:
                row.update('failed', error.message)
        else:
            body = response.get_body()
            code, size = response.get_status(), body.get_size() if body else 0
            row.update('done', '%u %s · %s' % (code, response.get_reason() or '',
                                               GLib.format_size(size)), code, size)
        if not self.closed:
            self.row_finished()

    def row_finished(self):
        n_finished, n = self.n_finished + 1, self.rows.get_n_items()
        self.progress.set_fraction(n_finished / n)
        self.progress.set_text('%u of %u' % (n_finished, n))
        if n_finished == n:
            self.tasks.clear()
            counts = [sum(row.state == state for row in self.rows)
                      for state in ('done', 'failed', 'cancelled')]
            self.progress.set_text('%u fetched, %u failed, %u cancelled' % tuple(counts))
            self.set_fetching(False)
        self.n_finished = n_finished

    def cancel_all(self):
        for task in self.tasks:
            task.cancel('Cancelled by the user')

    def on_close_request(self, window):
        self.closed = True
        self.cancel_all()
        return False


# The task: a coroutine driven from GTK's loop, so it may touch the row.
async def fetch_one(row, client, semaphore):
    async with semaphore:
        row.update('running', '')
        return await client.get(row.url)


def main(argv):
    hook = None
    if os.environ.get('LOOM_GTK_FETCH_TEST') == '1':
        from fetch_test_hook import FetchTestHook
        hook = FetchTestHook(argv[1:])
        argv = argv[:1]   # URLs, not files to open
    # Drawing goes before Loom's work: frames are never held back by it.
    Loom.Scheduler.get_default().set_priority(GLib.PRIORITY_DEFAULT_IDLE)
    application = Gtk.Application(application_id='org.gnome.Loom.Fetch',
                                  flags=Gio.ApplicationFlags.NON_UNIQUE if hook
                                  else Gio.ApplicationFlags.FLAGS_NONE)

    def activate(application):
        window = application.get_active_window()
        if window is None:
            window = FetchWindow(application)
            if hook is not None:
                hook.attach(window)
        window.present()
    application.connect('activate', activate)
    status = application.run(argv)
    if hook is not None and not hook.finish():
        status = 1
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv))
