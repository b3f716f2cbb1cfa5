/* test-router.c: LoomHttpRouter alone, table-driven.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <unistd.h>

#include <loom-http.h>

typedef struct
{
  const char *method;
  const char *template;
} RouteSpec;

/* The routes every lookup case runs against; ids count from 1 in order. */
static const RouteSpec routes[] = {
  { "GET", "/" },                                   /* 1 */
  { "GET", "/items/{item_id:int}" },                /* 2 */
  { "GET", "/items/new" },                          /* 3 */
  { "PUT", "/items/{item_id:int}" },                /* 4 */
  { "GET", "/users/{name}" },                       /* 5 */
  { "GET", "/users/{user_id:uuid}" },               /* 6 */
  { "GET", "/users/me" },                           /* 7 */
  { "GET", "/files/{rest:path}" },                  /* 8 */
  { "GET", "/files/special/{name:str}" },           /* 9 */
  { "GET", "/prices/{value:float}" },               /* 10 */
  { "POST", "/upload" },                            /* 11 */
  { "PATCH", "/upload" },                           /* 12 */
  { "GET", "/a/{x}/c" },                            /* 13 */
  { "GET", "/a/b/{y}" },                            /* 14 */
  { "GET", "/slash/" },                             /* 15 */
  { "DELETE", "/things/{id:int}" },                 /* 16 */
  { "GET", "/things/{name}" },                      /* 17 */
};

typedef struct
{
  const char          *method;
  const char          *path;
  LoomHttpRouteResult  result;
  guint                route_id;
  const char          *param_name;   /* a parameter to check, or the bad one */
  const char          *param_value;  /* its text, or the bad input */
  const char          *extra;        /* Allow for 405, error type for 422 */
} LookupCase;

static const LookupCase lookups[] = {
  { "GET", "/", LOOM_HTTP_ROUTE_MATCHED, 1, NULL, NULL, NULL },
  { "HEAD", "/", LOOM_HTTP_ROUTE_MATCHED, 1, NULL, NULL, NULL },
  { "GET", "/items/5", LOOM_HTTP_ROUTE_MATCHED, 2, "item_id", "5", NULL },
  { "GET", "/items/-42", LOOM_HTTP_ROUTE_MATCHED, 2, "item_id", "-42", NULL },
  { "GET", "/items/new", LOOM_HTTP_ROUTE_MATCHED, 3, NULL, NULL, NULL },
  { "PUT", "/items/7", LOOM_HTTP_ROUTE_MATCHED, 4, "item_id", "7", NULL },
  { "GET", "/items/abc", LOOM_HTTP_ROUTE_INVALID_PARAM, 2, "item_id", "abc", "int_parsing" },
  { "GET", "/items/1.5", LOOM_HTTP_ROUTE_INVALID_PARAM, 2, "item_id", "1.5", "int_parsing" },
  { "GET", "/items/99999999999999999999", LOOM_HTTP_ROUTE_INVALID_PARAM, 2, "item_id", "99999999999999999999", "int_parsing" },
  { "DELETE", "/items/5", LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED, 0, NULL, NULL, "GET, PUT" },
  { "GET", "/items", LOOM_HTTP_ROUTE_NOT_FOUND, 0, NULL, NULL, NULL },
  { "GET", "/items/", LOOM_HTTP_ROUTE_NOT_FOUND, 0, NULL, NULL, NULL },
  { "GET", "/items/5/extra", LOOM_HTTP_ROUTE_NOT_FOUND, 0, NULL, NULL, NULL },
  { "GET", "/users/me", LOOM_HTTP_ROUTE_MATCHED, 7, NULL, NULL, NULL },
  { "GET", "/users/alice", LOOM_HTTP_ROUTE_MATCHED, 5, "name", "alice", NULL },
  { "GET", "/users/123e4567-e89b-12d3-a456-426614174000", LOOM_HTTP_ROUTE_MATCHED, 6,
    "user_id", "123e4567-e89b-12d3-a456-426614174000", NULL },
  { "GET", "/users/123e4567-e89b-12d3-a456-42661417400", LOOM_HTTP_ROUTE_MATCHED, 5,
    "name", "123e4567-e89b-12d3-a456-42661417400", NULL },
  { "GET", "/files/a/b/c.txt", LOOM_HTTP_ROUTE_MATCHED, 8, "rest", "a/b/c.txt", NULL },
  { "GET", "/files/x", LOOM_HTTP_ROUTE_MATCHED, 8, "rest", "x", NULL },
  { "GET", "/files/", LOOM_HTTP_ROUTE_MATCHED, 8, "rest", "", NULL },
  { "GET", "/files", LOOM_HTTP_ROUTE_NOT_FOUND, 0, NULL, NULL, NULL },
  { "GET", "/files/special/one", LOOM_HTTP_ROUTE_MATCHED, 9, "name", "one", NULL },
  { "GET", "/files/special/one/two", LOOM_HTTP_ROUTE_MATCHED, 8, "rest", "special/one/two", NULL },
  { "GET", "/prices/3.25", LOOM_HTTP_ROUTE_MATCHED, 10, "value", "3.25", NULL },
  { "GET", "/prices/-1e3", LOOM_HTTP_ROUTE_MATCHED, 10, "value", "-1e3", NULL },
  { "GET", "/prices/cheap", LOOM_HTTP_ROUTE_INVALID_PARAM, 10, "value", "cheap", "float_parsing" },
  { "GET", "/prices/%20", LOOM_HTTP_ROUTE_INVALID_PARAM, 10, "value", "%20", "float_parsing" },
  { "GET", "/upload", LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED, 0, NULL, NULL, "PATCH, POST" },
  { "POST", "/upload", LOOM_HTTP_ROUTE_MATCHED, 11, NULL, NULL, NULL },
  { "GET", "/a/b/c", LOOM_HTTP_ROUTE_MATCHED, 14, "y", "c", NULL },
  { "GET", "/a/z/c", LOOM_HTTP_ROUTE_MATCHED, 13, "x", "z", NULL },
  { "GET", "/slash/", LOOM_HTTP_ROUTE_MATCHED, 15, NULL, NULL, NULL },
  { "GET", "/slash", LOOM_HTTP_ROUTE_NOT_FOUND, 0, NULL, NULL, NULL },
  { "DELETE", "/things/3", LOOM_HTTP_ROUTE_MATCHED, 16, "id", "3", NULL },
  { "DELETE", "/things/abc", LOOM_HTTP_ROUTE_INVALID_PARAM, 16, "id", "abc", "int_parsing" },
  { "GET", "/things/3", LOOM_HTTP_ROUTE_MATCHED, 17, "name", "3", NULL },
  { "POST", "/things/3", LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED, 0, NULL, NULL, "DELETE, GET" },
  { "GET", "relative", LOOM_HTTP_ROUTE_NOT_FOUND, 0, NULL, NULL, NULL },
  { "GET", "/nowhere", LOOM_HTTP_ROUTE_NOT_FOUND, 0, NULL, NULL, NULL },
};

