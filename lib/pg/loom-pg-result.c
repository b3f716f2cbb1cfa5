/* loom-pg-result.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "loom-pg-error.h"
#include "loom-pg-result-private.h"
#include "loom-pg-types-private.h"

/**
 * LoomPgResult:
 *
 * The outcome of one statement: its rows and columns, command tag and
 * affected-row count.
 *
 * Rows and columns count from 0. [method@LoomPg.Result.get_text] gives
 * any value in PostgreSQL's text form; the typed getters check the
 * column's type first and fail with %LOOM_PG_ERROR_WRONG_TYPE when it is
 * not theirs (an `int4` column is no boolean), and with
 * %LOOM_PG_ERROR_NULL_VALUE on an SQL NULL — test
 * [method@LoomPg.Result.is_null] first where NULL is expected. Each
 * getter has a `_by_name` twin that finds the column by name.
 *
 * | getter | column types |
 * | --- | --- |
 * | `get_int64` | `int2`, `int4`, `int8`, `oid` |
 * | `get_double` | `float4`, `float8`, `int2`, `int4`, `int8` |
 * | `get_boolean` | `bool` |
 * | `get_numeric` | `numeric`, as its exact decimal text |
 * | `get_uuid` | `uuid`, as text |
 * | `get_bytes` | `bytea` |
 * | `get_datetime` | `date` (midnight UTC), `timestamp` (read as UTC), `timestamptz` |
 * | `get_interval` | `interval` without months: a day counts 24 hours |
 * | `get_json` | `json`, `jsonb` |
 * | `get_strv` | one-dimensional arrays of the types above and of text types |
 *
 * A result is immutable and may be read from any thread.
 *
 * Since: 0.2
 */

struct _LoomPgResult
{
  GObject   parent_instance;

  PGresult *result;  /* (owned) */
};

G_DEFINE_FINAL_TYPE (LoomPgResult, loom_pg_result, G_TYPE_OBJECT)

static void
loom_pg_result_finalize (GObject *object)
{
  LoomPgResult *self = LOOM_PG_RESULT (object);

  g_clear_pointer (&self->result, PQclear);
  G_OBJECT_CLASS (loom_pg_result_parent_class)->finalize (object);
}

static void
loom_pg_result_class_init (LoomPgResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_pg_result_finalize;
}

static void
loom_pg_result_init (LoomPgResult *self)
{
}

LoomPgResult *
loom_pg_result_new_take (PGresult *result)
{
  LoomPgResult *self = g_object_new (LOOM_PG_TYPE_RESULT, NULL);

  self->result = result;
  return self;
}

PGresult *
loom_pg_result_get_pg (LoomPgResult *self)
{
  return self->result;
}

/**
 * loom_pg_result_get_n_rows:
 * @self: a result
 *
 * Gets how many rows the statement returned.
 *
 * Returns: the number of rows (0 for a statement that returns none)
 *
 * Since: 0.2
 */
int
loom_pg_result_get_n_rows (LoomPgResult *self)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), 0);

  return PQntuples (self->result);
}

/**
 * loom_pg_result_get_n_columns:
 * @self: a result
 *
 * Gets how many columns the rows have.
 *
 * Returns: the number of columns
 *
 * Since: 0.2
 */
int
loom_pg_result_get_n_columns (LoomPgResult *self)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), 0);

  return PQnfields (self->result);
}

/**
 * loom_pg_result_get_column_name:
 * @self: a result
 * @column: a column index
 *
 * Gets the name of a column.
 *
 * Returns: (nullable): the name, or %NULL when @column is out of range
 *
 * Since: 0.2
 */
const char *
loom_pg_result_get_column_name (LoomPgResult *self,
                                int           column)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  return PQfname (self->result, column);
}

/**
 * loom_pg_result_get_column_type:
 * @self: a result
 * @column: a column index
 *
 * Gets the OID of a column's type, as `pg_type.oid` (23 for `int4`).
 *
 * Returns: the type OID, or 0 when @column is out of range
 *
 * Since: 0.2
 */
guint
loom_pg_result_get_column_type (LoomPgResult *self,
                                int           column)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), 0);

  return PQftype (self->result, column);
}

