// The ONNX recurrent family (onnx_converter.h): RNN, GRU and LSTM (opsets
// 7 and 14), unrolled at import into graphrt ops, one group per time step.
//
// Note [ONNX recurrent ops unrolled]
// Rationale: the three ops are a fixed recipe of matrix products and
// activations per step; graphrt already has every piece (MatMul,
// StridedSlice, the activations, SelectV2, ReverseSequence), and the
// sequence length of the models that use them is usually fixed, so
// unrolling gives the spec's results without a new kernel.
// Approach: per direction, the input projection of all steps is one product
// X[T*B, I] x W^T (+ Wb + Rb) made before the loop; each step then slices
// its rows, adds H x R^T and applies the gates as the ONNX spec writes them
// (gate order LSTM i o f c, GRU z r h; peepholes P = i o f; GRU's
// linear_before_reset; LSTM's input_forget couples f = 1 - i; `clip` bounds
// every gate's input to [-clip, clip]). The reverse direction walks the
// steps backwards; with sequence_lens it instead reverses each batch row's
// first lens[b] steps (ReverseSequence) before and after a forward walk, and
// every step keeps the previous state and writes zeros to Y where
// t >= lens[b]. layout 1 ([batch, seq, ...]) is transposed in and out. A
// missing initial_h / initial_c is zero: the first step skips the terms it
// would multiply.
// Limitations: the sequence length (X's time dimension), the hidden size
// and the input size must be known at import time (UNIMPLEMENTED
// otherwise), and at most kMaxUnrolledSteps; float32 and float64 only. The
// graph grows with T (about 15 nodes per LSTM step and direction).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/base/status_macros.h"
#include "core/graph/onnx/onnx_converter.h"
#include "core/graph/ops/indexing_ops.h"
#include "core/graph/ops/layout_ops.h"
#include "core/graph/ops/misc_ops.h"

namespace graphrt::onnx_import {
namespace {

using Ints = std::vector<int64_t>;

enum class Cell { kRnn, kGru, kLstm };

// The longest sequence unrolled: beyond it the graph (tens of thousands of
// nodes a direction) would cost more to build than a run saves.
constexpr int64_t kMaxUnrolledSteps = 1024;

struct Activation {
  std::string name;  // lower case
  float alpha = 0, beta = 0;
};

// Each activation's default alpha / beta (ONNX's ops of the same name).
absl::StatusOr<Activation> MakeActivation(OnnxContext& ctx, const std::string& spelled,
                                          const std::vector<float>& alphas, size_t& next_alpha,
                                          const std::vector<float>& betas, size_t& next_beta) {
  Activation a{absl::AsciiStrToLower(spelled)};
  float alpha = 0, beta = 0;
  bool has_alpha = true, has_beta = false;
  if (a.name == "leakyrelu") alpha = 0.01f;
  else if (a.name == "thresholdedrelu" || a.name == "elu") alpha = 1.0f;
  else if (a.name == "hardsigmoid") alpha = 0.2f, beta = 0.5f, has_beta = true;
  else if (a.name == "affine") alpha = 1.0f, beta = 0.0f, has_beta = true;
  else if (a.name == "scaledtanh") alpha = 1.0f, beta = 1.0f, has_beta = true;
  else if (a.name == "sigmoid" || a.name == "tanh" || a.name == "relu" || a.name == "softsign" ||
           a.name == "softplus") has_alpha = false;
  else {
    return ctx.Error("unknown activation '", spelled, "' (ONNX's are Relu, Tanh, Sigmoid, Affine, "
                     "LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus)");
  }
  // activation_alpha / activation_beta are consumed in order by the
  // activations that take them.
  if (has_alpha && next_alpha < alphas.size()) alpha = alphas[next_alpha++];
  if (has_beta && next_beta < betas.size()) beta = betas[next_beta++];
  a.alpha = alpha;
  a.beta = beta;
  return a;
}

class Unroller {
 public:
  Unroller(OnnxContext& ctx, Cell cell) : ctx_(ctx), cell_(cell) {}

