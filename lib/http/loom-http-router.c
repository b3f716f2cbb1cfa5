/* loom-http-router.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "loom-http-error.h"
#include "loom-http-router.h"

/**
 * LoomHttpRouter:
 *
 * Maps a method and a path to a route, as FastAPI's path operations do.
 *
 * A route is a method and a path template. The template is a path whose
 * segments are either literal text or a parameter in braces:
 *
 * - `{name}` or `{name:str}`: one non-empty segment, as text;
 * - `{name:int}`: one segment holding a signed 64-bit decimal integer;
 * - `{name:float}`: one segment holding a decimal number;
 * - `{name:uuid}`: one segment holding a UUID (`8-4-4-4-12` hex digits);
 * - `{name:path}`: the rest of the path, slashes included; only as the
 *   last segment.
 *
 * When several routes fit a path, the most specific wins, compared
 * segment by segment from the left: literal text beats a typed parameter
 * (`int`, `float`, `uuid`), which beats `str`, which beats `path`; between
 * routes of the same shape the one added first wins. So `/items/new`
 * beats `/items/{item_id:int}`, which beats `/items/{name}`.
 *
 * A lookup that matches nothing tells why ([enum@LoomHttp.RouteResult]): a
 * path no route has (404), a path routes have for other methods only (405,
 * with the methods for the `Allow` header), or a path of the right shape
 * whose typed parameter does not parse (422, naming the parameter, its
 * input and an error type such as `int_parsing`, as FastAPI reports it).
 * A `HEAD` request matches `GET` routes.
 *
 * [class@LoomHttp.Server] routes requests through one of these.
 *
 * Since: 0.2
 */

typedef enum
{
  SEGMENT_STATIC,
  SEGMENT_INT,
  SEGMENT_FLOAT,
  SEGMENT_UUID,
  SEGMENT_STR,
  SEGMENT_PATH,
} SegmentKind;

typedef struct
{
  SegmentKind  kind;
  char        *text;   /* (owned) the literal text, or the parameter's name */
  gsize        len;    /* of text */
} Segment;

/* More than any sane template has; it keeps a match's parameters in a
 * fixed array. */
#define MAX_PARAMS 16

typedef struct
{
  guint    id;
  char    *method;     /* (owned) */
  char    *template;   /* (owned) */
  Segment *segments;   /* (owned) */
  guint    n_segments;
  /* (owned) (nullable) For a route without parameters: the one match
   * every request to it gets, a reference each, made with the route. */
  LoomHttpRouteMatch *static_match;
} Route;

struct _LoomHttpRouter
{
  GObject    parent_instance;

  GPtrArray *routes;   /* (owned) (element-type Route) */
};

G_DEFINE_FINAL_TYPE (LoomHttpRouter, loom_http_router, G_TYPE_OBJECT)

struct _LoomHttpRouteMatch
{
  gatomicrefcount      ref_count;
  LoomHttpRouteResult  result;
  guint                route_id;
  LoomHttpRouter      *router;         /* (owned) (nullable) keeps the names below */
  const char          *template;       /* (unowned) (nullable) the route's, or own_template */
  char                *own_template;   /* (owned) (nullable) a static match's, which outlives the router */
  guint                n_params;
  const char          *param_names[MAX_PARAMS];   /* (unowned) the route's */
  char                *param_values[MAX_PARAMS];  /* (owned) */
  GHashTable          *params;         /* (owned) (nullable) made when asked for */
  char                *allow;          /* (owned) (nullable) */
  char                *error_param;    /* (owned) (nullable) */
  const char          *error_type;     /* (unowned) a static string */
  const char          *error_message;  /* (unowned) a static string */
  char                *error_input;    /* (owned) (nullable) */
};

G_DEFINE_BOXED_TYPE (LoomHttpRouteMatch, loom_http_route_match,
                     loom_http_route_match_ref, loom_http_route_match_unref)

static void
route_free (gpointer data)
{
  Route *route = data;

  g_clear_pointer (&route->static_match, loom_http_route_match_unref);
  for (guint i = 0; i < route->n_segments; i++)
    g_free (route->segments[i].text);
  g_free (route->segments);
  g_free (route->method);
  g_free (route->template);
  g_free (route);
}