/**
 * loom_pg_result_get_column_index:
 * @self: a result
 * @name: a column name, matched exactly (case included)
 *
 * Finds a column by name; the first one when several have it.
 *
 * Returns: the column index, or -1 when no column has @name
 *
 * Since: 0.2
 */
int
loom_pg_result_get_column_index (LoomPgResult *self,
                                 const char   *name)
{
  int n;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  /* Not PQfnumber(), which folds unquoted names to lower case. */
  n = PQnfields (self->result);
  for (int i = 0; i < n; i++)
    if (strcmp (PQfname (self->result, i), name) == 0)
      return i;
  return -1;
}

/**
 * loom_pg_result_get_command_tag:
 * @self: a result
 *
 * Gets the command tag, as `"SELECT 3"` or `"INSERT 0 1"`.
 *
 * Returns: the tag (empty for an empty statement)
 *
 * Since: 0.2
 */
const char *
loom_pg_result_get_command_tag (LoomPgResult *self)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  return PQcmdStatus (self->result);
}

/**
 * loom_pg_result_get_affected_rows:
 * @self: a result
 *
 * Gets how many rows the statement inserted, updated, deleted, selected,
 * moved, fetched or copied.
 *
 * Returns: the count, or 0 for a statement that reports none
 *
 * Since: 0.2
 */
gint64
loom_pg_result_get_affected_rows (LoomPgResult *self)
{
  const char *tuples;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), 0);

  tuples = PQcmdTuples (self->result);
  return *tuples ? g_ascii_strtoll (tuples, NULL, 10) : 0;
}

/**
 * loom_pg_result_is_null:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Checks whether a value is SQL NULL (an empty string is not).
 *
 * Returns: %TRUE for NULL, or when @row or @column is out of range
 *
 * Since: 0.2
 */
gboolean
loom_pg_result_is_null (LoomPgResult *self,
                        int           row,
                        int           column)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), TRUE);

  return PQgetisnull (self->result, row, column) != 0;
}

/**
 * loom_pg_result_get_text:
 * @self: a result
 * @row: a row index
 * @column: a column index
 *
 * Gets a value of any type in PostgreSQL's text form.
 *
 * Returns: (nullable): the text, valid as long as @self; %NULL for SQL
 *   NULL or when @row or @column is out of range
 *
 * Since: 0.2
 */
const char *
loom_pg_result_get_text (LoomPgResult *self,
                         int           row,
                         int           column)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  if (row < 0 || row >= PQntuples (self->result) ||
      column < 0 || column >= PQnfields (self->result) ||
      PQgetisnull (self->result, row, column))
    return NULL;
  return PQgetvalue (self->result, row, column);
}

static const char *
type_name (Oid type)
{
  switch (type)
    {
    case LOOM_PG_OID_BOOL: return "bool";
    case LOOM_PG_OID_BYTEA: return "bytea";
    case LOOM_PG_OID_INT2: return "int2";
    case LOOM_PG_OID_INT4: return "int4";
    case LOOM_PG_OID_INT8: return "int8";
    case LOOM_PG_OID_TEXT: return "text";
    case LOOM_PG_OID_VARCHAR: return "varchar";
    case LOOM_PG_OID_FLOAT4: return "float4";
    case LOOM_PG_OID_FLOAT8: return "float8";
    case LOOM_PG_OID_NUMERIC: return "numeric";
    case LOOM_PG_OID_UUID: return "uuid";
    case LOOM_PG_OID_JSON: return "json";
    case LOOM_PG_OID_JSONB: return "jsonb";
    case LOOM_PG_OID_DATE: return "date";
    case LOOM_PG_OID_TIMESTAMP: return "timestamp";
    case LOOM_PG_OID_TIMESTAMPTZ: return "timestamptz";
    case LOOM_PG_OID_INTERVAL: return "interval";
    default: return NULL;
    }
}

/* The text of a non-NULL cell whose column has one of @types (0-ended),
 * or NULL with an error. */