static LoomHttpRouter *
make_router (void)
{
  LoomHttpRouter *router = loom_http_router_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      g_autoptr(GError) error = NULL;
      guint id = loom_http_router_add (router, routes[i].method, routes[i].template, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (id, ==, i + 1);
    }
  g_assert_cmpuint (loom_http_router_get_n_routes (router), ==, G_N_ELEMENTS (routes));
  return router;
}

static void
test_lookup (gconstpointer data)
{
  const LookupCase *c = data;
  g_autoptr(LoomHttpRouter) router = make_router ();
  g_autoptr(LoomHttpRouteMatch) match = loom_http_router_lookup (router, c->method, c->path);

  g_assert_nonnull (match);
  g_assert_cmpint (loom_http_route_match_get_result (match), ==, c->result);
  g_assert_cmpuint (loom_http_route_match_get_route_id (match), ==, c->route_id);
  if (c->route_id != 0)
    g_assert_cmpstr (loom_http_route_match_get_template (match), ==, routes[c->route_id - 1].template);
  else
    g_assert_null (loom_http_route_match_get_template (match));

  switch (c->result)
    {
    case LOOM_HTTP_ROUTE_MATCHED:
      if (c->param_name != NULL)
        g_assert_cmpstr (loom_http_route_match_get_param (match, c->param_name), ==, c->param_value);
      else
        g_assert_cmpuint (g_hash_table_size (loom_http_route_match_get_params (match)), ==, 0);
      g_assert_null (loom_http_route_match_get_error_param (match));
      g_assert_null (loom_http_route_match_get_allow (match));
      break;
    case LOOM_HTTP_ROUTE_INVALID_PARAM:
      g_assert_cmpstr (loom_http_route_match_get_error_param (match), ==, c->param_name);
      g_assert_cmpstr (loom_http_route_match_get_error_input (match), ==, c->param_value);
      g_assert_cmpstr (loom_http_route_match_get_error_type (match), ==, c->extra);
      g_assert_true (g_str_has_prefix (loom_http_route_match_get_error_message (match), "Input should be"));
      break;
    case LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED:
      g_assert_cmpstr (loom_http_route_match_get_allow (match), ==, c->extra);
      break;
    case LOOM_HTTP_ROUTE_NOT_FOUND:
    default:
      g_assert_null (loom_http_route_match_get_allow (match));
      g_assert_null (loom_http_route_match_get_error_param (match));
      break;
    }
}

static const RouteSpec invalid_templates[] = {
  { "GET", "items" },
  { "GET", "" },
  { "GET", "/items/{" },
  { "GET", "/items/{}" },
  { "GET", "/items/{id" },
  { "GET", "/items/id}" },
  { "GET", "/items/x{id}" },
  { "GET", "/items/{id}x" },
  { "GET", "/items/{id:integer}" },
  { "GET", "/items/{1id}" },
  { "GET", "/items/{i-d}" },
  { "GET", "/items/{{id}}" },
  { "GET", "/a//b" },
  { "GET", "/{p:path}/tail" },
  { "GET", "/{x}/{x:int}" },
  { "get", "/lower" },
  { "", "/empty-method" },
  { "G ET", "/space" },
};

