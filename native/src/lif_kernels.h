// The multi-step LIF neuron's kernels (forward and backward through T steps) on raw float32 pointers: the native
// twin of src/snn/lif-kernel.ts (equations there). lif_kernels.cc holds the arithmetic's set-up, the choice of
// instruction set and the threads; the loops are in lif_loops.h; the Node-API binding is lif_napi.cc.
#pragma once
#include <cstdint>
#include <string>

namespace strl {

enum LifSurrogate { kSigmoid, kAtan, kFastSigmoid, kPiecewiseQuadratic, kRectangular };

// The neuron's constants: tau > 1, threshold; hard reset to vr, or soft reset (subtract the threshold).
struct LifNeuron {
  double tau, vth, vr;
  bool hard, decay_input;
};

// x [T, n] ([n] when repeated) -> y (spikes [T, n], or their mean over T [n] when mean) and d = H - v_th [T, n].
// Returns the spike count; *bad_t = the first step whose membrane input was not finite (T when none).
int64_t lif_forward(const float* x, float* y, float* d, int64_t T, int64_t n, bool repeated, bool mean,
                    const LifNeuron& nr, int64_t* bad_t);

// dy ([T, n], or [n] when mean) and the forward's d -> gx ([T, n], or [n] when repeated). surr: a LifSurrogate,
// alpha its parameter; detach_reset drops the reset path's gradient.
void lif_backward(const float* dy, const float* d, float* gx, int64_t T, int64_t n, bool repeated, bool mean,
                  const LifNeuron& nr, bool detach_reset, int surr, double alpha);

// The instruction set in use ("portable", "avx2" or "avx512"), and a switch to another (false: this CPU lacks
// it). Every copy gives the same bits (for tests).
const char* lif_isa();
bool lif_use_isa(const std::string& name);

// out = exp(z) by the backward's exp (z <= 0, -inf or NaN), on the instruction set in use (for tests).
void lif_exp(const double* z, double* out, int64_t n);

}  // namespace strl
