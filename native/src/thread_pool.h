// A persistent thread pool for the native kernels. Work is split into tasks whose count and boundaries depend
// only on the problem's shape, never on the number of threads; each task writes its own outputs in a fixed
// order, so every result is bit-identical whatever the thread count (STRL_THREADS, default: all cores).
//
// Every kernel reaches the pool through the two helpers below (never through its own loop over tasks), so the
// rule "the split depends on the shape only" is written once.
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>

namespace strl {

// Runs fn(task) once for every task in [0, n) across the pool (the calling thread takes part) and returns when
// all have finished. Runs inline when n <= 1, when the pool has one thread, or when the whole job is small:
// `cost` is the job's total work in rough element-operations (default: large), and a job under ~64k of them
// costs less than waking a worker (and, on a loaded machine, than waiting for it to be scheduled).
void parallel_for(int64_t n, const std::function<void(int64_t)>& fn, double cost = 1e18);

// Runs fn(task) for every task in [0, n): across the pool, or on the calling thread when `threaded` is false
// (callers already inside a pool task: the pool does not nest) or n <= 1. `cost` as for parallel_for.
template <class F>
void parallel_tasks(int64_t n, bool threaded, const F& fn, double cost = 1e18) {
  if (!threaded || n <= 1) {
    for (int64_t t = 0; t < n; ++t) fn(t);
    return;
  }
  parallel_for(n, [&](int64_t t) { fn(t); }, cost);
}

// Runs body(begin, end, task) over [0, n) cut into chunks of `chunk` elements (task t gets [t chunk, (t + 1)
// chunk) clipped to n: the cut depends on n and chunk only). One chunk runs on the calling thread; n = 0 runs
// nothing. `cost` as for parallel_for.
template <class F>
void parallel_chunks(int64_t n, int64_t chunk, const F& body, double cost = 1e18) {
  const int64_t tasks = (n + chunk - 1) / chunk;
  if (tasks <= 1) {
    if (n > 0) body(int64_t{0}, n, int64_t{0});
    return;
  }
  parallel_for(tasks, [&](int64_t t) {
    const int64_t b = t * chunk;
    body(b, std::min(n, b + chunk), t);
  }, cost);
}

// Number of threads the pool uses (the calling thread included).
int num_threads();

// Sets the pool's thread count (>= 1); takes effect for the next parallel_for.
void set_num_threads(int n);

}  // namespace strl
