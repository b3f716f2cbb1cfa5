/* loom-pg.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <loom.h>

#define LOOM_PG_INSIDE
# include "loom-pg-enums.h"
# include "loom-pg-error.h"
# include "loom-pg-params.h"
# include "loom-pg-result.h"
# include "loom-pg-stream.h"
# include "loom-pg-connection.h"
# include "loom-pg-pool.h"
# include "loom-pg-notification.h"
# include "loom-pg-listener.h"
# include "loom-pg-transaction.h"
#undef LOOM_PG_INSIDE