  absl::Status Run();

 private:
  std::string Name(absl::string_view part) const {
    const std::string& n = ctx_.node().name();
    return absl::StrCat(n.empty() ? ctx_.node().op_type() : n, "/", part);
  }
  Output Op(absl::string_view op, std::vector<Output> in, AttrMap attrs, absl::string_view part) {
    return ctx_.builder().Op(op, in, std::move(attrs), Name(part));
  }
  Output Scalar(double v, absl::string_view part) {
    Tensor t = dtype_ == DataType::kFloat64 ? Tensor::Scalar<double>(v)
                                            : Tensor::Scalar<float>(static_cast<float>(v));
    return ctx_.builder().Const(std::move(t), Name(part));
  }
  // x[..., begin:end, ...] along `axis` of a rank-`rank` x; `shrink` drops
  // the axis (then end must be begin + 1).
  Output Slice(Output x, int rank, int axis, int64_t begin, int64_t end, bool shrink,
               absl::string_view part) {
    StridedSliceAttrs a;
    a.begin.assign(rank, 0);
    a.end.assign(rank, 0);
    a.strides.assign(rank, 1);
    a.begin[axis] = begin;
    a.end[axis] = end;
    const int64_t all = (int64_t{1} << rank) - 1;
    a.begin_mask = a.end_mask = all & ~(int64_t{1} << axis);
    if (shrink) a.shrink_axis_mask = int64_t{1} << axis;
    return ops::StridedSlice(x, a, Name(part));
  }
  // a x b^T for 2-D a and b.
  Output MatMulT(Output a, Output b, absl::string_view part) {
    if (dtype_ == DataType::kFloat32) {
      return Op("MatMul", {a, b}, {{"transpose_a", false}, {"transpose_b", true}}, part);
    }
    return Op("BatchMatMulV2", {a, b}, {{"adj_x", false}, {"adj_y", true}}, part);
  }
  Output Clip(Output x, absl::string_view part) {
    if (!clip_.has_value()) return x;
    x = Op("Maximum", {x, Scalar(-*clip_, absl::StrCat(part, "_lo"))}, {}, absl::StrCat(part, "_clip_lo"));
    return Op("Minimum", {x, Scalar(*clip_, absl::StrCat(part, "_hi"))}, {}, absl::StrCat(part, "_clip"));
  }
  Output Apply(const Activation& f, Output x, absl::string_view part);
  // Gate input clipped, then activated.
  Output Gate(const Activation& f, Output pre, absl::string_view part) {
    return Apply(f, Clip(pre, part), part);
  }
  absl::Status ReadActivations();
  absl::Status Direction(int d, bool reverse);
  // One step of the cell: the new h (and c for LSTM) from xw = x_t W^T + b.
  void Step(int d, Output xw, const std::string& tag, std::optional<Output>& h,
            std::optional<Output>& c, Output& h_new, Output& c_new);

