/* loom-http-client-private.h: what the client's parts share.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#ifndef LOOM_HTTP_COMPILATION
# error "loom-http-client-private.h is internal to libloom-http"
#endif

#include "loom-http-body-stream.h"
#include "loom-http-client.h"
#include "loom-http-request.h"
#include "loom-http-response.h"

G_BEGIN_DECLS

/* "Use the client's setting" for the per-request overrides. */
#define LOOM_HTTP_INHERIT_TIMEOUT (-1.0)
#define LOOM_HTTP_INHERIT_INT     (-1)

struct _LoomHttpRequest
{
  GObject             parent_instance;

  SoupMessageHeaders *headers;           /* (owned) */
  GString            *query;             /* (owned) (nullable) encoded pairs, no '?' */
  char               *content_type;      /* (owned) (nullable) */
  GBytes             *body;              /* (owned) (nullable) */
  GInputStream       *body_stream;       /* (owned) (nullable) one-shot */
  gssize              body_length;       /* of body_stream, -1 for chunked */
  double              timeout;
  double              connect_timeout;
  double              read_timeout;
  int                 max_redirects;
  int                 retries;
  guint               follow_redirects : 1;
  guint               body_stream_used : 1;
};

/* A host's record remembers how many connections the host was given at
 * once (see slot_acquire() in loom-http-client-job.c), so it outlives the
 * requests that use it. A crawler meets many hosts: once a client has
 * this many records, those no request uses go, and the next sweep waits
 * until there are twice as many as were left. */
#define LOOM_HTTP_HOST_RECORDS_SWEEP_AT 1024

/* The connection slots to one host (scheme, host and port): the record
 * is its own key in the client's table, so a look-up needs no key made. */
typedef struct
{
  char          *scheme;      /* (owned) */
  char          *host;        /* (owned) */
  int            port;        /* never -1: the scheme's default filled in */
  LoomSemaphore *semaphore;   /* (owned) */
  guint          users;       /* requests holding or waiting for a slot */
  guint          held;        /* slots held now */
  guint          peak;        /* the most slots ever held at once */
} LoomHttpClientHostSlots;

struct _LoomHttpClient
{
  GObject             parent_instance;

  SoupSession        *session;          /* (owned) */
  SoupMessageHeaders *default_headers;  /* (owned) */
  SoupCookieJar      *cookie_jar;       /* (owned) (nullable) */
  GUri               *base_uri;         /* (owned) (nullable) */
  char               *base_url;         /* (owned) (nullable) */
  char               *tls_ca_file;      /* (owned) (nullable) */
  LoomSemaphore      *slots;            /* (owned) all hosts */
  GHashTable         *host_slots;       /* (owned) set of LoomHttpClientHostSlots */
  guint               host_slots_sweep_at;
  guint               max_connections;
  guint               max_connections_per_host;
  double              timeout;
  double              connect_timeout;
  double              read_timeout;
  guint               max_redirects;
  guint               retries;
  double              retry_budget;
  gboolean            accept_invalid_certificates;
};

/* One request of a client (loom-http-client-job.c). */
typedef struct _LoomHttpClientJob LoomHttpClientJob;

GUri              *loom_http_client_parse_url          (GUri                 *base,
                                                        const char           *url,
                                                        GError              **error);
GHashTable        *loom_http_client_host_slots_new     (void);
LoomHttpClientJob *loom_http_client_job_new            (LoomHttpClient       *self,
                                                        const char           *method,
                                                        const char           *url,
                                                        LoomHttpRequest      *options,
                                                        const char           *content_type,
                                                        GBytes               *body,
                                                        gboolean              stream_response,
                                                        GError              **error);
LoomFuture        *loom_http_client_job_start          (LoomHttpClientJob    *job);
LoomFuture        *loom_http_client_job_start_download (LoomHttpClientJob    *job,
                                                        GFile                *file,
                                                        LoomHttpProgressFunc  progress,
                                                        gpointer              user_data,
                                                        GDestroyNotify        destroy);

/* A connection slot of a client: one of its own and one of the host's. */
typedef struct _LoomHttpClientSlot LoomHttpClientSlot;

void              loom_http_client_slot_release      (LoomHttpClientSlot  *slot);
void              loom_http_client_map_error         (GError             **error,
                                                      GUri                *uri,
                                                      SoupMessage         *message,
                                                      gboolean             in_body);

/* A GInputStream reading the GBytes chunks of an async iterator. */
GInputStream     *loom_http_client_iterator_stream_new (LoomAsyncIterator *iterator);

LoomHttpResponse *loom_http_response_new_internal    (SoupMessage         *message,
                                                      GUri                *uri,
                                                      GBytes              *body,
                                                      guint                redirect_count);
void              loom_http_response_set_body_stream (LoomHttpResponse    *self,
                                                      LoomHttpBodyStream  *stream);

LoomHttpBodyStream *loom_http_body_stream_new_internal (GInputStream       *stream,
                                                        SoupMessage        *message,
                                                        GUri               *uri,
                                                        GCancellable       *abort,
                                                        LoomHttpClientSlot *slot,
                                                        double              read_timeout);

G_END_DECLS
