/* test-pg-connection.c: connecting, queries, parameters, result getters,
 * errors — against a throwaway server.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <math.h>

#include <glib/gstdio.h>

#include "loom-pg-test-util.h"

static LoomPgResult *
fetch (LoomPgConnection *conn,
       const char       *sql,
       LoomPgParams     *params)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) future = loom_pg_connection_fetch (conn, sql, params);
  LoomPgResult *result = loom_await_object (future, &error);

  g_assert_no_error (error);
  g_assert_true (LOOM_PG_IS_RESULT (result));
  return result;
}

static GError *
fetch_error (LoomPgConnection *conn,
             const char       *sql,
             LoomPgParams     *params)
{
  GError *error = NULL;
  g_autoptr(LoomFuture) future = loom_pg_connection_fetch (conn, sql, params);
  g_autoptr(GObject) result = loom_await_object (future, &error);

  g_assert_null (result);
  g_assert_nonnull (error);
  return error;
}

static void
close_conn (LoomPgConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) future = loom_pg_connection_close (conn);

  loom_await (future, &error);
  g_assert_no_error (error);
  g_assert_true (loom_pg_connection_is_closed (conn));
}

/* ---- connect and the four query shapes ---- */

static LoomFuture *
connect_and_query_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgConnection) tcp = loom_pg_test_connect (loom_pg_test_server.tcp_dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) value = NULL;
  g_autoptr(LoomFuture) affected = NULL;
  g_autoptr(LoomFuture) one = NULL;
  g_autoptr(LoomFuture) none = NULL;
  g_autoptr(LoomFuture) null_value = NULL;
  g_autoptr(LoomFuture) no_rows = NULL;
  g_autoptr(LoomPgResult) row = NULL;
  g_autoptr(GObject) missing = NULL;
  g_autofree char *text = NULL;
  g_autofree char *null_text = NULL;

  g_assert_cmpint (loom_pg_connection_get_server_version (conn), >=, 150000);
  g_assert_cmpint (loom_pg_connection_get_backend_pid (conn), >, 0);
  g_assert_cmpstr (loom_pg_connection_get_parameter (tcp, "server_encoding"), ==, "UTF8");

  value = loom_pg_connection_fetch_value (tcp, "SELECT 40 + 2", NULL);
  text = loom_await_string (value, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "42");

  null_value = loom_pg_connection_fetch_value (conn, "SELECT NULL::text", NULL);
  null_text = loom_await_string (null_value, &error);
  g_assert_no_error (error);
  g_assert_null (null_text);

  no_rows = loom_pg_connection_fetch_value (conn, "SELECT 1 WHERE false", NULL);
  g_assert_false (loom_await (no_rows, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_ROWS);
  g_clear_error (&error);

  affected = loom_pg_connection_execute (conn, "CREATE TEMP TABLE t AS SELECT g FROM generate_series(1, 7) g", NULL);
  g_assert_cmpint (loom_await_int64 (affected, &error), ==, 7);
  g_assert_no_error (error);

  one = loom_pg_connection_fetch_one (conn, "SELECT g, g * 2 AS twice FROM t ORDER BY g DESC", NULL);
  row = loom_await_object (one, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loom_pg_result_get_n_rows (row), ==, 1);
  g_assert_cmpint (loom_pg_result_get_int64_by_name (row, 0, "twice", &error), ==, 14);
  g_assert_no_error (error);

  none = loom_pg_connection_fetch_one (conn, "SELECT g FROM t WHERE g > 100", NULL);
  missing = loom_await_object (none, &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  close_conn (conn);
  close_conn (tcp);
  return NULL;
}

static void
test_connect_and_query (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (connect_and_query_task, NULL);
}

/* ---- the result: columns, tag, getters of every type ---- */

static LoomFuture *
getters_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgResult) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GDateTime) ts = NULL;
  g_autoptr(GDateTime) tstz = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_auto(GStrv) ints = NULL;
  g_auto(GStrv) texts = NULL;

  r = fetch (conn,
             "SELECT 1::int2 AS i2, (-2147483648)::int4 AS i4, 9223372036854775807::int8 AS i8,"
             " 1.5::float4 AS f4, 'NaN'::float8 AS nan, '-Infinity'::float8 AS ninf,"
             " 12345678901234567890.000000001::numeric AS num, true AS yes, false AS no,"
             " '\\x00ff0a'::bytea AS bin, ''::text AS empty, NULL::text AS nothing,"
             " 'héllo ✓ 世界'::text AS uni, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id,"
             " '2024-02-29 13:14:15.123456'::timestamp AS ts,"
             " '2024-02-29 13:14:15.5+05:30'::timestamptz AS tstz, '2024-02-29'::date AS d,"
             " '1 day 02:03:04.5'::interval AS iv, '1 mon'::interval AS month,"
             " '{\"a\": [1, 2]}'::jsonb AS j, ARRAY[1, 2, 3] AS ints,"
             " ARRAY['x', 'y z', 'q\"uote', 'back\\slash', ''] AS texts,"
             " ARRAY[1, NULL] AS holes, '{{1,2},{3,4}}'::int[] AS grid",
             NULL);

  g_assert_cmpint (loom_pg_result_get_n_rows (r), ==, 1);
  g_assert_cmpint (loom_pg_result_get_n_columns (r), ==, 24);
  g_assert_cmpstr (loom_pg_result_get_command_tag (r), ==, "SELECT 1");
  g_assert_cmpint (loom_pg_result_get_affected_rows (r), ==, 1);
  g_assert_cmpstr (loom_pg_result_get_column_name (r, 2), ==, "i8");
  g_assert_cmpuint (loom_pg_result_get_column_type (r, 1), ==, 23);
  g_assert_cmpint (loom_pg_result_get_column_index (r, "uni"), ==, 12);
  g_assert_cmpint (loom_pg_result_get_column_index (r, "UNI"), ==, -1);

  g_assert_cmpint (loom_pg_result_get_int64 (r, 0, 0, &error), ==, 1);
  g_assert_cmpint (loom_pg_result_get_int64 (r, 0, 1, &error), ==, G_MININT32);
  g_assert_cmpint (loom_pg_result_get_int64 (r, 0, 2, &error), ==, G_MAXINT64);
  g_assert_cmpfloat (loom_pg_result_get_double (r, 0, 3, &error), ==, 1.5);
  g_assert_true (isnan (loom_pg_result_get_double (r, 0, 4, &error)));
  g_assert_cmpfloat (loom_pg_result_get_double (r, 0, 5, &error), ==, -INFINITY);
  g_assert_cmpstr (loom_pg_result_get_numeric (r, 0, 6, &error), ==, "12345678901234567890.000000001");
  g_assert_true (loom_pg_result_get_boolean (r, 0, 7, &error));
  g_assert_false (loom_pg_result_get_boolean_by_name (r, 0, "no", &error));
  g_assert_no_error (error);

  bytes = loom_pg_result_get_bytes (r, 0, 9, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "\x00\xff\n", 3);

  /* NULL and the empty string are told apart. */
  g_assert_cmpstr (loom_pg_result_get_text (r, 0, 10), ==, "");
  g_assert_false (loom_pg_result_is_null (r, 0, 10));
  g_assert_null (loom_pg_result_get_text (r, 0, 11));
  g_assert_true (loom_pg_result_is_null (r, 0, 11));
  g_assert_true (loom_pg_result_is_null_by_name (r, 0, "nothing", &error));
  g_assert_cmpstr (loom_pg_result_get_text_by_name (r, 0, "uni", &error), ==, "héllo ✓ 世界");
  g_assert_cmpstr (loom_pg_result_get_uuid (r, 0, 13, &error), ==, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  g_assert_no_error (error);

  ts = loom_pg_result_get_datetime_by_name (r, 0, "ts", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_to_unix (ts), ==, 1709212455);
  g_assert_cmpint (g_date_time_get_microsecond (ts), ==, 123456);
  tstz = loom_pg_result_get_datetime_by_name (r, 0, "tstz", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_to_unix (tstz), ==, 1709212455 - 5 * 3600 - 1800);
  g_assert_cmpint (g_date_time_get_microsecond (tstz), ==, 500000);
  date = loom_pg_result_get_datetime_by_name (r, 0, "d", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_date_time_to_unix (date), ==, 1709164800);

  g_assert_cmpint (loom_pg_result_get_interval_by_name (r, 0, "iv", &error), ==,
                   G_TIME_SPAN_DAY + 2 * G_TIME_SPAN_HOUR + 3 * G_TIME_SPAN_MINUTE + 4500000);
  g_assert_no_error (error);
  g_assert_cmpint (loom_pg_result_get_interval_by_name (r, 0, "month", &error), ==, 0);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE);
  g_clear_error (&error);

  json = loom_pg_result_get_json_by_name (r, 0, "j", &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (json_node_get_object (json), "a"), 1), ==, 2);

  ints = loom_pg_result_get_strv_by_name (r, 0, "ints", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (ints, ((const char *[]) { "1", "2", "3", NULL }));
  texts = loom_pg_result_get_strv_by_name (r, 0, "texts", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (texts, ((const char *[]) { "x", "y z", "q\"uote", "back\\slash", "", NULL }));
  g_assert_null (loom_pg_result_get_strv_by_name (r, 0, "holes", &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NULL_VALUE);
  g_clear_error (&error);
  g_assert_null (loom_pg_result_get_strv_by_name (r, 0, "grid", &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE);
  g_clear_error (&error);

  /* Wrong types, NULLs and missing columns are errors, not garbage. */
  g_assert_cmpint (loom_pg_result_get_int64_by_name (r, 0, "uni", &error), ==, 0);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_false (loom_pg_result_get_boolean (r, 0, 1, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_cmpfloat (loom_pg_result_get_double (r, 0, 6, &error), ==, 0);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_null (loom_pg_result_get_bytes (r, 0, 12, &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_null (loom_pg_result_get_json_by_name (r, 0, "nothing", &error));
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_cmpint (loom_pg_result_get_int64_by_name (r, 0, "absent", &error), ==, 0);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_SUCH_COLUMN);
  g_clear_error (&error);
  g_assert_cmpint (loom_pg_result_get_int64 (r, 1, 0, &error), ==, 0);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NO_ROWS);
  g_clear_error (&error);

  {
    g_autoptr(LoomPgResult) n = fetch (conn, "SELECT NULL::int8 AS x", NULL);

    g_assert_cmpint (loom_pg_result_get_int64 (n, 0, 0, &error), ==, 0);
    g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_NULL_VALUE);
    g_clear_error (&error);
  }

  close_conn (conn);
  return NULL;
}

static void
test_getters (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (getters_task, NULL);
}

/* ---- parameters round-trip and stay data ---- */

static LoomFuture *
params_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgParams) params = loom_pg_params_new ();
  g_autoptr(LoomPgResult) r = NULL;
  g_autoptr(LoomPgResult) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = NULL;
  g_autoptr(GBytes) big_back = NULL;
  g_autoptr(GBytes) empty = g_bytes_new ("", 0);
  g_autoptr(GBytes) empty_back = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_utc (2023, 7, 1, 12, 30, 45.25);
  g_autoptr(GDateTime) when_back = NULL;
  const char *evil = "x'); DROP TABLE victims; --\\ \"quoted\" ;";
  guint8 *raw = g_malloc (3 * 1024 * 1024);

  for (gsize i = 0; i < 3 * 1024 * 1024; i++)
    raw[i] = (guint8) (i * 7 + (i >> 8));
  big = g_bytes_new_take (raw, 3 * 1024 * 1024);

  g_object_unref (fetch (conn, "CREATE TEMP TABLE victims (name text)", NULL));
  g_object_unref (fetch (conn, "INSERT INTO victims VALUES ('alive')", NULL));

  loom_pg_params_add_int64 (params, -5);
  loom_pg_params_add_double (params, 0.1);
  loom_pg_params_add_bool (params, TRUE);
  loom_pg_params_add_text (params, evil);
  loom_pg_params_add_bytes (params, big);
  loom_pg_params_add_null (params);
  loom_pg_params_add_json (params, "{\"k\": \"v\"}");
  loom_pg_params_add_datetime (params, when);
  loom_pg_params_add_text (params, "");
  loom_pg_params_add_bytes (params, empty);
  loom_pg_params_add_typed (params, 2950, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  loom_pg_params_add_text (params, "ünïcødé ✓");
  g_assert_cmpuint (loom_pg_params_get_length (params), ==, 12);

  r = fetch (conn, "SELECT $1::int4 AS i, $2 AS d, $3 AS b, $4::text AS evil, $5 AS big,"
                   " $6::text AS nothing, $7::jsonb ->> 'k' AS k, $8 AS ts, $9::text AS empty,"
                   " $10 AS empty_bytes, $11 AS id, $12::text AS uni",
             params);
  g_assert_cmpint (loom_pg_result_get_int64 (r, 0, 0, &error), ==, -5);
  g_assert_cmpfloat (loom_pg_result_get_double (r, 0, 1, &error), ==, 0.1);
  g_assert_true (loom_pg_result_get_boolean (r, 0, 2, &error));
  g_assert_cmpstr (loom_pg_result_get_text (r, 0, 3), ==, evil);
  big_back = loom_pg_result_get_bytes (r, 0, 4, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (big, big_back));
  g_assert_true (loom_pg_result_is_null (r, 0, 5));
  g_assert_cmpstr (loom_pg_result_get_text (r, 0, 6), ==, "v");
  when_back = loom_pg_result_get_datetime (r, 0, 7, &error);
  g_assert_no_error (error);
  g_assert_true (g_date_time_equal (when, when_back));
  g_assert_cmpstr (loom_pg_result_get_text (r, 0, 8), ==, "");
  g_assert_false (loom_pg_result_is_null (r, 0, 8));
  empty_back = loom_pg_result_get_bytes (r, 0, 9, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty_back), ==, 0);
  g_assert_cmpstr (loom_pg_result_get_uuid (r, 0, 10, &error), ==, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  g_assert_cmpstr (loom_pg_result_get_text (r, 0, 11), ==, "ünïcødé ✓");
  g_assert_no_error (error);

  /* The injection attempt went in as data and did nothing. */
  {
    g_autoptr(LoomPgParams) p = loom_pg_params_add_text (loom_pg_params_new (), evil);

    g_object_unref (fetch (conn, "INSERT INTO victims VALUES ($1)", p));
  }
  check = fetch (conn, "SELECT name FROM victims ORDER BY name", NULL);
  g_assert_cmpint (loom_pg_result_get_n_rows (check), ==, 2);
  g_assert_cmpstr (loom_pg_result_get_text (check, 0, 0), ==, "alive");
  g_assert_cmpstr (loom_pg_result_get_text (check, 1, 0), ==, evil);

  close_conn (conn);
  return NULL;
}

static void
test_params (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (params_task, NULL);
}

/* ---- server errors carry their fields ---- */

static LoomFuture *
errors_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomPgResult) after = NULL;

  error = fetch_error (conn, "SELECT * FROM no_such_table", NULL);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_SERVER);
  g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "42P01");
  g_assert_cmpstr (loom_pg_error_get_severity (error), ==, "ERROR");
  g_assert_cmpint (loom_pg_error_get_position (error), ==, 15);
  g_assert_nonnull (strstr (error->message, "42P01"));
  g_assert_nonnull (strstr (error->message, "no_such_table"));
  g_clear_error (&error);

  /* A copy keeps the fields. */
  error = fetch_error (conn, "SELECT 1/0", NULL);
  {
    g_autoptr(GError) copy = g_error_copy (error);

    g_assert_cmpstr (loom_pg_error_get_sqlstate (copy), ==, "22012");
  }
  g_clear_error (&error);

  error = fetch_error (conn, "DO $$ BEGIN RAISE EXCEPTION 'boom' USING DETAIL = 'the detail', HINT = 'the hint', ERRCODE = '40001'; END $$", NULL);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_SERIALIZATION);
  g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "40001");
  g_assert_cmpstr (loom_pg_error_get_detail (error), ==, "the detail");
  g_assert_cmpstr (loom_pg_error_get_hint (error), ==, "the hint");
  g_assert_nonnull (strstr (error->message, "HINT: the hint"));
  g_clear_error (&error);

  /* A syntax error in a statement the cache was preparing. */
  error = fetch_error (conn, "SELEC 1", NULL);
  g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "42601");
  g_assert_cmpint (loom_pg_error_get_position (error), ==, 1);
  g_clear_error (&error);
  error = fetch_error (conn, "SELEC 1", NULL);
  g_assert_cmpstr (loom_pg_error_get_sqlstate (error), ==, "42601");
  g_clear_error (&error);

  /* Not a server error: no fields. */
  g_assert_null (loom_pg_error_get_sqlstate (NULL));

  after = fetch (conn, "SELECT 'still fine'", NULL);
  g_assert_cmpstr (loom_pg_result_get_text (after, 0, 0), ==, "still fine");
  close_conn (conn);
  return NULL;
}

