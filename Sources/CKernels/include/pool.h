// The worker pool behind TensorCore's Parallel (and so every multi-threaded GEMM, im2col,
// pooling and elementwise loop): persistent threads that spin briefly for the next job, then
// sleep. Written here rather than on Dispatch because Dispatch wakes a parked worker for each
// job (tens of microseconds on a VM, so the caller often ran both halves of a split GEMM
// itself) and OpenBLAS's own threads spin about 0.1 s after each call; a training step issues
// thousands of short jobs back to back.
#ifndef HPSEARCH_POOL_H
#define HPSEARCH_POOL_H

/// One part of a job: `part` in [0, parts).
typedef void (*hps_pool_task)(void *context, int part);

/// Runs task(context, p) for every p in [0, parts) and returns when all have finished. The
/// calling thread runs parts too; up to parts - 1 pool threads (started on first use, kept for
/// the process) run the others. Called from inside a task, or while another thread's job is
/// running, it runs every part on the calling thread in order. Idle pool threads spin for at
/// most `hps_pool_spin_ns` waiting for the next job, then sleep on a condition variable; a
/// waiting caller does the same.
void hps_pool_run(int parts, hps_pool_task task, void *context);

/// Nanoseconds an idle thread spins before it sleeps (100,000: 0.1 ms).
extern const long hps_pool_spin_ns;

#endif
