/* loom-pg-error.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "loom-pg-error-private.h"

/* The fields of a server error ride along in the GError itself (an
 * extended error domain), so they survive g_error_copy() and reach any
 * caller that awaited the future. Bindings, which turn a GError into
 * their own exception with the domain, code and message only, find the
 * SQLSTATE, detail and hint in the message as well. */
typedef struct
{
  char *sqlstate;
  char *severity;
  char *detail;
  char *hint;
  int   position;
} LoomPgErrorPrivate;

static void
loom_pg_error_private_init (LoomPgErrorPrivate *priv)
{
  priv->position = 0;
}

static void
loom_pg_error_private_copy (const LoomPgErrorPrivate *src,
                            LoomPgErrorPrivate       *dest)
{
  dest->sqlstate = g_strdup (src->sqlstate);
  dest->severity = g_strdup (src->severity);
  dest->detail = g_strdup (src->detail);
  dest->hint = g_strdup (src->hint);
  dest->position = src->position;
}

static void
loom_pg_error_private_clear (LoomPgErrorPrivate *priv)
{
  g_clear_pointer (&priv->sqlstate, g_free);
  g_clear_pointer (&priv->severity, g_free);
  g_clear_pointer (&priv->detail, g_free);
  g_clear_pointer (&priv->hint, g_free);
}

/**
 * loom_pg_error_quark:
 *
 * The quark of the [error@LoomPg.Error] domain. Errors of the domain that
 * come from the server carry its SQLSTATE, severity, detail, hint and
 * statement position, which [func@LoomPg.Error.get_sqlstate] and its
 * siblings return.
 *
 * Returns: the error quark
 *
 * Since: 0.2
 */
G_DEFINE_EXTENDED_ERROR (LoomPgError, loom_pg_error)

static const LoomPgErrorPrivate *
get_private (const GError *error)
{
  if (error == NULL || error->domain != LOOM_PG_ERROR)
    return NULL;
  return loom_pg_error_get_private (error);
}

/**
 * loom_pg_error_get_sqlstate:
 * @error: an error
 *
 * Gets the five-character SQLSTATE of a server error, as `"42P01"`.
 *
 * Returns: (nullable): the SQLSTATE, or %NULL when @error did not come
 *   from the server
 *
 * Since: 0.2
 */
const char *
loom_pg_error_get_sqlstate (const GError *error)
{
  const LoomPgErrorPrivate *priv = get_private (error);

  return priv ? priv->sqlstate : NULL;
}

/**
 * loom_pg_error_get_severity:
 * @error: an error
 *
 * Gets the severity of a server error (`ERROR`, `FATAL` or `PANIC`),
 * never localized.
 *
 * Returns: (nullable): the severity, or %NULL when @error did not come
 *   from the server
 *
 * Since: 0.2
 */
const char *
loom_pg_error_get_severity (const GError *error)
{
  const LoomPgErrorPrivate *priv = get_private (error);

  return priv ? priv->severity : NULL;
}

/**
 * loom_pg_error_get_detail:
 * @error: an error
 *
 * Gets the detail line of a server error.
 *
 * Returns: (nullable): the detail, or %NULL when there is none
 *
 * Since: 0.2
 */
const char *
loom_pg_error_get_detail (const GError *error)
{
  const LoomPgErrorPrivate *priv = get_private (error);

  return priv ? priv->detail : NULL;
}

/**
 * loom_pg_error_get_hint:
 * @error: an error
 *
 * Gets the hint of a server error.
 *
 * Returns: (nullable): the hint, or %NULL when there is none
 *
 * Since: 0.2
 */
const char *
loom_pg_error_get_hint (const GError *error)
{
  const LoomPgErrorPrivate *priv = get_private (error);

  return priv ? priv->hint : NULL;
}

/**
 * loom_pg_error_get_position:
 * @error: an error
 *
 * Gets where in the statement text a server error was found: a character
 * (not byte) index counted from 1, as PostgreSQL reports it.
 *
 * Returns: the position, or 0 when the error names none
 *
 * Since: 0.2
 */
int
loom_pg_error_get_position (const GError *error)
{
  const LoomPgErrorPrivate *priv = get_private (error);

  return priv ? priv->position : 0;
}

static LoomPgError
code_for_sqlstate (const char *sqlstate)
{
  if (sqlstate == NULL)
    return LOOM_PG_ERROR_SERVER;
  if (strcmp (sqlstate, "25P02") == 0)
    return LOOM_PG_ERROR_TRANSACTION_ABORTED;
  if (strcmp (sqlstate, "40001") == 0)
    return LOOM_PG_ERROR_SERIALIZATION;
  if (strcmp (sqlstate, "40P01") == 0)
    return LOOM_PG_ERROR_DEADLOCK;
  if (strcmp (sqlstate, "57014") == 0)
    return LOOM_PG_ERROR_QUERY_CANCELED;
  if (g_str_has_prefix (sqlstate, "08") || g_str_has_prefix (sqlstate, "57P"))
    return LOOM_PG_ERROR_CONNECTION;
  return LOOM_PG_ERROR_SERVER;
}

GError *
loom_pg_error_new_from_result (const PGresult *result)
{
  const char *sqlstate = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  const char *severity = PQresultErrorField (result, PG_DIAG_SEVERITY_NONLOCALIZED);
  const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  const char *detail = PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL);
  const char *hint = PQresultErrorField (result, PG_DIAG_MESSAGE_HINT);
  const char *position = PQresultErrorField (result, PG_DIAG_STATEMENT_POSITION);
  g_autoptr(GString) message = g_string_new (NULL);
  LoomPgErrorPrivate *priv;
  GError *error;

  if (primary == NULL)
    {
      /* An error libpq made itself (a lost connection, say): no fields. */
      g_autofree char *text = g_strstrip (g_strdup (PQresultErrorMessage (result)));

      return g_error_new (LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION, "%s",
                          *text ? text : _("The server connection failed"));
    }

  g_string_append_printf (message, "%s %s: %s",
                          severity ? severity : "ERROR",
                          sqlstate ? sqlstate : "XX000",
                          primary);
  if (detail != NULL)
    g_string_append_printf (message, "\nDETAIL: %s", detail);
  if (hint != NULL)
    g_string_append_printf (message, "\nHINT: %s", hint);

  error = g_error_new_literal (LOOM_PG_ERROR, code_for_sqlstate (sqlstate), message->str);
  priv = loom_pg_error_get_private (error);
  priv->sqlstate = g_strdup (sqlstate);
  priv->severity = g_strdup (severity);
  priv->detail = g_strdup (detail);
  priv->hint = g_strdup (hint);
  priv->position = position ? atoi (position) : 0;
  return error;
}

GError *
loom_pg_error_new_from_conn (PGconn     *conn,
                             LoomPgError code,
                             const char *prefix)
{
  g_autofree char *text = g_strstrip (g_strdup (conn ? PQerrorMessage (conn) : ""));

  if (*text == '\0')
    return g_error_new_literal (LOOM_PG_ERROR, code, prefix);
  return g_error_new (LOOM_PG_ERROR, code, "%s: %s", prefix, text);
}