static void
test_errors (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (errors_task, NULL);
}

/* ---- the statement cache ---- */

static LoomFuture *
statement_cache_task (gpointer data)
{
  g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (loom_pg_test_server.unix_dsn);
  g_autoptr(LoomPgResult) prepared = NULL;

  g_assert_cmpuint (loom_pg_connection_get_statement_cache_size (conn), ==, 256);
  loom_pg_connection_set_statement_cache_size (conn, 3);
  for (int round = 0; round < 3; round++)
    for (int i = 0; i < 6; i++)
      {
        g_autofree char *sql = g_strdup_printf ("SELECT %d + $1::int4", i);
        g_autoptr(LoomPgParams) params = loom_pg_params_add_int64 (loom_pg_params_new (), round);
        g_autoptr(LoomPgResult) r = fetch (conn, sql, params);
        g_autofree char *expected = g_strdup_printf ("%d", i + round);

        g_assert_cmpstr (loom_pg_result_get_text (r, 0, 0), ==, expected);
      }

  /* The three cached ones and this query itself, prepared before the
   * oldest is deallocated: the rest are gone from the server. */
  prepared = fetch (conn, "SELECT count(*) FROM pg_prepared_statements", NULL);
  g_assert_cmpstr (loom_pg_result_get_text (prepared, 0, 0), ==, "4");

  loom_pg_connection_set_statement_cache_size (conn, 0);
  {
    g_autoptr(LoomPgResult) r = fetch (conn, "SELECT count(*) FROM pg_prepared_statements", NULL);

    g_assert_cmpstr (loom_pg_result_get_text (r, 0, 0), ==, "0");
  }
  close_conn (conn);
  return NULL;
}