static const char *
typed_cell (LoomPgResult *self,
            int           row,
            int           column,
            const Oid    *types,
            const char   *what,
            GError      **error)
{
  Oid type;
  gboolean ok = FALSE;

  if (column < 0 || column >= PQnfields (self->result))
    {
      g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_SUCH_COLUMN,
                   _("Column %d is out of range: the result has %d columns"),
                   column, PQnfields (self->result));
      return NULL;
    }
  if (row < 0 || row >= PQntuples (self->result))
    {
      g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_ROWS,
                   _("Row %d is out of range: the result has %d rows"),
                   row, PQntuples (self->result));
      return NULL;
    }

  type = PQftype (self->result, column);
  for (const Oid *t = types; *t != 0; t++)
    ok |= (*t == type);
  if (!ok)
    {
      const char *name = type_name (type);

      if (name != NULL)
        g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE,
                     _("Column “%s” is of type %s, not %s"),
                     PQfname (self->result, column), name, _(what));
      else
        g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE,
                     _("Column “%s” is of type OID %u, not %s"),
                     PQfname (self->result, column), type, _(what));
      return NULL;
    }
  if (PQgetisnull (self->result, row, column))
    {
      g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NULL_VALUE,
                   _("Column “%s” of row %d is NULL"),
                   PQfname (self->result, column), row);
      return NULL;
    }
  return PQgetvalue (self->result, row, column);
}

static gboolean
bad_value (GError    **error,
           const char *what,
           const char *text)
{
  g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE,
               _("The value “%s” cannot be read as %s"), text, _(what));
  return FALSE;
}

static const Oid int_types[] = { LOOM_PG_OID_INT2, LOOM_PG_OID_INT4, LOOM_PG_OID_INT8, LOOM_PG_OID_OID, 0 };

/* The server's usual output for an integer: an optional minus sign and at
 * most 18 digits, which cannot overflow; anything else goes the long way. */
static gboolean
parse_short_integer (const char *text,
                     gint64     *value)
{
  const char *p = text + (*text == '-');
  const char *start = p;
  gint64 v = 0;

  while (*p >= '0' && *p <= '9' && p - start < 18)
    v = v * 10 + (*p++ - '0');
  if (*p != '\0' || p == start)
    return FALSE;
  *value = *text == '-' ? -v : v;
  return TRUE;
}

/**
 * loom_pg_result_get_int64:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets an integer value (`int2`, `int4`, `int8`, `oid`).
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.2
 */
gint64
loom_pg_result_get_int64 (LoomPgResult  *self,
                          int            row,
                          int            column,
                          GError       **error)
{
  const char *text;
  gint64 value;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), 0);

  text = typed_cell (self, row, column, int_types, N_("an integer"), error);
  if (text == NULL)
    return 0;
  if (parse_short_integer (text, &value))
    return value;
  if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return bad_value (error, N_("an integer"), text);
  return value;
}

static const Oid double_types[] = { LOOM_PG_OID_FLOAT4, LOOM_PG_OID_FLOAT8, LOOM_PG_OID_INT2,
                                    LOOM_PG_OID_INT4, LOOM_PG_OID_INT8, 0 };

/**
 * loom_pg_result_get_double:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a floating-point value (`float4`, `float8`, or an integer type).
 * `NaN` and the infinities come back as such. `numeric` is refused, since
 * a double would round it: use [method@LoomPg.Result.get_numeric].
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.2
 */
double
loom_pg_result_get_double (LoomPgResult  *self,
                           int            row,
                           int            column,
                           GError       **error)
{
  const char *text;
  char *end = NULL;
  double value;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), 0);

  text = typed_cell (self, row, column, double_types, N_("a floating-point number"), error);
  if (text == NULL)
    return 0;
  if (strcmp (text, "NaN") == 0)
    return NAN;
  if (strcmp (text, "Infinity") == 0)
    return INFINITY;
  if (strcmp (text, "-Infinity") == 0)
    return -INFINITY;
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0')
    return bad_value (error, N_("a floating-point number"), text);
  return value;
}

static const Oid bool_types[] = { LOOM_PG_OID_BOOL, 0 };

/**
 * loom_pg_result_get_boolean:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a `bool` value.
 *
 * Returns: the value, or %FALSE with @error set
 *
 * Since: 0.2
 */
gboolean
loom_pg_result_get_boolean (LoomPgResult  *self,
                            int            row,
                            int            column,
                            GError       **error)
{
  const char *text;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), FALSE);

  text = typed_cell (self, row, column, bool_types, N_("a boolean"), error);
  if (text == NULL)
    return FALSE;
  if (strcmp (text, "t") == 0)
    return TRUE;
  if (strcmp (text, "f") == 0)
    return FALSE;
  return bad_value (error, N_("a boolean"), text);
}

