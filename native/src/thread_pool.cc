// The thread pool behind parallel_for: persistent workers that spin briefly for new work (kernels are often
// launched back to back) and then sleep on a condition variable. Tasks are claimed from an atomic counter.
#include "thread_pool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace strl {
namespace {

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable wake;
  std::atomic<uint64_t> generation{0};
  std::atomic<int64_t> next{0};
  std::atomic<int64_t> done{0};
  std::atomic<int> active{0};  // workers inside the current job
  int64_t n_tasks = 0;
  const std::function<void(int64_t)>* job = nullptr;
  bool stopping = false;
  int wanted = 1;

  void run_tasks() {
    for (;;) {
      int64_t t = next.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks) break;
      (*job)(t);
      done.fetch_add(1, std::memory_order_release);
    }
  }

  void worker_loop() {
    uint64_t seen = 0;
    for (;;) {
      // Spin a little for the next job, then sleep.
      int spins = 0;
      while (generation.load(std::memory_order_acquire) == seen && spins < 4000) {
        ++spins;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
      }
      if (generation.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu);
        wake.wait(lock, [&] { return stopping || generation.load(std::memory_order_acquire) != seen; });
        if (stopping) return;
      }
      seen = generation.load(std::memory_order_acquire);
      active.fetch_add(1, std::memory_order_acq_rel);
      run_tasks();
      active.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  void resize(int n) {
    if (n < 1) n = 1;
    stop();
    wanted = n;
    stopping = false;
    for (int i = 1; i < n; ++i) workers.emplace_back([this] { worker_loop(); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
  }

  void parallel_for(int64_t n, const std::function<void(int64_t)>& fn) {
    if (n <= 0) return;
    if (n == 1 || workers.empty()) {
      for (int64_t t = 0; t < n; ++t) fn(t);
      return;
    }
    job = &fn;
    n_tasks = n;
    done.store(0, std::memory_order_relaxed);
    next.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu);
      generation.fetch_add(1, std::memory_order_acq_rel);
    }
    wake.notify_all();
    run_tasks();
    while (done.load(std::memory_order_acquire) < n) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    // Workers that woke late may still be between claiming (and failing to claim) a task: wait them out so the
    // next job's counters are not raced.
    while (active.load(std::memory_order_acquire) != 0) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
};

int default_threads() {
  const char* env = std::getenv("STRL_THREADS");
  if (env && *env) {
    int n = std::atoi(env);
    if (n >= 1 && n <= 256) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(hc);
}

Pool& pool() {
  // Leaked on purpose: joining threads from a static destructor at process exit can deadlock.
  static Pool* p = [] {
    Pool* q = new Pool();
    q->resize(default_threads());
    return q;
  }();
  return *p;
}

}  // namespace

void parallel_for(int64_t n, const std::function<void(int64_t)>& fn, double cost) {
  if (cost < 65536.0) {
    for (int64_t t = 0; t < n; ++t) fn(t);
    return;
  }
  pool().parallel_for(n, fn);
}
int num_threads() { return pool().wanted; }
void set_num_threads(int n) {
  if (n != pool().wanted) pool().resize(n);
}

}  // namespace strl