static void
test_invalid_template (gconstpointer data)
{
  const RouteSpec *spec = data;
  g_autoptr(LoomHttpRouter) router = loom_http_router_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (loom_http_router_add (router, spec->method, spec->template, &error), ==, 0);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE);
  g_assert_cmpuint (loom_http_router_get_n_routes (router), ==, 0);
}

static void
test_duplicate (void)
{
  g_autoptr(LoomHttpRouter) router = loom_http_router_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (loom_http_router_add (router, "GET", "/items/{id:int}", &error), ==, 1);
  g_assert_no_error (error);
  /* The same shape under another parameter name is the same route. */
  g_assert_cmpuint (loom_http_router_add (router, "GET", "/items/{other:int}", &error), ==, 0);
  g_assert_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE);
  g_clear_error (&error);
  /* Another method, or another type, is another route. */
  g_assert_cmpuint (loom_http_router_add (router, "POST", "/items/{id:int}", &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (loom_http_router_add (router, "GET", "/items/{id}", &error), ==, 3);
  g_assert_no_error (error);
}

static void
test_first_added_wins (void)
{
  g_autoptr(LoomHttpRouter) router = loom_http_router_new ();
  g_autoptr(LoomHttpRouteMatch) match = NULL;

  g_assert_cmpuint (loom_http_router_add (router, "GET", "/{a:int}/x", NULL), ==, 1);
  g_assert_cmpuint (loom_http_router_add (router, "GET", "/{b:float}/x", NULL), ==, 2);
  match = loom_http_router_lookup (router, "GET", "/5/x");
  g_assert_cmpint (loom_http_route_match_get_result (match), ==, LOOM_HTTP_ROUTE_MATCHED);
  g_assert_cmpuint (loom_http_route_match_get_route_id (match), ==, 1);
  g_clear_pointer (&match, loom_http_route_match_unref);
  /* A float that is not an int falls through to the float route. */
  match = loom_http_router_lookup (router, "GET", "/5.5/x");
  g_assert_cmpuint (loom_http_route_match_get_route_id (match), ==, 2);
  g_assert_cmpstr (loom_http_route_match_get_param (match, "b"), ==, "5.5");
}

/* A route without parameters gives every lookup the same match, which
 * keeps what it says after the router is gone; a route with them, a
 * match of its own each time. */
static void
test_static_match (void)
{
  LoomHttpRouter *router = loom_http_router_new ();
  g_autoptr(LoomHttpRouteMatch) first = NULL;
  g_autoptr(LoomHttpRouteMatch) second = NULL;
  g_autoptr(LoomHttpRouteMatch) head = NULL;
  g_autoptr(LoomHttpRouteMatch) item = NULL;
  g_autoptr(LoomHttpRouteMatch) other = NULL;

  g_assert_cmpuint (loom_http_router_add (router, "GET", "/static/path", NULL), ==, 1);
  g_assert_cmpuint (loom_http_router_add (router, "GET", "/items/{id:int}", NULL), ==, 2);
  first = loom_http_router_lookup (router, "GET", "/static/path");
  second = loom_http_router_lookup (router, "GET", "/static/path");
  head = loom_http_router_lookup (router, "HEAD", "/static/path");
  g_assert_true (first == second);
  g_assert_true (first == head);
  item = loom_http_router_lookup (router, "GET", "/items/1");
  other = loom_http_router_lookup (router, "GET", "/items/2");
  g_assert_true (item != other);
  g_assert_cmpstr (loom_http_route_match_get_param (other, "id"), ==, "2");

  g_object_unref (router);
  g_assert_cmpint (loom_http_route_match_get_result (first), ==, LOOM_HTTP_ROUTE_MATCHED);
  g_assert_cmpuint (loom_http_route_match_get_route_id (first), ==, 1);
  g_assert_cmpstr (loom_http_route_match_get_template (first), ==, "/static/path");
  g_assert_null (loom_http_route_match_get_param (first, "id"));
  g_assert_cmpuint (g_hash_table_size (loom_http_route_match_get_params (first)), ==, 0);
  g_assert_cmpstr (loom_http_route_match_get_template (item), ==, "/items/{id:int}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  alarm (30);

  for (gsize i = 0; i < G_N_ELEMENTS (lookups); i++)
    {
      g_autofree char *path = g_strdup_printf ("/router/lookup/%02zu", i);

      g_test_add_data_func (path, &lookups[i], test_lookup);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_templates); i++)
    {
      g_autofree char *path = g_strdup_printf ("/router/invalid-template/%02zu", i);

      g_test_add_data_func (path, &invalid_templates[i], test_invalid_template);
    }
  g_test_add_func ("/router/duplicate", test_duplicate);
  g_test_add_func ("/router/static-match", test_static_match);
  g_test_add_func ("/router/first-added-wins", test_first_added_wins);

  return g_test_run ();
}