static const Oid numeric_types[] = { LOOM_PG_OID_NUMERIC, 0 };

/**
 * loom_pg_result_get_numeric:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a `numeric` value as its exact decimal text (`"12.50"`, `"NaN"`).
 *
 * Returns: (transfer none): the text, valid as long as @self, or %NULL
 *   with @error set
 *
 * Since: 0.2
 */
const char *
loom_pg_result_get_numeric (LoomPgResult  *self,
                            int            row,
                            int            column,
                            GError       **error)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  return typed_cell (self, row, column, numeric_types, "numeric", error);
}

static const Oid uuid_types[] = { LOOM_PG_OID_UUID, 0 };

/**
 * loom_pg_result_get_uuid:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a `uuid` value in its canonical lower-case text form.
 *
 * Returns: (transfer none): the text, valid as long as @self, or %NULL
 *   with @error set
 *
 * Since: 0.2
 */
const char *
loom_pg_result_get_uuid (LoomPgResult  *self,
                         int            row,
                         int            column,
                         GError       **error)
{
  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  return typed_cell (self, row, column, uuid_types, "uuid", error);
}

static const Oid bytea_types[] = { LOOM_PG_OID_BYTEA, 0 };

/**
 * loom_pg_result_get_bytes:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a `bytea` value.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set
 *
 * Since: 0.2
 */
GBytes *
loom_pg_result_get_bytes (LoomPgResult  *self,
                          int            row,
                          int            column,
                          GError       **error)
{
  const char *text;
  unsigned char *data;
  size_t length = 0;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  text = typed_cell (self, row, column, bytea_types, "bytea", error);
  if (text == NULL)
    return NULL;
  if (PQfformat (self->result, column) == 1)
    return g_bytes_new (text, PQgetlength (self->result, row, column));
  data = PQunescapeBytea ((const unsigned char *) text, &length);
  if (data == NULL)
    {
      g_set_error_literal (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE,
                           _("A bytea value does not decode"));
      return NULL;
    }
  return g_bytes_new_with_free_func (data, length, PQfreemem, data);
}

/* "YYYY-MM-DD[ HH:MM:SS[.ffffff][±HH[:MM[:SS]]]]" in DateStyle ISO. */
static GDateTime *
parse_timestamp (const char *text,
                 gboolean    want_time,
                 gboolean    want_zone)
{
  int year, month, day, hour = 0, minute = 0, consumed = 0;
  double seconds = 0;
  const char *p;
  g_autoptr(GTimeZone) zone = NULL;

  if (sscanf (text, "%4d-%2d-%2d%n", &year, &month, &day, &consumed) != 3 || consumed != 10)
    return NULL;
  p = text + consumed;
  if (want_time)
    {
      int hour_end = 0;
      char *end;

      if (sscanf (p, " %2d:%2d:%n", &hour, &minute, &hour_end) != 2 || hour_end != 7)
        return NULL;
      p += hour_end;
      seconds = g_ascii_strtod (p, &end);
      if (end == p)
        return NULL;
      p = end;
    }
  if (want_zone)
    {
      int sign, zh = 0, zm = 0, zs = 0;

      if (*p != '+' && *p != '-')
        return NULL;
      sign = *p == '-' ? -1 : 1;
      if (sscanf (p + 1, "%2d:%2d:%2d", &zh, &zm, &zs) < 1)
        return NULL;
      zone = g_time_zone_new_offset (sign * (zh * 3600 + zm * 60 + zs));
      p += strspn (p + 1, "0123456789:") + 1;
    }
  else
    zone = g_time_zone_new_utc ();
  if (*p != '\0')
    return NULL;  /* " BC", or a DateStyle other than ISO */
  return g_date_time_new (zone, year, month, day, hour, minute, seconds);
}

static const Oid datetime_types[] = { LOOM_PG_OID_DATE, LOOM_PG_OID_TIMESTAMP, LOOM_PG_OID_TIMESTAMPTZ, 0 };

