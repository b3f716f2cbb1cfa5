/* loom-queue.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "loom-async-iterator.h"
#include "loom-async-op-private.h"
#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-queue.h"
#include "loom-type-check-private.h"

/**
 * LoomQueue:
 *
 * A queue between tasks, as asyncio's `Queue`, `LifoQueue` and
 * `PriorityQueue`: getting waits for an item, putting waits for room when
 * a maximum size is set, and [method@Loom.Queue.join] waits until every
 * item put was marked done with [method@Loom.Queue.task_done].
 *
 * It is fair and cancellation-safe. A put with getters waiting hands the
 * item straight to the one that waited longest; a get that frees room
 * reserves it for the putter that waited longest. A getter cancelled after
 * it was handed an item puts it back in front, and a putter cancelled
 * after it was given room passes the room on: no item and no slot is ever
 * lost. A closed queue refuses new items and, once drained, makes getters
 * fail with %LOOM_ERROR_CLOSED.
 *
 * A queue is also an [iface@Loom.AsyncIterator] of its items, as
 * `async for item in queue` over a queue that gets closed: each item taken
 * is one step, and the iteration ends once the queue is closed and
 * drained.
 *
 * Items are plain non-%NULL pointers the queue owns while it holds them,
 * which C code puts and gets directly. Bindings use a queue of values
 * instead ([ctor@Loom.Queue.new_for_values]) with the `_value` calls.
 *
 * Since: 0.1
 */

struct _LoomQueue
{
  GObject           parent_instance;

  LoomQueueOrder    order;
  guint             maxsize;       /* 0: unbounded */
  GDestroyNotify    item_free;

  GQueue            items;         /* FIFO and LIFO */
  GArray           *heap;          /* PRIORITY: HeapItem */
  guint64           next_seq;
  GCompareDataFunc  compare;
  gpointer          compare_data;
  GDestroyNotify    compare_destroy;

  guint             reserved;      /* room given to woken putters */
  guint             unfinished;
  gboolean          closed;

  LoomWaitQueue     getters;
  LoomWaitQueue     putters;
  LoomWaitQueue     joiners;
};

typedef struct
{
  gpointer item;
  guint64  seq;
} HeapItem;

static void loom_queue_iface_init (LoomAsyncIteratorInterface *iface);

static GType queue_type_id;

G_DEFINE_FINAL_TYPE_WITH_CODE (LoomQueue, loom_queue, G_TYPE_OBJECT,
                               queue_type_id = g_define_type_id;
                               G_IMPLEMENT_INTERFACE (LOOM_TYPE_ASYNC_ITERATOR,
                                                      loom_queue_iface_init))

#define IS_QUEUE(pointer) loom_is_instance_of_exactly ((pointer), queue_type_id)

/* Handed to waiters when the queue closes. */
static char closed_marker;
#define CLOSED ((gpointer) &closed_marker)

/* Storage */

static gboolean
heap_less (LoomQueue *self,
           HeapItem  *a,
           HeapItem  *b)
{
  int cmp = self->compare (a->item, b->item, self->compare_data);

  return cmp < 0 || (cmp == 0 && a->seq < b->seq);
}

static void
heap_push (LoomQueue *self,
           gpointer   item,
           guint64    seq)
{
  HeapItem entry = { item, seq };
  guint index;

  g_array_append_val (self->heap, entry);
  index = self->heap->len - 1;
  while (index > 0)
    {
      guint parent = (index - 1) / 2;
      HeapItem *items = (HeapItem *) self->heap->data;

      if (!heap_less (self, &items[index], &items[parent]))
        break;
      entry = items[parent];
      items[parent] = items[index];
      items[index] = entry;
      index = parent;
    }
}

