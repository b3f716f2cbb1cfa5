/* loom-http.h
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <loom.h>

#define LOOM_HTTP_INSIDE
# include "loom-http-enums.h"
# include "loom-http-error.h"
# include "loom-http-body-stream.h"
# include "loom-http-client.h"
# include "loom-http-request.h"
# include "loom-http-response.h"
#undef LOOM_HTTP_INSIDE
