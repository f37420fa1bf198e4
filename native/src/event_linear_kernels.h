// Event-driven Linear layer for spike inputs: a layer whose input x holds only 0 and 1 (a LIF's spikes, e.g. an
// MLP's fc2 after its hidden LIF, rows = T x tokens) adds up the weight rows of the inputs that fired instead of
// multiplying: y[r, :] = Σ_{i : x[r, i] = 1} W[i, :] (+ b). No multiplies. Pure C++ (event_linear_kernels.cc);
// binding in event_linear_napi.cc.
#pragma once
#include <cstdint>
#include <string>

namespace strl {

// y [rows, Dout] = x [rows, Din] · W [Din, Dout], then + b [Dout] when b is not null (added after the sum, in
// float32, as the inference path's Linear adds its bias after the sgemm). Each output row is the sum of W's rows
// of its active inputs in increasing input order, so the result does not depend on the thread count or the
// instruction set. Returns the accumulates done: (active inputs over all rows) x Dout, the scalar additions of
// weight values (the bias additions not counted), which is what the energy model charges as SOPs for this
// input (T x rate x MACs); or -1 when x holds a value other than 0 and 1 (y is then unspecified).
double event_linear(const float* x, const float* W, const float* b, float* y, int64_t rows, int64_t Din, int64_t Dout);

// The weight gradient of that layer: gW [Din, Dout] = xᵀ · dy for x [rows, Din] holding only 0 and 1, dy [rows,
// Dout]. For each input i, the sum of dy's rows r where x[r, i] = 1, added in increasing r (0 + dy[r_1] + ...),
// so the result does not depend on the thread count (tasks are blocks of inputs, cut by the shape only) or the
// instruction set. Returns the accumulates done: (ones in x) x Dout; or -1 when x holds a value other than 0
// and 1 (gW is then unspecified).
double event_linear_weight_grad(const float* x, const float* dy, float* gW, int64_t rows, int64_t Din, int64_t Dout);

// The number of ones in x [n], or -1 when x holds a value other than 0 and 1: whether an input is spikes and its
// firing rate, for choosing between event_linear and the dense product.
double count_spikes(const float* x, int64_t n);

// The instruction set event_linear and event_linear_weight_grad use: "portable" or "avx2" (the best this CPU has, by default).
const char* event_linear_isa();

// Switches to `name` (for tests: both copies give the same bits); false when unknown or not on this CPU.
bool event_linear_use_isa(const std::string& name);

}  // namespace strl