static gpointer
heap_pop (LoomQueue *self)
{
  HeapItem *items = (HeapItem *) self->heap->data;
  gpointer item = items[0].item;
  guint index = 0;

  items[0] = items[self->heap->len - 1];
  g_array_set_size (self->heap, self->heap->len - 1);
  items = (HeapItem *) self->heap->data;

  for (;;)
    {
      guint smallest = index;
      guint left = 2 * index + 1;
      HeapItem swap;

      if (left < self->heap->len && heap_less (self, &items[left], &items[smallest]))
        smallest = left;
      if (left + 1 < self->heap->len && heap_less (self, &items[left + 1], &items[smallest]))
        smallest = left + 1;
      if (smallest == index)
        break;
      swap = items[smallest];
      items[smallest] = items[index];
      items[index] = swap;
      index = smallest;
    }
  return item;
}

static guint
store_len (LoomQueue *self)
{
  return self->order == LOOM_QUEUE_PRIORITY ? self->heap->len : self->items.length;
}

static void
store_push (LoomQueue *self,
            gpointer   item)
{
  if (self->order == LOOM_QUEUE_PRIORITY)
    heap_push (self, item, self->next_seq++);
  else
    g_queue_push_tail (&self->items, item);
}

/* Puts back an item a cancelled getter had been handed, where it would
 * come out next. */
static void
store_push_front (LoomQueue *self,
                  gpointer   item)
{
  if (self->order == LOOM_QUEUE_PRIORITY)
    heap_push (self, item, 0);
  else if (self->order == LOOM_QUEUE_FIFO)
    g_queue_push_head (&self->items, item);
  else
    g_queue_push_tail (&self->items, item);
}

static gpointer
store_pop (LoomQueue *self)
{
  switch (self->order)
    {
    case LOOM_QUEUE_PRIORITY:
      return heap_pop (self);
    case LOOM_QUEUE_LIFO:
      return g_queue_pop_tail (&self->items);
    case LOOM_QUEUE_FIFO:
    default:
      return g_queue_pop_head (&self->items);
    }
}

/* Life cycle */

static void
loom_queue_finalize (GObject *object)
{
  LoomQueue *self = (LoomQueue *)object;

  while (store_len (self) > 0)
    {
      gpointer item = store_pop (self);

      if (self->item_free != NULL)
        self->item_free (item);
    }
  g_clear_pointer (&self->heap, g_array_unref);
  if (self->compare_destroy != NULL)
    self->compare_destroy (self->compare_data);

  G_OBJECT_CLASS (loom_queue_parent_class)->finalize (object);
}

static void
loom_queue_class_init (LoomQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = loom_queue_finalize;
}

static void
loom_queue_init (LoomQueue *self)
{
  g_queue_init (&self->items);
}

static int
compare_pointers (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return (a > b) - (a < b);
}

/**
 * loom_queue_new: (skip)
 * @order: the order items come out in
 * @maxsize: the most items it holds before putting waits, or 0 for no limit
 * @item_free: (nullable): frees items still in the queue when it is
 *   finalized
 *
 * Creates a queue. A priority queue compares the pointers themselves
 * until [method@Loom.Queue.set_compare] gives it a function.
 *
 * Returns: (transfer full): a new queue
 *
 * Since: 0.1
 */
LoomQueue *
loom_queue_new (LoomQueueOrder  order,
                guint           maxsize,
                GDestroyNotify  item_free)
{
  LoomQueue *self = g_object_new (LOOM_TYPE_QUEUE, NULL);

  self->order = order;
  self->maxsize = maxsize;
  self->item_free = item_free;
  if (order == LOOM_QUEUE_PRIORITY)
    {
      self->heap = g_array_new (FALSE, FALSE, sizeof (HeapItem));
      self->compare = compare_pointers;
    }
  return self;
}

/**
 * loom_queue_set_compare: (skip)
 * @self: a priority queue, still empty
 * @compare: orders two items, smallest first
 * @user_data: data for @compare
 * @destroy: (nullable): frees @user_data with the queue
 *
 * Sets how a %LOOM_QUEUE_PRIORITY queue orders its items.
 *
 * Since: 0.1
 */
void
loom_queue_set_compare (LoomQueue        *self,
                        GCompareDataFunc  compare,
                        gpointer          user_data,
                        GDestroyNotify    destroy)
{
  g_return_if_fail (IS_QUEUE (self));
  g_return_if_fail (self->order == LOOM_QUEUE_PRIORITY);
  g_return_if_fail (compare != NULL);
  g_return_if_fail (store_len (self) == 0);

  if (self->compare_destroy != NULL)
    self->compare_destroy (self->compare_data);
  self->compare = compare;
  self->compare_data = user_data;
  self->compare_destroy = destroy;
}

