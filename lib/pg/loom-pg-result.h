/* loom-pg-result.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(LOOM_PG_INSIDE) && !defined(LOOM_PG_COMPILATION)
# error "Only <loom-pg.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include <loom.h>

G_BEGIN_DECLS

#define LOOM_PG_TYPE_RESULT (loom_pg_result_get_type ())

LOOM_AVAILABLE_IN_0_2
G_DECLARE_FINAL_TYPE (LoomPgResult, loom_pg_result, LOOM_PG, RESULT, GObject)

LOOM_AVAILABLE_IN_0_2
int          loom_pg_result_get_n_rows          (LoomPgResult  *self);
LOOM_AVAILABLE_IN_0_2
int          loom_pg_result_get_n_columns       (LoomPgResult  *self);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_column_name     (LoomPgResult  *self,
                                                 int            column);
LOOM_AVAILABLE_IN_0_2
guint        loom_pg_result_get_column_type     (LoomPgResult  *self,
                                                 int            column);
LOOM_AVAILABLE_IN_0_2
int          loom_pg_result_get_column_index    (LoomPgResult  *self,
                                                 const char    *name);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_command_tag     (LoomPgResult  *self);
LOOM_AVAILABLE_IN_0_2
gint64       loom_pg_result_get_affected_rows   (LoomPgResult  *self);

LOOM_AVAILABLE_IN_0_2
gboolean     loom_pg_result_is_null             (LoomPgResult  *self,
                                                 int            row,
                                                 int            column);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_text            (LoomPgResult  *self,
                                                 int            row,
                                                 int            column);
LOOM_AVAILABLE_IN_0_2
gint64       loom_pg_result_get_int64           (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
double       loom_pg_result_get_double          (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
gboolean     loom_pg_result_get_boolean         (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_numeric         (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_uuid            (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
GBytes      *loom_pg_result_get_bytes           (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
GDateTime   *loom_pg_result_get_datetime        (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
GTimeSpan    loom_pg_result_get_interval        (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
JsonNode    *loom_pg_result_get_json            (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
char       **loom_pg_result_get_strv            (LoomPgResult  *self,
                                                 int            row,
                                                 int            column,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;

LOOM_AVAILABLE_IN_0_2
gboolean     loom_pg_result_is_null_by_name     (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_text_by_name    (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
gint64       loom_pg_result_get_int64_by_name   (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
double       loom_pg_result_get_double_by_name  (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
gboolean     loom_pg_result_get_boolean_by_name (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_numeric_by_name (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
const char  *loom_pg_result_get_uuid_by_name    (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
GBytes      *loom_pg_result_get_bytes_by_name   (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
GDateTime   *loom_pg_result_get_datetime_by_name (LoomPgResult *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
GTimeSpan    loom_pg_result_get_interval_by_name (LoomPgResult *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error);
LOOM_AVAILABLE_IN_0_2
JsonNode    *loom_pg_result_get_json_by_name    (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;
LOOM_AVAILABLE_IN_0_2
char       **loom_pg_result_get_strv_by_name    (LoomPgResult  *self,
                                                 int            row,
                                                 const char    *name,
                                                 GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
