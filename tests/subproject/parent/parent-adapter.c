/* parent-adapter.c: includes an adapter's umbrella header, ADAPTER_HEADER,
 * and is linked with its library; running it proves the library loads.
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include ADAPTER_HEADER

int
main (void)
{
  return 0;
}