static void
loom_http_router_finalize (GObject *object)
{
  LoomHttpRouter *self = LOOM_HTTP_ROUTER (object);

  g_clear_pointer (&self->routes, g_ptr_array_unref);

  G_OBJECT_CLASS (loom_http_router_parent_class)->finalize (object);
}

static void
loom_http_router_class_init (LoomHttpRouterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_http_router_finalize;
}

static void
loom_http_router_init (LoomHttpRouter *self)
{
  self->routes = g_ptr_array_new_with_free_func (route_free);
}

/**
 * loom_http_router_new:
 *
 * Creates a router with no routes.
 *
 * Returns: (transfer full): the new router
 *
 * Since: 0.2
 */
LoomHttpRouter *
loom_http_router_new (void)
{
  return g_object_new (LOOM_HTTP_TYPE_ROUTER, NULL);
}

/* Template parsing. */

static gboolean
is_identifier (const char *s,
               gsize       len)
{
  if (len == 0 || !(g_ascii_isalpha (s[0]) || s[0] == '_'))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!(g_ascii_isalnum (s[i]) || s[i] == '_'))
      return FALSE;
  return TRUE;
}

static gboolean
parse_kind (const char  *type,
            SegmentKind *kind)
{
  static const struct { const char *name; SegmentKind kind; } kinds[] = {
    { "str", SEGMENT_STR },
    { "int", SEGMENT_INT },
    { "float", SEGMENT_FLOAT },
    { "uuid", SEGMENT_UUID },
    { "path", SEGMENT_PATH },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (type, kinds[i].name) == 0)
      {
        *kind = kinds[i].kind;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_parameter (const char  *part,
                 Segment     *segment,
                 GError     **error)
{
  gsize len = strlen (part);
  g_autofree char *inner = NULL;
  const char *colon;
  gsize name_len;

  if (len < 3 || part[len - 1] != '}')
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                   _("A parameter must fill its whole segment: “%s”"), part);
      return FALSE;
    }

  inner = g_strndup (part + 1, len - 2);
  if (strpbrk (inner, "{}") != NULL)
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                   _("Unbalanced braces in “%s”"), part);
      return FALSE;
    }

  colon = strchr (inner, ':');
  name_len = colon ? (gsize) (colon - inner) : strlen (inner);
  if (!is_identifier (inner, name_len))
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                   _("Invalid parameter name in “%s”"), part);
      return FALSE;
    }

  segment->kind = SEGMENT_STR;
  if (colon != NULL && !parse_kind (colon + 1, &segment->kind))
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                   _("Unknown parameter type “%s” in “%s” (use str, int, float, uuid or path)"),
                   colon + 1, part);
      return FALSE;
    }

  segment->text = g_strndup (inner, name_len);
  segment->len = name_len;
  return TRUE;
}

static gboolean
parse_segment (const char  *part,
               gboolean     last,
               Segment     *segment,
               GError     **error)
{
  if (part[0] == '{')
    {
      if (!parse_parameter (part, segment, error))
        return FALSE;
      if (segment->kind == SEGMENT_PATH && !last)
        {
          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                       _("A path parameter must be the last segment: “%s”"), part);
          return FALSE;
        }
      return TRUE;
    }

  if (strpbrk (part, "{}") != NULL)
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                   _("A parameter must fill its whole segment: “%s”"), part);
      return FALSE;
    }
  if (part[0] == '\0' && !last)
    {
      g_set_error_literal (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                           _("Empty segment (“//”) in a route template"));
      return FALSE;
    }

  segment->kind = SEGMENT_STATIC;
  segment->text = g_strdup (part);
  segment->len = strlen (part);
  return TRUE;
}

static gboolean
check_method (const char  *method,
              GError     **error)
{
  if (method[0] == '\0')
    goto invalid;
  for (const char *p = method; *p; p++)
    if (!g_ascii_isupper (*p) && *p != '-' && *p != '_')
      goto invalid;
  return TRUE;

invalid:
  g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
               _("Invalid method “%s” (methods are upper-case tokens, such as GET)"),
               method);
  return FALSE;
}

