/* loom-pg-params.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-pg-params-private.h"
#include "loom-pg-types-private.h"

/**
 * LoomPgParams:
 *
 * The parameters of one statement: `$1`, `$2`, … in the order they were
 * added. They travel apart from the SQL text (the extended query
 * protocol), so a value is never parsed as SQL — quotes, backslashes and
 * semicolons in it stay data.
 *
 * Each `add_` call gives the value a type OID, so the server knows what
 * it gets: `int8` for [method@LoomPg.Params.add_int64], `float8`, `bool`,
 * `bytea` (sent in binary), `json`, `timestamptz`. Text
 * ([method@LoomPg.Params.add_text]) and NULL are sent untyped, as a quoted
 * literal would be: the server infers the type from where the parameter
 * is used, so `WHERE id = $1` works with the text `"42"`. Use
 * [method@LoomPg.Params.add_typed] to name any other type.
 *
 * ```c
 * g_autoptr(LoomPgParams) params = loom_pg_params_new ();
 *
 * loom_pg_params_add_text (loom_pg_params_add_int64 (params, 42), "O'Brien");
 * future = loom_pg_connection_fetch (conn, "SELECT $1::int4, $2", params);
 * ```
 */

G_DEFINE_BOXED_TYPE (LoomPgParams, loom_pg_params, loom_pg_params_ref, loom_pg_params_unref)

/**
 * loom_pg_params_new:
 *
 * Creates an empty parameter list.
 *
 * Returns: (transfer full): the new list
 */
LoomPgParams *
loom_pg_params_new (void)
{
  LoomPgParams *self = g_new0 (LoomPgParams, 1);

  self->ref_count = 1;
  self->values = g_ptr_array_new_with_free_func (g_free);
  self->lengths = g_array_new (FALSE, FALSE, sizeof (int));
  self->formats = g_array_new (FALSE, FALSE, sizeof (int));
  self->types = g_array_new (FALSE, FALSE, sizeof (Oid));
  return self;
}

/**
 * loom_pg_params_ref:
 * @self: a parameter list
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self
 */
LoomPgParams *
loom_pg_params_ref (LoomPgParams *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_int_inc (&self->ref_count);
  return self;
}

/**
 * loom_pg_params_unref:
 * @self: (transfer full): a parameter list
 *
 * Drops a reference to @self, freeing it with the last one.
 */
void
loom_pg_params_unref (LoomPgParams *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_ptr_array_unref (self->values);
  g_array_unref (self->lengths);
  g_array_unref (self->formats);
  g_array_unref (self->types);
  g_free (self);
}

/**
 * loom_pg_params_get_length:
 * @self: a parameter list
 *
 * Gets how many parameters @self holds.
 *
 * Returns: the number of parameters
 */
guint
loom_pg_params_get_length (LoomPgParams *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->values->len;
}

static LoomPgParams *
add_value (LoomPgParams *self,
           char         *value,
           int           length,
           int           format,
           Oid           type)
{
  g_ptr_array_add (self->values, value);
  g_array_append_val (self->lengths, length);
  g_array_append_val (self->formats, format);
  g_array_append_val (self->types, type);
  return self;
}