/* Room and items */

static gboolean
has_room (LoomQueue *self)
{
  return self->maxsize == 0 || store_len (self) + self->reserved < self->maxsize;
}

/* Room was freed: reserve it for the putter that waited longest. */
static void
offer_room (LoomQueue *self)
{
  if (self->putters.head != NULL && has_room (self))
    {
      self->reserved++;
      loom_wait_queue_wake_one (&self->putters, NULL);
    }
}

/* A new item: straight to the getter that waited longest, if any. A woken
 * putter delivers right after giving back the room reserved for it; when
 * its item skips the store, that room is still free and goes to the next
 * putter. */
static void
deliver (LoomQueue *self,
         gpointer   item)
{
  self->unfinished++;
  if (loom_wait_queue_wake_one (&self->getters, item))
    offer_room (self);
  else
    store_push (self, item);
}

static gpointer
take (LoomQueue *self)
{
  gpointer item = store_pop (self);

  offer_room (self);
  return item;
}

static void
give_back_item (gpointer owner,
                gpointer item)
{
  LoomQueue *self = owner;

  if (item == CLOSED)
    return;
  if (!loom_wait_queue_wake_one (&self->getters, item))
    store_push_front (self, item);
}

static void
give_back_room (gpointer owner,
                gpointer handoff)
{
  LoomQueue *self = owner;

  if (handoff == CLOSED)
    return;
  self->reserved--;
  offer_room (self);
}

static gboolean
set_closed_error (GError **error)
{
  g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_CLOSED, _("The queue is closed"));
  return FALSE;
}

static gboolean
fiber_cancelled (GError **error)
{
  LoomFiber *fiber = loom_fiber_current ();

  if (fiber != NULL && G_UNLIKELY (fiber->cancel_effective))
    return !loom_fiber_set_cancelled_error (fiber, error);
  return FALSE;
}

/**
 * loom_queue_put: (skip)
 * @self: a queue
 * @item: (transfer full): a non-%NULL item, owned by the queue on success
 * @error: return location for an error
 *
 * Puts @item in, waiting for room if the queue is full. The caller keeps
 * @item if this fails.
 *
 * Returns: %TRUE if @item is in; %FALSE if the task was cancelled, the
 *   queue is closed or this is not called in a task
 *
 * Since: 0.1
 */
