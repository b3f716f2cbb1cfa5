// fetch-test-hook.js: drives gtk-fetch.js for tests/gtk, as fetch-test-hook.c
// drives the C version (read it for the protocol: LOOM_GTK_FETCH_TEST=1, the
// URLs as arguments, LOOM_GTK_FETCH_CONCURRENCY, _CANCEL_AT, _CLOSE_AT,
// _RESIZE_AT, _SCREENSHOT and _SCREENSHOT_AT; the same report on stdout).
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Graphene from 'gi://Graphene';
import Gtk from 'gi://Gtk?version=4.0';

function env(name, fallback) {
    const value = GLib.getenv(name);
    return value !== null ? Number.parseInt(value, 10) : fallback;
}

export class FetchTestHook {
    constructor(urls) {
        Object.assign(this, {
            urls,
            concurrency: env('LOOM_GTK_FETCH_CONCURRENCY', 0),
            cancelAt: env('LOOM_GTK_FETCH_CANCEL_AT', -1),
            closeAt: env('LOOM_GTK_FETCH_CLOSE_AT', -1),
            resizeAt: env('LOOM_GTK_FETCH_RESIZE_AT', -1),
            screenshotAt: env('LOOM_GTK_FETCH_SCREENSHOT_AT', 0),
            screenshotPath: GLib.getenv('LOOM_GTK_FETCH_SCREENSHOT'),
            resizeFrom: 0, resizeAsked: 0, resizeUsec: -1, resizedWhileFetching: false,
            screenshotQueued: false, screenshotDone: false, screenshotSaved: false,
            pressQueued: false, batchStarted: false, reported: false,
            window: null, closedRows: null, started: 0,
        });
    }

    attach(window) {
        this.window = window;
        if (!this.screenshotAt || this.screenshotAt > this.urls.length)
            this.screenshotAt = this.urls.length;
        window.setUrls(this.urls);
        if (this.concurrency)
            window.setConcurrency(this.concurrency);
        window.connect('notify::finished', () => this._rowFinished());
        window.connect('notify::fetching', () => {
            if (window.fetching)
                this.batchStarted = true;
            this._maybeQuit();
        });
        window.connect('realize', () => window.get_frame_clock().connect('after-paint',
            () => this._afterPaint()));
    }

    _report() {
        const window = this.window;
        window.rowList.forEach((row, i) =>
            print(`row\t${i}\t${row.state}\t${row.code}\t${row.size}\t${row.url}\t${row.status}`));
        print(`ticks\t${window.nTicks}`);
        print(`max-frame-gap-ms\t${Math.floor(window.maxFrameGap / 1000)}`);
        print(`elapsed-ms\t${Math.floor((GLib.get_monotonic_time() - this.started) / 1000)}`);
        print(`screenshot\t${this.screenshotSaved ? 'saved' : 'none'}`);
        if (this.resizeFrom) {
            const ms = this.resizeUsec < 0 ? -1 : Math.floor(this.resizeUsec / 1000);
            print(`resized\t${ms}\t${this.resizedWhileFetching ? 'while-fetching' : 'after'}`);
        }
    }

    // Quits once every row is finished and the screenshot, if asked for, is
    // saved: the window goes from the loop, not from the handler here.
    _maybeQuit() {
        if (this.reported || !this.batchStarted || this.window.fetching)
            return;
        if (this.screenshotPath !== null && !this.screenshotDone)
            return;
        this._report();
        this.reported = true;
        GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
            this.window.destroy();
            return GLib.SOURCE_REMOVE;
        });
    }

    // Draws the window as the compositor would get it, into a PNG.
    _saveScreenshot() {
        const window = this.window;
        const snapshot = new Gtk.Snapshot();
        Gtk.ApplicationWindow.prototype.vfunc_snapshot.call(window, snapshot);
        const node = snapshot.to_node();
        const texture = node && window.get_renderer().render_texture(node,
            new Graphene.Rect().init(0, 0, window.get_width(), window.get_height()));
        if (texture && texture.save_to_png(this.screenshotPath))
            this.screenshotSaved = true;
        else
            printerr(`gtk-fetch: could not save ${this.screenshotPath}`);
        this.screenshotDone = true;
        this._maybeQuit();
    }

    _rowFinished() {
        const window = this.window, n = window.finished;
        if (this.screenshotPath !== null && n >= this.screenshotAt)
            this.screenshotQueued = true;
        if (n === this.resizeAt && !this.resizeFrom) {
            const [width, height] = window.get_default_size();
            this.resizeFrom = window.get_width();
            this.resizeAsked = GLib.get_monotonic_time();
            window.set_default_size(width + 120, height + 60);
        }
        if (n === this.cancelAt && window.fetching)
            window.cancelButton.activate();
        // Closing the window cancels what still runs; the application ends
        // with its last window.
        if (n === this.closeAt && !this.reported) {
            this._report();
            this.reported = true;
            this.closedRows = window.rowList;
            window.close();
        }
    }

    _afterPaint() {
        const window = this.window;
        if (!this.pressQueued) {
            this.pressQueued = true;
            GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, () => {
                this.started = GLib.get_monotonic_time();
                if (!window.fetchButton.activate())
                    printerr('gtk-fetch: the Fetch all button did not activate');
                return GLib.SOURCE_REMOVE;
            });
        }
        if (this.resizeFrom && this.resizeUsec < 0 && window.get_width() > this.resizeFrom) {
            this.resizeUsec = GLib.get_monotonic_time() - this.resizeAsked;
            this.resizedWhileFetching = window.fetching;
        }
        if (this.screenshotQueued && !this.screenshotDone)
            this._saveScreenshot();
    }

    // After GTK's loop returned: the fetches a closed window cancelled end
    // on the same context, iterated here. True if the run went as asked.
    finish() {
        if (this.closedRows !== null) {
            const deadline = GLib.get_monotonic_time() + 10 * 1000000;
            const ticker = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 50, () => GLib.SOURCE_CONTINUE);
            const context = GLib.MainContext.default();
            while (!this.closedRows.every(row => row.finished) &&
                   GLib.get_monotonic_time() < deadline)
                context.iteration(true);
            GLib.source_remove(ticker);
            this.closedRows.forEach((row, i) => print(`closed\t${i}\t${row.state}`));
        }
        return this.reported;
    }
}
