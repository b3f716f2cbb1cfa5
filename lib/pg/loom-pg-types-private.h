/* loom-pg-types-private.h: the built-in type OIDs the adapter knows
 * (from PostgreSQL's pg_type.dat; they never change).
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <math.h>

#define LOOM_PG_OID_BOOL         16
#define LOOM_PG_OID_BYTEA        17
#define LOOM_PG_OID_CHAR         18
#define LOOM_PG_OID_NAME         19
#define LOOM_PG_OID_INT8         20
#define LOOM_PG_OID_INT2         21
#define LOOM_PG_OID_INT4         23
#define LOOM_PG_OID_TEXT         25
#define LOOM_PG_OID_OID          26
#define LOOM_PG_OID_JSON         114
#define LOOM_PG_OID_FLOAT4       700
#define LOOM_PG_OID_FLOAT8       701
#define LOOM_PG_OID_UNKNOWN      705
#define LOOM_PG_OID_BPCHAR       1042
#define LOOM_PG_OID_VARCHAR      1043
#define LOOM_PG_OID_DATE         1082
#define LOOM_PG_OID_TIME         1083
#define LOOM_PG_OID_TIMESTAMP    1114
#define LOOM_PG_OID_TIMESTAMPTZ  1184
#define LOOM_PG_OID_INTERVAL     1186
#define LOOM_PG_OID_NUMERIC      1700
#define LOOM_PG_OID_UUID         2950
#define LOOM_PG_OID_JSONB        3802

#define LOOM_PG_OID_BOOL_ARRAY        1000
#define LOOM_PG_OID_BYTEA_ARRAY       1001
#define LOOM_PG_OID_INT2_ARRAY        1005
#define LOOM_PG_OID_INT4_ARRAY        1007
#define LOOM_PG_OID_TEXT_ARRAY        1009
#define LOOM_PG_OID_BPCHAR_ARRAY      1014
#define LOOM_PG_OID_VARCHAR_ARRAY     1015
#define LOOM_PG_OID_INT8_ARRAY        1016
#define LOOM_PG_OID_FLOAT4_ARRAY      1021
#define LOOM_PG_OID_FLOAT8_ARRAY      1022
#define LOOM_PG_OID_TIMESTAMP_ARRAY   1115
#define LOOM_PG_OID_DATE_ARRAY        1182
#define LOOM_PG_OID_TIMESTAMPTZ_ARRAY 1185
#define LOOM_PG_OID_INTERVAL_ARRAY    1187
#define LOOM_PG_OID_NUMERIC_ARRAY     1231
#define LOOM_PG_OID_UUID_ARRAY        2951
#define LOOM_PG_OID_JSONB_ARRAY       3807
#define LOOM_PG_OID_JSON_ARRAY        199
