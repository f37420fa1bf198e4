// The ANN activations the fused kernels apply in their epilogues (fused attention, fused Linear): 0 none, 1 relu,
// 2 GPT-2's tanh GELU as src/models/blocks/activation.ts composes it in float32:
//   gelu(x) = 0.5 x (1 + tanh(C (x + 0.044715 x^3))),  C = sqrt(2 / pi).
#pragma once
#include <cmath>

namespace strl {

enum Activation { kActNone = 0, kActRelu = 1, kActGelu = 2 };

const float kGeluC = static_cast<float>(std::sqrt(2.0 / M_PI));
constexpr float kGeluA = 0.044715f;

inline float act_fwd(int act, float x) {
  if (act == kActRelu) return x > 0.0f ? x : (std::isnan(x) ? x : 0.0f);  // NaN stays NaN, as tfjs's relu
  if (act == kActGelu) {
    const float inner = (x + (x * x * x) * kGeluA) * kGeluC;
    return (x * 0.5f) * (std::tanh(inner) + 1.0f);
  }
  return x;
}

// d act / dx at the pre-activation x
inline float act_grad(int act, float x) {
  if (act == kActRelu) return x > 0.0f ? 1.0f : (std::isnan(x) ? x : 0.0f);  // tfjs's step: NaN stays NaN
  if (act == kActGelu) {
    const float t = std::tanh((x + (x * x * x) * kGeluA) * kGeluC);
    return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kGeluC * (1.0f + 3.0f * kGeluA * x * x);
  }
  return 1.0f;
}

}  // namespace strl