static void
test_statement_cache (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (statement_cache_task, NULL);
}

/* ---- connection failures: clear errors, in time, no password ---- */

static void
assert_no_password (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, loom_pg_test_server.password));
  g_assert_null (strstr (error->message, "s3cr3t-pw"));
}

static GError *
connect_error (const char *conninfo)
{
  GError *error = NULL;
  g_autoptr(LoomFuture) future = loom_pg_connect (conninfo);
  g_autoptr(GObject) conn = loom_await_object (future, &error);

  g_assert_null (conn);
  g_assert_nonnull (error);
  return error;
}

static gboolean
accept_and_ignore (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source,
                   gpointer           data)
{
  /* Keep it open and never answer. */
  g_ptr_array_add (data, g_object_ref (connection));
  return TRUE;
}

static LoomFuture *
connect_failures_task (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wrong_pw = NULL;
  g_autofree char *silent = NULL;
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  guint16 port;
  gint64 start;

  /* A wrong password. */
  wrong_pw = g_strdup_printf ("%s password=s3cr3t-pw", loom_pg_test_server.tcp_dsn);
  error = connect_error (wrong_pw);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "password authentication failed"));
  assert_no_password (error);
  g_clear_error (&error);

  /* A conninfo that does not parse, with a password in it. */
  error = connect_error ("host=localhost s3cr3t-pw");
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_INVALID_CONNINFO);
  assert_no_password (error);
  g_clear_error (&error);

  /* Nobody listening. */
  error = connect_error ("host=127.0.0.1 port=1 user=x password=s3cr3t-pw");
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_CONNECTION);
  assert_no_password (error);
  g_clear_error (&error);

  /* A name that does not resolve (.invalid never does, RFC 2606). */
  error = connect_error ("host=no-such-host.invalid user=x password=s3cr3t-pw connect_timeout=5");
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_RESOLVE);
  g_assert_nonnull (strstr (error->message, "no-such-host.invalid"));
  assert_no_password (error);
  g_clear_error (&error);

  /* A server that accepts TCP and never answers: the timeout. */
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (accept_and_ignore), held);
  g_socket_service_start (service);
  silent = g_strdup_printf ("host=127.0.0.1 port=%u user=x password=s3cr3t-pw connect_timeout=2", port);
  start = g_get_monotonic_time ();
  error = connect_error (silent);
  g_assert_error (error, LOOM_PG_ERROR, LOOM_PG_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1900 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);
  assert_no_password (error);
  g_assert_cmpuint (held->len, >=, 1);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  return NULL;
}

