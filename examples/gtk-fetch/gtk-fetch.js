#!/usr/bin/env -S gjs -m
// gtk-fetch.js: fetch many URLs at once from a GTK 4 window with Loom, in
// GJS. The same window as gtk-fetch.c.
//
// Copyright 2026 The Loom authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// "Fetch all" makes one row per URL and one Loom task per row: an async
// function that holds a permit of a Loom.Semaphore (the concurrency) while
// it awaits client.get(url). GTK runs the default main context and Loom
// schedules its tasks there: no loom.run(). JavaScript cannot be thrown
// into while it awaits, so "Cancel" cancels the batch's Gio.Cancellable,
// which every task's awaits take: a queued task never reaches the server,
// a running one cancels its request, and each ends with the cancellation.
// With LOOM_GTK_FETCH_TEST=1, fetch-test-hook.js takes the URLs from the
// arguments and drives the window.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Gtk from 'gi://Gtk?version=4.0';
import LoomHttp from 'gi://LoomHttp?version=1';
import System from 'system';

import * as loom from '../../bindings/gjs/loom.js';
import {FetchTestHook} from './fetch-test-hook.js';

const {Loom} = loom;

const DEFAULT_URLS = ['https://www.gnome.org/', 'https://gitlab.gnome.org/',
    'https://docs.gtk.org/gtk4/', 'https://docs.gtk.org/glib/',
    'https://developer.gnome.org/', 'https://www.debian.org/',
    'https://example.com/missing-page'];

// One list row, bound to its FetchRow: a spinner while the fetch runs, the
// URL, then the status (cut at its start: an error's end says what failed).
const lookup = name => `<lookup name='${name}' type='FetchRow'><lookup
    name='item'>GtkListItem</lookup></lookup>`;
const ROW_UI = `<interface><template class='GtkListItem'><property name='child'>
 <object class='GtkBox'><property name='spacing'>12</property>
  <property name='margin-start'>6</property><property name='margin-end'>6</property>
  <child><object class='GtkSpinner'>
   <binding name='spinning'>${lookup('busy')}</binding></object></child>
  <child><object class='GtkLabel'><property name='xalign'>0</property>
   <property name='hexpand'>1</property><property name='ellipsize'>middle</property>
   <binding name='label'>${lookup('url')}</binding></object></child>
  <child><object class='GtkLabel'><property name='xalign'>0</property>
   <property name='width-chars'>36</property><property name='max-width-chars'>36</property>
   <property name='ellipsize'>start</property>
   <binding name='label'>${lookup('status')}</binding>
   <binding name='tooltip-text'>${lookup('status')}</binding></object></child>
 </object></property></template></interface>`;

const {READABLE, READWRITE, CONSTRUCT_ONLY} = GObject.ParamFlags;

// One URL and what became of it: state is queued, running, done, failed or
// cancelled; code and size are the response's.
const FetchRow = GObject.registerClass({
    GTypeName: 'FetchRow',
    Properties: {
        'url': GObject.ParamSpec.string('url', '', '', READWRITE | CONSTRUCT_ONLY, null),
        'status': GObject.ParamSpec.string('status', '', '', READABLE, 'Queued'),
        'busy': GObject.ParamSpec.boolean('busy', '', '', READABLE, false),
    },
}, class FetchRow extends GObject.Object {
    constructor(url) {
        super({url});
        Object.assign(this, {state: 'queued', code: 0, size: 0, _status: 'Queued'});
    }

    get url() {
        return this._url;
    }

    set url(url) {
        this._url = url;
    }

    get status() {
        return this._status;
    }

    get busy() {
        return this.state === 'running';
    }

    update(state, status, code = 0, size = 0) {
        const wasBusy = this.busy;
        Object.assign(this, {state, code, size});
        if (this._status !== status) {
            this._status = status;
            this.notify('status');
        }
        if (wasBusy !== this.busy)
            this.notify('busy');
    }

    get finished() {
        return ['done', 'failed', 'cancelled'].includes(this.state);
    }
});