/**
 * loom_pg_result_get_datetime:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a `date`, `timestamp` or `timestamptz` value, to the microsecond.
 * A `date` is its midnight in UTC, a `timestamp` (without time zone) is
 * read as UTC, a `timestamptz` keeps the offset the session's `TimeZone`
 * gave it. `infinity` and dates BC have no #GDateTime and fail with
 * %LOOM_PG_ERROR_WRONG_TYPE.
 *
 * Returns: (transfer full): the moment, or %NULL with @error set
 *
 * Since: 0.2
 */
GDateTime *
loom_pg_result_get_datetime (LoomPgResult  *self,
                             int            row,
                             int            column,
                             GError       **error)
{
  const char *text;
  GDateTime *value;
  Oid type;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  text = typed_cell (self, row, column, datetime_types, N_("a date or timestamp"), error);
  if (text == NULL)
    return NULL;
  type = PQftype (self->result, column);
  value = parse_timestamp (text, type != LOOM_PG_OID_DATE, type == LOOM_PG_OID_TIMESTAMPTZ);
  if (value == NULL)
    bad_value (error, N_("a GDateTime"), text);
  return value;
}

static const Oid interval_types[] = { LOOM_PG_OID_INTERVAL, 0 };

/**
 * loom_pg_result_get_interval:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets an `interval` value as microseconds. The rule: a day counts 24
 * hours; an interval with months or years has no fixed length and fails
 * with %LOOM_PG_ERROR_WRONG_TYPE (read it with
 * [method@LoomPg.Result.get_text], or `justify_interval()` or
 * `extract(epoch from …)` it in SQL). Needs the default `IntervalStyle`,
 * `postgres`.
 *
 * Returns: the interval, or 0 with @error set
 *
 * Since: 0.2
 */
GTimeSpan
loom_pg_result_get_interval (LoomPgResult  *self,
                             int            row,
                             int            column,
                             GError       **error)
{
  const char *text, *p;
  GTimeSpan total = 0;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), 0);

  text = typed_cell (self, row, column, interval_types, N_("an interval"), error);
  if (text == NULL)
    return 0;

  /* "[N year[s]] [N mon[s]] [N day[s]] [-]HH:MM:SS[.ffffff]" */
  p = text;
  while (*p != '\0')
    {
      char *end;
      gint64 n;

      while (*p == ' ')
        p++;
      if (*p == '\0')
        break;
      n = g_ascii_strtoll (p, &end, 10);
      if (end == p)
        return bad_value (error, N_("an interval"), text);
      if (*end == ':')
        {
          int sign = *p == '-' ? -1 : 1;
          int minutes = 0, consumed = 0;
          double seconds = 0;

          if (sscanf (end, ":%2d:%lf%n", &minutes, &seconds, &consumed) != 2)
            return bad_value (error, N_("an interval"), text);
          total += sign * ((ABS (n) * 3600 + minutes * 60) * G_TIME_SPAN_SECOND +
                           (GTimeSpan) (seconds * G_TIME_SPAN_SECOND + 0.5));
          p = end + consumed;
          continue;
        }
      if (g_str_has_prefix (end, " day"))
        total += n * G_TIME_SPAN_DAY;
      else if (n != 0 && (g_str_has_prefix (end, " mon") || g_str_has_prefix (end, " year")))
        {
          g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE,
                       _("The interval “%s” has months or years, which have no fixed length"),
                       text);
          return 0;
        }
      else if (!g_str_has_prefix (end, " mon") && !g_str_has_prefix (end, " year"))
        return bad_value (error, N_("an interval"), text);
      p = strchr (end + 1, ' ');
      if (p == NULL)
        break;
    }
  return total;
}

static const Oid json_types[] = { LOOM_PG_OID_JSON, LOOM_PG_OID_JSONB, 0 };

/**
 * loom_pg_result_get_json:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a `json` or `jsonb` value, parsed. Its text is
 * [method@LoomPg.Result.get_text].
 *
 * Returns: (transfer full): the document, or %NULL with @error set
 *
 * Since: 0.2
 */
JsonNode *
loom_pg_result_get_json (LoomPgResult  *self,
                         int            row,
                         int            column,
                         GError       **error)
{
  const char *text;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  text = typed_cell (self, row, column, json_types, "JSON", error);
  if (text == NULL)
    return NULL;
  return json_from_string (text, error);
}

