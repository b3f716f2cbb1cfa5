/* loom-queue.c
 *
 * Copyright 2026 The Loom authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "loom-error.h"
#include "loom-fiber-private.h"
#include "loom-queue.h"

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
 * fail with %LOOM_ERROR_CLOSED, which ends an iteration over it.
 *
 * Items are plain non-%NULL pointers the queue owns while it holds them;
 * these calls are C only.
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

G_DEFINE_FINAL_TYPE (LoomQueue, loom_queue, G_TYPE_OBJECT)

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
 */
void
loom_queue_set_compare (LoomQueue        *self,
                        GCompareDataFunc  compare,
                        gpointer          user_data,
                        GDestroyNotify    destroy)
{
  g_return_if_fail (LOOM_IS_QUEUE (self));
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

/* A new item: straight to the getter that waited longest, if any. */
static void
deliver (LoomQueue *self,
         gpointer   item)
{
  self->unfinished++;
  if (!loom_wait_queue_wake_one (&self->getters, item))
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
  g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_CLOSED, "The queue is closed");
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
 */
gboolean
loom_queue_put (LoomQueue  *self,
                gpointer    item,
                GError    **error)
{
  gpointer handed = NULL;

  g_return_val_if_fail (LOOM_IS_QUEUE (self), FALSE);
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
 */
gboolean
loom_queue_put_nowait (LoomQueue  *self,
                       gpointer    item,
                       GError    **error)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), FALSE);
  g_return_val_if_fail (item != NULL, FALSE);

  if (self->closed)
    return set_closed_error (error);
  if (!has_room (self) || self->putters.head != NULL)
    {
      g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_WOULD_BLOCK, "The queue is full");
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
 */
gpointer
loom_queue_get (LoomQueue  *self,
                GError    **error)
{
  gpointer item = NULL;

  g_return_val_if_fail (LOOM_IS_QUEUE (self), NULL);

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
 */
gpointer
loom_queue_get_nowait (LoomQueue  *self,
                       GError    **error)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), NULL);

  if (store_len (self) > 0)
    return take (self);
  if (self->closed)
    set_closed_error (error);
  else
    g_set_error_literal (error, LOOM_ERROR, LOOM_ERROR_WOULD_BLOCK, "The queue is empty");
  return NULL;
}

/**
 * loom_queue_task_done:
 * @self: a queue
 *
 * Marks one item taken from @self as processed, as asyncio's
 * `task_done()`. Calling it more often than items were put is a
 * programming error.
 */
void
loom_queue_task_done (LoomQueue *self)
{
  g_return_if_fail (LOOM_IS_QUEUE (self));

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
 */
gboolean
loom_queue_join (LoomQueue  *self,
                 GError    **error)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), FALSE);

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
 */
void
loom_queue_close (LoomQueue *self)
{
  g_return_if_fail (LOOM_IS_QUEUE (self));

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
 */
gboolean
loom_queue_is_closed (LoomQueue *self)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), FALSE);

  return self->closed;
}

/**
 * loom_queue_get_size:
 * @self: a queue
 *
 * Counts the items in @self.
 *
 * Returns: the number of items
 */
guint
loom_queue_get_size (LoomQueue *self)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), 0);

  return store_len (self);
}

/**
 * loom_queue_get_maxsize:
 * @self: a queue
 *
 * Gets the most items @self holds before putting waits.
 *
 * Returns: the maximum, or 0 for no limit
 */
guint
loom_queue_get_maxsize (LoomQueue *self)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), 0);

  return self->maxsize;
}

/**
 * loom_queue_is_empty:
 * @self: a queue
 *
 * Checks whether @self holds no item.
 *
 * Returns: %TRUE if empty
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
 */
gboolean
loom_queue_is_full (LoomQueue *self)
{
  g_return_val_if_fail (LOOM_IS_QUEUE (self), FALSE);

  return !has_room (self);
}