static gboolean
route_has_no_params (const Route *route)
{
  for (guint i = 0; i < route->n_segments; i++)
    if (route->segments[i].kind != SEGMENT_STATIC)
      return FALSE;
  return TRUE;
}

static LoomHttpRouteMatch *match_new (LoomHttpRouteResult result);

static gboolean
check_unique_names (Route   *route,
                    GError **error)
{
  guint n_params = 0;

  for (guint i = 0; i < route->n_segments; i++)
    if (route->segments[i].kind != SEGMENT_STATIC && ++n_params > MAX_PARAMS)
      {
        g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                     _("More than %d parameters in “%s”"), MAX_PARAMS, route->template);
        return FALSE;
      }

  for (guint i = 0; i < route->n_segments; i++)
    for (guint j = 0; j < i; j++)
      if (route->segments[i].kind != SEGMENT_STATIC &&
          route->segments[j].kind != SEGMENT_STATIC &&
          strcmp (route->segments[i].text, route->segments[j].text) == 0)
        {
          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                       _("Parameter “%s” appears twice in “%s”"),
                       route->segments[i].text, route->template);
          return FALSE;
        }
  return TRUE;
}

static Route *
route_parse (const char  *method,
             const char  *template,
             GError     **error)
{
  g_auto(GStrv) parts = NULL;
  Route *route;

  if (!check_method (method, error))
    return NULL;
  if (template[0] != '/')
    {
      g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                   _("A route template must start with “/”: “%s”"), template);
      return NULL;
    }

  /* As lookups split paths: "/" is one empty segment (g_strsplit() would
   * make none of it). */
  if (template[1] == '\0')
    {
      parts = g_new0 (char *, 2);
      parts[0] = g_strdup ("");
    }
  else
    parts = g_strsplit (template + 1, "/", -1);
  route = g_new0 (Route, 1);
  route->method = g_strdup (method);
  route->template = g_strdup (template);
  route->n_segments = g_strv_length (parts);
  route->segments = g_new0 (Segment, route->n_segments);

  for (guint i = 0; i < route->n_segments; i++)
    if (!parse_segment (parts[i], i + 1 == route->n_segments, &route->segments[i], error))
      {
        route_free (route);
        return NULL;
      }

  if (!check_unique_names (route, error))
    {
      route_free (route);
      return NULL;
    }
  return route;
}

static gboolean
same_shape (const Route *a,
            const Route *b)
{
  if (a->n_segments != b->n_segments)
    return FALSE;
  for (guint i = 0; i < a->n_segments; i++)
    {
      if (a->segments[i].kind != b->segments[i].kind)
        return FALSE;
      if (a->segments[i].kind == SEGMENT_STATIC &&
          strcmp (a->segments[i].text, b->segments[i].text) != 0)
        return FALSE;
    }
  return TRUE;
}

/**
 * loom_http_router_add:
 * @self: a router
 * @method: the HTTP method, upper case (`GET`, `POST`…)
 * @path_template: the path template, such as `/items/{item_id:int}`
 * @error: return location for a #GError
 *
 * Adds a route. The template syntax and the precedence between routes are
 * described in [class@LoomHttp.Router]. A template that does not parse,
 * or one with the same method and shape as a route already added, fails
 * with %LOOM_HTTP_ERROR_INVALID_ROUTE.
 *
 * Returns: the route's id (ids count from 1 in the order routes are
 *   added), or 0 with @error set
 *
 * Since: 0.2
 */