static const Oid array_types[] = {
  LOOM_PG_OID_BOOL_ARRAY, LOOM_PG_OID_INT2_ARRAY, LOOM_PG_OID_INT4_ARRAY,
  LOOM_PG_OID_INT8_ARRAY, LOOM_PG_OID_TEXT_ARRAY, LOOM_PG_OID_BPCHAR_ARRAY,
  LOOM_PG_OID_VARCHAR_ARRAY, LOOM_PG_OID_FLOAT4_ARRAY, LOOM_PG_OID_FLOAT8_ARRAY,
  LOOM_PG_OID_TIMESTAMP_ARRAY, LOOM_PG_OID_DATE_ARRAY, LOOM_PG_OID_TIMESTAMPTZ_ARRAY,
  LOOM_PG_OID_INTERVAL_ARRAY, LOOM_PG_OID_NUMERIC_ARRAY, LOOM_PG_OID_UUID_ARRAY,
  LOOM_PG_OID_JSON_ARRAY, LOOM_PG_OID_JSONB_ARRAY, 0
};

/* One element of an array literal: a quoted one unescaped, a bare one up
 * to the next delimiter; NULL (with *is_null) for a bare NULL. */
static char *
array_element (const char **pp,
               gboolean    *is_null)
{
  const char *p = *pp;
  GString *element = g_string_new (NULL);

  *is_null = FALSE;
  if (*p == '"')
    {
      for (p++; *p != '\0' && *p != '"'; p++)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          g_string_append_c (element, *p);
        }
      if (*p != '"')
        {
          g_string_free (element, TRUE);
          return NULL;
        }
      p++;
    }
  else
    {
      for (; *p != '\0' && *p != ',' && *p != '}'; p++)
        {
          if (*p == '{' || *p == '"')
            {
              g_string_free (element, TRUE);
              return NULL;
            }
          g_string_append_c (element, *p);
        }
      *is_null = g_ascii_strcasecmp (element->str, "NULL") == 0;
    }
  *pp = p;
  return g_string_free (element, FALSE);
}

/**
 * loom_pg_result_get_strv:
 * @self: a result
 * @row: a row index
 * @column: a column index
 * @error: return location for a #GError
 *
 * Gets a one-dimensional array of a built-in scalar type (`int4[]`,
 * `text[]`, `uuid[]`, …) as the text form of its elements, unquoted.
 * An array with a NULL element fails with %LOOM_PG_ERROR_NULL_VALUE (a
 * string vector has no NULL element); a multi-dimensional one with
 * %LOOM_PG_ERROR_WRONG_TYPE.
 *
 * Returns: (transfer full) (array zero-terminated=1): the elements, or
 *   %NULL with @error set
 *
 * Since: 0.2
 */
char **
loom_pg_result_get_strv (LoomPgResult  *self,
                         int            row,
                         int            column,
                         GError       **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  const char *text, *p;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);

  text = typed_cell (self, row, column, array_types, N_("an array"), error);
  if (text == NULL)
    return NULL;

  p = text;
  if (*p == '[')  /* "[0:2]={…}": explicit bounds */
    {
      p = strstr (p, "={");
      if (p == NULL)
        return (bad_value (error, N_("an array"), text), NULL);
      p++;
    }
  if (*p != '{')
    return (bad_value (error, N_("an array"), text), NULL);
  p++;
  builder = g_strv_builder_new ();
  while (*p != '}')
    {
      gboolean is_null;
      char *element = array_element (&p, &is_null);

      if (element == NULL)
        {
          g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE,
                       _("The array “%s” is not one-dimensional"), text);
          return NULL;
        }
      if (is_null)
        {
          g_free (element);
          g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NULL_VALUE,
                       _("The array in column “%s” has a NULL element"),
                       PQfname (self->result, column));
          return NULL;
        }
      g_strv_builder_add (builder, element);
      g_free (element);
      if (*p == ',')
        p++;
      else if (*p != '}')
        return (bad_value (error, N_("an array"), text), NULL);
    }
  if (p[1] != '\0')
    return (bad_value (error, N_("an array"), text), NULL);
  return g_strv_builder_end (builder);
}

static int
column_by_name (LoomPgResult  *self,
                const char    *name,
                GError       **error)
{
  int column = loom_pg_result_get_column_index (self, name);

  if (column < 0)
    g_set_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_SUCH_COLUMN,
                 _("The result has no column “%s”"), name);
  return column;
}

