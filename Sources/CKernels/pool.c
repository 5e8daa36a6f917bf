// The worker pool of pool.h. One job at a time: its parts are claimed through one 64-bit
// ticket (job generation << 32 | next part), so a thread still holding a finished job's
// generation can never claim a part of the next one. Each job is described in the slot of its
// generation's parity: the caller fills the next job's slot while the ticket still holds the
// finished job's generation, and a straggler of that generation must keep reading that job's
// part count (with one shared slot it could read the next job's larger count, claim a part past
// the end of the finished job, and run it: one part too many, `remaining` below zero, a hang).
#define _GNU_SOURCE
#include "pool.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define RELAX() _mm_pause()
#elif defined(__aarch64__)
#define RELAX() __asm__ __volatile__("yield")
#else
#define RELAX() ((void)0)
#endif

const long hps_pool_spin_ns = 100000;
#define MAX_THREADS 255

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;  // pool threads: a new job
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;  // the caller: the job's last part ended
static _Atomic uint64_t ticket;
static _Atomic int remaining;        // parts of the current job not yet finished
static _Atomic int sleepers;         // pool threads asleep on `wake`
static _Atomic int caller_sleeping;  // the caller asleep on `done`
static _Atomic int busy;             // a job is running
struct job {
  _Atomic(hps_pool_task) task;
  _Atomic(void *) context;
  _Atomic int parts;
};
static struct job jobs[2];           // jobs[gen & 1]: the job of generation gen
static _Atomic int started;          // pool threads started (changed under `lock`)
static _Thread_local int inside;     // this thread is running a part

static long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000L + t.tv_nsec;
}

// Claims and runs parts of job `gen` until none is left.
static void work(uint32_t gen) {
  for (;;) {
    uint64_t t = atomic_load(&ticket);
    if ((uint32_t)(t >> 32) != gen) return;
    // Read before the claim; a claim that succeeds proves they were this job's: the slot of
    // generation gen is rewritten only for generation gen + 2, after gen + 1 was published,
    // and publishing moves the ticket on, so the claim fails whenever the slot has changed.
    // The part count is stored last with release and read first with acquire: a count (and
    // so a task and context) of generation gen + 2 is only read after gen + 1 was published,
    // and then the claim below fails, in the C11 model and not only on x86's.
    struct job *job = &jobs[gen & 1];
    int parts = atomic_load_explicit(&job->parts, memory_order_acquire);
    hps_pool_task task = atomic_load_explicit(&job->task, memory_order_relaxed);
    void *context = atomic_load_explicit(&job->context, memory_order_relaxed);
    uint32_t part = (uint32_t)t;
    if ((int)part >= parts) return;
    if (!atomic_compare_exchange_weak(&ticket, &t, t + 1)) continue;
    inside = 1;
    task(context, (int)part);
    inside = 0;
    if (atomic_fetch_sub(&remaining, 1) == 1 && atomic_load(&caller_sleeping)) {
      pthread_mutex_lock(&lock);
      pthread_cond_broadcast(&done);
      pthread_mutex_unlock(&lock);
    }
  }
}

static void *pool_thread(void *unused) {
  (void)unused;
  uint32_t seen = (uint32_t)(atomic_load(&ticket) >> 32);
  for (;;) {
    long start = now_ns();
    unsigned spins = 0;
    uint32_t gen;
    while ((gen = (uint32_t)(atomic_load(&ticket) >> 32)) == seen) {
      RELAX();
      if (++spins % 64 == 0 && now_ns() - start > hps_pool_spin_ns) {
        pthread_mutex_lock(&lock);
        atomic_fetch_add(&sleepers, 1);
        while ((uint32_t)(atomic_load(&ticket) >> 32) == seen) pthread_cond_wait(&wake, &lock);
        atomic_fetch_sub(&sleepers, 1);
        pthread_mutex_unlock(&lock);
        start = now_ns();
      }
    }
    seen = gen;
    work(gen);
  }
  return NULL;
}

static void ensure_threads(int n) {
  if (n > MAX_THREADS) n = MAX_THREADS;
  if (atomic_load_explicit(&started, memory_order_relaxed) >= n) return;  // every job but the first few
  pthread_mutex_lock(&lock);
  while (started < n) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int failed = pthread_create(&thread, &attr, pool_thread, NULL);
    pthread_attr_destroy(&attr);
    if (failed) break;  // fewer threads: the caller runs the parts left over itself
    started++;
  }
  pthread_mutex_unlock(&lock);
}

void hps_pool_run(int parts, hps_pool_task task, void *context) {
  if (parts <= 0) return;
  int idle = 0;
  if (parts == 1 || inside || !atomic_compare_exchange_strong(&busy, &idle, 1)) {
    for (int p = 0; p < parts; p++) task(context, p);
    return;
  }
  ensure_threads(parts - 1);
  uint32_t gen = (uint32_t)(atomic_load(&ticket) >> 32) + 1;
  struct job *job = &jobs[gen & 1];
  atomic_store_explicit(&job->task, task, memory_order_relaxed);
  atomic_store_explicit(&job->context, context, memory_order_relaxed);
  atomic_store_explicit(&job->parts, parts, memory_order_release);
  atomic_store(&remaining, parts);
  atomic_store(&ticket, (uint64_t)gen << 32);  // publishes the job (release)
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
  }
  work(gen);
  long start = now_ns();
  unsigned spins = 0;
  while (atomic_load(&remaining) != 0) {
    RELAX();
    if (++spins % 64 == 0 && now_ns() - start > hps_pool_spin_ns) {
      pthread_mutex_lock(&lock);
      atomic_store(&caller_sleeping, 1);
      while (atomic_load(&remaining) != 0) pthread_cond_wait(&done, &lock);
      atomic_store(&caller_sleeping, 0);
      pthread_mutex_unlock(&lock);
    }
  }
  atomic_store(&busy, 0);
}