guint
loom_http_router_add (LoomHttpRouter  *self,
                      const char      *method,
                      const char      *path_template,
                      GError         **error)
{
  Route *route;

  g_return_val_if_fail (LOOM_HTTP_IS_ROUTER (self), 0);
  g_return_val_if_fail (method != NULL, 0);
  g_return_val_if_fail (path_template != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  route = route_parse (method, path_template, error);
  if (route == NULL)
    return 0;

  for (guint i = 0; i < self->routes->len; i++)
    {
      const Route *other = g_ptr_array_index (self->routes, i);

      if (strcmp (other->method, route->method) == 0 && same_shape (other, route))
        {
          g_set_error (error, LOOM_HTTP_ERROR, LOOM_HTTP_ERROR_INVALID_ROUTE,
                       _("%s %s has the same shape as %s %s, added before"),
                       route->method, route->template, other->method, other->template);
          route_free (route);
          return 0;
        }
    }

  route->id = self->routes->len + 1;
  g_ptr_array_add (self->routes, route);
  if (route_has_no_params (route))
    {
      /* Nothing in it depends on the request: it is made once, here,
       * with what it says (its parameter table too) made up front, so
       * the lookups that share it, from any thread, only read it. It
       * keeps its own copy of the template rather than the router. */
      LoomHttpRouteMatch *match = match_new (LOOM_HTTP_ROUTE_MATCHED);

      match->route_id = route->id;
      match->own_template = g_strdup (route->template);
      match->template = match->own_template;
      match->params = g_hash_table_new (g_str_hash, g_str_equal);
      route->static_match = match;
    }
  return route->id;
}

/**
 * loom_http_router_get_n_routes:
 * @self: a router
 *
 * Gets the number of routes added.
 *
 * Returns: the number of routes
 *
 * Since: 0.2
 */
guint
loom_http_router_get_n_routes (LoomHttpRouter *self)
{
  g_return_val_if_fail (LOOM_HTTP_IS_ROUTER (self), 0);

  return self->routes->len;
}

/* Matching. It runs for every request, so it allocates nothing until it
 * builds the match: the path's segments are pointers into it. */

typedef struct
{
  const char *start;
  gsize       len;
} Part;

#define PARTS_ON_STACK 32

typedef enum
{
  SHAPE_MISMATCH,
  SHAPE_VALID,
  SHAPE_INVALID,
} ShapeMatch;

static gboolean
is_uuid (const char *s)
{
  static const guint groups[] = { 8, 4, 4, 4, 12 };

  for (gsize g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      for (guint i = 0; i < groups[g]; i++, s++)
        if (!g_ascii_isxdigit (*s))
          return FALSE;
      if (g + 1 < G_N_ELEMENTS (groups) && *s++ != '-')
        return FALSE;
    }
  return *s == '\0';
}

static gboolean
is_number (const char *s)
{
  char *end = NULL;

  if (s[0] == '\0' || g_ascii_isspace (s[0]))
    return FALSE;
  (void) g_ascii_strtod (s, &end);
  return end != NULL && *end == '\0';
}

/* Checks a part against a typed segment; on failure names the error as
 * pydantic (FastAPI's validator) does. */
static gboolean
check_value (SegmentKind   kind,
             const Part   *part,
             const char  **error_type,
             const char  **error_message)
{
  char buffer[128];
  g_autofree char *heap = NULL;
  const char *value;

  if (kind == SEGMENT_STATIC || kind == SEGMENT_STR || kind == SEGMENT_PATH)
    return TRUE;

  if (part->len < sizeof buffer)
    {
      memcpy (buffer, part->start, part->len);
      buffer[part->len] = '\0';
      value = buffer;
    }
  else
    value = heap = g_strndup (part->start, part->len);

  switch (kind)
    {
    case SEGMENT_INT:
      *error_type = "int_parsing";
      *error_message = "Input should be a valid integer, unable to parse string as an integer";
      return g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, NULL, NULL);
    case SEGMENT_FLOAT:
      *error_type = "float_parsing";
      *error_message = "Input should be a valid number, unable to parse string as a number";
      return is_number (value);
    case SEGMENT_UUID:
    default:
      *error_type = "uuid_parsing";
      *error_message = "Input should be a valid UUID";
      return is_uuid (value);
    }
}

typedef struct
{
  const Route *route;
  ShapeMatch   shape;
  guint        bad_segment;   /* for SHAPE_INVALID */
  const char  *error_type;
  const char  *error_message;
} Candidate;