  OnnxContext& ctx_;
  Cell cell_;
  DataType dtype_ = DataType::kFloat32;
  int64_t seq_ = 0, hidden_ = 0, input_size_ = 0, gates_ = 1;
  int num_dirs_ = 1;
  std::optional<double> clip_;
  bool linear_before_reset_ = false, input_forget_ = false;
  std::vector<Activation> acts_;  // per direction: f (g (h))
  Output x_, w_, r_;
  std::optional<Output> b_, lens_col_, lens_, h0_, c0_, p_;
  // Per direction, built in Direction(): weights and biases sliced once.
  struct Dir {
    Output r, r_zr, r_h;
    std::optional<Output> rbh, pi, po, pf;
  } dir_;
  std::vector<Output> ys_, yhs_, ycs_;
};

Output Unroller::Apply(const Activation& f, Output x, absl::string_view part) {
  const std::string p(part);
  const std::string& n = f.name;
  if (n == "sigmoid") return Op("Sigmoid", {x}, {}, p);
  if (n == "tanh") return Op("Tanh", {x}, {}, p);
  if (n == "relu") return Op("Relu", {x}, {}, p);
  if (n == "softsign") return Op("Softsign", {x}, {}, p);
  if (n == "softplus") return Op("Softplus", {x}, {}, p);
  if (n == "leakyrelu") return Op("LeakyRelu", {x}, {{"alpha", f.alpha}}, p);
  if (n == "thresholdedrelu") return Op("ThresholdedRelu", {x}, {{"alpha", f.alpha}}, p);
  if (n == "elu") return Op("Elu", {x}, {{"alpha", f.alpha}}, p);
  if (n == "hardsigmoid") return Op("HardSigmoid", {x}, {{"alpha", f.alpha}, {"beta", f.beta}}, p);
  if (n == "affine") {
    Output y = Op("Mul", {x, Scalar(f.alpha, p + "_alpha")}, {}, p + "_ax");
    return Op("Add", {y, Scalar(f.beta, p + "_beta")}, {}, p);
  }
  // scaledtanh: alpha * tanh(beta * x)
  Output y = Op("Mul", {x, Scalar(f.beta, p + "_beta")}, {}, p + "_bx");
  y = Op("Tanh", {y}, {}, p + "_tanh");
  return Op("Mul", {y, Scalar(f.alpha, p + "_alpha")}, {}, p);
}

absl::Status Unroller::ReadActivations() {
  std::vector<std::string> defaults;
  switch (cell_) {
    case Cell::kRnn: defaults = {"Tanh"}; break;
    case Cell::kGru: defaults = {"Sigmoid", "Tanh"}; break;
    case Cell::kLstm: defaults = {"Sigmoid", "Tanh", "Tanh"}; break;
  }
  std::vector<std::string> names;
  if (const onnx::AttributeProto* a = ctx_.FindAttr("activations")) {
    names.assign(a->strings().begin(), a->strings().end());
  }
  if (names.empty()) {
    for (int d = 0; d < num_dirs_; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  } else if (num_dirs_ == 2 && names.size() == defaults.size()) {
    std::vector<std::string> twice = names;  // one list given for both directions
    names.insert(names.end(), twice.begin(), twice.end());
  }
  if (names.size() != defaults.size() * num_dirs_) {
    return ctx_.Error("activations lists ", names.size(), " functions (",
                      absl::StrJoin(names, ", "), "); ", ctx_.node().op_type(), " takes ",
                      defaults.size(), " per direction, ", defaults.size() * num_dirs_, " here");
  }
  const std::vector<float> alphas = ctx_.FloatsAttr("activation_alpha");
  const std::vector<float> betas = ctx_.FloatsAttr("activation_beta");
  size_t na = 0, nb = 0;
  for (const std::string& n : names) {
    ASSIGN_OR_RETURN(Activation a, MakeActivation(ctx_, n, alphas, na, betas, nb));
    acts_.push_back(std::move(a));
  }
  return absl::OkStatus();
}

void Unroller::Step(int d, Output xw, const std::string& tag, std::optional<Output>& h,
                    std::optional<Output>& c, Output& h_new, Output& c_new) {
  const int64_t H = hidden_;
  const size_t per = acts_.size() / num_dirs_;
  const Activation* f = &acts_[d * per];
  auto part = [&](const char* what) { return absl::StrCat(tag, "/", what); };
  auto gate = [&](Output g, int k, const char* what) {
    return Slice(g, 2, 1, k * H, (k + 1) * H, false, part(what));
  };
  if (cell_ == Cell::kRnn) {
    Output pre = h ? Op("Add", {xw, MatMulT(*h, dir_.r, part("hr"))}, {}, part("pre")) : xw;
    h_new = Gate(f[0], pre, part("h"));
    return;
  }
  if (cell_ == Cell::kLstm) {
    Output g = h ? Op("Add", {xw, MatMulT(*h, dir_.r, part("hr"))}, {}, part("gates")) : xw;
    Output i_pre = gate(g, 0, "i_pre"), o_pre = gate(g, 1, "o_pre");
    Output f_pre = gate(g, 2, "f_pre"), c_pre = gate(g, 3, "c_pre");
    if (c && dir_.pi) i_pre = Op("Add", {i_pre, Op("Mul", {*dir_.pi, *c}, {}, part("pi_c"))}, {}, part("i_peep"));
    if (c && dir_.pf) f_pre = Op("Add", {f_pre, Op("Mul", {*dir_.pf, *c}, {}, part("pf_c"))}, {}, part("f_peep"));
    Output i = Gate(f[0], i_pre, part("i"));
    Output fg = input_forget_ ? Op("Sub", {Scalar(1, part("one")), i}, {}, part("f"))
                              : Gate(f[0], f_pre, part("f"));
    Output cand = Gate(f[1], c_pre, part("g"));
    c_new = Op("Mul", {i, cand}, {}, part("i_g"));
    if (c) c_new = Op("Add", {Op("Mul", {fg, *c}, {}, part("f_c")), c_new}, {}, part("c"));
    if (dir_.po) o_pre = Op("Add", {o_pre, Op("Mul", {*dir_.po, c_new}, {}, part("po_c"))}, {}, part("o_peep"));
    Output o = Gate(f[0], o_pre, part("o"));
    h_new = Op("Mul", {o, Apply(f[2], c_new, part("hc"))}, {}, part("h"));
    return;
  }
  // GRU.
  Output xzr = Slice(xw, 2, 1, 0, 2 * H, false, part("xzr"));
  Output xh = gate(xw, 2, "xh");
  Output hr;  // H x R^T over all three gates (linear_before_reset)
  Output zr = xzr;
  if (h) {
    if (linear_before_reset_) {
      hr = MatMulT(*h, dir_.r, part("hr"));
      zr = Op("Add", {xzr, Slice(hr, 2, 1, 0, 2 * H, false, part("hzr"))}, {}, part("zr"));
    } else {
      zr = Op("Add", {xzr, MatMulT(*h, dir_.r_zr, part("hzr"))}, {}, part("zr"));
    }
  }
  Output z = Gate(f[0], gate(zr, 0, "z_pre"), part("z"));
  Output r = Gate(f[0], gate(zr, 1, "r_pre"), part("r"));
  Output h_pre = xh;
  if (linear_before_reset_) {
    std::optional<Output> lin;
    if (h) lin = gate(hr, 2, "hh");
    if (dir_.rbh) lin = lin ? Op("Add", {*lin, *dir_.rbh}, {}, part("hh_b")) : *dir_.rbh;
    if (lin) h_pre = Op("Add", {xh, Op("Mul", {r, *lin}, {}, part("r_hh"))}, {}, part("h_pre"));
  } else if (h) {
    Output rh = Op("Mul", {r, *h}, {}, part("r_h"));
    h_pre = Op("Add", {xh, MatMulT(rh, dir_.r_h, part("rh_r"))}, {}, part("h_pre"));
  }
  Output cand = Gate(f[1], h_pre, part("ht"));
  h_new = Op("Mul", {Op("Sub", {Scalar(1, part("one")), z}, {}, part("1_z")), cand}, {}, part("keep"));
  if (h) h_new = Op("Add", {h_new, Op("Mul", {z, *h}, {}, part("z_h"))}, {}, part("h"));
}

absl::Status Unroller::Direction(int d, bool reverse) {
  const int64_t H = hidden_, GH = gates_ * hidden_;
  const std::string dn = absl::StrCat("d", d);
  Output w = Slice(w_, 3, 0, d, d + 1, true, dn + "/W");
  dir_ = Dir{};
  dir_.r = Slice(r_, 3, 0, d, d + 1, true, dn + "/R");
  std::optional<Output> bias_x;
  if (b_) {
    Output b = Slice(*b_, 2, 0, d, d + 1, true, dn + "/B");
    Output wb = Slice(b, 1, 0, 0, GH, false, dn + "/Wb");
    Output rb = Slice(b, 1, 0, GH, 2 * GH, false, dn + "/Rb");
    if (cell_ == Cell::kGru && linear_before_reset_) {
      Output zr = Op("Add", {Slice(wb, 1, 0, 0, 2 * H, false, dn + "/Wb_zr"),
                             Slice(rb, 1, 0, 0, 2 * H, false, dn + "/Rb_zr")}, {}, dn + "/b_zr");
      const Output parts[] = {zr, Slice(wb, 1, 0, 2 * H, 3 * H, false, dn + "/Wb_h")};
      bias_x = ops::ConcatV2(parts, 0, Name(dn + "/b_x"));
      dir_.rbh = Slice(rb, 1, 0, 2 * H, 3 * H, false, dn + "/Rb_h");
    } else {
      bias_x = Op("Add", {wb, rb}, {}, dn + "/b_x");
    }
  }
  if (cell_ == Cell::kGru && !linear_before_reset_) {
    dir_.r_zr = Slice(dir_.r, 2, 0, 0, 2 * H, false, dn + "/R_zr");
    dir_.r_h = Slice(dir_.r, 2, 0, 2 * H, 3 * H, false, dn + "/R_h");
  }
  if (p_) {
    Output p = Slice(*p_, 2, 0, d, d + 1, true, dn + "/P");
    dir_.pi = Slice(p, 1, 0, 0, H, false, dn + "/Pi");
    dir_.po = Slice(p, 1, 0, H, 2 * H, false, dn + "/Po");
    dir_.pf = Slice(p, 1, 0, 2 * H, 3 * H, false, dn + "/Pf");
  }
  // With sequence_lens the reverse direction is a forward walk over each
  // row's first lens[b] steps reversed (and Y reversed back).
  const bool flip = reverse && lens_.has_value();
  Output x = flip ? ops::ReverseSequence(x_, *lens_, 0, 1, Name(dn + "/X_rev")) : x_;
  Output xw = MatMulT(Op("Reshape", {x}, {{"shape", Ints{-1, input_size_}}}, dn + "/X2"), w,
                      dn + "/XW2");
  if (bias_x) xw = Op("Add", {xw, *bias_x}, {}, dn + "/XWb");
  xw = Op("Reshape", {xw}, {{"shape", Ints{seq_, -1, GH}}}, dn + "/XW");
  std::optional<Output> h, c;
  if (h0_) h = Slice(*h0_, 3, 0, d, d + 1, true, dn + "/h0");
  if (c0_) c = Slice(*c0_, 3, 0, d, d + 1, true, dn + "/c0");
  std::vector<Output> ys(seq_);
  for (int64_t s = 0; s < seq_; ++s) {
    const int64_t t = reverse && !flip ? seq_ - 1 - s : s;
    const std::string tag = absl::StrCat(dn, "/t", t);
    Output xw_t = Slice(xw, 3, 0, t, t + 1, true, tag + "/xw");
    Output h_new, c_new;
    Step(d, xw_t, tag, h, c, h_new, c_new);
    if (lens_col_) {
      Output t_const = ctx_.builder().Const(Tensor::Scalar<int32_t>(static_cast<int32_t>(t)),
                                            Name(tag + "/t"));
      Output live = Op("Less", {t_const, *lens_col_}, {}, tag + "/live");
      Output zero = Scalar(0, tag + "/zero");
      ys[t] = Op("SelectV2", {live, h_new, zero}, {}, tag + "/y");
      h = Op("SelectV2", {live, h_new, h ? *h : zero}, {}, tag + "/h_kept");
      if (cell_ == Cell::kLstm) c = Op("SelectV2", {live, c_new, c ? *c : zero}, {}, tag + "/c_kept");
    } else {
      ys[t] = h_new;
      h = h_new;
      if (cell_ == Cell::kLstm) c = c_new;
    }
  }
  if (ctx_.HasOutput(0)) {
    std::vector<Output> rows;
    for (int64_t t = 0; t < seq_; ++t) {
      rows.push_back(Op("ExpandDims", {ys[t]}, {{"axis", int64_t{0}}}, absl::StrCat(dn, "/y", t)));
    }
    Output y = rows.size() == 1 ? rows[0] : ops::ConcatV2(rows, 0, Name(dn + "/Y"));
    if (flip) y = ops::ReverseSequence(y, *lens_, 0, 1, Name(dn + "/Y_rev"));
    ys_.push_back(Op("ExpandDims", {y}, {{"axis", int64_t{1}}}, dn + "/Y_d"));
  }
  yhs_.push_back(Op("ExpandDims", {*h}, {{"axis", int64_t{0}}}, dn + "/Y_h"));
  if (cell_ == Cell::kLstm) ycs_.push_back(Op("ExpandDims", {*c}, {{"axis", int64_t{0}}}, dn + "/Y_c"));
  return ctx_.builder().status();
}

absl::Status Unroller::Run() {
  const char* op = ctx_.node().op_type().c_str();
  gates_ = cell_ == Cell::kLstm ? 4 : cell_ == Cell::kGru ? 3 : 1;
  const std::string direction = ctx_.StringAttr("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional") {
    return ctx_.Error("direction '", direction, "' is none of forward, reverse, bidirectional");
  }
  num_dirs_ = direction == "bidirectional" ? 2 : 1;
  const int64_t layout = ctx_.IntAttr("layout", 0);
  if (layout != 0 && layout != 1) return ctx_.Error("layout ", layout, " is neither 0 nor 1");
  if (const onnx::AttributeProto* a = ctx_.FindAttr("clip")) clip_ = a->f();
  linear_before_reset_ = ctx_.IntAttr("linear_before_reset", 0) != 0;
  input_forget_ = ctx_.IntAttr("input_forget", 0) != 0;
  RETURN_IF_ERROR(ReadActivations());

  ASSIGN_OR_RETURN(x_, ctx_.Input(0));
  ASSIGN_OR_RETURN(w_, ctx_.Input(1));
  ASSIGN_OR_RETURN(r_, ctx_.Input(2));
  dtype_ = x_.dtype();
  if (dtype_ != DataType::kFloat32 && dtype_ != DataType::kFloat64) {
    return ctx_.Unsupported("X is ", DataTypeName(dtype_), "; graphrt imports ", op,
                            " for float32 and float64");
  }
  auto optional_input = [&](int i) -> absl::StatusOr<std::optional<Output>> {
    if (!ctx_.HasInput(i)) return std::optional<Output>();
    ASSIGN_OR_RETURN(Output v, ctx_.Input(i));
    return std::optional<Output>(v);
  };
  ASSIGN_OR_RETURN(b_, optional_input(3));
  ASSIGN_OR_RETURN(lens_, optional_input(4));
  ASSIGN_OR_RETURN(h0_, optional_input(5));
  if (cell_ == Cell::kLstm) {
    ASSIGN_OR_RETURN(c0_, optional_input(6));
    ASSIGN_OR_RETURN(p_, optional_input(7));
  }
  if (layout == 1) {  // [batch, seq, ...] in: time-major inside
    x_ = Op("Transpose", {x_}, {{"perm", Ints{1, 0, 2}}}, "X_tm");
    if (h0_) h0_ = Op("Transpose", {*h0_}, {{"perm", Ints{1, 0, 2}}}, "h0_dm");
    if (c0_) c0_ = Op("Transpose", {*c0_}, {{"perm", Ints{1, 0, 2}}}, "c0_dm");
  }
  RETURN_IF_ERROR(ctx_.builder().status());
  const PartialShape xs = x_.shape(), ws = w_.shape(), rs = r_.shape();
  if (!xs.known_rank() || xs.rank() != 3) {
    return ctx_.Error("X must be rank 3 ([seq, batch, input] for layout 0), got ", xs.DebugString());
  }
  seq_ = xs.dim(0);
  if (seq_ <= 0) {
    return ctx_.Unsupported("the sequence length (X's time dimension) must be known at import "
                            "time: graphrt unrolls ", op, " per step (give X a fixed length)");
  }
  if (seq_ > kMaxUnrolledSteps) {
    return ctx_.Unsupported("the sequence length ", seq_, " is over the ", kMaxUnrolledSteps,
                            " steps graphrt unrolls ", op, " into (about 15 nodes a step)");
  }
  hidden_ = ctx_.IntAttr("hidden_size", -1);
  if (hidden_ <= 0 && rs.known_rank() && rs.rank() == 3) hidden_ = rs.dim(2);
  input_size_ = xs.dim(2);
  if (input_size_ < 0 && ws.known_rank() && ws.rank() == 3) input_size_ = ws.dim(2);
  if (hidden_ <= 0 || input_size_ < 0) {
    return ctx_.Unsupported("hidden_size and the input size must be known at import time "
                            "(set hidden_size; give X or W a known last dimension)");
  }
  if (lens_) {
    if (lens_->dtype() != DataType::kInt32) {
      return ctx_.Error("sequence_lens must be int32, got ", DataTypeName(lens_->dtype()));
    }
    lens_col_ = Op("Reshape", {*lens_}, {{"shape", Ints{-1, 1}}}, "lens_col");
  }
  for (int d = 0; d < num_dirs_; ++d) {
    RETURN_IF_ERROR(Direction(d, direction == "reverse" || d == 1));
  }
  auto join = [&](std::vector<Output>& parts, int axis, const char* part) {
    return parts.size() == 1 ? parts[0] : ops::ConcatV2(parts, axis, Name(part));
  };
  if (ctx_.HasOutput(0)) {
    Output y = join(ys_, 1, "Y_all");
    if (layout == 1) y = Op("Transpose", {y}, {{"perm", Ints{2, 0, 1, 3}}}, "Y_bm");
    RETURN_IF_ERROR(ctx_.builder().status());
    RETURN_IF_ERROR(ctx_.SetOutput(0, y));
  }
  for (int k = 1; k <= (cell_ == Cell::kLstm ? 2 : 1); ++k) {
    if (!ctx_.HasOutput(k)) continue;
    Output v = join(k == 1 ? yhs_ : ycs_, 0, k == 1 ? "Y_h_all" : "Y_c_all");
    if (layout == 1) v = Op("Transpose", {v}, {{"perm", Ints{1, 0, 2}}}, k == 1 ? "Y_h_bm" : "Y_c_bm");
    RETURN_IF_ERROR(ctx_.builder().status());
    RETURN_IF_ERROR(ctx_.SetOutput(k, v));
  }
  return absl::OkStatus();
}

absl::Status Rnn(OnnxContext& ctx) { return Unroller(ctx, Cell::kRnn).Run(); }
absl::Status Gru(OnnxContext& ctx) { return Unroller(ctx, Cell::kGru).Run(); }
absl::Status Lstm(OnnxContext& ctx) { return Unroller(ctx, Cell::kLstm).Run(); }

}  // namespace

void AddRnnConverters(std::vector<OnnxConverter>& table) {
  // Opset 7's forms; opset 14 added `layout`, read the same way.
  table.insert(table.end(), {{"RNN", 7, Rnn}, {"GRU", 7, Gru}, {"LSTM", 7, Lstm}});
}

}  // namespace graphrt::onnx_import
