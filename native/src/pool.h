// A persistent thread pool for the native kernels. Work is split into tasks whose count and boundaries depend
// only on the problem's shape, never on the number of threads; each task writes its own outputs in a fixed
// order, so every result is bit-identical whatever the thread count (STRL_THREADS, default: all cores).
#pragma once
#include <cstdint>
#include <functional>

namespace strl {

// Runs fn(task) once for every task in [0, n) across the pool (the calling thread takes part) and returns when
// all have finished. Runs inline when n <= 1, when the pool has one thread, or when the whole job is small:
// `cost` is the job's total work in rough element-operations (default: large), and a job under ~64k of them
// costs less than waking a worker (and, on a loaded machine, than waiting for it to be scheduled).
void parallel_for(int64_t n, const std::function<void(int64_t)>& fn, double cost = 1e18);

// Number of threads the pool uses (the calling thread included).
int num_threads();

// Sets the pool's thread count (>= 1); takes effect for the next parallel_for.
void set_num_threads(int n);

}  // namespace strl