static void
match_shape (const Route *route,
             const Part  *parts,
             guint        n_parts,
             Candidate   *out)
{
  out->route = route;
  out->shape = SHAPE_MISMATCH;

  if (n_parts < route->n_segments)
    return;
  if (n_parts > route->n_segments &&
      (route->n_segments == 0 || route->segments[route->n_segments - 1].kind != SEGMENT_PATH))
    return;

  for (guint i = 0; i < route->n_segments; i++)
    {
      const Segment *segment = &route->segments[i];

      if (segment->kind == SEGMENT_STATIC &&
          (segment->len != parts[i].len || memcmp (segment->text, parts[i].start, parts[i].len) != 0))
        return;
      if (segment->kind != SEGMENT_STATIC && segment->kind != SEGMENT_PATH && parts[i].len == 0)
        return;
    }

  out->shape = SHAPE_VALID;
  for (guint i = 0; i < route->n_segments; i++)
    if (!check_value (route->segments[i].kind, &parts[i], &out->error_type, &out->error_message))
      {
        out->shape = SHAPE_INVALID;
        out->bad_segment = i;
        return;
      }
}

static int
segment_rank (SegmentKind kind)
{
  switch (kind)
    {
    case SEGMENT_STATIC:
      return 0;
    case SEGMENT_INT:
    case SEGMENT_FLOAT:
    case SEGMENT_UUID:
      return 1;
    case SEGMENT_STR:
      return 2;
    case SEGMENT_PATH:
    default:
      return 3;
    }
}

/* Whether @a is more specific than @b; ties go to the route added first. */
static gboolean
more_specific (const Route *a,
               const Route *b)
{
  guint n = MIN (a->n_segments, b->n_segments);

  for (guint i = 0; i < n; i++)
    {
      int ra = segment_rank (a->segments[i].kind);
      int rb = segment_rank (b->segments[i].kind);

      if (ra != rb)
        return ra < rb;
    }
  if (a->n_segments != b->n_segments)
    return a->n_segments > b->n_segments;
  return a->id < b->id;
}

static gboolean
method_fits (const char *route_method,
             const char *method)
{
  return strcmp (route_method, method) == 0 ||
         (strcmp (method, "HEAD") == 0 && strcmp (route_method, "GET") == 0);
}

