# fetch_test_hook.py: drives gtk-fetch.py for tests/gtk, as fetch-test-hook.c
# drives the C version (read it for the protocol: LOOM_GTK_FETCH_TEST=1, the
# URLs as arguments, LOOM_GTK_FETCH_CONCURRENCY, _CANCEL_AT, _CLOSE_AT and
# _RESIZE_AT; the same report on stdout). Screenshots are the C version's:
# PyGObject 3.42 cannot hand over the GskRenderNode a screenshot is drawn
# from, so the report always says "screenshot none".
#
# Copyright 2026 The Loom authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

from gi.repository import GLib


def _env(name, fallback):
    value = os.environ.get(name)
    return int(value) if value is not None else fallback


def _fail(*exc_info):
    """An exception in a callback, which PyGObject would print and go on
    from, ends the run at once, as a critical does in the C version."""
    sys.stdout.flush()
    sys.__excepthook__(*exc_info)
    sys.stderr.flush()
    os._exit(1)


class FetchTestHook:
    def __init__(self, urls):
        sys.excepthook = _fail
        self.urls = urls
        self.concurrency = _env('LOOM_GTK_FETCH_CONCURRENCY', 0)
        self.cancel_at = _env('LOOM_GTK_FETCH_CANCEL_AT', None)
        self.close_at = _env('LOOM_GTK_FETCH_CLOSE_AT', None)
        self.resize_at = _env('LOOM_GTK_FETCH_RESIZE_AT', None)
        self.resize_from, self.resize_asked, self.resize_usec = 0, 0, -1
        self.resized_while_fetching = False
        self.press_queued = self.batch_started = self.reported = False
        self.window, self.closed_rows, self.started = None, None, 0

    def attach(self, window):
        self.window = window
        window.set_urls(self.urls)
        if self.concurrency:
            window.set_concurrency(self.concurrency)
        window.connect('notify::n-finished', self.row_finished)
        window.connect('notify::fetching', self.fetching_changed)
        window.connect('realize', lambda window: window.get_frame_clock().connect(
            'after-paint', self.after_paint))

    def report(self):
        window = self.window
        for i, row in enumerate(window.rows):
            print('row\t%u\t%s\t%u\t%u\t%s\t%s' % (i, row.state, row.code, row.size,
                                                   row.url, row.status))
        print('ticks\t%u' % window.n_ticks)
        print('max-frame-gap-ms\t%d' % (window.max_frame_gap // 1000))
        print('elapsed-ms\t%d' % ((GLib.get_monotonic_time() - self.started) // 1000))
        print('screenshot\tnone')
        if self.resize_from:
            print('resized\t%d\t%s' % (-1 if self.resize_usec < 0 else self.resize_usec // 1000,
                                       'while-fetching' if self.resized_while_fetching
                                       else 'after'))
        sys.stdout.flush()

    # Quits once every row is finished: the window goes from the loop, not
    # from the handler that got here.
    def maybe_quit(self):
        if self.reported or not self.batch_started or self.window.fetching:
            return
        self.report()
        self.reported = True
        GLib.idle_add(lambda window: window.destroy(), self.window)

    def row_finished(self, window, pspec):
        n_finished = window.n_finished
        if n_finished == self.resize_at and not self.resize_from:
            width, height = window.get_default_size()
            self.resize_from = window.get_width()
            self.resize_asked = GLib.get_monotonic_time()
            window.set_default_size(width + 120, height + 60)
        if n_finished == self.cancel_at and window.fetching:
            window.cancel_button.activate()
        # Closing the window cancels what still runs; the application ends
        # with its last window.
        if n_finished == self.close_at and not self.reported:
            self.report()
            self.reported = True
            self.closed_rows = list(window.rows)
            window.close()

    def press_fetch(self):
        self.started = GLib.get_monotonic_time()
        if not self.window.fetch_button.activate():
            print('gtk-fetch: the Fetch all button did not activate', file=sys.stderr)
        return GLib.SOURCE_REMOVE

    def after_paint(self, frame_clock):
        if not self.press_queued:
            self.press_queued = True
            GLib.idle_add(self.press_fetch)
        if (self.resize_from and self.resize_usec < 0
                and self.window.get_width() > self.resize_from):
            self.resize_usec = GLib.get_monotonic_time() - self.resize_asked
            self.resized_while_fetching = self.window.fetching

    def fetching_changed(self, window, pspec):
        if window.fetching:
            self.batch_started = True
        self.maybe_quit()

    # After GTK's loop returned: the fetches a closed window cancelled end
    # on the same context, iterated here. True if the run went as asked.
    def finish(self):
        if self.closed_rows is not None:
            deadline = GLib.get_monotonic_time() + 10 * 1000000
            ticker = GLib.timeout_add(50, lambda: GLib.SOURCE_CONTINUE)
            context = GLib.MainContext.default()
            while (not all(row.finished() for row in self.closed_rows)
                   and GLib.get_monotonic_time() < deadline):
                context.iteration(True)
            GLib.source_remove(ticker)
            for i, row in enumerate(self.closed_rows):
                print('closed\t%u\t%s' % (i, row.state))
            sys.stdout.flush()
        return self.reported
