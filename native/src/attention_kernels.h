// Fused softmax attention of the real-valued models (the Decision Transformer's GPT-2 blocks, ANN-STRL's
// "strl" attention), tiled so that the [B, H, L, L] scores and weights never exist whole:
//
//   s_ij = scale · q_i · k_j;  a_ij = act(s_ij) (none, relu or GPT-2's tanh GELU);
//   P_ij = softmax_j(a_ij) over the allowed keys j (key j real, and j <= i when causal);
//   out_i = Σ_j P_ij · keep_ij / (1 - p) · v_j      (dropout p on the weights; keep_ij in {0, 1}).
//
// Inputs are the fused projection qkv [B, L, 3d] (q | k | v along the last axis, head h in columns [h·dh,
// (h+1)·dh) of each third), so no head split or slice is needed; out is [B, L, d], the heads merged.
//
// Forward (FlashAttention's online softmax): per (b, h), query tiles of kTile rows against key tiles of kTile
// keys; S = Q_tile K_tileᵀ by the engine's sgemm, then per row the running max m and the running sum l of
// exp(a - m) (double), the accumulator rescaled by exp(m_old - m_new) when the max grows, and P_tile V_tile
// (sgemm) added. It keeps lse_i = m_i + log(l_i) [B, H, L] for the backward.
// Backward: per (b, h), key tiles outer, query tiles inner; the scores are recomputed per tile and
// P = exp(a - lse); with D_i = dO_i · out_i (which holds with dropout: out already carries the mask),
//   dV_j += Σ_i P_ij keep_ij/(1-p) dO_i;  dP_ij = keep_ij/(1-p) dO_i · v_j;  dA_ij = P_ij (dP_ij - D_i);
//   dS_ij = dA_ij act'(s_ij);  dQ_i += scale Σ_j dS_ij k_j;  dK_j += scale Σ_i dS_ij q_i.
//
// Dropout: keep_ij is drawn inside the kernel from a counter-based hash (SplitMix64's finaliser) of the call's
// 64-bit seed and the cell's index ((b·H + h)·L + i)·L + j: kept when the top 24 bits, as u in [0, 1), are >= p.
// The forward and the backward draw the same cells from the same seed, whatever the tiling or the threads.
//
// Rows with no allowed key (a padded query whose keys are all padding): out_i = 0, lse_i = +inf, and every
// gradient through the row is 0 (the composed tfjs path zeroes those rows too; see real-attention.ts).
//
// Threads: one task per (b, h), fixed by the shape; every sgemm inside runs single-threaded, each output element
// is written by one task in a fixed order, so results do not depend on the thread count.
#pragma once
#include <cstdint>

namespace strl {

struct AttnGeo {
  int64_t B, L, H, dh;
  // d = H·dh: the width of out; the rows of qkv are 3d wide
  int64_t d() const { return H * dh; }
};

struct AttnOpts {
  double scale;
  // 0 none, 1 relu, 2 gelu (tanh form)
  int act;
  bool causal;
  // [B, L]: 1 = real key
  const uint8_t* keyMask;
  // dropout probability in [0, 1); 0: none
  double p;
  uint64_t seed;
};

// The keep decision of cell ((b·H + h)·L + i)·L + j (see above).
inline bool attn_keep(uint64_t seed, uint64_t cell, double p) {
  uint64_t z = seed + cell * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 40) * (1.0 / 16777216.0) >= p;
}

// qkv [B, L, 3d] -> out [B, L, d], lse [B, H, L] (both overwritten). False when out of memory.
bool attn_forward(const AttnGeo& g, const AttnOpts& o, const float* qkv, float* out, float* lse);

// From dOut [B, L, d] and the forward's qkv, out, lse -> dqkv [B, L, 3d] (overwritten). False when out of memory.
bool attn_backward(const AttnGeo& g, const AttnOpts& o, const float* qkv, const float* out, const float* lse,
                   const float* dOut, float* dqkv);

}  // namespace strl