static LoomHttpRouteMatch *
match_new (LoomHttpRouteResult result)
{
  LoomHttpRouteMatch *match = g_new0 (LoomHttpRouteMatch, 1);

  g_atomic_ref_count_init (&match->ref_count);
  match->result = result;
  return match;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Only for 405: the methods of every route with this path's shape. */
static char *
build_allow (LoomHttpRouter *self,
             const Part     *parts,
             guint           n_parts)
{
  g_autoptr(GPtrArray) methods = g_ptr_array_new ();
  g_autoptr(GString) allow = g_string_new (NULL);

  for (guint i = 0; i < self->routes->len; i++)
    {
      const Route *route = g_ptr_array_index (self->routes, i);
      gboolean seen = FALSE;
      Candidate c;

      match_shape (route, parts, n_parts, &c);
      if (c.shape == SHAPE_MISMATCH)
        continue;
      for (guint j = 0; j < methods->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (methods, j), route->method) == 0;
      if (!seen)
        g_ptr_array_add (methods, route->method);
    }
  g_ptr_array_sort (methods, compare_strings);
  for (guint i = 0; i < methods->len; i++)
    {
      if (i > 0)
        g_string_append (allow, ", ");
      g_string_append (allow, g_ptr_array_index (methods, i));
    }
  return g_string_free (g_steal_pointer (&allow), FALSE);
}

static LoomHttpRouteMatch *
match_for_candidate (LoomHttpRouter  *self,
                     const Candidate *c,
                     const Part      *parts)
{
  const Route *route = c->route;
  LoomHttpRouteMatch *match;

  /* A static route's match is the same for every request: no allocation. */
  if (route->static_match != NULL && c->shape == SHAPE_VALID)
    return loom_http_route_match_ref (route->static_match);

  match = match_new (c->shape == SHAPE_VALID ? LOOM_HTTP_ROUTE_MATCHED : LOOM_HTTP_ROUTE_INVALID_PARAM);
  match->route_id = route->id;
  match->router = g_object_ref (self);
  match->template = route->template;
  for (guint i = 0; i < route->n_segments; i++)
    {
      const Segment *segment = &route->segments[i];

      if (segment->kind == SEGMENT_STATIC)
        continue;
      match->param_names[match->n_params] = segment->text;
      /* A path parameter is the rest of the path, which runs on from its
       * first part to the end of the string. */
      match->param_values[match->n_params] = segment->kind == SEGMENT_PATH
        ? g_strdup (parts[i].start)
        : g_strndup (parts[i].start, parts[i].len);
      match->n_params++;
    }
  if (c->shape == SHAPE_INVALID)
    {
      match->error_param = g_strdup (route->segments[c->bad_segment].text);
      match->error_type = c->error_type;
      match->error_message = c->error_message;
      match->error_input = g_strndup (parts[c->bad_segment].start, parts[c->bad_segment].len);
    }
  return match;
}

static LoomHttpRouteMatch *
lookup_parts (LoomHttpRouter *self,
              const char     *method,
              const Part     *parts,
              guint           n_parts)
{
  Candidate best_valid = { NULL, SHAPE_MISMATCH, 0, NULL, NULL };
  Candidate best_invalid = { NULL, SHAPE_MISMATCH, 0, NULL, NULL };
  gboolean any = FALSE;
  LoomHttpRouteMatch *match;

  for (guint i = 0; i < self->routes->len; i++)
    {
      const Route *route = g_ptr_array_index (self->routes, i);
      Candidate c;
      Candidate *best;

      match_shape (route, parts, n_parts, &c);
      if (c.shape == SHAPE_MISMATCH)
        continue;
      any = TRUE;
      if (!method_fits (route->method, method))
        continue;
      best = c.shape == SHAPE_VALID ? &best_valid : &best_invalid;
      if (best->route == NULL || more_specific (route, best->route))
        *best = c;
    }

  if (best_valid.route != NULL)
    return match_for_candidate (self, &best_valid, parts);
  if (best_invalid.route != NULL)
    return match_for_candidate (self, &best_invalid, parts);
  if (!any)
    return match_new (LOOM_HTTP_ROUTE_NOT_FOUND);

  match = match_new (LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED);
  match->allow = build_allow (self, parts, n_parts);
  return match;
}

/**
 * loom_http_router_lookup:
 * @self: a router
 * @method: the request's method
 * @path: the request's path, percent-decoded, starting with `/`
 *
 * Finds the route for a request. The result is always a match object;
 * [method@LoomHttp.RouteMatch.get_result] tells whether a route matched,
 * and if not, why.
 *
 * Returns: (transfer full): what the lookup found
 *
 * Since: 0.2
 */
LoomHttpRouteMatch *
loom_http_router_lookup (LoomHttpRouter *self,
                         const char     *method,
                         const char     *path)
{
  Part stack_parts[PARTS_ON_STACK];
  g_autofree Part *heap_parts = NULL;
  Part *parts = stack_parts;
  guint n_parts = 1;
  const char *p;

  g_return_val_if_fail (LOOM_HTTP_IS_ROUTER (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (path[0] != '/')
    return match_new (LOOM_HTTP_ROUTE_NOT_FOUND);

  for (p = path + 1; *p; p++)
    n_parts += *p == '/';
  if (n_parts > PARTS_ON_STACK)
    parts = heap_parts = g_new (Part, n_parts);

  parts[0].start = path + 1;
  n_parts = 0;
  for (p = path + 1;; p++)
    if (*p == '/' || *p == '\0')
      {
        parts[n_parts].len = p - parts[n_parts].start;
        n_parts++;
        if (*p == '\0')
          break;
        parts[n_parts].start = p + 1;
      }

  return lookup_parts (self, method, parts, n_parts);
}

/**
 * LoomHttpRouteMatch:
 *
 * What [method@LoomHttp.Router.lookup] found for a request: the route and
 * its parameters, or why there is none.
 *
 * Since: 0.2
 */

/**
 * loom_http_route_match_ref:
 * @self: a match
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.2
 */
LoomHttpRouteMatch *
loom_http_route_match_ref (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * loom_http_route_match_unref:
 * @self: (transfer full): a match
 *
 * Drops a reference; the last one frees the match.
 *
 * Since: 0.2
 */
void
loom_http_route_match_unref (LoomHttpRouteMatch *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  for (guint i = 0; i < self->n_params; i++)
    g_free (self->param_values[i]);
  g_clear_pointer (&self->params, g_hash_table_unref);
  g_clear_object (&self->router);
  g_free (self->allow);
  g_free (self->error_param);
  g_free (self->error_input);
  g_free (self->own_template);
  g_free (self);
}

/**
 * loom_http_route_match_get_result:
 * @self: a match
 *
 * Gets whether a route matched, and if not, why.
 *
 * Returns: the outcome of the lookup
 *
 * Since: 0.2
 */
LoomHttpRouteResult
loom_http_route_match_get_result (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, LOOM_HTTP_ROUTE_NOT_FOUND);

  return self->result;
}

/**
 * loom_http_route_match_get_route_id:
 * @self: a match
 *
 * Gets the id [method@LoomHttp.Router.add] returned for the route that
 * matched, or whose parameter did not parse.
 *
 * Returns: the route's id, or 0 when no route fits
 *
 * Since: 0.2
 */
guint
loom_http_route_match_get_route_id (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->route_id;
}

/**
 * loom_http_route_match_get_template:
 * @self: a match
 *
 * Gets the template of the route that matched, or whose parameter did
 * not parse.
 *
 * Returns: (nullable): the template, or %NULL when no route fits
 *
 * Since: 0.2
 */
const char *
loom_http_route_match_get_template (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->template;
}

/**
 * loom_http_route_match_get_param:
 * @self: a match
 * @name: a parameter's name
 *
 * Gets a path parameter as text, as it appeared in the path (a `path`
 * parameter keeps its slashes).
 *
 * Returns: (nullable): the parameter's text, or %NULL if the route has
 *   no parameter @name
 *
 * Since: 0.2
 */
const char *
loom_http_route_match_get_param (LoomHttpRouteMatch *self,
                                 const char         *name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < self->n_params; i++)
    if (strcmp (self->param_names[i], name) == 0)
      return self->param_values[i];
  return NULL;
}

/**
 * loom_http_route_match_get_params:
 * @self: a match
 *
 * Gets every path parameter, name to text.
 *
 * Returns: (transfer none) (element-type utf8 utf8): the parameters
 *
 * Since: 0.2
 */
GHashTable *
loom_http_route_match_get_params (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->params == NULL)
    {
      self->params = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < self->n_params; i++)
        g_hash_table_insert (self->params, (gpointer) self->param_names[i], self->param_values[i]);
    }
  return self->params;
}