static void
test_connect_failures (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (connect_failures_task, NULL);
}

/* ---- conninfo features pass through ---- */

static LoomFuture *
conninfo_task (gpointer data)
{
  const char *tcp = loom_pg_test_server.tcp_dsn;
  const char *port = strstr (tcp, "port=") + 5;
  g_autofree char *port_s = g_strndup (port, strcspn (port, " "));
  g_autofree char *uri = g_strdup_printf ("postgresql://loom:%s@localhost:%s/postgres?application_name=loom-uri",
                                          loom_pg_test_server.password, port_s);
  g_autofree char *multi = g_strdup_printf ("host=127.0.0.1,localhost port=1,%s user=loom password=%s "
                                            "dbname=postgres target_session_attrs=read-write",
                                            port_s, loom_pg_test_server.password);
  g_autofree char *passfile_path = g_build_filename (g_get_tmp_dir (), "loom-pg-test-passfile-XXXXXX", NULL);
  g_autofree char *passfile = NULL;
  g_autofree char *pass_line = g_strdup_printf ("localhost:%s:*:loom:%s\n", port_s, loom_pg_test_server.password);
  g_autoptr(GError) error = NULL;
  int fd;

  {
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (uri);

    g_assert_cmpstr (loom_pg_connection_get_parameter (conn, "application_name"), ==, "loom-uri");
    close_conn (conn);
  }
  {
    /* The first host refuses; libpq goes on to the second. */
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (multi);
    g_autoptr(LoomPgResult) r = fetch (conn, "SELECT pg_is_in_recovery()", NULL);

    g_assert_false (loom_pg_result_get_boolean (r, 0, 0, &error));
    g_assert_no_error (error);
    close_conn (conn);
  }

  fd = g_mkstemp_full (passfile_path, O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, pass_line, strlen (pass_line)), ==, (gssize) strlen (pass_line));
  close (fd);
  passfile = g_strdup_printf ("host=localhost port=%s user=loom dbname=postgres passfile=%s sslmode=disable",
                              port_s, passfile_path);
  {
    g_autoptr(LoomPgConnection) conn = loom_pg_test_connect (passfile);

    close_conn (conn);
  }
  g_unlink (passfile_path);
  return NULL;
}