/**
 * loom_pg_params_add_int64:
 * @self: a parameter list
 * @value: the value
 *
 * Adds an integer parameter, of type `int8`. The server converts it where
 * a smaller integer is needed; write `$1::int4` to say so explicitly.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_int64 (LoomPgParams *self,
                          gint64        value)
{
  g_return_val_if_fail (self != NULL, NULL);

  return add_value (self, g_strdup_printf ("%" G_GINT64_FORMAT, value), 0, 0, LOOM_PG_OID_INT8);
}

/**
 * loom_pg_params_add_double:
 * @self: a parameter list
 * @value: the value; infinities and NaN are sent as PostgreSQL spells them
 *
 * Adds a floating-point parameter, of type `float8`, with every digit
 * needed to read the same double back.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_double (LoomPgParams *self,
                           double        value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text;

  g_return_val_if_fail (self != NULL, NULL);

  if (isnan (value))
    text = "NaN";
  else if (isinf (value))
    text = value > 0 ? "Infinity" : "-Infinity";
  else
    text = g_ascii_dtostr (buffer, sizeof buffer, value);
  return add_value (self, g_strdup (text), 0, 0, LOOM_PG_OID_FLOAT8);
}

/**
 * loom_pg_params_add_bool:
 * @self: a parameter list
 * @value: the value
 *
 * Adds a boolean parameter, of type `bool`.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_bool (LoomPgParams *self,
                         gboolean      value)
{
  g_return_val_if_fail (self != NULL, NULL);

  return add_value (self, g_strdup (value ? "t" : "f"), 0, 0, LOOM_PG_OID_BOOL);
}

/**
 * loom_pg_params_add_text:
 * @self: a parameter list
 * @value: (nullable): the text, in UTF-8; %NULL adds an SQL NULL
 *
 * Adds a text parameter, untyped: the server infers its type from where
 * it is used, as for a quoted literal.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_text (LoomPgParams *self,
                         const char   *value)
{
  g_return_val_if_fail (self != NULL, NULL);

  return add_value (self, g_strdup (value), 0, 0, 0);
}

/**
 * loom_pg_params_add_bytes:
 * @self: a parameter list
 * @value: (nullable): the bytes; %NULL adds an SQL NULL
 *
 * Adds a `bytea` parameter. It is sent in binary, so any byte, zero
 * included, arrives as it is.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_bytes (LoomPgParams *self,
                          GBytes       *value)
{
  gsize size = 0;
  gconstpointer data;

  g_return_val_if_fail (self != NULL, NULL);

  if (value == NULL)
    return add_value (self, NULL, 0, 1, LOOM_PG_OID_BYTEA);
  data = g_bytes_get_data (value, &size);
  g_return_val_if_fail (size <= G_MAXINT, self);
  /* g_memdup2 (NULL, 0) is NULL, which would read as SQL NULL. */
  return add_value (self, size ? g_memdup2 (data, size) : g_strdup (""), (int) size, 1, LOOM_PG_OID_BYTEA);
}

/**
 * loom_pg_params_add_null:
 * @self: a parameter list
 *
 * Adds an SQL NULL, untyped.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_null (LoomPgParams *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return add_value (self, NULL, 0, 0, 0);
}

/**
 * loom_pg_params_add_json:
 * @self: a parameter list
 * @json: (nullable): a JSON document; %NULL adds an SQL NULL
 *
 * Adds a parameter of type `json`, which the server checks. Columns of
 * type `jsonb` take it as they are.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_json (LoomPgParams *self,
                         const char   *json)
{
  g_return_val_if_fail (self != NULL, NULL);

  return add_value (self, g_strdup (json), 0, 0, LOOM_PG_OID_JSON);
}

/**
 * loom_pg_params_add_datetime:
 * @self: a parameter list
 * @value: (nullable): the moment; %NULL adds an SQL NULL
 *
 * Adds a `timestamptz` parameter, to the microsecond, with the offset of
 * @value's time zone.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_datetime (LoomPgParams *self,
                             GDateTime    *value)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (value == NULL)
    return add_value (self, NULL, 0, 0, LOOM_PG_OID_TIMESTAMPTZ);
  return add_value (self, g_date_time_format (value, "%Y-%m-%d %H:%M:%S.%f%:z"), 0, 0,
                    LOOM_PG_OID_TIMESTAMPTZ);
}

/**
 * loom_pg_params_add_typed:
 * @self: a parameter list
 * @type_oid: the OID of the parameter's type (as `SELECT 'uuid'::regtype::oid`
 *   gives), or 0 to let the server infer it
 * @text: (nullable): the value in the type's text form; %NULL adds an SQL NULL
 *
 * Adds a parameter of any type, in its text form.
 *
 * Returns: (transfer none): @self, to chain calls
 */
LoomPgParams *
loom_pg_params_add_typed (LoomPgParams *self,
                          guint         type_oid,
                          const char   *text)
{
  g_return_val_if_fail (self != NULL, NULL);

  return add_value (self, g_strdup (text), 0, 0, type_oid);
}

int
loom_pg_params_count (LoomPgParams *self)
{
  return self ? (int) self->values->len : 0;
}

const char **
loom_pg_params_values (LoomPgParams *self)
{
  return self && self->values->len ? (const char **) self->values->pdata : NULL;
}

const int *
loom_pg_params_lengths (LoomPgParams *self)
{
  return self && self->values->len ? (const int *) (gpointer) self->lengths->data : NULL;
}

const int *
loom_pg_params_formats (LoomPgParams *self)
{
  return self && self->values->len ? (const int *) (gpointer) self->formats->data : NULL;
}

const Oid *
loom_pg_params_types (LoomPgParams *self)
{
  return self && self->values->len ? (const Oid *) (gpointer) self->types->data : NULL;
}