/**
 * loom_http_route_match_get_allow:
 * @self: a match
 *
 * For %LOOM_HTTP_ROUTE_METHOD_NOT_ALLOWED, gets the methods the path has,
 * sorted and comma-separated, for the `Allow` header.
 *
 * Returns: (nullable): the allowed methods, or %NULL for other results
 *
 * Since: 0.2
 */
const char *
loom_http_route_match_get_allow (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->allow;
}

/**
 * loom_http_route_match_get_error_param:
 * @self: a match
 *
 * For %LOOM_HTTP_ROUTE_INVALID_PARAM, gets the name of the first
 * parameter that did not parse.
 *
 * Returns: (nullable): the parameter's name, or %NULL for other results
 *
 * Since: 0.2
 */
const char *
loom_http_route_match_get_error_param (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error_param;
}

/**
 * loom_http_route_match_get_error_type:
 * @self: a match
 *
 * For %LOOM_HTTP_ROUTE_INVALID_PARAM, gets the error's type as FastAPI
 * names it: `int_parsing`, `float_parsing` or `uuid_parsing`.
 *
 * Returns: (nullable): the error type, or %NULL for other results
 *
 * Since: 0.2
 */
const char *
loom_http_route_match_get_error_type (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error_type;
}

/**
 * loom_http_route_match_get_error_message:
 * @self: a match
 *
 * For %LOOM_HTTP_ROUTE_INVALID_PARAM, gets a message saying what the
 * parameter should hold, in FastAPI's words.
 *
 * Returns: (nullable): the message, or %NULL for other results
 *
 * Since: 0.2
 */
const char *
loom_http_route_match_get_error_message (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error_message;
}

/**
 * loom_http_route_match_get_error_input:
 * @self: a match
 *
 * For %LOOM_HTTP_ROUTE_INVALID_PARAM, gets the text that did not parse.
 *
 * Returns: (nullable): the input, or %NULL for other results
 *
 * Since: 0.2
 */
const char *
loom_http_route_match_get_error_input (LoomHttpRouteMatch *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error_input;
}