static void
test_conninfo (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (conninfo_task, NULL);
}

/* ---- the GIO-shaped twins ---- */

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static LoomFuture *
gio_twins_task (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LoomFuture) connected = loom_future_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LoomPgConnection) conn = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timer = NULL;
  gint64 start;

  loom_pg_connect_async (loom_pg_test_server.unix_dsn, NULL, loom_gio_callback, g_object_ref (connected));
  result = loom_await_object (connected, &error);
  g_assert_no_error (error);
  conn = loom_pg_connect_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (LOOM_PG_IS_CONNECTION (conn));
  g_clear_object (&result);

  {
    g_autoptr(LoomFuture) done = loom_future_new ();
    g_autoptr(LoomPgResult) rows = NULL;

    loom_pg_connection_query_async (conn, "SELECT 'twin'", NULL, NULL, loom_gio_callback, g_object_ref (done));
    result = loom_await_object (done, &error);
    rows = loom_pg_connection_query_finish (conn, result, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (loom_pg_result_get_text (rows, 0, 0), ==, "twin");
    g_clear_object (&result);
  }

  /* A GCancellable cancels the statement on the server. */
  timer = g_timeout_source_new (200);
  g_source_set_callback (timer, cancel_later, g_object_ref (cancellable), g_object_unref);
  g_source_attach (timer, g_main_context_get_thread_default ());
  start = g_get_monotonic_time ();
  {
    g_autoptr(LoomFuture) done = loom_future_new ();

    loom_pg_connection_execute_async (conn, "SELECT pg_sleep(10)", NULL, cancellable, loom_gio_callback, g_object_ref (done));
    result = loom_await_object (done, &error);
    g_assert_cmpint (loom_pg_connection_execute_finish (conn, result, &error), ==, -1);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_clear_object (&result);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_TIME_SPAN_SECOND);
  {
    g_autoptr(LoomFuture) after = loom_pg_connection_fetch_value (conn, "SELECT 'after'", NULL);
    g_autofree char *value = loom_await_string (after, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (value, ==, "after");
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 6 * G_TIME_SPAN_SECOND);
  g_source_destroy (timer);

  {
    g_autoptr(LoomFuture) done = loom_future_new ();

    loom_pg_connection_close_async (conn, NULL, loom_gio_callback, g_object_ref (done));
    result = loom_await_object (done, &error);
    g_assert_true (loom_pg_connection_close_finish (conn, result, &error));
    g_assert_no_error (error);
    g_clear_object (&result);
  }
  return NULL;
}

static void
test_gio_twins (void)
{
  if (!loom_pg_test_server_require ())
    return;
  loom_pg_test_run (gio_twins_task, NULL);
}

int
main (int   argc,
      char *argv[])
{
  loom_pg_test_init (&argc, &argv);

  g_test_add_func ("/pg/connection/connect-and-query", test_connect_and_query);
  g_test_add_func ("/pg/connection/getters", test_getters);
  g_test_add_func ("/pg/connection/params", test_params);
  g_test_add_func ("/pg/connection/errors", test_errors);
  g_test_add_func ("/pg/connection/statement-cache", test_statement_cache);
  g_test_add_func ("/pg/connection/connect-failures", test_connect_failures);
  g_test_add_func ("/pg/connection/conninfo", test_conninfo);
  g_test_add_func ("/pg/connection/gio-twins", test_gio_twins);

  return g_test_run ();
}