/**
 * loom_pg_result_is_null_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * Checks whether a value, found by column name, is SQL NULL.
 *
 * Returns: %TRUE for NULL; %FALSE otherwise or with @error set when no
 *   column has @name
 *
 * Since: 0.2
 */
gboolean
loom_pg_result_is_null_by_name (LoomPgResult  *self,
                                int            row,
                                const char    *name,
                                GError       **error)
{
  int column;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  column = column_by_name (self, name, error);
  return column >= 0 && loom_pg_result_is_null (self, row, column);
}

/**
 * loom_pg_result_get_text_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * Gets a value of any type, found by column name, in its text form.
 *
 * Returns: (nullable): the text, valid as long as @self; %NULL for SQL
 *   NULL, or with @error set when no column has @name
 *
 * Since: 0.2
 */
const char *
loom_pg_result_get_text_by_name (LoomPgResult  *self,
                                 int            row,
                                 const char    *name,
                                 GError       **error)
{
  int column;

  g_return_val_if_fail (LOOM_PG_IS_RESULT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  column = column_by_name (self, name, error);
  return column >= 0 ? loom_pg_result_get_text (self, row, column) : NULL;
}

#define BY_NAME(ret, getter, fail)                                      \
  ret                                                                   \
  loom_pg_result_get_##getter##_by_name (LoomPgResult  *self,           \
                                         int            row,            \
                                         const char    *name,           \
                                         GError       **error)          \
  {                                                                     \
    int column;                                                         \
                                                                        \
    g_return_val_if_fail (LOOM_PG_IS_RESULT (self), fail);              \
    g_return_val_if_fail (name != NULL, fail);                          \
                                                                        \
    column = column_by_name (self, name, error);                        \
    if (column < 0)                                                     \
      return fail;                                                      \
    return loom_pg_result_get_##getter (self, row, column, error);      \
  }

/**
 * loom_pg_result_get_int64_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_int64] for a column found by name.
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.2
 */
BY_NAME (gint64, int64, 0)

/**
 * loom_pg_result_get_double_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_double] for a column found by name.
 *
 * Returns: the value, or 0 with @error set
 *
 * Since: 0.2
 */
BY_NAME (double, double, 0)

/**
 * loom_pg_result_get_boolean_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_boolean] for a column found by name.
 *
 * Returns: the value, or %FALSE with @error set
 *
 * Since: 0.2
 */
BY_NAME (gboolean, boolean, FALSE)

/**
 * loom_pg_result_get_numeric_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_numeric] for a column found by name.
 *
 * Returns: (transfer none): the text, or %NULL with @error set
 *
 * Since: 0.2
 */
BY_NAME (const char *, numeric, NULL)

/**
 * loom_pg_result_get_uuid_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_uuid] for a column found by name.
 *
 * Returns: (transfer none): the text, or %NULL with @error set
 *
 * Since: 0.2
 */
BY_NAME (const char *, uuid, NULL)

/**
 * loom_pg_result_get_bytes_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_bytes] for a column found by name.
 *
 * Returns: (transfer full): the bytes, or %NULL with @error set
 *
 * Since: 0.2
 */
BY_NAME (GBytes *, bytes, NULL)

/**
 * loom_pg_result_get_datetime_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_datetime] for a column found by name.
 *
 * Returns: (transfer full): the moment, or %NULL with @error set
 *
 * Since: 0.2
 */
BY_NAME (GDateTime *, datetime, NULL)

/**
 * loom_pg_result_get_interval_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_interval] for a column found by name.
 *
 * Returns: the interval, or 0 with @error set
 *
 * Since: 0.2
 */
BY_NAME (GTimeSpan, interval, 0)

/**
 * loom_pg_result_get_json_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_json] for a column found by name.
 *
 * Returns: (transfer full): the document, or %NULL with @error set
 *
 * Since: 0.2
 */
BY_NAME (JsonNode *, json, NULL)

/**
 * loom_pg_result_get_strv_by_name:
 * @self: a result
 * @row: a row index
 * @name: a column name
 * @error: return location for a #GError
 *
 * [method@LoomPg.Result.get_strv] for a column found by name.
 *
 * Returns: (transfer full) (array zero-terminated=1): the elements, or
 *   %NULL with @error set
 *
 * Since: 0.2
 */
BY_NAME (char **, strv, NULL)