gboolean
loom_queue_put (LoomQueue  *self,
                gpointer    item,
                GError    **error)
{
  gpointer handed = NULL;

  g_return_val_if_fail (IS_QUEUE (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  if (fiber_cancelled (error))
    return FALSE;
  if (self->closed)
    return set_closed_error (error);
  if (loom_fiber_current () != NULL && has_room (self) && self->putters.head == NULL)
    {
      deliver (self, item);
      return TRUE;
    }

  if (!loom_wait_for_handoff (&self->putters, "loom_queue_put", give_back_room, self, &handed, error))
    return FALSE;
  if (handed == CLOSED)
    return set_closed_error (error);

  self->reserved--;
  deliver (self, item);
  return TRUE;
}

/**
 * loom_queue_put_nowait: (skip)
 * @self: a queue
 * @item: (transfer full): a non-%NULL item, owned by the queue on success
 * @error: return location for an error
 *
 * Puts @item in if there is room now, as asyncio's `put_nowait()`; fails
 * with %LOOM_ERROR_WOULD_BLOCK if the queue is full (asyncio's
 * `QueueFull`). Needs no task.
 *
 * Returns: %TRUE if @item is in
 *
 * Since: 0.1
 */
gboolean
loom_queue_put_nowait (LoomQueue  *self,
                       gpointer    item,
                       GError    **error)
{
  g_return_val_if_fail (IS_QUEUE (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  if (self->closed)
    return set_closed_error (error);
  if (!has_room (self) || self->putters.head != NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_WOULD_BLOCK, _("The queue is full"));
      return FALSE;
    }
  deliver (self, item);
  return TRUE;
}

/**
 * loom_queue_get: (skip)
 * @self: a queue
 * @error: return location for an error
 *
 * Takes the next item, waiting for one if the queue is empty.
 *
 * Returns: (transfer full) (nullable): the item; %NULL if the task was
 *   cancelled, the queue is closed and drained, or this is not called in
 *   a task
 *
 * Since: 0.1
 */
gpointer
loom_queue_get (LoomQueue  *self,
                GError    **error)
{
  gpointer item = NULL;

  g_return_val_if_fail (IS_QUEUE (self), NULL);

  if (fiber_cancelled (error))
    return NULL;
  if (store_len (self) > 0 && loom_fiber_current () != NULL)
    return take (self);
  if (self->closed)
    {
      set_closed_error (error);
      return NULL;
    }

  if (!loom_wait_for_handoff (&self->getters, "loom_queue_get", give_back_item, self, &item, error))
    return NULL;
  if (item == CLOSED)
    {
      set_closed_error (error);
      return NULL;
    }
  return item;
}

/**
 * loom_queue_get_nowait: (skip)
 * @self: a queue
 * @error: return location for an error
 *
 * Takes the next item if there is one, as asyncio's `get_nowait()`; fails
 * with %LOOM_ERROR_WOULD_BLOCK if the queue is empty (asyncio's
 * `QueueEmpty`), or %LOOM_ERROR_CLOSED once closed and drained. Needs no
 * task.
 *
 * Returns: (transfer full) (nullable): the item
 *
 * Since: 0.1
 */
gpointer
loom_queue_get_nowait (LoomQueue  *self,
                       GError    **error)
{
  g_return_val_if_fail (IS_QUEUE (self), NULL);

  if (store_len (self) > 0)
    return take (self);
  if (self->closed)
    set_closed_error (error);
  else
    g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_WOULD_BLOCK, _("The queue is empty"));
  return NULL;
}

/**
 * loom_queue_task_done:
 * @self: a queue
 *
 * Marks one item taken from @self as processed, as asyncio's
 * `task_done()`. Calling it more often than items were put is a
 * programming error.
 *
 * Since: 0.1
 */
void
loom_queue_task_done (LoomQueue *self)
{
  g_return_if_fail (IS_QUEUE (self));

  if (self->unfinished == 0)
    {
      g_critical ("loom_queue_task_done() called more times than items were put");
      return;
    }
  if (--self->unfinished == 0)
    loom_wait_queue_wake_all (&self->joiners, NULL);
}

/**
 * loom_queue_join: (skip)
 * @self: a queue
 * @error: return location for an error
 *
 * Waits until every item put in @self was marked done with
 * [method@Loom.Queue.task_done].
 *
 * Returns: %TRUE once all are done; %FALSE if the task was cancelled or
 *   this is not called in a task
 *
 * Since: 0.1
 */
gboolean
loom_queue_join (LoomQueue  *self,
                 GError    **error)
{
  g_return_val_if_fail (IS_QUEUE (self), FALSE);

  if (fiber_cancelled (error))
    return FALSE;
  if (self->unfinished == 0 && loom_fiber_current () != NULL)
    return TRUE;
  return loom_wait_for_handoff (&self->joiners, "loom_queue_join", NULL, NULL, NULL, error);
}

/**
 * loom_queue_close:
 * @self: a queue
 *
 * Closes @self: puts fail with %LOOM_ERROR_CLOSED, and so do gets once the
 * items still in it are taken. Waiting putters and getters are woken with
 * that error.
 *
 * Since: 0.1
 */
void
loom_queue_close (LoomQueue *self)
{
  g_return_if_fail (IS_QUEUE (self));

  self->closed = TRUE;
  loom_wait_queue_wake_all (&self->getters, CLOSED);
  loom_wait_queue_wake_all (&self->putters, CLOSED);
}

/**
 * loom_queue_is_closed:
 * @self: a queue
 *
 * Checks whether @self was closed.
 *
 * Returns: %TRUE if closed
 *
 * Since: 0.1
 */
gboolean
loom_queue_is_closed (LoomQueue *self)
{
  g_return_val_if_fail (IS_QUEUE (self), FALSE);

  return self->closed;
}

/**
 * loom_queue_get_size:
 * @self: a queue
 *
 * Counts the items in @self.
 *
 * Returns: the number of items
 *
 * Since: 0.1
 */
guint
loom_queue_get_size (LoomQueue *self)
{
  g_return_val_if_fail (IS_QUEUE (self), 0);

  return store_len (self);
}

/**
 * loom_queue_get_maxsize:
 * @self: a queue
 *
 * Gets the most items @self holds before putting waits.
 *
 * Returns: the maximum, or 0 for no limit
 *
 * Since: 0.1
 */
guint
loom_queue_get_maxsize (LoomQueue *self)
{
  g_return_val_if_fail (IS_QUEUE (self), 0);

  return self->maxsize;
}

/**
 * loom_queue_is_empty:
 * @self: a queue
 *
 * Checks whether @self holds no item.
 *
 * Returns: %TRUE if empty
 *
 * Since: 0.1
 */
gboolean
loom_queue_is_empty (LoomQueue *self)
{
  return loom_queue_get_size (self) == 0;
}

/**
 * loom_queue_is_full:
 * @self: a queue
 *
 * Checks whether putting would wait.
 *
 * Returns: %TRUE if full
 *
 * Since: 0.1
 */
gboolean
loom_queue_is_full (LoomQueue *self)
{
  g_return_val_if_fail (IS_QUEUE (self), FALSE);

  return !has_room (self);
}

/* Queues of values, for bindings: each item is a GValue on the heap. */

static void
free_value (gpointer data)
{
  GValue *value = data;

  g_value_unset (value);
  g_free (value);
}

static GValue *
copy_value (const GValue *value)
{
  GValue *copy = g_new0 (GValue, 1);

  g_value_init (copy, G_VALUE_TYPE (value));
  g_value_copy (value, copy);
  return copy;
}

/* Moves the heap GValue @item into @value and frees the wrapper. */
static void
move_value (GValue *item,
            GValue *value)
{
  *value = *item;
  g_free (item);
}

/**
 * loom_queue_new_for_values: (constructor)
 * @order: the order items come out in
 * @maxsize: the most items it holds before putting waits, or 0 for no limit
 *
 * Creates a queue of #GValue items, the kind bindings use: values are
 * copied in and moved out. A priority queue of values orders them by
 * [method@Loom.Queue.set_compare] from C, else by insertion.
 *
 * Returns: (transfer full): a new queue
 *
 * Since: 0.1
 */
LoomQueue *
loom_queue_new_for_values (LoomQueueOrder order,
                           guint          maxsize)
{
  return loom_queue_new (order, maxsize, free_value);
}

static gboolean
holds_values (LoomQueue *self)
{
  return self->item_free == free_value;
}

/**
 * loom_queue_put_value_nowait:
 * @self: a queue of values
 * @value: the value to copy in
 * @error: return location for an error
 *
 * Puts a copy of @value in if there is room now; see
 * [method@Loom.Queue.put_nowait].
 *
 * Returns: %TRUE if it is in
 *
 * Since: 0.1
 */
gboolean
loom_queue_put_value_nowait (LoomQueue     *self,
                             const GValue  *value,
                             GError       **error)
{
  GValue *item;

  g_return_val_if_fail (IS_QUEUE (self) && holds_values (self), FALSE);
  g_return_val_if_fail (G_IS_VALUE (value), FALSE);

  item = copy_value (value);
  if (!loom_queue_put_nowait (self, item, error))
    {
      free_value (item);
      return FALSE;
    }
  return TRUE;
}

/**
 * loom_queue_get_value_nowait:
 * @self: a queue of values
 * @value: (out caller-allocates): an unset #GValue for the item
 * @error: return location for an error
 *
 * Takes the next value if there is one; see
 * [method@Loom.Queue.get_nowait].
 *
 * Returns: (skip): %TRUE with @value set
 *
 * Since: 0.1
 */
gboolean
loom_queue_get_value_nowait (LoomQueue  *self,
                             GValue     *value,
                             GError    **error)
{
  GValue *item;

  g_return_val_if_fail (IS_QUEUE (self) && holds_values (self), FALSE);
  g_return_val_if_fail (value != NULL && !G_IS_VALUE (value), FALSE);

  item = loom_queue_get_nowait (self, error);
  if (item == NULL)
    return FALSE;
  move_value (item, value);
  return TRUE;
}

typedef struct
{
  LoomAsyncOp  op;
  LoomWaiter   waiter;
  LoomQueue   *queue;   /* (owned) */
  GValue      *item;    /* (owned) (nullable) until delivered */
} PutWait;

static void
put_wait_woken (LoomWaiter *waiter,
                gpointer    handoff)
{
  PutWait *wait = G_STRUCT_MEMBER_P (waiter, -G_STRUCT_OFFSET (PutWait, waiter));

  if (handoff == CLOSED)
    {
      loom_async_op_fail (&wait->op, g_error_new_literal (LOOM_ERROR, LOOM_ERROR_CLOSED,
                                                          _("The queue is closed")));
      return;
    }
  /* The room reserved for this putter is taken now, in the waker's turn. */
  wait->queue->reserved--;
  deliver (wait->queue, g_steal_pointer (&wait->item));
  loom_async_op_complete (&wait->op);
}

static void
put_wait_withdraw (LoomAsyncOp *op)
{
  PutWait *wait = (PutWait *) op;

  loom_wait_queue_remove (&wait->queue->putters, &wait->waiter);
}

static void
put_wait_finalize (gpointer data)
{
  PutWait *wait = data;

  g_clear_pointer (&wait->item, free_value);
  g_object_unref (wait->queue);
}

/**
 * loom_queue_put_value_async:
 * @self: a queue of values
 * @value: the value to copy in
 * @cancellable: (nullable): stops waiting for room; the value is then not put
 * @callback: (scope async) (closure user_data): called once it is in
 * @user_data: data for @callback
 *
 * Puts a copy of @value in, waiting for room: the binding-friendly twin
 * of [method@Loom.Queue.put].
 *
 * Since: 0.1
 */
void
loom_queue_put_value_async (LoomQueue           *self,
                            const GValue        *value,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  PutWait *wait;

  g_return_if_fail (IS_QUEUE (self) && holds_values (self));
  g_return_if_fail (G_IS_VALUE (value));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  wait = g_new0 (PutWait, 1);
  loom_async_op_init (&wait->op, self, cancellable, callback, user_data,
                      loom_queue_put_value_async, put_wait_withdraw, put_wait_finalize);
  wait->queue = g_object_ref (self);
  wait->item = copy_value (value);
  wait->waiter.func = put_wait_woken;

  if (self->closed)
    loom_async_op_fail (&wait->op, g_error_new_literal (LOOM_ERROR, LOOM_ERROR_CLOSED,
                                                        _("The queue is closed")));
  else if (has_room (self) && self->putters.head == NULL)
    {
      deliver (self, g_steal_pointer (&wait->item));
      loom_async_op_complete (&wait->op);
    }
  else
    {
      loom_wait_queue_push (&self->putters, &wait->waiter);
      loom_async_op_watch (&wait->op);
    }
}

/**
 * loom_queue_put_value_finish:
 * @self: a queue of values
 * @result: the result given to the callback
 * @error: return location for an error
 *
 * Finishes [method@Loom.Queue.put_value_async].
 *
 * Returns: %TRUE if the value is in
 *
 * Since: 0.1
 */
gboolean
loom_queue_put_value_finish (LoomQueue     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (IS_QUEUE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * loom_queue_get_value_async:
 * @self: a queue of values
 * @cancellable: (nullable): stops waiting; no value is taken then
 * @callback: (scope async) (closure user_data): called with the next value
 * @user_data: data for @callback
 *
 * Takes the next value, waiting for one: the binding-friendly twin of
 * [method@Loom.Queue.get].
 *
 * Since: 0.1
 */
void
loom_queue_get_value_async (LoomQueue           *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (IS_QUEUE (self) && holds_values (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (store_len (self) > 0)
    loom_async_wait_ready (self, take (self), callback, user_data, loom_queue_get_value_async);
  else if (self->closed)
    loom_async_wait_ready (self, CLOSED, callback, user_data, loom_queue_get_value_async);
  else
    loom_async_wait_start (self, &self->getters, cancellable, callback, user_data,
                           loom_queue_get_value_async);
}

/**
 * loom_queue_get_value_finish:
 * @self: a queue of values
 * @result: the result given to the callback
 * @value: (out caller-allocates): an unset #GValue for the item
 * @error: return location for an error
 *
 * Finishes [method@Loom.Queue.get_value_async]; fails with
 * %LOOM_ERROR_CLOSED once the queue is closed and drained.
 *
 * Returns: (skip): %TRUE with @value set
 *
 * Since: 0.1
 */
gboolean
loom_queue_get_value_finish (LoomQueue     *self,
                             GAsyncResult  *result,
                             GValue        *value,
                             GError       **error)
{
  gpointer item = NULL;

  g_return_val_if_fail (IS_QUEUE (self), FALSE);
  g_return_val_if_fail (value != NULL && !G_IS_VALUE (value), FALSE);

  if (!loom_async_wait_finish (self, result, &item, error))
    return FALSE;
  if (item == CLOSED)
    return set_closed_error (error);
  move_value (item, value);
  return TRUE;
}

/* The queue as an async iterator: next() is a get whose result arrives
 * through a future. */

typedef struct
{
  LoomWaiter   waiter;
  int          ref_count;   /* the queue's wake-up and the future's watch */
  LoomQueue   *queue;       /* (owned) */
  LoomFuture  *future;      /* (owned) */
} IterWait;

static void
iter_wait_unref (gpointer data)
{
  IterWait *wait = data;

  if (--wait->ref_count > 0)
    return;
  g_object_unref (wait->queue);
  g_object_unref (wait->future);
  g_free (wait);
}

static void
resolve_with_item (LoomQueue  *self,
                   LoomFuture *future,
                   gpointer    item)
{
  if (item == CLOSED)
    loom_future_resolve (future);
  else if (holds_values (self))
    {
      loom_future_resolve_value (future, item);
      free_value (item);
    }
  else
    loom_future_resolve_pointer (future, item, self->item_free);
}

static void
iter_wait_woken (LoomWaiter *waiter,
                 gpointer    handoff)
{
  IterWait *wait = (IterWait *) waiter;

  /* Handed an item after the consumer gave up: it goes back in front. */
  if (loom_future_is_done (wait->future))
    give_back_item (wait->queue, handoff);
  else
    resolve_with_item (wait->queue, wait->future, handoff);
  iter_wait_unref (wait);
}

static void
iter_future_done (LoomFuture *future,
                  gpointer    data)
{
  IterWait *wait = data;

  /* Cancelled while waiting: leave the queue of getters. */
  if (loom_wait_queue_remove (&wait->queue->getters, &wait->waiter))
    iter_wait_unref (wait);
}

static LoomFuture *
loom_queue_next (LoomAsyncIterator *iterator)
{
  LoomQueue *self = (LoomQueue *) iterator;
  LoomFuture *future = loom_future_new ();
  IterWait *wait;

  if (store_len (self) > 0)
    {
      resolve_with_item (self, future, take (self));
      return future;
    }
  if (self->closed)
    {
      loom_future_resolve (future);
      return future;
    }

  wait = g_new0 (IterWait, 1);
  wait->ref_count = 2;
  wait->queue = g_object_ref (self);
  wait->future = g_object_ref (future);
  wait->waiter.func = iter_wait_woken;
  loom_wait_queue_push (&self->getters, &wait->waiter);
  loom_future_add_done_callback (future, iter_future_done, wait, iter_wait_unref);
  return future;
}

static void
loom_queue_iterator_close (LoomAsyncIterator *iterator)
{
  loom_queue_close ((LoomQueue *) iterator);
}

static void
loom_queue_iface_init (LoomAsyncIteratorInterface *iface)
{
  iface->next = loom_queue_next;
  iface->close = loom_queue_iterator_close;
}