// The task: an async function called from GTK's loop, so it may touch the
// row. Each await takes the batch's cancellable.
async function fetchOne(row, client, semaphore, cancellable) {
    await semaphore.acquire_async(cancellable);
    try {
        row.update('running', '');
        const request = client.get(row.url);
        const handler = cancellable.connect(() => request.cancel());
        try {
            return await request;
        } finally {
            cancellable.disconnect(handler);
        }
    } finally {
        semaphore.release();
    }
}

const FetchWindow = GObject.registerClass({
    Properties: {
        'fetching': GObject.ParamSpec.boolean('fetching', '', '', READABLE, false),
        'finished': GObject.ParamSpec.uint('finished', '', '', READABLE, 0, GLib.MAXUINT32, 0),
    },
}, class FetchWindow extends Gtk.ApplicationWindow {
    constructor(application) {
        super({application, title: 'Loom Fetch', default_width: 820, default_height: 640});
        Object.assign(this, {rows: new Gio.ListStore({item_type: FetchRow}), closed: false,
            _fetching: false, _finished: 0, _cancellable: null, _tickId: 0,
            nTicks: 0, lastFrameTime: 0, maxFrameGap: 0});
        for (const [name, func] of [['fetch-all', () => this.fetchAll()],
            ['cancel', () => this.cancelAll()]]) {
            const action = new Gio.SimpleAction({name});
            action.connect('activate', func);
            this.add_action(action);
        }
        application.set_accels_for_action('win.fetch-all', ['<Control>Return']);
        application.set_accels_for_action('win.cancel', ['Escape']);

        const header = new Gtk.HeaderBar();
        this.fetchButton = new Gtk.Button({label: '_Fetch all', use_underline: true,
            action_name: 'win.fetch-all', tooltip_text: 'Fetch every URL (Ctrl+Return)'});
        this.fetchButton.add_css_class('suggested-action');
        header.pack_end(this.fetchButton);
        this.cancelButton = new Gtk.Button({label: '_Cancel', use_underline: true,
            action_name: 'win.cancel', tooltip_text: 'Cancel every fetch (Escape)'});
        header.pack_start(this.cancelButton);
        this.set_titlebar(header);

        this.urlsView = new Gtk.TextView({monospace: true, top_margin: 6, bottom_margin: 6,
            left_margin: 6, right_margin: 6});
        this.concurrency = Gtk.SpinButton.new_with_range(1, 100, 1);
        this.concurrency.set_value(8);
        const label = Gtk.Label.new_with_mnemonic('C_oncurrency');
        label.set_mnemonic_widget(this.concurrency);
        this.progress = new Gtk.ProgressBar({show_text: true, text: 'Not started',
            hexpand: true, valign: Gtk.Align.CENTER});
        const controls = new Gtk.Box({spacing: 12});
        for (const widget of [label, this.concurrency, this.progress])
            controls.append(widget);
        const factory = Gtk.BuilderListItemFactory.new_from_bytes(null,
            new GLib.Bytes(new TextEncoder().encode(ROW_UI)));
        const rowsView = new Gtk.ListView({model: new Gtk.NoSelection({model: this.rows}),
            factory});
        rowsView.add_css_class('rich-list');
        const hint = new Gtk.Label({label: 'URLs to fetch, one per line:', xalign: 0});
        hint.add_css_class('dim-label');

        const box = new Gtk.Box({orientation: Gtk.Orientation.VERTICAL, spacing: 12,
            margin_top: 12, margin_bottom: 12, margin_start: 12, margin_end: 12});
        box.append(hint);
        box.append(new Gtk.ScrolledWindow({child: this.urlsView, min_content_height: 110,
            has_frame: true}));
        box.append(controls);
        box.append(new Gtk.ScrolledWindow({child: rowsView, has_frame: true, vexpand: true}));
        this.set_child(box);
        this.setUrls(DEFAULT_URLS);
        this.lookup_action('cancel').set_enabled(false);
        // Closing the window stops its fetches; their ends leave it alone.
        this.connect('close-request', () => {
            this.closed = true;
            this.cancelAll();
            return false;
        });
    }

    get fetching() {
        return this._fetching;
    }

    get finished() {
        return this._finished;
    }

    get rowList() {
        return Array.from({length: this.rows.get_n_items()}, (_, i) => this.rows.get_item(i));
    }

    setUrls(urls) {
        this.urlsView.get_buffer().set_text(urls.join('\n'), -1);
    }

    setConcurrency(n) {
        this.concurrency.set_value(n);
    }

    _setFetching(fetching) {
        this.lookup_action('fetch-all').set_enabled(!fetching);
        this.lookup_action('cancel').set_enabled(fetching);
        this.concurrency.set_sensitive(!fetching);
        if (fetching) {
            Object.assign(this, {nTicks: 0, lastFrameTime: 0, maxFrameGap: 0});
            this._tickId = this.add_tick_callback((widget, frameClock) => {
                const now = frameClock.get_frame_time();
                if (this.lastFrameTime)
                    this.maxFrameGap = Math.max(this.maxFrameGap, now - this.lastFrameTime);
                this.lastFrameTime = now;
                this.nTicks++;
                return GLib.SOURCE_CONTINUE;
            });
        } else if (this._tickId) {
            this.remove_tick_callback(this._tickId);
            this._tickId = 0;
        }
        this._fetching = fetching;
        this.notify('fetching');
    }

    fetchAll() {
        if (this._fetching)
            return;
        const text = this.urlsView.get_buffer().text;
        const rows = text.split('\n').map(line => line.trim())
            .filter(url => url && !url.startsWith('#')).map(url => new FetchRow(url));
        this.rows.splice(0, this.rows.get_n_items(), rows);
        this._finished = 0;
        this.progress.set_fraction(0);
        if (rows.length === 0) {
            this.progress.set_text('No URLs to fetch');
            return;
        }
        this.progress.set_text('Starting');
        // The semaphore is the limit the rows show ("Queued"); the client
        // may open as many connections, to one host or several.
        const n = this.concurrency.get_value_as_int();
        const client = LoomHttp.Client.new_with_limits(n, n);
        const semaphore = Loom.Semaphore.new(n);
        const cancellable = this._cancellable = new Gio.Cancellable();
        this._setFetching(true);
        for (const row of rows) {
            const task = loom.spawn(fetchOne, row, client, semaphore, cancellable);
            task.set_name(row.url);
            task.add_done_callback(() => this._fetchDone(task, row));
        }
    }

    // Runs from the loop once a task is done, whichever way it ended.
    _fetchDone(task, row) {
        try {
            const response = task.result();
            const body = response.get_body();
            const [code, size] = [response.get_status(), body ? body.get_size() : 0];
            row.update('done', `${code} ${response.get_reason() ?? ''} · ${GLib.format_size(size)}`,
                code, size);
        } catch (e) {
            if (loom.isCancelledError(e))
                row.update('cancelled', 'Cancelled');
            else
                row.update('failed', e.message);
        }
        if (!this.closed)
            this._rowFinished();
    }

    _rowFinished() {
        const finished = this._finished + 1, n = this.rows.get_n_items();
        this.progress.set_fraction(finished / n);
        this.progress.set_text(`${finished} of ${n}`);
        if (finished === n) {
            this._cancellable = null;
            const count = state => this.rowList.filter(row => row.state === state).length;
            this.progress.set_text(`${count('done')} fetched, ${count('failed')} failed, ` +
                `${count('cancelled')} cancelled`);
            this._setFetching(false);
        }
        this._finished = finished;
        this.notify('finished');
    }

    cancelAll() {
        this._cancellable?.cancel();
    }
});

const hook = GLib.getenv('LOOM_GTK_FETCH_TEST') === '1' ? new FetchTestHook(ARGV) : null;
// Drawing goes before Loom's work: frames are never held back by it.
Loom.Scheduler.get_default().set_priority(GLib.PRIORITY_DEFAULT_IDLE);
const application = new Gtk.Application({application_id: 'org.gnome.Loom.Fetch',
    flags: hook ? Gio.ApplicationFlags.NON_UNIQUE : Gio.ApplicationFlags.FLAGS_NONE});
application.connect('activate', () => {
    let window = application.get_active_window();
    if (!window) {
        window = new FetchWindow(application);
        hook?.attach(window);
    }
    window.present();
});
// With the hook, the arguments are URLs, not files to open.
let status = application.run([System.programInvocationName, ...(hook ? [] : ARGV)]);
if (hook && !hook.finish())
    status = 1;
if (status !== 0)
    System.exit(status);
